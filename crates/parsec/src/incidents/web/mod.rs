//! The incidents' pages, a file a page: register.rs (the register's list and form, an
//! incident's page, its status, dispatch and response steps), map_page.rs (the map page; the
//! SVG itself is drawn by `incidents::map`), sitrep.rs (the situation report as a page, PDF,
//! CSV and XLSX), patrols.rs (the patrols' list, form, page and report), exports.rs (the
//! incidents as ACLED CSV and GeoJSON). Here: the router, and the helpers the pages share.

mod exports;
pub mod forms;
mod map_page;
mod patrols;
mod register;
mod sitrep;
mod watch;

pub use watch::{patrols_due_section, under_way_section, waiting_section};

use std::collections::HashMap;

use axum::extract::Query;
use axum::routing::{get, post};
use axum::{Form, Router};

use super::{IncidentFilter, IncidentSort, acled, model};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Auth;
use crate::web::page::{Fields, FormField, ListParams, options};
use exports::{export_acled, export_geojson};
use map_page::map_page;
use patrols::{
    patrol_create, patrol_form, patrol_report, patrol_report_form, patrol_view, patrols_list,
};
use register::{breakdown, create, dispatch, list, new_form, status, step, view};
use sitrep::{sitrep_csv, sitrep_page, sitrep_pdf, sitrep_xlsx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list))
        .route("/incidents/new", get(new_form).post(create))
        .route("/incidents/{id}", get(view))
        .route("/incidents/{id}/status", post(status))
        .route("/incidents/{id}/dispatch", post(dispatch))
        .route("/incidents/responses/{id}/breakdown", post(breakdown))
        .route("/incidents/responses/{id}/{step}", post(step))
        .route("/map", get(map_page))
        .route("/sitrep", get(sitrep_page))
        .route("/sitrep.pdf", get(sitrep_pdf))
        .route("/sitrep.csv", get(sitrep_csv))
        .route("/sitrep.xlsx", get(sitrep_xlsx))
        .route("/incidents/export.csv", get(export_acled))
        .route("/patrols", get(patrols_list))
        .route("/patrols/new", get(patrol_form).post(patrol_create))
        .route("/patrols/{id}", get(patrol_view))
        .route(
            "/patrols/{id}/report",
            get(patrol_report_form).post(patrol_report),
        )
        .route("/incidents/export.geojson", get(export_geojson))
}

type FormData = Form<Vec<(String, String)>>;
type Params = Query<HashMap<String, String>>;

/// A type's and a sub-type's names in the reader's language (ACLED's own in English).
fn type_labels(lang: Lang, t: &str, s: &str) -> (String, String) {
    let names = match lang {
        Lang::Fr => model::labels(t, s),
        Lang::En => acled::names(t, s),
    };
    names.map_or_else(
        || (t.to_string(), s.to_string()),
        |(a, b)| (a.to_string(), b.to_string()),
    )
}

/// The unit an incident or a patrol is reported for: the one chosen in the form at the
/// regional level, the user's own otherwise; refused when missing or out of the user's scope.
fn reporting_unit(auth: &Auth, f: &Fields) -> AppResult<String> {
    let unit = match (&auth.scope, &auth.user.unit_id) {
        (crate::accounts::Scope::All, own) if !f.get("unit").is_empty() || own.is_none() => {
            f.get("unit").to_string()
        }
        (_, Some(own)) => own.clone(),
        (_, None) => String::new(),
    };
    if unit.is_empty() {
        return Err(AppError::invalid("unit", "error-required"));
    }
    if !auth.scope.allows_unit(&unit) {
        return Err(AppError::invalid("unit", "error-unit-out-of-scope"));
    }
    Ok(unit)
}

/// The choice of the reporting unit, on the forms of the regional level (a unit reports as
/// itself and has no such field).
async fn unit_field(
    state: &AppState,
    auth: &Auth,
    f: &Fields,
    label: String,
) -> AppResult<Option<FormField>> {
    if !matches!(auth.scope, crate::accounts::Scope::All) {
        return Ok(None);
    }
    Ok(Some(
        FormField::new("unit", label, "select", String::new())
            .required()
            .options(options(
                units_in_scope(state, auth).await?,
                f.get("unit"),
                Some(String::new()),
            )),
    ))
}

async fn units_in_scope(state: &AppState, auth: &Auth) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM units WHERE (?1 IS NULL OR id IN (SELECT value FROM json_each(?1)))
         ORDER BY name",
    )
    .bind(auth.scope.as_json())
    .fetch_all(&state.db)
    .await?)
}

/// Minutes as hours and minutes.
fn duration(minutes: f64) -> String {
    let m = minutes.round() as i64;
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{} h {:02}", m / 60, m % 60)
    }
}

/// The cercle capitals named on the maps.
pub(crate) fn capitals(state: &AppState) -> Vec<(String, f64, f64)> {
    state
        .gazetteer
        .localities()
        .iter()
        .filter(|l| {
            l.in_region
                && matches!(
                    l.admin_seat.as_deref(),
                    Some("cercle_capital") | Some("region_capital")
                )
        })
        .map(|l| (l.name.clone(), l.lat, l.lon))
        .collect()
}

/// The register's query string as the service takes it. A date that does not read keeps
/// nothing out rather than emptying the list.
pub fn incident_filter(p: &ListParams) -> IncidentFilter {
    let code = |name: &str| {
        Some(p.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    IncidentFilter {
        event_type: code("event_type"),
        status: code("status"),
        cercle: code("cercle"),
        from: crate::db::day(p.get("from")),
        to: crate::db::day(p.get("to")),
        search: p.get("q").to_string(),
        sort: IncidentSort::parse(p.get("sort")),
        descending: p.desc(),
        page: p.page(),
    }
}
