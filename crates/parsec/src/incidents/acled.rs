//! ACLED's format, both ways: its columns (one list, for the files we read and the ones we
//! write), its type and sub-type names against ours (the names themselves are in
//! `model::EVENT_TYPES`), its disorder types, an incident written as one of its rows and one
//! of its rows read into the import's record. No I/O here: `import` reads the file, the
//! export's page hands it out.

use super::IncidentRow;
use super::import::Row;
use super::model;

const EVENT_ID: &str = "event_id_cnty";
const EVENT_DATE: &str = "event_date";
const EVENT_TYPE: &str = "event_type";
const SUB_EVENT_TYPE: &str = "sub_event_type";
pub const ACTOR1: &str = "actor1";
const INTER1: &str = "inter1";
pub const ACTOR2: &str = "actor2";
const INTER2: &str = "inter2";
pub const LOCATION: &str = "location";
const LATITUDE: &str = "latitude";
const LONGITUDE: &str = "longitude";
pub const SOURCE: &str = "source";
pub const NOTES: &str = "notes";
const FATALITIES: &str = "fatalities";

/// ACLED's 31 columns, in its order.
pub const COLUMNS: [&str; 31] = [
    EVENT_ID,
    EVENT_DATE,
    "year",
    "time_precision",
    "disorder_type",
    EVENT_TYPE,
    SUB_EVENT_TYPE,
    ACTOR1,
    "assoc_actor_1",
    INTER1,
    ACTOR2,
    "assoc_actor_2",
    INTER2,
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    LOCATION,
    LATITUDE,
    LONGITUDE,
    "geo_precision",
    SOURCE,
    "source_scale",
    NOTES,
    FATALITIES,
    "tags",
    "timestamp",
];

/// The columns a file must have to be read as ACLED's.
pub const REQUIRED: [&str; 6] = [
    EVENT_ID,
    EVENT_DATE,
    EVENT_TYPE,
    SUB_EVENT_TYPE,
    LATITUDE,
    LONGITUDE,
];

/// What an imported event's `external_ref` starts with: the event keeps ACLED's id.
const REF_PREFIX: &str = "acled:";

/// ACLED's names of a type and sub-type (for the ACLED-shaped export).
pub fn names(event_type: &str, sub: &str) -> Option<(&'static str, &'static str)> {
    let (_, acled, _, subs) = model::EVENT_TYPES.iter().find(|t| t.0 == event_type)?;
    let (_, acled_sub, _) = subs.iter().find(|s| s.0 == sub)?;
    Some((acled, acled_sub))
}

/// ACLED's type and sub-type names to ours.
fn codes(t: &str, s: &str) -> Option<(&'static str, &'static str)> {
    model::EVENT_TYPES
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

/// ACLED's disorder type of an event type.
fn disorder(t: &str) -> &'static str {
    match t {
        "battles" | "explosions" | "violence_civilians" => "Political violence",
        "protests" | "riots" => "Demonstrations",
        "strategic" => "Strategic developments",
        _ => "Civil protection",
    }
}

/// An incident as one of ACLED's rows, its cells in the order of `COLUMNS` (civil-protection
/// events, which ACLED does not record, keep our names); `places` gives the commune.
pub fn row(r: &IncidentRow, places: &gazetteer::Gazetteer) -> [String; COLUMNS.len()] {
    let (t, s) = names(&r.event_type, &r.sub_event_type).unwrap_or(("", ""));
    let commune = r
        .locality_id
        .as_deref()
        .and_then(|l| places.locality(l))
        .map(|l| l.commune.clone())
        .unwrap_or_default();
    let precision = match r.geo_precision.as_str() {
        "exact" | "locality" => "1",
        "commune" => "2",
        _ => "3",
    };
    let (low, high) = (r.inter1.min(r.inter2), r.inter1.max(r.inter2));
    // ACLED's two digits, the lower first; an actor alone is "N0".
    let interaction = match (low, high) {
        (0, 0) => String::new(),
        (0, h) => format!("{h}0"),
        (l, h) => format!("{l}{h}"),
    };
    let timestamp = time::OffsetDateTime::parse(
        &r.occurred_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| t.unix_timestamp())
    .unwrap_or(0);
    [
        // An imported event keeps its source's id; ours are the whole UUID.
        match r
            .external_ref
            .as_deref()
            .and_then(|x| x.strip_prefix(REF_PREFIX))
        {
            Some(acled) => acled.to_string(),
            None => format!("MLIPS{}", r.id.replace('-', "")),
        },
        r.occurred_at.get(..10).unwrap_or("").to_string(),
        r.occurred_at.get(..4).unwrap_or("").to_string(),
        "1".to_string(),
        disorder(&r.event_type).to_string(),
        t.to_string(),
        s.to_string(),
        r.actor1.clone(),
        String::new(),
        r.inter1.to_string(),
        r.actor2.clone(),
        String::new(),
        r.inter2.to_string(),
        interaction,
        if r.event_type == "violence_civilians" {
            "Civilian targeting".into()
        } else {
            String::new()
        },
        "466".to_string(),
        "Western Africa".to_string(),
        "Mali".to_string(),
        "Mopti".to_string(),
        r.cercle.clone(),
        commune,
        r.place.clone(),
        format!("{:.4}", r.lat),
        format!("{:.4}", r.lon),
        precision.to_string(),
        r.source.clone(),
        String::new(),
        r.notes.clone(),
        r.fatalities.to_string(),
        String::new(),
        timestamp.to_string(),
    ]
}

/// One of ACLED's rows as the import reads it: `get` gives a column's trimmed text, `count` a
/// whole number within its bounds (noting a refusal otherwise); the checks every format
/// shares are the import's.
pub fn read(get: impl Fn(&str) -> String, mut count: impl FnMut(&str, i64) -> i64) -> Row {
    Row {
        types: codes(&get(EVENT_TYPE), &get(SUB_EVENT_TYPE)),
        day: get(EVENT_DATE),
        external_ref: format!("{REF_PREFIX}{}", get(EVENT_ID)),
        place: get(LOCATION),
        actor1: get(ACTOR1),
        actor2: get(ACTOR2),
        inter1: count(INTER1, model::INTER_MAX),
        inter2: count(INTER2, model::INTER_MAX),
        fatalities: count(FATALITIES, model::COUNT_MAX),
        source: get(SOURCE),
        notes: get(NOTES),
        latitude: get(LATITUDE),
        longitude: get(LONGITUDE),
    }
}
