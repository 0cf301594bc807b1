//! Paged, filtered, sorted list queries shared by the capabilities: the SQL is fixed text with
//! `?` placeholders, the order comes from a whitelist, every value given by a user is bound.

use sqlx::{AssertSqlSafe, FromRow, Row};

use crate::accounts::Scope;
use crate::db::Db;
use crate::error::AppResult;
use crate::web::page::PAGE_SIZE;

/// The most rows a list counts. Counting every row of a filter on every page read all five
/// years of a region (a `COUNT(*)` over millions of rows); a list counts at most one row more
/// than this, says "more than 10,000" beyond, and pages over the first 10,000 rows (400
/// pages; past them, the user narrows the filter, as for an export). Keyset paging would need
/// no count at all, but it would take away the page numbers the lists have.
pub const COUNT_MOST: i64 = 10_000;

/// How a clause behaves in the walk along the list's order (see `ListQuery::walk`).
#[derive(Clone, Copy)]
enum Walk {
    /// An equality or a range on a column that has its index followed by the order's column:
    /// kept, so the walk may use that index and still come out in order.
    Filter,
    /// Checked on each row walked: written `+(…)`, which no index serves.
    Check,
    /// Checked on each row walked, written as this text (same bound values).
    Text(&'static str),
}

struct Clause {
    sql: &'static str,
    walk: Walk,
}

/// WHERE clauses and their bound values, built from list parameters.
#[derive(Default)]
pub struct Where {
    clauses: Vec<Clause>,
    binds: Vec<String>,
}

impl Where {
    pub fn eq(&mut self, clause: &'static str, value: &str) {
        if !value.is_empty() {
            self.push(clause, Walk::Filter, vec![value.to_string()]);
        }
    }

    pub fn like(&mut self, clause: &'static str, n: usize, value: &str) {
        if !value.is_empty() {
            let pattern = format!("%{}%", value.replace(['%', '_'], ""));
            self.push(clause, Walk::Check, vec![pattern; n]);
        }
    }

    /// A condition with nothing bound (`status IN ('a', 'b')`), checked on each row.
    pub fn fixed(&mut self, clause: &'static str) {
        self.push(clause, Walk::Check, Vec::new());
    }

    /// The units a reader sees. Checked on each row in the walk: a scope of several units
    /// gives no single ordered index range.
    pub fn scope(&mut self, clause: &'static str, scope: &Scope) {
        if let Some(json) = scope.as_json() {
            self.push(clause, Walk::Check, vec![json]);
        }
    }

    /// A full-text search: `clause` as the filter (the words drive the query), `walk` as the
    /// check in the walk along the list's order; `query` is `fts_query`'s.
    pub fn matches(&mut self, clause: &'static str, walk: &'static str, query: Option<String>) {
        if let Some(q) = query {
            self.push(clause, Walk::Text(walk), vec![q]);
        }
    }

    fn push(&mut self, sql: &'static str, walk: Walk, binds: Vec<String>) {
        self.clauses.push(Clause { sql, walk });
        self.binds.extend(binds);
    }

    pub fn binds(&self) -> &[String] {
        &self.binds
    }

    pub fn sql(&self) -> String {
        Self::joined(self.clauses.iter().map(|c| c.sql.to_string()))
    }

    /// The clauses as the walk along the list's order checks them: the filters kept when
    /// `keep_filters` (their indexes follow the order), every other clause written so that no
    /// index serves it.
    fn walk_sql(&self, keep_filters: bool) -> String {
        Self::joined(self.clauses.iter().map(|c| match c.walk {
            Walk::Filter if keep_filters => c.sql.to_string(),
            Walk::Filter | Walk::Check => format!("+({})", c.sql),
            Walk::Text(text) => format!("+({text})"),
        }))
    }

    fn joined(clauses: impl Iterator<Item = String>) -> String {
        let clauses: Vec<String> = clauses.collect();
        if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        }
    }
}

/// A full-text query (FTS5) for what a user typed: each word of it, as the index folds
/// words (case and accents), matched as the beginning of a word (`tra` finds `Traoré`); a
/// single letter is matched as a whole word (the `N` of `N'Diaye`), as a prefix it would read
/// most of the index. `None` when nothing is left to search for.
pub fn fts_query(text: &str) -> Option<String> {
    // At most eight words of forty letters: the query stays cheap whatever is typed.
    let words: Vec<String> = text
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| {
            let w: String = w.chars().take(40).collect();
            // Only letters and digits are left: nothing in a word can end its quotes.
            if w.chars().count() > 1 {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// A page of a list, as SQL: the rows of `table` that a filter keeps, in an order.
///
/// The page is read in one pass over what the filter keeps, stopped after `COUNT_MOST + 1`
/// rows: their keys and order terms only (mostly from an index), which gives the count and,
/// sorted, the page's keys; then the page's rows by key. A filter that keeps few rows is
/// thus read once, even when its index does not give the list's order (the scope of a
/// commandant, several units; a name searched through the full-text index).
///
/// When the filter keeps more than `COUNT_MOST` rows, sorting them all would read them all:
/// the page is then read by walking the order's index and checking the filter on each row,
/// which finds a page of common rows after a few dozen steps. `walk` says how: its FROM, and
/// whether the filters' own indexes keep the order (they do for the time order: each is
/// followed by the time).
pub struct ListQuery {
    select: &'static str,
    /// The list's tables, joined: where a page's rows are read by key.
    table: &'static str,
    /// The FROM of the filter (the full-text index joined first when there is a search).
    from: String,
    /// The row's key in `table` (its rowid).
    key: &'static str,
    w: Where,
    /// The order's terms and their directions; the key last, so that the order is total.
    order: Vec<(String, &'static str)>,
    walk: Option<(String, bool)>,
}

impl ListQuery {
    pub fn new(
        select: &'static str,
        table: &'static str,
        key: &'static str,
        w: Where,
        order: Vec<(String, &'static str)>,
    ) -> ListQuery {
        ListQuery {
            select,
            table,
            from: table.to_string(),
            key,
            w,
            order,
            walk: None,
        }
    }

    /// The filter's FROM, when it is not the list's tables (a search joins its index).
    pub fn filter_from(mut self, from: &str) -> ListQuery {
        self.from = from.to_string();
        self
    }

    /// Reads the page by walking the order from `from` when the filter keeps too many rows to
    /// sort (see the type's comment); `keep_filters` when the filters' indexes keep the order.
    pub fn walk(mut self, from: &str, keep_filters: bool) -> ListQuery {
        self.walk = Some((from.to_string(), keep_filters));
        self
    }

    pub fn binds(&self) -> &[String] {
        self.w.binds()
    }

    fn order_sql(&self) -> String {
        let terms: Vec<String> = self.order.iter().map(|(t, d)| format!("{t} {d}")).collect();
        terms.join(", ")
    }

    /// How many rows the filter keeps, counted up to one more than `COUNT_MOST`.
    pub fn count_sql(&self) -> String {
        format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {}{} LIMIT {})",
            self.from,
            self.w.sql(),
            COUNT_MOST + 1
        )
    }

    /// The page in one pass (`LIMIT ? OFFSET ?` after the binds), each row with
    /// `list_total`, the capped count: the keys and order terms of what the filter keeps (at
    /// most `COUNT_MOST + 1`), the page's keys among them, the page's rows.
    pub fn page_sql(&self) -> String {
        let terms: Vec<String> = self
            .order
            .iter()
            .enumerate()
            .map(|(n, (t, _))| format!("{t} AS list_k{n}"))
            .collect();
        let by: Vec<String> = self
            .order
            .iter()
            .enumerate()
            .map(|(n, (_, d))| format!("list_k{n} {d}"))
            .collect();
        format!(
            "WITH list_m AS MATERIALIZED (
                 SELECT {key} AS list_key, {terms} FROM {from}{w} LIMIT {most}),
             list_p AS (SELECT list_key FROM list_m ORDER BY {by} LIMIT ? OFFSET ?)
             SELECT {select}, (SELECT COUNT(*) FROM list_m) AS list_total
             FROM {table} WHERE {key} IN (SELECT list_key FROM list_p) ORDER BY {order}",
            key = self.key,
            terms = terms.join(", "),
            from = self.from,
            w = self.w.sql(),
            most = COUNT_MOST + 1,
            by = by.join(", "),
            select = self.select,
            table = self.table,
            order = self.order_sql(),
        )
    }

    /// The page's rows in order (`LIMIT ? OFFSET ?` after the binds): walked along the order
    /// when `walked` (and the list can be walked), else as the filter finds them.
    pub fn rows_sql(&self, walked: bool) -> String {
        let (from, w) = match (&self.walk, walked) {
            (Some((from, keep)), true) => (from.as_str(), self.w.walk_sql(*keep)),
            _ => (self.from.as_str(), self.w.sql()),
        };
        format!(
            "SELECT {} FROM {from}{w} ORDER BY {} LIMIT ? OFFSET ?",
            self.select,
            self.order_sql()
        )
    }

    /// Whether the page can be walked along the order (for the tests of the plans).
    pub fn walks(&self) -> bool {
        self.walk.is_some()
    }
}

/// Runs a list's page: in one pass when the filter keeps at most `COUNT_MOST` rows, walked
/// along the order when it keeps more (see `ListQuery`); for a list that is never walked, the
/// count then the page in order. The total it gives is the count
/// capped at `COUNT_MOST + 1`: above `COUNT_MOST` means "more than".
pub async fn fetch_list<T>(db: &Db, q: &ListQuery, page: i64) -> AppResult<(Vec<T>, i64)>
where
    T: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let offset = (page.max(1) - 1) * PAGE_SIZE;
    if !q.walks() {
        // Every filter's index gives the order: the count, then the page read in order.
        let w = &q.w;
        return fetch_page(db, q.select, &q.from, w, &q.order_sql(), page).await;
    }
    let sql = q.page_sql();
    let mut found = sqlx::query(AssertSqlSafe(sql.as_str()));
    for b in q.binds() {
        found = found.bind(b);
    }
    let found = found.bind(PAGE_SIZE).bind(offset).fetch_all(db).await?;
    let total = match found.first() {
        Some(row) => row.try_get::<i64, _>("list_total")?,
        // A page past the end says nothing of the count.
        None => {
            let sql = q.count_sql();
            let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.as_str()));
            for b in q.binds() {
                count = count.bind(b);
            }
            count.fetch_one(db).await?
        }
    };
    if total <= COUNT_MOST {
        let rows = found
            .iter()
            .map(T::from_row)
            .collect::<Result<Vec<T>, _>>()?;
        return Ok((rows, total));
    }
    let sql = q.rows_sql(true);
    let mut rows = sqlx::query_as::<_, T>(AssertSqlSafe(sql.as_str()));
    for b in q.binds() {
        rows = rows.bind(b);
    }
    Ok((
        rows.bind(PAGE_SIZE).bind(offset).fetch_all(db).await?,
        total,
    ))
}

/// Runs a paged list query: `select` and `from` are fixed SQL, the order comes from a
/// whitelist, the values are bound. For the short lists (units, assets, the review queue):
/// the count, capped as `fetch_list`'s, then the page.
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
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {from}{} LIMIT {})",
        w.sql(),
        COUNT_MOST + 1
    );
    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str()));
    for b in w.binds() {
        count = count.bind(b);
    }
    let total = count.fetch_one(db).await?;
    let offset = (page.max(1) - 1) * PAGE_SIZE;
    if total <= COUNT_MOST && offset >= total {
        return Ok((Vec::new(), total));
    }
    let sql = format!(
        "SELECT {select} FROM {from}{} ORDER BY {order} LIMIT ? OFFSET ?",
        w.sql()
    );
    let mut q = sqlx::query_as::<_, T>(AssertSqlSafe(sql.as_str()));
    for b in w.binds() {
        q = q.bind(b);
    }
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

/// The ORDER BY of a list sorted by one of its `columns` (by key; the default column when
/// the key is none of them).
pub fn order_by(
    sort: Option<&str>,
    descending: bool,
    columns: &[(&str, &'static str)],
    default: &'static str,
) -> String {
    let col = columns
        .iter()
        .find(|(k, _)| Some(*k) == sort)
        .map(|(_, c)| *c)
        .unwrap_or(default);
    let dir = if descending { "DESC" } else { "ASC" };
    format!("{col} {dir}, 1")
}

/// A list's filter as `key=value` pairs (the empty ones left out), for the audit of what was
/// listed or exported; the caller gives the keys in a stable order.
pub fn described(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}
