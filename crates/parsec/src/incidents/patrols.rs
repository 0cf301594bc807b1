//! Patrols: planned by a unit (its assets, a route through localities, the dates), then
//! reported (done or not done, observations); incidents raised during a patrol point to it.

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatrolRow {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub route: String,
    pub assets: String,
    pub status: String,
    pub report: String,
    pub reported_at: Option<String>,
    pub reported_by: Option<String>,
}

const SELECT: &str =
    "p.id, p.unit_id, u.name AS unit_name, p.starts_on, p.ends_on, p.route, p.assets,
    p.status, p.report, p.reported_at, p.reported_by";
const IN_SCOPE: &str = "(?2 IS NULL OR p.unit_id IN (SELECT value FROM json_each(?2)))";

/// A patrol as planned: its days, its stops as named, the registrations of its assets.
#[derive(Debug, Clone)]
pub struct NewPatrol {
    /// The form's one-time key.
    pub submission_id: String,
    pub starts_on: time::Date,
    pub ends_on: time::Date,
    /// The places it passes, as typed (each must be a locality of the gazetteer).
    pub route: Vec<String>,
    /// Registrations of the unit's assets.
    pub assets: Vec<String>,
}

/// Plans a patrol for a unit: dates in order, every stop a known locality, every asset one of
/// the unit's (idempotent by the form's key; audited).
pub async fn plan(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    patrol: &NewPatrol,
) -> AppResult<String> {
    let submission = patrol.submission_id.as_str();
    if submission.is_empty() || submission.len() > 64 {
        return Err(AppError::invalid("submission", "error-stale-form"));
    }
    if let Some(id) =
        sqlx::query_scalar::<_, String>("SELECT id FROM patrols WHERE submission_id = ?")
            .bind(submission)
            .fetch_optional(&state.db)
            .await?
    {
        return Ok(id);
    }
    let (starts, ends) = (patrol.starts_on.to_string(), patrol.ends_on.to_string());
    if starts > ends {
        return Err(AppError::invalid("ends_on", "error-date-order"));
    }
    let mut stops = Vec::new();
    for name in patrol
        .route
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        let found = state
            .gazetteer
            .locality(name)
            .or_else(|| {
                state
                    .gazetteer
                    .search(name, 1)
                    .into_iter()
                    .next()
                    .filter(|h| h.kind == gazetteer::MatchKind::Exact)
                    .map(|h| h.locality)
            })
            .ok_or(AppError::invalid("route", "error-unknown-locality"))?;
        stops.push(found.name.clone());
    }
    if stops.is_empty() {
        return Err(AppError::invalid("route", "error-required"));
    }
    if stops.len() > 30 {
        return Err(AppError::invalid("route", "error-route-too-long"));
    }
    let mut assets = Vec::new();
    for reg in patrol
        .assets
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        let known: Option<String> = sqlx::query_scalar(
            "SELECT registration FROM assets WHERE upper(registration) = upper(?) AND unit_id = ?",
        )
        .bind(reg)
        .bind(unit_id)
        .fetch_optional(&state.db)
        .await?;
        assets.push(known.ok_or(AppError::invalid("assets", "error-asset-not-of-unit"))?);
    }
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO patrols (id, submission_id, unit_id, created_at, created_by, starts_on, ends_on,
         route, assets, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'prevue')",
    )
    .bind(&id)
    .bind(submission)
    .bind(unit_id)
    .bind(db::now_text())
    .bind(&actor.0)
    .bind(&starts)
    .bind(&ends)
    .bind(stops.join(" → "))
    .bind(assets.join(", "))
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, actor, "create", "patrol", &id, &stops.join(" → ")).await?;
    tx.commit().await?;
    Ok(id)
}

/// Reports a patrol: done or not done, with observations (mandatory when not done).
pub async fn report(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
    done: bool,
    observations: &str,
) -> AppResult<()> {
    let observations = observations.trim();
    if observations.chars().count() > 4000 {
        return Err(AppError::invalid("report", "error-too-long"));
    }
    if !done && observations.is_empty() {
        return Err(AppError::invalid("report", "error-patrol-report"));
    }
    let mut tx = db::begin_write(&state.db).await?;
    let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE patrols AS p SET status = ?3, report = ?4, reported_at = ?5, reported_by = ?6
         WHERE p.id = ?1 AND {IN_SCOPE} AND p.status = 'prevue'"
    )))
    .bind(id)
    .bind(scope.as_json())
    .bind(if done { "effectuee" } else { "non_effectuee" })
    .bind(observations)
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        actor,
        "report",
        "patrol",
        id,
        if done { "effectuee" } else { "non_effectuee" },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(state: &AppState, scope: &Scope, id: &str) -> AppResult<PatrolRow> {
    let row: Option<PatrolRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM patrols p JOIN units u ON u.id = p.unit_id WHERE p.id = ?1 AND {IN_SCOPE}"
    )))
    .bind(id)
    .bind(scope.as_json())
    .fetch_optional(&state.db)
    .await?;
    row.ok_or(AppError::NotFound)
}

/// What a page of patrols keeps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatrolFilter {
    pub status: Option<String>,
    /// Words of the unit's name or the route.
    pub search: String,
    /// From 1.
    pub page: i64,
}

/// A page of patrols, latest first, filtered by status and by text (unit or route).
pub async fn list(
    state: &AppState,
    scope: &Scope,
    f: &PatrolFilter,
) -> AppResult<(Vec<PatrolRow>, i64)> {
    let mut w = crate::db::list::Where::default();
    w.eq("p.status = ?", f.status.as_deref().unwrap_or(""));
    w.like("(p.route LIKE ? OR u.name LIKE ?)", 2, &f.search);
    w.scope("p.unit_id IN (SELECT value FROM json_each(?))", scope);
    crate::db::list::fetch_page(
        &state.db,
        SELECT,
        "patrols p JOIN units u ON u.id = p.unit_id",
        &w,
        "p.starts_on DESC, p.id",
        f.page.max(1),
    )
    .await
}

/// The patrols whose last day is past and whose report is not written, the oldest first.
pub async fn due_to_report(
    state: &AppState,
    scope: &Scope,
    today: time::Date,
) -> AppResult<(Vec<PatrolRow>, i64)> {
    let mut w = crate::db::list::Where::default();
    w.fixed("p.status = 'prevue'");
    w.eq("p.ends_on < ?", &today.to_string());
    w.scope("p.unit_id IN (SELECT value FROM json_each(?))", scope);
    crate::db::list::fetch_page(
        &state.db,
        SELECT,
        "patrols p JOIN units u ON u.id = p.unit_id",
        &w,
        "p.ends_on, p.id",
        1,
    )
    .await
}

/// Patrols done and not done over a period (any day of the patrol in it), per cercle of the
/// unit's post ("—" for a unit placed nowhere).
pub async fn by_cercle(
    state: &AppState,
    scope: &Scope,
    from: &str,
    to: &str,
) -> AppResult<Vec<(String, i64, i64)>> {
    let rows: Vec<(Option<String>, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.locality_id, p.status FROM patrols p JOIN units u ON u.id = p.unit_id
         WHERE p.starts_on <= ?3 AND p.ends_on >= ?1 AND p.status <> 'prevue' AND {IN_SCOPE}"
    )))
    .bind(from)
    .bind(scope.as_json())
    .bind(to)
    .fetch_all(&state.db)
    .await?;
    let mut out: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (locality, status) in rows {
        let cercle = locality
            .as_deref()
            .and_then(|l| state.gazetteer.locality(l))
            .map_or_else(|| "—".to_string(), |l| l.cercle.clone());
        let counts = out.entry(cercle).or_default();
        if status == "effectuee" {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    Ok(out.into_iter().map(|(c, (d, n))| (c, d, n)).collect())
}
