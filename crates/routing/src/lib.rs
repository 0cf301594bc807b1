//! Travel times across the region for the four ways its forces move: by road and track
//! (vehicles), on foot, by boat on the Niger, the Bani and the delta's channels, and by air
//! from the airfields. A graph per mode is built once from the shipped data (`network` reads
//! the GeoJSON): road vertices joined where the lines meet, river vertices joined where the
//! channels meet, and any point of the region reaches the network by a track at a low speed.
//! Queries: the route from A to B, the times from one point to many (an incident to every
//! available asset), the places within a time (isochrones). Pure: no I/O, no clock, no panic
//! on any input.

pub mod network;

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// A point on the ground, in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl Point {
    pub fn new(lat: f64, lon: f64) -> Point {
        Point { lat, lon }
    }

    fn valid(self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && self.lat.abs() <= 90.0
            && self.lon.abs() <= 180.0
    }
}

/// Great-circle distance in kilometres.
pub fn distance_km(a: Point, b: Point) -> f64 {
    const R: f64 = 6371.0;
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

/// How a unit or an asset moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Vehicle,
    Foot,
    Boat,
    Aircraft,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Vehicle, Mode::Foot, Mode::Boat, Mode::Aircraft];

    pub fn code(self) -> &'static str {
        match self {
            Mode::Vehicle => "vehicle",
            Mode::Foot => "foot",
            Mode::Boat => "boat",
            Mode::Aircraft => "aircraft",
        }
    }
}

/// A road's class, which sets its speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoadClass {
    Trunk,
    Primary,
    Secondary,
    Unknown,
}

impl RoadClass {
    pub fn parse(s: &str) -> RoadClass {
        match s {
            "trunk" => RoadClass::Trunk,
            "primary" => RoadClass::Primary,
            "secondary" => RoadClass::Secondary,
            _ => RoadClass::Unknown,
        }
    }
}

/// The season changes the ground: in the rainy season tracks are slow and some roads cut; at
/// high water (after the rains, into the dry season) boats reach further from the channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Season {
    Dry,
    Rainy,
    HighWater,
}

/// Speeds and rules (configuration, not code: the application passes its own).
#[derive(Debug, Clone)]
pub struct Settings {
    pub trunk_kmh: f64,
    pub primary_kmh: f64,
    pub secondary_kmh: f64,
    pub unknown_road_kmh: f64,
    /// Off-road tracks from a place to the network (and between near places).
    pub track_kmh: f64,
    /// Tracks wind: the distance on the ground over the straight line.
    pub track_detour: f64,
    /// Beyond this straight distance to the network a place is out of reach by vehicle.
    pub max_track_km: f64,
    pub foot_kmh: f64,
    pub boat_kmh: f64,
    /// How far from a channel a boat can land (walking the rest is not counted as boat).
    pub landing_km: f64,
    pub aircraft_kmh: f64,
    /// Take-off, climb, descent and landing, per flight.
    pub aircraft_overhead_min: f64,
    pub season: Season,
    /// In the rainy season, tracks' speed is multiplied by this.
    pub rainy_track_factor: f64,
    /// In the rainy season, these roads (by name) are cut.
    pub rainy_cut_roads: Vec<String>,
    /// At high water, boats land this much further from the channels.
    pub high_water_landing_km: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            trunk_kmh: 70.0,
            primary_kmh: 60.0,
            secondary_kmh: 45.0,
            unknown_road_kmh: 40.0,
            track_kmh: 25.0,
            track_detour: 1.3,
            max_track_km: 60.0,
            foot_kmh: 4.5,
            boat_kmh: 18.0,
            landing_km: 6.0,
            aircraft_kmh: 300.0,
            aircraft_overhead_min: 20.0,
            season: Season::Dry,
            rainy_track_factor: 0.5,
            rainy_cut_roads: Vec::new(),
            high_water_landing_km: 15.0,
        }
    }
}

impl Settings {
    fn road_kmh(&self, class: RoadClass) -> f64 {
        match class {
            RoadClass::Trunk => self.trunk_kmh,
            RoadClass::Primary => self.primary_kmh,
            RoadClass::Secondary => self.secondary_kmh,
            RoadClass::Unknown => self.unknown_road_kmh,
        }
    }

    fn track_kmh(&self) -> f64 {
        if self.season == Season::Rainy {
            self.track_kmh * self.rainy_track_factor
        } else {
            self.track_kmh
        }
    }

    fn landing_km(&self) -> f64 {
        if self.season == Season::HighWater {
            self.high_water_landing_km
        } else {
            self.landing_km
        }
    }
}

/// A road line as shipped.
#[derive(Debug, Clone)]
pub struct Road {
    pub name: String,
    pub class: RoadClass,
    pub line: Vec<Point>,
    /// The length along the real road, when the data gives it (the shipped lines are
    /// generalised, shorter than the road).
    pub length_km: Option<f64>,
}

/// What the graphs are built from.
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub roads: Vec<Road>,
    /// River and channel centre lines.
    pub rivers: Vec<Vec<Point>>,
    pub airfields: Vec<Point>,
}

/// A way from A to B.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub minutes: f64,
    pub km: f64,
    /// From A to B, for the map.
    pub path: Vec<Point>,
}

/// Why B cannot be reached from A by a mode.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unreachable {
    /// The point is too far from this mode's network; `nearest` is the closest point it
    /// reaches (a landing on the river, the end of a road, an airfield).
    #[error("injoignable par ce mode : le point atteignable le plus proche est à {km:.0} km")]
    TooFar { nearest: Point, km: f64 },
    /// The two points are on parts of the network that do not meet.
    #[error("injoignable par ce mode : pas de chemin entre ces deux points")]
    Disconnected,
    #[error("coordonnées invalides")]
    BadPoint,
}

/// A graph of one mode, in compressed adjacency form.
#[derive(Debug, Default)]
struct ModeGraph {
    nodes: Vec<Point>,
    /// `offsets[n]..offsets[n + 1]` are node `n`'s edges in `targets` and `costs`.
    offsets: Vec<u32>,
    targets: Vec<u32>,
    /// Minutes.
    costs: Vec<f32>,
    km: Vec<f32>,
    grid: Grid,
}

/// Nodes bucketed by 0.1° cells, to find the nearest ones.
#[derive(Debug, Default)]
struct Grid {
    cells: HashMap<(i32, i32), Vec<u32>>,
}

const CELL: f64 = 0.1;
/// The shortest side of a cell in the region, in km (0.1° of longitude at 16.4° N is 10.7 km):
/// a node beyond ring `r` is at least `r` times this far.
const CELL_KM: f64 = 10.5;

fn cell(p: Point) -> (i32, i32) {
    ((p.lat / CELL).floor() as i32, (p.lon / CELL).floor() as i32)
}

impl Grid {
    fn build(nodes: &[Point]) -> Grid {
        let mut cells: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
        for (i, p) in nodes.iter().enumerate() {
            cells
                .entry(cell(*p))
                .or_default()
                .push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        Grid { cells }
    }

    /// The `k` nearest nodes within `max_km`, nearest first.
    fn nearest(&self, nodes: &[Point], p: Point, k: usize, max_km: f64) -> Vec<(u32, f64)> {
        let (ci, cj) = cell(p);
        // Look as far as the distance allows, ring by ring (clamped before the cast: a huge
        // or infinite distance from the configuration must not overflow).
        let rings = ((max_km / CELL_KM).ceil() + 1.0).clamp(1.0, 60.0) as i32;
        let mut found: Vec<(u32, f64)> = Vec::new();
        for r in 0..=rings {
            for di in -r..=r {
                for dj in -r..=r {
                    if di.abs() != r && dj.abs() != r {
                        continue;
                    }
                    if let Some(ns) = self.cells.get(&(ci + di, cj + dj)) {
                        for &n in ns {
                            if let Some(q) = nodes.get(n as usize) {
                                let d = distance_km(p, *q);
                                if d <= max_km {
                                    found.push((n, d));
                                }
                            }
                        }
                    }
                }
            }
            // A ring beyond the k-th found can only hold farther nodes.
            if found.len() >= k && f64::from(r) * CELL_KM > kth(&mut found, k) {
                break;
            }
        }
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        found.truncate(k);
        found
    }
}

fn kth(found: &mut [(u32, f64)], k: usize) -> f64 {
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    found.get(k.saturating_sub(1)).map_or(f64::MAX, |x| x.1)
}

/// Builds a graph from polylines: vertices closer than `join_km` become one node (lines
/// meet where they touch), each segment an edge both ways.
struct Builder {
    nodes: Vec<Point>,
    grid: HashMap<(i32, i32), Vec<u32>>,
    edges: Vec<(u32, u32, f32, f32)>,
    join_km: f64,
}

impl Builder {
    fn new(join_km: f64) -> Builder {
        Builder {
            nodes: Vec::new(),
            grid: HashMap::new(),
            edges: Vec::new(),
            join_km,
        }
    }

    fn node(&mut self, p: Point) -> u32 {
        let (ci, cj) = cell(p);
        for di in -1..=1 {
            for dj in -1..=1 {
                if let Some(ns) = self.grid.get(&(ci + di, cj + dj)) {
                    for &n in ns {
                        if self
                            .nodes
                            .get(n as usize)
                            .is_some_and(|q| distance_km(p, *q) <= self.join_km)
                        {
                            return n;
                        }
                    }
                }
            }
        }
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(p);
        self.grid.entry((ci, cj)).or_default().push(id);
        id
    }

    /// A line at `kmh`, its geometric length stretched by `stretch`.
    fn line(&mut self, line: &[Point], kmh: f64, stretch: f64) {
        let ids: Vec<u32> = line
            .iter()
            .filter(|p| p.valid())
            .map(|p| self.node(*p))
            .collect();
        for w in ids.windows(2) {
            if let [a, b] = w
                && a != b
                && let (Some(pa), Some(pb)) =
                    (self.nodes.get(*a as usize), self.nodes.get(*b as usize))
            {
                let km = distance_km(*pa, *pb) * stretch;
                let minutes = km / kmh * 60.0;
                self.edges.push((*a, *b, minutes as f32, km as f32));
                self.edges.push((*b, *a, minutes as f32, km as f32));
            }
        }
    }

    /// Tracks across country between any two nodes at most `reach_km` apart (the villages
    /// between two roads are joined by tracks, and so are the roads).
    fn tracks(&mut self, kmh: f64, detour: f64, reach_km: f64) {
        let grid = Grid::build(&self.nodes);
        let linked: std::collections::HashSet<(u32, u32)> =
            self.edges.iter().map(|e| (e.0, e.1)).collect();
        let mut tracks = Vec::new();
        for (i, p) in self.nodes.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for (j, km) in grid.nearest(&self.nodes, *p, usize::MAX, reach_km) {
                if j > i && !linked.contains(&(i, j)) {
                    let km = km * detour;
                    let minutes = (km / kmh * 60.0) as f32;
                    tracks.push((i, j, minutes, km as f32));
                    tracks.push((j, i, minutes, km as f32));
                }
            }
        }
        self.edges.extend(tracks);
    }

    fn finish(self) -> ModeGraph {
        let n = self.nodes.len();
        let mut edges = self.edges;
        edges.sort_by_key(|e| (e.0, e.1));
        let mut offsets = vec![0u32; n + 1];
        for e in &edges {
            if let Some(o) = offsets.get_mut(e.0 as usize + 1) {
                *o += 1;
            }
        }
        for i in 1..offsets.len() {
            let prev = offsets.get(i - 1).copied().unwrap_or(0);
            if let Some(o) = offsets.get_mut(i) {
                *o += prev;
            }
        }
        let grid = Grid::build(&self.nodes);
        ModeGraph {
            nodes: self.nodes,
            offsets,
            targets: edges.iter().map(|e| e.1).collect(),
            costs: edges.iter().map(|e| e.2).collect(),
            km: edges.iter().map(|e| e.3).collect(),
            grid,
        }
    }
}

/// A point joined to a mode's network: the nodes it reaches and what reaching them costs.
#[derive(Debug, Clone)]
struct Access {
    point: Point,
    links: Vec<(u32, f64, f64)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct State {
    minutes: f64,
    node: u32,
}

impl Eq for State {}

impl Ord for State {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .minutes
            .total_cmp(&self.minutes)
            .then_with(|| self.node.cmp(&other.node))
    }
}

impl PartialOrd for State {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The travel-time graphs of the region.
#[derive(Debug)]
pub struct Graph {
    settings: Settings,
    road: ModeGraph,
    foot: ModeGraph,
    river: ModeGraph,
    airfields: Vec<Point>,
}

/// How many network nodes a point may join (the nearest few, so that a point between two
/// roads can take either).
const LINKS: usize = 3;
/// Every node this close to a point is one of its links too.
const CLOSE_KM: f64 = 3.0;

impl Graph {
    pub fn build(net: &Network, settings: &Settings) -> Graph {
        let mut road = Builder::new(0.3);
        let mut foot = Builder::new(0.3);
        for r in &net.roads {
            let cut = settings.season == Season::Rainy
                && settings.rainy_cut_roads.iter().any(|c| c == &r.name);
            let geometric: f64 = r
                .line
                .windows(2)
                .filter_map(|w| match w {
                    [a, b] => Some(distance_km(*a, *b)),
                    _ => None,
                })
                .sum();
            // Generalised lines are shorter than the road: stretch them to its real length.
            let stretch = match r.length_km {
                Some(l) if geometric > 0.1 && l > geometric => (l / geometric).min(2.0),
                _ => 1.0,
            };
            if !cut {
                road.line(&r.line, settings.road_kmh(r.class), stretch);
            }
            foot.line(&r.line, settings.foot_kmh, stretch);
        }
        road.tracks(
            settings.track_kmh(),
            settings.track_detour,
            settings.max_track_km,
        );
        foot.tracks(
            settings.foot_kmh,
            settings.track_detour,
            settings.max_track_km,
        );
        // Channels meet where their ends touch; a wider join closes the gaps of the
        // generalised data at the confluences.
        let mut river = Builder::new(0.8);
        for line in &net.rivers {
            river.line(line, settings.boat_kmh, 1.0);
        }
        Graph {
            settings: settings.clone(),
            road: road.finish(),
            foot: foot.finish(),
            river: river.finish(),
            airfields: net
                .airfields
                .iter()
                .copied()
                .filter(|p| p.valid())
                .collect(),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Nodes and edges per mode, for the logs.
    pub fn size(&self) -> [(Mode, usize, usize); 3] {
        [
            (
                Mode::Vehicle,
                self.road.nodes.len(),
                self.road.targets.len(),
            ),
            (Mode::Foot, self.foot.nodes.len(), self.foot.targets.len()),
            (Mode::Boat, self.river.nodes.len(), self.river.targets.len()),
        ]
    }

    fn graph(&self, mode: Mode) -> Option<&ModeGraph> {
        match mode {
            Mode::Vehicle => Some(&self.road),
            Mode::Foot => Some(&self.foot),
            Mode::Boat => Some(&self.river),
            Mode::Aircraft => None,
        }
    }

    /// Speed and reach of the way from a point to the network.
    fn access_rule(&self, mode: Mode) -> (f64, f64, f64) {
        let s = &self.settings;
        match mode {
            Mode::Vehicle => (s.track_kmh(), s.track_detour, s.max_track_km),
            Mode::Foot => (s.foot_kmh, s.track_detour, s.max_track_km),
            // A boat embarks and lands at the water's edge: the short way to it is not the
            // boat's, it is counted as a track.
            Mode::Boat => (s.track_kmh(), s.track_detour, s.landing_km()),
            Mode::Aircraft => (s.aircraft_kmh, 1.0, f64::MAX),
        }
    }

    fn access(&self, mode: Mode, p: Point) -> Result<Access, Unreachable> {
        if !p.valid() {
            return Err(Unreachable::BadPoint);
        }
        let g = self.graph(mode).ok_or(Unreachable::Disconnected)?;
        let (kmh, detour, reach) = self.access_rule(mode);
        // The nearest few, and every node close by (so that a point near a junction may
        // take any of its roads).
        let mut near = g.grid.nearest(&g.nodes, p, 64, reach.min(CLOSE_KM));
        if near.len() < LINKS {
            near = g.grid.nearest(&g.nodes, p, LINKS, reach);
        }
        if near.is_empty() {
            // Say where the mode's network comes closest.
            let nearest = g.grid.nearest(&g.nodes, p, 1, 2000.0);
            return Err(match nearest.first() {
                Some(&(n, km)) => Unreachable::TooFar {
                    nearest: g.nodes.get(n as usize).copied().unwrap_or(p),
                    km,
                },
                None => Unreachable::Disconnected,
            });
        }
        Ok(Access {
            point: p,
            links: near
                .into_iter()
                .map(|(n, km)| (n, km * detour, km * detour / kmh * 60.0))
                .collect(),
        })
    }

    /// Dijkstra from an access, over the whole graph (it is small: a few thousand nodes).
    fn search(&self, g: &ModeGraph, from: &Access) -> (Vec<f64>, Vec<u32>) {
        let n = g.nodes.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut prev = vec![u32::MAX; n];
        let mut heap = BinaryHeap::new();
        for &(node, _, minutes) in &from.links {
            if let Some(d) = dist.get_mut(node as usize)
                && minutes < *d
            {
                *d = minutes;
                heap.push(State { minutes, node });
            }
        }
        while let Some(State { minutes, node }) = heap.pop() {
            if dist.get(node as usize).is_some_and(|d| minutes > *d) {
                continue;
            }
            let (start, end) = (
                g.offsets.get(node as usize).copied().unwrap_or(0) as usize,
                g.offsets.get(node as usize + 1).copied().unwrap_or(0) as usize,
            );
            for e in start..end {
                let (Some(&to), Some(&cost)) = (g.targets.get(e), g.costs.get(e)) else {
                    continue;
                };
                let next = minutes + f64::from(cost);
                if let Some(d) = dist.get_mut(to as usize)
                    && next < *d
                {
                    *d = next;
                    if let Some(p) = prev.get_mut(to as usize) {
                        *p = node;
                    }
                    heap.push(State {
                        minutes: next,
                        node: to,
                    });
                }
            }
        }
        (dist, prev)
    }

    /// The best way in from a search to a target access: (minutes, the node entered by).
    fn arrive(dist: &[f64], to: &Access) -> Option<(f64, u32)> {
        to.links
            .iter()
            .filter_map(|&(n, _, m)| dist.get(n as usize).map(|d| (d + m, n)))
            .filter(|(m, _)| m.is_finite())
            .min_by(|a, b| a.0.total_cmp(&b.0))
    }

    /// A straight track between two near points, when it beats the network.
    fn direct(&self, mode: Mode, a: Point, b: Point) -> Option<f64> {
        let (kmh, detour, reach) = self.access_rule(mode);
        let km = distance_km(a, b) * detour;
        (mode != Mode::Boat && km <= reach * detour).then(|| km / kmh * 60.0)
    }

    fn flight(&self, from: Point, to: Point) -> Result<Route, Unreachable> {
        if !from.valid() || !to.valid() {
            return Err(Unreachable::BadPoint);
        }
        // The aircraft leaves from an airfield: the one where it stands.
        let base = self
            .airfields
            .iter()
            .map(|a| (*a, distance_km(*a, from)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match base {
            Some((airfield, km)) if km <= 5.0 => {
                let km = distance_km(airfield, to);
                Ok(Route {
                    minutes: self.settings.aircraft_overhead_min
                        + km / self.settings.aircraft_kmh * 60.0,
                    km,
                    path: vec![airfield, to],
                })
            }
            Some((airfield, km)) => Err(Unreachable::TooFar {
                nearest: airfield,
                km,
            }),
            None => Err(Unreachable::Disconnected),
        }
    }

    /// The fastest way from A to B for a mode.
    pub fn route(&self, mode: Mode, from: Point, to: Point) -> Result<Route, Unreachable> {
        if mode == Mode::Aircraft {
            return self.flight(from, to);
        }
        let g = self.graph(mode).ok_or(Unreachable::Disconnected)?;
        let a = self.access(mode, from)?;
        let b = self.access(mode, to)?;
        let (dist, prev) = self.search(g, &a);
        let via = Self::arrive(&dist, &b);
        if let Some(direct) = self.direct(mode, from, to)
            && via.is_none_or(|(m, _)| direct <= m)
        {
            let (_, detour, _) = self.access_rule(mode);
            return Ok(Route {
                minutes: direct,
                km: distance_km(from, to) * detour,
                path: vec![from, to],
            });
        }
        let (minutes, last) = via.ok_or(Unreachable::Disconnected)?;
        // Walk back from the node B was reached by.
        let mut nodes = vec![last];
        let mut at = last;
        while let Some(&p) = prev.get(at as usize) {
            if p == u32::MAX || nodes.len() > g.nodes.len() {
                break;
            }
            nodes.push(p);
            at = p;
        }
        nodes.reverse();
        let mut path = vec![from];
        path.extend(nodes.iter().filter_map(|n| g.nodes.get(*n as usize)));
        path.push(to);
        let mut km = 0.0;
        for w in nodes.windows(2) {
            if let [x, y] = w {
                km += edge_km(g, *x, *y);
            }
        }
        km += a
            .links
            .iter()
            .find(|l| Some(&l.0) == nodes.first())
            .map_or(0.0, |l| l.1);
        km += b.links.iter().find(|l| l.0 == last).map_or(0.0, |l| l.1);
        Ok(Route { minutes, km, path })
    }

    /// The minutes from one point to each target (an incident to every available asset: the
    /// graphs are symmetric, so from the incident is the same as to it). One search.
    pub fn times_from(
        &self,
        mode: Mode,
        from: Point,
        targets: &[Point],
    ) -> Vec<Result<f64, Unreachable>> {
        if mode == Mode::Aircraft {
            return targets
                .iter()
                .map(|t| self.flight(*t, from).map(|r| r.minutes))
                .collect();
        }
        let Some(g) = self.graph(mode) else {
            return targets
                .iter()
                .map(|_| Err(Unreachable::Disconnected))
                .collect();
        };
        let a = match self.access(mode, from) {
            Ok(a) => a,
            Err(e) => return targets.iter().map(|_| Err(e.clone())).collect(),
        };
        let (dist, _) = self.search(g, &a);
        targets
            .iter()
            .map(|t| {
                let b = self.access(mode, *t)?;
                let via = Self::arrive(&dist, &b).map(|x| x.0);
                let direct = self.direct(mode, from, b.point);
                match (via, direct) {
                    (Some(v), Some(d)) => Ok(v.min(d)),
                    (Some(v), None) => Ok(v),
                    (None, Some(d)) => Ok(d),
                    (None, None) => Err(Unreachable::Disconnected),
                }
            })
            .collect()
    }

    /// Which of `places` are within `minutes` of a point (an isochrone), with their times.
    pub fn within(
        &self,
        mode: Mode,
        from: Point,
        places: &[Point],
        minutes: f64,
    ) -> Vec<(usize, f64)> {
        self.times_from(mode, from, places)
            .into_iter()
            .enumerate()
            .filter_map(|(i, t)| t.ok().filter(|m| *m <= minutes).map(|m| (i, m)))
            .collect()
    }
}

fn edge_km(g: &ModeGraph, from: u32, to: u32) -> f64 {
    let (start, end) = (
        g.offsets.get(from as usize).copied().unwrap_or(0) as usize,
        g.offsets.get(from as usize + 1).copied().unwrap_or(0) as usize,
    );
    (start..end)
        .filter(|e| g.targets.get(*e) == Some(&to))
        .filter_map(|e| g.km.get(e))
        .map(|k| f64::from(*k))
        .fold(f64::INFINITY, f64::min)
        .min(1e6)
}
