//! Reads the shipped data into a `Network`: the road lines (`roads_real.geojson`: class and
//! the real length along the road), the river and channel centre lines (`rivers.geojson`,
//! `kind = river_centerline`) and the airfields (`security_sites.csv`, `category =
//! airfield`). Text in, structures out.

use serde_json::Value;

use crate::{Network, Point, Road, RoadClass};

/// Why the data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("{file}: not GeoJSON ({reason})")]
    Json { file: &'static str, reason: String },
    #[error("{file}: no feature usable")]
    Empty { file: &'static str },
}

fn points(coords: &Value) -> Vec<Point> {
    coords
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| {
                    let lon = c.get(0)?.as_f64()?;
                    let lat = c.get(1)?.as_f64()?;
                    Some(Point::new(lat, lon))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The lines of a LineString or MultiLineString geometry.
fn lines(geometry: &Value) -> Vec<Vec<Point>> {
    match geometry.get("type").and_then(Value::as_str) {
        Some("LineString") => vec![points(&geometry["coordinates"])],
        Some("MultiLineString") => geometry["coordinates"]
            .as_array()
            .map(|ls| ls.iter().map(points).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The outer rings of a Polygon or MultiPolygon geometry.
fn shores(geometry: &Value) -> Vec<Vec<Point>> {
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => vec![points(&geometry["coordinates"][0])],
        Some("MultiPolygon") => geometry["coordinates"]
            .as_array()
            .map(|ps| ps.iter().map(|p| points(&p[0])).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn features(text: &str, file: &'static str) -> Result<Vec<Value>, DataError> {
    let v: Value = serde_json::from_str(text).map_err(|e| DataError::Json {
        file,
        reason: e.to_string(),
    })?;
    Ok(v.get("features")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

/// The road lines, each with its class and the length of the real road.
pub fn roads(geojson: &str) -> Result<Vec<Road>, DataError> {
    let mut out = Vec::new();
    for f in features(geojson, "roads_real.geojson")? {
        let p = &f["properties"];
        let name = p["name"].as_str().unwrap_or("").to_string();
        let class = RoadClass::parse(p["class"].as_str().unwrap_or(""));
        let parts = lines(&f["geometry"]);
        let total_km = p["length_km_clipped"].as_f64();
        let parts_count = parts.len().max(1) as f64;
        for line in parts.into_iter().filter(|l| l.len() >= 2) {
            out.push(Road {
                name: name.clone(),
                class,
                line,
                // A multi-part road's length is shared out; the stretch only corrects the
                // generalisation, so a rough share is enough.
                length_km: total_km.map(|k| k / parts_count),
            });
        }
    }
    if out.is_empty() {
        return Err(DataError::Empty {
            file: "roads_real.geojson",
        });
    }
    Ok(out)
}

/// The ways of boats: the river and channel centre lines, and the shores of the lakes (Lac
/// Débo's villages are on its shore, and a boat crosses it along them).
pub fn rivers(geojson: &str) -> Result<Vec<Vec<Point>>, DataError> {
    let out: Vec<Vec<Point>> = features(geojson, "rivers.geojson")?
        .iter()
        .flat_map(|f| match f["properties"]["kind"].as_str() {
            Some("river_centerline") => lines(&f["geometry"]),
            Some("lake") => shores(&f["geometry"]),
            _ => Vec::new(),
        })
        .filter(|l| l.len() >= 2)
        .collect();
    if out.is_empty() {
        return Err(DataError::Empty {
            file: "rivers.geojson",
        });
    }
    Ok(out)
}

/// Splits one CSV line into its fields (quotes honoured; the sites table has no line breaks
/// inside fields).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

/// The airfields of the sites table (`security_sites.csv`: `id,name,category,lat,lon,…`).
pub fn airfields(sites_csv: &str) -> Vec<(String, Point)> {
    sites_csv
        .lines()
        .skip(1)
        .map(csv_fields)
        .filter(|f| f.get(2).map(String::as_str) == Some("airfield"))
        .filter_map(|f| {
            let lat = f.get(3)?.parse().ok()?;
            let lon = f.get(4)?.parse().ok()?;
            Some((f.get(1)?.clone(), Point::new(lat, lon)))
        })
        .collect()
}

/// The network from the three shipped files; the airfields are given by the caller (it reads
/// the sites table).
pub fn network(
    roads_geojson: &str,
    rivers_geojson: &str,
    airfields: Vec<Point>,
) -> Result<Network, DataError> {
    Ok(Network {
        roads: roads(roads_geojson)?,
        rivers: rivers(rivers_geojson)?,
        airfields,
    })
}
