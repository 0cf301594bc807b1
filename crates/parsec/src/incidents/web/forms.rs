//! The register's forms read into the commands its services take.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::incidents::{self, IncidentInput, Located};
use crate::web::page::Fields;

/// Reads the form: the place from the gazetteer (a name or an id) or coordinates; the
/// time as `YYYY-MM-DDTHH:MM` (local time is UTC in Mali) or a day.
pub fn incident_input(state: &AppState, f: &Fields) -> AppResult<IncidentInput> {
    let submission_id = f.get("submission").to_string();
    if submission_id.is_empty() || submission_id.len() > 64 {
        return Err(AppError::invalid("submission", "error-stale-form"));
    }
    let occurred_at = incidents::when_of(f.get("occurred_at"))
        .ok_or(AppError::invalid("occurred_at", "error-bad-datetime"))?;
    if occurred_at.as_str() > crate::db::now_text().as_str() {
        return Err(AppError::invalid("occurred_at", "error-future-date"));
    }
    let lat = f.optional_f64("lat", 10.0, 20.0)?;
    let lon = f.optional_f64("lon", -7.0, 1.0)?;
    let Located {
        lat,
        lon,
        precision,
        locality_id,
        place,
        cercle,
    } = incidents::locate(state, f.get("place"), lat, lon)?;
    let event_type = f.get("event_type").to_string();
    let sub_event_type = f.get("sub_event_type").to_string();
    if incidents::model::labels(&event_type, &sub_event_type).is_none() {
        return Err(AppError::invalid("sub_event_type", "error-bad-choice"));
    }
    let count = |name: &'static str| {
        f.optional_i64(name, 0, incidents::model::COUNT_MAX)
            .map(Option::unwrap_or_default)
    };
    let inter = |name: &'static str| {
        f.optional_i64(name, 0, incidents::model::INTER_MAX)
            .map(Option::unwrap_or_default)
    };
    let reliability = f.get("source_reliability");
    let source_reliability = if reliability.is_empty() {
        "non_evaluee".to_string()
    } else if incidents::model::RELIABILITY.contains(&reliability) {
        reliability.to_string()
    } else {
        return Err(AppError::invalid("source_reliability", "error-bad-choice"));
    };
    Ok(IncidentInput {
        submission_id,
        occurred_at,
        locality_id,
        place,
        lat,
        lon,
        precision,
        cercle,
        event_type,
        sub_event_type,
        actor1: f
            .optional("actor1", incidents::model::ACTOR_MAX)?
            .unwrap_or_default(),
        inter1: inter("inter1")?,
        actor2: f
            .optional("actor2", incidents::model::ACTOR_MAX)?
            .unwrap_or_default(),
        inter2: inter("inter2")?,
        fatalities: count("fatalities")?,
        injured: count("injured")?,
        missing: count("missing")?,
        source: f
            .optional("source", incidents::model::SOURCE_MAX)?
            .unwrap_or_default(),
        source_reliability,
        notes: f
            .optional("notes", incidents::model::NOTES_MAX)?
            .unwrap_or_default(),
        patrol_id: Some(f.get("patrol").to_string()).filter(|p| !p.is_empty()),
    })
}
