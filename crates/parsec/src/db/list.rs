//! Paged, filtered, sorted list queries shared by the capabilities: the SQL is fixed text with
//! `?` placeholders, the order comes from a whitelist, every value given by a user is bound.

use sqlx::{AssertSqlSafe, FromRow};

use crate::accounts::Scope;
use crate::db::Db;
use crate::error::AppResult;
use crate::web::page::{ListParams, PAGE_SIZE};

/// WHERE clauses and their bound values, built from list parameters.
#[derive(Default)]
pub struct Where {
    clauses: Vec<&'static str>,
    binds: Vec<String>,
}

impl Where {
    pub fn eq(&mut self, clause: &'static str, value: &str) {
        if !value.is_empty() {
            self.clauses.push(clause);
            self.binds.push(value.to_string());
        }
    }

    pub fn like(&mut self, clause: &'static str, n: usize, value: &str) {
        if !value.is_empty() {
            self.clauses.push(clause);
            let pattern = format!("%{}%", value.replace(['%', '_'], ""));
            self.binds.extend(std::iter::repeat_n(pattern, n));
        }
    }

    pub fn scope(&mut self, clause: &'static str, scope: &Scope) {
        if let Some(json) = scope.as_json() {
            self.clauses.push(clause);
            self.binds.push(json);
        }
    }

    pub fn binds(&self) -> &[String] {
        &self.binds
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// Runs a paged list query: `select` and `from` are fixed SQL, the order comes from a
/// whitelist, the values are bound.
pub async fn fetch_page<T>(
    db: &Db,
    select: &str,
    from: &str,
    w: &Where,
    order: &str,
    page: i64,
) -> AppResult<(Vec<T>, i64)>
where
    T: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let count_sql = format!("SELECT COUNT(*) FROM {from}{}", w.sql());
    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str()));
    for b in &w.binds {
        count = count.bind(b);
    }
    let total = count.fetch_one(db).await?;
    let sql = format!(
        "SELECT {select} FROM {from}{} ORDER BY {order} LIMIT ? OFFSET ?",
        w.sql()
    );
    let mut q = sqlx::query_as::<_, T>(AssertSqlSafe(sql.as_str()));
    for b in &w.binds {
        q = q.bind(b);
    }
    let offset = (page.max(1) - 1) * PAGE_SIZE;
    let rows = q.bind(PAGE_SIZE).bind(offset).fetch_all(db).await?;
    Ok((rows, total))
}

/// The most rows an export gives: beyond, the user narrows the filter.
pub const EXPORT_MOST: i64 = 100_000;

/// Every row of a filter (for the exports); more than `limit` is refused, never cut silently.
pub async fn fetch_all<T>(
    db: &Db,
    select: &str,
    from: &str,
    w: &Where,
    order: &str,
    limit: i64,
) -> AppResult<Vec<T>>
where
    T: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let sql = format!(
        "SELECT {select} FROM {from}{} ORDER BY {order} LIMIT ?",
        w.sql()
    );
    let mut q = sqlx::query_as::<_, T>(AssertSqlSafe(sql.as_str()));
    for b in &w.binds {
        q = q.bind(b);
    }
    let rows: Vec<T> = q.bind(limit.saturating_add(1)).fetch_all(db).await?;
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit {
        return Err(crate::error::AppError::invalid(
            "from",
            "error-export-too-large",
        ));
    }
    Ok(rows)
}

pub fn order_by(
    params: &ListParams,
    columns: &[(&str, &'static str)],
    default: &'static str,
) -> String {
    let col = columns
        .iter()
        .find(|(k, _)| *k == params.get("sort"))
        .map(|(_, c)| *c)
        .unwrap_or(default);
    let dir = if params.desc() { "DESC" } else { "ASC" };
    format!("{col} {dir}, 1")
}
