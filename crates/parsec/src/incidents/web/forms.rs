//! The register's forms read into the commands its services take.

use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::incidents::{self, IncidentInput, Located};
use crate::web::page::Fields;

/// Reads the form: the place from the gazetteer (a name or an id) or coordinates; the
/// time as `YYYY-MM-DDTHH:MM` (local time is UTC in Mali) or a day.
pub fn incident_input(state: &AppState, f: &Fields) -> AppResult<IncidentInput> {
    let submission_id = f.get("submission").to_string();
    if submission_id.is_empty() || submission_id.len() > 64 {
        return Err(AppError::invalid("submission", "error-stale-form"));
    }
    let mut p = Problems::default();
    let occurred_at = match incidents::when_of(f.get("occurred_at")) {
        None => {
            p.add("occurred_at", "error-bad-datetime");
            String::new()
        }
        Some(t) if t.as_str() > crate::db::now_text().as_str() => {
            p.add("occurred_at", "error-future-date");
            t
        }
        Some(t) => t,
    };
    let lat = p.or_default(f.optional_f64("lat", 10.0, 20.0))?;
    let lon = p.or_default(f.optional_f64("lon", -7.0, 1.0))?;
    let Located {
        lat,
        lon,
        precision,
        locality_id,
        place,
        cercle,
    } = p.or_default(incidents::locate(state, f.get("place"), lat, lon))?;
    let event_type = f.get("event_type").to_string();
    let sub_event_type = f.get("sub_event_type").to_string();
    if incidents::model::labels(&event_type, &sub_event_type).is_none() {
        // The form gives type and sub-type as one choice, `event`.
        let key = if event_type.is_empty() {
            "error-required"
        } else {
            "error-bad-choice"
        };
        p.add("event", key);
    }
    let mut count = |name: &'static str| {
        p.or_default(
            f.optional_i64(name, 0, incidents::model::COUNT_MAX)
                .map(Option::unwrap_or_default),
        )
    };
    let (fatalities, injured, missing) =
        (count("fatalities")?, count("injured")?, count("missing")?);
    let mut inter = |name: &'static str| {
        p.or_default(
            f.optional_i64(name, 0, incidents::model::INTER_MAX)
                .map(Option::unwrap_or_default),
        )
    };
    let (inter1, inter2) = (inter("inter1")?, inter("inter2")?);
    let reliability = f.get("source_reliability");
    let source_reliability = if reliability.is_empty() {
        "non_evaluee".to_string()
    } else if incidents::model::RELIABILITY.contains(&reliability) {
        reliability.to_string()
    } else {
        p.add("source_reliability", "error-bad-choice");
        String::new()
    };
    let mut text = |name: &'static str, max: usize| {
        p.or_default(f.optional(name, max).map(Option::unwrap_or_default))
    };
    let actor1 = text("actor1", incidents::model::ACTOR_MAX)?;
    let actor2 = text("actor2", incidents::model::ACTOR_MAX)?;
    let source = text("source", incidents::model::SOURCE_MAX)?;
    let notes = text("notes", incidents::model::NOTES_MAX)?;
    p.finish(IncidentInput {
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
        actor1,
        inter1,
        actor2,
        inter2,
        fatalities,
        injured,
        missing,
        source,
        source_reliability,
        notes,
        patrol_id: Some(f.get("patrol").to_string()).filter(|p| !p.is_empty()),
    })
}
