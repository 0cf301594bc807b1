//! The workshop's side of the fleet (issue 13). Today: the meters. Each reading of an asset's
//! km, engine hours or flight hours is kept; readings only go up in date order, except at an
//! explicit meter replacement, recorded with its reason. The asset's current meter (the
//! registry's) follows the latest reading through `registry::set_meter`.

pub mod availability;
pub mod demo;
pub mod fuel;
pub mod parts;
pub mod plans;
pub mod web;
pub mod work_orders;

use sqlx::FromRow;

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult, Problems};

/// What a meter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meter {
    Km,
    EngineHours,
    FlightHours,
}

impl Meter {
    pub const ALL: [Meter; 3] = [Meter::Km, Meter::EngineHours, Meter::FlightHours];

    pub fn code(self) -> &'static str {
        match self {
            Meter::Km => "km",
            Meter::EngineHours => "engine_hours",
            Meter::FlightHours => "flight_hours",
        }
    }

    pub fn parse(s: &str) -> Option<Meter> {
        Meter::ALL.into_iter().find(|m| m.code() == s)
    }
}

/// A reading as the workshop types it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReading {
    pub meter: Meter,
    /// Which engine, for an asset with several (`""`: the only one).
    pub engine: String,
    pub read_on: time::Date,
    pub value: f64,
    /// A new meter starts with this reading (the old one was replaced); `note` says why.
    pub replaced: bool,
    pub note: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Reading {
    pub id: String,
    pub meter: String,
    pub engine: String,
    pub read_on: String,
    pub value: f64,
    pub replaced: bool,
    pub note: String,
    pub recorded_by: String,
}

/// Records a reading, after checking it fits the meter's sequence: not lower than the reading
/// before it, not higher than the one after (unless a replacement lies between), not in the
/// future. Refused with the reason, nothing written.
pub async fn record_reading(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    asset_id: &str,
    r: &NewReading,
) -> AppResult<String> {
    crate::registry::get_asset(&state.db, scope, asset_id).await?;
    let mut p = Problems::default();
    if r.read_on > db::now().date() {
        p.add("read_on", "error-future-date");
    }
    if !r.value.is_finite() || r.value < 0.0 {
        p.add("value", "error-out-of-range");
    }
    if r.replaced && r.note.trim().is_empty() {
        p.add("note", "error-meter-replacement-reason");
    }
    p.finish(())?;
    let day = r.read_on.to_string();
    let mut tx = db::begin_write(&state.db).await?;
    // The reading just before (same day counts as before) and the one just after.
    let before: Option<(f64,)> = sqlx::query_as(
        "SELECT value FROM meter_readings WHERE asset_id = ? AND meter = ? AND engine = ?
         AND read_on <= ? ORDER BY read_on DESC, recorded_at DESC LIMIT 1",
    )
    .bind(asset_id)
    .bind(r.meter.code())
    .bind(&r.engine)
    .bind(&day)
    .fetch_optional(&mut *tx)
    .await?;
    let after: Option<(f64, bool)> = sqlx::query_as(
        "SELECT value, replaced FROM meter_readings WHERE asset_id = ? AND meter = ? AND engine = ?
         AND read_on > ? ORDER BY read_on, recorded_at LIMIT 1",
    )
    .bind(asset_id)
    .bind(r.meter.code())
    .bind(&r.engine)
    .bind(&day)
    .fetch_optional(&mut *tx)
    .await?;
    if !r.replaced {
        if let Some((prev,)) = before
            && r.value < prev
        {
            return Err(AppError::invalid("value", "error-meter-backwards"));
        }
        if let Some((next, false)) = after
            && r.value > next
        {
            return Err(AppError::invalid("value", "error-meter-out-of-sequence"));
        }
    }
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO meter_readings (id, asset_id, meter, engine, read_on, value, replaced, note,
         recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(asset_id)
    .bind(r.meter.code())
    .bind(&r.engine)
    .bind(&day)
    .bind(r.value)
    .bind(r.replaced)
    .bind(r.note.trim())
    .bind(&actor.0)
    .bind(db::now_text())
    .execute(&mut *tx)
    .await?;
    // The asset shows its latest reading (of its main meter: engine "").
    if after.is_none() && r.engine.is_empty() {
        crate::registry::set_meter(&mut tx, asset_id, r.meter.code(), r.value).await?;
    }
    audit::append(
        &mut tx,
        actor,
        if r.replaced { "replace" } else { "create" },
        "meter_reading",
        &id,
        &format!(
            "asset={asset_id} meter={} engine={} day={day} value={}",
            r.meter.code(),
            r.engine,
            r.value
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An asset's readings, newest first.
pub async fn readings(state: &AppState, asset_id: &str) -> AppResult<Vec<Reading>> {
    Ok(sqlx::query_as(
        "SELECT id, meter, engine, read_on, value, replaced, note, recorded_by
         FROM meter_readings WHERE asset_id = ? ORDER BY read_on DESC, recorded_at DESC LIMIT 100",
    )
    .bind(asset_id)
    .fetch_all(&state.db)
    .await?)
}
