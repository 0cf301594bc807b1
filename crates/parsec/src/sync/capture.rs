//! The change log, written by the database itself: for every replicated table, triggers record
//! each insert, update and delete in `changes`, in the transaction of the write, with this
//! node's id, its next sequence number and a hybrid-clock time. No service function can forget
//! it, and a new column is captured from the next start (the triggers are made from the tables'
//! columns each time the database is opened).
//!
//! The clock rule in the triggers is the local tick of a hybrid logical clock on the packed
//! integer (`max(last + 1, wall time << 16)`, see `sync::Hlc::packed`); an update also goes
//! after every version of its record (`Clock::tick_after`: a write follows what its author
//! saw, even from a clock far ahead). Remote times are observed by the applier in Rust.
//!
//! `audit::append` stamps the changes of its transaction with the actor (`stamp`).

use sqlx::Row;

use crate::db::{Db, Tx};
use crate::error::AppResult;

/// Where a table's changes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// Every node of the region: reference data, users, lists, incidents and their responses.
    Region,
    /// Up to the regional node only, never to the other posts: the personal data a post
    /// records (crossings and what comes with them, screening hits).
    Up,
}

/// A replicated table: its name, its key column, where its changes go.
#[derive(Debug, Clone, Copy)]
pub struct Replicated {
    pub table: &'static str,
    pub key: &'static str,
    pub share: Share,
}

const fn region(table: &'static str) -> Replicated {
    Replicated {
        table,
        key: "id",
        share: Share::Region,
    }
}

const fn up(table: &'static str) -> Replicated {
    Replicated {
        table,
        key: "id",
        share: Share::Up,
    }
}

/// The replicated tables, in an order where a record comes after those it refers to (the
/// backfill of an existing database follows it). Not replicated: each node's own sessions,
/// tokens, throttling, node list, exchange packages, the daily counts, which each node derives
/// from the crossings it holds, and the watchlists, which go down as verified versions
/// (`lists`).
pub const TABLES: &[Replicated] = &[
    region("forces"),
    region("units"),
    region("sites"),
    region("assets"),
    region("meter_readings"),
    region("users"),
    Replicated {
        table: "goods_categories",
        key: "code",
        share: Share::Region,
    },
    region("patrols"),
    region("incidents"),
    region("incident_events"),
    region("responses"),
    // The workshop's, after the responses a work order may come from.
    region("work_orders"),
    region("work_order_events"),
    region("work_order_labour"),
    region("maintenance_plans"),
    region("plan_tasks"),
    region("work_order_tasks"),
    region("parts"),
    region("stock_movements"),
    region("fuel_issues"),
    region("custody_rules"),
    // The programme's own records (issue 15): the region's, kept at the operations centre.
    region("programme_partners"),
    region("programme_activities"),
    region("programme_interventions"),
    region("programme_deliveries"),
    region("programme_needs"),
    region("budget_lines"),
    region("budget_entries"),
    Replicated {
        table: "programme_indicators",
        key: "code",
        share: Share::Region,
    },
    up("crossings"),
    up("crossing_vehicles"),
    up("goods_declarations"),
    up("screening_hits"),
    // A custody is personal data: up to the regional node, never to the other posts.
    up("custodies"),
    up("custody_entries"),
    // A post's audit chain goes up entry by entry; the regional node keeps it apart, per node
    // (`node_audit`), with the checkpoints the post signed.
    Replicated {
        table: "audit_log",
        key: "seq",
        share: Share::Up,
    },
];

pub fn replicated(table: &str) -> Option<&'static Replicated> {
    TABLES.iter().find(|t| t.table == table)
}

/// The columns of a table, in order.
pub async fn columns<'e>(db: impl sqlx::SqliteExecutor<'e>, table: &str) -> AppResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
            .bind(table)
            .fetch_all(db)
            .await?,
    )
}

const NOW_PACKED: &str = "(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) << 16)";
/// The triggers write nothing while the applier works, nor on a node without an identity (one
/// that exchanges with no one pays nothing; `adopt` records what it holds when it gets one).
const QUIET: &str = "(SELECT applying FROM sync_applying) = 0
     AND EXISTS (SELECT 1 FROM meta WHERE key = 'node_id')";
const ME: &str = "(SELECT COALESCE((SELECT value FROM meta WHERE key = 'node_id'), '') AS id) n";

/// A column's value as the log keeps it: a real number as text with all its digits (SQLite's
/// JSON writes 15, which would change the last bits of a score or a coordinate on the way; the
/// text goes back into the real column exactly).
pub fn exact(column: &str) -> String {
    format!("CASE WHEN typeof({column}) = 'real' THEN printf('%.17g', {column}) ELSE {column} END")
}

fn tick() -> String {
    format!("UPDATE sync_clock SET hlc = MAX(hlc + 1, {NOW_PACKED});")
}

fn next_seq() -> &'static str {
    "COALESCE((SELECT MAX(seq) FROM changes WHERE origin = n.id), 0) + 1"
}

/// The three triggers of a table.
fn triggers(t: &Replicated, cols: &[String]) -> Vec<String> {
    let (name, key) = (t.table, t.key);
    let object = |prefix: &str| {
        cols.iter()
            .map(|c| format!("'{c}', {}", exact(&format!("{prefix}.\"{c}\""))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let insert = format!(
        "CREATE TRIGGER sync_insert_{name} AFTER INSERT ON {name} WHEN {QUIET}
         BEGIN
           {tick}
           INSERT INTO changes (origin, seq, hlc, tbl, row_id, op, fields)
           SELECT n.id, {seq}, (SELECT hlc FROM sync_clock), '{name}', NEW.\"{key}\", 'insert',
                  json_object({fields})
           FROM {ME};
         END",
        tick = tick(),
        seq = next_seq(),
        fields = object("NEW"),
    );
    let changed = cols
        .iter()
        .map(|c| format!("NEW.\"{c}\" IS NOT OLD.\"{c}\""))
        .collect::<Vec<_>>()
        .join(" OR ");
    let written = cols
        .iter()
        .map(|c| {
            format!(
                "SELECT '{c}' AS f, {} AS v WHERE NEW.\"{c}\" IS NOT OLD.\"{c}\"",
                exact(&format!("NEW.\"{c}\""))
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    // The base of each field written: its version before this write (its last update's, or
    // the insert's). The new version goes after every version of the record.
    let update = format!(
        "CREATE TRIGGER sync_update_{name} AFTER UPDATE ON {name} WHEN {QUIET} AND ({changed})
         BEGIN
           {tick}
           INSERT INTO changes (origin, seq, hlc, tbl, row_id, op, fields)
           SELECT n.id, {seq},
                  MAX((SELECT hlc FROM sync_clock),
                      COALESCE((SELECT MAX(hlc) FROM changes
                                WHERE tbl = '{name}' AND row_id = OLD.\"{key}\"), 0) + 1),
                  '{name}', OLD.\"{key}\", 'update',
                  (SELECT json_group_object(f, v) FROM ({written}))
           FROM {ME};
           UPDATE changes SET base = (
             SELECT COALESCE(json_group_object(j.key,
                      json_array(COALESCE(fv.hlc, ins.hlc), COALESCE(fv.origin, ins.origin))), '{{}}')
             FROM json_each(changes.fields) j
             LEFT JOIN field_versions fv
               ON fv.tbl = '{name}' AND fv.row_id = OLD.\"{key}\" AND fv.field = j.key
             LEFT JOIN (SELECT hlc, origin FROM changes
                        WHERE tbl = '{name}' AND row_id = OLD.\"{key}\" AND op = 'insert'
                        LIMIT 1) ins ON 1
             WHERE COALESCE(fv.hlc, ins.hlc) IS NOT NULL)
           WHERE pos = last_insert_rowid();
           INSERT OR REPLACE INTO field_versions (tbl, row_id, field, hlc, origin)
           SELECT '{name}', c.row_id, j.key, c.hlc, c.origin
           FROM changes c, json_each(c.fields) j WHERE c.pos = last_insert_rowid();
         END",
        tick = tick(),
        seq = next_seq(),
    );
    // A deletion (the retention purge) leaves a tombstone, and the personal data the log
    // held for the record goes with it.
    let delete = format!(
        "CREATE TRIGGER sync_delete_{name} AFTER DELETE ON {name} WHEN {QUIET}
         BEGIN
           {tick}
           INSERT INTO changes (origin, seq, hlc, tbl, row_id, op, fields)
           SELECT n.id, {seq}, (SELECT hlc FROM sync_clock), '{name}', OLD.\"{key}\", 'delete', '{{}}'
           FROM {ME};
           UPDATE changes SET fields = '{{}}'
           WHERE tbl = '{name}' AND row_id = OLD.\"{key}\" AND op <> 'delete';
           DELETE FROM field_versions WHERE tbl = '{name}' AND row_id = OLD.\"{key}\";
         END",
        tick = tick(),
        seq = next_seq(),
    );
    vec![insert, update, delete]
}

/// Makes the triggers anew from the tables' columns (at every opening of the database, after
/// the migrations).
pub async fn install(db: &Db) -> AppResult<()> {
    // Read first, without a lock: the triggers are nearly always those of the last start, and
    // a command run beside a busy server (a backup) must not wait for its write lock.
    let mut wanted = Vec::new();
    for t in TABLES {
        let cols = columns(db, t.table).await?;
        for (op, sql) in ["insert", "update", "delete"]
            .into_iter()
            .zip(triggers(t, &cols))
        {
            wanted.push((format!("sync_{op}_{}", t.table), sql));
        }
    }
    let held: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_%'",
    )
    .fetch_all(db)
    .await?;
    let stale: Vec<&(String, String)> = wanted
        .iter()
        .filter(|(name, sql)| !held.iter().any(|(n, s)| n == name && s == sql))
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for (name, sql) in stale {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP TRIGGER IF EXISTS {name}"
        )))
        .execute(&mut *tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Gives the changes of the caller's transaction that have no author yet the actor of its
/// audit entry (called by `audit::append`).
pub async fn stamp(tx: &mut Tx, actor: &str) -> AppResult<()> {
    sqlx::query("UPDATE changes SET actor = ? WHERE actor IS NULL")
        .bind(actor)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// When a node gets its identity, any change recorded before under the empty origin (by an
/// earlier version, which captured before the identity) takes its id.
pub async fn take_origin(tx: &mut Tx, node_id: &str) -> AppResult<()> {
    rename_origin(tx, "", node_id).await
}

/// The changes recorded under one origin take another (a node's first identity, or a post
/// enrolled again after its database was restored from a backup).
pub async fn rename_origin(tx: &mut Tx, from: &str, to: &str) -> AppResult<()> {
    for table in ["changes", "field_versions"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET origin = ? WHERE origin = ?"
        )))
        .bind(to)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    }
    // The bases name the origin too: `{"field": [hlc, "origin"]}`.
    sqlx::query(
        "UPDATE changes SET base = replace(base, ',' || json_quote(?1) || ']',
                                           ',' || json_quote(?2) || ']')
         WHERE instr(base, ',' || json_quote(?1) || ']') > 0",
    )
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// On the regional node, when it gets its identity: its earlier changes take its id, and every
/// record that no change describes yet (a database made before the change log, the rows the
/// migrations insert) gets its insert, so that the posts receive it.
pub async fn adopt(tx: &mut Tx, node_id: &str) -> AppResult<u64> {
    take_origin(tx, node_id).await?;
    let mut added = 0;
    for t in TABLES {
        let cols = columns(&mut **tx, t.table).await?;
        let fields = cols
            .iter()
            .map(|c| format!("'{c}', {}", exact(&format!("r.\"{c}\""))))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(sqlx::AssertSqlSafe(tick()))
            .execute(&mut **tx)
            .await?;
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO changes (origin, seq, hlc, tbl, row_id, op, fields, actor)
             SELECT ?1, (SELECT COALESCE(MAX(seq), 0) FROM changes WHERE origin = ?1)
                        + row_number() OVER (ORDER BY r.rowid),
                    (SELECT hlc FROM sync_clock), '{name}', r.\"{key}\", 'insert',
                    json_object({fields}), 'system'
             FROM {name} r
             WHERE NOT EXISTS (SELECT 1 FROM changes c
                               WHERE c.tbl = '{name}' AND c.row_id = r.\"{key}\")",
            name = t.table,
            key = t.key,
        )))
        .bind(node_id)
        .execute(&mut **tx)
        .await?;
        added += done.rows_affected();
    }
    Ok(added)
}

/// How many changes of its own this node holds (its stream's last position).
pub async fn own_last(db: &Db, node_id: &str) -> AppResult<u64> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS last FROM changes WHERE origin = ?")
        .bind(node_id)
        .fetch_one(db)
        .await?;
    Ok(u64::try_from(row.try_get::<i64, _>("last")?).unwrap_or(0))
}
