//! Screening travellers against watchlists: the lists and their versions (`import` reads a
//! file, `import_list` loads it whole or not at all), and the batch command `parsec screen` on
//! the `namematch` engine. Pages, the other import formats (FollowTheMoney, UN XML) and the
//! review queue are still to come.

pub mod batch;
pub mod import;

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult};
use import::{Parsed, Rejected};

/// What a list version is.
#[derive(Debug, Clone)]
pub struct ListMeta {
    pub name: String,
    pub authority: String,
    pub version: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub format: &'static str,
}

/// What an import did: the new list (when it was loaded), the rows refused, the version it
/// replaced.
#[derive(Debug)]
pub struct ImportReport {
    pub list_id: Option<String>,
    pub loaded: usize,
    pub rejected: Vec<Rejected>,
    pub replaced: Option<String>,
}

/// Loads a parsed list as a new version, in one transaction: the new version and all its
/// entries, the previous active version of the same name marked replaced (it stays, for
/// audit), and the audit entry. With refused rows nothing is loaded unless `skip_invalid`.
pub async fn import_list(
    state: &AppState,
    actor: &Actor,
    meta: &ListMeta,
    parsed: Parsed,
    skip_invalid: bool,
) -> AppResult<ImportReport> {
    if !parsed.rejected.is_empty() && !skip_invalid {
        return Ok(ImportReport {
            list_id: None,
            loaded: 0,
            rejected: parsed.rejected,
            replaced: None,
        });
    }
    if parsed.accepted.is_empty() {
        return Err(AppError::invalid("file", "error-import-empty"));
    }
    for (field, value, max) in [
        ("name", &meta.name, 120),
        ("authority", &meta.authority, 120),
        ("version", &meta.version, 60),
    ] {
        if value.trim().is_empty() || value.chars().count() > max {
            return Err(AppError::invalid(field, "error-required"));
        }
    }
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM watchlists WHERE name = ? AND version = ?")
            .bind(&meta.name)
            .bind(&meta.version)
            .fetch_one(&mut *tx)
            .await?;
    if exists > 0 {
        return Err(AppError::Conflict {
            field: "version",
            key: "error-version-exists",
        });
    }
    let replaced: Option<String> =
        sqlx::query_scalar("SELECT id FROM watchlists WHERE name = ? AND status = 'active'")
            .bind(&meta.name)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("UPDATE watchlists SET status = 'replaced' WHERE name = ? AND status = 'active'")
        .bind(&meta.name)
        .execute(&mut *tx)
        .await?;
    let count = i64::try_from(parsed.accepted.len()).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO watchlists (id, name, authority, version, valid_from, valid_to, status, replaces_id,
         source_format, entry_count, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&meta.name)
    .bind(&meta.authority)
    .bind(&meta.version)
    .bind(&meta.valid_from)
    .bind(&meta.valid_to)
    .bind(&replaced)
    .bind(meta.format)
    .bind(count)
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut *tx)
    .await?;
    for p in &parsed.accepted {
        sqlx::query(
            "INSERT INTO watchlist_entries (id, watchlist_id, external_id, full_name, aliases, birth_date,
             nationality, reason, instruction, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(db::new_id())
        .bind(&id)
        .bind(&p.external_id)
        .bind(&p.full_name)
        .bind(p.aliases.join(";"))
        .bind(&p.birth_date)
        .bind(&p.nationality)
        .bind(&p.reason)
        .bind(p.instruction.code())
        .bind(&p.expires_at)
        .execute(&mut *tx)
        .await?;
    }
    let detail = format!(
        "name={} version={} entries={} rejected={} replaces={}",
        meta.name,
        meta.version,
        parsed.accepted.len(),
        parsed.rejected.len(),
        replaced.as_deref().unwrap_or("-")
    );
    audit::append(&mut tx, actor, "import", "watchlist", &id, &detail).await?;
    tx.commit().await?;
    Ok(ImportReport {
        list_id: Some(id),
        loaded: parsed.accepted.len(),
        rejected: parsed.rejected,
        replaced,
    })
}
