//! The region's graph from the shipped data: hand-checked times on known legs, a boat that
//! keeps to the water, the aircraft from its airfield, properties of shortest times, and
//! places no mode reaches answered without a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use proptest::prelude::*;
use routing::{Graph, Mode, Point, Settings, Unreachable, distance_km, network};

const ROADS: &str = include_str!("../../../data/mopti/roads_real.geojson");
const RIVERS: &str = include_str!("../../../data/mopti/rivers.geojson");
const SITES: &str = include_str!("../../../data/mopti/security_sites.csv");
const LOCALITIES: &str = include_str!("../../../data/mopti/localities.csv");
const COMMUNES: &str = include_str!("../../../data/mopti/commune_population.csv");

fn graph() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| {
        let airfields = network::airfields(SITES).into_iter().map(|a| a.1).collect();
        let net = network::network(ROADS, RIVERS, airfields).unwrap();
        Graph::build(&net, &Settings::default())
    })
}

fn gazetteer() -> &'static gazetteer::Gazetteer {
    static G: OnceLock<gazetteer::Gazetteer> = OnceLock::new();
    G.get_or_init(|| gazetteer::Gazetteer::parse(LOCALITIES, COMMUNES).unwrap())
}

fn place(name: &str) -> Point {
    let hit = gazetteer().search(name, 1);
    let l = hit
        .first()
        .unwrap_or_else(|| panic!("{name} not in the gazetteer"))
        .locality;
    Point::new(l.lat, l.lon)
}

fn minutes(mode: Mode, a: &str, b: &str) -> f64 {
    graph()
        .route(mode, place(a), place(b))
        .unwrap_or_else(|e| panic!("{a} → {b}: {e}"))
        .minutes
}

#[test]
fn known_legs_take_the_time_a_driver_expects() {
    // Mopti–Sévaré: 12 km of primary road, about a quarter of an hour.
    let m = minutes(Mode::Vehicle, "Mopti", "Sévaré");
    assert!((10.0..=25.0).contains(&m), "Mopti–Sévaré {m:.0} min");
    // Sévaré–Bandiagara by the RN15: about 63 km, an hour.
    let m = minutes(Mode::Vehicle, "Sévaré", "Bandiagara");
    assert!((50.0..=90.0).contains(&m), "Sévaré–Bandiagara {m:.0} min");
    // Sévaré–Koro by the RN15 through Bandiagara and Bankass: about 135 km.
    let r = graph()
        .route(Mode::Vehicle, place("Sévaré"), place("Koro"))
        .unwrap();
    assert!(
        (110.0..=190.0).contains(&r.minutes),
        "Sévaré–Koro {:.0} min",
        r.minutes
    );
    assert!(
        (120.0..=170.0).contains(&r.km),
        "Sévaré–Koro {:.0} km",
        r.km
    );
    // It goes by Bandiagara.
    let bandiagara = place("Bandiagara");
    assert!(
        r.path.iter().any(|p| distance_km(*p, bandiagara) < 5.0),
        "the RN15 passes Bandiagara"
    );
    // On foot it is days, not hours.
    let m = minutes(Mode::Foot, "Mopti", "Sévaré");
    assert!((120.0..=300.0).contains(&m), "on foot {m:.0} min");
}

#[test]
fn a_boat_keeps_to_the_river() {
    let g = graph();
    let r = g
        .route(Mode::Boat, place("Mopti"), place("Youwarou"))
        .unwrap();
    // Upstream on the Niger and across Lac Débo: a long day by pinasse.
    assert!(
        (300.0..=1000.0).contains(&r.minutes),
        "Mopti–Youwarou {:.0} min",
        r.minutes
    );
    // Between the landings, the path is made of the river's own segments (short steps along
    // the channel, never a straight line over land).
    let inner = &r.path[1..r.path.len() - 1];
    assert!(inner.len() > 10);
    for w in inner.windows(2) {
        let step = distance_km(w[0], w[1]);
        assert!(step < 12.0, "a jump of {step:.1} km over land");
    }
    // And it goes north-west, the way the river runs, not straight.
    assert!(r.km > distance_km(place("Mopti"), place("Youwarou")) * 1.05);
}

#[test]
fn the_aircraft_flies_from_its_airfield() {
    let g = graph();
    let sevare_airport = Point::new(14.5128, -4.07956);
    let r = g
        .route(Mode::Aircraft, sevare_airport, place("Koro"))
        .unwrap();
    assert!(r.minutes < minutes(Mode::Vehicle, "Sévaré", "Koro"));
    assert!((30.0..=90.0).contains(&r.minutes), "{:.0} min", r.minutes);
    // Not from a village without an airfield.
    assert!(matches!(
        g.route(Mode::Aircraft, place("Koro"), place("Mopti")),
        Err(Unreachable::TooFar { .. })
    ));
}

#[test]
fn unreachable_places_say_where_the_mode_stops() {
    let g = graph();
    // Bandiagara is on its plateau, far from any channel.
    match g.route(Mode::Boat, place("Bandiagara"), place("Mopti")) {
        Err(Unreachable::TooFar { nearest, km }) => {
            assert!(km > 6.0);
            assert!(distance_km(nearest, place("Bandiagara")) >= km - 0.01);
        }
        other => panic!("{other:?}"),
    }
    // The middle of the Sahara is out of reach by road, with no panic.
    assert!(matches!(
        g.route(Mode::Vehicle, Point::new(21.0, 0.5), place("Mopti")),
        Err(Unreachable::TooFar { .. })
    ));
    assert_eq!(
        g.route(Mode::Vehicle, Point::new(f64::NAN, 3.0), place("Mopti")),
        Err(Unreachable::BadPoint)
    );
}

#[test]
fn one_search_gives_the_times_to_many() {
    let g = graph();
    let incident = place("Bankass");
    let units = ["Sévaré", "Bandiagara", "Koro", "Douentza", "Djenné"].map(place);
    let times = g.times_from(Mode::Vehicle, incident, &units);
    for (u, t) in units.iter().zip(&times) {
        let direct = g.route(Mode::Vehicle, *u, incident).unwrap().minutes;
        assert!((t.as_ref().unwrap() - direct).abs() < 1e-6);
    }
    // Bandiagara is nearer Bankass than Sévaré is.
    assert!(times[1].as_ref().unwrap() < times[0].as_ref().unwrap());
    // The isochrone holds what is within the time, and nothing beyond.
    let two_hours = g.within(Mode::Vehicle, incident, &units, 120.0);
    for (i, m) in &two_hours {
        assert!(*m <= 120.0 && (times[*i].as_ref().unwrap() - m).abs() < 1e-9);
    }
}

fn region_point() -> impl Strategy<Value = Point> {
    (13.4f64..15.6, -5.0f64..-1.6).prop_map(|(lat, lon)| Point::new(lat, lon))
}

/// A point on a road: a vertex of the shipped lines.
fn road_point() -> impl Strategy<Value = Point> {
    static VERTICES: OnceLock<Vec<Point>> = OnceLock::new();
    let vertices = VERTICES.get_or_init(|| {
        network::roads(ROADS)
            .unwrap()
            .into_iter()
            .flat_map(|r| r.line)
            .collect()
    });
    (0..vertices.len()).prop_map(|i| vertices[i])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn times_are_symmetric(a in region_point(), b in region_point()) {
        let g = graph();
        for mode in [Mode::Vehicle, Mode::Foot, Mode::Boat] {
            let ab = g.route(mode, a, b);
            let ba = g.route(mode, b, a);
            match (&ab, &ba) {
                (Ok(x), Ok(y)) => prop_assert!((x.minutes - y.minutes).abs() < 1e-6),
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "one way only: {ab:?} {ba:?}"),
            }
        }
    }

    #[test]
    fn times_on_the_network_keep_the_triangle(a in road_point(), b in road_point(), c in road_point()) {
        let g = graph();
        for mode in [Mode::Vehicle, Mode::Foot] {
            if let (Ok(ab), Ok(bc), Ok(ac)) = (g.route(mode, a, b), g.route(mode, b, c), g.route(mode, a, c)) {
                // Through B is one of the ways from A to C, up to joining B's node twice (a
                // vertex is at most 0.3 km from the node it was joined to).
                let slack = 2.0 * 0.3 * 1.3 / 4.5 * 60.0 + 1e-6;
                prop_assert!(ac.minutes <= ab.minutes + bc.minutes + slack,
                    "{} > {} + {}", ac.minutes, ab.minutes, bc.minutes);
            }
        }
    }

    #[test]
    fn any_point_is_answered_without_a_panic(lat in -100.0f64..100.0, lon in -200.0f64..200.0) {
        let g = graph();
        for mode in routing::Mode::ALL {
            let _ = g.route(mode, Point::new(lat, lon), Point::new(14.5, -4.1));
        }
    }
}

#[test]
fn the_rainy_season_slows_tracks_and_cuts_roads() {
    let airfields = network::airfields(SITES).into_iter().map(|a| a.1).collect();
    let net = network::network(ROADS, RIVERS, airfields).unwrap();
    let rainy = Graph::build(
        &net,
        &Settings {
            season: routing::Season::Rainy,
            rainy_cut_roads: vec!["RN15 Sévaré – Bandiagara – Bankass".into()],
            ..Settings::default()
        },
    );
    let dry = minutes(Mode::Vehicle, "Sévaré", "Bandiagara");
    let wet = rainy
        .route(Mode::Vehicle, place("Sévaré"), place("Bandiagara"))
        .unwrap()
        .minutes;
    assert!(
        wet > dry * 1.5,
        "the RN15 cut, tracks slow: {wet:.0} against {dry:.0} min"
    );
    // Mopti–Sévaré does not use the cut road: only its short tracks are slower.
    let m = rainy
        .route(Mode::Vehicle, place("Mopti"), place("Sévaré"))
        .unwrap()
        .minutes;
    assert!(m < minutes(Mode::Vehicle, "Mopti", "Sévaré") * 1.5);
}

#[test]
fn extreme_settings_do_not_panic() {
    let airfields = network::airfields(SITES).into_iter().map(|a| a.1).collect();
    let net = network::network(ROADS, RIVERS, airfields).unwrap();
    for max_track_km in [f64::INFINITY, f64::MAX, f64::NAN, 0.0, -5.0] {
        let g = Graph::build(
            &net,
            &Settings {
                max_track_km,
                ..Settings::default()
            },
        );
        // An answer or a reason, never a panic.
        let _ = g.route(Mode::Vehicle, place("Sévaré"), place("Koro"));
        let _ = g.times_from(Mode::Foot, place("Djenné"), &[place("Mopti")]);
    }
}
