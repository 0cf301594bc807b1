//! The programme's indicators against figures computed by hand from a small data set written
//! straight into the registers' tables: the first half of 2026, seen from 1 July 2026 at noon
//! (the application's clock), so that the patrol under way and the alert of the night before
//! are not counted yet.

use parsec::error::AppError;
use parsec::incidents::coverage;
use parsec::programme::indicators::{self, CODES, Indicator, Unit};
use time::macros::{date, datetime};

use crate::support::TestApp;

/// (id, occurred_at, cercle). In the period: Mopti 4 in T1 and 2 in T2, Djenné 2 in T1 and 1
/// in T2 (the last at 23:30 on its last day): 9 incidents over 6 months → 1.5 per month;
/// Mopti 6/6 = 1.0, Djenné 3/6 = 0.5; T1 6/3 = 2.0, T2 3/3 = 1.0.
const INCIDENTS: &[(&str, &str, &str)] = &[
    ("i-m1", "2026-01-10T06:00:00Z", "Mopti"),
    ("i-m2", "2026-02-03T09:00:00Z", "Mopti"),
    ("i-m3", "2026-02-20T14:00:00Z", "Mopti"),
    ("i-m4", "2026-03-15T18:00:00Z", "Mopti"),
    ("i-m5", "2026-04-02T11:00:00Z", "Mopti"),
    ("i-m6", "2026-05-18T07:00:00Z", "Mopti"),
    ("i-d1", "2026-01-25T05:00:00Z", "Djenné"),
    ("i-d2", "2026-03-30T16:00:00Z", "Djenné"),
    ("i-d3", "2026-06-30T23:30:00Z", "Djenné"),
    // Outside the period: the day before and the day after.
    ("i-out1", "2025-12-31T23:59:00Z", "Mopti"),
    ("i-out2", "2026-07-01T08:00:00Z", "Djenné"),
];

/// (incident, dispatched_at, on_site_at). Arrived and dispatched in the period: 30, 90, 45
/// (T1), 120, 60 (T2, the last arriving the day after) minutes → median 60; T1 median of 30,
/// 45, 90 = 45; T2 mean of 60 and 120 = 90; Mopti 30, 90, 120 → 90; Djenné 45, 60 → 52.5.
const RESPONSES: &[(&str, &str, Option<&str>)] = &[
    ("i-m1", "2026-01-10T08:00:00Z", Some("2026-01-10T08:30:00Z")),
    ("i-m2", "2026-02-03T10:00:00Z", Some("2026-02-03T11:30:00Z")),
    ("i-d1", "2026-01-25T06:00:00Z", Some("2026-01-25T06:45:00Z")),
    ("i-m5", "2026-04-02T12:00:00Z", Some("2026-04-02T14:00:00Z")),
    ("i-d3", "2026-06-30T23:40:00Z", Some("2026-07-01T00:40:00Z")),
    // Never arrived: not timed.
    ("i-m6", "2026-05-18T08:00:00Z", None),
    // Dispatched after the period.
    (
        "i-out2",
        "2026-07-01T09:00:00Z",
        Some("2026-07-01T10:00:00Z"),
    ),
];

const KORO: &str = "Poste frontière de Koro";
const OUENKORO: &str = "Poste frontière de Ouenkoro";

/// (post, day, direction, nationality, people). In the period: Koro 10 + 5 + 7 = 22, Ouenkoro
/// 4 + 6 = 10, 32 in all; T1 10 + 5 + 4 = 19, T2 7 + 6 = 13.
const FLOWS: &[(&str, &str, &str, &str, i64)] = &[
    (KORO, "2026-01-15", "entree", "ML", 10),
    (KORO, "2026-01-15", "sortie", "BF", 5),
    (KORO, "2026-05-02", "entree", "ML", 7),
    (OUENKORO, "2026-03-31", "entree", "BF", 4),
    (OUENKORO, "2026-04-01", "sortie", "ML", 6),
    (KORO, "2025-12-31", "entree", "ML", 100),
    (OUENKORO, "2026-07-01", "entree", "BF", 50),
];

/// (post, created_at, decision, status, reviewed_at). Alerts counted: 5, of which 3 reviewed
/// within 24 h (2 h, 23 h, 12 h; the 25 h one and the one never reviewed are late) → 60 %;
/// T1 2 of 3 → 66.7 %, T2 1 of 2 → 50 %; Koro 2 of 4 → 50 %, Ouenkoro 1 of 1 → 100 %.
const HITS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        KORO,
        "2026-01-05T10:00:00Z",
        "alerte",
        "confirme",
        Some("2026-01-05T12:00:00Z"),
    ),
    (
        KORO,
        "2026-02-10T08:00:00Z",
        "alerte",
        "ecarte",
        Some("2026-02-11T07:00:00Z"),
    ),
    (
        KORO,
        "2026-03-01T08:00:00Z",
        "alerte",
        "confirme",
        Some("2026-03-02T09:00:00Z"),
    ),
    (KORO, "2026-04-10T08:00:00Z", "alerte", "a_revoir", None),
    (
        OUENKORO,
        "2026-05-10T08:00:00Z",
        "alerte",
        "ecarte",
        Some("2026-05-10T20:00:00Z"),
    ),
    // Not an alert; before the period; less than 24 h old on 1 July at noon.
    (KORO, "2026-01-06T08:00:00Z", "a_verifier", "a_revoir", None),
    (
        KORO,
        "2025-12-31T10:00:00Z",
        "alerte",
        "confirme",
        Some("2025-12-31T11:00:00Z"),
    ),
    (KORO, "2026-06-30T20:00:00Z", "alerte", "a_revoir", None),
];

const MOPTI_BT: &str = "Brigade territoriale de Mopti";
const DJENNE_BT: &str = "Brigade de Djenné";

/// (unit, starts_on, ends_on, status). Counted: 7, of which 4 done → 57.1 %; T1 3 of 5 (one
/// not done, one still `prevue` though over) → 60 %, T2 1 of 2 → 50 %; Mopti 3 of 5 → 60 %,
/// Djenné 1 of 2 → 50 %.
const PATROLS: &[(&str, &str, &str, &str)] = &[
    (MOPTI_BT, "2026-01-05", "2026-01-07", "effectuee"),
    (MOPTI_BT, "2026-02-01", "2026-02-03", "effectuee"),
    (MOPTI_BT, "2026-03-01", "2026-03-02", "effectuee"),
    (MOPTI_BT, "2026-03-10", "2026-03-12", "non_effectuee"),
    (MOPTI_BT, "2026-03-20", "2026-03-21", "prevue"),
    (DJENNE_BT, "2026-04-15", "2026-04-16", "effectuee"),
    (DJENNE_BT, "2026-05-15", "2026-05-16", "non_effectuee"),
    // Under way on 1 July: not counted yet; started before the period.
    (MOPTI_BT, "2026-06-29", "2026-07-03", "prevue"),
    (MOPTI_BT, "2025-12-30", "2026-01-02", "effectuee"),
];

/// The gendarmerie's vehicle's blocking work orders: (id, opened_at, closed_at, statuses in
/// time). The first, closed before the period, puts it in service since 1 December 2025; the
/// second holds it 10 days in February (4 in repair, 6 waiting for parts). Every other asset
/// entered the registry today, after the period: it has no service time in it. So the fleet
/// was available 171 of 181 days → 94.5 %; T1 80 of 90 days, T2 91 of 91; GN 171 of 181.
type WorkOrderRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const WORK_ORDERS: &[WorkOrderRow] = &[
    (
        "0190aaaa-0000-7000-8000-0000000000a1",
        "2025-12-01T00:00:00Z",
        "2025-12-02T00:00:00Z",
        &[
            ("ouvert", "2025-12-01T00:00:00Z"),
            ("termine", "2025-12-02T00:00:00Z"),
        ],
    ),
    (
        "0190aaaa-0000-7000-8000-0000000000a2",
        "2026-02-01T00:00:00Z",
        "2026-02-11T00:00:00Z",
        &[
            ("ouvert", "2026-02-01T00:00:00Z"),
            ("attente_pieces", "2026-02-05T00:00:00Z"),
            ("termine", "2026-02-11T00:00:00Z"),
        ],
    ),
];

/// (code, unit, value, series T1 and T2, breakdown), from the comments above.
type Expected = (
    &'static str,
    Unit,
    f64,
    [f64; 2],
    &'static [(&'static str, f64)],
);

const EXPECTED: &[Expected] = &[
    (
        "incidents_per_month",
        Unit::Count,
        1.5,
        [2.0, 1.0],
        &[("Djenné", 0.5), ("Mopti", 1.0)],
    ),
    (
        "response_minutes",
        Unit::Minutes,
        60.0,
        [45.0, 90.0],
        &[("Djenné", 52.5), ("Mopti", 90.0)],
    ),
    (
        "crossings_per_post",
        Unit::Count,
        32.0,
        [19.0, 13.0],
        &[(KORO, 22.0), (OUENKORO, 10.0)],
    ),
    (
        "alerts_reviewed_24h",
        Unit::Percent,
        60.0,
        [200.0 / 3.0, 50.0],
        &[(KORO, 50.0), (OUENKORO, 100.0)],
    ),
    (
        "patrols_done",
        Unit::Percent,
        400.0 / 7.0,
        [60.0, 50.0],
        &[(DJENNE_BT, 50.0), (MOPTI_BT, 60.0)],
    ),
    (
        "availability",
        Unit::Percent,
        17_100.0 / 181.0,
        [8_000.0 / 90.0, 100.0],
        &[("GN", 17_100.0 / 181.0)],
    ),
];

async fn seed(app: &TestApp) {
    let db = &app.state.db;
    let mopti_bt = app.unit_id(MOPTI_BT).await;
    for (id, at, cercle) in INCIDENTS {
        sqlx::query(
            "INSERT INTO incidents (id, created_at, created_by, unit_id, occurred_at, lat, lon,
             geo_precision, cercle, event_type, sub_event_type, status, submission_id)
             VALUES (?1, ?2, 'test', ?3, ?2, 14.49, -4.19, 'cercle', ?4, 'Riots', 'Mob violence',
                     'clos', ?1)",
        )
        .bind(id)
        .bind(at)
        .bind(&mopti_bt)
        .bind(cercle)
        .execute(db)
        .await
        .unwrap();
    }
    let asset = app.asset_id("GN-4523-MD").await;
    for (n, (incident, dispatched, on_site)) in RESPONSES.iter().enumerate() {
        sqlx::query(
            "INSERT INTO responses (id, incident_id, asset_id, unit_id, mode, rank, dispatched_at,
             dispatched_by, on_site_at) VALUES (?, ?, ?, ?, 'vehicle', 1, ?, 'test', ?)",
        )
        .bind(format!("r-{n}"))
        .bind(incident)
        .bind(&asset)
        .bind(&mopti_bt)
        .bind(dispatched)
        .bind(on_site)
        .execute(db)
        .await
        .unwrap();
    }
    for (post, day, direction, nationality, people) in FLOWS {
        sqlx::query(
            "INSERT INTO flow_people (day, unit_id, direction, nationality, mode, people)
             VALUES (?, ?, ?, ?, 'route', ?)",
        )
        .bind(day)
        .bind(app.unit_id(post).await)
        .bind(direction)
        .bind(nationality)
        .bind(people)
        .execute(db)
        .await
        .unwrap();
    }
    let entry: String = sqlx::query_scalar("SELECT id FROM watchlist_entries LIMIT 1")
        .fetch_one(db)
        .await
        .unwrap();
    for (n, (post, created, decision, status, reviewed)) in HITS.iter().enumerate() {
        sqlx::query(
            "INSERT INTO screening_hits (id, created_at, created_by, unit_id, query_name,
             entry_id, score, decision, explanation, status, reviewed_by, reviewed_at)
             VALUES (?, ?, 'test', ?, '', ?, 0.9, ?, '', ?, ?, ?)",
        )
        .bind(format!("hit-{n}"))
        .bind(created)
        .bind(app.unit_id(post).await)
        .bind(&entry)
        .bind(decision)
        .bind(status)
        .bind(reviewed.map(|_| "superviseur"))
        .bind(reviewed)
        .execute(db)
        .await
        .unwrap();
    }
    for (n, (unit, starts, ends, status)) in PATROLS.iter().enumerate() {
        sqlx::query(
            "INSERT INTO patrols (id, submission_id, unit_id, created_at, created_by, starts_on,
             ends_on, route, status) VALUES (?1, ?1, ?2, '2025-12-01T00:00:00Z', 'test', ?3, ?4,
             'Mopti → Sévaré', ?5)",
        )
        .bind(format!("p-{n}"))
        .bind(app.unit_id(unit).await)
        .bind(starts)
        .bind(ends)
        .bind(status)
        .execute(db)
        .await
        .unwrap();
    }
    for (id, opened, closed, statuses) in WORK_ORDERS {
        sqlx::query(
            "INSERT INTO work_orders (id, asset_id, kind, status, blocking, defect, opened_at,
             opened_by, closed_at, closed_by) VALUES (?, ?, 'correctif', 'termine', 1,
             'Boîte de vitesses', ?, 'atelier', ?, 'atelier')",
        )
        .bind(id)
        .bind(&asset)
        .bind(opened)
        .bind(closed)
        .execute(db)
        .await
        .unwrap();
        for (i, (status, at)) in statuses.iter().enumerate() {
            sqlx::query(
                "INSERT INTO work_order_events (id, work_order_id, status, at, by_user)
                 VALUES (?, ?, ?, ?, 'atelier')",
            )
            .bind(format!("{id}-{i}"))
            .bind(id)
            .bind(status)
            .bind(at)
            .execute(db)
            .await
            .unwrap();
        }
    }
}

fn close(got: f64, expected: f64) -> bool {
    (got - expected).abs() < 1e-9
}

fn find<'a>(all: &'a [Indicator], code: &str) -> &'a Indicator {
    all.iter().find(|i| i.code == code).unwrap()
}

fn check(all: &[Indicator], (code, unit, value, series, breakdown): &Expected) {
    let got = find(all, code);
    assert_eq!(got.unit, *unit, "{code}");
    assert!(close(got.value.unwrap(), *value), "{code}: {got:?}");
    let labels: Vec<&str> = got.series.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["2026-T1", "2026-T2"], "{code}");
    for ((_, v), expected) in got.series.iter().zip(series) {
        assert!(close(v.unwrap(), *expected), "{code}: {got:?}");
    }
    assert_eq!(got.breakdown.len(), breakdown.len(), "{code}: {got:?}");
    for ((name, v), (expected_name, expected)) in got.breakdown.iter().zip(*breakdown) {
        assert_eq!(name, expected_name, "{code}");
        assert!(close(*v, *expected), "{code}: {got:?}");
    }
}

#[tokio::test]
async fn indicators_are_the_registers_figures_as_counted_by_hand() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    app.state.clock.set(Some(datetime!(2026-07-01 12:00 UTC)));
    let (from, to) = (date!(2026 - 01 - 01), date!(2026 - 06 - 30));
    let all = indicators::compute(&app.state, from, to).await.unwrap();
    let codes: Vec<&str> = all.iter().map(|i| i.code).collect();
    assert_eq!(codes, CODES);
    for expected in EXPECTED {
        check(&all, expected);
    }

    // The population within 2 h is the map's coverage layer from every placed unit, over the
    // same layer with no unit: the whole region's population.
    let units: Vec<(f64, f64)> = sqlx::query_as(
        "SELECT lat, lon FROM units WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY rowid",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let beyond = coverage::layer(&app.state, &units, 2.0).await.unwrap();
    let everyone = coverage::compute(&app.state, &[], 2.0);
    let whole = everyone.population_known + everyone.population_estimated;
    let within = 100.0 * (1.0 - (beyond.population_known + beyond.population_estimated) / whole);
    // The region's 2,037,330 of the 2009 census, to the rounding of the shares.
    assert!((whole - 2_037_330.0).abs() < 1.0, "{whole}");
    let population = find(&all, "population_within_2h");
    assert_eq!(population.unit, Unit::Percent);
    assert!(close(population.value.unwrap(), within), "{population:?}");
    assert!(within > 0.0 && within < 100.0, "{within}");
    assert!(population.series.is_empty() && population.breakdown.is_empty());

    // The whole year seen from 1 July at noon: a day of the third quarter has come (the
    // incident and the 50 crossings of 1 July count now), the fourth has not begun.
    let year = indicators::compute(&app.state, from, date!(2026 - 12 - 31))
        .await
        .unwrap();
    for i in year.iter().filter(|i| i.code != "population_within_2h") {
        let labels: Vec<&str> = i.series.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2026-T1", "2026-T2", "2026-T3", "2026-T4"]);
        assert_eq!(i.series[3].1, None, "{i:?}");
    }
    // 10 incidents over 6 months and 1 day of July: 10 / (6 + 1/31) = 310/187; July's one
    // incident over 1/31 of a month.
    let incidents = find(&year, "incidents_per_month");
    assert!(
        close(incidents.value.unwrap(), 310.0 / 187.0),
        "{incidents:?}"
    );
    assert!(close(incidents.series[2].1.unwrap(), 31.0), "{incidents:?}");
    let crossings = find(&year, "crossings_per_post");
    assert_eq!(crossings.value, Some(82.0));
    assert_eq!(crossings.series[2].1, Some(50.0));

    // A period that ends before it begins is refused.
    let reversed = indicators::compute(&app.state, to, from).await;
    assert!(matches!(reversed, Err(AppError::Invalid { .. })));
}
