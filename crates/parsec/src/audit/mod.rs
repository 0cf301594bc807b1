//! The audit chain: an append-only log of every write and of every read of personal data.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the canonical form of the
//! entry (a JSON array of its fields, sequence included), so altering, deleting or reordering a
//! row breaks the chain at that row and `verify` names it. Entries are appended in the same
//! transaction as the change they record: no change without its entry.

pub mod inspect_web;
pub mod inspection;
pub mod web;

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::list::{ListQuery, Where, fetch_list};
use crate::db::{self, Db, Tx};
use crate::error::AppResult;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: a user's login, or a named system actor (`demo`, `cli`, `system`).
#[derive(Debug, Clone)]
pub struct Actor(pub String);

impl Actor {
    pub fn system(name: &str) -> Self {
        Actor(name.to_string())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The canonical form of an entry that its hash covers (also used to seed a long chain in the
/// scale benchmark).
pub fn canonical(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    id: &str,
    detail: &str,
) -> String {
    serde_json::json!([seq, at, actor, action, entity, id, detail]).to_string()
}

pub fn entry_hash(prev_hash: &str, canonical_entry: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical_entry.as_bytes());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Whether an entry follows the one before in a chain (at position `expected_seq`, after the
/// hash `prev`): else where the chain breaks and why.
pub fn follows(e: &Entry, prev: &str, expected_seq: i64) -> Result<(), (i64, &'static str)> {
    if e.seq < expected_seq {
        return Err((e.seq, "out_of_order"));
    }
    if e.seq > expected_seq {
        return Err((expected_seq, "missing"));
    }
    if e.prev_hash != prev {
        return Err((e.seq, "previous_hash"));
    }
    let canon = canonical(
        e.seq,
        &e.at,
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.detail,
    );
    if entry_hash(prev, &canon) != e.hash {
        return Err((e.seq, "hash"));
    }
    Ok(())
}

/// Appends an entry inside the caller's write transaction (see `db::begin_write`).
pub async fn append(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: &str,
) -> AppResult<i64> {
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev) = match head {
        Some(row) => (
            row.try_get::<i64, _>("seq")? + 1,
            row.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS.to_string()),
    };
    let at = db::now_text();
    let hash = entry_hash(
        &prev,
        &canonical(seq, &at, &actor.0, action, entity, entity_id, detail),
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, detail, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(&at)
    .bind(&actor.0)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    crate::sync::capture::stamp(tx, &actor.0).await?;
    Ok(seq)
}

/// The only door to personal data: records the read (and commits the record) before the read
/// runs. If the record cannot be written, nothing is read (fail closed).
pub async fn audited_read<T, F>(
    db: &Db,
    actor: &Actor,
    entity: &str,
    entity_id: &str,
    read: F,
) -> AppResult<T>
where
    F: std::future::Future<Output = AppResult<T>>,
{
    let mut tx = db::begin_write(db).await?;
    append(&mut tx, actor, "read", entity, entity_id, "").await?;
    tx.commit().await?;
    read.await
}

/// Records what left the system: an export of `rows` records of `entity` under a filter.
pub async fn exported(
    db: &Db,
    actor: &Actor,
    entity: &str,
    rows: usize,
    filter: &str,
) -> AppResult<()> {
    let mut tx = db::begin_write(db).await?;
    append(
        &mut tx,
        actor,
        "export",
        entity,
        "-",
        &format!("rows={rows} {filter}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The columns of an entry, for the lists.
const ENTRY_SELECT: &str = "seq, at, actor, action, entity, entity_id, detail, prev_hash, hash";

/// The inspectors' list of entries, filtered by who, what, which record and when (also what
/// tests/it/scale.rs runs through `EXPLAIN QUERY PLAN`). Newest first by time, the chain
/// position breaking the ties: each filter has its index followed by the time, so five years
/// of entries are never sorted for a page. (Entries are appended under the write lock with
/// the time read then, so time order is chain order unless the clock was set back.)
pub fn log_query(f: &LogFilter) -> ListQuery {
    let mut w = Where::default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    w.eq("actor = ?", &text(&f.actor));
    w.eq("action = ?", &text(&f.action));
    w.eq("entity = ?", &text(&f.entity));
    w.eq("entity_id = ?", &text(&f.entity_id));
    w.eq("at >= ?", &text(&f.from));
    // A bare date as the upper bound means "that whole day".
    let to = text(&f.to);
    let to = if to.len() == 10 {
        format!("{to}T23:59:59Z")
    } else {
        to
    };
    w.eq("at <= ?", &to);
    let order = vec![("at".to_string(), "DESC"), ("seq".to_string(), "DESC")];
    ListQuery::new(ENTRY_SELECT, "audit_log", "seq", w, order)
}

/// What a page of the log keeps (the inspectors' page and API read their query string into
/// it): who, what, which record, between which times.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// A time or a day (RFC 3339 text, as the log keeps them).
    pub from: Option<String>,
    /// A time, or a day meaning all of it.
    pub to: Option<String>,
    /// From 1.
    pub page: i64,
}

pub async fn log(db: &Db, f: &LogFilter) -> AppResult<(Vec<Entry>, i64)> {
    fetch_list(db, &log_query(f), f.page.max(1)).await
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { entries: i64 },
    Broken { seq: i64, reason: &'static str },
}

/// Walks the whole chain in sequence order and names the first entry that does not hold.
pub async fn verify(db: &Db) -> AppResult<Verdict> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    // From the very smallest, so that a row slipped in before the first entry is seen too.
    let mut last_seq = i64::MIN;
    // Read in pages so a long chain does not sit in memory at once.
    loop {
        let rows: Vec<Entry> = sqlx::query_as(
            "SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash
             FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 5000",
        )
        .bind(last_seq)
        .fetch_all(db)
        .await?;
        if rows.is_empty() {
            return Ok(Verdict::Intact {
                entries: expected_seq - 1,
            });
        }
        for e in &rows {
            if let Err((seq, reason)) = follows(e, &prev, expected_seq) {
                return Ok(Verdict::Broken { seq, reason });
            }
            prev = e.hash.clone();
            expected_seq += 1;
            last_seq = e.seq;
        }
    }
}
