//! Vehicles crossing at a post (plate, country, type, driver linked to a person crossing,
//! passengers) and goods declared with a vehicle or a person (category, quantity and unit,
//! estimated value in FCFA, origin and destination). Each save is idempotent by its form's
//! key, updates the daily counts and is audited in the same transaction.

use sqlx::FromRow;

use super::model::{Coded, Direction, VehicleKind};
use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// A quantity's unit, written one way whatever was typed (`T`, `tonnes` → `t`), so that the
/// daily counts add up.
pub fn quantity_unit(raw: &str) -> String {
    let u = raw.trim().to_lowercase();
    match u.trim_end_matches('.') {
        "t" | "tonne" | "tonnes" | "tonne(s)" => "t".into(),
        "kg" | "kgs" | "kilo" | "kilos" | "kilogramme" | "kilogrammes" => "kg".into(),
        "l" | "litre" | "litres" | "liter" | "liters" => "l".into(),
        "tête" | "têtes" | "tete" | "tetes" | "head" => "têtes".into(),
        "sac" | "sacs" | "bag" | "bags" => "sacs".into(),
        "u" | "unité" | "unités" | "unite" | "unites" | "pièce" | "pièces" | "units" => {
            "unités".into()
        }
        other => other.to_string(),
    }
}

/// A registration plate as written on it: letters, digits, spaces and hyphens, 2 to 15.
pub fn plate(raw: &str) -> AppResult<String> {
    let p = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    let ok = (2..=15).contains(&p.chars().count())
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && p.chars().any(|c| c.is_ascii_alphanumeric());
    ok.then_some(p)
        .ok_or(AppError::invalid("plate", "error-plate"))
}

/// A country code as printed on a plate: empty, or two or three capital letters.
pub fn country_code(raw: &str) -> AppResult<String> {
    let country = raw.trim().to_uppercase();
    let ok = country.is_empty()
        || ((2..=3).contains(&country.len()) && country.bytes().all(|b| b.is_ascii_uppercase()));
    ok.then_some(country)
        .ok_or(AppError::invalid("country", "error-country-code"))
}

/// A form's one-time key (the same form sent twice saves once).
pub fn submission_id(raw: &str) -> AppResult<String> {
    if raw.is_empty() || raw.len() > 64 {
        return Err(AppError::invalid("submission", "error-stale-form"));
    }
    Ok(raw.to_string())
}

/// A vehicle crossing at a post, as every door (the page, the demo) gives it.
#[derive(Debug, Clone)]
pub struct NewVehicle {
    pub submission_id: String,
    /// As `plate` writes it.
    pub plate: String,
    /// As `country_code` writes it.
    pub country: String,
    pub kind: VehicleKind,
    pub passengers: i64,
    /// The driver's crossing at this post: the vehicle goes their way.
    pub driver: Option<crate::ids::CrossingId>,
    /// The way it goes when it has no driver recorded.
    pub direction: Option<Direction>,
}

/// What declared goods travel with, at the same post.
#[derive(Debug, Clone)]
pub enum GoodsOwner {
    Vehicle(crate::ids::VehicleId),
    Crossing(crate::ids::CrossingId),
}

/// Goods declared at a post.
#[derive(Debug, Clone)]
pub struct NewGoods {
    pub submission_id: String,
    pub owner: GoodsOwner,
    /// A category code of the list the administrators keep.
    pub category: String,
    /// More than zero.
    pub quantity: f64,
    /// As `quantity_unit` writes it.
    pub quantity_unit: String,
    pub value_fcfa: Option<i64>,
    pub origin: String,
    pub destination: String,
}

/// A crossing of the same post, or nothing (an id out of scope reads as unknown).
async fn crossing_at_post(
    db: &Db,
    unit_id: &str,
    id: &str,
    field: &'static str,
) -> AppResult<Option<(String, String)>> {
    if id.is_empty() {
        return Ok(None);
    }
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT id, direction FROM crossings WHERE id = ? AND unit_id = ?")
            .bind(id)
            .bind(unit_id)
            .fetch_optional(db)
            .await?;
    found
        .map(Some)
        .ok_or(AppError::invalid(field, "error-unknown-crossing"))
}

/// Registers a vehicle crossing at the agent's post, now.
pub async fn record_vehicle(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    v: &NewVehicle,
) -> AppResult<String> {
    record_vehicle_at(state, actor, unit_id, v, &db::now_text()).await
}

/// Registers a vehicle crossing at `at` (RFC 3339).
pub async fn record_vehicle_at(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    v: &NewVehicle,
    at: &str,
) -> AppResult<String> {
    let submission = &v.submission_id;
    if let Some(id) = existing(&state.db, "crossing_vehicles", submission).await? {
        return Ok(id);
    }
    let (plate, country, kind, passengers) = (&v.plate, &v.country, v.kind, v.passengers);
    let driver = crossing_at_post(
        &state.db,
        unit_id,
        v.driver.as_ref().map_or("", |d| d.as_str()),
        "driver",
    )
    .await?;
    // A vehicle goes the way its driver goes.
    let direction = match &driver {
        Some((_, d)) => {
            Direction::parse(d).ok_or(AppError::invalid("direction", "error-bad-choice"))?
        }
        None => v
            .direction
            .ok_or(AppError::invalid("direction", "error-required"))?,
    };
    let id = db::new_id();
    let now = at.to_string();
    let mut tx = db::begin_write(&state.db).await?;
    let inserted = sqlx::query(
        "INSERT INTO crossing_vehicles (id, submission_id, unit_id, crossed_at, recorded_by,
         direction, plate, country, kind, driver_crossing_id, passengers)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (submission_id) DO NOTHING",
    )
    .bind(&id)
    .bind(submission)
    .bind(unit_id)
    .bind(&now)
    .bind(&actor.0)
    .bind(direction.code())
    .bind(state.keys.seal("crossing_vehicles", "plate", &id, plate))
    .bind(country)
    .bind(kind.code())
    .bind(driver.map(|d| d.0))
    .bind(passengers)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        drop(tx);
        return existing(&state.db, "crossing_vehicles", submission)
            .await?
            .ok_or(AppError::NotFound);
    }
    super::flows::count(&mut tx, "crossing_vehicles", &id).await?;
    // The plate is personal data: it stays out of the permanent log.
    audit::append(
        &mut tx,
        actor,
        "create",
        "crossing_vehicle",
        &id,
        kind.code(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Registers goods declared with a vehicle or a person crossing at the agent's post, now.
pub async fn record_goods(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    g: &NewGoods,
) -> AppResult<String> {
    record_goods_at(state, actor, unit_id, g, &db::now_text()).await
}

/// Registers goods declared at `at` (RFC 3339).
pub async fn record_goods_at(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    g: &NewGoods,
    at: &str,
) -> AppResult<String> {
    let submission = &g.submission_id;
    if let Some(id) = existing(&state.db, "goods_declarations", submission).await? {
        return Ok(id);
    }
    let category = &g.category;
    if category.is_empty() {
        return Err(AppError::invalid("category", "error-required"));
    }
    if !categories(&state.db, false)
        .await?
        .iter()
        .any(|c| &c.code == category)
    {
        return Err(AppError::invalid("category", "error-bad-choice"));
    }
    let quantity = g.quantity;
    if !(quantity > 0.0 && quantity < 1e9) {
        return Err(AppError::invalid("quantity", "error-positive"));
    }
    let (unit, value) = (&g.quantity_unit, g.value_fcfa);
    let (origin, destination) = (&g.origin, &g.destination);
    // Attached to a vehicle or a person of this post; its direction is theirs.
    let (vehicle, crossing, direction) = match &g.owner {
        GoodsOwner::Vehicle(v) => {
            let found: Option<String> = sqlx::query_scalar(
                "SELECT direction FROM crossing_vehicles WHERE id = ? AND unit_id = ?",
            )
            .bind(v.as_str())
            .bind(unit_id)
            .fetch_optional(&state.db)
            .await?;
            let d = found.ok_or(AppError::invalid("vehicle", "error-unknown-crossing"))?;
            (Some(v.to_string()), None, d)
        }
        GoodsOwner::Crossing(c) => {
            let (id, d) = crossing_at_post(&state.db, unit_id, c.as_str(), "crossing")
                .await?
                .ok_or(AppError::invalid("crossing", "error-unknown-crossing"))?;
            (None, Some(id), d)
        }
    };
    let id = db::new_id();
    let now = at.to_string();
    let mut tx = db::begin_write(&state.db).await?;
    let inserted = sqlx::query(
        "INSERT INTO goods_declarations (id, submission_id, unit_id, crossed_at, recorded_by,
         direction, vehicle_id, crossing_id, category, quantity, quantity_unit, value_fcfa, origin,
         destination) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (submission_id) DO NOTHING",
    )
    .bind(&id)
    .bind(submission)
    .bind(unit_id)
    .bind(&now)
    .bind(&actor.0)
    .bind(&direction)
    .bind(&vehicle)
    .bind(&crossing)
    .bind(category)
    .bind(quantity)
    .bind(unit)
    .bind(value)
    .bind(origin)
    .bind(destination)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        drop(tx);
        return existing(&state.db, "goods_declarations", submission)
            .await?
            .ok_or(AppError::NotFound);
    }
    super::flows::count(&mut tx, "goods_declarations", &id).await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "goods_declaration",
        &id,
        &format!("{category} {quantity} {unit}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn existing(db: &Db, table: &'static str, submission: &str) -> AppResult<Option<String>> {
    let sql = format!("SELECT id FROM {table} WHERE submission_id = ?");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(submission)
        .fetch_optional(db)
        .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct VehicleRow {
    pub id: String,
    pub unit_name: String,
    pub crossed_at: String,
    pub recorded_by: String,
    pub direction: String,
    pub plate: String,
    pub country: String,
    pub kind: String,
    pub driver_crossing_id: Option<String>,
    pub driver: Option<String>,
    pub driver_given: String,
    pub passengers: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct GoodsRow {
    pub id: String,
    pub category: String,
    pub quantity: f64,
    pub quantity_unit: String,
    pub value_fcfa: Option<i64>,
    pub origin: String,
    pub destination: String,
}

/// A vehicle crossing with its goods, within scope; a plate and a driver are personal data:
/// the read is audited (and not recorded when refused).
pub async fn vehicle(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
) -> AppResult<(VehicleRow, Vec<GoodsRow>)> {
    let row: Option<VehicleRow> = sqlx::query_as(
        "SELECT v.id, u.name AS unit_name, v.crossed_at, v.recorded_by, v.direction, v.plate,
                v.country, v.kind, v.driver_crossing_id,
                COALESCE(c.given_names, '') AS driver_given, c.surname AS driver, v.passengers
         FROM crossing_vehicles v JOIN units u ON u.id = v.unit_id
         LEFT JOIN crossings c ON c.id = v.driver_crossing_id
         WHERE v.id = ?1 AND (?2 IS NULL OR v.unit_id IN (SELECT value FROM json_each(?2)))",
    )
    .bind(id)
    .bind(scope.as_json())
    .fetch_optional(&state.db)
    .await?;
    let mut row = row.ok_or(AppError::NotFound)?;
    let keys = &state.keys;
    keys.open_in("crossing_vehicles", "plate", id, &mut row.plate);
    // The driver's names are sealed in their crossing: opened there, then joined.
    if let (Some(c), Some(surname)) = (&row.driver_crossing_id, &row.driver) {
        let given = keys.open("crossings", "given_names", c, &row.driver_given);
        let surname = keys.open("crossings", "surname", c, surname);
        row.driver = Some(format!("{given} {surname}").trim().to_string());
    }
    let goods = goods_of(&state.db, "vehicle_id", id).await?;
    audit::audited_read(&state.db, actor, "crossing_vehicle", id, async {
        Ok((row, goods))
    })
    .await
}

/// The goods declared with a vehicle (`vehicle_id`) or a person (`crossing_id`).
pub async fn goods_of(db: &Db, column: &'static str, id: &str) -> AppResult<Vec<GoodsRow>> {
    let sql = format!(
        "SELECT id, category, quantity, quantity_unit, value_fcfa, origin, destination
         FROM goods_declarations WHERE {column} = ? ORDER BY crossed_at"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(db)
        .await?)
}

/// A category of goods (configured by the administrators).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub active: bool,
}

impl Category {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.label_fr,
            Lang::En => &self.label_en,
        }
    }
}

/// The categories in their order; the retired ones too when asked (for old declarations).
pub async fn categories(db: &Db, with_retired: bool) -> AppResult<Vec<Category>> {
    Ok(sqlx::query_as(
        "SELECT code, label_fr, label_en, active = 1 AS active FROM goods_categories
         WHERE active = 1 OR ? ORDER BY position, code",
    )
    .bind(with_retired)
    .fetch_all(db)
    .await?)
}

/// Adds a category, or renames and brings back an existing one (audited).
pub async fn set_category(
    state: &AppState,
    actor: &Actor,
    code: &str,
    label_fr: &str,
    label_en: &str,
) -> AppResult<()> {
    let code = code.trim().to_lowercase();
    let ok = (2..=30).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(AppError::invalid("code", "error-category-code"));
    }
    let (fr, en) = (label_fr.trim(), label_en.trim());
    if fr.is_empty() || en.is_empty() || fr.chars().count() > 60 || en.chars().count() > 60 {
        return Err(AppError::invalid("label", "error-required"));
    }
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO goods_categories (code, label_fr, label_en, active, position)
         VALUES (?1, ?2, ?3, 1, (SELECT coalesce(max(position), 0) + 1 FROM goods_categories))
         ON CONFLICT (code) DO UPDATE SET label_fr = ?2, label_en = ?3, active = 1",
    )
    .bind(&code)
    .bind(fr)
    .bind(en)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "set",
        "goods_category",
        &code,
        &format!("{fr} / {en}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Retires a category: no longer offered, kept for the old declarations (audited).
pub async fn retire_category(state: &AppState, actor: &Actor, code: &str) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    let done = sqlx::query("UPDATE goods_categories SET active = 0 WHERE code = ?")
        .bind(code.trim())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::invalid("code", "error-bad-choice"));
    }
    audit::append(&mut tx, actor, "retire", "goods_category", code.trim(), "").await?;
    tx.commit().await?;
    Ok(())
}
