//! Coverage: the localities of the region farther than N hours by road and track from every
//! unit, and the population concerned. The 2009 census gives the figure of 30 communes of
//! 108; for the others the cercle's remainder is shared equally between its communes without
//! a figure (an estimate, and the page says how much of the result is estimated). Within a
//! commune, the population is shared equally between its localities.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::app::AppState;
use crate::error::{AppError, AppResult};

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

/// How many layers the cache keeps (a few hours' values for a few scopes' units).
const CACHED: usize = 16;

/// The coverage layers already computed. A layer costs about 370 ms of CPU (travel times from
/// every unit to 6,000 localities) and changes only when a unit moves, the hours asked for
/// change or the server runs another season's graph: it is kept under exactly those, and
/// computed on the blocking pool, one at a time, so that the async workers keep answering.
#[derive(Default)]
pub struct Cache {
    layers: Mutex<Vec<Layer>>,
    computing: tokio::sync::Mutex<()>,
}

struct Layer {
    /// The graph it was computed on; held, so its address cannot be another graph's.
    graph: Arc<routing::Graph>,
    hours: u64,
    units: Vec<(u64, u64)>,
    coverage: Arc<Coverage>,
}

impl Cache {
    /// How many layers are kept.
    pub fn layers(&self) -> usize {
        self.layers.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn find(
        &self,
        graph: &Arc<routing::Graph>,
        hours: u64,
        units: &[(u64, u64)],
    ) -> Option<Arc<Coverage>> {
        // A panic while holding the lock cannot leave the list half-changed: take it anyway.
        let layers = self.layers.lock().unwrap_or_else(|e| e.into_inner());
        layers
            .iter()
            .find(|l| Arc::ptr_eq(&l.graph, graph) && l.hours == hours && l.units == units)
            .map(|l| l.coverage.clone())
    }

    fn keep(&self, layer: Layer) {
        let mut layers = self.layers.lock().unwrap_or_else(|e| e.into_inner());
        if layers.len() >= CACHED {
            layers.remove(0);
        }
        layers.push(layer);
    }
}

/// The localities beyond `hours` of the units at `units` (latitude, longitude): from the
/// cache, or computed on the blocking pool.
pub async fn layer(state: &AppState, units: &[(f64, f64)], hours: f64) -> AppResult<Arc<Coverage>> {
    let key: Vec<(u64, u64)> = units
        .iter()
        .map(|(a, b)| (a.to_bits(), b.to_bits()))
        .collect();
    let graph = state.routing.clone();
    if let Some(c) = state.coverage.find(&graph, hours.to_bits(), &key) {
        return Ok(c);
    }
    // One at a time: the second request for a layer waits for the first and finds it here.
    let _computing = state.coverage.computing.lock().await;
    if let Some(c) = state.coverage.find(&graph, hours.to_bits(), &key) {
        return Ok(c);
    }
    let worker = state.clone();
    let points: Vec<routing::Point> = units
        .iter()
        .map(|(lat, lon)| routing::Point::new(*lat, *lon))
        .collect();
    let coverage = tokio::task::spawn_blocking(move || compute(&worker, &points, hours))
        .await
        .map(Arc::new)
        .map_err(|e| AppError::Internal(format!("coverage: {e}")))?;
    state.coverage.keep(Layer {
        graph,
        hours: hours.to_bits(),
        units: key,
        coverage: coverage.clone(),
    });
    Ok(coverage)
}
