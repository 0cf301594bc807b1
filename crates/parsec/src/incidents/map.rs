//! The regional map, drawn by the server as SVG: the cercles and the region's outline, the
//! rivers and lakes, the main roads, the cercle capitals (from the shipped data, drawn once
//! and kept), then the incidents by type and age, the units and their assets by status on
//! top. No tiles, no library: a page of a few hundred kilobytes at most.

use std::fmt::Write;
use std::sync::OnceLock;

use serde_json::Value;

use crate::app::{RIVERS_GEOJSON, ROADS_GEOJSON};

const ADMIN_GEOJSON: &str = include_str!("../../../../data/mopti/admin.geojson");

/// The drawing's frame: the region and a margin, in degrees.
const WEST: f64 = -5.9;
const EAST: f64 = -0.9;
const SOUTH: f64 = 13.0;
const NORTH: f64 = 16.4;
/// Pixels per degree of latitude; longitude is narrowed by the cosine of the mid latitude.
const SCALE: f64 = 200.0;

pub fn width() -> f64 {
    (EAST - WEST) * SCALE * (14.7f64).to_radians().cos()
}

pub fn height() -> f64 {
    (NORTH - SOUTH) * SCALE
}

/// A point's place in the drawing.
pub fn project(lat: f64, lon: f64) -> (f64, f64) {
    (
        (lon - WEST) * SCALE * (14.7f64).to_radians().cos(),
        (NORTH - lat) * SCALE,
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG path of rings or lines of `[lon, lat]` pairs.
fn path(lines: &[&Value], close: bool) -> String {
    let mut d = String::new();
    for line in lines {
        let Some(points) = line.as_array() else {
            continue;
        };
        for (i, p) in points.iter().enumerate() {
            let (Some(lon), Some(lat)) = (
                p.get(0).and_then(Value::as_f64),
                p.get(1).and_then(Value::as_f64),
            ) else {
                continue;
            };
            let (x, y) = project(lat, lon);
            let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
        }
        if close {
            d.push('Z');
        }
    }
    d
}

/// The rings of a Polygon or MultiPolygon, or the lines of a (Multi)LineString.
fn parts(geometry: &Value) -> (Vec<&Value>, bool) {
    let c = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => (
            c.as_array().map(|r| r.iter().collect()).unwrap_or_default(),
            true,
        ),
        Some("MultiPolygon") => (
            c.as_array()
                .map(|ps| ps.iter().filter_map(Value::as_array).flatten().collect())
                .unwrap_or_default(),
            true,
        ),
        Some("LineString") => (vec![c], false),
        Some("MultiLineString") => (
            c.as_array().map(|l| l.iter().collect()).unwrap_or_default(),
            false,
        ),
        _ => (Vec::new(), false),
    }
}

fn features(text: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("features").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

/// The fixed layers (drawn once: the data is in the binary).
pub fn base(capitals: &[(String, f64, f64)]) -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut s = String::new();
        for f in features(ADMIN_GEOJSON) {
            let level = f["properties"]["level"].as_str().unwrap_or("");
            let class = match level {
                "cercle" => "cercle",
                "region" => "region",
                "context_region" | "context_country" => "context",
                _ => continue,
            };
            let (rings, close) = parts(&f["geometry"]);
            let name = f["properties"]["name"].as_str().unwrap_or("");
            let _ = write!(
                s,
                "<path class=\"{class}\" d=\"{}\"><title>{}</title></path>",
                path(&rings, close),
                esc(name)
            );
        }
        for f in features(RIVERS_GEOJSON) {
            let class = match f["properties"]["kind"].as_str() {
                Some("lake") | Some("river_area") => "water",
                _ => "river",
            };
            let (lines, close) = parts(&f["geometry"]);
            let _ = write!(s, "<path class=\"{class}\" d=\"{}\"/>", path(&lines, close));
        }
        for f in features(ROADS_GEOJSON) {
            let class = match f["properties"]["class"].as_str() {
                Some("trunk") | Some("primary") => "road main",
                _ => "road",
            };
            let (lines, _) = parts(&f["geometry"]);
            let _ = write!(
                s,
                "<path class=\"{class}\" d=\"{}\"><title>{}</title></path>",
                path(&lines, false),
                esc(f["properties"]["name"].as_str().unwrap_or(""))
            );
        }
        for (name, lat, lon) in capitals {
            let (x, y) = project(*lat, *lon);
            let _ = write!(
                s,
                "<circle class=\"town\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"/><text class=\"town\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                x + 5.0,
                y + 4.0,
                esc(name)
            );
        }
        s
    })
}

/// An incident on the map.
pub struct Mark {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
    pub security: bool,
    /// 0 (today) to 1 (the oldest shown): older marks are paler.
    pub age: f64,
    pub title: String,
}

/// A unit and what it holds, on the map.
pub struct UnitMark {
    pub lat: f64,
    pub lon: f64,
    pub name: String,
    pub available: usize,
    pub busy: usize,
}

/// A way to an incident (the dispatch's ranking): its path, its rank(s), its mode, its title.
pub struct Way<'a> {
    pub path: &'a [routing::Point],
    pub label: String,
    pub mode: routing::Mode,
    pub title: String,
}

/// How far apart two labels' anchors must be not to overlap (the labels are a few digits of
/// the map's small text).
const LABEL_W: f64 = 26.0;
const LABEL_H: f64 = 12.0;

/// The ways to an incident, drawn under the marks, each with its rank(s) at its start. Ways
/// that start close together (a unit's boat and its vehicle) have their labels stacked, never
/// on top of each other.
pub fn route_lines(ways: &[Way]) -> String {
    let mut s = String::new();
    let mut placed: Vec<(f64, f64)> = Vec::new();
    for w in ways {
        let mut points = String::new();
        for p in w.path {
            let (x, y) = project(p.lat, p.lon);
            let _ = write!(points, "{x:.1},{y:.1} ");
        }
        let _ = write!(
            s,
            "<polyline class=\"route {}\" points=\"{}\"><title>{}</title></polyline>",
            w.mode.code(),
            points.trim_end(),
            esc(&w.title)
        );
        if let Some(p) = w.path.first() {
            let (x, y) = project(p.lat, p.lon);
            let (x, mut y) = (x + 5.0, y - 5.0);
            while placed
                .iter()
                .any(|(px, py)| (px - x).abs() < LABEL_W && (py - y).abs() < LABEL_H)
            {
                y -= LABEL_H;
            }
            placed.push((x, y));
            let _ = write!(
                s,
                "<text class=\"rank\" x=\"{x:.1}\" y=\"{y:.1}\">{}</text>",
                esc(&w.label)
            );
        }
    }
    s
}

/// The whole drawing; `uncovered` are the localities beyond the coverage time, if asked;
/// `overlay` (routes) goes over the base and under the marks.
pub fn draw(
    capitals: &[(String, f64, f64)],
    marks: &[Mark],
    units: &[UnitMark],
    uncovered: &[(String, f64, f64)],
    overlay: &str,
    label: &str,
) -> String {
    let (w, h) = (width(), height());
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"map\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-label=\"{}\" data-projection=\"{WEST} {NORTH} {:.4} {SCALE}\">",
        esc(label),
        SCALE * (14.7f64).to_radians().cos()
    );
    s.push_str(base(capitals));
    for (name, lat, lon) in uncovered {
        let (x, y) = project(*lat, *lon);
        let _ = write!(
            s,
            "<circle class=\"uncovered\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.6\"><title>{}</title></circle>",
            esc(name)
        );
    }
    s.push_str(overlay);
    for m in marks {
        let (x, y) = project(m.lat, m.lon);
        let _ = write!(
            s,
            "<a href=\"/incidents/{}\"><circle class=\"incident {}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" opacity=\"{:.2}\"><title>{}</title></circle></a>",
            esc(&m.id),
            if m.security { "security" } else { "civil" },
            1.0 - 0.6 * m.age.clamp(0.0, 1.0),
            esc(&m.title)
        );
    }
    for u in units {
        let (x, y) = project(u.lat, u.lon);
        let class = if u.available > 0 {
            "unit ready"
        } else {
            "unit"
        };
        let _ = write!(
            s,
            "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\"><title>{} — {} / {}</title></rect>",
            x - 4.0,
            y - 4.0,
            esc(&u.name),
            u.available,
            u.available + u.busy
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_ways_starting_together_never_overlap() {
        let mopti = [
            routing::Point::new(14.49, -4.19),
            routing::Point::new(14.3, -4.0),
        ];
        let near = [
            routing::Point::new(14.491, -4.189),
            routing::Point::new(14.3, -4.0),
        ];
        let ways: Vec<Way> = [(&mopti[..], "1"), (&near[..], "2, 3"), (&mopti[..], "4")]
            .into_iter()
            .map(|(path, label)| Way {
                path,
                label: label.into(),
                mode: routing::Mode::Vehicle,
                title: String::new(),
            })
            .collect();
        let svg = route_lines(&ways);
        let anchors: Vec<(f64, f64)> = svg
            .split("<text class=\"rank\" x=\"")
            .skip(1)
            .map(|t| {
                let x: f64 = t.split('"').next().unwrap().parse().unwrap();
                let y: f64 = t
                    .split("y=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                (x, y)
            })
            .collect();
        assert_eq!(anchors.len(), 3);
        for (i, a) in anchors.iter().enumerate() {
            for b in &anchors[i + 1..] {
                assert!(
                    (a.0 - b.0).abs() >= LABEL_W || (a.1 - b.1).abs() >= LABEL_H,
                    "{anchors:?}"
                );
            }
        }
    }
}
