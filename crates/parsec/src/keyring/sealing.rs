//! Which columns are sealed, and the walk that seals again what is not sealed under this
//! node's current key: values an earlier version stored in clear (once, at the first start),
//! and values under a retired key (after `parsec keys rotate`).

use super::Keyring;
use crate::db::{self, Db};
use crate::error::AppResult;

/// Every sealed column, by table (docs/encryption-design.md §1). Each value is bound to its
/// row's `id`. What a test checks the database file against, and what `seal_clear` walks.
pub const SEALED: &[(&str, &[&str])] = &[
    (
        "crossings",
        &[
            "surname",
            "given_names",
            "birth_date",
            "document_number",
            "document_expiry",
            "mrz",
            "correction_reason",
        ],
    ),
    ("crossing_vehicles", &["plate"]),
    (
        "screening_hits",
        &["query_name", "query_birth", "explanation", "review_reason"],
    ),
    (
        "custodies",
        &[
            "surname",
            "given_names",
            "birth_date",
            "document_number",
            "offence",
            "correction_reason",
        ],
    ),
    ("custody_entries", &["by_whom", "note"]),
    ("exchange_alerts", &["name", "plate", "reason"]),
    ("partner_alerts", &["name", "plate", "reason"]),
];

/// Whether a table's column is sealed.
pub fn is_sealed(table: &str, column: &str) -> bool {
    SEALED
        .iter()
        .any(|(t, cols)| *t == table && cols.contains(&column))
}

const SEALED_META: &str = "personal_data_sealed";
const SEAL_BATCH: i64 = 500;

/// Seals what an earlier version stored in clear: the sealed columns (with the crossings'
/// search tags), their copies in the change log and in the sync conflicts. Run once, at the
/// first start with this version; each node seals its own copies (nothing enters the change
/// log). The file is then checkpointed and vacuumed, so the clear pages are gone from it.
/// Returns how many values were sealed.
pub async fn seal_clear(db: &Db, keys: &Keyring) -> AppResult<u64> {
    if db::meta(db, SEALED_META).await?.is_some() {
        return Ok(0);
    }
    let done = reseal(db, keys, &[]).await?;
    let mut tx = db::begin_write(db).await?;
    db::set_meta(&mut tx, SEALED_META, &db::now_text()).await?;
    tx.commit().await?;
    if done.sealed > 0 {
        scrub(db).await?;
        tracing::info!(
            sealed = done.sealed,
            "personal data stored in clear by an earlier version sealed"
        );
    }
    Ok(done.sealed)
}

/// Folds the WAL into the file and rewrites the file, so that no page keeps an old value.
pub async fn scrub(db: &Db) -> AppResult<()> {
    for sql in [
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "VACUUM",
        "PRAGMA wal_checkpoint(TRUNCATE)",
    ] {
        sqlx::query(sql).execute(db).await?;
    }
    Ok(())
}

/// What a walk did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    pub sealed: u64,
    /// Values under a stale key that did not open (altered): left as they are, and logged.
    pub unreadable: u64,
}

/// Whether a stored value must be sealed again: in clear, or under one of the `stale` keys.
fn stale_value(v: &str, stale: &[u32]) -> bool {
    if v.is_empty() {
        return false;
    }
    match fieldcrypt::key_of(v) {
        Some(kid) => stale.contains(&kid),
        None => !v.starts_with(fieldcrypt::PREFIX),
    }
}

/// The clear value of a value to seal again (None: sealed, and it does not open).
fn clear_of(keys: &Keyring, table: &str, column: &str, row: &str, v: &str) -> Option<String> {
    if v.starts_with(fieldcrypt::PREFIX) {
        keys.try_open(table, column, row, v).ok()
    } else {
        Some(v.to_string())
    }
}

/// Seals again, under the current key, every value of the sealed columns (and their copies in
/// the change log and the sync conflicts) that is in clear or under one of the `stale` keys;
/// the crossings' search tags of the rows it touches are computed again. In batches, by
/// rowid, each in its own transaction, quiet for the change log: it can stop and start again.
pub async fn reseal(db: &Db, keys: &Keyring, stale: &[u32]) -> AppResult<Resealed> {
    let mut done = Resealed::default();
    let mut pattern: Vec<String> = stale.iter().map(|k| format!("enc1:{k}:%")).collect();
    pattern.push(String::new());
    let patterns = serde_json::json!(pattern).to_string();
    for (table, columns) in SEALED {
        let wanted = columns
            .iter()
            .map(|c| {
                format!(
                    "({c} <> '' AND {c} NOT LIKE 'enc1:%')
                     OR EXISTS (SELECT 1 FROM json_each(?2) p WHERE p.value <> '' AND {c} LIKE p.value)"
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        let select = columns
            .iter()
            .map(|c| format!("COALESCE({c}, '')"))
            .collect::<Vec<_>>()
            .join(" || char(31) || ");
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT rowid, id, {select} FROM {table} WHERE rowid > ?1 AND ({wanted})
                 ORDER BY rowid LIMIT {SEAL_BATCH}"
            )))
            .bind(after)
            .bind(&patterns)
            .fetch_all(db)
            .await?;
            let Some((last, _, _)) = rows.last() else {
                break;
            };
            after = *last;
            let mut tx = db::begin_write(db).await?;
            sqlx::query("UPDATE sync_applying SET applying = 1")
                .execute(&mut *tx)
                .await?;
            for (_, id, joined) in &rows {
                let values: Vec<&str> = joined.split('\u{1f}').collect();
                let mut sets = Vec::new();
                let mut binds = Vec::new();
                for (c, v) in columns.iter().zip(&values) {
                    if !stale_value(v, stale) {
                        continue;
                    }
                    match clear_of(keys, table, c, id, v) {
                        Some(clear) => {
                            sets.push(format!("{c} = ?"));
                            binds.push(keys.seal(table, c, id, &clear));
                            done.sealed += 1;
                        }
                        None => {
                            tracing::warn!(
                                table,
                                column = c,
                                row = id,
                                "not sealed again: it does not open"
                            );
                            done.unreadable += 1;
                        }
                    }
                }
                if sets.is_empty() {
                    continue;
                }
                if *table == "crossings" {
                    let get = |c: &str| {
                        columns
                            .iter()
                            .position(|x| *x == c)
                            .and_then(|i| values.get(i))
                            .map(|v| keys.open(table, c, id, v))
                            .unwrap_or_default()
                    };
                    sets.push("name_keys = ?".into());
                    binds.push(keys.name_keys(&[&get("surname"), &get("given_names")]));
                    sets.push("document_tag = ?".into());
                    binds.push(keys.document_tag(&get("document_number")));
                }
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET {} WHERE id = ?",
                    sets.join(", ")
                )));
                for b in binds {
                    q = q.bind(b);
                }
                q.bind(id).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE sync_applying SET applying = 0")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        reseal_changes(db, keys, table, columns, stale, &mut done).await?;
    }
    Ok(done)
}

/// A sync conflict's id, row, field, and its two values.
type ConflictValues = (String, String, String, Option<String>, Option<String>);

/// The copies of a table's sealed columns in the change log and the sync conflicts.
async fn reseal_changes(
    db: &Db,
    keys: &Keyring,
    table: &str,
    columns: &[&str],
    stale: &[u32],
    done: &mut Resealed,
) -> AppResult<()> {
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT pos, row_id, fields FROM changes WHERE tbl = ? AND pos > ? ORDER BY pos LIMIT ?",
        )
        .bind(table)
        .bind(after)
        .bind(SEAL_BATCH)
        .fetch_all(db)
        .await?;
        let Some((last, _, _)) = rows.last() else {
            break;
        };
        after = *last;
        let mut tx = db::begin_write(db).await?;
        for (pos, row, fields) in &rows {
            let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(fields) else {
                continue;
            };
            let mut changed = false;
            for c in columns {
                if let Some(serde_json::Value::String(v)) = map.get(*c)
                    && stale_value(v, stale)
                {
                    match clear_of(keys, table, c, row, v) {
                        Some(clear) => {
                            let s = keys.seal(table, c, row, &clear);
                            map.insert((*c).to_string(), serde_json::Value::String(s));
                            changed = true;
                            done.sealed += 1;
                        }
                        None => done.unreadable += 1,
                    }
                }
            }
            if changed {
                sqlx::query("UPDATE changes SET fields = ? WHERE pos = ?")
                    .bind(serde_json::Value::Object(map).to_string())
                    .bind(pos)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
    }
    let conflicts: Vec<ConflictValues> = sqlx::query_as(
        "SELECT id, row_id, field, kept_value, lost_value FROM sync_conflicts WHERE tbl = ?",
    )
    .bind(table)
    .fetch_all(db)
    .await?;
    let mut tx = db::begin_write(db).await?;
    for (id, row, field, kept, lost) in conflicts {
        if !columns.contains(&field.as_str()) {
            continue;
        }
        // The values are kept as JSON, as the change log carries them.
        let mut changed = false;
        let mut seal = |v: Option<String>| {
            v.map(
                |json| match serde_json::from_str::<serde_json::Value>(&json) {
                    Ok(serde_json::Value::String(t)) if stale_value(&t, stale) => {
                        match clear_of(keys, table, &field, &row, &t) {
                            Some(clear) => {
                                changed = true;
                                done.sealed += 1;
                                serde_json::Value::String(keys.seal(table, &field, &row, &clear))
                                    .to_string()
                            }
                            None => json,
                        }
                    }
                    _ => json,
                },
            )
        };
        let (kept, lost) = (seal(kept), seal(lost));
        if changed {
            sqlx::query("UPDATE sync_conflicts SET kept_value = ?, lost_value = ? WHERE id = ?")
                .bind(kept)
                .bind(lost)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// How many stored values each key seals (the sealed columns and the change log), for
/// `parsec keys status` and before a key is destroyed.
pub async fn uses(db: &Db) -> AppResult<std::collections::BTreeMap<u32, u64>> {
    let mut out = std::collections::BTreeMap::new();
    let mut add = |kid: Option<String>, n: i64| {
        if let Some(k) = kid.and_then(|k| k.parse::<u32>().ok()) {
            *out.entry(k).or_insert(0) += u64::try_from(n).unwrap_or(0);
        }
    };
    for (table, columns) in SEALED {
        for c in *columns {
            let rows: Vec<(Option<String>, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT substr({c}, 6, instr(substr({c}, 6), ':') - 1), COUNT(*) FROM {table}
                 WHERE {c} LIKE 'enc1:%' GROUP BY 1"
            )))
            .fetch_all(db)
            .await?;
            for (kid, n) in rows {
                add(kid, n);
            }
        }
    }
    // The change log's copies: each sealed value in a change's fields.
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT fields FROM changes WHERE instr(fields, 'enc1:') > 0")
            .fetch_all(db)
            .await?;
    for (fields,) in rows {
        for part in fields.split("enc1:").skip(1) {
            add(part.split(':').next().map(str::to_string), 1);
        }
    }
    Ok(out)
}
