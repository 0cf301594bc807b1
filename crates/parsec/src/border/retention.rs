//! The retention of person crossings: older than the configured period (five years by
//! default), they are deleted with the vehicles and goods of the same time, except a crossing
//! linked to a confirmed screening hit (evidence in a case). The daily counts stay, so the
//! statistics outlive the personal data. The purge goes in short batches, each audited with
//! its counts; the hits go through `screening`, which owns them.

use time::Duration;

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::AppResult;

/// What a purge removed and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    pub crossings: u64,
    pub vehicles: u64,
    pub goods: u64,
    pub hits: u64,
    /// Old crossings kept because a hit on them was confirmed.
    pub kept: u64,
    /// Alerts shared with or received from the partners, past their validity before the cutoff.
    pub alerts: u64,
}

/// Crossings deleted per transaction: each batch holds the write lock for a few milliseconds,
/// so the agents' saves go on during a purge of years of traffic.
const BATCH: i64 = 2000;

/// Deletes what is older than `days` days, in short transactions of at most `BATCH` rows, each
/// with its own audit entry (what it removed), so that the write lock is never held long and an
/// interrupted purge leaves a consistent, audited state that the next run finishes.
pub async fn run(state: &AppState, actor: &Actor, days: u32) -> AppResult<Purged> {
    // A period of zero days would purge everything, and a huge one overflows the calendar.
    if !(30..=36_500).contains(&days) {
        return Err(crate::error::AppError::invalid(
            "days",
            "error-retention-days",
        ));
    }
    let cutoff = db::timestamp(db::now() - Duration::days(i64::from(days)));
    let mut purged = Purged {
        kept: kept(&state.db, &cutoff).await?,
        ..Purged::default()
    };
    // The old crossings with what hangs on them (hits, shared alerts, the vehicles they drove
    // and their goods), a batch at a time.
    loop {
        let mut tx = db::begin_write(&state.db).await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM crossings c WHERE crossed_at < ?1
             AND NOT EXISTS (SELECT 1 FROM screening_hits h
                             WHERE h.crossing_id = c.id AND h.status = 'confirme')
             ORDER BY crossed_at LIMIT ?2",
        )
        .bind(&cutoff)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if ids.is_empty() {
            break;
        }
        let batch = serde_json::to_string(&ids).unwrap_or_default();
        let mut done = Purged {
            kept: purged.kept,
            ..Purged::default()
        };
        done.hits = crate::screening::delete_hits_of_crossings(&mut tx, &batch).await?;
        done.alerts = exec(
            &mut tx,
            "DELETE FROM exchange_alerts WHERE crossing_id IN (SELECT value FROM json_each(?1))",
            &batch,
        )
        .await?;
        let driven = "SELECT v.id FROM crossing_vehicles v
             WHERE v.driver_crossing_id IN (SELECT value FROM json_each(?1))";
        done.goods = exec(
            &mut tx,
            &format!(
                "DELETE FROM goods_declarations WHERE crossing_id IN (SELECT value FROM json_each(?1))
                 OR vehicle_id IN ({driven})"
            ),
            &batch,
        )
        .await?;
        done.vehicles = exec(
            &mut tx,
            &format!("DELETE FROM crossing_vehicles WHERE id IN ({driven})"),
            &batch,
        )
        .await?;
        done.crossings = exec(
            &mut tx,
            "DELETE FROM crossings WHERE id IN (SELECT value FROM json_each(?1))",
            &batch,
        )
        .await?;
        finish_batch(&mut tx, actor, &cutoff, &done).await?;
        tx.commit().await?;
        purged.add(&done);
    }
    // Vehicles and goods of the period not tied to a crossing that stays, and the alerts past
    // their validity: the same, a batch at a time.
    let kept_drivers = "SELECT 1 FROM screening_hits h
         WHERE h.crossing_id = v.driver_crossing_id AND h.status = 'confirme'";
    let vehicles = format!(
        "DELETE FROM crossing_vehicles WHERE id IN (
             SELECT v.id FROM crossing_vehicles v WHERE v.crossed_at < ?1
             AND NOT EXISTS ({kept_drivers}) LIMIT {BATCH})"
    );
    let goods = format!(
        "DELETE FROM goods_declarations WHERE id IN (
             SELECT g.id FROM goods_declarations g WHERE g.crossed_at < ?1
             AND NOT EXISTS (SELECT 1 FROM screening_hits h
                             WHERE h.crossing_id = g.crossing_id AND h.status = 'confirme')
             AND NOT EXISTS (SELECT 1 FROM crossing_vehicles v
                             WHERE v.id = g.vehicle_id AND EXISTS ({kept_drivers}))
             LIMIT {BATCH})"
    );
    let shared = format!(
        "DELETE FROM exchange_alerts WHERE id IN (SELECT id FROM exchange_alerts
             WHERE valid_until < substr(?1, 1, 10) LIMIT {BATCH})"
    );
    let received = format!(
        "DELETE FROM partner_alerts WHERE id IN (SELECT id FROM partner_alerts
             WHERE valid_until < substr(?1, 1, 10) LIMIT {BATCH})"
    );
    for (sql, field) in [
        (goods.as_str(), Field::Goods),
        (vehicles.as_str(), Field::Vehicles),
        (shared.as_str(), Field::Alerts),
        (received.as_str(), Field::Alerts),
    ] {
        loop {
            let mut tx = db::begin_write(&state.db).await?;
            let n = exec(&mut tx, sql, &cutoff).await?;
            if n == 0 {
                break;
            }
            let mut done = Purged {
                kept: purged.kept,
                ..Purged::default()
            };
            *field.of(&mut done) = n;
            finish_batch(&mut tx, actor, &cutoff, &done).await?;
            tx.commit().await?;
            purged.add(&done);
        }
    }
    Ok(purged)
}

/// Old crossings that a confirmed hit keeps.
async fn kept(db: &db::Db, cutoff: &str) -> AppResult<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT c.id) FROM crossings c JOIN screening_hits h ON h.crossing_id = c.id
         WHERE c.crossed_at < ?1 AND h.status = 'confirme'",
    )
    .bind(cutoff)
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[derive(Clone, Copy)]
enum Field {
    Goods,
    Vehicles,
    Alerts,
}

impl Field {
    fn of(self, p: &mut Purged) -> &mut u64 {
        match self {
            Field::Goods => &mut p.goods,
            Field::Vehicles => &mut p.vehicles,
            Field::Alerts => &mut p.alerts,
        }
    }
}

impl Purged {
    fn add(&mut self, other: &Purged) {
        self.crossings += other.crossings;
        self.vehicles += other.vehicles;
        self.goods += other.goods;
        self.hits += other.hits;
        self.alerts += other.alerts;
    }
}

async fn exec(tx: &mut db::Tx, sql: &str, bind: &str) -> AppResult<u64> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// The audit entry of one batch, in its transaction.
async fn finish_batch(
    tx: &mut db::Tx,
    actor: &Actor,
    cutoff: &str,
    done: &Purged,
) -> AppResult<()> {
    audit::append(
        tx,
        actor,
        "purge",
        "crossing",
        "-",
        &format!(
            "before={cutoff} crossings={} vehicles={} goods={} hits={} alerts={} kept={}",
            done.crossings, done.vehicles, done.goods, done.hits, done.alerts, done.kept
        ),
    )
    .await?;
    Ok(())
}

/// Runs the purge once a day while the server runs (first a minute after start).
pub async fn every_day(state: AppState) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(24 * 3600),
    );
    loop {
        ticks.tick().await;
        let days = state.config.crossing_retention_days;
        match run(&state, &Actor::system("retention"), days).await {
            Ok(p) => tracing::info!(?p, days, "retention purge"),
            Err(e) => tracing::error!(error = %e, "retention purge failed"),
        }
    }
}
