//! `parsec keys …`: the node's keys seen, rotated, destroyed, and the master key replaced
//! (docs/encryption.md). Run with the node's server stopped: a running server holds the keys
//! it loaded at start.

use std::path::Path;

use super::{
    Keyring, MASTER_META, MasterSource, OWN, Resealed, fingerprint, hex, master_key, new_wrapped,
    random, unwrap, wrap,
};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};

/// A data key as `parsec keys status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    pub kid: u32,
    /// '' for this node's own keys, else the post that uploaded it.
    pub owner: String,
    pub state: String,
    pub created_at: String,
    pub uploaded_at: Option<String>,
    /// Stored values sealed under it (records and change log).
    pub values: u64,
}

pub async fn status(db: &Db) -> AppResult<Vec<KeyStatus>> {
    let uses = super::uses(db).await?;
    let rows: Vec<(i64, String, String, String, Option<String>, bool)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT kid, owner, state, created_at, uploaded_at, {OWN} FROM data_keys
             ORDER BY created_at"
        )))
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(kid, owner, state, created_at, uploaded_at, own)| {
            let kid = u32::try_from(kid).unwrap_or(0);
            KeyStatus {
                kid,
                owner: if own { String::new() } else { owner },
                state,
                created_at,
                uploaded_at,
                values: uses.get(&kid).copied().unwrap_or(0),
            }
        })
        .collect())
}

/// A new current data key for this node; the old one retired, and every value it sealed
/// sealed again under the new one (with the crossings' search tags). The retired key stays
/// held: audit entries keep tags made with it, and a backup from before needs it. A post
/// uploads the new key at its next exchange, before its changes.
pub async fn rotate(db: &Db, keys: &Keyring) -> AppResult<(u32, Vec<u32>, Resealed)> {
    let (kid, wrapped) = new_wrapped(&keys.master)?;
    let mut tx = db::begin_write(db).await?;
    let retired: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT kid FROM data_keys WHERE {OWN}"
    )))
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE data_keys SET state = 'retired' WHERE state = 'current' AND {OWN}"
    )))
    .execute(&mut *tx)
    .await?;
    super::insert_current(&mut tx, kid, &wrapped).await?;
    crate::audit::append(
        &mut tx,
        &crate::audit::Actor::system("keys"),
        "rotate",
        "data_key",
        &kid.to_string(),
        &format!(
            "retired={}",
            retired
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    )
    .await?;
    tx.commit().await?;
    keys.make_current(unwrap(&keys.master, i64::from(kid), &wrapped)?);
    let retired: Vec<u32> = retired
        .into_iter()
        .filter_map(|k| u32::try_from(k).ok())
        .collect();
    let done = super::reseal(db, keys, &retired).await?;
    super::scrub(db).await?;
    Ok((kid, retired, done))
}

/// Forgets a retired key. Refused while any stored value is sealed under it (seal them again
/// first: `rotate`), and for the current key. Backups made before can no longer be read, and
/// the audit entries whose tags it made can no longer be found by the inspector's search.
pub async fn destroy(db: &Db, keys: &Keyring, kid: u32) -> AppResult<()> {
    if keys.kids().iter().any(|(k, current)| *k == kid && *current) {
        return Err(AppError::Internal(format!(
            "la clé {kid} est la clé en cours : faites d'abord `parsec keys rotate`"
        )));
    }
    let used = super::uses(db).await?.get(&kid).copied().unwrap_or(0);
    if used > 0 {
        return Err(AppError::Internal(format!(
            "la clé {kid} chiffre encore {used} valeurs : elle ne peut pas être détruite"
        )));
    }
    let mut tx = db::begin_write(db).await?;
    let gone = sqlx::query("DELETE FROM data_keys WHERE kid = ? AND state = 'retired'")
        .bind(i64::from(kid))
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Err(AppError::Internal(format!("clé {kid} inconnue")));
    }
    crate::audit::append(
        &mut tx,
        &crate::audit::Actor::system("keys"),
        "destroy",
        "data_key",
        &kid.to_string(),
        "",
    )
    .await?;
    tx.commit().await?;
    keys.forget(kid);
    super::scrub(db).await?;
    Ok(())
}

/// The path of the master key file being replaced.
pub fn pending_path(file: &Path) -> std::path::PathBuf {
    let mut p = file.as_os_str().to_owned();
    p.push(".new");
    std::path::PathBuf::from(p)
}

/// A new master key: written to `<file>.new`, the data keys wrapped again under it and its
/// fingerprint recorded in one transaction, then the file renamed over the old one. A stop
/// between the commit and the rename is finished at the next start (`Keyring::load`).
/// Returns the new fingerprint. Only for a master key kept in a file.
pub async fn replace_master(db: &Db, keys: &Keyring, source: &MasterSource) -> AppResult<String> {
    let MasterSource::File(file) = source else {
        return Err(AppError::Internal(
            "la clé maîtresse vient de PARSEC_DATA_KEY : remplacez-la avec un fichier de clé"
                .into(),
        ));
    };
    let secret = random::<32>()?;
    let new = master_key(secret);
    let id = fingerprint(&new);
    let pending = pending_path(file);
    let _ = std::fs::remove_file(&pending);
    {
        use std::io::Write;
        let mut f = db::create_private(&pending)
            .map_err(|e| AppError::Internal(format!("{} : {e}", pending.display())))?;
        writeln!(f, "{}", hex(&secret))
            .and_then(|()| f.sync_all())
            .map_err(|e| AppError::Internal(format!("{} : {e}", pending.display())))?;
    }
    let mut tx = db::begin_write(db).await?;
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT kid, wrapped FROM data_keys")
        .fetch_all(&mut *tx)
        .await?;
    for (kid, wrapped) in rows {
        let key = unwrap(&keys.master, kid, &wrapped)?;
        let kid = u32::try_from(kid).map_err(|_| AppError::Internal("bad data key id".into()))?;
        sqlx::query("UPDATE data_keys SET wrapped = ? WHERE kid = ?")
            .bind(wrap(&new, kid, &key.secret())?)
            .bind(i64::from(kid))
            .execute(&mut *tx)
            .await?;
    }
    db::set_meta(&mut tx, MASTER_META, &id).await?;
    crate::audit::append(
        &mut tx,
        &crate::audit::Actor::system("keys"),
        "rotate",
        "master_key",
        &id,
        &format!("was={}", keys.master_id()),
    )
    .await?;
    tx.commit().await?;
    std::fs::rename(&pending, file)
        .map_err(|e| AppError::Internal(format!("{} : {e}", file.display())))?;
    super::scrub(db).await?;
    Ok(id)
}
