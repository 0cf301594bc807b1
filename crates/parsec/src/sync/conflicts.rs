//! The conflicts the synchronisation kept (issue 11): two writes of one field that did not see
//! each other, with different values. The merge leaves the later one in place on every node and
//! sets the other aside in `sync_conflicts` (see `apply`); nothing is dropped unseen. A
//! commandant or the operations centre decides: keep the value in place, or take the one set
//! aside — written as an ordinary edit, so the change log carries it to the other nodes. A
//! record the database refused whole (field `*`: a login taken on two nodes, an audit entry
//! that differs from the one held) has no single field to take: it can only be acknowledged.

use serde_json::Value;
use sqlx::SqliteConnection;

use super::capture::{self, Replicated, Share};
use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};

/// The field of a conflict on a whole record (see `apply`).
pub const WHOLE_RECORD: &str = "*";

/// The most open conflicts a page lists (the oldest first): they are resolved by hand, a
/// longer list would not be read.
pub const LIST_MOST: i64 = 500;

/// Fields whose values no page shows, whatever the table.
const SECRET_FIELDS: &[&str] = &["password_hash"];

/// A person's decision on a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The value in place stays; the one set aside is dropped.
    Keep,
    /// The value set aside replaces the one in place.
    Take,
}

impl Choice {
    pub fn parse(s: &str) -> Option<Choice> {
        match s.trim() {
            "keep" => Some(Choice::Keep),
            "take" => Some(Choice::Take),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Choice::Keep => "keep",
            Choice::Take => "take",
        }
    }
}

/// A conflict as kept. The values are JSON text (`"texte"`, `12`, `null`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Conflict {
    pub id: String,
    pub tbl: String,
    pub row_id: String,
    pub field: String,
    pub kept_value: Option<String>,
    pub kept_origin: Option<String>,
    pub lost_value: Option<String>,
    pub lost_origin: String,
    pub lost_actor: String,
    pub detected_at: String,
    pub resolved_at: Option<String>,
}

const COLUMNS: &str = "id, tbl, row_id, field, kept_value, kept_origin, lost_value, lost_origin,
     lost_actor, detected_at, resolved_at";

impl Conflict {
    pub fn whole_record(&self) -> bool {
        self.field == WHOLE_RECORD
    }

    /// Whether a page may show the two values: not for a whole record, not for the personal
    /// data the posts record (read only through their audited pages), not for a secret.
    pub fn values_shown(&self) -> bool {
        !self.whole_record()
            && capture::replicated(&self.tbl).is_some_and(|t| t.share == Share::Region)
            && !SECRET_FIELDS.contains(&self.field.as_str())
    }
}

/// A stored JSON value as a page shows it; None for an empty value.
pub fn value_text(json: Option<&str>) -> Option<String> {
    match serde_json::from_str::<Value>(json?).ok()? {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// The unit a conflict's record belongs to, for the unit scope: a unit is its own; a record
/// with a `unit_id` column, that unit (for a record refused whole, as the refused record says).
/// None for the region's shared records (forces, lists …), which only region-wide roles see.
async fn record_unit(conn: &mut SqliteConnection, c: &Conflict) -> AppResult<Option<String>> {
    let Some(table) = capture::replicated(&c.tbl) else {
        return Ok(None);
    };
    if table.table == "units" {
        return Ok(Some(c.row_id.clone()));
    }
    if c.whole_record() {
        let refused: Option<Value> = c
            .lost_value
            .as_deref()
            .and_then(|v| serde_json::from_str(v).ok());
        return Ok(refused
            .as_ref()
            .and_then(|v| v.get("unit_id"))
            .and_then(Value::as_str)
            .map(str::to_string));
    }
    if !capture::columns(&mut *conn, table.table)
        .await?
        .iter()
        .any(|c| c == "unit_id")
    {
        return Ok(None);
    }
    let unit: Option<Option<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT unit_id FROM {} WHERE \"{}\" = ?",
        table.table, table.key
    )))
    .bind(&c.row_id)
    .fetch_optional(conn)
    .await?;
    Ok(unit.flatten())
}

async fn visible(conn: &mut SqliteConnection, scope: &Scope, c: &Conflict) -> AppResult<bool> {
    Ok(match scope {
        Scope::All => true,
        Scope::Units(_) => record_unit(conn, c)
            .await?
            .is_some_and(|u| scope.allows_unit(&u)),
    })
}

/// The open conflicts the scope sees, the oldest first (at most `LIST_MOST`); with `node`, only
/// those where that node's write is one of the two.
pub async fn open(db: &Db, scope: &Scope, node: Option<&str>) -> AppResult<Vec<Conflict>> {
    let mut conn = db.acquire().await?;
    let rows: Vec<Conflict> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sync_conflicts
         WHERE resolved_at IS NULL AND (?1 IS NULL OR lost_origin = ?1 OR kept_origin = ?1)
         ORDER BY detected_at LIMIT ?2"
    )))
    .bind(node)
    .bind(LIST_MOST)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        if visible(&mut conn, scope, &c).await? {
            out.push(c);
        }
    }
    Ok(out)
}

/// The column a conflict names, checked against the replicated table's real columns: the
/// stored names are never put into SQL as they are.
async fn checked_column(
    conn: &mut SqliteConnection,
    c: &Conflict,
) -> AppResult<(&'static Replicated, String)> {
    let refused = || AppError::invalid("choice", "error-conflict-field");
    let table = capture::replicated(&c.tbl).ok_or_else(refused)?;
    let column = capture::columns(&mut *conn, table.table)
        .await?
        .into_iter()
        .find(|col| *col == c.field)
        .filter(|col| *col != table.key)
        .filter(|col| {
            col.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        })
        .ok_or_else(refused)?;
    Ok((table, column))
}

/// Whether `take` can apply: one real column of a replicated table — not a whole record, nor
/// a conflict about something else than a field (an asset dispatched by two nodes at once).
pub async fn takeable(db: &Db, c: &Conflict) -> AppResult<bool> {
    if c.whole_record() {
        return Ok(false);
    }
    let mut conn = db.acquire().await?;
    match checked_column(&mut conn, c).await {
        Ok(_) => Ok(true),
        Err(AppError::Invalid { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Resolves an open conflict the scope sees: `Take` writes the value set aside into its record
/// (an edit like any other, which goes to the other nodes); either way the conflict is closed
/// with who decided what, and the audit log says so — all in one transaction.
pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
    choice: Choice,
) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    let c: Conflict = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sync_conflicts WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if !visible(&mut tx, scope, &c).await? {
        return Err(AppError::NotFound);
    }
    if c.resolved_at.is_some() {
        return Err(AppError::Conflict {
            field: "choice",
            key: "error-conflict-resolved",
        });
    }
    if choice == Choice::Take {
        if c.whole_record() {
            return Err(AppError::invalid("choice", "error-conflict-whole"));
        }
        let (table, column) = checked_column(&mut tx, &c).await?;
        let value: Value = c
            .lost_value
            .as_deref()
            .map_or(Ok(Value::Null), serde_json::from_str)
            .map_err(|_| AppError::invalid("choice", "error-conflict-field"))?;
        let sql = format!(
            "UPDATE {} SET \"{column}\" = ? WHERE \"{}\" = ?",
            table.table, table.key
        );
        let done = super::apply::bind_value(sqlx::query(sqlx::AssertSqlSafe(sql)), &value)
            .bind(&c.row_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                // The value no longer fits the record (a registration taken since, a code
                // withdrawn): the decision is the person's to make again.
                sqlx::Error::Database(d) if d.kind() != sqlx::error::ErrorKind::Other => {
                    AppError::Conflict {
                        field: "choice",
                        key: "error-conflict-value-refused",
                    }
                }
                _ => e.into(),
            })?;
        if done.rows_affected() != 1 {
            return Err(AppError::Conflict {
                field: "choice",
                key: "error-conflict-record-gone",
            });
        }
    }
    sqlx::query(
        "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ?
         WHERE id = ? AND resolved_at IS NULL",
    )
    .bind(db::now_text())
    .bind(&actor.0)
    .bind(choice.code())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // The values stay out of the log: they may be personal data.
    audit::append(
        &mut tx,
        actor,
        "resolve",
        "sync_conflict",
        id,
        &format!(
            "choice={} table={} row={} field={}",
            choice.code(),
            c.tbl,
            c.row_id,
            c.field
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_read_as_text() {
        assert_eq!(
            value_text(Some("\"Pneu avant\"")).as_deref(),
            Some("Pneu avant")
        );
        assert_eq!(value_text(Some("12.5")).as_deref(), Some("12.5"));
        assert_eq!(value_text(Some("null")), None);
        assert_eq!(value_text(Some("\"\"")), None);
        assert_eq!(value_text(None), None);
        assert_eq!(Choice::parse(" take "), Some(Choice::Take));
        assert_eq!(Choice::parse("drop"), None);
    }
}
