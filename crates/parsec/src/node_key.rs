//! The node's Ed25519 signing key, in a key file beside the database (`parsec.db.key` unless
//! configured), readable by its owner only. Not in the database: every copy and backup of the
//! database would otherwise be able to sign as the node.
//!
//! The file holds the 32-byte seed as 64 hexadecimal characters and a newline. It is made on
//! first use with mode 0600; a node whose key was still in the database (`meta`) moves it out.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use crate::db::{self, Db};
use crate::error::{AppError, AppResult};

/// Where the key of the node whose database is `db_path` lives by default.
pub fn default_path(db_path: &Path) -> PathBuf {
    let mut p = db_path.as_os_str().to_owned();
    p.push(".key");
    PathBuf::from(p)
}

/// The `meta` key under which earlier versions kept the seed.
const LEGACY_META: &str = "exchange_signing_key";

/// Bytes as lower-case hex (key files).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 64 hex characters (surrounding whitespace ignored) as 32 bytes.
pub(crate) fn unhex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn error(path: &Path, what: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("fichier de clé {} : {what}", path.display()))
}

/// The node's signing key: read from `path`, or made there on first use (taking over a seed
/// an earlier version kept in the database, which is then removed from it).
pub async fn signing_key(db: &Db, path: &Path) -> AppResult<SigningKey> {
    if let Some(key) = read(path)? {
        return Ok(key);
    }
    let legacy = db::meta(db, LEGACY_META).await?.and_then(|s| unhex32(&s));
    let seed = match legacy {
        Some(seed) => seed,
        None => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| AppError::Internal(format!("random: {e}")))?;
            seed
        }
    };
    match db::create_private(path) {
        Ok(mut file) => {
            file.write_all(format!("{}\n", hex(&seed)).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| error(path, e))?;
        }
        // Another process made it meanwhile: the first one stays.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(error(path, e)),
    }
    let key = read(path)?.ok_or_else(|| error(path, "vide"))?;
    if legacy.is_some() {
        let mut tx = db::begin_write(db).await?;
        sqlx::query("DELETE FROM meta WHERE key = ?")
            .bind(LEGACY_META)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(path = %path.display(), "the node's signing key moved out of the database");
    }
    Ok(key)
}

fn read(path: &Path) -> AppResult<Option<SigningKey>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let seed =
                unhex32(&text).ok_or_else(|| error(path, "64 caractères hexadécimaux attendus"))?;
            Ok(Some(SigningKey::from_bytes(&seed)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(error(path, e)),
    }
}
