//! The incidents as files for other tools: ACLED's CSV (the format is `incidents::acled`'s)
//! and GeoJSON points for any GIS. Both go through `incidents::export`, which audits them.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::Params;
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::incidents::{self, acled};
use crate::web::auth::Auth;
use crate::web::download::{attachment, csv_line};
use crate::web::page::ListParams;

/// The incidents as ACLED exports them: its 31 columns, in its order (civil-protection
/// events, which ACLED does not record, keep our names).
pub(super) async fn export_acled(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let rows = incidents::export(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &super::incident_filter(&ListParams(q)),
    )
    .await?;
    let mut out = acled::COLUMNS.join(",");
    out.push('\n');
    for r in &rows {
        out.push_str(&csv_line(&acled::row(r, &state.gazetteer)));
    }
    Ok(attachment(
        "text/csv; charset=utf-8",
        "incidents-acled.csv",
        out,
    ))
}

/// The incidents as GeoJSON points, for any GIS.
pub(super) async fn export_geojson(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let rows = incidents::export(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &super::incident_filter(&ListParams(q)),
    )
    .await?;
    let features: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let (t, s) = acled::names(&r.event_type, &r.sub_event_type).unwrap_or(("", ""));
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "id": r.id, "occurred_at": r.occurred_at, "place": r.place, "cercle": r.cercle,
                    "geo_precision": r.geo_precision, "event_type": t, "sub_event_type": s,
                    "fatalities": r.fatalities, "injured": r.injured, "missing": r.missing,
                    "status": r.status, "unit": r.unit_name
                }
            })
        })
        .collect();
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
        .into_response())
}
