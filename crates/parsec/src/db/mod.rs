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
    if !create && !path.exists() {
        return Err(AppError::Internal(format!(
            "la base {} n'existe pas (lancez d'abord `parsec init`)",
            path.display()
        )));
    }
    let options = SqliteConnectOptions::from_str("sqlite:")
        .map_err(AppError::from)?
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("migrations/sqlite").run(&pool).await?;
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

/// Times are stored as RFC 3339 UTC text with second precision, which sorts as text.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

pub fn now_text() -> String {
    timestamp(now())
}

/// The day of a `YYYY-MM-DD` text (or of the start of an RFC 3339 time), if it is a real one.
pub fn day(s: &str) -> Option<time::Date> {
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
    let target = to.to_string_lossy().to_string();
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(db)
        .await?;
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
