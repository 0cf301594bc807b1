//! Screening travellers against watchlists on the `namematch` engine: the lists and their
//! versions (`import` reads CSV, FollowTheMoney and UN XML files as streams, `import_file`
//! stages one in short transactions and switches it in whole or not at all), the screening of a traveller with its hits, the review queue of the post's
//! commandant, the pages (`web`) and the batch command `parsec screen` (`batch`).

pub mod batch;
pub mod import;
pub mod web;

use std::sync::Arc;

use namematch::{BirthDate, Decision, Entry, Index, Query};
use sha2::{Digest, Sha256};
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

/// What an import did: the new list (when it was loaded), the rows refused (the first
/// `REJECTED_KEPT` of them; `rejected_count` counts all), the version it replaced, and why the
/// file could not be read at all.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub list_id: Option<String>,
    pub loaded: usize,
    pub rejected: Vec<Rejected>,
    pub rejected_count: usize,
    pub replaced: Option<String>,
    pub unreadable: Option<String>,
}

/// Entries written per staging transaction: each holds the write lock for a few tens of
/// milliseconds, so the agents' crossings are saved between them during a large import.
const STAGE_BATCH: usize = 5000;
/// Rows per INSERT statement while staging (ten values each: well under SQLite's limit).
const STAGE_ROWS_PER_INSERT: usize = 100;
/// The longest a staging transaction writes before it commits, whatever its batch's size.
const STAGE_LOCK_MOST: std::time::Duration = std::time::Duration::from_millis(60);
/// The pause after each staging transaction. A writer kept waiting by SQLite's busy handler
/// tries again after 1, 2, 5, 10, 15, 20, 25 … ms: back-to-back batches would starve it (a
/// crossing waited a second during an import); with short batches and this pause, a waiting
/// save gets in at the next gap.
const STAGE_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);
/// Refused rows kept for the report; the others are only counted.
pub const REJECTED_KEPT: usize = 10_000;

/// Checks a list version's description as the import form does: every rule broken.
pub fn meta_errors(meta: &ListMeta) -> Vec<AppError> {
    let mut errors = Vec::new();
    for (field, value, max) in [
        ("name", &meta.name, 120),
        ("authority", &meta.authority, 120),
        ("version", &meta.version, 60),
    ] {
        if value.trim().is_empty() {
            errors.push(AppError::invalid(field, "error-required"));
        } else if value.chars().count() > max {
            errors.push(AppError::invalid(field, "error-too-long"));
        }
    }
    for (field, value) in [
        ("valid_from", &meta.valid_from),
        ("valid_to", &meta.valid_to),
    ] {
        if let Some(v) = value
            && (v.len() != 10 || BirthDate::parse(v).is_none())
        {
            errors.push(AppError::invalid(field, "error-bad-date"));
        }
    }
    errors
}

/// Loads a list file as a new version without holding the write lock for long: the file is
/// read as a stream on a blocking thread, its rows staged in short transactions under a list
/// of status `loading` (invisible to the screening), and the new version switched in, the
/// previous one of the same name marked replaced, in one short transaction with the audit
/// entry. With refused rows nothing is kept unless `skip_invalid`. One import at a time.
pub async fn import_file(
    state: &AppState,
    actor: &Actor,
    meta: &ListMeta,
    format: &str,
    path: &std::path::Path,
    skip_invalid: bool,
) -> AppResult<ImportReport> {
    let format = format.to_string();
    let path = path.to_path_buf();
    let report = import_rows(state, actor, meta, skip_invalid, move |sink| {
        let file = std::fs::File::open(&path).map_err(|e| format!("{} : {e}", path.display()))?;
        import::read_rows(&format, std::io::BufReader::new(file), sink).map(|_| ())
    })
    .await?;
    // The new index is built now, while the screening goes on with the previous one; the
    // import returns once the new list is in force.
    refresh_index(state).await?;
    Ok(report)
}

/// Loads rows already read (a small list: the demo's, the tests') the same way.
pub async fn import_list(
    state: &AppState,
    actor: &Actor,
    meta: &ListMeta,
    parsed: Parsed,
    skip_invalid: bool,
) -> AppResult<ImportReport> {
    let report = import_rows(state, actor, meta, skip_invalid, move |sink| {
        for r in parsed.rejected {
            sink(import::Row::Rejected(r));
        }
        for p in parsed.accepted {
            sink(import::Row::Accepted(p));
        }
        Ok(())
    })
    .await?;
    refresh_index(state).await?;
    Ok(report)
}

/// An entry's id: made from its list's id and its content, so that every node that holds the
/// same version gives each person the same id (a post builds a new version from the one it
/// has and the changes, and its hits name the entries the regional node knows). Two identical
/// rows of one file are one entry.
pub fn entry_id(list_id: &str, p: &import::ListedPerson) -> String {
    let mut h = Sha256::new();
    for part in [
        list_id,
        &p.external_id,
        &p.full_name,
        &p.aliases.join(";"),
        p.birth_date.as_deref().unwrap_or(""),
        p.nationality.as_deref().unwrap_or(""),
        &p.reason,
        p.instruction.code(),
        p.expires_at.as_deref().unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// Loads the rows that `read` hands to its sink (on a blocking thread), staged and switched in
/// as `import_file` does, without building the screening index (the command line's import: the
/// server notices the change and builds its own).
pub async fn import_rows(
    state: &AppState,
    actor: &Actor,
    meta: &ListMeta,
    skip_invalid: bool,
    read: impl FnOnce(&mut dyn FnMut(import::Row)) -> Result<(), String> + Send + 'static,
) -> AppResult<ImportReport> {
    import_rows_as(state, actor, meta, None, skip_invalid, read).await
}

/// `import_rows`, the new version taking the id `given` (a post building the version the
/// regional node holds, under the same id).
pub async fn import_rows_as(
    state: &AppState,
    actor: &Actor,
    meta: &ListMeta,
    given: Option<String>,
    skip_invalid: bool,
    read: impl FnOnce(&mut dyn FnMut(import::Row)) -> Result<(), String> + Send + 'static,
) -> AppResult<ImportReport> {
    if let Some(e) = meta_errors(meta).into_iter().next() {
        return Err(e);
    }
    let _one_at_a_time = state.importing.lock().await;
    // What a stopped import (power cut) left half-loaded goes first.
    let leftovers: Vec<String> =
        sqlx::query_scalar("SELECT id FROM watchlists WHERE status = 'loading'")
            .fetch_all(&state.db)
            .await?;
    for id in leftovers {
        abandon(state, actor, &id).await?;
    }
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM watchlists WHERE name = ? AND version = ?")
            .bind(&meta.name)
            .bind(&meta.version)
            .fetch_one(&state.db)
            .await?;
    if exists > 0 {
        return Err(AppError::Conflict {
            field: "version",
            key: "error-version-exists",
        });
    }
    let id = given.unwrap_or_else(db::new_id);
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO watchlists (id, name, authority, version, valid_from, valid_to, status,
         source_format, entry_count, imported_at, imported_by)
         VALUES (?, ?, ?, ?, ?, ?, 'loading', ?, 0, ?, ?)",
    )
    .bind(&id)
    .bind(&meta.name)
    .bind(&meta.authority)
    .bind(&meta.version)
    .bind(&meta.valid_from)
    .bind(&meta.valid_to)
    .bind(meta.format)
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut *tx)
    .await
    .map_err(db::taken("version", "error-version-exists"))?;
    let detail = format!("name={} version={} loading", meta.name, meta.version);
    audit::append(&mut tx, actor, "import_start", "watchlist", &id, &detail).await?;
    tx.commit().await?;

    // The reader on a blocking thread; its rows come through a bounded channel, so memory
    // holds a few batches at most whatever the file's size.
    let (rows_tx, mut rows) = tokio::sync::mpsc::channel::<import::Row>(2 * STAGE_BATCH);
    let reader = tokio::task::spawn_blocking(move || {
        read(&mut |row| {
            // A closed channel means the import stopped: the rest is not needed.
            let _ = rows_tx.blocking_send(row);
        })
    });
    let mut report = ImportReport::default();
    let mut batch: Vec<import::ListedPerson> = Vec::with_capacity(STAGE_BATCH);
    let staged = async {
        while let Some(row) = rows.recv().await {
            match row {
                import::Row::Rejected(r) => {
                    report.rejected_count += 1;
                    if report.rejected.len() < REJECTED_KEPT {
                        report.rejected.push(r);
                    }
                }
                // After a refused row, with nothing to be kept, the rest is only checked.
                import::Row::Accepted(p) if skip_invalid || report.rejected_count == 0 => {
                    batch.push(p);
                    while batch.len() >= STAGE_BATCH {
                        report.loaded += stage(state, actor, &id, &mut batch).await?;
                        tokio::time::sleep(STAGE_PAUSE).await;
                    }
                }
                import::Row::Accepted(_) => {}
            }
        }
        while !batch.is_empty() && (skip_invalid || report.rejected_count == 0) {
            report.loaded += stage(state, actor, &id, &mut batch).await?;
        }
        AppResult::Ok(())
    }
    .await;
    drop(rows);
    let read = reader.await;
    if let Err(e) = staged {
        abandon(state, actor, &id).await?;
        return Err(e);
    }
    match read {
        Ok(Ok(())) => {}
        Ok(Err(message)) => {
            abandon(state, actor, &id).await?;
            report.unreadable = Some(message);
            report.loaded = 0;
            return Ok(report);
        }
        Err(e) => {
            abandon(state, actor, &id).await?;
            return Err(AppError::Internal(format!("import: {e}")));
        }
    }
    report.rejected.sort_by_key(|r| r.line);
    if report.rejected_count > 0 && !skip_invalid {
        abandon(state, actor, &id).await?;
        report.loaded = 0;
        return Ok(report);
    }
    if report.loaded == 0 {
        abandon(state, actor, &id).await?;
        return Err(AppError::invalid("file", "error-import-empty"));
    }
    // The switch: one short transaction.
    let mut tx = db::begin_write(&state.db).await?;
    let replaced: Option<String> =
        sqlx::query_scalar("SELECT id FROM watchlists WHERE name = ? AND status = 'active'")
            .bind(&meta.name)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("UPDATE watchlists SET status = 'replaced' WHERE name = ? AND status = 'active'")
        .bind(&meta.name)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE watchlists SET status = 'active', replaces_id = ?, entry_count = ?,
         imported_at = ? WHERE id = ?",
    )
    .bind(&replaced)
    .bind(i64::try_from(report.loaded).unwrap_or(i64::MAX))
    .bind(db::now_text())
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "name={} version={} entries={} rejected={} replaces={}",
        meta.name,
        meta.version,
        report.loaded,
        report.rejected_count,
        replaced.as_deref().unwrap_or("-")
    );
    audit::append(&mut tx, actor, "import", "watchlist", &id, &detail).await?;
    tx.commit().await?;
    report.list_id = Some(id);
    report.replaced = replaced;
    Ok(report)
}

/// Writes a batch of entries of a loading list in one transaction, with its audit entry.
async fn stage(
    state: &AppState,
    actor: &Actor,
    list_id: &str,
    batch: &mut Vec<import::ListedPerson>,
) -> AppResult<usize> {
    let started = std::time::Instant::now();
    let mut tx = db::begin_write(&state.db).await?;
    let mut written = 0usize;
    let mut staged_rows = 0usize;
    // A hundred rows a statement: one statement per row spent most of its time going to and
    // from SQLite's thread.
    for chunk in batch.chunks(STAGE_ROWS_PER_INSERT) {
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO watchlist_entries (id, watchlist_id, external_id, full_name, aliases,
             birth_date, nationality, reason, instruction, expires_at) VALUES {values}
             ON CONFLICT (id) DO NOTHING"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in chunk {
            q = q
                .bind(entry_id(list_id, p))
                .bind(list_id)
                .bind(&p.external_id)
                .bind(&p.full_name)
                .bind(p.aliases.join(";"))
                .bind(&p.birth_date)
                .bind(&p.nationality)
                .bind(&p.reason)
                .bind(p.instruction.code())
                .bind(&p.expires_at);
        }
        let added = q.execute(&mut *tx).await?.rows_affected();
        staged_rows += chunk.len();
        written += usize::try_from(added).unwrap_or(0);
        // The write lock is held for a bounded time, whatever the machine's speed.
        if started.elapsed() >= STAGE_LOCK_MOST {
            break;
        }
    }
    batch.drain(..staged_rows);
    audit::append(
        &mut tx,
        actor,
        "import_stage",
        "watchlist",
        list_id,
        &format!("entries={written}"),
    )
    .await?;
    tx.commit().await?;
    Ok(written)
}

/// Removes a list that was being loaded, its entries a batch at a time (audited).
async fn abandon(state: &AppState, actor: &Actor, list_id: &str) -> AppResult<()> {
    loop {
        let mut tx = db::begin_write(&state.db).await?;
        let n = sqlx::query(
            "DELETE FROM watchlist_entries WHERE rowid IN (SELECT rowid FROM watchlist_entries
             WHERE watchlist_id = ? LIMIT ?)",
        )
        .bind(list_id)
        .bind(i64::try_from(STAGE_BATCH).unwrap_or(5000))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let last = n == 0;
        if last {
            sqlx::query("DELETE FROM watchlists WHERE id = ? AND status = 'loading'")
                .bind(list_id)
                .execute(&mut *tx)
                .await?;
        }
        let detail = format!(
            "entries removed={n}{}",
            if last { " (list removed)" } else { "" }
        );
        audit::append(
            &mut tx,
            actor,
            "import_abandon",
            "watchlist",
            list_id,
            &detail,
        )
        .await?;
        tx.commit().await?;
        if last {
            return Ok(());
        }
    }
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

/// Nationalities are compared as ISO alpha-2: lists give `ML`, documents `MLI`.
pub fn canonical_nationality(code: &str) -> Option<String> {
    let code = code.trim().to_uppercase();
    match code.len() {
        0 => None,
        3 => Some(mrz::alpha2(&code).map_or(code, str::to_string)),
        _ => Some(code),
    }
}

/// The key of the active set: which versions are in force today (a new import, or the turn of
/// a list's validity or of an entry's expiry at midnight, changes it).
async fn active_key(state: &AppState, today: &str) -> AppResult<String> {
    let ids = sqlx::query_scalar::<_, Option<String>>(
        "SELECT group_concat(id, ',') FROM (SELECT id FROM watchlists WHERE status = 'active'
         AND (valid_from IS NULL OR valid_from <= ?1) AND (valid_to IS NULL OR valid_to >= ?1)
         ORDER BY id)",
    )
    .bind(today)
    .fetch_one(&state.db)
    .await?
    .unwrap_or_default();
    Ok(format!("{today}|{ids}"))
}

/// The index of the active lists in force, and the lock a build holds.
#[derive(Default)]
pub struct IndexCache {
    current: std::sync::Mutex<Option<Arc<ActiveIndex>>>,
    building: Arc<tokio::sync::Mutex<()>>,
}

impl IndexCache {
    fn get(&self) -> Option<Arc<ActiveIndex>> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set(&self, ix: Arc<ActiveIndex>) {
        *self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(ix);
    }
}

/// The index of the active lists. When they changed (an import in another process, such as
/// `parsec watchlist import`, or the day's turn), the previous index goes on answering while
/// the new one is built in the background: a rebuild over a million entries takes seconds, and
/// the agents' saves must not wait for it. Only the very first build is waited for.
pub async fn active_index(state: &AppState) -> AppResult<Arc<ActiveIndex>> {
    let today = today();
    let key = active_key(state, &today).await?;
    let cache = &state.screening;
    match cache.get() {
        Some(ix) if ix.key == key => Ok(ix),
        Some(stale) => {
            if let Ok(guard) = cache.building.clone().try_lock_owned() {
                let state = state.clone();
                tokio::spawn(async move {
                    let _building = guard;
                    match build_index(&state, &today, key).await {
                        Ok(ix) => state.screening.set(Arc::new(ix)),
                        Err(e) => tracing::error!(error = %e, "screening index rebuild failed"),
                    }
                });
            }
            Ok(stale)
        }
        None => {
            let _building = cache.building.lock().await;
            if let Some(ix) = cache.get().filter(|ix| ix.key == key) {
                return Ok(ix);
            }
            let ix = Arc::new(build_index(state, &today, key).await?);
            cache.set(ix.clone());
            Ok(ix)
        }
    }
}

/// Builds the index of the active lists now and puts it in force (after an import).
pub async fn refresh_index(state: &AppState) -> AppResult<()> {
    let _building = state.screening.building.lock().await;
    let today = today();
    let key = active_key(state, &today).await?;
    if state.screening.get().is_some_and(|ix| ix.key == key) {
        return Ok(());
    }
    let ix = build_index(state, &today, key).await?;
    state.screening.set(Arc::new(ix));
    Ok(())
}

fn today() -> String {
    db::now_text().get(..10).unwrap_or("").to_string()
}

async fn build_index(state: &AppState, today: &str, key: String) -> AppResult<ActiveIndex> {
    let entries: Vec<ListedRef> = sqlx::query_as(
        "SELECT e.id, e.watchlist_id, w.name AS list_name, e.full_name, e.aliases, e.birth_date,
                e.nationality, e.reason, e.instruction
         FROM watchlist_entries e JOIN watchlists w ON w.id = e.watchlist_id
         WHERE w.status = 'active'
           AND (w.valid_from IS NULL OR w.valid_from <= ?1) AND (w.valid_to IS NULL OR w.valid_to >= ?1)
           AND (e.expires_at IS NULL OR e.expires_at >= ?1)",
    )
    .bind(today)
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
                    nationality: e.nationality.as_deref().and_then(canonical_nationality),
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
    for (word, rule) in &ex.omitted {
        parts.push(format!("omis : {word} ({})", rule.code()));
    }
    parts.push(format!(
        "naissance : {} ({:+.2})",
        ex.birth_reason, ex.birth_effect
    ));
    parts.push(format!("nationalité ({:+.2})", ex.nationality_effect));
    if ex.rarity_effect < 0.0 {
        parts.push(format!("nom courant ({:+.2})", ex.rarity_effect));
    }
    parts.join(" ; ")
}

/// One part of a stored explanation (as `explain` writes it), for the pages to say in words.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// A word of the traveller's name paired with a word of the listed name, and the rule.
    Pair {
        query: String,
        listed: String,
        rule: String,
    },
    /// Words of the traveller's name with no partner in the listed name.
    OnlyQuery(String),
    /// Words of the listed name missing from the traveller's.
    OnlyListed(String),
    /// A word one side has and the other not that weighed lightly, and the rule why (a link
    /// of a patronymic chain, a name of origin).
    Omitted {
        word: String,
        rule: String,
    },
    /// What the birth dates said (`same date`, `absent` …) and its effect on the score.
    Birth {
        reason: String,
        effect: f64,
    },
    Nationality {
        effect: f64,
    },
    /// A common name with no birth date to confirm it, and what that took off the score.
    CommonName {
        effect: f64,
    },
    /// Anything else, shown as stored.
    Other(String),
}

/// The catalogue's name of a birth-date reason (`same year, other date` →
/// `same-year-other-date`; none given is `absent`).
pub fn birth_reason_key(reason: &str) -> String {
    match reason {
        "" => "absent".into(),
        r => r.replace(", ", "-").replace(' ', "-"),
    }
}

/// Reads back what `explain` wrote.
pub fn explanation_parts(text: &str) -> Vec<Why> {
    let effect = |s: &str| {
        s.rsplit_once('(')
            .and_then(|(_, e)| e.trim_end_matches(')').parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    text.split(" ; ")
        .filter(|p| !p.trim().is_empty())
        .map(|part| {
            if let Some(rest) = part.strip_prefix("sans correspondance : ") {
                Why::OnlyQuery(rest.to_string())
            } else if let Some(rest) = part.strip_prefix("absent de la requête : ") {
                Why::OnlyListed(rest.to_string())
            } else if let Some(rest) = part.strip_prefix("omis : ")
                && let Some((word, rule)) = rest.rsplit_once(" (")
            {
                Why::Omitted {
                    word: word.to_string(),
                    rule: rule.trim_end_matches(')').to_string(),
                }
            } else if let Some(rest) = part.strip_prefix("naissance : ") {
                let reason = rest.rsplit_once(" (").map_or(rest, |(r, _)| r);
                Why::Birth {
                    reason: reason.to_string(),
                    effect: effect(rest),
                }
            } else if part.starts_with("nom courant (") {
                Why::CommonName {
                    effect: effect(part),
                }
            } else if part.starts_with("nationalité (") {
                Why::Nationality {
                    effect: effect(part),
                }
            } else if let Some((query, rest)) = part.split_once(" → ")
                && let Some((listed, rule)) = rest.rsplit_once(" (")
            {
                Why::Pair {
                    query: query.to_string(),
                    listed: listed.to_string(),
                    rule: rule.trim_end_matches(')').to_string(),
                }
            } else {
                Why::Other(part.to_string())
            }
        })
        .collect()
}

/// A traveller as screened: the name, and what is known of the birth date and nationality.
#[derive(Debug, Clone, Default)]
pub struct Traveller {
    pub name: String,
    /// As given (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), checked.
    pub birth: Option<String>,
    /// ISO alpha-2 where the code has one.
    pub nationality: Option<String>,
}

impl Traveller {
    /// Checks what the agent typed: a name, a real birth date (not in the future), a code.
    pub fn parse(name: &str, birth: Option<&str>, nationality: Option<&str>) -> AppResult<Self> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        // Every mistake at once: the name's and the birth date's.
        let mut p = crate::error::Problems::default();
        if name.is_empty() {
            p.add("name", "error-required");
        } else if name.chars().count() > 200 {
            p.add("name", "error-too-long");
        }
        let birth = birth.map(db::iso_day).filter(|b| !b.is_empty());
        if let Some(b) = birth.as_deref() {
            match BirthDate::parse(b) {
                None => p.add("birth_date", "error-bad-date"),
                Some(date) => {
                    let today = db::now_text();
                    let packed = format!("{:04}-{:02}-{:02}", date.year, date.month, date.day);
                    if packed.as_str() > today.get(..10).unwrap_or("") {
                        p.add("birth_date", "error-future-date");
                    }
                }
            }
        }
        p.finish(())?;
        Ok(Traveller {
            name,
            birth,
            nationality: nationality.and_then(canonical_nationality),
        })
    }
}

/// The answers of the active lists for a traveller: only `alerte` and `à vérifier` (a listed
/// person below the thresholds is nobody's business at the post). Writes nothing.
pub async fn answers(state: &AppState, traveller: &Traveller) -> AppResult<Vec<Answer>> {
    let ix = active_index(state).await?;
    let query = Query {
        name: traveller.name.clone(),
        birth: traveller.birth.as_deref().and_then(BirthDate::parse),
        nationality: traveller.nationality.clone(),
    };
    let thresholds = state.config.screening_thresholds;
    let hits = ix.index.search(&query, 5);
    Ok(hits
        .iter()
        .filter(|h| thresholds.decide(h.score) != Decision::Aucune)
        .filter_map(|h| {
            ix.entries.get(h.entry).map(|e| Answer {
                entry: e.clone(),
                score: h.score,
                decision: thresholds.decide(h.score),
                explanation: explain(&h.explanation),
                hit_id: None,
            })
        })
        .collect())
}

/// Keeps each answer as a hit for the review of the post's commandant, in the caller's
/// transaction (with the crossing it came from, when there is one).
pub async fn record_hits(
    tx: &mut db::Tx,
    keys: &crate::keyring::Keyring,
    actor: &Actor,
    unit_id: Option<&str>,
    crossing_id: Option<&str>,
    traveller: &Traveller,
    answers: &mut [Answer],
) -> AppResult<()> {
    for a in answers.iter_mut() {
        let id = db::new_id();
        // What was asked and why it matched name the traveller: sealed.
        let seal = |column: &str, value: &str| keys.seal("screening_hits", column, &id, value);
        sqlx::query(
            "INSERT INTO screening_hits (id, created_at, created_by, unit_id, query_name, query_birth,
             query_nationality, entry_id, score, decision, explanation, status, crossing_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'a_revoir', ?)",
        )
        .bind(&id)
        .bind(db::now_text())
        .bind(&actor.0)
        .bind(unit_id)
        .bind(seal("query_name", &traveller.name))
        .bind(traveller.birth.as_deref().map(|b| seal("query_birth", b)))
        .bind(&traveller.nationality)
        .bind(&a.entry.id)
        .bind(f64::from(a.score))
        .bind(if a.decision == Decision::Alerte { "alerte" } else { "a_verifier" })
        .bind(seal("explanation", &a.explanation))
        .bind(crossing_id)
        .execute(&mut **tx)
        .await?;
        a.hit_id = Some(id);
    }
    Ok(())
}

/// The audit detail of a screening: how many answers, and which entries were shown.
pub fn audit_detail(answers: &[Answer]) -> String {
    let shown: Vec<&str> = answers.iter().map(|a| a.entry.id.as_str()).collect();
    format!("hits={} entries={}", answers.len(), shown.join(","))
}

/// Screens a name checked by hand: the answers, kept as hits in one transaction with the
/// audit entry of the screening, which names the entries shown.
pub async fn screen(
    state: &AppState,
    actor: &Actor,
    unit_id: Option<&str>,
    name: &str,
    birth: Option<&str>,
    nationality: Option<&str>,
) -> AppResult<Vec<Answer>> {
    let traveller = Traveller::parse(name, birth, nationality)?;
    let mut answers = answers(state, &traveller).await?;
    let mut tx = db::begin_write(&state.db).await?;
    record_hits(
        &mut tx,
        &state.keys,
        actor,
        unit_id,
        None,
        &traveller,
        &mut answers,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        "screen",
        "traveller",
        "-",
        &audit_detail(&answers),
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
    pub reviewed_at: Option<String>,
    /// The post (or unit) where the traveller was screened.
    pub post_name: Option<String>,
    /// The crossing that was screened, when it came from one.
    pub crossing_id: Option<String>,
    pub listed_birth: Option<String>,
    pub listed_nationality: Option<String>,
    /// Why the list holds the person.
    pub listed_reason: String,
    pub list_name: String,
}

impl HitRow {
    /// The row with its sealed fields opened.
    pub fn opened(mut self, keys: &crate::keyring::Keyring) -> HitRow {
        let id = self.id.clone();
        keys.open_in("screening_hits", "query_name", &id, &mut self.query_name);
        keys.open_in("screening_hits", "explanation", &id, &mut self.explanation);
        keys.open_opt_in("screening_hits", "query_birth", &id, &mut self.query_birth);
        keys.open_opt_in(
            "screening_hits",
            "review_reason",
            &id,
            &mut self.review_reason,
        );
        self
    }
}

fn opened(rows: Vec<HitRow>, keys: &crate::keyring::Keyring) -> Vec<HitRow> {
    rows.into_iter().map(|r| r.opened(keys)).collect()
}

const HIT_SELECT: &str = "h.id, h.created_at, h.created_by, h.unit_id, h.query_name, h.query_birth,
    h.query_nationality, h.entry_id, e.full_name AS listed_name, e.instruction, h.score, h.decision,
    h.explanation, h.status, h.reviewed_by, h.review_reason, h.reviewed_at, u.name AS post_name,
    h.crossing_id, e.birth_date AS listed_birth, e.nationality AS listed_nationality,
    e.reason AS listed_reason, w.name AS list_name";
const HIT_FROM: &str = "screening_hits h JOIN watchlist_entries e ON e.id = h.entry_id
    JOIN watchlists w ON w.id = e.watchlist_id LEFT JOIN units u ON u.id = h.unit_id";

/// The SQL condition that keeps the hits of a scope (`?` is `Scope::as_json`): a hit made at
/// a unit belongs to that unit's scope; one made by a region-wide user (no unit) to
/// region-wide reviewers only.
const HIT_IN_SCOPE: &str = "(?1 IS NULL OR h.unit_id IN (SELECT value FROM json_each(?1)))";

/// Deletes the hits on the crossings whose ids are the JSON array `crossing_ids` (their
/// retention purge), in the caller's transaction; how many went.
pub async fn delete_hits_of_crossings(tx: &mut db::Tx, crossing_ids: &str) -> AppResult<u64> {
    Ok(sqlx::query(
        "DELETE FROM screening_hits WHERE crossing_id IN (SELECT value FROM json_each(?1))",
    )
    .bind(crossing_ids)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// The alerts (not the names to verify) raised in a scope since a time, newest first: the
/// operations centre's "alerts of the day". Through the queue's index, one range per status.
pub async fn alerts_since(
    state: &AppState,
    scope: &crate::accounts::Scope,
    since: &str,
    most: i64,
) -> AppResult<Vec<HitRow>> {
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {HIT_SELECT} FROM {HIT_FROM}
         WHERE h.status IN ('a_revoir', 'confirme', 'ecarte') AND h.created_at >= ?2
           AND h.decision = 'alerte' AND {HIT_IN_SCOPE}
         ORDER BY h.created_at DESC LIMIT ?3"
    )))
    .bind(scope.as_json())
    .bind(since)
    .bind(most)
    .fetch_all(&state.db)
    .await?;
    Ok(opened(rows, &state.keys))
}

/// How many hits wait for a decision in a scope (counted up to 999: the menu says "999").
pub async fn waiting_review(db: &crate::db::Db, scope: &crate::accounts::Scope) -> AppResult<i64> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM screening_hits h
         WHERE h.status = 'a_revoir' AND {HIT_IN_SCOPE} LIMIT 999)"
    )))
    .bind(scope.as_json())
    .fetch_one(db)
    .await?)
}

/// The hits to review in a scope (the reviewer's unit and below), a page at a time: the alerts
/// first, then the likeliest (a namesake met by chance scores lower, issue 16), the newest
/// first among equals; and how many there are in all.
pub async fn hits_to_review(
    state: &AppState,
    scope: &crate::accounts::Scope,
    page: i64,
) -> AppResult<(Vec<HitRow>, i64)> {
    let mut w = crate::db::list::Where::default();
    w.eq("h.status = ?", "a_revoir");
    w.scope("h.unit_id IN (SELECT value FROM json_each(?))", scope);
    let (rows, count) = crate::db::list::fetch_page(
        &state.db,
        HIT_SELECT,
        HIT_FROM,
        &w,
        "h.decision = 'alerte' DESC, h.score DESC, h.created_at DESC, h.id",
        page,
    )
    .await?;
    Ok((opened(rows, &state.keys), count))
}

/// One hit, read as personal data (audited), within the reader's scope: a hit out of scope is
/// not found, and no read of it is recorded.
pub async fn hit(
    state: &AppState,
    actor: &Actor,
    scope: &crate::accounts::Scope,
    id: &str,
) -> AppResult<HitRow> {
    let visible: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT h.id FROM screening_hits h WHERE {HIT_IN_SCOPE} AND h.id = ?2"
    )))
    .bind(scope.as_json())
    .bind(id)
    .fetch_optional(&state.db)
    .await?;
    if visible.is_none() {
        return Err(AppError::NotFound);
    }
    let read = async {
        let row: Option<HitRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {HIT_SELECT} FROM {HIT_FROM} WHERE h.id = ?"
        )))
        .bind(id)
        .fetch_optional(&state.db)
        .await?;
        Ok(row.ok_or(AppError::NotFound)?.opened(&state.keys))
    };
    audit::audited_read(&state.db, actor, "screening_hit", id, read).await
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
    let status: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT h.status FROM screening_hits h WHERE {HIT_IN_SCOPE} AND h.id = ?2"
    )))
    .bind(scope.as_json())
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(status) = status else {
        return Err(AppError::NotFound);
    };
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
        .bind(state.keys.seal("screening_hits", "review_reason", id, reason))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    // The reason is free text that may name people: it stays sealed in the hit, and the log
    // (never re-encrypted) says only that the hit was reviewed.
    audit::append(&mut tx, actor, new_status, "screening_hit", id, "").await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explanation_reads_back_as_it_was_written() {
        let ex = namematch::Explanation {
            name: "Amadou Kouffa".into(),
            matches: vec![namematch::TokenMatch {
                query: "hamadoun".into(),
                listed: "amadou".into(),
                rule: namematch::Rule::Variant,
                similarity: 0.93,
                weight: 1.0,
            }],
            unmatched_query: vec!["ag".into()],
            unmatched_listed: vec!["kouffa".into()],
            omitted: vec![("ahmed".into(), namematch::Rule::Chain)],
            name_score: 0.8,
            name_weight: 6.0,
            rarity_effect: -0.04,
            birth_effect: 0.1,
            birth_reason: "same year, other date",
            nationality_effect: -0.05,
        };
        let parts = explanation_parts(&explain(&ex));
        assert_eq!(
            parts,
            vec![
                Why::Pair {
                    query: "hamadoun".into(),
                    listed: "amadou".into(),
                    rule: "variant".into()
                },
                Why::OnlyQuery("ag".into()),
                Why::OnlyListed("kouffa".into()),
                Why::Omitted {
                    word: "ahmed".into(),
                    rule: "chain".into()
                },
                Why::Birth {
                    reason: "same year, other date".into(),
                    effect: 0.1
                },
                Why::Nationality { effect: -0.05 },
                Why::CommonName { effect: -0.04 },
            ]
        );
        assert_eq!(
            birth_reason_key("same year, other date"),
            "same-year-other-date"
        );
    }
}
