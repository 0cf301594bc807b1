//! Dispatch figures on the region's graph: the graph's build, the ten nearest of a set of
//! assets by travel time for an incident, and the isochrones of every unit over every
//! locality. `cargo bench -p routing`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use routing::{Graph, Mode, Point, Settings, network};

const ROADS: &str = include_str!("../../../data/mopti/roads_real.geojson");
const RIVERS: &str = include_str!("../../../data/mopti/rivers.geojson");
const SITES: &str = include_str!("../../../data/mopti/security_sites.csv");
const LOCALITIES: &str = include_str!("../../../data/mopti/localities.csv");
const COMMUNES: &str = include_str!("../../../data/mopti/commune_population.csv");

fn main() {
    let gaz = gazetteer::Gazetteer::parse(LOCALITIES, COMMUNES).unwrap();
    let places: Vec<Point> = gaz
        .localities()
        .iter()
        .map(|l| Point::new(l.lat, l.lon))
        .collect();
    let start = Instant::now();
    let airfields = network::airfields(SITES).into_iter().map(|a| a.1).collect();
    let net = network::network(ROADS, RIVERS, airfields).unwrap();
    let g = Graph::build(&net, &Settings::default());
    let build = start.elapsed();
    println!(
        "graph built in {:.1} ms: {:?}",
        build.as_secs_f64() * 1000.0,
        g.size()
    );
    // 40 assets at places spread over the region; 200 incidents at other places.
    let assets: Vec<Point> = places.iter().step_by(places.len() / 40).copied().collect();
    let incidents: Vec<Point> = places
        .iter()
        .skip(7)
        .step_by(places.len() / 200)
        .copied()
        .collect();
    let start = Instant::now();
    let mut reached = 0usize;
    for i in &incidents {
        let mut times: Vec<f64> = g
            .times_from(Mode::Vehicle, *i, &assets)
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        times.sort_by(f64::total_cmp);
        times.truncate(10);
        reached += times.len();
    }
    let per = start.elapsed().as_secs_f64() * 1000.0 / incidents.len() as f64;
    println!(
        "nearest 10 of {} assets by road for an incident: {per:.2} ms ({} incidents, {reached} answers)",
        assets.len(),
        incidents.len()
    );
    let units: Vec<Point> = places
        .iter()
        .step_by(places.len() / 22)
        .copied()
        .take(22)
        .collect();
    let start = Instant::now();
    let mut covered = vec![false; places.len()];
    for u in &units {
        for (i, _) in g.within(Mode::Vehicle, *u, &places, 120.0) {
            if let Some(c) = covered.get_mut(i) {
                *c = true;
            }
        }
    }
    println!(
        "isochrones (2 h by road) of {} units over {} localities: {:.0} ms; {} localities within 2 h of a unit",
        units.len(),
        places.len(),
        start.elapsed().as_secs_f64() * 1000.0,
        covered.iter().filter(|c| **c).count()
    );
}
