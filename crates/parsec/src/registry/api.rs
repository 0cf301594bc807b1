//! The registry's JSON API under `/api/v1/`: the same service functions as the pages, with
//! deliberate wire shapes (the `v1` in the path is their version). Errors come back as
//! `{error, field, message}` with a 4xx status.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{Asset, Site, Unit};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::web::auth::Auth;
use crate::web::page::{Fields, ListParams, PAGE_SIZE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/forces", get(forces))
        .route("/api/v1/units", get(units).post(unit_create))
        .route("/api/v1/units/{id}", get(unit).put(unit_update))
        .route("/api/v1/assets", get(assets).post(asset_create))
        .route("/api/v1/assets/{id}", get(asset).put(asset_update))
        .route("/api/v1/sites", get(sites).post(site_create))
        .route("/api/v1/sites/{id}", get(site).put(site_update))
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
    let (rows, total) = super::list_units(&state.db, &auth.scope, &p).await?;
    Ok(page(rows.iter().map(unit_json).collect(), total, &p))
}

async fn unit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    Ok(Json(unit_json(
        &super::get_unit(&state.db, &auth.scope, &id).await?,
    )))
}

async fn unit_create(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let input = super::UnitInput::parse(&state, &Fields::from_json(&body)?).await?;
    let id = super::create_unit(&state, &auth.user.actor(), input).await?;
    Ok(created(unit_json(
        &super::get_unit(&state.db, &auth.scope, &id).await?,
    )))
}

async fn unit_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<Value>> {
    auth.require(Permission::EditUnits)?;
    let input = super::UnitInput::parse(&state, &Fields::from_json(&body)?).await?;
    super::update_unit(&state, &auth.user.actor(), &auth.scope, &id, input).await?;
    Ok(Json(unit_json(
        &super::get_unit(&state.db, &auth.scope, &id).await?,
    )))
}

async fn assets(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_assets(&state.db, &auth.scope, &p).await?;
    Ok(page(rows.iter().map(asset_json).collect(), total, &p))
}

async fn asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    Ok(Json(asset_json(
        &super::get_asset(&state.db, &auth.scope, &id).await?,
    )))
}

async fn asset_create(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let input = super::AssetInput::parse(&state, &auth.scope, &Fields::from_json(&body)?).await?;
    let id = super::create_asset(&state, &auth.user.actor(), input).await?;
    Ok(created(asset_json(
        &super::get_asset(&state.db, &auth.scope, &id).await?,
    )))
}

async fn asset_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<Value>> {
    auth.require(Permission::EditAssets)?;
    let input = super::AssetInput::parse(&state, &auth.scope, &Fields::from_json(&body)?).await?;
    super::update_asset(&state, &auth.user.actor(), &auth.scope, &id, input).await?;
    Ok(Json(asset_json(
        &super::get_asset(&state.db, &auth.scope, &id).await?,
    )))
}

async fn sites(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_sites(&state.db, &auth.scope, &p).await?;
    Ok(page(rows.iter().map(site_json).collect(), total, &p))
}

async fn site(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    auth.require(Permission::ViewRegistry)?;
    Ok(Json(site_json(
        &super::get_site(&state.db, &auth.scope, &id).await?,
    )))
}

async fn site_create(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let input = super::SiteInput::parse(&state, &auth.scope, &Fields::from_json(&body)?).await?;
    let id = super::create_site(&state, &auth.user.actor(), input).await?;
    Ok(created(site_json(
        &super::get_site(&state.db, &auth.scope, &id).await?,
    )))
}

async fn site_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<Value>> {
    auth.require(Permission::EditUnits)?;
    let input = super::SiteInput::parse(&state, &auth.scope, &Fields::from_json(&body)?).await?;
    super::update_site(&state, &auth.user.actor(), &auth.scope, &id, input).await?;
    Ok(Json(site_json(
        &super::get_site(&state.db, &auth.scope, &id).await?,
    )))
}
