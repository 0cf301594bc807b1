//! Importing events from a file the user supplies (no data is shipped): ACLED's export
//! (its column names) or UCDP's Georeferenced Event Dataset (GED). Each row becomes an
//! incident of the region, or is refused with its line and reason; an event already known
//! (the same source id, or the same type on the same day within 5 km) is a duplicate and is
//! skipped. All or nothing, unless asked to keep the good rows.

use std::io::Read;

use super::model;
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

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub imported: usize,
    pub duplicates: Vec<Refusal>,
    pub rejected: Vec<Refusal>,
}

/// ACLED's type and sub-type names to ours.
fn from_acled(t: &str, s: &str) -> Option<(&'static str, &'static str)> {
    super::model::EVENT_TYPES
        .iter()
        .find_map(|(code, acled, _, subs)| {
            (acled.eq_ignore_ascii_case(t.trim()))
                .then(|| {
                    subs.iter()
                        .find(|x| x.1.eq_ignore_ascii_case(s.trim()))
                        .map(|x| (*code, x.0))
                })
                .flatten()
        })
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
        Format::Acled => [
            "event_id_cnty",
            "event_date",
            "event_type",
            "sub_event_type",
            "latitude",
            "longitude",
        ],
        Format::Ucdp => [
            "id",
            "date_start",
            "type_of_violence",
            "latitude",
            "longitude",
            "best",
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
        let number = |n: &str| get(n).parse::<f64>().ok();
        // Every rule the form applies, every broken one said at once.
        let mut reasons: Vec<String> = Vec::new();
        let mut count = |n: &str, max: i64| {
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
        let (types, day, external, place) = match format {
            Format::Acled => (
                from_acled(&get("event_type"), &get("sub_event_type")),
                get("event_date"),
                format!("acled:{}", get("event_id_cnty")),
                get("location"),
            ),
            Format::Ucdp => (
                from_ucdp(&get("type_of_violence")),
                get("date_start").get(..10).unwrap_or("").to_string(),
                format!("ucdp:{}", get("id")),
                get("where_coordinates"),
            ),
        };
        let (actor1, actor2, inter1, inter2, fatalities, source, notes) = match format {
            Format::Acled => (
                get("actor1"),
                get("actor2"),
                count("inter1", model::INTER_MAX),
                count("inter2", model::INTER_MAX),
                count("fatalities", model::COUNT_MAX),
                get("source"),
                get("notes"),
            ),
            Format::Ucdp => (
                get("side_a"),
                get("side_b"),
                0,
                0,
                count("best", model::COUNT_MAX),
                get("source_article"),
                String::new(),
            ),
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
        let point = match (number("latitude"), number("longitude")) {
            (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => Some((lat, lon)),
            _ => {
                reasons.push("coordonnées absentes".into());
                None
            }
        };
        for (name, value, max) in [
            ("actor1", &actor1, model::ACTOR_MAX),
            ("actor2", &actor2, model::ACTOR_MAX),
            ("location", &place, model::PLACE_MAX),
            ("source", &source, model::SOURCE_MAX),
            ("notes", &notes, model::NOTES_MAX),
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
            external_ref: external,
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
