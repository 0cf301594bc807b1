//! The registry's forms read into the commands its services take (`UnitInput`, `AssetInput`,
//! `SiteInput`); the checks that need the database (a force's code, a unit in scope, a place
//! of the gazetteer) are the service's.

use super::model::{AssetKind, AssetStatus, Coded, SiteKind, SiteStatus, UnitKind};
use super::{AssetInput, SiteInput, UnitInput};
use crate::accounts::Scope;
use crate::app::AppState;
use crate::db;
use crate::error::{AppResult, Problems};
use crate::web::page::Fields;

fn place(state: &AppState, p: &mut Problems, f: &Fields) -> AppResult<super::Place> {
    let lat = p.or_default(f.optional_f64("lat", -90.0, 90.0))?;
    let lon = p.or_default(f.optional_f64("lon", -180.0, 180.0))?;
    p.or_default(super::place_of(state, f.get("locality"), lat, lon))
}

/// The unit form.
pub async fn unit_input(state: &AppState, f: &Fields) -> AppResult<UnitInput> {
    let mut p = Problems::default();
    let parent_id = match f.get("parent") {
        "" => None,
        given if super::unit_exists(&state.db, given).await? => Some(given.to_string()),
        _ => {
            p.add("parent", "error-unknown-unit");
            None
        }
    };
    let input = UnitInput {
        name: p.or_default(f.required("name", 120))?,
        kind: p.or(f.choice("kind", UnitKind::parse), UnitKind::ALL[0])?,
        force_id: p.or_default(super::force_of(&state.db, f.get("force")).await)?,
        parent_id,
        place: place(state, &mut p, f)?,
        call_sign: p
            .or_default(f.optional("call_sign", 32))?
            .map(|s| s.to_uppercase()),
    };
    p.finish(input)
}

/// The asset form (the unit must be in the user's scope).
pub async fn asset_input(state: &AppState, scope: &Scope, f: &Fields) -> AppResult<AssetInput> {
    let mut p = Problems::default();
    let registration = p.or_default(f.required("registration", 32))?.to_uppercase();
    if !registration
        .chars()
        .all(|c| c.is_alphanumeric() || " -/.".contains(c))
    {
        p.add("registration", "error-registration-format");
    }
    let this_year = i64::from(db::now().year());
    let input = AssetInput {
        kind: p.or(f.choice("kind", AssetKind::parse), AssetKind::ALL[0])?,
        force_id: p.or_default(super::force_of(&state.db, f.get("force")).await)?,
        unit_id: p
            .or_default(super::unit_in_scope(&state.db, scope, f.get("unit"), "unit").await)?,
        registration,
        make: p.or_default(f.required("make", 60))?,
        model: p.or_default(f.required("model", 60))?,
        year: p.or_default(f.optional_i64("year", 1950, this_year + 1))?,
        status: p.or(f.choice("status", AssetStatus::parse), AssetStatus::ALL[0])?,
        odometer_km: p.or_default(f.optional_f64("odometer_km", 0.0, 5_000_000.0))?,
        engine_hours: p.or_default(f.optional_f64("engine_hours", 0.0, 500_000.0))?,
        flight_hours: p.or_default(f.optional_f64("flight_hours", 0.0, 500_000.0))?,
        notes: p.or_default(f.optional("notes", 2000))?.unwrap_or_default(),
    };
    p.finish(input)
}

/// The site form (the unit must be in the user's scope).
pub async fn site_input(state: &AppState, scope: &Scope, f: &Fields) -> AppResult<SiteInput> {
    let mut p = Problems::default();
    let input = SiteInput {
        name: p.or_default(f.required("name", 120))?,
        kind: p.or(f.choice("kind", SiteKind::parse), SiteKind::ALL[0])?,
        unit_id: p
            .or_default(super::unit_in_scope(&state.db, scope, f.get("unit"), "unit").await)?,
        place: place(state, &mut p, f)?,
        status: p.or(f.choice("status", SiteStatus::parse), SiteStatus::ALL[0])?,
        notes: p.or_default(f.optional("notes", 2000))?.unwrap_or_default(),
    };
    p.finish(input)
}
