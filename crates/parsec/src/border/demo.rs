//! Demo crossings: a few weeks of plausible traffic at the demo's border posts (Koro on the
//! RN15 towards Ouahigouya, Ouenkoro towards Tougan), recorded through the same service as
//! the agents' form, so that they are screened against the demo watchlist and counted in the
//! statistics. Names are common names of the region, drawn by a fixed generator: the same
//! demo every time. Every person here is fictitious.

use time::{Duration, OffsetDateTime};

use super::crossing::{self, CrossingInput, Place};
use super::model::{Direction, Mode, VehicleKind};
use super::vehicle::{GoodsOwner, NewGoods, NewVehicle};
use crate::app::AppState;
use crate::audit::Actor;
use crate::error::AppResult;

/// Given names and family names of the region (also the scale benchmark's travellers).
pub const GIVEN: &[&str] = &[
    "Amadou",
    "Fatoumata",
    "Boureima",
    "Aïssata",
    "Moussa",
    "Mariam",
    "Hamidou",
    "Kadidia",
    "Ousmane",
    "Awa",
    "Issa",
    "Salimata",
    "Souleymane",
    "Rokia",
    "Adama",
    "Djeneba",
    "Ibrahim",
    "Assétou",
    "Yacouba",
    "Hawa",
    "Idrissa",
    "Kadiatou",
    "Seydou",
    "Aminata",
];
pub const FAMILY: &[&str] = &[
    "Ouédraogo",
    "Sawadogo",
    "Diallo",
    "Traoré",
    "Guindo",
    "Dicko",
    "Kassogué",
    "Ongoïba",
    "Togo",
    "Sangaré",
    "Cissé",
    "Maïga",
    "Zerbo",
    "Kaboré",
    "Tamboura",
    "Dolo",
    "Poudiougo",
    "Sankara",
    "Barry",
    "Bah",
];
/// (nationality, share of travellers) at these posts: Malians and Burkinabè mostly.
const NATIONALITIES: &[(&str, u32)] = &[("ML", 52), ("BF", 40), ("NE", 4), ("CI", 2), ("GH", 2)];
const MODES: &[(Mode, u32)] = &[
    (Mode::Pied, 22),
    (Mode::Moto, 34),
    (Mode::Car, 24),
    (Mode::Voiture, 8),
    (Mode::Camion, 10),
    (Mode::Autre, 2),
];
/// Listed persons of the demo watchlist who cross now and then (day back, post index, given
/// names, surname, birth date, nationality): the review queue of the demo has work.
const LISTED_VISITS: &[(i64, usize, &str, &str, &str, &str)] = &[
    (3, 1, "Boubacar", "Ag Intalla", "1981-09-30", "ML"),
    (6, 0, "Musa", "Sisse", "1969-07-07", "ML"),
    (9, 1, "Usman", "Sawadogo", "1975", "BF"),
    (12, 0, "Fatimata", "Jire", "1990-01-15", "ML"),
];
const PURPOSES: &[&str] = &[
    "commerce",
    "famille",
    "marché",
    "transhumance",
    "santé",
    "travail",
];

/// A small fixed pseudo-random generator (the demo must be the same every time); the other
/// capabilities' demos draw from it too.
pub(crate) struct Draw(pub(crate) u64);

impl Draw {
    pub(crate) fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() as usize) % n.max(1)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> Option<T> {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut at = self.next() % total.max(1);
        for (v, w) in items {
            if at < *w {
                return Some(*v);
            }
            at -= w;
        }
        None
    }
}

/// Records `days` days of crossings up to yesterday at the demo's posts (about 15 to 35 a day
/// each, more on market days), with a few of their vehicles and goods.
pub async fn seed_crossings(state: &AppState, days: i64) -> AppResult<usize> {
    seed_crossings_at(state, None, days).await
}

/// The same traffic, at one post only (by its unit's name) or at every post.
pub async fn seed_crossings_at(
    state: &AppState,
    only: Option<&str>,
    days: i64,
) -> AppResult<usize> {
    let actor = Actor::system("demo");
    let all: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM units WHERE kind = 'poste_frontiere' ORDER BY name")
            .fetch_all(&state.db)
            .await?;
    let here = |name: &str| only.is_none_or(|o| o == name);
    let posts: Vec<&(String, String)> = all.iter().filter(|(_, name)| here(name)).collect();
    let mut draw = Draw(20_261_129);
    let today = OffsetDateTime::now_utc().date();
    let mut count = 0usize;
    for back in (1..=days).rev() {
        let day = today - Duration::days(back);
        // Weekly market: the crowd doubles.
        let market = day.weekday() == time::Weekday::Wednesday;
        for (post, _) in &posts {
            let n = 15 + draw.below(20) + if market { 20 } else { 0 };
            for k in 0..n {
                let hour = 6 + draw.below(13);
                let minute = draw.below(60);
                let at = format!("{day}T{hour:02}:{minute:02}:{:02}Z", k % 60);
                let given = draw.pick(GIVEN).copied().unwrap_or("Amadou");
                let family = draw.pick(FAMILY).copied().unwrap_or("Traoré");
                let nationality = draw.weighted(NATIONALITIES).unwrap_or("ML");
                let mode = draw.weighted(MODES).unwrap_or(Mode::Pied);
                let year = 1950 + draw.below(55);
                let with_document = draw.below(10) < 6;
                let input = CrossingInput {
                    submission_id: format!("demo-{day}-{post}-{k}"),
                    direction: if draw.below(2) == 0 {
                        Direction::Entree
                    } else {
                        Direction::Sortie
                    },
                    mode,
                    purpose: draw.pick(PURPOSES).copied().unwrap_or("").to_string(),
                    origin: Place::default(),
                    destination: Place::default(),
                    surname: family.to_string(),
                    given_names: given.to_string(),
                    sex: String::new(),
                    birth_date: Some(if with_document {
                        format!("{year}-{:02}-{:02}", 1 + draw.below(12), 1 + draw.below(28))
                    } else {
                        year.to_string()
                    }),
                    birth_approximate: !with_document,
                    nationality: Some(nationality.to_string()),
                    document_code: if with_document {
                        "I".into()
                    } else {
                        String::new()
                    },
                    document_number: if with_document {
                        format!("{}{:07}", nationality, draw.next() % 10_000_000)
                    } else {
                        String::new()
                    },
                    document_country: if with_document {
                        crate::screening::canonical_nationality(nationality).unwrap_or_default()
                    } else {
                        String::new()
                    },
                    document_expiry: None,
                    mrz: Vec::new(),
                    mrz_warnings: Vec::new(),
                    correction: None,
                };
                let recorded = crossing::record(state, &actor, post, &input, &at).await?;
                count += 1;
                if matches!(mode, Mode::Camion) && draw.below(2) == 0 {
                    let truck = NewVehicle {
                        submission_id: format!("demo-v-{}", recorded.id),
                        plate: format!("{} GH {:04}", 11 + draw.below(20), draw.below(10_000)),
                        country: nationality.to_string(),
                        kind: VehicleKind::Camion,
                        passengers: draw.below(3) as i64,
                        driver: crate::ids::CrossingId::parse(&recorded.id),
                        direction: None,
                    };
                    let vehicle =
                        super::vehicle::record_vehicle_at(state, &actor, post, &truck, &at).await?;
                    let (category, unit, qty, price) = match draw.below(4) {
                        0 => ("cereales", "t", 5 + draw.below(20), 250_000),
                        1 => ("betail", "têtes", 10 + draw.below(60), 150_000),
                        2 => ("carburant", "l", 200 + draw.below(2000), 700),
                        _ => ("marchandises", "t", 1 + draw.below(15), 400_000),
                    };
                    let goods = NewGoods {
                        submission_id: format!("demo-g-{vehicle}"),
                        owner: GoodsOwner::Vehicle(
                            crate::ids::VehicleId::parse(&vehicle)
                                .ok_or(crate::error::AppError::NotFound)?,
                        ),
                        category: category.to_string(),
                        quantity: qty as f64,
                        quantity_unit: unit.to_string(),
                        value_fcfa: Some((qty * price) as i64),
                        origin: String::new(),
                        destination: String::new(),
                    };
                    super::vehicle::record_goods_at(state, &actor, post, &goods, &at).await?;
                }
            }
        }
    }
    for (back, post, given, surname, birth, nationality) in LISTED_VISITS {
        // Each listed visit belongs to one post: at a single post, only its own.
        let Some((post, _)) = all.get(*post).filter(|(_, name)| here(name)) else {
            continue;
        };
        let day = today - Duration::days(*back);
        let input = CrossingInput {
            submission_id: format!("demo-listed-{day}-{surname}"),
            direction: Direction::Entree,
            mode: Mode::Car,
            purpose: "commerce".into(),
            origin: Place::default(),
            destination: Place::default(),
            surname: surname.to_string(),
            given_names: given.to_string(),
            sex: String::new(),
            birth_date: Some(birth.to_string()),
            birth_approximate: false,
            nationality: Some(nationality.to_string()),
            document_code: String::new(),
            document_number: String::new(),
            document_country: String::new(),
            document_expiry: None,
            mrz: Vec::new(),
            mrz_warnings: Vec::new(),
            correction: None,
        };
        crossing::record(state, &actor, post, &input, &format!("{day}T10:15:00Z")).await?;
        count += 1;
    }
    Ok(count)
}
