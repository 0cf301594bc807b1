//! The registry's forms read into the commands its services take (`UnitInput`, `AssetInput`,
//! `SiteInput`); the checks that need the database (a force's code, a unit in scope, a place
//! of the gazetteer) are the service's.

use super::model::{AssetKind, AssetStatus, Coded, SiteKind, SiteStatus, UnitKind};
use super::{AssetInput, SiteInput, UnitInput};
use crate::accounts::Scope;
use crate::app::AppState;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::web::page::Fields;

fn place(state: &AppState, f: &Fields) -> AppResult<super::Place> {
    let lat = f.optional_f64("lat", -90.0, 90.0)?;
    let lon = f.optional_f64("lon", -180.0, 180.0)?;
    super::place_of(state, f.get("locality"), lat, lon)
}

/// The unit form.
pub async fn unit_input(state: &AppState, f: &Fields) -> AppResult<UnitInput> {
    let name = f.required("name", 120)?;
    let kind = f.choice("kind", UnitKind::parse)?;
    let force_id = super::force_of(&state.db, f.get("force")).await?;
    let parent_id = match f.get("parent") {
        "" => None,
        p if super::unit_exists(&state.db, p).await? => Some(p.to_string()),
        _ => return Err(AppError::invalid("parent", "error-unknown-unit")),
    };
    let place = place(state, f)?;
    let call_sign = f.optional("call_sign", 32)?.map(|s| s.to_uppercase());
    Ok(UnitInput {
        name,
        kind,
        force_id,
        parent_id,
        place,
        call_sign,
    })
}

/// The asset form (the unit must be in the user's scope).
pub async fn asset_input(state: &AppState, scope: &Scope, f: &Fields) -> AppResult<AssetInput> {
    let kind = f.choice("kind", AssetKind::parse)?;
    let force_id = super::force_of(&state.db, f.get("force")).await?;
    let unit_id = super::unit_in_scope(&state.db, scope, f.get("unit"), "unit").await?;
    let registration = f.required("registration", 32)?.to_uppercase();
    if !registration
        .chars()
        .all(|c| c.is_alphanumeric() || " -/.".contains(c))
    {
        return Err(AppError::invalid(
            "registration",
            "error-registration-format",
        ));
    }
    let make = f.required("make", 60)?;
    let model = f.required("model", 60)?;
    let this_year = i64::from(db::now().year());
    let year = f.optional_i64("year", 1950, this_year + 1)?;
    let status = f.choice("status", AssetStatus::parse)?;
    let odometer_km = f.optional_f64("odometer_km", 0.0, 5_000_000.0)?;
    let engine_hours = f.optional_f64("engine_hours", 0.0, 500_000.0)?;
    let flight_hours = f.optional_f64("flight_hours", 0.0, 500_000.0)?;
    let notes = f.optional("notes", 2000)?.unwrap_or_default();
    Ok(AssetInput {
        kind,
        force_id,
        unit_id,
        registration,
        make,
        model,
        year,
        status,
        odometer_km,
        engine_hours,
        flight_hours,
        notes,
    })
}

/// The site form (the unit must be in the user's scope).
pub async fn site_input(state: &AppState, scope: &Scope, f: &Fields) -> AppResult<SiteInput> {
    Ok(SiteInput {
        name: f.required("name", 120)?,
        kind: f.choice("kind", SiteKind::parse)?,
        unit_id: super::unit_in_scope(&state.db, scope, f.get("unit"), "unit").await?,
        place: place(state, f)?,
        status: f.choice("status", SiteStatus::parse)?,
        notes: f.optional("notes", 2000)?.unwrap_or_default(),
    })
}
