//! Fuel issued to an asset — litres, its meter then, from a station or a jerrycan — and the
//! consumption read from it per 100 km or per hour, with the stretches far from the asset's
//! usual consumption flagged (the arithmetic is `maintenance::fuel`'s).

use sqlx::FromRow;

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult, Problems};

pub const SOURCES: &[&str] = &["station", "jerrycan"];

#[derive(Debug, Clone, PartialEq)]
pub struct NewFuel {
    pub day: time::Date,
    pub litres: f64,
    /// The asset's meter (km or hours) when filled.
    pub meter: Option<f64>,
    pub source: &'static str,
    pub note: String,
}

/// Records fuel given to an asset. Refused: a day in the future, litres out of range, a meter
/// lower than at an earlier issue (or higher than at a later one).
pub async fn record(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    asset_id: &str,
    f: &NewFuel,
) -> AppResult<String> {
    crate::registry::get_asset(&state.db, scope, asset_id).await?;
    let mut p = Problems::default();
    if f.day > db::now().date() {
        p.add("day", "error-future-date");
    }
    if !(f.litres > 0.0 && f.litres <= 10_000.0) {
        p.add("litres", "error-out-of-range");
    }
    if f.meter.is_some_and(|m| !m.is_finite() || m < 0.0) {
        p.add("meter", "error-out-of-range");
    }
    if !SOURCES.contains(&f.source) {
        p.add("source", "error-bad-choice");
    }
    p.finish(())?;
    let day = f.day.to_string();
    let mut tx = db::begin_write(&state.db).await?;
    if let Some(m) = f.meter {
        let (before, after): (Option<f64>, Option<f64>) = sqlx::query_as(
            "SELECT (SELECT MAX(meter) FROM fuel_issues WHERE asset_id = ?1 AND day <= ?2),
                    (SELECT MIN(meter) FROM fuel_issues WHERE asset_id = ?1 AND day > ?2)",
        )
        .bind(asset_id)
        .bind(&day)
        .fetch_one(&mut *tx)
        .await?;
        if before.is_some_and(|b| m < b) {
            return Err(AppError::invalid("meter", "error-meter-backwards"));
        }
        if after.is_some_and(|a| m > a) {
            return Err(AppError::invalid("meter", "error-meter-out-of-sequence"));
        }
    }
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO fuel_issues (id, asset_id, day, litres, meter, source, note, recorded_by,
         recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(asset_id)
    .bind(&day)
    .bind(f.litres)
    .bind(f.meter)
    .bind(f.source)
    .bind(f.note.trim())
    .bind(&actor.0)
    .bind(db::now_text())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "fuel_issue",
        &id,
        &format!("asset={asset_id} day={day} litres={}", f.litres),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, FromRow)]
pub struct Issue {
    pub id: String,
    pub day: String,
    pub litres: f64,
    pub meter: Option<f64>,
    pub source: String,
    pub note: String,
    pub recorded_by: String,
}

/// An issue with the consumption of the stretch it closes (litres per km or per hour) and
/// whether that stretch stands out.
#[derive(Debug, Clone)]
pub struct Line {
    pub issue: Issue,
    pub per_unit: Option<f64>,
    pub outlier: bool,
}

/// An asset's fuel issues (the last year's, newest first) with their consumption, and the
/// average consumption over them.
pub async fn of_asset(state: &AppState, asset_id: &str) -> AppResult<(Vec<Line>, Option<f64>)> {
    let since = (db::now().date() - time::Duration::days(366)).to_string();
    let issues: Vec<Issue> = sqlx::query_as(
        "SELECT id, day, litres, meter, source, note, recorded_by FROM fuel_issues
         WHERE asset_id = ? AND day >= ? ORDER BY day DESC, recorded_at DESC",
    )
    .bind(asset_id)
    .bind(&since)
    .fetch_all(&state.db)
    .await?;
    let measured: Vec<(usize, maintenance::fuel::Issue)> = issues
        .iter()
        .enumerate()
        .filter_map(|(i, x)| {
            Some((
                i,
                maintenance::fuel::Issue {
                    day: db::day(&x.day)?,
                    litres: x.litres,
                    meter: x.meter?,
                },
            ))
        })
        .collect();
    let plain: Vec<maintenance::fuel::Issue> = measured.iter().map(|(_, x)| *x).collect();
    let mut lines: Vec<Line> = issues
        .into_iter()
        .map(|issue| Line {
            issue,
            per_unit: None,
            outlier: false,
        })
        .collect();
    for c in maintenance::fuel::consumption(&plain) {
        if let Some((i, _)) = measured.get(c.index)
            && let Some(line) = lines.get_mut(*i)
        {
            line.per_unit = Some(c.per_unit);
            line.outlier = c.outlier;
        }
    }
    Ok((lines, maintenance::fuel::average(&plain)))
}
