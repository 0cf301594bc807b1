//! Changes in and out of the database: the batches a node sends (a post: its own stream; the
//! regional node: each post's share of everything it applied) and the applier of received
//! changes — a change already held is skipped, an insert is made, an update merged field by
//! field (`sync::merge_field`: a concurrent write of another value is kept as a conflict), a
//! deletion removes the record and leaves its tombstone. A change the database refuses (a
//! login taken on two nodes) is kept as a conflict too: nothing received is dropped unseen.

use std::collections::{BTreeMap, HashMap};

use ::sync::{Batch, Change, Clock, Field, Hlc, Merge, Op, Version, merge_field};
use serde_json::Value;
use sqlx::Row;

use super::capture::{self, Share};
use crate::db::{self, Db, Tx};
use crate::error::{AppError, AppResult};

/// How far ahead of our clock a remote time may be before it is said to be skewed (5 min).
pub const SKEW_TOLERANCE_MS: u64 = 5 * 60 * 1000;

/// The most changes in one batch.
pub const BATCH_CHANGES: i64 = 2000;

/// What applying a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub applied: u64,
    pub conflicts: u64,
    /// How far ahead of our clock the most skewed change was, when one was beyond tolerance.
    pub skew_ms: Option<u64>,
}

fn op_code(op: Op) -> &'static str {
    match op {
        Op::Insert => "insert",
        Op::Update => "update",
        Op::Delete => "delete",
    }
}

fn parse_op(s: &str) -> Op {
    match s {
        "insert" => Op::Insert,
        "delete" => Op::Delete,
        _ => Op::Update,
    }
}

fn wall_ms() -> u64 {
    u64::try_from(db::now().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// A stored change as the engine sees it.
fn change_of(row: &sqlx::sqlite::SqliteRow) -> AppResult<Change> {
    let fields: BTreeMap<String, Value> =
        serde_json::from_str(&row.try_get::<String, _>("fields")?).unwrap_or_default();
    let base_raw: BTreeMap<String, (i64, String)> =
        serde_json::from_str(&row.try_get::<String, _>("base")?).unwrap_or_default();
    let base = base_raw
        .into_iter()
        .map(|(f, (hlc, origin))| {
            (
                f,
                Version {
                    hlc: Hlc::from_packed(hlc),
                    origin,
                },
            )
        })
        .collect();
    Ok(Change {
        origin: row.try_get("origin")?,
        seq: u64::try_from(row.try_get::<i64, _>("seq")?).unwrap_or(0),
        hlc: Hlc::from_packed(row.try_get("hlc")?),
        table: row.try_get("tbl")?,
        row: row.try_get("row_id")?,
        op: parse_op(&row.try_get::<String, _>("op")?),
        fields,
        base,
        actor: row
            .try_get::<Option<String>, _>("actor")?
            .unwrap_or_else(|| "system".into()),
    })
}

const CHANGE_COLUMNS: &str = "pos, origin, seq, hlc, tbl, row_id, op, fields, base, actor";

/// A node's own changes after `after` (what a post sends up).
pub async fn own_batch(db: &Db, me: &str, after: u64, limit: i64) -> AppResult<Batch> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CHANGE_COLUMNS} FROM changes WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?"
    )))
    .bind(me)
    .bind(i64::try_from(after).unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db)
    .await?;
    let changes = rows.iter().map(change_of).collect::<AppResult<Vec<_>>>()?;
    Ok(Batch {
        stream: me.to_string(),
        first: after + 1,
        changes,
        upto: None,
    })
}

/// What of the regional stream after position `after` goes down to a post: every change but
/// the post's own and the personal data recorded at other posts.
pub async fn share_batch(db: &Db, post: &str, after: u64, limit: i64) -> AppResult<Batch> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CHANGE_COLUMNS} FROM changes WHERE pos > ? ORDER BY pos LIMIT ?"
    )))
    .bind(i64::try_from(after).unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db)
    .await?;
    // The accounts a post holds are those of its people (its unit, the units under and above
    // it) and the administrators': a stolen laptop gives away no one else's password hash.
    // Later writes of any account go down: one the post does not hold is skipped there.
    let unit: Option<String> =
        sqlx::query_scalar("SELECT unit_id FROM nodes WHERE node_id = ? AND role = 'post'")
            .bind(post)
            .fetch_optional(db)
            .await?
            .flatten();
    let ours = match &unit {
        Some(u) => crate::registry::units_around(db, u).await?,
        None => Vec::new(),
    };
    let account_here = |c: &Change| {
        let text = |f: &str| c.fields.get(f).and_then(Value::as_str).unwrap_or_default();
        c.table != "users"
            || c.op != Op::Insert
            || text("role") == "admin"
            || ours.iter().any(|u| u == text("unit_id"))
    };
    let mut upto = after;
    let mut changes = Vec::new();
    for row in &rows {
        upto = u64::try_from(row.try_get::<i64, _>("pos")?).unwrap_or(upto);
        let c = change_of(row)?;
        let shared = capture::replicated(&c.table).is_some_and(|t| t.share == Share::Region);
        if c.origin != post && shared && account_here(&c) {
            changes.push(c);
        }
    }
    Ok(Batch {
        stream: "regional".into(),
        first: after + 1,
        changes,
        upto: Some(upto),
    })
}

/// The last position of a stream applied here.
pub async fn cursor<'e>(db: impl sqlx::SqliteExecutor<'e>, stream: &str) -> AppResult<u64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT applied FROM sync_cursors WHERE stream = ?")
        .bind(stream)
        .fetch_optional(db)
        .await?;
    Ok(v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
}

/// Moves a stream's cursor, in the transaction of the changes it covers.
pub async fn set_cursor(tx: &mut Tx, stream: &str, applied: u64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO sync_cursors (stream, applied) VALUES (?, ?)
         ON CONFLICT (stream) DO UPDATE SET applied = MAX(applied, excluded.applied)",
    )
    .bind(stream)
    .bind(i64::try_from(applied).unwrap_or(i64::MAX))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Binds a JSON value as SQLite stores it (what `json_object` made of the column).
pub(crate) fn bind_value<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    v: &Value,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    match v {
        Value::Null => q.bind(None::<String>),
        Value::Bool(b) => q.bind(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => q.bind(s.clone()),
        other => q.bind(other.to_string()),
    }
}

/// Applies received changes in their order, in the caller's transaction.
pub async fn apply(tx: &mut Tx, me: &str, changes: Vec<Change>) -> AppResult<Applied> {
    let mut out = Applied::default();
    if changes.is_empty() {
        return Ok(out);
    }
    sqlx::query("UPDATE sync_applying SET applying = 1")
        .execute(&mut **tx)
        .await?;
    let mut columns: HashMap<String, Vec<String>> = HashMap::new();
    let packed: i64 = sqlx::query_scalar("SELECT hlc FROM sync_clock")
        .fetch_one(&mut **tx)
        .await?;
    let mut clock = Clock::resume(Hlc::from_packed(packed));
    for c in changes {
        // A node never applies its own changes again.
        if c.origin == me {
            continue;
        }
        let Some(table) = capture::replicated(&c.table) else {
            return Err(AppError::Internal(format!(
                "table {} non répliquée",
                c.table
            )));
        };
        if !columns.contains_key(table.table) {
            let cols = capture::columns(&mut **tx, table.table).await?;
            columns.insert(table.table.to_string(), cols);
        }
        let cols = columns.get(table.table).map(Vec::as_slice).unwrap_or(&[]);
        // A new record cannot have been deleted yet; a write or a deletion of one that was
        // changes nothing.
        let gone = c.op != Op::Insert && tombstoned(tx, &c).await?;
        if !record(tx, &c).await? {
            continue;
        }
        if let Err(skew) = clock.observe(c.hlc, wall_ms(), SKEW_TOLERANCE_MS) {
            out.skew_ms = Some(out.skew_ms.unwrap_or(0).max(skew.ahead_ms));
        }
        if !gone {
            out.conflicts += effect(tx, table.table, table.key, cols, &c).await?;
        }
        out.applied += 1;
    }
    sqlx::query("UPDATE sync_clock SET hlc = MAX(hlc, ?)")
        .bind(clock.last().packed())
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE sync_applying SET applying = 0")
        .execute(&mut **tx)
        .await?;
    Ok(out)
}

async fn tombstoned(tx: &mut Tx, c: &Change) -> AppResult<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT 1 FROM changes WHERE tbl = ? AND row_id = ? AND op = 'delete' LIMIT 1",
    )
    .bind(&c.table)
    .bind(&c.row)
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// Keeps a received change in the log; false when it was held already (sent again).
async fn record(tx: &mut Tx, c: &Change) -> AppResult<bool> {
    let base: BTreeMap<&str, (i64, &str)> = c
        .base
        .iter()
        .map(|(f, v)| (f.as_str(), (v.hlc.packed(), v.origin.as_str())))
        .collect();
    let done = sqlx::query(
        "INSERT INTO changes (origin, seq, hlc, tbl, row_id, op, fields, base, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (origin, seq) DO NOTHING",
    )
    .bind(&c.origin)
    .bind(i64::try_from(c.seq).unwrap_or(i64::MAX))
    .bind(c.hlc.packed())
    .bind(&c.table)
    .bind(&c.row)
    .bind(op_code(c.op))
    .bind(serde_json::to_string(&c.fields).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(&base).unwrap_or_else(|_| "{}".into()))
    .bind(&c.actor)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a change does to its record; the number of conflicts it made.
async fn effect(
    tx: &mut Tx,
    table: &str,
    key: &str,
    cols: &[String],
    c: &Change,
) -> AppResult<u64> {
    // Only the columns this node knows (a newer node may send more).
    let known: Vec<(&String, &Value)> = c.fields.iter().filter(|(f, _)| cols.contains(f)).collect();
    if table == "audit_log" {
        return node_audit(tx, c).await;
    }
    match c.op {
        Op::Insert => {
            // An insert emptied by the purge at its origin: the record is gone there.
            if known.is_empty() {
                return Ok(0);
            }
            let names = known
                .iter()
                .map(|(f, _)| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let marks = vec!["?"; known.len()].join(", ");
            let sql = format!(
                "INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (\"{key}\") DO NOTHING"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (_, v) in &known {
                q = bind_value(q, v);
            }
            // A refused statement is undone alone by SQLite; the transaction goes on.
            match q.execute(&mut **tx).await {
                // The record is here already (the rows every database starts with): its
                // fields merge as a write of each.
                Ok(done) if done.rows_affected() == 0 => {
                    merge_fields(tx, table, key, &known, c).await
                }
                Ok(_) => {
                    crate::border::flows::count(tx, table, &c.row).await?;
                    if table == "responses"
                        && let Some((asset, other)) =
                            crate::incidents::concurrent_dispatch(tx, &c.row).await?
                    {
                        // One asset sent by two nodes at once: shown to the operations centre.
                        let both = serde_json::json!({
                            "asset": asset, "responses": [other, c.row.clone()]
                        });
                        conflict(tx, c, "dispatch", None, &both, &c.version()).await?;
                        return Ok(1);
                    }
                    Ok(0)
                }
                Err(e) => {
                    tracing::warn!(table, row = %c.row, error = %e, "received record refused");
                    let lost = Value::Object(c.fields.clone().into_iter().collect());
                    conflict(tx, c, "*", None, &lost, &c.version()).await?;
                    Ok(1)
                }
            }
        }
        Op::Update => merge_fields(tx, table, key, &known, c).await,
        Op::Delete => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE \"{key}\" = ?"
            )))
            .bind(&c.row)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "UPDATE changes SET fields = '{}' WHERE tbl = ? AND row_id = ? AND op <> 'delete'",
            )
            .bind(table)
            .bind(&c.row)
            .execute(&mut **tx)
            .await?;
            sqlx::query("DELETE FROM field_versions WHERE tbl = ? AND row_id = ?")
                .bind(table)
                .bind(&c.row)
                .execute(&mut **tx)
                .await?;
            Ok(0)
        }
    }
}

/// Merges the fields a change writes into the record in place.
async fn merge_fields(
    tx: &mut Tx,
    table: &str,
    key: &str,
    known: &[(&String, &Value)],
    c: &Change,
) -> AppResult<u64> {
    let mut conflicts = 0;
    for (field, value) in known.iter().copied() {
        let current = current_field(tx, table, key, &c.row, field).await?;
        let Some(current) = current else {
            continue; // the record is not here (refused at its insert, kept apart)
        };
        let version = c.version();
        let (merge, lost) = merge_field(current.as_ref(), value, &version, c.base.get(field));
        if merge == Merge::Take {
            let sql = format!("UPDATE {table} SET \"{field}\" = ? WHERE \"{key}\" = ?");
            bind_value(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), value)
                .bind(&c.row)
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "INSERT OR REPLACE INTO field_versions (tbl, row_id, field, hlc, origin)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(table)
            .bind(&c.row)
            .bind(field)
            .bind(c.hlc.packed())
            .bind(&c.origin)
            .execute(&mut **tx)
            .await?;
        }
        if let Some(lost) = lost {
            conflict(
                tx,
                c,
                field,
                Some(&lost.kept),
                &lost.lost.value,
                &lost.lost.version,
            )
            .await?;
            conflicts += 1;
        }
    }
    Ok(conflicts)
}

/// A field's value and version here: None when the record is not here; Some(None) when no
/// version is known (a record older than the change log).
async fn current_field(
    tx: &mut Tx,
    table: &str,
    key: &str,
    row: &str,
    field: &str,
) -> AppResult<Option<Option<Field>>> {
    let value: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT json_object('v', {}) FROM {table} WHERE \"{key}\" = ?",
        capture::exact(&format!("\"{field}\""))
    )))
    .bind(row)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(value) = value else {
        return Ok(None);
    };
    let value = serde_json::from_str::<Value>(&value)
        .ok()
        .and_then(|mut v| v.get_mut("v").map(Value::take))
        .unwrap_or(Value::Null);
    let version: Option<(i64, String)> = sqlx::query_as(
        "SELECT hlc, origin FROM field_versions WHERE tbl = ?1 AND row_id = ?2 AND field = ?3
         UNION ALL
         SELECT hlc, origin FROM (SELECT hlc, origin FROM changes
                                  WHERE tbl = ?1 AND row_id = ?2 AND op = 'insert' LIMIT 1)
         LIMIT 1",
    )
    .bind(table)
    .bind(row)
    .bind(field)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(Some(version.map(|(hlc, origin)| Field {
        value,
        version: Version {
            hlc: Hlc::from_packed(hlc),
            origin,
        },
    })))
}

async fn conflict(
    tx: &mut Tx,
    c: &Change,
    field: &str,
    kept: Option<&Field>,
    lost: &Value,
    lost_version: &Version,
) -> AppResult<()> {
    // The losing write's author: the received change's, or ours when ours lost.
    let lost_actor = if lost_version.origin == c.origin {
        c.actor.clone()
    } else {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT actor FROM changes WHERE tbl = ? AND row_id = ? AND hlc = ? AND origin = ?",
        )
        .bind(&c.table)
        .bind(&c.row)
        .bind(lost_version.hlc.packed())
        .bind(&lost_version.origin)
        .fetch_optional(&mut **tx)
        .await?
        .flatten()
        .unwrap_or_default()
    };
    sqlx::query(
        "INSERT INTO sync_conflicts (id, tbl, row_id, field, kept_value, kept_hlc, kept_origin,
         lost_value, lost_hlc, lost_origin, lost_actor, detected_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(db::new_id())
    .bind(&c.table)
    .bind(&c.row)
    .bind(field)
    .bind(kept.map(|k| k.value.to_string()))
    .bind(kept.map(|k| k.version.hlc.packed()))
    .bind(kept.map(|k| k.version.origin.clone()))
    .bind(lost.to_string())
    .bind(lost_version.hlc.packed())
    .bind(&lost_version.origin)
    .bind(lost_actor)
    .bind(db::now_text())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A post's audit entry, kept in its node's chain; one that differs from the entry held at its
/// place (a chain recomputed at the post) is kept as a conflict, the held one stays.
async fn node_audit(tx: &mut Tx, c: &Change) -> AppResult<u64> {
    let text = |f: &str| {
        c.fields
            .get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let seq = c.fields.get("seq").and_then(Value::as_i64).unwrap_or(0);
    let added = sqlx::query(
        "INSERT INTO node_audit (node, seq, at, actor, action, entity, entity_id, detail,
         prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (node, seq) DO NOTHING",
    )
    .bind(&c.origin)
    .bind(seq)
    .bind(text("at"))
    .bind(text("actor"))
    .bind(text("action"))
    .bind(text("entity"))
    .bind(text("entity_id"))
    .bind(text("detail"))
    .bind(text("prev_hash"))
    .bind(text("hash"))
    .execute(&mut **tx)
    .await?;
    if added.rows_affected() == 1 {
        return Ok(0);
    }
    let held: Option<String> =
        sqlx::query_scalar("SELECT hash FROM node_audit WHERE node = ? AND seq = ?")
            .bind(&c.origin)
            .bind(seq)
            .fetch_optional(&mut **tx)
            .await?;
    if held.as_deref() == Some(text("hash").as_str()) {
        return Ok(0);
    }
    let lost = Value::Object(c.fields.clone().into_iter().collect());
    conflict(tx, c, "*", None, &lost, &c.version()).await?;
    Ok(1)
}
