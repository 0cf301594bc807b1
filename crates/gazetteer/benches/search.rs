//! Place search timings over the whole shipped gazetteer, printed as a table
//! (`cargo bench -p gazetteer`). Timings live here, never in tests.

use std::time::Instant;

use gazetteer::Gazetteer;

const LOCALITIES: &str = include_str!("../../../data/mopti/localities.csv");
const COMMUNES: &str = include_str!("../../../data/mopti/commune_population.csv");

fn main() {
    let start = Instant::now();
    let Ok(g) = Gazetteer::parse(LOCALITIES, COMMUNES) else {
        eprintln!("the shipped data does not parse");
        std::process::exit(1);
    };
    println!("load: {:?} for {} localities", start.elapsed(), g.len());
    println!("{:<12} {:>6} {:>14}", "query", "hits", "per query");
    let runs: u32 = 200;
    for q in ["sevare", "jenne", "ouenkoro", "bandiagra", "ko", "douetza"] {
        let hits = g.search(q, 20).len();
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(g.search(std::hint::black_box(q), 20));
        }
        println!("{:<12} {:>6} {:>14?}", q, hits, start.elapsed() / runs);
    }
}
