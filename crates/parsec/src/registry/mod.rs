//! The registry: the shared reference of the region. Geography comes from the shipped
//! gazetteer (read-only, in memory); forces, units, assets and infrastructure sites live in the
//! database and are written only through the service functions below, each of which appends its
//! audit entry in the same transaction.

pub mod api;
pub mod demo;
pub mod forms;
pub mod geo;
pub mod model;
pub mod web;

use sqlx::AssertSqlSafe;
use sqlx::FromRow;

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::list::{Where, fetch_page, order_by};
use crate::db::{self, Db, Tx};
use crate::error::{AppError, AppResult};
use model::{AssetKind, AssetStatus, Coded, SiteKind, SiteStatus, UnitKind};

#[derive(Debug, Clone, FromRow)]
pub struct Force {
    pub id: String,
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
}

pub async fn forces(db: &Db) -> AppResult<Vec<Force>> {
    Ok(
        sqlx::query_as("SELECT id, code, name_fr, name_en FROM forces ORDER BY name_fr")
            .fetch_all(db)
            .await?,
    )
}

/// Each force with the number of its units and assets that the scope lets the user see.
pub async fn force_counts(db: &Db, scope: &Scope) -> AppResult<Vec<(Force, i64, i64)>> {
    let json = scope.as_json().unwrap_or_else(|| "[]".to_string());
    let all = scope.as_json().is_none();
    let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT f.id, f.code, f.name_fr, f.name_en,
            (SELECT COUNT(*) FROM units u WHERE u.force_id = f.id
                AND (?1 OR u.id IN (SELECT value FROM json_each(?2)))),
            (SELECT COUNT(*) FROM assets a WHERE a.force_id = f.id
                AND (?1 OR a.unit_id IN (SELECT value FROM json_each(?2))))
         FROM forces f ORDER BY f.name_fr",
    )
    .bind(all)
    .bind(&json)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name_fr, name_en, units, assets)| {
            (
                Force {
                    id,
                    code,
                    name_fr,
                    name_en,
                },
                units,
                assets,
            )
        })
        .collect())
}

/// A place given by the user: a gazetteer id or a name, resolved to one locality.
#[derive(Debug, Default)]
pub struct Place {
    pub locality_id: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A place from the locality typed (an id or a name of the gazetteer) and a point, either or
/// both; the point is the locality's when only the locality is given.
pub fn place_of(
    state: &AppState,
    given: &str,
    lat: Option<f64>,
    lon: Option<f64>,
) -> AppResult<Place> {
    let given = given.trim();
    let locality = if given.is_empty() {
        None
    } else if let Some(l) = state.gazetteer.locality(given) {
        Some(l)
    } else {
        let hits = state.gazetteer.search(given, 1);
        match hits.first() {
            Some(h) if h.kind == gazetteer::MatchKind::Exact => Some(h.locality),
            _ => return Err(AppError::invalid("locality", "error-unknown-locality")),
        }
    };
    match (lat, lon, locality) {
        (Some(_), None, _) => Err(AppError::invalid("lon", "error-coordinates-pair")),
        (None, Some(_), _) => Err(AppError::invalid("lat", "error-coordinates-pair")),
        (None, None, Some(l)) => Ok(Place {
            locality_id: Some(l.id.clone()),
            lat: Some(l.lat),
            lon: Some(l.lon),
        }),
        (lat, lon, l) => Ok(Place {
            locality_id: l.map(|l| l.id.clone()),
            lat,
            lon,
        }),
    }
}

/// Whether a unit of this id exists (a parent chosen in a form).
pub async fn unit_exists(db: &Db, id: &str) -> AppResult<bool> {
    exists(db, "units", id).await
}

async fn exists(db: &Db, table: &'static str, id: &str) -> AppResult<bool> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = ?");
    Ok(sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_one(db)
        .await?
        > 0)
}

/// A force by its id or its short code (GN, PC …), which is what people type.
pub async fn force_of(db: &Db, given: &str) -> AppResult<String> {
    let v = given.trim();
    if v.is_empty() {
        return Err(AppError::invalid("force", "error-required"));
    }
    // Accept the force's id or its short code (GN, PC …), which is what people type.
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM forces WHERE id = ? OR code = ?")
        .bind(v)
        .bind(v.to_uppercase())
        .fetch_optional(db)
        .await?;
    id.ok_or(AppError::invalid("force", "error-bad-choice"))
}

/// A unit by its id, in the user's scope (`name`: the form's field, for the message).
pub async fn unit_in_scope(
    db: &Db,
    scope: &Scope,
    given: &str,
    name: &'static str,
) -> AppResult<String> {
    let v = given.trim();
    if v.is_empty() {
        return Err(AppError::invalid(name, "error-required"));
    }
    if !exists(db, "units", v).await? || !scope.allows_unit(v) {
        return Err(AppError::invalid(name, "error-unknown-unit"));
    }
    Ok(v.to_string())
}

// ---------------------------------------------------------------------------------------------
// Units

#[derive(Debug, Clone, FromRow)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub force_id: String,
    pub force_code: String,
    pub parent_id: Option<String>,
    pub parent_name: Option<String>,
    pub locality_id: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub call_sign: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const UNIT_SELECT: &str = "u.id, u.name, u.kind, u.force_id, f.code AS force_code, u.parent_id,
    p.name AS parent_name, u.locality_id, u.lat, u.lon, u.call_sign, u.created_at, u.updated_at";
const UNIT_FROM: &str =
    "units u JOIN forces f ON f.id = u.force_id LEFT JOIN units p ON p.id = u.parent_id";

#[derive(Debug)]
pub struct UnitInput {
    pub name: String,
    pub kind: UnitKind,
    pub force_id: String,
    pub parent_id: Option<String>,
    pub place: Place,
    pub call_sign: Option<String>,
}

/// What a page of units, assets or sites keeps, in which order, which page (the pages and
/// the API read their query strings into it; a list uses the fields it has).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordFilter {
    /// Words of the name (registration, make, model, call sign).
    pub search: String,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// A force's code.
    pub force: Option<String>,
    pub unit: Option<crate::ids::UnitId>,
    /// A column's key; none or an unknown one: the list's own order.
    pub sort: Option<String>,
    pub descending: bool,
    /// From 1.
    pub page: i64,
}

impl RecordFilter {
    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
}

pub async fn list_units(db: &Db, scope: &Scope, p: &RecordFilter) -> AppResult<(Vec<Unit>, i64)> {
    let mut w = Where::default();
    w.like("(u.name LIKE ? OR u.call_sign LIKE ?)", 2, &p.search);
    w.eq("u.kind = ?", RecordFilter::text(&p.kind));
    w.eq("f.code = ?", RecordFilter::text(&p.force));
    w.scope("u.id IN (SELECT value FROM json_each(?))", scope);
    let order = order_by(
        p.sort.as_deref(),
        p.descending,
        &[
            ("name", "u.name"),
            ("kind", "u.kind"),
            ("force", "f.code"),
            ("parent", "p.name"),
            ("call_sign", "u.call_sign"),
        ],
        "u.name",
    );
    fetch_page(db, UNIT_SELECT, UNIT_FROM, &w, &order, p.page.max(1)).await
}

/// Every unit in scope, by name, for choice lists.
pub async fn unit_choices(db: &Db, scope: &Scope) -> AppResult<Vec<(String, String)>> {
    let mut rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM units ORDER BY name")
            .fetch_all(db)
            .await?;
    rows.retain(|(id, _)| scope.allows_unit(id));
    Ok(rows)
}

pub async fn get_unit(db: &Db, scope: &Scope, id: &str) -> AppResult<Unit> {
    if !scope.allows_unit(id) {
        return Err(AppError::NotFound);
    }
    let sql = format!("SELECT {UNIT_SELECT} FROM {UNIT_FROM} WHERE u.id = ?");
    sqlx::query_as(AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn child_units(db: &Db, scope: &Scope, id: &str) -> AppResult<Vec<Unit>> {
    let sql =
        format!("SELECT {UNIT_SELECT} FROM {UNIT_FROM} WHERE u.parent_id = ? ORDER BY u.name");
    let mut rows: Vec<Unit> = sqlx::query_as(AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_all(db)
        .await?;
    rows.retain(|u| scope.allows_unit(&u.id));
    Ok(rows)
}

/// The units above a unit, nearest first, with their call signs: whom its people report to.
pub async fn chain_of_command(db: &Db, id: &str) -> AppResult<Vec<(String, Option<String>)>> {
    Ok(sqlx::query_as(
        "WITH RECURSIVE up(id, depth) AS (
             SELECT parent_id, 1 FROM units WHERE id = ?1
             UNION ALL
             SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id
             WHERE up.depth < 16)
         SELECT u.name, u.call_sign FROM up JOIN units u ON u.id = up.id ORDER BY up.depth",
    )
    .bind(id)
    .fetch_all(db)
    .await?)
}

/// Sends an available asset on a mission, in the caller's transaction (the dispatch of an
/// incident), with the asset's own audit entry; false when it is no longer available (another
/// officer sent it meanwhile).
pub async fn send_on_mission(
    tx: &mut Tx,
    actor: &Actor,
    asset: &crate::ids::AssetId,
    why: &str,
) -> AppResult<bool> {
    set_mission_status(tx, actor, asset.as_str(), "disponible", "en_mission", why).await
}

/// Brings an asset back from its mission (its response is over), in the caller's transaction.
pub async fn back_from_mission(
    tx: &mut Tx,
    actor: &Actor,
    asset_id: &str,
    why: &str,
) -> AppResult<bool> {
    set_mission_status(tx, actor, asset_id, "en_mission", "disponible", why).await
}

/// Takes an available asset into the workshop (a blocking work order was opened), in the
/// caller's transaction, audited: dispatch no longer proposes it.
pub async fn into_workshop(
    tx: &mut Tx,
    actor: &Actor,
    asset_id: &str,
    why: &str,
) -> AppResult<bool> {
    set_mission_status(tx, actor, asset_id, "disponible", "en_maintenance", why).await
}

/// Gives an asset back from the workshop (its last blocking work order is closed).
pub async fn out_of_workshop(
    tx: &mut Tx,
    actor: &Actor,
    asset_id: &str,
    why: &str,
) -> AppResult<bool> {
    set_mission_status(tx, actor, asset_id, "en_maintenance", "disponible", why).await
}

async fn set_mission_status(
    tx: &mut Tx,
    actor: &Actor,
    asset_id: &str,
    from: &str,
    to: &str,
    why: &str,
) -> AppResult<bool> {
    let changed =
        sqlx::query("UPDATE assets SET status = ?, updated_at = ? WHERE id = ? AND status = ?")
            .bind(to)
            .bind(db::now_text())
            .bind(asset_id)
            .bind(from)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            == 1;
    if changed {
        audit::append(
            tx,
            actor,
            "status",
            "asset",
            asset_id,
            &format!("{from}->{to} {why}"),
        )
        .await?;
    }
    Ok(changed)
}

/// A unit, the units under it and the units above it: whom a post's people work with.
pub async fn units_around(db: &Db, id: &str) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "WITH RECURSIVE sub(id) AS (
             SELECT ?1 UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id),
         up(id, depth) AS (
             SELECT parent_id, 1 FROM units WHERE id = ?1
             UNION ALL
             SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id
             WHERE up.depth < 16)
         SELECT id FROM sub UNION SELECT id FROM up WHERE id IS NOT NULL",
    )
    .bind(id)
    .fetch_all(db)
    .await?)
}

fn unit_detail(u: &UnitInput) -> String {
    format!("name={} kind={}", u.name, u.kind.code())
}

pub async fn create_unit(state: &AppState, actor: &Actor, u: UnitInput) -> AppResult<String> {
    let id = db::new_id();
    let now = db::now_text();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO units (id, name, kind, force_id, parent_id, locality_id, lat, lon, call_sign, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&u.name)
    .bind(u.kind.code())
    .bind(&u.force_id)
    .bind(&u.parent_id)
    .bind(&u.place.locality_id)
    .bind(u.place.lat)
    .bind(u.place.lon)
    .bind(&u.call_sign)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, actor, "create", "unit", &id, &unit_detail(&u)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_unit(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
    u: UnitInput,
) -> AppResult<()> {
    get_unit(&state.db, scope, id).await?;
    let mut tx = db::begin_write(&state.db).await?;
    // A unit cannot be placed under itself or under one of its own sub-units; checked inside
    // the write transaction so that two edits at once cannot make a cycle.
    if let Some(parent) = &u.parent_id {
        let below: i64 = sqlx::query_scalar(
            "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
             SELECT COUNT(*) FROM sub WHERE id = ?",
        )
        .bind(id)
        .bind(parent)
        .fetch_one(&mut *tx)
        .await?;
        if below > 0 {
            return Err(AppError::invalid("parent", "error-parent-cycle"));
        }
    }
    sqlx::query(
        "UPDATE units SET name = ?, kind = ?, force_id = ?, parent_id = ?, locality_id = ?, lat = ?, lon = ?,
         call_sign = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&u.name)
    .bind(u.kind.code())
    .bind(&u.force_id)
    .bind(&u.parent_id)
    .bind(&u.place.locality_id)
    .bind(u.place.lat)
    .bind(u.place.lon)
    .bind(&u.call_sign)
    .bind(db::now_text())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, actor, "update", "unit", id, &unit_detail(&u)).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Assets

#[derive(Debug, Clone, FromRow)]
pub struct Asset {
    pub id: String,
    pub kind: String,
    pub force_id: String,
    pub force_code: String,
    pub unit_id: String,
    pub unit_name: String,
    pub registration: String,
    pub make: String,
    pub model: String,
    pub year: Option<i64>,
    pub status: String,
    pub odometer_km: Option<f64>,
    pub engine_hours: Option<f64>,
    pub flight_hours: Option<f64>,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

const ASSET_SELECT: &str = "a.id, a.kind, a.force_id, f.code AS force_code, a.unit_id, u.name AS unit_name,
    a.registration, a.make, a.model, a.year, a.status, a.odometer_km, a.engine_hours, a.flight_hours,
    a.notes, a.created_at, a.updated_at";
const ASSET_FROM: &str =
    "assets a JOIN forces f ON f.id = a.force_id JOIN units u ON u.id = a.unit_id";

#[derive(Debug)]
pub struct AssetInput {
    pub kind: AssetKind,
    pub force_id: String,
    pub unit_id: String,
    pub registration: String,
    pub make: String,
    pub model: String,
    pub year: Option<i64>,
    pub status: AssetStatus,
    pub odometer_km: Option<f64>,
    pub engine_hours: Option<f64>,
    pub flight_hours: Option<f64>,
    pub notes: String,
}

pub async fn list_assets(db: &Db, scope: &Scope, p: &RecordFilter) -> AppResult<(Vec<Asset>, i64)> {
    let mut w = Where::default();
    w.like(
        "(a.registration LIKE ? OR a.make LIKE ? OR a.model LIKE ?)",
        3,
        &p.search,
    );
    w.eq("a.kind = ?", RecordFilter::text(&p.kind));
    w.eq("a.status = ?", RecordFilter::text(&p.status));
    w.eq("a.unit_id = ?", p.unit.as_ref().map_or("", |u| u.as_str()));
    w.eq("f.code = ?", RecordFilter::text(&p.force));
    w.scope("a.unit_id IN (SELECT value FROM json_each(?))", scope);
    let order = order_by(
        p.sort.as_deref(),
        p.descending,
        &[
            ("registration", "a.registration"),
            ("kind", "a.kind"),
            ("model", "a.make"),
            ("unit", "u.name"),
            ("force", "f.code"),
            ("status", "a.status"),
            ("year", "a.year"),
        ],
        "a.registration",
    );
    fetch_page(db, ASSET_SELECT, ASSET_FROM, &w, &order, p.page.max(1)).await
}

/// The assets that cannot be sent (in maintenance or out of service), by status then unit:
/// the operations centre's and the workshop's home.
pub async fn unavailable_assets(db: &Db, scope: &Scope) -> AppResult<(Vec<Asset>, i64)> {
    let mut w = Where::default();
    w.fixed("a.status IN ('en_maintenance', 'hors_service')");
    w.scope("a.unit_id IN (SELECT value FROM json_each(?))", scope);
    fetch_page(
        db,
        ASSET_SELECT,
        ASSET_FROM,
        &w,
        "a.status, u.name, a.registration",
        1,
    )
    .await
}

pub async fn get_asset(db: &Db, scope: &Scope, id: &str) -> AppResult<Asset> {
    let sql = format!("SELECT {ASSET_SELECT} FROM {ASSET_FROM} WHERE a.id = ?");
    let a: Asset = sqlx::query_as(AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if scope.allows_unit(&a.unit_id) {
        Ok(a)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn assets_of_unit(db: &Db, unit_id: &str) -> AppResult<Vec<Asset>> {
    let sql = format!(
        "SELECT {ASSET_SELECT} FROM {ASSET_FROM} WHERE a.unit_id = ? ORDER BY a.registration"
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql.as_str()))
        .bind(unit_id)
        .fetch_all(db)
        .await?)
}

fn asset_detail(a: &AssetInput) -> String {
    format!(
        "registration={} kind={} status={}",
        a.registration,
        a.kind.code(),
        a.status.code()
    )
}

pub async fn create_asset(state: &AppState, actor: &Actor, a: AssetInput) -> AppResult<String> {
    let id = db::new_id();
    let now = db::now_text();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO assets (id, kind, force_id, unit_id, registration, make, model, year, status,
         odometer_km, engine_hours, flight_hours, notes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(a.kind.code())
    .bind(&a.force_id)
    .bind(&a.unit_id)
    .bind(&a.registration)
    .bind(&a.make)
    .bind(&a.model)
    .bind(a.year)
    .bind(a.status.code())
    .bind(a.odometer_km)
    .bind(a.engine_hours)
    .bind(a.flight_hours)
    .bind(&a.notes)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .map_err(db::taken("registration", "error-registration-taken"))?;
    audit::append(&mut tx, actor, "create", "asset", &id, &asset_detail(&a)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_asset(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
    a: AssetInput,
) -> AppResult<()> {
    let before = get_asset(&state.db, scope, id).await?;
    // A meter never goes back, nor is it emptied (every meter is refused at once).
    let mut p = crate::error::Problems::default();
    for (field, was, now) in [
        ("odometer_km", before.odometer_km, a.odometer_km),
        ("engine_hours", before.engine_hours, a.engine_hours),
        ("flight_hours", before.flight_hours, a.flight_hours),
    ] {
        if let Some(was) = was
            && now.is_none_or(|now| now < was)
        {
            p.add(field, "error-meter-backwards");
        }
    }
    p.finish(())?;
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "UPDATE assets SET kind = ?, force_id = ?, unit_id = ?, registration = ?, make = ?, model = ?, year = ?,
         status = ?, odometer_km = ?, engine_hours = ?, flight_hours = ?, notes = ?, updated_at = ? WHERE id = ?",
    )
    .bind(a.kind.code())
    .bind(&a.force_id)
    .bind(&a.unit_id)
    .bind(&a.registration)
    .bind(&a.make)
    .bind(&a.model)
    .bind(a.year)
    .bind(a.status.code())
    .bind(a.odometer_km)
    .bind(a.engine_hours)
    .bind(a.flight_hours)
    .bind(&a.notes)
    .bind(db::now_text())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db::taken("registration", "error-registration-taken"))?;
    audit::append(&mut tx, actor, "update", "asset", id, &asset_detail(&a)).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets an asset's current meter from the workshop's latest reading (`fleet`), in the
/// caller's transaction. A replaced meter may go back: the reading says so, and is audited.
pub async fn set_meter(tx: &mut db::Tx, asset_id: &str, meter: &str, value: f64) -> AppResult<()> {
    let sql = match meter {
        "km" => "UPDATE assets SET odometer_km = ?, updated_at = ? WHERE id = ?",
        "engine_hours" => "UPDATE assets SET engine_hours = ?, updated_at = ? WHERE id = ?",
        "flight_hours" => "UPDATE assets SET flight_hours = ?, updated_at = ? WHERE id = ?",
        _ => return Err(AppError::invalid("meter", "error-bad-choice")),
    };
    sqlx::query(sql)
        .bind(value)
        .bind(db::now_text())
        .bind(asset_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Infrastructure sites

#[derive(Debug, Clone, FromRow)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub unit_id: String,
    pub unit_name: String,
    pub locality_id: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub status: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

const SITE_SELECT: &str =
    "s.id, s.name, s.kind, s.unit_id, u.name AS unit_name, s.locality_id, s.lat, s.lon,
    s.status, s.notes, s.created_at, s.updated_at";
const SITE_FROM: &str = "sites s JOIN units u ON u.id = s.unit_id";

#[derive(Debug)]
pub struct SiteInput {
    pub name: String,
    pub kind: SiteKind,
    pub unit_id: String,
    pub place: Place,
    pub status: SiteStatus,
    pub notes: String,
}

pub async fn list_sites(db: &Db, scope: &Scope, p: &RecordFilter) -> AppResult<(Vec<Site>, i64)> {
    let mut w = Where::default();
    w.like("s.name LIKE ?", 1, &p.search);
    w.eq("s.kind = ?", RecordFilter::text(&p.kind));
    w.eq("s.status = ?", RecordFilter::text(&p.status));
    w.eq("s.unit_id = ?", p.unit.as_ref().map_or("", |u| u.as_str()));
    w.scope("s.unit_id IN (SELECT value FROM json_each(?))", scope);
    let order = order_by(
        p.sort.as_deref(),
        p.descending,
        &[
            ("name", "s.name"),
            ("kind", "s.kind"),
            ("unit", "u.name"),
            ("status", "s.status"),
        ],
        "s.name",
    );
    fetch_page(db, SITE_SELECT, SITE_FROM, &w, &order, p.page.max(1)).await
}

pub async fn get_site(db: &Db, scope: &Scope, id: &str) -> AppResult<Site> {
    let sql = format!("SELECT {SITE_SELECT} FROM {SITE_FROM} WHERE s.id = ?");
    let s: Site = sqlx::query_as(AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if scope.allows_unit(&s.unit_id) {
        Ok(s)
    } else {
        Err(AppError::NotFound)
    }
}

fn site_detail(s: &SiteInput) -> String {
    format!(
        "name={} kind={} status={}",
        s.name,
        s.kind.code(),
        s.status.code()
    )
}

pub async fn create_site(state: &AppState, actor: &Actor, s: SiteInput) -> AppResult<String> {
    let id = db::new_id();
    let now = db::now_text();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO sites (id, name, kind, unit_id, locality_id, lat, lon, status, notes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&s.name)
    .bind(s.kind.code())
    .bind(&s.unit_id)
    .bind(&s.place.locality_id)
    .bind(s.place.lat)
    .bind(s.place.lon)
    .bind(s.status.code())
    .bind(&s.notes)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, actor, "create", "site", &id, &site_detail(&s)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_site(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
    s: SiteInput,
) -> AppResult<()> {
    get_site(&state.db, scope, id).await?;
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "UPDATE sites SET name = ?, kind = ?, unit_id = ?, locality_id = ?, lat = ?, lon = ?, status = ?, notes = ?,
         updated_at = ? WHERE id = ?",
    )
    .bind(&s.name)
    .bind(s.kind.code())
    .bind(&s.unit_id)
    .bind(&s.place.locality_id)
    .bind(s.place.lat)
    .bind(s.place.lon)
    .bind(s.status.code())
    .bind(&s.notes)
    .bind(db::now_text())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, actor, "update", "site", id, &site_detail(&s)).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Counts for the home pages

pub struct Counts {
    pub units: i64,
    pub assets: i64,
    pub sites: i64,
    pub by_status: Vec<(AssetStatus, i64)>,
}

pub async fn counts(state: &AppState, scope: &Scope) -> AppResult<Counts> {
    let db = &state.db;
    let json = scope.as_json().unwrap_or_else(|| "[]".to_string());
    let all = scope.as_json().is_none();
    let count = |sql: &'static str| {
        let json = json.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(all)
                .bind(json)
                .fetch_one(db)
                .await
        }
    };
    let units =
        count("SELECT COUNT(*) FROM units WHERE ? OR id IN (SELECT value FROM json_each(?))")
            .await?;
    let assets =
        count("SELECT COUNT(*) FROM assets WHERE ? OR unit_id IN (SELECT value FROM json_each(?))")
            .await?;
    let sites =
        count("SELECT COUNT(*) FROM sites WHERE ? OR unit_id IN (SELECT value FROM json_each(?))")
            .await?;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM assets WHERE ? OR unit_id IN (SELECT value FROM json_each(?)) GROUP BY status",
    )
    .bind(all)
    .bind(&json)
    .fetch_all(db)
    .await?;
    let by_status = AssetStatus::ALL
        .iter()
        .map(|s| {
            (
                *s,
                rows.iter()
                    .find(|(c, _)| c == s.code())
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect();
    Ok(Counts {
        units,
        assets,
        sites,
        by_status,
    })
}
