//! A post's data keys carried to the regional node (`/sync/keys`, the first step of every
//! exchange): sealed under a key that only the two nodes can compute.

use fieldcrypt::{DataKey, Place};

use super::{Keyring, random};
use crate::db::{self, Db};
use crate::error::AppResult;

/// The key that carries a post's data keys to the regional node: X25519 between the two
/// nodes' Ed25519 keys pinned at enrolment (eprint 2021/509 covers using one key for both),
/// hashed with both ids. Either side computes it from its own secret and the other's public
/// key; nobody on the link can.
pub fn transport_key(
    own: &ed25519_dalek::SigningKey,
    peer: &ed25519_dalek::VerifyingKey,
    post: &str,
    regional: &str,
) -> DataKey {
    use sha2::{Digest, Sha256};
    let shared = peer.to_montgomery().mul_clamped(own.to_scalar_bytes()).0;
    let mut h = Sha256::new();
    h.update(b"parsec key transport v1\x1f");
    h.update(shared);
    h.update(format!("\x1f{post}\x1f{regional}").as_bytes());
    DataKey::new(0, h.finalize().into())
}

fn transport_place<'a>(post: &'a str, kid: &'a str) -> Place<'a> {
    Place {
        table: "transport",
        column: post,
        row: kid,
    }
}

/// A data key (hex) sealed for the link.
pub fn seal_for_transport(
    kwk: &DataKey,
    post: &str,
    kid: u32,
    secret_hex: &str,
) -> AppResult<String> {
    let kid = kid.to_string();
    Ok(kwk.seal(transport_place(post, &kid), secret_hex, random()?))
}

/// A data key opened from the link (None: altered, or not sealed for this pair of nodes).
pub fn open_from_transport(kwk: &DataKey, post: &str, kid: u32, sealed: &str) -> Option<String> {
    let kid = kid.to_string();
    fieldcrypt::open(
        std::slice::from_ref(kwk),
        transport_place(post, &kid),
        sealed,
    )
    .ok()
}

/// This node's own keys not yet acknowledged by the regional node.
pub async fn to_upload(db: &Db, keyring: &Keyring) -> AppResult<Vec<(u32, String)>> {
    let pending: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT kid FROM data_keys WHERE uploaded_at IS NULL AND {}",
        super::OWN
    )))
    .fetch_all(db)
    .await?;
    Ok(keyring.secrets(&pending))
}

/// The regional node holds these keys now.
pub async fn uploaded(db: &Db, kids: &[u32]) -> AppResult<()> {
    let mut tx = db::begin_write(db).await?;
    for kid in kids {
        sqlx::query("UPDATE data_keys SET uploaded_at = ? WHERE kid = ? AND uploaded_at IS NULL")
            .bind(db::now_text())
            .bind(i64::from(*kid))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
