//! The gazetteer of the Mopti region of central Mali: the region, its 8 cercles, its 108
//! communes and about 6,657 localities (with a 50 km band around the region, Burkina Faso
//! included), plus a place-name search made for French-speaking operators who type fast, without
//! accents and in whatever spelling they know (French, English or local). The crate does no I/O:
//! the caller hands over the CSV texts (`localities.csv` and `commune_population.csv` from
//! `data/mopti`), and nothing in it panics on any input.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Deserialize;

/// Pcode of the region this gazetteer is about.
const REGION_PCODE: &str = "ML05";
/// Used only if no locality row names the region.
const DEFAULT_REGION_NAME: &str = "Mopti";
/// No place name comes close to this; a longer query cannot match anything, so it is refused
/// before any work is done on it.
const MAX_QUERY_BYTES: usize = 1024;
/// Mean Earth radius (IUGG), in km.
const EARTH_RADIUS_KM: f64 = 6371.0088;
/// The spelling rules reach their fixed point in two or three passes on real words; the cap only
/// bounds the work on hostile input.
const MAX_FOLD_PASSES: usize = 16;

const LOCALITIES_FILE: &str = "localities.csv";
const COMMUNES_FILE: &str = "commune_population.csv";

/// Why the CSV texts could not be read. Every variant carries the file and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GazetteerError {
    /// The CSV itself is malformed (wrong number of fields, missing column, bad UTF-8…).
    #[error("{file}, line {line}: malformed CSV: {message}")]
    Csv {
        file: &'static str,
        line: u64,
        message: String,
    },
    /// A field has a value that cannot be used (a latitude that is not a number, …).
    #[error("{file}, line {line}: invalid {column} {value:?}: {reason}")]
    InvalidField {
        file: &'static str,
        line: u64,
        column: &'static str,
        value: String,
        reason: &'static str,
    },
    /// Two rows share an id (locality id or commune pcode).
    #[error("{file}, line {line}: duplicate id {id:?}")]
    DuplicateId {
        file: &'static str,
        line: u64,
        id: String,
    },
}

impl GazetteerError {
    /// The 1-based line of the offending row in its file.
    pub fn line(&self) -> u64 {
        match self {
            Self::Csv { line, .. }
            | Self::InvalidField { line, .. }
            | Self::DuplicateId { line, .. } => *line,
        }
    }
}

/// A populated place.
#[derive(Debug, Clone, PartialEq)]
pub struct Locality {
    /// `ocha:<pcode>`, `osm:<node id>` or `gn:<geonameid>`; stable.
    pub id: String,
    /// Display name, French accented spelling when known.
    pub name: String,
    /// Other spellings (OCHA, OSM, GeoNames, Bambara…).
    pub alt_names: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    /// `ML` or `BF`.
    pub country: String,
    /// Inside the Mopti region polygon.
    pub in_region: bool,
    pub region: String,
    /// May be empty (Burkina Faso rows).
    pub cercle: String,
    pub cercle_pcode: String,
    /// May be empty (Burkina Faso rows).
    pub commune: String,
    pub commune_pcode: String,
    /// OSM place class when known, otherwise `populated_place`.
    pub feature_class: String,
    /// `region_capital`, `cercle_capital` or `commune_capital`.
    pub admin_seat: Option<String>,
    /// OSM or GeoNames figure, year unknown.
    pub population: Option<u32>,
}

/// A cercle of the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cercle {
    pub pcode: String,
    pub name: String,
}

/// A commune of the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    pub pcode: String,
    pub name: String,
    pub cercle_pcode: String,
    /// RGPH 2009 figure; known for 30 communes only.
    pub population_2009: Option<u32>,
}

/// How a query matched. The declaration order is the rank: `Exact` is best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    Exact,
    Prefix,
    Contains,
    Fuzzy,
}

/// One search result: one per locality, with the spelling that matched best.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub locality: &'a Locality,
    /// The original spelling (the name or one of the alternate names) that matched.
    pub matched_name: &'a str,
    pub kind: MatchKind,
}

/// One searchable spelling of a locality, folded once at parse time.
#[derive(Debug, Clone)]
struct SearchKey {
    folded: String,
    locality: usize,
    /// 0 = the name, i = `alt_names[i - 1]`.
    spelling: usize,
}

/// Per-locality data used only for ranking and ordering.
#[derive(Debug, Clone)]
struct RankInfo {
    seat: u8,
    sort_name: String,
}

/// The parsed gazetteer with its indexes. Build it once with [`Gazetteer::parse`].
#[derive(Debug, Clone)]
pub struct Gazetteer {
    region_name: String,
    cercles: Vec<Cercle>,
    communes: Vec<Commune>,
    localities: Vec<Locality>,
    rank: Vec<RankInfo>,
    keys: Vec<SearchKey>,
    by_id: HashMap<String, usize>,
    commune_by_pcode: HashMap<String, usize>,
    /// Locality indexes per commune pcode, already sorted by name.
    localities_by_commune: HashMap<String, Vec<usize>>,
}

#[derive(Deserialize)]
struct LocalityRow {
    id: String,
    name: String,
    alt_names: String,
    lat: String,
    lon: String,
    country: String,
    in_mopti_region: String,
    region: String,
    region_pcode: String,
    cercle: String,
    cercle_pcode: String,
    commune: String,
    commune_pcode: String,
    feature_class: String,
    admin_seat: String,
    population: String,
}

#[derive(Deserialize)]
struct CommuneRow {
    commune_pcode: String,
    commune: String,
    cercle: String,
    population: String,
}

impl Gazetteer {
    /// Parses the two CSV texts (`localities.csv`, `commune_population.csv`) and builds the
    /// search keys and indexes.
    pub fn parse(localities_csv: &str, communes_csv: &str) -> Result<Gazetteer, GazetteerError> {
        let loc_rows: Vec<(u64, LocalityRow)> = read_rows(LOCALITIES_FILE, localities_csv)?;
        let commune_rows: Vec<(u64, CommuneRow)> = read_rows(COMMUNES_FILE, communes_csv)?;

        let mut localities = Vec::with_capacity(loc_rows.len());
        let mut by_id = HashMap::with_capacity(loc_rows.len());
        let mut region_name: Option<String> = None;
        // Accented cercle names ("Djenné") live only in the localities file.
        let mut cercle_names: HashMap<String, String> = HashMap::new();
        for (line, row) in loc_rows {
            let locality = locality_from_row(line, &row)?;
            if by_id
                .insert(locality.id.clone(), localities.len())
                .is_some()
            {
                return Err(GazetteerError::DuplicateId {
                    file: LOCALITIES_FILE,
                    line,
                    id: locality.id,
                });
            }
            if region_name.is_none() && row.region_pcode.trim() == REGION_PCODE {
                let name = row.region.trim();
                if !name.is_empty() {
                    region_name = Some(name.to_string());
                }
            }
            if !locality.cercle_pcode.is_empty() && !locality.cercle.is_empty() {
                cercle_names
                    .entry(locality.cercle_pcode.clone())
                    .or_insert_with(|| locality.cercle.clone());
            }
            localities.push(locality);
        }

        let mut communes = Vec::with_capacity(commune_rows.len());
        let mut commune_by_pcode = HashMap::with_capacity(commune_rows.len());
        let mut cercles: Vec<Cercle> = Vec::new();
        for (line, row) in commune_rows {
            let pcode = row.commune_pcode.trim().to_string();
            // A commune pcode is the cercle pcode (ML05xx) plus two digits.
            let cercle_pcode = match pcode.get(..6) {
                Some(c) if pcode.len() > 6 && pcode.is_ascii() => c.to_string(),
                _ => {
                    return Err(GazetteerError::InvalidField {
                        file: COMMUNES_FILE,
                        line,
                        column: "commune_pcode",
                        value: pcode,
                        reason: "expected a commune pcode such as ML050101",
                    });
                }
            };
            let population_2009 =
                parse_population(COMMUNES_FILE, line, "population", &row.population)?;
            if commune_by_pcode
                .insert(pcode.clone(), communes.len())
                .is_some()
            {
                return Err(GazetteerError::DuplicateId {
                    file: COMMUNES_FILE,
                    line,
                    id: pcode,
                });
            }
            if !cercles.iter().any(|c| c.pcode == cercle_pcode) {
                let name = cercle_names
                    .get(&cercle_pcode)
                    .cloned()
                    .or_else(|| Some(row.cercle.trim().to_string()).filter(|n| !n.is_empty()))
                    .unwrap_or_else(|| cercle_pcode.clone());
                cercles.push(Cercle {
                    pcode: cercle_pcode.clone(),
                    name,
                });
            }
            communes.push(Commune {
                pcode,
                name: row.commune.trim().to_string(),
                cercle_pcode,
                population_2009,
            });
        }
        cercles.sort_by(|a, b| cmp_names(&a.name, &b.name).then_with(|| a.pcode.cmp(&b.pcode)));

        let rank: Vec<RankInfo> = localities
            .iter()
            .map(|l| RankInfo {
                seat: seat_rank(l.admin_seat.as_deref()),
                sort_name: sort_key(&l.name),
            })
            .collect();

        let mut localities_by_commune: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, l) in localities.iter().enumerate() {
            if !l.commune_pcode.is_empty() {
                localities_by_commune
                    .entry(l.commune_pcode.clone())
                    .or_default()
                    .push(i);
            }
        }
        for list in localities_by_commune.values_mut() {
            list.sort_by(|&a, &b| cmp_by_name(&rank, &localities, a, b));
        }

        let keys = build_keys(&localities);

        Ok(Gazetteer {
            region_name: region_name.unwrap_or_else(|| DEFAULT_REGION_NAME.to_string()),
            cercles,
            communes,
            localities,
            rank,
            keys,
            by_id,
            commune_by_pcode,
            localities_by_commune,
        })
    }

    /// The region's name ("Mopti").
    pub fn region_name(&self) -> &str {
        &self.region_name
    }

    /// The cercles of the region, by name.
    pub fn cercles(&self) -> &[Cercle] {
        &self.cercles
    }

    pub fn cercle(&self, pcode: &str) -> Option<&Cercle> {
        self.cercles.iter().find(|c| c.pcode == pcode)
    }

    /// The communes of a cercle, by name (empty for an unknown cercle).
    pub fn communes_of(&self, cercle_pcode: &str) -> Vec<&Commune> {
        let mut list: Vec<&Commune> = self
            .communes
            .iter()
            .filter(|c| c.cercle_pcode == cercle_pcode)
            .collect();
        list.sort_by(|a, b| cmp_names(&a.name, &b.name).then_with(|| a.pcode.cmp(&b.pcode)));
        list
    }

    pub fn commune(&self, pcode: &str) -> Option<&Commune> {
        self.commune_by_pcode
            .get(pcode)
            .and_then(|&i| self.communes.get(i))
    }

    /// The localities of a commune (any commune pcode of the file, also outside the region), by
    /// name.
    pub fn localities_of(&self, commune_pcode: &str) -> Vec<&Locality> {
        self.localities_by_commune
            .get(commune_pcode)
            .map(|list| {
                list.iter()
                    .filter_map(|&i| self.localities.get(i))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn locality(&self, id: &str) -> Option<&Locality> {
        self.by_id.get(id).and_then(|&i| self.localities.get(i))
    }

    /// All localities, in file order.
    pub fn localities(&self) -> &[Locality] {
        &self.localities
    }

    pub fn len(&self) -> usize {
        self.localities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.localities.is_empty()
    }

    /// Searches every name and alternate name for `query`, tolerant of accents, case, the
    /// region's spelling variants and small typos. At most one hit per locality, best first:
    /// by match kind, then inside the region, then by admin seat, population and name.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit<'_>> {
        if limit == 0 || query.len() > MAX_QUERY_BYTES {
            return Vec::new();
        }
        let q = fold(query);
        if q.is_empty() {
            return Vec::new();
        }
        let qb = q.as_bytes();
        let fuzzy_max = match qb.len() {
            0..=3 => None,
            4..=7 => Some(1),
            _ => Some(2),
        };
        // DP row for Levenshtein, reused so the loop does not allocate.
        let mut row: Vec<usize> = Vec::with_capacity(64);
        // (locality, kind, key): keys are grouped by locality, so the best per locality is
        // always the last entry.
        let mut best: Vec<(usize, MatchKind, usize)> = Vec::new();
        for (ki, key) in self.keys.iter().enumerate() {
            let current = match best.last() {
                Some(&(loc, kind, _)) if loc == key.locality => Some(kind),
                _ => None,
            };
            if current == Some(MatchKind::Exact) {
                continue;
            }
            let Some(kind) = match_key(key.folded.as_bytes(), &q, fuzzy_max, &mut row) else {
                continue;
            };
            match best.last_mut() {
                Some(last) if last.0 == key.locality => {
                    if kind < last.1 {
                        *last = (key.locality, kind, ki);
                    }
                }
                _ => best.push((key.locality, kind, ki)),
            }
        }

        best.sort_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| cmp_by_rank_name(&self.rank, &self.localities, a.0, b.0))
        });
        best.truncate(limit);
        best.into_iter()
            .filter_map(|(loc, kind, ki)| {
                let locality = self.localities.get(loc)?;
                let key = self.keys.get(ki)?;
                let matched_name = match key.spelling {
                    0 => locality.name.as_str(),
                    i => locality.alt_names.get(i - 1)?.as_str(),
                };
                Some(Hit {
                    locality,
                    matched_name,
                    kind,
                })
            })
            .collect()
    }

    /// The `n` nearest other localities to locality `id`, with their distance in km, nearest
    /// first. Empty for an unknown id.
    pub fn neighbours(&self, id: &str, n: usize) -> Vec<(&Locality, f64)> {
        let Some((origin_index, origin)) = self
            .by_id
            .get(id)
            .and_then(|&i| Some((i, self.localities.get(i)?)))
        else {
            return Vec::new();
        };
        if n == 0 {
            return Vec::new();
        }
        let mut all: Vec<(usize, f64)> = self
            .localities
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != origin_index)
            .map(|(i, l)| (i, distance_km(origin.lat, origin.lon, l.lat, l.lon)))
            .collect();
        let by_distance =
            |a: &(usize, f64), b: &(usize, f64)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
        // Partial selection first: only the n nearest need a full sort.
        if all.len() > n {
            all.select_nth_unstable_by(n, by_distance);
            all.truncate(n);
        }
        all.sort_by(by_distance);
        all.into_iter()
            .filter_map(|(i, d)| Some((self.localities.get(i)?, d)))
            .collect()
    }

    /// The locality nearest to a point, with its distance in km. `None` when the gazetteer is
    /// empty or the point is not a finite coordinate.
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<(&Locality, f64)> {
        if !lat.is_finite() || !lon.is_finite() {
            return None;
        }
        self.localities
            .iter()
            .map(|l| (l, distance_km(lat, lon, l.lat, l.lon)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Reads every record of a CSV text into `T`, keeping the 1-based line of each.
fn read_rows<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<Vec<(u64, T)>, GazetteerError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error, fallback_line: u64| GazetteerError::Csv {
        file,
        line: e.position().map_or(fallback_line, csv::Position::line),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(|e| csv_error(e, 1))?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(e, 0))?;
        let line = record.position().map_or(0, csv::Position::line);
        let row: T = record
            .deserialize(Some(&headers))
            .map_err(|e| csv_error(e, line))?;
        rows.push((line, row));
    }
    Ok(rows)
}

fn locality_from_row(line: u64, row: &LocalityRow) -> Result<Locality, GazetteerError> {
    let invalid =
        |column: &'static str, value: &str, reason: &'static str| GazetteerError::InvalidField {
            file: LOCALITIES_FILE,
            line,
            column,
            value: value.to_string(),
            reason,
        };
    let id = row.id.trim();
    if id.is_empty() {
        return Err(invalid("id", id, "empty id"));
    }
    let lat = parse_coordinate(&row.lat, 90.0).ok_or_else(|| {
        invalid(
            "lat",
            &row.lat,
            "expected a latitude in degrees between -90 and 90",
        )
    })?;
    let lon = parse_coordinate(&row.lon, 180.0).ok_or_else(|| {
        invalid(
            "lon",
            &row.lon,
            "expected a longitude in degrees between -180 and 180",
        )
    })?;
    let in_region = match row.in_mopti_region.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => true,
        "false" | "0" | "" => false,
        _ => {
            return Err(invalid(
                "in_mopti_region",
                &row.in_mopti_region,
                "expected true or false",
            ));
        }
    };
    let admin_seat = Some(row.admin_seat.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(Locality {
        id: id.to_string(),
        name: row.name.trim().to_string(),
        alt_names: row
            .alt_names
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        lat,
        lon,
        country: row.country.trim().to_string(),
        in_region,
        region: row.region.trim().to_string(),
        cercle: row.cercle.trim().to_string(),
        cercle_pcode: row.cercle_pcode.trim().to_string(),
        commune: row.commune.trim().to_string(),
        commune_pcode: row.commune_pcode.trim().to_string(),
        feature_class: row.feature_class.trim().to_string(),
        admin_seat,
        population: parse_population(LOCALITIES_FILE, line, "population", &row.population)?,
    })
}

fn parse_coordinate(text: &str, max_abs: f64) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= max_abs)
}

fn parse_population(
    file: &'static str,
    line: u64,
    column: &'static str,
    text: &str,
) -> Result<Option<u32>, GazetteerError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>()
        .map(Some)
        .map_err(|_| GazetteerError::InvalidField {
            file,
            line,
            column,
            value: text.to_string(),
            reason: "expected a whole number",
        })
}

/// The folded spellings of every locality, grouped by locality (the search relies on that), a
/// spelling that folds like an earlier one left out.
fn build_keys(localities: &[Locality]) -> Vec<SearchKey> {
    let mut keys = Vec::new();
    for (i, l) in localities.iter().enumerate() {
        let first = keys.len();
        let spellings = std::iter::once(&l.name).chain(l.alt_names.iter());
        for (spelling, text) in spellings.enumerate() {
            let folded = fold(text);
            let seen = keys
                .get(first..)
                .is_some_and(|ks: &[SearchKey]| ks.iter().any(|k| k.folded == folded));
            if !folded.is_empty() && !seen {
                keys.push(SearchKey {
                    folded,
                    locality: i,
                    spelling,
                });
            }
        }
    }
    keys
}

/// Classifies how the folded query `q` matches the folded key `key`, if at all.
fn match_key(
    key: &[u8],
    q: &str,
    fuzzy_max: Option<usize>,
    row: &mut Vec<usize>,
) -> Option<MatchKind> {
    let qb = q.as_bytes();
    if key == qb {
        return Some(MatchKind::Exact);
    }
    if key.len() > qb.len() {
        // Keys are ASCII (folded), so byte offsets are char boundaries.
        let key_str = std::str::from_utf8(key).ok()?;
        let mut contains = false;
        for (pos, _) in key_str.match_indices(q) {
            let at_word_start = pos == 0 || key.get(pos - 1) == Some(&b' ');
            if at_word_start {
                return Some(MatchKind::Prefix);
            }
            contains = true;
        }
        if contains && qb.len() >= 3 {
            return Some(MatchKind::Contains);
        }
    }
    let max = fuzzy_max?;
    if within_distance(key, qb, max, row) {
        return Some(MatchKind::Fuzzy);
    }
    if key.contains(&b' ') {
        for word in key.split(|&b| b == b' ') {
            if within_distance(word, qb, max, row) {
                return Some(MatchKind::Fuzzy);
            }
        }
    }
    None
}

/// Whether the Levenshtein distance between `a` and `b` is at most `max`. Stops as soon as a
/// whole DP row exceeds `max`.
fn within_distance(a: &[u8], b: &[u8], max: usize, row: &mut Vec<usize>) -> bool {
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    row.clear();
    row.extend(0..=b.len());
    for (i, &ca) in a.iter().enumerate() {
        // `diag` is the previous row's value one column left; `left` the current row's.
        let mut diag = i;
        let mut left = i + 1;
        let mut row_min = left;
        for (cell, &cb) in row.iter_mut().skip(1).zip(b) {
            let up = *cell;
            let value = (diag + usize::from(ca != cb)).min(up + 1).min(left + 1);
            diag = up;
            *cell = value;
            left = value;
            row_min = row_min.min(value);
        }
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        if row_min > max {
            return false;
        }
    }
    row.last().is_some_and(|&d| d <= max)
}

/// Ranking after the match kind: inside the region first, then admin seat, population (larger
/// first), name, id.
fn cmp_by_rank_name(rank: &[RankInfo], localities: &[Locality], a: usize, b: usize) -> Ordering {
    let (Some(la), Some(lb), Some(ra), Some(rb)) = (
        localities.get(a),
        localities.get(b),
        rank.get(a),
        rank.get(b),
    ) else {
        return a.cmp(&b);
    };
    lb.in_region
        .cmp(&la.in_region)
        .then(ra.seat.cmp(&rb.seat))
        .then(lb.population.cmp(&la.population))
        .then_with(|| ra.sort_name.cmp(&rb.sort_name))
        .then_with(|| la.id.cmp(&lb.id))
}

/// Display order inside a list: name (accents and case ignored), then id.
fn cmp_by_name(rank: &[RankInfo], localities: &[Locality], a: usize, b: usize) -> Ordering {
    let name = |i: usize| rank.get(i).map(|r| r.sort_name.as_str());
    let id = |i: usize| localities.get(i).map(|l| l.id.as_str());
    name(a).cmp(&name(b)).then_with(|| id(a).cmp(&id(b)))
}

fn seat_rank(seat: Option<&str>) -> u8 {
    match seat {
        Some("region_capital") => 0,
        Some("cercle_capital") => 1,
        Some("commune_capital") => 2,
        _ => 3,
    }
}

/// Order names as a French reader expects: accents and case ignored, then the exact text.
fn cmp_names(a: &str, b: &str) -> Ordering {
    sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b))
}

fn sort_key(name: &str) -> String {
    deunicode::deunicode(name).to_ascii_lowercase()
}

/// The search key of a text: what a name and a query are both reduced to before comparing.
///
/// Transliterates to ASCII (é, ɛ, ɔ, ŋ…), lowercases, turns every run of other characters into
/// one space (apostrophes are dropped instead, so "N'Goussa" = "NGoussa") and trims. Then, per
/// word, it merges the spelling variants of the region's names: `tch`→`ch`, `dj`→`j`, `ou`→`u`,
/// `w`→`u`, `y`→`i`, `kh`→`k`, `ph`→`f`, `gu`+e/i→`g`, `qu`→`k`, `c`+a/o/u→`k`, a vowel after
/// `u` dropped (French `ou`+vowel is the glide /w/: Ouonkoro = Ouenkoro = Wonkoro → `unkoro`),
/// doubled letters collapsed, and a final `e` dropped in words longer than 2 letters. The rules
/// are applied until nothing changes, so `fold(fold(x)) == fold(x)`.
pub fn fold(s: &str) -> String {
    let ascii = deunicode::deunicode(s);
    let mut basic = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_space && !basic.is_empty() {
                basic.push(' ');
            }
            pending_space = false;
            basic.push(ch.to_ascii_lowercase());
        } else if ch != '\'' && ch != '`' {
            pending_space = true;
        }
    }
    let mut out = String::with_capacity(basic.len());
    for word in basic.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        let mut current: Vec<u8> = word.as_bytes().to_vec();
        for _ in 0..MAX_FOLD_PASSES {
            let next = spelling_pass(&current);
            if next == current {
                break;
            }
            current = next;
        }
        out.extend(current.iter().map(|&b| char::from(b)));
    }
    out
}

/// One left-to-right pass of the spelling rules over a lowercase ASCII alphanumeric word.
fn spelling_pass(word: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(word.len());
    let mut i = 0;
    while let Some(&c) = word.get(i) {
        let next = word.get(i + 1).copied();
        let after = word.get(i + 2).copied();
        let (emit, consumed): (&[u8], usize) = match (c, next, after) {
            (b't', Some(b'c'), Some(b'h')) => (b"ch", 3),
            (b'd', Some(b'j'), _) => (b"j", 2),
            (b'k', Some(b'h'), _) => (b"k", 2),
            (b'p', Some(b'h'), _) => (b"f", 2),
            (b'q', Some(b'u'), _) => (b"k", 2),
            (b'g', Some(b'u'), Some(b'e' | b'i')) => (b"g", 2),
            // `w` counts as `u` here since it becomes one.
            (b'c', Some(b'a' | b'o' | b'u' | b'w'), _) => (b"k", 1),
            (b'o', Some(b'u'), _) => (b"u", 2),
            (b'w', _, _) => (b"u", 1),
            (b'y', _, _) => (b"i", 1),
            _ => (std::slice::from_ref(&c), 1),
        };
        for &b in emit {
            push_letter(&mut out, b);
        }
        i += consumed;
    }
    if out.len() > 2 && out.last() == Some(&b'e') {
        out.pop();
    }
    out
}

/// Appends a letter, collapsing doubled letters and dropping a vowel right after `u`.
fn push_letter(out: &mut Vec<u8>, b: u8) {
    let last = out.last().copied();
    if b.is_ascii_alphabetic() && last == Some(b) {
        return;
    }
    if last == Some(b'u') && matches!(b, b'a' | b'e' | b'i' | b'o') {
        return;
    }
    out.push(b);
}

/// Great-circle (haversine) distance in km between two WGS84 points given in degrees.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let half_dlat = (p2 - p1) / 2.0;
    let half_dlon = (lon2 - lon1).to_radians() / 2.0;
    let a = half_dlat.sin().powi(2) + p1.cos() * p2.cos() * half_dlon.sin().powi(2);
    // Rounding can push `a` a hair above 1 for antipodes; asin would then give NaN.
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests;
