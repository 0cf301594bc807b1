//! Password guessing slowed without locking anyone out, the way the trusted systems do it.
//!
//! - Each pair of account and client address has its own exponential backoff: after
//!   `free_failures` consecutive failures, the pair waits `backoff_base`, then twice that after
//!   each further failure, up to `backoff_max` — `familiar_backoff_max` from an address the
//!   account uses, so that someone guessing behind the owner's own address (a post's NAT)
//!   slows the owner by seconds, never locks them out. A success resets it.
//! - An address is *familiar* to an account when the account logged in from it within
//!   `familiar_for`. Failures from unfamiliar addresses are also counted per account and per
//!   address within `window`; beyond `unfamiliar_max`, unfamiliar attempts wait for the window
//!   to pass. A familiar address is never held by them: an attacker elsewhere cannot lock the
//!   commandant out, and six typos at a post behind one NAT address do not stop its colleagues.
//! - Failed and refused attempts are counted per account, address and hour
//!   (`login_failures`), with one audit entry for the first of each count, so that a flood of
//!   requests cannot grow the audit chain.
//!
//! The decision is a pure function of the counts (`decide`); the SQL around it is here too.

use std::time::Duration;

use time::OffsetDateTime;

use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult};

/// The throttle's settings (see the module's documentation).
#[derive(Debug, Clone)]
pub struct Limits {
    pub free_failures: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub familiar_backoff_max: Duration,
    pub window: Duration,
    pub unfamiliar_max: u32,
    pub familiar_for: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            free_failures: 3,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(15 * 60),
            familiar_backoff_max: Duration::from_secs(30),
            window: Duration::from_secs(15 * 60),
            unfamiliar_max: 10,
            familiar_for: Duration::from_secs(90 * 24 * 3600),
        }
    }
}

/// What is known of one account and address pair when an attempt arrives.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Consecutive failures of the pair since its last success.
    pub pair_failures: u32,
    pub pair_last_failure: Option<OffsetDateTime>,
    /// The account logged in from this address within `familiar_for`.
    pub familiar: bool,
    /// Failures within `window` from unfamiliar addresses: on this account, from this address.
    pub account_unfamiliar: u32,
    pub address_unfamiliar: u32,
}

/// The wait a pair owes after `failures` consecutive failures.
pub fn backoff(limits: &Limits, failures: u32) -> Duration {
    if failures < limits.free_failures {
        return Duration::ZERO;
    }
    let doublings = (failures - limits.free_failures).min(30);
    limits
        .backoff_base
        .saturating_mul(1u32 << doublings)
        .min(limits.backoff_max)
}

/// `None` when the attempt may go on to the password check; otherwise how long to wait.
pub fn decide(limits: &Limits, c: &Counts, now: OffsetDateTime) -> Option<Duration> {
    if let Some(last) = c.pair_last_failure {
        let mut wait = backoff(limits, c.pair_failures);
        if c.familiar {
            wait = wait.min(limits.familiar_backoff_max);
        }
        let until = last + wait;
        if now < until {
            let left = until - now;
            return Some(Duration::try_from(left).unwrap_or(Duration::from_secs(1)));
        }
    }
    let crowded = c.account_unfamiliar >= limits.unfamiliar_max
        || c.address_unfamiliar >= limits.unfamiliar_max;
    (!c.familiar && crowded).then_some(limits.window)
}

fn since(now: OffsetDateTime, d: Duration) -> String {
    db::timestamp(now - time::Duration::try_from(d).unwrap_or(time::Duration::ZERO))
}

/// Reads the counts of a pair, inside the caller's write transaction.
pub async fn counts(
    tx: &mut db::Tx,
    limits: &Limits,
    login: &str,
    address: &str,
    now: OffsetDateTime,
) -> AppResult<Counts> {
    let pair: Option<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT failures, last_failure, last_success FROM login_throttle
         WHERE login = ? AND address = ?",
    )
    .bind(login)
    .bind(address)
    .fetch_optional(&mut **tx)
    .await?;
    let (failures, last_failure, last_success) = pair.unwrap_or((0, None, None));
    let familiar_since = since(now, limits.familiar_for);
    let window_since = since(now, limits.window);
    // Unfamiliar pairs that failed within the window, on this account and from this address.
    let unfamiliar = |column: &'static str| {
        format!(
            "SELECT COALESCE(SUM(failures), 0) FROM login_throttle
             WHERE {column} = ? AND last_failure >= ?
               AND (last_success IS NULL OR last_success < ?)"
        )
    };
    let account_unfamiliar: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(unfamiliar("login")))
        .bind(login)
        .bind(&window_since)
        .bind(&familiar_since)
        .fetch_one(&mut **tx)
        .await?;
    let address_unfamiliar: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(unfamiliar("address")))
        .bind(address)
        .bind(&window_since)
        .bind(&familiar_since)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Counts {
        pair_failures: u32::try_from(failures).unwrap_or(u32::MAX),
        pair_last_failure: last_failure.as_deref().and_then(db::parse_timestamp),
        familiar: last_success.is_some_and(|s| s >= familiar_since),
        account_unfamiliar: u32::try_from(account_unfamiliar).unwrap_or(u32::MAX),
        address_unfamiliar: u32::try_from(address_unfamiliar).unwrap_or(u32::MAX),
    })
}

/// Counts the attempt as a failure before the password is checked (so that parallel guesses
/// cannot slip through between check and count); `succeeded` takes it back.
pub async fn count_attempt(
    tx: &mut db::Tx,
    login: &str,
    address: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    upsert_pair(
        tx,
        "INSERT INTO login_throttle (login, address, failures, last_failure) VALUES (?, ?, 1, ?)
         ON CONFLICT (login, address) DO UPDATE
         SET failures = failures + 1, last_failure = excluded.last_failure",
        login,
        address,
        now,
    )
    .await
}

/// The password was right: the pair starts afresh and the address becomes familiar.
pub async fn succeeded(
    tx: &mut db::Tx,
    login: &str,
    address: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    upsert_pair(
        tx,
        "INSERT INTO login_throttle (login, address, failures, last_success) VALUES (?, ?, 0, ?)
         ON CONFLICT (login, address) DO UPDATE
         SET failures = 0, last_failure = NULL, last_success = excluded.last_success",
        login,
        address,
        now,
    )
    .await
}

async fn upsert_pair(
    tx: &mut db::Tx,
    sql: &'static str,
    login: &str,
    address: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    sqlx::query(sql)
        .bind(login)
        .bind(address)
        .bind(db::timestamp(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A failed or refused attempt, counted per account, address and hour; the first of each
/// count is also an audit entry (`login_failed`, `login_refused`), the rest only the counter.
pub async fn record(
    tx: &mut db::Tx,
    login: &str,
    address: &str,
    action: &'static str,
    now: OffsetDateTime,
) -> AppResult<()> {
    let hour = db::timestamp(now).chars().take(13).collect::<String>();
    let column = if action == "login_refused" {
        "refused"
    } else {
        "failed"
    };
    let sql = format!(
        "INSERT INTO login_failures (login, address, hour, {column}) VALUES (?, ?, ?, 1)
         ON CONFLICT (login, address, hour) DO UPDATE SET {column} = {column} + 1
         RETURNING {column}"
    );
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(login)
        .bind(address)
        .bind(&hour)
        .fetch_one(&mut **tx)
        .await?;
    if n == 1 {
        let detail = format!("{address} (counted per hour in login_failures)");
        audit::append(
            tx,
            &Actor(login.to_string()),
            action,
            "session",
            "-",
            &detail,
        )
        .await?;
    }
    Ok(())
}

/// Checks and counts an attempt of `login` from `address` in one write transaction; refused
/// attempts are recorded (under `counted_as`: the account, or `-` for a login that is no
/// account, so that invented logins make no rows in the counts) and answer `Throttled`.
///
/// The decision is keyed by the login as typed, known or not: keyed otherwise, the answers
/// would tell which logins exist.
pub async fn admit(
    db: &db::Db,
    limits: &Limits,
    login: &str,
    counted_as: &str,
    address: &str,
) -> AppResult<()> {
    let now = db::now();
    let mut tx = db::begin_write(db).await?;
    let c = counts(&mut tx, limits, login, address, now).await?;
    if let Some(wait) = decide(limits, &c, now) {
        tracing::warn!(login = %counted_as, address = %address, wait_s = wait.as_secs(), "login slowed");
        record(&mut tx, counted_as, address, "login_refused", now).await?;
        tx.commit().await?;
        return Err(AppError::Throttled);
    }
    count_attempt(&mut tx, login, address, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets the pairs that failed more than a day ago and never succeeded: the backoff and the
/// window are long past, and invented logins must not pile up.
pub async fn forget_stale(db: &db::Db) -> AppResult<u64> {
    let day_ago = db::timestamp(db::now() - time::Duration::days(1));
    let mut tx = db::begin_write(db).await?;
    let n =
        sqlx::query("DELETE FROM login_throttle WHERE last_success IS NULL AND last_failure < ?")
            .bind(day_ago)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Runs `forget_stale` once a day while the server runs.
pub async fn every_day(db: db::Db) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    loop {
        ticks.tick().await;
        if let Err(e) = forget_stale(&db).await {
            tracing::error!(error = %e, "login throttle housekeeping failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(1_800_000_000 + s)
    }

    #[test]
    fn the_backoff_doubles_after_the_free_failures_and_stops_at_its_ceiling() {
        let l = Limits::default();
        let waits: Vec<u64> = (0..16).map(|n| backoff(&l, n).as_secs()).collect();
        assert_eq!(
            waits,
            [
                0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900
            ]
        );
        assert_eq!(backoff(&l, u32::MAX), l.backoff_max);
    }

    #[test]
    fn a_pair_waits_its_backoff_and_only_its_own() {
        let l = Limits::default();
        let slowed = Counts {
            pair_failures: 5,
            pair_last_failure: Some(at(0)),
            ..Counts::default()
        };
        assert_eq!(decide(&l, &slowed, at(1)), Some(Duration::from_secs(3)));
        assert_eq!(decide(&l, &slowed, at(4)), None);
        // Another pair of the same account, with no failures of its own, goes on.
        assert_eq!(decide(&l, &Counts::default(), at(1)), None);
    }

    #[test]
    fn at_the_owners_own_address_the_wait_stays_short() {
        let l = Limits::default();
        let guessed = Counts {
            pair_failures: 40,
            pair_last_failure: Some(at(0)),
            ..Counts::default()
        };
        assert_eq!(decide(&l, &guessed, at(60)), Some(Duration::from_secs(840)));
        let owner = Counts {
            familiar: true,
            ..guessed
        };
        assert_eq!(decide(&l, &owner, at(10)), Some(Duration::from_secs(20)));
        assert_eq!(decide(&l, &owner, at(30)), None);
    }

    #[test]
    fn a_crowd_of_unfamiliar_failures_holds_unfamiliar_addresses_only() {
        let l = Limits::default();
        let crowded = Counts {
            account_unfamiliar: 50,
            ..Counts::default()
        };
        assert_eq!(decide(&l, &crowded, at(0)), Some(l.window));
        let owner = Counts {
            familiar: true,
            ..crowded
        };
        assert_eq!(decide(&l, &owner, at(0)), None);
        let spraying_address = Counts {
            address_unfamiliar: 10,
            ..Counts::default()
        };
        assert_eq!(decide(&l, &spraying_address, at(0)), Some(l.window));
    }
}
