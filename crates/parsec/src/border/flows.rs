//! Flow statistics of the border posts, read from the daily counts (`flow_people`,
//! `flow_vehicles`, `flow_goods`): no personal data, and they outlive the crossings'
//! retention period. Per post and per day, week or month; by nationality, mode, vehicle kind
//! and goods category.

use serde::Serialize;
use sqlx::FromRow;

use crate::accounts::Scope;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};

/// Adds a crossing, a vehicle or a goods declaration just saved (`table`, `id`) to its day's
/// counts. Each node counts the records it holds, those of its agents and those received from
/// the posts alike: counts are derived on every node, never sent (docs/sync.md).
pub async fn count(tx: &mut Tx, table: &str, id: &str) -> AppResult<()> {
    let sql = match table {
        "crossings" => {
            "INSERT INTO flow_people (day, unit_id, direction, nationality, mode, people)
             SELECT substr(crossed_at, 1, 10), unit_id, direction, COALESCE(nationality, ''),
                    mode, 1 FROM crossings WHERE id = ?
             ON CONFLICT (day, unit_id, direction, nationality, mode)
             DO UPDATE SET people = people + 1"
        }
        "crossing_vehicles" => {
            "INSERT INTO flow_vehicles (day, unit_id, direction, kind, vehicles)
             SELECT substr(crossed_at, 1, 10), unit_id, direction, kind, 1
             FROM crossing_vehicles WHERE id = ?
             ON CONFLICT (day, unit_id, direction, kind) DO UPDATE SET vehicles = vehicles + 1"
        }
        "goods_declarations" => {
            "INSERT INTO flow_goods (day, unit_id, direction, category, quantity_unit, quantity,
             value_fcfa, declarations)
             SELECT substr(crossed_at, 1, 10), unit_id, direction, category, quantity_unit,
                    quantity, COALESCE(value_fcfa, 0), 1 FROM goods_declarations WHERE id = ?
             ON CONFLICT (day, unit_id, direction, category, quantity_unit) DO UPDATE SET
             quantity = quantity + excluded.quantity, value_fcfa = value_fcfa + excluded.value_fcfa,
             declarations = declarations + 1"
        }
        _ => return Ok(()),
    };
    sqlx::query(sql).bind(id).execute(&mut **tx).await?;
    if table == "crossings" {
        // A correction takes the place of the crossing it corrects in the counts.
        sqlx::query(
            "UPDATE flow_people SET people = people - 1
             WHERE (day, unit_id, direction, nationality, mode) =
                   (SELECT substr(o.crossed_at, 1, 10), o.unit_id, o.direction,
                           COALESCE(o.nationality, ''), o.mode
                    FROM crossings n JOIN crossings o ON o.id = n.corrects WHERE n.id = ?)",
        )
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// How the days are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "" | "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The SQL expression of a day's period (a week by its Monday, a month `2026-11`).
    fn sql(self) -> &'static str {
        match self {
            Period::Day => "f.day",
            // The Monday that starts the week (weeks that span New Year stay whole).
            Period::Week => {
                "date(f.day, '-' || ((CAST(strftime('%w', f.day) AS INTEGER) + 6) % 7) || ' days')"
            }
            Period::Month => "substr(f.day, 1, 7)",
        }
    }
}

/// What the statistics are asked for: a range of days, a grouping, a post or all in scope.
#[derive(Debug, Clone)]
pub struct FlowQuery {
    pub from: String,
    pub to: String,
    pub period: Period,
    pub post: Option<String>,
}

impl FlowQuery {
    /// `from` and `to` as `YYYY-MM-DD` (default: the last 30 days up to `today`).
    pub fn parse(
        from: &str,
        to: &str,
        period: &str,
        post: &str,
        today: time::Date,
    ) -> AppResult<FlowQuery> {
        let day = |s: &str, field: &'static str, default: time::Date| -> AppResult<String> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(default.to_string());
            }
            let ok = s.len() == 10 && namematch::BirthDate::parse(s).is_some();
            ok.then(|| s.to_string())
                .ok_or(AppError::invalid(field, "error-bad-date"))
        };
        let to = day(to, "to", today)?;
        let from = day(from, "from", today - time::Duration::days(29))?;
        if from > to {
            return Err(AppError::invalid("from", "error-date-order"));
        }
        Ok(FlowQuery {
            from,
            to,
            period: Period::parse(period).ok_or(AppError::invalid("period", "error-bad-choice"))?,
            post: Some(post.trim().to_string()).filter(|p| !p.is_empty()),
        })
    }
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct PeopleRow {
    pub period: String,
    pub unit_id: String,
    pub post: String,
    pub direction: String,
    pub nationality: String,
    pub mode: String,
    pub people: i64,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct VehicleRow {
    pub period: String,
    pub unit_id: String,
    pub post: String,
    pub direction: String,
    pub kind: String,
    pub vehicles: i64,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct GoodsRow {
    pub period: String,
    pub unit_id: String,
    pub post: String,
    pub direction: String,
    pub category: String,
    pub quantity_unit: String,
    pub quantity: f64,
    pub value_fcfa: i64,
    pub declarations: i64,
}

/// Every count of a query, grouped by period and post.
#[derive(Debug, Clone, Serialize)]
pub struct Flows {
    pub from: String,
    pub to: String,
    pub period: &'static str,
    pub people: Vec<PeopleRow>,
    pub vehicles: Vec<VehicleRow>,
    pub goods: Vec<GoodsRow>,
}

/// The WHERE clause shared by the three tables (`?1` from, `?2` to, `?3` post, `?4` scope).
const FILTER: &str = "f.day >= ?1 AND f.day <= ?2 AND (?3 IS NULL OR f.unit_id = ?3)
    AND (?4 IS NULL OR f.unit_id IN (SELECT value FROM json_each(?4)))";

/// Runs one of the statistics' queries with the filter's four values.
async fn fetch<T>(db: &Db, sql: String, q: &FlowQuery, scope: &Option<String>) -> AppResult<Vec<T>>
where
    T: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&q.from)
        .bind(&q.to)
        .bind(&q.post)
        .bind(scope)
        .fetch_all(db)
        .await?)
}

/// The statistics' queries for a grouping: what the API gives (`flows`) and what the page
/// sums (`summary`). Each reads a range of its table's primary key (the day first), never the
/// crossings (also what tests/it/scale.rs runs through `EXPLAIN QUERY PLAN`).
pub fn queries(period: Period) -> Vec<String> {
    let mut all = api_queries(period).to_vec();
    all.extend(page_queries());
    all
}

/// People, vehicles and goods by period, post and every kind.
fn api_queries(period: Period) -> [String; 3] {
    let period = period.sql();
    [
        format!(
            "SELECT {period} AS period, f.unit_id, u.name AS post, f.direction, f.nationality, f.mode,
                    SUM(f.people) AS people
             FROM flow_people f JOIN units u ON u.id = f.unit_id WHERE {FILTER}
             GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 3, 4, 5, 6"
        ),
        format!(
            "SELECT {period} AS period, f.unit_id, u.name AS post, f.direction, f.kind,
                    SUM(f.vehicles) AS vehicles
             FROM flow_vehicles f JOIN units u ON u.id = f.unit_id WHERE {FILTER}
             GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 3, 4, 5"
        ),
        format!(
            "SELECT {period} AS period, f.unit_id, u.name AS post, f.direction, f.category,
                    f.quantity_unit, SUM(f.quantity) AS quantity, SUM(f.value_fcfa) AS value_fcfa,
                    SUM(f.declarations) AS declarations
             FROM flow_goods f JOIN units u ON u.id = f.unit_id WHERE {FILTER}
             GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 3, 4, 5, 6"
        ),
    ]
}

/// What the page sums: people per day, post and direction (in the primary key's order, so
/// SQLite sums as it reads, without sorting; a year is a few thousand rows, grouped by week or
/// month here); people per nationality, mode and direction; vehicles per kind and direction;
/// goods per category, unit and direction.
fn page_queries() -> [String; 4] {
    [
        format!(
            "SELECT g.day, u.name, g.direction, g.people FROM (
                 SELECT f.day, f.unit_id, f.direction, SUM(f.people) AS people
                 FROM flow_people f WHERE {FILTER} GROUP BY 1, 2, 3) g
             JOIN units u ON u.id = g.unit_id ORDER BY 1, 2, 3"
        ),
        format!(
            "SELECT f.nationality, f.mode, f.direction, SUM(f.people)
             FROM flow_people f WHERE {FILTER} GROUP BY 1, 2, 3"
        ),
        format!(
            "SELECT f.kind, f.direction, SUM(f.vehicles)
             FROM flow_vehicles f WHERE {FILTER} GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        format!(
            "SELECT f.category, f.quantity_unit, f.direction, SUM(f.quantity), SUM(f.value_fcfa)
             FROM flow_goods f WHERE {FILTER} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
    ]
}

/// Every count of a query, grouped by period and post, as the API gives it.
pub async fn flows(db: &Db, scope: &Scope, q: &FlowQuery) -> AppResult<Flows> {
    let [people, vehicles, goods] = api_queries(q.period);
    let scope = scope.as_json();
    let people = fetch(db, people, q, &scope).await?;
    let vehicles = fetch(db, vehicles, q, &scope).await?;
    let goods = fetch(db, goods, q, &scope).await?;
    Ok(Flows {
        from: q.from.clone(),
        to: q.to.clone(),
        period: q.period.code(),
        people,
        vehicles,
        goods,
    })
}

/// What the statistics page shows, summed by SQLite from the daily counts, then by period
/// here: a year of a busy region's daily counts is tens of thousands of rows, which the page
/// never needs one by one.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// (period, post, entering, leaving), by period then post.
    pub periods: Vec<(String, String, i64, i64)>,
    /// (post, [(day, people)]), for the chart.
    pub daily: Vec<(String, Vec<(String, i64)>)>,
    /// (nationality, direction, people) and (mode, direction, people) over the range.
    pub nationalities: Vec<(String, String, i64)>,
    pub modes: Vec<(String, String, i64)>,
    /// (kind, direction, vehicles).
    pub vehicles: Vec<(String, String, i64)>,
    /// (category, quantity unit, direction, quantity, value in FCFA).
    pub goods: Vec<(String, String, String, f64, i64)>,
}

/// The period a day (`YYYY-MM-DD`) falls in, as `Period::sql` writes it.
fn period_of(period: Period, day: &str) -> String {
    match period {
        Period::Day => day.to_string(),
        Period::Week => crate::db::day(day).map_or_else(
            || day.to_string(),
            |d| {
                (d - time::Duration::days(i64::from(d.weekday().number_days_from_monday())))
                    .to_string()
            },
        ),
        Period::Month => day.get(..7).unwrap_or(day).to_string(),
    }
}

/// Adds `n` under `key`, keeping the keys in the order they first come.
fn add<K: PartialEq>(into: &mut Vec<(K, i64)>, key: K, n: i64) {
    match into.iter_mut().rev().find(|(k, _)| *k == key) {
        Some((_, total)) => *total += n,
        None => into.push((key, n)),
    }
}

pub async fn summary(db: &Db, scope: &Scope, q: &FlowQuery) -> AppResult<Summary> {
    let [daily, kinds, vehicles, goods] = page_queries();
    let scope = scope.as_json();
    // Four reads on four pooled connections at once: WAL readers do not wait for each other,
    // and the two longest (a year of daily counts, read twice) then take the time of one.
    type Four = (String, String, String, i64);
    let (daily, kinds, vehicles, goods) = tokio::try_join!(
        fetch::<Four>(db, daily, q, &scope),
        fetch::<Four>(db, kinds, q, &scope),
        fetch(db, vehicles, q, &scope),
        fetch(db, goods, q, &scope),
    )?;
    let mut out = Summary {
        vehicles,
        goods,
        ..Summary::default()
    };
    // (period, post) → (entering, leaving); the rows come by day, so a period's rows are
    // together and the search from the end finds its posts at once.
    let mut periods: Vec<((String, String), (i64, i64))> = Vec::new();
    let mut per_post: Vec<(String, Vec<(String, i64)>)> = Vec::new();
    for (day, post, direction, n) in daily {
        let key = (period_of(q.period, &day), post.clone());
        match periods.iter_mut().rev().find(|(k, _)| *k == key) {
            Some((_, (e, _))) if direction == "entree" => *e += n,
            Some((_, (_, s))) => *s += n,
            None if direction == "entree" => periods.push((key, (n, 0))),
            None => periods.push((key, (0, n))),
        }
        match per_post.iter_mut().find(|(p, _)| *p == post) {
            Some((_, days)) => add(days, day, n),
            None => per_post.push((post, vec![(day, n)])),
        }
    }
    periods.sort_by(|a, b| a.0.cmp(&b.0));
    out.periods = periods
        .into_iter()
        .map(|((period, post), (e, s))| (period, post, e, s))
        .collect();
    per_post.sort_by(|a, b| a.0.cmp(&b.0));
    out.daily = per_post;
    let (mut nationalities, mut modes) = (Vec::new(), Vec::new());
    for (nationality, mode, direction, n) in kinds {
        add(&mut nationalities, (nationality, direction.clone()), n);
        add(&mut modes, (mode, direction), n);
    }
    nationalities.sort();
    modes.sort();
    out.nationalities = nationalities
        .into_iter()
        .map(|((a, d), n)| (a, d, n))
        .collect();
    out.modes = modes.into_iter().map(|((a, d), n)| (a, d, n)).collect();
    Ok(out)
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A line chart of people crossing per day, one line per post, drawn as SVG by the server
/// (no script, no library): days from `from` to `to` on the x axis, the legend below the plot.
pub fn chart(series: &[(String, Vec<(String, i64)>)], from: &str, to: &str, title: &str) -> String {
    // Today as the counts key their days: the UTC date of `crossed_at` (see `count`).
    chart_on(series, from, to, title, crate::db::now().date())
}

/// The chart as drawn on `today`, whose count is partial (the day is not over).
fn chart_on(
    series: &[(String, Vec<(String, i64)>)],
    from: &str,
    to: &str,
    title: &str,
    today: time::Date,
) -> String {
    const W: f64 = 760.0;
    // The plot and its axes' labels; the legend's rows come below.
    const H: f64 = 240.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 28.0;
    const TOP: f64 = 24.0;
    const ROW: f64 = 18.0;
    const COLOURS: [&str; 6] = [
        "#0b5d4b", "#a33a1d", "#1f5fa8", "#8a5a00", "#6b3fa0", "#2f7f2f",
    ];
    let parse = crate::db::day;
    let (Some(start), Some(end)) = (parse(from), parse(to)) else {
        return String::new();
    };
    let days = (end - start).whole_days().max(1) as f64;
    let max = series
        .iter()
        .flat_map(|(_, d)| d.iter().map(|(_, n)| *n))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |d: time::Date| LEFT + (W - LEFT - 8.0) * ((d - start).whole_days() as f64) / days;
    let y = |n: i64| TOP + (H - TOP - BOTTOM) * (1.0 - n as f64 / max);
    // The legend's entries, laid out in rows under the plot: a swatch and the post's name,
    // its width guessed from the name (12px text, about 7px a character).
    let mut legend: Vec<(f64, f64)> = Vec::new();
    let (mut lx, mut ly) = (LEFT, H + 6.0);
    for (post, _) in series {
        let width = 20.0 + 7.0 * post.chars().count() as f64 + 16.0;
        if lx > LEFT && lx + width > W {
            (lx, ly) = (LEFT, ly + ROW);
        }
        legend.push((lx, ly));
        lx += width;
    }
    let height = if series.is_empty() { H } else { ly + ROW + 4.0 };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {height}\" class=\"chart\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{W}\" y2=\"{b}\" stroke=\"#999\"/><line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#999\"/>",
        b = H - BOTTOM
    ));
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">0</text>",
        LEFT - 4.0,
        TOP + 4.0,
        max as i64,
        LEFT - 4.0,
        H - BOTTOM
    ));
    svg.push_str(&format!(
        "<text x=\"{LEFT}\" y=\"{}\" font-size=\"11\">{}</text><text x=\"{W}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
        H - 8.0,
        esc(from),
        H - 8.0,
        esc(to)
    ));
    let point = |d: time::Date, n: i64| format!("{:.1},{:.1}", x(d), y(n));
    for (i, (_, points)) in series.iter().enumerate() {
        let colour = COLOURS.get(i % COLOURS.len()).copied().unwrap_or("#000");
        let by_day: std::collections::HashMap<time::Date, i64> = points
            .iter()
            .filter_map(|(d, n)| Some((parse(d)?, *n)))
            .filter(|(d, _)| (start..=end).contains(d))
            .collect();
        let (Some(first), Some(last)) = (by_day.keys().min(), by_day.keys().max()) else {
            continue;
        };
        // A line runs from its post's first recorded day to its last: a day between them
        // without a count is a true zero, but before the first or after the last nothing is
        // known yet (not counted, not synced), and today's count is partial (dashed, apart).
        let partial = (*last == today).then(|| by_day.get(&today).copied().unwrap_or(0));
        let solid_end = if partial.is_some() {
            today.previous_day()
        } else {
            Some(*last)
        };
        let mut path: Vec<String> = Vec::new();
        let mut day = *first;
        while solid_end.is_some_and(|e| day <= e) {
            path.push(point(day, by_day.get(&day).copied().unwrap_or(0)));
            match day.next_day() {
                Some(next) => day = next,
                None => break,
            }
        }
        if !path.is_empty() {
            svg.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
                path.join(" ")
            ));
        }
        // A lone day is no line: a dot shows it.
        if let [only] = path.as_slice() {
            let (cx, cy) = only.split_once(',').unwrap_or(("0", "0"));
            svg.push_str(&format!(
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"2.5\" fill=\"{colour}\"/>"
            ));
        }
        // Today's partial count: a dashed piece from the line's last day, and an open dot.
        if let Some(n) = partial {
            let here = point(today, n);
            let from = path.last().map_or(String::new(), |p| format!("{p} "));
            svg.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"4 3\" points=\"{from}{here}\"/>"
            ));
            let (cx, cy) = here.split_once(',').unwrap_or(("0", "0"));
            svg.push_str(&format!(
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"2.5\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"1.5\"/>"
            ));
        }
    }
    svg.push_str("<g class=\"legend\">");
    for (i, ((post, _), (lx, ly))) in series.iter().zip(&legend).enumerate() {
        let colour = COLOURS.get(i % COLOURS.len()).copied().unwrap_or("#000");
        svg.push_str(&format!(
            "<rect x=\"{lx}\" y=\"{}\" width=\"14\" height=\"3\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"{colour}\">{}</text>",
            ly + 6.5,
            lx + 20.0,
            ly + 12.0,
            esc(post)
        ));
    }
    svg.push_str("</g></svg>");
    svg
}
