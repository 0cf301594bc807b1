//! Coverage: the localities of the region farther than N hours by road and track from every
//! unit, and the population concerned. The 2009 census gives the figure of 30 communes of
//! 108; for the others the cercle's remainder is shared equally between its communes without
//! a figure (an estimate, and the page says how much of the result is estimated). Within a
//! commune, the population is shared equally between its localities.

use std::collections::HashMap;

use crate::app::AppState;

/// Provisional RGPH 2009 totals per cercle (they add up to the regional 2,037,330), as
/// compiled in `data/mopti/README.md`.
const CERCLE_TOTALS_2009: &[(&str, u32)] = &[
    ("Mopti", 368_512),
    ("Bandiagara", 317_965),
    ("Bankass", 263_446),
    ("Djenné", 207_260),
    ("Douentza", 247_794),
    ("Koro", 361_944),
    ("Ténenkou", 163_641),
    ("Youwarou", 106_768),
];

#[derive(Debug, Clone)]
pub struct Coverage {
    pub hours: f64,
    /// (name, lat, lon) of the localities out of reach within the time.
    pub uncovered: Vec<(String, f64, f64)>,
    pub localities: usize,
    /// The population of those localities from commune figures, and the part estimated.
    pub population_known: f64,
    pub population_estimated: f64,
}

/// Each commune's population and whether it is a census figure (true) or an estimate.
fn commune_populations(state: &AppState) -> HashMap<String, (f64, bool)> {
    let mut out = HashMap::new();
    for cercle in state.gazetteer.cercles() {
        let communes = state.gazetteer.communes_of(&cercle.pcode);
        let known: u32 = communes.iter().filter_map(|c| c.population_2009).sum();
        let missing = communes
            .iter()
            .filter(|c| c.population_2009.is_none())
            .count();
        let total = CERCLE_TOTALS_2009
            .iter()
            .find(|(n, _)| *n == cercle.name)
            .map_or(known, |t| t.1);
        let share = if missing > 0 {
            f64::from(total.saturating_sub(known)) / missing as f64
        } else {
            0.0
        };
        for c in communes {
            let v = match c.population_2009 {
                Some(p) => (f64::from(p), true),
                None => (share, false),
            };
            out.insert(c.pcode.clone(), v);
        }
    }
    out
}

/// The localities beyond `hours` of every unit (by vehicle, on roads and tracks).
pub fn compute(state: &AppState, units: &[routing::Point], hours: f64) -> Coverage {
    let places: Vec<&gazetteer::Locality> = state
        .gazetteer
        .localities()
        .iter()
        .filter(|l| l.in_region && !l.commune_pcode.is_empty())
        .collect();
    let points: Vec<routing::Point> = places
        .iter()
        .map(|l| routing::Point::new(l.lat, l.lon))
        .collect();
    let mut covered = vec![false; places.len()];
    for u in units {
        for (i, _) in state
            .routing
            .within(routing::Mode::Vehicle, *u, &points, hours * 60.0)
        {
            if let Some(c) = covered.get_mut(i) {
                *c = true;
            }
        }
    }
    let populations = commune_populations(state);
    let mut per_commune: HashMap<&str, usize> = HashMap::new();
    for l in &places {
        *per_commune.entry(l.commune_pcode.as_str()).or_default() += 1;
    }
    let mut cov = Coverage {
        hours,
        uncovered: Vec::new(),
        localities: places.len(),
        population_known: 0.0,
        population_estimated: 0.0,
    };
    for (l, c) in places.iter().zip(&covered) {
        if *c {
            continue;
        }
        cov.uncovered.push((l.name.clone(), l.lat, l.lon));
        let n = per_commune
            .get(l.commune_pcode.as_str())
            .copied()
            .unwrap_or(1)
            .max(1) as f64;
        match populations.get(&l.commune_pcode) {
            Some((p, true)) => cov.population_known += p / n,
            Some((p, false)) => cov.population_estimated += p / n,
            None => {}
        }
    }
    cov
}
