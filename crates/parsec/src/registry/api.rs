//! The registry's JSON API under `/api/v1/`: the same service functions as the pages, with
//! deliberate wire shapes (the `v1` in the path is their version). Errors come back as
//! `{error, field, message}` with a 4xx status.

use super::web::record_filter;
use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::web::{Assets, Record, Sites, Units};
use super::{Asset, Site, Unit};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::web::auth::Auth;
use crate::web::page::{Fields, ListParams, PAGE_SIZE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/forces", get(forces))
        .route("/api/v1/units", get(units).post(create::<Units>))
        .route("/api/v1/units/{id}", get(one::<Units>).put(update::<Units>))
        .route("/api/v1/assets", get(assets).post(create::<Assets>))
        .route(
            "/api/v1/assets/{id}",
            get(one::<Assets>).put(update::<Assets>),
        )
        .route("/api/v1/sites", get(sites).post(create::<Sites>))
        .route("/api/v1/sites/{id}", get(one::<Sites>).put(update::<Sites>))
}

type Params = Query<HashMap<String, String>>;

fn page(items: Vec<Value>, total: i64, p: &ListParams) -> Json<Value> {
    Json(json!({"items": items, "total": total, "page": p.page(), "per_page": PAGE_SIZE}))
}

fn created(v: Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

pub fn unit_json(u: &Unit) -> Value {
    json!({
        "id": u.id, "name": u.name, "kind": u.kind, "force": u.force_code, "parent_id": u.parent_id,
        "locality_id": u.locality_id, "lat": u.lat, "lon": u.lon, "call_sign": u.call_sign,
        "created_at": u.created_at, "updated_at": u.updated_at,
    })
}

pub fn asset_json(a: &Asset) -> Value {
    json!({
        "id": a.id, "kind": a.kind, "force": a.force_code, "unit_id": a.unit_id,
        "registration": a.registration, "make": a.make, "model": a.model, "year": a.year,
        "status": a.status, "odometer_km": a.odometer_km, "engine_hours": a.engine_hours,
        "flight_hours": a.flight_hours, "notes": a.notes, "created_at": a.created_at, "updated_at": a.updated_at,
    })
}

pub fn site_json(s: &Site) -> Value {
    json!({
        "id": s.id, "name": s.name, "kind": s.kind, "unit_id": s.unit_id, "locality_id": s.locality_id,
        "lat": s.lat, "lon": s.lon, "status": s.status, "notes": s.notes,
        "created_at": s.created_at, "updated_at": s.updated_at,
    })
}

/// A record's wire shape.
trait ApiRecord: Record {
    fn json(row: &Self::Row) -> Value;
}

impl ApiRecord for Units {
    fn json(row: &Unit) -> Value {
        unit_json(row)
    }
}

impl ApiRecord for Assets {
    fn json(row: &Asset) -> Value {
        asset_json(row)
    }
}

impl ApiRecord for Sites {
    fn json(row: &Site) -> Value {
        site_json(row)
    }
}

async fn one<R: ApiRecord>(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    Ok(Json(R::json(&R::get(&state, &auth, &id).await?)))
}

async fn create<R: ApiRecord>(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Response> {
    auth.require(R::EDIT)?;
    let input = R::parse(&state, &auth, &Fields::from_json(&body)?).await?;
    let id = R::create(&state, &auth, input).await?;
    Ok(created(R::json(&R::get(&state, &auth, &id).await?)))
}

async fn update<R: ApiRecord>(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<Value>> {
    auth.require(R::EDIT)?;
    let input = R::parse(&state, &auth, &Fields::from_json(&body)?).await?;
    R::update(&state, &auth, &id, input).await?;
    Ok(Json(R::json(&R::get(&state, &auth, &id).await?)))
}

async fn forces(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let items: Vec<Value> = super::forces(&state.db)
        .await?
        .iter()
        .map(|f| json!({"id": f.id, "code": f.code, "name_fr": f.name_fr, "name_en": f.name_en}))
        .collect();
    Ok(Json(json!({"items": items})))
}

async fn units(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_units(&state.db, &auth.scope, &record_filter(&p)).await?;
    Ok(page(rows.iter().map(unit_json).collect(), total, &p))
}

async fn assets(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_assets(&state.db, &auth.scope, &record_filter(&p)).await?;
    Ok(page(rows.iter().map(asset_json).collect(), total, &p))
}

async fn sites(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_sites(&state.db, &auth.scope, &record_filter(&p)).await?;
    Ok(page(rows.iter().map(site_json).collect(), total, &p))
}
