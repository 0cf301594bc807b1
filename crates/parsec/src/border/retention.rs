//! The retention of person crossings: older than the configured period (five years by
//! default), they are deleted with the vehicles and goods of the same time, except a crossing
//! linked to a confirmed screening hit (evidence in a case). The daily counts stay, so the
//! statistics outlive the personal data. Each purge is audited with its counts.

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

/// Crossings before this time that a confirmed hit keeps (`?1`: the cutoff).
const KEPT: &str = "SELECT c.id FROM crossings c JOIN screening_hits h ON h.crossing_id = c.id
    WHERE c.crossed_at < ?1 AND h.status = 'confirme'";

/// Deletes what is older than `days` days, in one transaction with its audit entry.
pub async fn run(state: &AppState, actor: &Actor, days: u32) -> AppResult<Purged> {
    // A period of zero days would purge everything, and a huge one overflows the calendar.
    if !(30..=36_500).contains(&days) {
        return Err(crate::error::AppError::invalid(
            "days",
            "error-retention-days",
        ));
    }
    let cutoff = db::timestamp(db::now() - Duration::days(i64::from(days)));
    let mut tx = db::begin_write(&state.db).await?;
    let kept: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(DISTINCT id) FROM ({KEPT})"
    )))
    .bind(&cutoff)
    .fetch_one(&mut *tx)
    .await?;
    let goods = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM goods_declarations WHERE crossed_at < ?1
         AND (crossing_id IS NULL OR crossing_id NOT IN ({KEPT}))
         AND (vehicle_id IS NULL OR vehicle_id NOT IN
              (SELECT id FROM crossing_vehicles WHERE driver_crossing_id IN ({KEPT})))"
    )))
    .bind(&cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let vehicles = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM crossing_vehicles WHERE crossed_at < ?1
         AND (driver_crossing_id IS NULL OR driver_crossing_id NOT IN ({KEPT}))"
    )))
    .bind(&cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // The hits of the crossings that go (none of them confirmed) go with them.
    let hits = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM screening_hits WHERE crossing_id IN
         (SELECT id FROM crossings WHERE crossed_at < ?1 AND id NOT IN ({KEPT}))"
    )))
    .bind(&cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // The alerts shared about those travellers, and the partners' alerts, once past their
    // validity: names and plates do not outlive the period either.
    let mut alerts = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM exchange_alerts WHERE valid_until < substr(?1, 1, 10)
         OR crossing_id IN (SELECT id FROM crossings WHERE crossed_at < ?1 AND id NOT IN ({KEPT}))"
    )))
    .bind(&cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    alerts += sqlx::query("DELETE FROM partner_alerts WHERE valid_until < substr(?1, 1, 10)")
        .bind(&cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let crossings = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM crossings WHERE crossed_at < ?1 AND id NOT IN ({KEPT})"
    )))
    .bind(&cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let purged = Purged {
        crossings,
        vehicles,
        goods,
        hits,
        kept: u64::try_from(kept).unwrap_or(0),
        alerts,
    };
    audit::append(
        &mut tx,
        actor,
        "purge",
        "crossing",
        "-",
        &format!(
            "before={cutoff} crossings={} vehicles={} goods={} hits={} alerts={} kept={}",
            purged.crossings,
            purged.vehicles,
            purged.goods,
            purged.hits,
            purged.alerts,
            purged.kept
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(purged)
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
