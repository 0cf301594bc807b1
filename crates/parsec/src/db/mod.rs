//! The embedded store: one SQLite file in WAL mode, migrations compiled into the binary, and the
//! small helpers every capability shares (new ids, the clock, write transactions, backup).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{AppError, AppResult};

pub mod list;

pub type Db = SqlitePool;
pub type Tx = Transaction<'static, Sqlite>;

/// Opens (and creates when `create` is set) the database file and applies the migrations.
pub async fn open(path: &Path, create: bool) -> AppResult<Db> {
    open_limited(path, create, None).await
}

/// `open`, with the database's size capped at `max_bytes` when given: writes beyond it fail
/// as on a full disk, before the disk that the rest of the laptop needs is full.
///
/// A failed write never leaves a pooled connection unusable: SQLite may roll a transaction
/// back by itself on a full disk (SQLITE_FULL, SQLITE_IOERR), after which sqlx still counts
/// the transaction as open, and every later `BEGIN` on that connection would fail ("begin_with
/// at non-zero transaction depth") until a restart. Such a connection is closed when it comes
/// back to the pool, and the server recovers by itself once space is back.
pub async fn open_limited(path: &Path, create: bool, max_bytes: Option<u64>) -> AppResult<Db> {
    if !create && !path.exists() {
        return Err(AppError::Internal(format!(
            "la base {} n'existe pas (lancez d'abord `parsec init`)",
            path.display()
        )));
    }
    // Personal data: the file (and so its -wal and -shm, which SQLite makes with the same
    // mode) is readable by its owner only, whether new or made by an earlier version.
    if create && !path.exists() {
        create_private(path)
            .map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))?;
    }
    make_private(path).map_err(|e| AppError::Internal(format!("{} : {e}", path.display())))?;
    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(AppError::from)?
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a write acknowledged to an agent survives the power cuts that posts have every
        // day (NORMAL may lose the last transactions; the cost is in docs/benchmarks.md).
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // What is deleted or overwritten (a purged crossing, a value sealed again) is zeroed
        // in the file, not left readable in free pages.
        .pragma("secure_delete", "ON")
        .busy_timeout(Duration::from_secs(10));
    let options = match max_bytes {
        // The page size is 4096 bytes (SQLite's default, which we never change).
        Some(bytes) => options.pragma("max_page_count", (bytes / 4096).max(1).to_string()),
        None => options,
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_release(|conn, _| {
            Box::pin(async move {
                // Flush the rollback that a dropped transaction queued, then look: still "in
                // a transaction" means SQLite ended it by itself and the count is stale.
                sqlx::Connection::ping(&mut *conn).await?;
                let poisoned = sqlx::Connection::is_in_transaction(&*conn);
                if poisoned {
                    tracing::warn!("closing a database connection left in a failed transaction");
                }
                Ok(!poisoned)
            })
        })
        .connect_with(options)
        .await?;
    sqlx::migrate!("migrations/sqlite").run(&pool).await?;
    crate::sync::capture::install(&pool).await?;
    Ok(pool)
}

/// Begins a write transaction that takes SQLite's write lock at once. A deferred transaction
/// that reads before writing (every audited write reads the chain's head) could otherwise fail
/// to upgrade when another writer commits in between.
pub async fn begin_write(db: &Db) -> AppResult<Tx> {
    Ok(db.begin_with("BEGIN IMMEDIATE").await?)
}

/// A new record id: UUIDv7 text, sortable by creation time and unique across nodes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A clock that tells the real time unless a test set it: the custody's deadlines and alerts
/// are tested hours ahead without sleeping.
#[derive(Debug, Default)]
pub struct Clock(std::sync::Mutex<Option<OffsetDateTime>>);

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        self.0.lock().ok().and_then(|t| *t).unwrap_or_else(now)
    }

    /// Sets the time (`None`: back to the real one).
    pub fn set(&self, at: Option<OffsetDateTime>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
}

/// Times are stored as RFC 3339 UTC text with second precision, which sorts as text.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

pub fn now_text() -> String {
    timestamp(now())
}

/// A day as people here write it — `05/12/2026`, `5.12.2026`, `05-12-2026`, or a month
/// `12/1975` — as the records keep it (`2026-12-05`, `1975-12`); any other text as it is
/// (trimmed), for the caller's own check.
pub fn iso_day(typed: &str) -> String {
    let t = typed.trim();
    let parts: Vec<&str> = t.split(['/', '.', '-']).collect();
    let digits = |p: &str, most: usize| {
        !p.is_empty() && p.len() <= most && p.bytes().all(|b| b.is_ascii_digit())
    };
    match parts.as_slice() {
        [d, m, y] if digits(d, 2) && digits(m, 2) && y.len() == 4 && digits(y, 4) => {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        [m, y] if t.contains('/') && digits(m, 2) && y.len() == 4 && digits(y, 4) => {
            format!("{y}-{m:0>2}")
        }
        _ => t.to_string(),
    }
}

/// The day of a `YYYY-MM-DD` text (or of the start of an RFC 3339 time), if it is a real one.
pub fn day(s: &str) -> Option<time::Date> {
    let s = iso_day(s);
    let d = s.get(..10)?;
    if d.len() != 10 || d.as_bytes().get(4) != Some(&b'-') || d.as_bytes().get(7) != Some(&b'-') {
        return None;
    }
    let year: i32 = d.get(..4)?.parse().ok()?;
    let month: u8 = d.get(5..7)?.parse().ok()?;
    let day: u8 = d.get(8..10)?.parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Writes a consistent copy of the live database to `to`. `VACUUM INTO` reads the database in
/// one transaction, so the copy is consistent while the server keeps writing (WAL readers do not
/// block writers), and it needs no unsafe FFI to SQLite's backup API.
pub async fn backup(db: &Db, to: &Path) -> AppResult<()> {
    if to.exists() {
        return Err(AppError::Internal(format!(
            "le fichier {} existe déjà : choisissez un autre nom",
            to.display()
        )));
    }
    // Made empty first, owner only: VACUUM INTO fills an empty file and keeps its mode.
    create_private(to).map_err(|e| AppError::Internal(format!("{} : {e}", to.display())))?;
    let target = to.to_string_lossy().to_string();
    let copied = sqlx::query("VACUUM INTO ?").bind(target).execute(db).await;
    if let Err(e) = copied {
        // No empty or half-written copy left to be taken for a backup.
        let _ = std::fs::remove_file(to);
        return Err(e.into());
    }
    Ok(())
}

/// Creates a file that only its owner may read and write; fails if it exists.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Narrows an existing file to its owner (a database created by an earlier version).
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Whether the database can take a write now (a full disk lets reads through and refuses
/// writes): a row of three pages is written, taken back and committed, so the check needs as
/// much room as a real write does (a tiny row could fit in the slack of an existing page).
pub async fn probe_write(db: &Db) -> AppResult<()> {
    let mut tx = begin_write(db).await?;
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('health_probe', printf('%.*c', 12000, 'x'))",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM meta WHERE key = 'health_probe'")
        .execute(&mut *tx)
        .await?;
    set_meta(&mut tx, "last_health_write", &now_text()).await?;
    tx.commit().await?;
    Ok(())
}

/// A key/value in the `meta` table (node settings such as `initialised_at`).
pub async fn meta(db: &Db, key: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn set_meta(tx: &mut Tx, key: &str, value: &str) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// True when the error is a UNIQUE constraint violation (mapped to a field conflict).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

/// For `map_err` on a write: a UNIQUE violation becomes the user's conflict on `field` (said
/// with `key`), any other error stays what it is.
pub fn taken(
    field: &'static str,
    key: &'static str,
) -> impl FnOnce(sqlx::Error) -> crate::error::AppError {
    move |e| {
        if is_unique_violation(&e) {
            crate::error::AppError::Conflict { field, key }
        } else {
            e.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{day, iso_day};

    #[test]
    fn days_are_read_as_people_here_write_them() {
        assert_eq!(iso_day("05/12/2026"), "2026-12-05");
        assert_eq!(iso_day(" 5.12.2026 "), "2026-12-05");
        assert_eq!(iso_day("05-12-2026"), "2026-12-05");
        assert_eq!(iso_day("12/1975"), "1975-12");
        assert_eq!(iso_day("2026-12-05"), "2026-12-05");
        assert_eq!(iso_day("1975"), "1975");
        assert_eq!(
            day("05/12/2026").map(|d| d.to_string()).as_deref(),
            Some("2026-12-05")
        );
        assert_eq!(
            day("2026-12-05T06:39:00Z")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2026-12-05")
        );
        assert_eq!(day("31/02/2026"), None);
    }
}
