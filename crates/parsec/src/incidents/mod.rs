//! Incidents: the register (when, where, what in ACLED's terms or civil protection's, who,
//! the toll, the source), each change kept in the incident's timeline; dispatch: the
//! available assets ranked by their travel time to the incident (roads and tracks, rivers,
//! air: `routing`), the one sent, and the response's times.

pub mod acled;
pub mod coverage;
pub mod demo;
pub mod import;
pub mod map;
pub mod model;
pub mod patrols;
pub mod sitrep;
pub mod web;

use sqlx::FromRow;

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult};

/// An incident as the officer submits it, checked.
#[derive(Debug, Clone)]
pub struct IncidentInput {
    pub submission_id: String,
    pub occurred_at: String,
    pub locality_id: Option<String>,
    pub place: String,
    pub lat: f64,
    pub lon: f64,
    pub precision: &'static str,
    pub cercle: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: String,
    pub inter1: i64,
    pub actor2: String,
    pub inter2: i64,
    pub fatalities: i64,
    pub injured: i64,
    pub missing: i64,
    pub source: String,
    pub source_reliability: String,
    pub notes: String,
    /// The patrol that raised it, if any.
    pub patrol_id: Option<String>,
}

/// `YYYY-MM-DDTHH:MM` or `YYYY-MM-DD` (midnight) as stored, `YYYY-MM-DDTHH:MM:00Z`; nothing
/// else (the text is rebuilt from the numbers read, so it always sorts as a time).
pub fn when_of(s: &str) -> Option<String> {
    // `2026-10-05 07:30` as typed, `2026-10-05T07:30` as a browser's field sends it.
    // `05/12/2026 07:30` as people here write it.
    let s = s.trim();
    let (date, rest) = s.split_at(s.find([' ', 'T']).unwrap_or(s.len()));
    let s = format!("{}{}", crate::db::iso_day(date), rest).replacen(' ', "T", 1);
    let s = s.as_str();
    let date_only = time::macros::format_description!("[year]-[month]-[day]");
    let with_time = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let t = match s.len() {
        10 => time::Date::parse(s, date_only).ok()?.midnight(),
        16 => time::PrimitiveDateTime::parse(s, with_time).ok()?,
        _ => return None,
    };
    Some(format!(
        "{}T{:02}:{:02}:00Z",
        t.date(),
        t.hour(),
        t.minute()
    ))
}

/// How far a point may be from a locality and still be named after it and counted in its cercle.
const NEAR_KM: f64 = 30.0;

/// The locality nearest a point if the point is in the region: within `NEAR_KM` of a place
/// of one of its eight cercles.
pub fn near_in_region(state: &AppState, lat: f64, lon: f64) -> Option<&gazetteer::Locality> {
    if !lat.is_finite() || !lon.is_finite() {
        return None;
    }
    let cercles = state.gazetteer.cercles();
    // The nearest place of the eight cercles, not the nearest place: a village filed under a
    // neighbouring cercle may stand nearer.
    state
        .gazetteer
        .localities()
        .iter()
        .filter(|l| l.in_region && cercles.iter().any(|c| c.name == l.cercle))
        .map(|l| (l, gazetteer::distance_km(lat, lon, l.lat, l.lon)))
        .filter(|(_, km)| *km <= NEAR_KM)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(l, _)| l)
}

/// Where an incident happened, as the register keeps it.
#[derive(Debug, Clone, Default)]
pub struct Located {
    pub lat: f64,
    pub lon: f64,
    pub precision: &'static str,
    pub locality_id: Option<String>,
    pub place: String,
    pub cercle: String,
}

/// Places an incident from the place given (a locality's name or id), a point, or both: the
/// place and the point must agree; a point alone is named after the nearest locality.
pub fn locate(
    state: &AppState,
    given: &str,
    lat: Option<f64>,
    lon: Option<f64>,
) -> AppResult<Located> {
    let locality = if given.is_empty() {
        None
    } else if let Some(l) = state.gazetteer.locality(given) {
        Some(l)
    } else {
        state
            .gazetteer
            .search(given, 1)
            .into_iter()
            .next()
            .filter(|h| h.kind == gazetteer::MatchKind::Exact)
            .map(|h| h.locality)
    };
    let (lat, lon, precision, locality_id, place, cercle) = match (lat, lon, locality) {
        // A place and a point that disagree: one of them is wrong, and the report would
        // count the incident in one cercle while the map shows it in another.
        (Some(lat), Some(lon), Some(l))
            if gazetteer::distance_km(lat, lon, l.lat, l.lon) > NEAR_KM =>
        {
            return Err(AppError::invalid("place", "error-place-far-from-point"));
        }
        (Some(lat), Some(lon), Some(l)) => (
            lat,
            lon,
            "exact",
            Some(l.id.clone()),
            l.name.clone(),
            l.cercle.clone(),
        ),
        // A point (typed, or a click on the map) with no known place: the nearest locality
        // names it and gives its cercle, unless it is far from any.
        (Some(lat), Some(lon), None) => {
            let near = near_in_region(state, lat, lon);
            if given.chars().count() > model::PLACE_MAX {
                return Err(AppError::invalid("place", "error-too-long"));
            }
            let place = match (given.is_empty(), near) {
                (false, _) => given.to_string(),
                (true, Some(l)) => l.name.clone(),
                (true, None) => format!("{lat:.4}, {lon:.4}"),
            };
            let cercle = near.map(|l| l.cercle.clone()).unwrap_or_default();
            (lat, lon, "exact", near.map(|l| l.id.clone()), place, cercle)
        }
        (Some(_), None, _) => return Err(AppError::invalid("lon", "error-coordinates-pair")),
        (None, Some(_), _) => return Err(AppError::invalid("lat", "error-coordinates-pair")),
        (None, None, Some(l)) => (
            l.lat,
            l.lon,
            "locality",
            Some(l.id.clone()),
            l.name.clone(),
            l.cercle.clone(),
        ),
        (None, None, None) if given.is_empty() => {
            return Err(AppError::invalid("place", "error-required"));
        }
        (None, None, None) => return Err(AppError::invalid("place", "error-unknown-locality")),
    };
    Ok(Located {
        lat,
        lon,
        precision,
        locality_id,
        place,
        cercle,
    })
}

pub(super) async fn timeline(
    tx: &mut Tx,
    incident: &str,
    actor: &Actor,
    kind: &str,
    detail: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO incident_events (id, incident_id, at, by, kind, detail) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(db::new_id())
    .bind(incident)
    .bind(db::now_text())
    .bind(&actor.0)
    .bind(kind)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Registers an incident for a unit (idempotent by the form's key), with its first timeline
/// entry and the audit entry.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    i: &IncidentInput,
) -> AppResult<String> {
    if let Some(id) = by_submission(state, &i.submission_id).await? {
        return Ok(id);
    }
    // An incident raised during a patrol is one of the same unit's patrols.
    if let Some(patrol) = &i.patrol_id {
        let of: Option<String> = sqlx::query_scalar("SELECT unit_id FROM patrols WHERE id = ?")
            .bind(patrol)
            .fetch_optional(&state.db)
            .await?;
        if of.as_deref() != Some(unit_id) {
            return Err(AppError::invalid("patrol", "error-patrol-other-unit"));
        }
    }
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    let done = sqlx::query(
        "INSERT INTO incidents (id, created_at, created_by, unit_id, occurred_at, locality_id, place,
         lat, lon, geo_precision, cercle, event_type, sub_event_type, actor1, inter1, actor2, inter2,
         fatalities, injured, missing, source, source_reliability, notes, status, submission_id, patrol_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'signale', ?, ?)
         ON CONFLICT (submission_id) DO NOTHING",
    )
    .bind(&id)
    .bind(db::now_text())
    .bind(&actor.0)
    .bind(unit_id)
    .bind(&i.occurred_at)
    .bind(&i.locality_id)
    .bind(&i.place)
    .bind(i.lat)
    .bind(i.lon)
    .bind(i.precision)
    .bind(&i.cercle)
    .bind(&i.event_type)
    .bind(&i.sub_event_type)
    .bind(&i.actor1)
    .bind(i.inter1)
    .bind(&i.actor2)
    .bind(i.inter2)
    .bind(i.fatalities)
    .bind(i.injured)
    .bind(i.missing)
    .bind(&i.source)
    .bind(&i.source_reliability)
    .bind(&i.notes)
    .bind(&i.submission_id)
    .bind(&i.patrol_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        drop(tx);
        return by_submission(state, &i.submission_id)
            .await?
            .ok_or(AppError::NotFound);
    }
    timeline(&mut tx, &id, actor, "signale", &i.place).await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "incident",
        &id,
        &format!("{} {}", i.event_type, i.place),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn by_submission(state: &AppState, submission: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM incidents WHERE submission_id = ?")
            .bind(submission)
            .fetch_optional(&state.db)
            .await?,
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct IncidentRow {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub occurred_at: String,
    pub place: String,
    pub lat: f64,
    pub lon: f64,
    pub geo_precision: String,
    pub cercle: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: String,
    pub inter1: i64,
    pub actor2: String,
    pub inter2: i64,
    pub fatalities: i64,
    pub injured: i64,
    pub missing: i64,
    pub source: String,
    pub source_reliability: String,
    pub notes: String,
    pub status: String,
    pub locality_id: Option<String>,
    /// The source's own id of an imported event (`acled:…`, `ucdp:…`).
    pub external_ref: Option<String>,
}

const INCIDENT_SELECT: &str = "i.id, i.unit_id, u.name AS unit_name, i.occurred_at, i.place, i.lat, i.lon,
    i.geo_precision, i.cercle, i.event_type, i.sub_event_type, i.actor1, i.inter1, i.actor2, i.inter2,
    i.fatalities, i.injured, i.missing, i.source, i.source_reliability, i.notes, i.status,
    i.locality_id, i.external_ref";
const INCIDENT_FROM: &str = "incidents i JOIN units u ON u.id = i.unit_id";
const IN_SCOPE: &str = "(?2 IS NULL OR i.unit_id IN (SELECT value FROM json_each(?2)))";

pub async fn get(state: &AppState, scope: &Scope, id: &str) -> AppResult<IncidentRow> {
    let row: Option<IncidentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INCIDENT_SELECT} FROM {INCIDENT_FROM} WHERE i.id = ?1 AND {IN_SCOPE}"
    )))
    .bind(id)
    .bind(scope.as_json())
    .fetch_optional(&state.db)
    .await?;
    row.ok_or(AppError::NotFound)
}

/// How the register is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentSort {
    Time,
    Place,
    Status,
}

impl IncidentSort {
    pub fn parse(s: &str) -> Option<IncidentSort> {
        match s {
            "time" => Some(IncidentSort::Time),
            "place" => Some(IncidentSort::Place),
            "status" => Some(IncidentSort::Status),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            IncidentSort::Time => "time",
            IncidentSort::Place => "place",
            IncidentSort::Status => "status",
        }
    }
}

/// What a page or an export of the register keeps, in which order, which page (the page reads
/// its query string into it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    /// An event type's code.
    pub event_type: Option<String>,
    pub status: Option<String>,
    pub cercle: Option<String>,
    pub from: Option<time::Date>,
    /// The last day, whole.
    pub to: Option<time::Date>,
    /// Words of the place and the notes (full-text).
    pub search: String,
    /// None: newest first.
    pub sort: Option<IncidentSort>,
    pub descending: bool,
    /// From 1.
    pub page: i64,
}

impl IncidentFilter {
    /// The filter as `key=value` pairs in a stable order, for the audit of an export.
    pub fn described(&self) -> String {
        let day = |d: &Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        crate::db::list::described(&[
            ("cercle", text(&self.cercle)),
            (
                "dir",
                if self.descending {
                    "desc".into()
                } else {
                    String::new()
                },
            ),
            ("event_type", text(&self.event_type)),
            ("from", day(&self.from)),
            ("q", self.search.clone()),
            (
                "sort",
                self.sort.map(|s| s.code().to_string()).unwrap_or_default(),
            ),
            ("status", text(&self.status)),
            ("to", day(&self.to)),
        ])
    }
}

fn filters(scope: &Scope, f: &IncidentFilter) -> crate::db::list::Where {
    let mut w = crate::db::list::Where::default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let day = |d: &Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    w.eq("i.event_type = ?", &text(&f.event_type));
    w.eq("i.status = ?", &text(&f.status));
    w.eq("i.cercle = ?", &text(&f.cercle));
    w.eq("i.occurred_at >= ?", &day(&f.from));
    w.eq("i.occurred_at < date(?, '+1 day')", &day(&f.to));
    // The words of the place and the notes, through their full-text index.
    const WORDS: &str = "i.rowid IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)";
    w.matches(WORDS, WORDS, crate::db::list::fts_query(&f.search));
    w.scope("i.unit_id IN (SELECT value FROM json_each(?))", scope);
    w
}

/// The query of a page of the register (also what tests/it/scale.rs runs through `EXPLAIN
/// QUERY PLAN`): newest first by default; each order has its index (`incidents_time`,
/// `incidents_place`, `incidents_status_time`), every term going the same way and the rowid
/// breaking the ties.
pub fn list_query(scope: &Scope, f: &IncidentFilter) -> crate::db::list::ListQuery {
    let dir = if f.sort.is_none() || f.descending {
        "DESC"
    } else {
        "ASC"
    };
    let (terms, by_time): (&[&str], _) = match f.sort.unwrap_or(IncidentSort::Time) {
        IncidentSort::Place => (&["i.place", "i.occurred_at", "i.rowid"], false),
        IncidentSort::Status => (&["i.status", "i.occurred_at", "i.rowid"], false),
        IncidentSort::Time => (&["i.occurred_at", "i.rowid"], true),
    };
    let order = terms.iter().map(|t| (t.to_string(), dir)).collect();
    crate::db::list::ListQuery::new(
        INCIDENT_SELECT,
        INCIDENT_FROM,
        "i.rowid",
        filters(scope, f),
        order,
    )
    // No filter needs the units: the keys and times come from the filters' indexes alone.
    .filter_from("incidents i")
    .walk(INCIDENT_FROM, by_time)
}

pub async fn list(
    state: &AppState,
    scope: &Scope,
    f: &IncidentFilter,
) -> AppResult<(Vec<IncidentRow>, i64)> {
    crate::db::list::fetch_list(&state.db, &list_query(scope, f), f.page.max(1)).await
}

/// The incidents that no one answers yet (reported or confirmed, no response under way), the
/// longest waiting first: the top of the operations centre's watch.
pub async fn waiting(state: &AppState, scope: &Scope) -> AppResult<(Vec<IncidentRow>, i64)> {
    let mut w = crate::db::list::Where::default();
    w.fixed("i.status IN ('signale', 'confirme')");
    w.scope("i.unit_id IN (SELECT value FROM json_each(?))", scope);
    crate::db::list::fetch_page(
        &state.db,
        INCIDENT_SELECT,
        INCIDENT_FROM,
        &w,
        "i.occurred_at, i.id",
        1,
    )
    .await
}

/// Every incident of a filter, oldest first, for the exports (refused beyond
/// `EXPORT_MOST`, not cut); audited with the filter and how many left (the notes may name
/// people).
pub async fn export(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    f: &IncidentFilter,
) -> AppResult<Vec<IncidentRow>> {
    let rows: Vec<IncidentRow> = crate::db::list::fetch_all(
        &state.db,
        INCIDENT_SELECT,
        INCIDENT_FROM,
        &filters(scope, f),
        "i.occurred_at, i.id",
        crate::db::list::EXPORT_MOST,
    )
    .await?;
    audit::exported(&state.db, actor, "incident", rows.len(), &f.described()).await?;
    Ok(rows)
}

/// The incident's timeline, oldest first: (time, who, kind, detail).
pub async fn events(
    state: &AppState,
    id: &str,
) -> AppResult<Vec<(String, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT at, by, kind, detail FROM incident_events WHERE incident_id = ? ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?)
}

/// Moves an incident to another status (a reason may go with it), kept in the timeline.
pub async fn set_status(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    id: &str,
    status: &str,
    note: &str,
) -> AppResult<()> {
    if !model::STATUSES.contains(&status) {
        return Err(AppError::invalid("status", "error-bad-choice"));
    }
    if note.chars().count() > 1000 {
        return Err(AppError::invalid("note", "error-note-too-long"));
    }
    let mut tx = db::begin_write(&state.db).await?;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE incidents AS i SET status = ?3 WHERE i.id = ?1 AND {IN_SCOPE}"
    )))
    .bind(id)
    .bind(scope.as_json())
    .bind(status)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    timeline(&mut tx, id, actor, status, note.trim()).await?;
    audit::append(&mut tx, actor, "status", "incident", id, status).await?;
    tx.commit().await?;
    Ok(())
}

/// The kind of a unit that answers on foot, and the prefix of its place in the ranking's
/// form (`unit:` and the unit's id, where an asset gives its id).
pub const ON_FOOT: &str = "foot";
pub const UNIT_PREFIX: &str = "unit:";
/// What is sent to an incident: an asset, or a unit that goes on foot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responder {
    Asset(crate::ids::AssetId),
    OnFoot(crate::ids::UnitId),
}

impl Responder {
    /// From the ranking form's value: an asset's id, or `unit:` and the unit's id.
    pub fn parse(s: &str) -> Option<Responder> {
        let s = s.trim();
        match s.strip_prefix(UNIT_PREFIX) {
            Some(unit) => crate::ids::UnitId::parse(unit).map(Responder::OnFoot),
            None => crate::ids::AssetId::parse(s).map(Responder::Asset),
        }
    }

    /// The ranking form's value.
    pub fn form_value(&self) -> String {
        match self {
            Responder::Asset(id) => id.to_string(),
            Responder::OnFoot(unit) => format!("{UNIT_PREFIX}{unit}"),
        }
    }
}

/// The longest walk the ranking offers (eight hours).
const MAX_FOOT_MINUTES: f64 = 480.0;

/// An asset that could go (or a unit on foot), with its travel time to the incident.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The ranking form's value (`Responder::form_value`).
    pub asset_id: String,
    pub responder: Responder,
    pub registration: String,
    pub kind: String,
    pub unit_id: String,
    pub unit_name: String,
    pub mode: routing::Mode,
    /// Where it leaves from: its unit.
    pub from: routing::Point,
    /// Whether its kind does the job this incident asks for (`model::suited`).
    pub suited: bool,
    /// Minutes, or why it cannot get there.
    pub minutes: Result<f64, routing::Unreachable>,
    pub rank: usize,
}

/// The available assets (status `disponible`: not on a mission, not in maintenance) that can
/// move (vehicles, ambulances, motorbikes, boats, the aircraft), ranked by their travel time
/// from their unit to the incident, those suited to the incident's kind first; those that
/// cannot get there last, with the reason. A commandant sends only the assets of the units in
/// their scope; the operations centre, any.
pub async fn candidates(
    state: &AppState,
    scope: &Scope,
    incident: &IncidentRow,
) -> AppResult<Vec<Candidate>> {
    #[derive(FromRow)]
    struct Available {
        id: String,
        registration: String,
        kind: String,
        unit_id: String,
        unit_name: String,
        lat: Option<f64>,
        lon: Option<f64>,
    }
    let rows: Vec<Available> = sqlx::query_as(
        "SELECT a.id, a.registration, a.kind, u.id AS unit_id, u.name AS unit_name, u.lat, u.lon
         FROM assets a JOIN units u ON u.id = a.unit_id WHERE a.status = 'disponible'
           AND (?1 IS NULL OR a.unit_id IN (SELECT value FROM json_each(?1)))
         ORDER BY a.registration",
    )
    .bind(scope.as_json())
    .fetch_all(&state.db)
    .await?;
    let at = routing::Point::new(incident.lat, incident.lon);
    let mut out: Vec<Candidate> = Vec::new();
    // Field units with no movable asset available answer on foot, unless already out on foot.
    let idle: Vec<(String, String, f64, f64)> = sqlx::query_as(
        "SELECT u.id, u.name, u.lat, u.lon FROM units u
         WHERE u.lat IS NOT NULL AND u.lon IS NOT NULL
           AND u.kind IN ('brigade', 'peloton', 'escadron', 'compagnie', 'centre_secours',
                          'poste_frontiere')
           AND (?1 IS NULL OR u.id IN (SELECT value FROM json_each(?1)))
           AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.unit_id = u.id AND a.status = 'disponible'
                           AND a.kind IN ('vehicle', 'motorbike', 'ambulance', 'boat', 'aircraft'))
           AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.unit_id = u.id
                           AND r.asset_id IS NULL AND r.done_at IS NULL)
         ORDER BY u.name",
    )
    .bind(scope.as_json())
    .fetch_all(&state.db)
    .await?;
    let points: Vec<routing::Point> = idle.iter().map(|u| routing::Point::new(u.2, u.3)).collect();
    let times = state.routing.times_from(routing::Mode::Foot, at, &points);
    for ((u, t), from) in idle.into_iter().zip(times).zip(points) {
        // Beyond a day's march, walking is no answer.
        if t.as_ref().is_ok_and(|m| *m > MAX_FOOT_MINUTES) {
            continue;
        }
        out.push(Candidate {
            from,
            suited: model::suited(&incident.event_type, &incident.sub_event_type, ON_FOOT),
            asset_id: format!("{UNIT_PREFIX}{}", u.0),
            responder: Responder::OnFoot(
                crate::ids::UnitId::parse(&u.0).ok_or(AppError::NotFound)?,
            ),
            registration: String::new(),
            kind: ON_FOOT.to_string(),
            unit_id: u.0,
            unit_name: u.1,
            mode: routing::Mode::Foot,
            minutes: t,
            rank: 0,
        });
    }
    for mode in routing::Mode::ALL {
        let these: Vec<_> = rows
            .iter()
            .filter(|r| model::mode_of(&r.kind) == Some(mode))
            .collect();
        let points: Vec<routing::Point> = these
            .iter()
            .map(|r| routing::Point::new(r.lat.unwrap_or(f64::NAN), r.lon.unwrap_or(f64::NAN)))
            .collect();
        let times = state.routing.times_from(mode, at, &points);
        for ((r, t), from) in these.into_iter().zip(times).zip(points) {
            out.push(Candidate {
                from,
                suited: model::suited(&incident.event_type, &incident.sub_event_type, &r.kind),
                asset_id: r.id.clone(),
                responder: Responder::Asset(
                    crate::ids::AssetId::parse(&r.id).ok_or(AppError::NotFound)?,
                ),
                registration: r.registration.clone(),
                kind: r.kind.clone(),
                unit_id: r.unit_id.clone(),
                unit_name: r.unit_name.clone(),
                mode,
                minutes: t,
                rank: 0,
            });
        }
    }
    // Those that can get there first; among them the suited, each group by travel time.
    out.sort_by(|a, b| match (&a.minutes, &b.minutes) {
        (Ok(x), Ok(y)) => b.suited.cmp(&a.suited).then(x.total_cmp(y)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.registration.cmp(&b.registration),
    });
    for (i, c) in out.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    Ok(out)
}

/// Sends an asset: the first of the ranking, or another with a mandatory reason. The asset
/// goes `en_mission`, the incident to `intervention`; all in one transaction, in the
/// timeline and audited.
pub async fn dispatch(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    incident_id: &str,
    responder: &Responder,
    reason: &str,
) -> AppResult<String> {
    let incident = get(state, scope, incident_id).await?;
    let wanted = responder.form_value();
    if incident.status == "clos" {
        return Err(AppError::Conflict {
            field: "status",
            key: "error-incident-closed",
        });
    }
    let ranked = candidates(state, scope, &incident).await?;
    let chosen = ranked
        .iter()
        .find(|c| c.asset_id == wanted && c.minutes.is_ok())
        .ok_or(AppError::invalid("asset", "error-asset-not-sendable"))?;
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "error-reason-too-long"));
    }
    if chosen.rank > 1 && reason.is_empty() {
        return Err(AppError::invalid("reason", "error-override-reason"));
    }
    let id = db::new_id();
    let asset = match responder {
        Responder::OnFoot(_) => None,
        Responder::Asset(id) => Some(id),
    };
    let mut tx = db::begin_write(&state.db).await?;
    // Still available at the moment of sending (another officer may have sent it).
    if let Some(asset) = asset {
        let why = format!("incident={incident_id}");
        if !crate::registry::send_on_mission(&mut tx, actor, asset, &why).await? {
            return Err(AppError::Conflict {
                field: "asset",
                key: "error-asset-unavailable",
            });
        }
    }
    sqlx::query(
        "INSERT INTO responses (id, incident_id, asset_id, unit_id, mode, minutes, rank,
         override_reason, dispatched_at, dispatched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(incident_id)
    .bind(asset.map(crate::ids::AssetId::as_str))
    .bind(&chosen.unit_id)
    .bind(chosen.mode.code())
    .bind(chosen.minutes.as_ref().ok())
    .bind(i64::try_from(chosen.rank).unwrap_or(i64::MAX))
    .bind(reason)
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut *tx)
    .await
    // A unit already out on foot (another officer was quicker): one open walk each.
    .map_err(db::taken("asset", "error-asset-unavailable"))?;
    sqlx::query("UPDATE incidents SET status = 'intervention' WHERE id = ? AND status != 'clos'")
        .bind(incident_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!(
        "{} ({}), rang {}{}",
        if asset.is_none() {
            "à pied"
        } else {
            chosen.registration.as_str()
        },
        chosen.unit_name,
        chosen.rank,
        if reason.is_empty() {
            String::new()
        } else {
            format!(" — {reason}")
        }
    );
    timeline(&mut tx, incident_id, actor, "dispatch", &detail).await?;
    audit::append(&mut tx, actor, "dispatch", "incident", incident_id, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// A response still under way in the scope: its incident, its asset (none for a unit on foot)
/// and the name it goes by (the registration, or the unit's name).
async fn under_way(
    state: &AppState,
    scope: &Scope,
    response_id: &str,
) -> AppResult<(String, Option<String>, String)> {
    let found: Option<(String, Option<String>, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT r.incident_id, r.asset_id, coalesce(a.registration, u.name)
             FROM responses r JOIN incidents i ON i.id = r.incident_id
                  JOIN units u ON u.id = r.unit_id LEFT JOIN assets a ON a.id = r.asset_id
             WHERE r.id = ?1 AND {IN_SCOPE} AND r.done_at IS NULL"
        )))
        .bind(response_id)
        .bind(scope.as_json())
        .fetch_optional(&state.db)
        .await?;
    found.ok_or(AppError::NotFound)
}

/// A response's next time: engaged, on site, done (the asset is then available again).
pub async fn response_step(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    response_id: &str,
    step: &str,
) -> AppResult<String> {
    let column = match step {
        "engaged" => "engaged_at",
        "on_site" => "on_site_at",
        "done" => "done_at",
        _ => return Err(AppError::invalid("step", "error-bad-choice")),
    };
    let (incident_id, asset_id, registration) = under_way(state, scope, response_id).await?;
    let mut tx = db::begin_write(&state.db).await?;
    // On site means engaged: a skipped click does not leave a hole in the timeline.
    let also = if step == "on_site" {
        ", engaged_at = coalesce(engaged_at, ?1)"
    } else {
        ""
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE responses SET {column} = coalesce({column}, ?1){also} WHERE id = ?2"
    )))
    .bind(db::now_text())
    .bind(response_id)
    .execute(&mut *tx)
    .await?;
    if step == "done"
        && let Some(asset_id) = &asset_id
    {
        let why = format!("response={response_id}");
        crate::registry::back_from_mission(&mut tx, actor, asset_id, &why).await?;
    }
    timeline(&mut tx, &incident_id, actor, step, &registration).await?;
    audit::append(&mut tx, actor, step, "response", response_id, "").await?;
    tx.commit().await?;
    Ok(incident_id)
}

/// The asset of a response broke down on the way: the response ends there, the asset comes back
/// from its mission and goes straight to the workshop with a corrective work order (through
/// the workshop's own function, in this transaction), so dispatch stops proposing it.
pub async fn response_breakdown(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    response_id: &str,
    defect: &str,
) -> AppResult<(String, String)> {
    let (incident_id, asset_id, registration) = under_way(state, scope, response_id).await?;
    // A unit on foot has no asset to repair.
    let asset_id = asset_id.ok_or(AppError::invalid("defect", "error-bad-choice"))?;
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query("UPDATE responses SET done_at = coalesce(done_at, ?1) WHERE id = ?2")
        .bind(db::now_text())
        .bind(response_id)
        .execute(&mut *tx)
        .await?;
    let why = format!("response={response_id}");
    crate::registry::back_from_mission(&mut tx, actor, &asset_id, &why).await?;
    let order = crate::fleet::work_orders::NewWorkOrder {
        kind: "correctif",
        defect: defect.to_string(),
        blocking: true,
        response_id: Some(response_id.to_string()),
        ..Default::default()
    };
    let work_order = crate::fleet::work_orders::open_in(&mut tx, actor, &asset_id, &order).await?;
    timeline(&mut tx, &incident_id, actor, "breakdown", &registration).await?;
    audit::append(
        &mut tx,
        actor,
        "breakdown",
        "response",
        response_id,
        &work_order,
    )
    .await?;
    tx.commit().await?;
    Ok((incident_id, work_order))
}

#[derive(Debug, Clone, FromRow)]
pub struct ResponseRow {
    pub id: String,
    pub registration: String,
    pub unit_name: String,
    pub mode: String,
    pub minutes: Option<f64>,
    pub rank: i64,
    pub override_reason: String,
    pub dispatched_at: String,
    pub engaged_at: Option<String>,
    pub on_site_at: Option<String>,
    pub done_at: Option<String>,
}

pub async fn responses(state: &AppState, incident_id: &str) -> AppResult<Vec<ResponseRow>> {
    Ok(sqlx::query_as(
        "SELECT r.id, coalesce(a.registration, '') AS registration, u.name AS unit_name, r.mode,
                r.minutes, r.rank, r.override_reason, r.dispatched_at, r.engaged_at, r.on_site_at,
                r.done_at
         FROM responses r LEFT JOIN assets a ON a.id = r.asset_id JOIN units u ON u.id = r.unit_id
         WHERE r.incident_id = ? ORDER BY r.dispatched_at",
    )
    .bind(incident_id)
    .fetch_all(&state.db)
    .await?)
}

/// A response received from another node that sends an asset which another response, still
/// under way, already sends (two nodes dispatched it at once, each offline): the asset and the
/// other response, for the operations centre to decide.
pub async fn concurrent_dispatch(
    tx: &mut Tx,
    response_id: &str,
) -> AppResult<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT r.asset_id, o.id FROM responses r
         JOIN responses o ON o.asset_id = r.asset_id AND o.id <> r.id AND o.done_at IS NULL
         WHERE r.id = ? AND r.done_at IS NULL
         ORDER BY o.dispatched_at LIMIT 1",
    )
    .bind(response_id)
    .fetch_optional(&mut **tx)
    .await?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{IncidentFilter, IncidentSort, Responder, when_of};
    use crate::ids::{AssetId, UnitId};

    #[test]
    fn a_register_filter_is_described_for_the_audit_in_a_stable_order() {
        let f = IncidentFilter {
            status: Some("clos".into()),
            cercle: Some("Koro".into()),
            to: crate::db::day("2026-12-05"),
            search: "Dinangourou".into(),
            sort: Some(IncidentSort::Place),
            ..IncidentFilter::default()
        };
        assert_eq!(
            f.described(),
            "cercle=Koro q=Dinangourou sort=place status=clos to=2026-12-05"
        );
    }

    #[test]
    fn a_responder_is_read_from_the_ranking_form() {
        assert_eq!(
            Responder::parse("unit:u1"),
            Some(Responder::OnFoot(UnitId::parse("u1").unwrap()))
        );
        assert_eq!(
            Responder::parse(" a1 "),
            Some(Responder::Asset(AssetId::parse("a1").unwrap()))
        );
        assert_eq!(Responder::parse("unit:"), None);
        assert_eq!(Responder::parse(""), None);
        for r in [
            Responder::OnFoot(UnitId::parse("u1").unwrap()),
            Responder::Asset(AssetId::parse("a1").unwrap()),
        ] {
            assert_eq!(Responder::parse(&r.form_value()), Some(r));
        }
    }

    #[test]
    fn a_time_is_read_strictly_and_stored_in_one_shape() {
        assert_eq!(
            when_of("2026-10-05").as_deref(),
            Some("2026-10-05T00:00:00Z")
        );
        assert_eq!(
            when_of(" 2026-10-05T07:30 ").as_deref(),
            Some("2026-10-05T07:30:00Z")
        );
        assert_eq!(
            when_of("2026-10-05 07:30").as_deref(),
            Some("2026-10-05T07:30:00Z")
        );
        // The French habit (issue 12): day first.
        assert_eq!(
            when_of("05/10/2026 07:30").as_deref(),
            Some("2026-10-05T07:30:00Z")
        );
        assert_eq!(
            when_of("5/10/2026").as_deref(),
            Some("2026-10-05T00:00:00Z")
        );
        for bad in [
            "2026-10-05T10h30",
            "2026-+1-05",
            "+026-10-05",
            "2026-02-30",
            "2026-10-05T24:00",
            "2026-10-05T07:60",
            "31/02/2026",
            "05/10/26",
            "",
            "2026-10-05T07:30:00",
            "2026-10-05  07:30",
            "2026 10-05",
        ] {
            assert_eq!(when_of(bad), None, "{bad}");
        }
    }
}
