//! Importing events from a file the user supplies (no data is shipped): ACLED's export
//! (its rows read by `acled`) or UCDP's Georeferenced Event Dataset (GED). Each row becomes an
//! incident of the region, or is refused with its line and reason; an event already known
//! (the same source id, or the same type on the same day within 5 km) is a duplicate and is
//! skipped. All or nothing, unless asked to keep the good rows.

use std::io::Read;

use super::{acled, model};
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult};

/// The source formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Acled,
    Ucdp,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "acled" => Some(Format::Acled),
            "ucdp" | "ucdp-ged" => Some(Format::Ucdp),
            _ => None,
        }
    }
}

/// An event read from the file.
#[derive(Debug, Clone)]
struct Event {
    line: u64,
    external_ref: String,
    day: String,
    event_type: &'static str,
    sub_event_type: &'static str,
    actor1: String,
    inter1: i64,
    actor2: String,
    inter2: i64,
    lat: f64,
    lon: f64,
    place: String,
    fatalities: i64,
    source: String,
    notes: String,
}

/// A row as its format reads it, before the checks every format shares.
pub struct Row {
    pub external_ref: String,
    pub day: String,
    pub types: Option<(&'static str, &'static str)>,
    pub place: String,
    pub actor1: String,
    pub inter1: i64,
    pub actor2: String,
    pub inter2: i64,
    pub fatalities: i64,
    pub source: String,
    pub notes: String,
    pub latitude: String,
    pub longitude: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub imported: usize,
    pub duplicates: Vec<Refusal>,
    pub rejected: Vec<Refusal>,
}

/// UCDP's types of violence: state-based and non-state conflict are clashes; one-sided
/// violence is violence against civilians.
fn from_ucdp(kind: &str) -> Option<(&'static str, &'static str)> {
    match kind.trim() {
        "1" | "2" => Some(("battles", "armed_clash")),
        "3" => Some(("violence_civilians", "attack")),
        _ => None,
    }
}

// The columns of UCDP's GED that a file must have.
const UCDP_ID: &str = "id";
const UCDP_DATE: &str = "date_start";
const UCDP_KIND: &str = "type_of_violence";
const UCDP_LATITUDE: &str = "latitude";
const UCDP_LONGITUDE: &str = "longitude";
const UCDP_BEST: &str = "best";

/// One of UCDP's rows, read as `acled::read` reads ACLED's.
fn ucdp(get: impl Fn(&str) -> String, mut count: impl FnMut(&str, i64) -> i64) -> Row {
    Row {
        types: from_ucdp(&get(UCDP_KIND)),
        day: get(UCDP_DATE).get(..10).unwrap_or("").to_string(),
        external_ref: format!("ucdp:{}", get(UCDP_ID)),
        place: get("where_coordinates"),
        actor1: get("side_a"),
        actor2: get("side_b"),
        inter1: 0,
        inter2: 0,
        fatalities: count(UCDP_BEST, model::COUNT_MAX),
        source: get("source_article"),
        notes: String::new(),
        latitude: get(UCDP_LATITUDE),
        longitude: get(UCDP_LONGITUDE),
    }
}

/// A refused row: its line and why.
type Refusal = (u64, String);

fn read(
    format: Format,
    input: impl Read,
    today: &str,
) -> Result<(Vec<Event>, Vec<Refusal>), String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| format!("en-tête illisible : {e}"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let need = match format {
        Format::Acled => acled::REQUIRED,
        Format::Ucdp => [
            UCDP_ID,
            UCDP_DATE,
            UCDP_KIND,
            UCDP_LATITUDE,
            UCDP_LONGITUDE,
            UCDP_BEST,
        ],
    };
    for n in need {
        if col(n).is_none() {
            return Err(format!(
                "colonne « {n} » absente : ce n'est pas un fichier de ce format"
            ));
        }
    }
    let mut events = Vec::new();
    let mut rejected = Vec::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                rejected.push((
                    e.position().map_or(0, |p| p.line()),
                    format!("ligne illisible : {e}"),
                ));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |n: &str| {
            col(n)
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        // Every rule the form applies, every broken one said at once.
        let mut reasons: Vec<String> = Vec::new();
        let count = |n: &str, max: i64| {
            let v = get(n);
            if v.is_empty() {
                return 0;
            }
            match v.parse::<i64>() {
                Ok(x) if (0..=max).contains(&x) => x,
                _ => {
                    reasons.push(format!("{n} « {v} » hors de 0 à {max}"));
                    0
                }
            }
        };
        let Row {
            external_ref,
            day,
            types,
            place,
            actor1,
            inter1,
            actor2,
            inter2,
            fatalities,
            source,
            notes,
            latitude,
            longitude,
        } = match format {
            Format::Acled => acled::read(get, count),
            Format::Ucdp => ucdp(get, count),
        };
        if types.is_none() {
            reasons.push("type d'événement inconnu".into());
        }
        match super::when_of(&day).filter(|_| day.len() == 10) {
            None => reasons.push(format!("date « {day} » invalide")),
            Some(when) if when.as_str() > today => {
                reasons.push(format!("date {day} dans le futur"))
            }
            Some(_) => {}
        }
        let number = |v: String| v.parse::<f64>().ok();
        let point = match (number(latitude), number(longitude)) {
            (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => Some((lat, lon)),
            _ => {
                reasons.push("coordonnées absentes".into());
                None
            }
        };
        // Named as ACLED's columns, whatever the file's format.
        for (name, value, max) in [
            (acled::ACTOR1, &actor1, model::ACTOR_MAX),
            (acled::ACTOR2, &actor2, model::ACTOR_MAX),
            (acled::LOCATION, &place, model::PLACE_MAX),
            (acled::SOURCE, &source, model::SOURCE_MAX),
            (acled::NOTES, &notes, model::NOTES_MAX),
        ] {
            let n = value.chars().count();
            if n > max {
                reasons.push(format!("{name} trop long ({n} caractères, {max} au plus)"));
            }
        }
        let (Some((event_type, sub_event_type)), Some((lat, lon)), true) =
            (types, point, reasons.is_empty())
        else {
            rejected.push((line, reasons.join(" ; ")));
            continue;
        };
        events.push(Event {
            line,
            external_ref,
            day,
            event_type,
            sub_event_type,
            actor1,
            inter1,
            actor2,
            inter2,
            lat,
            lon,
            place,
            fatalities,
            source,
            notes,
        });
    }
    Ok((events, rejected))
}

/// Imports a file for a unit: refused rows listed, duplicates skipped, the rest in one
/// transaction with the audit entry (nothing when rows are refused, unless `skip_invalid`).
pub async fn import(
    state: &AppState,
    actor: &Actor,
    unit_id: &str,
    format: Format,
    input: impl Read,
    skip_invalid: bool,
) -> AppResult<Report> {
    // Events of the future are refused, as the form refuses them (`when_of` gives midnight).
    let today = db::now_text();
    let (read_events, rejected) =
        read(format, input, &today).map_err(|e| AppError::Internal(format!("fichier : {e}")))?;
    let mut report = Report {
        rejected,
        ..Report::default()
    };
    // In the region: near a place of one of its eight cercles, which gives the cercle.
    let mut events = Vec::new();
    for e in read_events {
        match super::near_in_region(state, e.lat, e.lon) {
            Some(near) => events.push((e, near)),
            None => report.rejected.push((
                e.line,
                format!("hors de la région ({:.2}, {:.2})", e.lat, e.lon),
            )),
        }
    }
    report.rejected.sort_by_key(|r| r.0);
    if !report.rejected.is_empty() && !skip_invalid {
        return Ok(report);
    }
    let mut tx = db::begin_write(&state.db).await?;
    for (e, near) in events {
        let known: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM incidents WHERE external_ref = ?1
             OR (substr(occurred_at, 1, 10) = ?2 AND event_type = ?3
                 AND abs(lat - ?4) < 0.045 AND abs(lon - ?5) < 0.046)",
        )
        .bind(&e.external_ref)
        .bind(&e.day)
        .bind(e.event_type)
        .bind(e.lat)
        .bind(e.lon)
        .fetch_one(&mut *tx)
        .await?;
        if known > 0 {
            report.duplicates.push((e.line, e.external_ref.clone()));
            continue;
        }
        // The place named, if it is known and where the point is; else the nearest one.
        let locality = state
            .gazetteer
            .search(&e.place, 1)
            .into_iter()
            .next()
            .filter(|h| h.kind == gazetteer::MatchKind::Exact)
            .map(|h| h.locality)
            .filter(|l| gazetteer::distance_km(l.lat, l.lon, e.lat, e.lon) <= 30.0)
            .unwrap_or(near);
        let id = db::new_id();
        sqlx::query(
            "INSERT INTO incidents (id, created_at, created_by, unit_id, occurred_at, locality_id, place,
             lat, lon, geo_precision, cercle, event_type, sub_event_type, actor1, inter1, actor2,
             inter2, fatalities, source, source_reliability, notes, status, submission_id, external_ref)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'exact', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'plausible', ?, 'confirme', ?, ?)",
        )
        .bind(&id)
        .bind(db::now_text())
        .bind(&actor.0)
        .bind(unit_id)
        .bind(format!("{}T00:00:00Z", e.day))
        .bind(&locality.id)
        .bind(&e.place)
        .bind(e.lat)
        .bind(e.lon)
        .bind(&locality.cercle)
        .bind(e.event_type)
        .bind(e.sub_event_type)
        .bind(&e.actor1)
        .bind(e.inter1)
        .bind(&e.actor2)
        .bind(e.inter2)
        .bind(e.fatalities)
        .bind(&e.source)
        .bind(&e.notes)
        .bind(&e.external_ref)
        .bind(&e.external_ref)
        .execute(&mut *tx)
        .await?;
        super::timeline(&mut tx, &id, actor, "import", &e.external_ref).await?;
        report.imported += 1;
    }
    audit::append(
        &mut tx,
        actor,
        "import",
        "incident",
        "-",
        &format!(
            "format={format:?} imported={} duplicates={} rejected={}",
            report.imported,
            report.duplicates.len(),
            report.rejected.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
