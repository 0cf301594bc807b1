//! Screening travellers against watchlists: the lists and their versions (`import` reads a
//! file, `import_list` loads it whole or not at all), and the batch command `parsec screen` on
//! the `namematch` engine. Pages, the other import formats (FollowTheMoney, UN XML) and the
//! review queue are still to come.

pub mod batch;
pub mod import;
pub mod web;

use std::sync::Arc;

use namematch::{BirthDate, Decision, Entry, Index, Query, Thresholds};
use sqlx::FromRow;

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

/// A listed person as the screening needs it.
#[derive(Debug, Clone, FromRow)]
pub struct ListedRef {
    pub id: String,
    pub watchlist_id: String,
    pub list_name: String,
    pub full_name: String,
    pub aliases: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub reason: String,
    pub instruction: String,
}

/// The engine's index over every entry of the active lists, with the key of that set.
pub struct ActiveIndex {
    key: String,
    index: Index,
    entries: Vec<ListedRef>,
}

/// The key of the active set: which versions are active (a new import changes it).
async fn active_key(state: &AppState) -> AppResult<String> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT group_concat(id, ',') FROM (SELECT id FROM watchlists WHERE status = 'active' ORDER BY id)",
    )
    .fetch_one(&state.db)
    .await?
    .unwrap_or_default())
}

/// The index of the active lists, built again only when an import changed them (also when the
/// import ran in another process, such as `parsec watchlist import`).
pub async fn active_index(state: &AppState) -> AppResult<Arc<ActiveIndex>> {
    let key = active_key(state).await?;
    if let Ok(guard) = state.screening.lock()
        && let Some(ix) = guard.as_ref()
        && ix.key == key
    {
        return Ok(ix.clone());
    }
    let entries: Vec<ListedRef> = sqlx::query_as(
        "SELECT e.id, e.watchlist_id, w.name AS list_name, e.full_name, e.aliases, e.birth_date,
                e.nationality, e.reason, e.instruction
         FROM watchlist_entries e JOIN watchlists w ON w.id = e.watchlist_id
         WHERE w.status = 'active' AND (e.expires_at IS NULL OR e.expires_at >= ?)",
    )
    .bind(db::now_text().get(..10).unwrap_or(""))
    .fetch_all(&state.db)
    .await?;
    let built = tokio::task::spawn_blocking(move || {
        let engine_entries: Vec<Entry> = entries
            .iter()
            .map(|e| {
                let mut names = vec![e.full_name.clone()];
                names.extend(
                    e.aliases
                        .split(';')
                        .filter(|a| !a.is_empty())
                        .map(str::to_string),
                );
                Entry {
                    names,
                    birth: e.birth_date.as_deref().and_then(BirthDate::parse),
                    nationality: e.nationality.clone(),
                }
            })
            .collect();
        let index = Index::build(&engine_entries);
        ActiveIndex {
            key,
            index,
            entries,
        }
    })
    .await?;
    let built = Arc::new(built);
    if let Ok(mut guard) = state.screening.lock() {
        *guard = Some(built.clone());
    }
    Ok(built)
}

/// One answer of a screening, with what the agent must do and why.
#[derive(Debug, Clone)]
pub struct Answer {
    pub entry: ListedRef,
    pub score: f32,
    pub decision: Decision,
    pub explanation: String,
    pub hit_id: Option<String>,
}

/// Explains a hit in one line: which tokens matched which, by which rule, and the evidence.
pub fn explain(ex: &namematch::Explanation) -> String {
    let mut parts: Vec<String> = ex
        .matches
        .iter()
        .map(|m| format!("{} → {} ({})", m.query, m.listed, m.rule.code()))
        .collect();
    if !ex.unmatched_query.is_empty() {
        parts.push(format!(
            "sans correspondance : {}",
            ex.unmatched_query.join(" ")
        ));
    }
    if !ex.unmatched_listed.is_empty() {
        parts.push(format!(
            "absent de la requête : {}",
            ex.unmatched_listed.join(" ")
        ));
    }
    parts.push(format!(
        "naissance : {} ({:+.2})",
        ex.birth_reason, ex.birth_effect
    ));
    parts.push(format!("nationalité ({:+.2})", ex.nationality_effect));
    parts.join(" ; ")
}

/// Screens a traveller against the active lists. Every `alerte` and `à vérifier` answer is
/// kept as a hit for the review of the post's commandant, in one transaction with the audit
/// entry of the screening (the traveller's name is personal data).
pub async fn screen(
    state: &AppState,
    actor: &Actor,
    unit_id: Option<&str>,
    name: &str,
    birth: Option<&str>,
    nationality: Option<&str>,
) -> AppResult<Vec<Answer>> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::invalid("name", "error-required"));
    }
    let birth_date = match birth.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => {
            Some(BirthDate::parse(b).ok_or(AppError::invalid("birth_date", "error-bad-date"))?)
        }
        None => None,
    };
    let nationality = nationality
        .map(|n| n.trim().to_uppercase())
        .filter(|n| !n.is_empty());
    let ix = active_index(state).await?;
    let query = Query {
        name: name.to_string(),
        birth: birth_date,
        nationality: nationality.clone(),
    };
    let thresholds = Thresholds::default();
    let hits = ix.index.search(&query, 5);
    let mut answers: Vec<Answer> = hits
        .iter()
        .filter_map(|h| {
            ix.entries.get(h.entry).map(|e| Answer {
                entry: e.clone(),
                score: h.score,
                decision: thresholds.decide(h.score),
                explanation: explain(&h.explanation),
                hit_id: None,
            })
        })
        .collect();
    let mut tx = db::begin_write(&state.db).await?;
    for a in answers
        .iter_mut()
        .filter(|a| a.decision != Decision::Aucune)
    {
        let id = db::new_id();
        sqlx::query(
            "INSERT INTO screening_hits (id, created_at, created_by, unit_id, query_name, query_birth,
             query_nationality, entry_id, score, decision, explanation, status)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'a_revoir')",
        )
        .bind(&id)
        .bind(db::now_text())
        .bind(&actor.0)
        .bind(unit_id)
        .bind(name)
        .bind(birth.map(str::trim).filter(|b| !b.is_empty()))
        .bind(&nationality)
        .bind(&a.entry.id)
        .bind(f64::from(a.score))
        .bind(if a.decision == Decision::Alerte { "alerte" } else { "a_verifier" })
        .bind(&a.explanation)
        .execute(&mut *tx)
        .await?;
        a.hit_id = Some(id);
    }
    let alerts = answers
        .iter()
        .filter(|a| a.decision != Decision::Aucune)
        .count();
    audit::append(
        &mut tx,
        actor,
        "screen",
        "traveller",
        "-",
        &format!("hits={alerts}"),
    )
    .await?;
    tx.commit().await?;
    Ok(answers)
}

/// A hit waiting for (or having had) its review.
#[derive(Debug, Clone, FromRow)]
pub struct HitRow {
    pub id: String,
    pub created_at: String,
    pub created_by: String,
    pub unit_id: Option<String>,
    pub query_name: String,
    pub query_birth: Option<String>,
    pub query_nationality: Option<String>,
    pub entry_id: String,
    pub listed_name: String,
    pub instruction: String,
    pub score: f64,
    pub decision: String,
    pub explanation: String,
    pub status: String,
    pub reviewed_by: Option<String>,
    pub review_reason: Option<String>,
}

const HIT_SELECT: &str = "h.id, h.created_at, h.created_by, h.unit_id, h.query_name, h.query_birth,
    h.query_nationality, h.entry_id, e.full_name AS listed_name, e.instruction, h.score, h.decision,
    h.explanation, h.status, h.reviewed_by, h.review_reason";

/// The hits to review in a scope (the reviewer's unit and below), newest first.
pub async fn hits_to_review(
    state: &AppState,
    scope: &crate::accounts::Scope,
) -> AppResult<Vec<HitRow>> {
    let rows: Vec<HitRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {HIT_SELECT} FROM screening_hits h JOIN watchlist_entries e ON e.id = h.entry_id
         WHERE h.status = 'a_revoir' ORDER BY h.created_at DESC LIMIT 200"
    )))
    .fetch_all(&state.db)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|h| in_scope(scope, h.unit_id.as_deref()))
        .collect())
}

/// A hit made at a unit belongs to that unit's scope; one made by a region-wide user (no unit)
/// to region-wide reviewers only.
fn in_scope(scope: &crate::accounts::Scope, unit: Option<&str>) -> bool {
    match unit {
        Some(u) => scope.allows_unit(u),
        None => matches!(scope, crate::accounts::Scope::All),
    }
}

/// One hit, read as personal data (audited), within the reader's scope.
pub async fn hit(
    state: &AppState,
    actor: &Actor,
    scope: &crate::accounts::Scope,
    id: &str,
) -> AppResult<HitRow> {
    let read = async {
        let row: Option<HitRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {HIT_SELECT} FROM screening_hits h JOIN watchlist_entries e ON e.id = h.entry_id WHERE h.id = ?"
        )))
        .bind(id)
        .fetch_optional(&state.db)
        .await?;
        row.ok_or(AppError::NotFound)
    };
    let h = audit::audited_read(&state.db, actor, "screening_hit", id, read).await?;
    if !in_scope(scope, h.unit_id.as_deref()) {
        return Err(AppError::NotFound);
    }
    Ok(h)
}

/// Confirms or dismisses a hit; the reason is mandatory; audited.
pub async fn review(
    state: &AppState,
    actor: &Actor,
    scope: &crate::accounts::Scope,
    id: &str,
    confirm: bool,
    reason: &str,
) -> AppResult<()> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(AppError::invalid("reason", "error-review-reason"));
    }
    let mut tx = db::begin_write(&state.db).await?;
    let unit: Option<(Option<String>, String)> =
        sqlx::query_as("SELECT unit_id, status FROM screening_hits WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((unit, status)) = unit else {
        return Err(AppError::NotFound);
    };
    if !in_scope(scope, unit.as_deref()) {
        return Err(AppError::NotFound);
    }
    if status != "a_revoir" {
        return Err(AppError::Conflict {
            field: "status",
            key: "error-already-reviewed",
        });
    }
    let new_status = if confirm { "confirme" } else { "ecarte" };
    sqlx::query("UPDATE screening_hits SET status = ?, reviewed_by = ?, reviewed_at = ?, review_reason = ? WHERE id = ?")
        .bind(new_status)
        .bind(&actor.0)
        .bind(db::now_text())
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::append(&mut tx, actor, new_status, "screening_hit", id, reason).await?;
    tx.commit().await?;
    Ok(())
}

/// The versions of the lists, newest first.
#[derive(Debug, Clone, FromRow)]
pub struct ListRow {
    pub id: String,
    pub name: String,
    pub authority: String,
    pub version: String,
    pub status: String,
    pub source_format: String,
    pub entry_count: i64,
    pub imported_at: String,
}

pub async fn lists(state: &AppState) -> AppResult<Vec<ListRow>> {
    Ok(sqlx::query_as(
        "SELECT id, name, authority, version, status, source_format, entry_count, imported_at
         FROM watchlists ORDER BY imported_at DESC",
    )
    .fetch_all(&state.db)
    .await?)
}
