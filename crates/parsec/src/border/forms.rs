//! The border pages' forms and query strings read into the commands and filters the services
//! take (`CrossingInput`, `NewVehicle`, `NewGoods`, `CrossingFilter`): the services never read
//! a form.

use time::Date;

use super::crossing::{self, CrossingInput};
use super::model::{Coded, Direction, Mode, Screening, VehicleKind};
use super::vehicle::{self, GoodsOwner, NewGoods, NewVehicle};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::screening::{self, Traveller};
use crate::web::page::{Fields, ListParams};

/// The crossing form: the zone as read (its fields then come from the document) or the fields
/// as typed.
fn code(
    f: &Fields,
    field: &'static str,
    lengths: std::ops::RangeInclusive<usize>,
) -> AppResult<String> {
    let v = f.get(field).trim().to_uppercase();
    if v.is_empty() || (lengths.contains(&v.len()) && v.bytes().all(|b| b.is_ascii_uppercase())) {
        Ok(v)
    } else {
        Err(AppError::invalid(field, "error-country-code"))
    }
}

fn iso_date(f: &Fields, field: &'static str) -> AppResult<Option<String>> {
    let v = crate::db::iso_day(f.get(field));
    let v = v.as_str();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.len() == 10 && namematch::BirthDate::parse(v).is_some();
    ok.then(|| Some(v.to_string()))
        .ok_or(AppError::invalid(field, "error-bad-date"))
}

pub fn crossing_input(state: &AppState, f: &Fields, today: Date) -> AppResult<CrossingInput> {
    let submission_id = f.get("submission").trim().to_string();
    if submission_id.is_empty() || submission_id.len() > 64 {
        return Err(AppError::invalid("submission", "error-stale-form"));
    }
    let direction = f.choice("direction", Direction::parse)?;
    let mode = f.choice("mode", Mode::parse)?;
    let purpose = f.optional("purpose", 200)?.unwrap_or_default();
    let origin = crossing::place(state, f.get("origin"), "origin")?;
    let destination = crossing::place(state, f.get("destination"), "destination")?;
    let mut input = match crossing::read_zone(f.get("mrz"), today)? {
        Some(doc) => CrossingInput {
            submission_id,
            direction,
            mode,
            purpose,
            origin,
            destination,
            surname: doc.surname.clone(),
            given_names: doc.given_names.clone(),
            sex: doc.sex.clone(),
            birth_date: doc.birth_date_iso.clone(),
            birth_approximate: false,
            nationality: screening::canonical_nationality(&doc.nationality),
            document_code: doc.document_code.clone(),
            document_number: doc.document_number.clone(),
            document_country: doc.issuing_country.clone(),
            document_expiry: doc.expiry_date_iso.clone(),
            mrz: doc.lines.clone(),
            mrz_warnings: doc
                .warnings
                .iter()
                .chain(&doc.errors)
                .map(|w| w.code.to_string())
                .collect(),
        },
        None => {
            let sex = match f.get("sex").trim() {
                "" => String::new(),
                s @ ("M" | "F" | "X") => s.to_string(),
                _ => return Err(AppError::invalid("sex", "error-bad-choice")),
            };
            let nationality = code(f, "nationality", 2..=3)?;
            CrossingInput {
                submission_id,
                direction,
                mode,
                purpose,
                origin,
                destination,
                surname: f.required("surname", 100)?,
                given_names: f.optional("given_names", 100)?.unwrap_or_default(),
                sex,
                birth_date: None,
                birth_approximate: f.flag("birth_approximate"),
                nationality: screening::canonical_nationality(&nationality),
                document_code: code(f, "document_code", 1..=2)?,
                document_number: f
                    .optional("document_number", 30)?
                    .unwrap_or_default()
                    .to_uppercase(),
                document_country: code(f, "document_country", 1..=3)?,
                document_expiry: iso_date(f, "document_expiry")?,
                mrz: Vec::new(),
                mrz_warnings: Vec::new(),
            }
        }
    };
    if input.mrz.is_empty() {
        // Checked the way the screening checks it: a real date, not in the future.
        let birth = f.get("birth_date").trim();
        let checked = Traveller::parse(&input.surname, Some(birth), None)?;
        input.birth_date = checked.birth;
    }
    Ok(input)
}

/// The vehicle form as the service takes it.
pub fn new_vehicle(f: &Fields) -> AppResult<NewVehicle> {
    let driver = crate::ids::CrossingId::parse(f.get("driver"));
    Ok(NewVehicle {
        submission_id: vehicle::submission_id(f.get("submission"))?,
        plate: vehicle::plate(f.get("plate"))?,
        country: vehicle::country_code(f.get("country"))?,
        kind: f.choice("kind", VehicleKind::parse)?,
        passengers: f.optional_i64("passengers", 0, 500)?.unwrap_or(0),
        // With a driver, the vehicle goes their way: the field is not read.
        direction: match driver {
            None => Some(f.choice("direction", Direction::parse)?),
            Some(_) => None,
        },
        driver,
    })
}

/// The goods form as the service takes it.
pub fn new_goods(state: &AppState, f: &Fields) -> AppResult<NewGoods> {
    let submission_id = vehicle::submission_id(f.get("submission"))?;
    let category = f.get("category").to_string();
    if category.is_empty() {
        return Err(AppError::invalid("category", "error-required"));
    }
    let quantity = f
        .optional_f64("quantity", f64::MIN, f64::MAX)?
        .ok_or(AppError::invalid("quantity", "error-required"))?;
    let quantity_unit = vehicle::quantity_unit(&f.required("quantity_unit", 20)?);
    // "150 000" is how amounts are written here.
    let mut amount = f.clone();
    amount.0.insert(
        "value_fcfa".into(),
        f.get("value_fcfa")
            .replace([' ', '\u{a0}', '\u{202f}', '.'], ""),
    );
    let value_fcfa = amount.optional_i64("value_fcfa", 0, 1_000_000_000_000)?;
    // A locality of the region (as the suggestions give it) or a town abroad as typed.
    let origin = crossing::place(state, f.get("origin"), "origin")?.text;
    let destination = crossing::place(state, f.get("destination"), "destination")?.text;
    let vehicle = crate::ids::VehicleId::parse(f.get("vehicle"));
    let owner = match (vehicle, crate::ids::CrossingId::parse(f.get("crossing"))) {
        (Some(v), _) => GoodsOwner::Vehicle(v),
        (None, Some(c)) => GoodsOwner::Crossing(c),
        (None, None) => return Err(AppError::invalid("crossing", "error-goods-owner")),
    };
    Ok(NewGoods {
        submission_id,
        owner,
        category,
        quantity,
        quantity_unit,
        value_fcfa,
        origin,
        destination,
    })
}

/// The crossing list's query string as the service takes it. A value that does not read (a
/// date, a code) keeps nothing out rather than emptying the list.
pub fn crossing_filter(p: &ListParams) -> crossing::CrossingFilter {
    crossing::CrossingFilter {
        post: crate::ids::UnitId::parse(p.get("post")),
        from: crate::db::day(p.get("from")),
        to: crate::db::day(p.get("to")),
        direction: Direction::parse(p.get("direction")),
        // As documents print it (MLI) or as lists write it (ML): kept as alpha-2.
        nationality: crate::ids::CountryCode::parse(p.get("nationality")),
        mode: Mode::parse(p.get("mode")),
        screening: Screening::parse(p.get("screening")),
        search: p.get("q").to_string(),
        sort: crossing::CrossingSort::parse(p.get("sort")),
        descending: p.desc(),
        page: p.page(),
    }
}
