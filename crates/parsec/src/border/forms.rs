//! The border pages' forms and query strings read into the commands and filters the services
//! take (`CrossingInput`, `NewVehicle`, `NewGoods`, `CrossingFilter`): the services never read
//! a form.

use time::Date;

use super::crossing::{self, CrossingInput};
use super::model::{Coded, Direction, Mode, Screening, VehicleKind};
use super::vehicle::{self, GoodsOwner, NewGoods, NewVehicle};
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
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
    let mut p = Problems::default();
    let direction = p.or(f.choice("direction", Direction::parse), Direction::ALL[0])?;
    let mode = p.or(f.choice("mode", Mode::parse), Mode::ALL[0])?;
    let purpose = p
        .or_default(f.optional("purpose", 200))?
        .unwrap_or_default();
    let origin = p.or_default(crossing::place(state, f.get("origin"), "origin"))?;
    let destination = p.or_default(crossing::place(state, f.get("destination"), "destination"))?;
    let mut input = match p.or_default(crossing::read_zone(f.get("mrz"), today))? {
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
            correction: None,
        },
        None => {
            let sex = match f.get("sex").trim() {
                s @ ("" | "M" | "F" | "X") => s.to_string(),
                _ => {
                    p.add("sex", "error-bad-choice");
                    String::new()
                }
            };
            let surname = p.or_default(f.required("surname", 100))?;
            // Checked the way the screening checks it: a real date, not in the future.
            let birth = f.get("birth_date").trim();
            let birth_date = p
                .or_default(
                    Traveller::parse(&surname, Some(birth), None)
                        .map(Some)
                        .map_err(|e| e.renamed("name", "surname")),
                )?
                .and_then(|t| t.birth);
            let nationality = p.or_default(code(f, "nationality", 2..=3))?;
            CrossingInput {
                submission_id,
                direction,
                mode,
                purpose,
                origin,
                destination,
                surname,
                given_names: p
                    .or_default(f.optional("given_names", 100))?
                    .unwrap_or_default(),
                sex,
                birth_date,
                birth_approximate: f.flag("birth_approximate"),
                nationality: screening::canonical_nationality(&nationality),
                document_code: p.or_default(code(f, "document_code", 1..=2))?,
                document_number: p
                    .or_default(f.optional("document_number", 30))?
                    .unwrap_or_default()
                    .to_uppercase(),
                document_country: p.or_default(code(f, "document_country", 1..=3))?,
                document_expiry: p.or_default(iso_date(f, "document_expiry"))?,
                mrz: Vec::new(),
                mrz_warnings: Vec::new(),
                correction: None,
            }
        }
    };
    // A correction of a mistaken crossing says why.
    if let Some(of) = crate::ids::CrossingId::parse(f.get("corrects")) {
        let reason = p.or_default(f.required("correction_reason", 500))?;
        input.correction = Some(crossing::Correction { of, reason });
    }
    p.finish(input)
}

/// The vehicle form as the service takes it.
pub fn new_vehicle(f: &Fields) -> AppResult<NewVehicle> {
    let driver = crate::ids::CrossingId::parse(f.get("driver"));
    let submission_id = vehicle::submission_id(f.get("submission"))?;
    let mut p = Problems::default();
    let input = NewVehicle {
        submission_id,
        plate: p.or_default(vehicle::plate(f.get("plate")))?,
        country: p.or_default(vehicle::country_code(f.get("country")))?,
        kind: p.or(f.choice("kind", VehicleKind::parse), VehicleKind::ALL[0])?,
        passengers: p
            .or_default(f.optional_i64("passengers", 0, 500))?
            .unwrap_or(0),
        // With a driver, the vehicle goes their way: the field is not read.
        direction: match driver {
            None => Some(p.or(f.choice("direction", Direction::parse), Direction::ALL[0])?),
            Some(_) => None,
        },
        driver,
    };
    p.finish(input)
}

/// The goods form as the service takes it.
pub fn new_goods(state: &AppState, f: &Fields) -> AppResult<NewGoods> {
    let submission_id = vehicle::submission_id(f.get("submission"))?;
    let mut p = Problems::default();
    let category = f.get("category").to_string();
    if category.is_empty() {
        p.add("category", "error-required");
    }
    let quantity = p
        .or_default(f.optional_f64("quantity", f64::MIN, f64::MAX))?
        .unwrap_or_else(|| {
            p.add("quantity", "error-required");
            0.0
        });
    let quantity_unit = vehicle::quantity_unit(&p.or_default(f.required("quantity_unit", 20))?);
    // "150 000" is how amounts are written here.
    let mut amount = f.clone();
    amount.0.insert(
        "value_fcfa".into(),
        f.get("value_fcfa")
            .replace([' ', '\u{a0}', '\u{202f}', '.'], ""),
    );
    let value_fcfa = p.or_default(amount.optional_i64("value_fcfa", 0, 1_000_000_000_000))?;
    // A locality of the region (as the suggestions give it) or a town abroad as typed.
    let origin = p
        .or_default(crossing::place(state, f.get("origin"), "origin"))?
        .text;
    let destination = p
        .or_default(crossing::place(state, f.get("destination"), "destination"))?
        .text;
    let vehicle = crate::ids::VehicleId::parse(f.get("vehicle"));
    let owner = match (vehicle, crate::ids::CrossingId::parse(f.get("crossing"))) {
        (Some(v), _) => GoodsOwner::Vehicle(v),
        (None, Some(c)) => GoodsOwner::Crossing(c),
        (None, None) => return Err(AppError::invalid("crossing", "error-goods-owner")),
    };
    p.finish(NewGoods {
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
