//! The programme's indicators, computed from the live operational data each time they are asked
//! for and never typed in: incidents per month, response times, the population within 2 h of a
//! unit, crossings per post, screening alerts reviewed within 24 h, patrols done and the fleet's
//! availability. A donor's figure is then the registers' own figure, and cannot drift from them.
//!
//! Each is an aggregate over the whole region — a count, a share or a median — broken down by
//! cercle, post or force at the finest: no person's record is read (of a hit or a response,
//! only its times and its status, never a name).
//!
//! The period is the days `from` to `to`, both included, cut at today (the application's
//! clock): what has not happened yet counts neither for nor against. Each series has one value
//! per calendar quarter of the period (`2026-T3`), the first and last quarters cut to the
//! period; a quarter that has not begun yet has `None`.

use std::collections::BTreeMap;

use maintenance::availability::Availability;
use time::{Date, Month, OffsetDateTime};

use crate::accounts::Scope;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::fleet::availability::By;
use crate::incidents::coverage;
// The sitrep's median: the middle value, or the mean of the two middle ones.
use crate::incidents::sitrep::median_of as median;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A number of things (per month where the code says so).
    Count,
    /// A share, in percent (0 to 100): the value, the series and the breakdown alike.
    Percent,
    /// A duration in minutes.
    Minutes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// One of `CODES`.
    pub code: &'static str,
    pub unit: Unit,
    /// Over the whole period; `None` when there is nothing to measure (no response arrived, no
    /// alert old enough, a period not begun), which is not the same as zero.
    pub value: Option<f64>,
    /// Per quarter (or month) of the period, oldest first: (label like "2026-T3", value).
    pub series: Vec<(String, Option<f64>)>,
    /// Per cercle, post or force, in the order of their names; a group with nothing to measure
    /// is left out.
    pub breakdown: Vec<(String, f64)>,
}

/// The indicators' codes, in the order `compute` gives them.
pub const CODES: &[&str] = &[
    "incidents_per_month",
    "response_minutes",
    "population_within_2h",
    "crossings_per_post",
    "alerts_reviewed_24h",
    "patrols_done",
    "availability",
];

/// Every indicator over the days `from` to `to` (both included), in the order of `CODES`.
///
/// The caller bounds the period (the pages keep to a few years): the availability is computed
/// once per quarter.
pub async fn compute(state: &AppState, from: Date, to: Date) -> AppResult<Vec<Indicator>> {
    if to < from {
        return Err(AppError::invalid("to", "error-date-order"));
    }
    let p = Period::new(from, to, state.clock.now());
    // The reads are independent: at once, each on its connection, the coverage layer on the
    // blocking pool meanwhile.
    let (incidents, responses, population, crossings, alerts, patrols, fleet) = tokio::try_join!(
        incidents_per_month(state, &p),
        response_minutes(state, &p),
        population_within_2h(state),
        crossings_per_post(state, &p),
        alerts_reviewed_24h(state, &p),
        patrols_done(state, &p),
        availability(state, &p),
    )?;
    Ok(vec![
        incidents, responses, population, crossings, alerts, patrols, fleet,
    ])
}

/// Incidents per month: the incidents that occurred in the period (`incidents.occurred_at`)
/// divided by the months it spans up to today, a partial month counting for its share of days
/// (1 to 15 January is 15/31 of a month): a period that ends today is not diluted by the days
/// still to come, and a quarter's figure compares with a year's. Per cercle ("—" where it is not
/// known), also per month; per quarter.
async fn incidents_per_month(state: &AppState, p: &Period) -> AppResult<Indicator> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT CASE cercle WHEN '' THEN '—' ELSE cercle END, substr(occurred_at, 1, 10),
                COUNT(*)
         FROM incidents WHERE occurred_at >= ?1 AND occurred_at < date(?2, '+1 day')
         GROUP BY 1, 2",
    )
    .bind(p.from.to_string())
    .bind(p.last.to_string())
    .fetch_all(&state.db)
    .await?;
    let mut by_cercle: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_quarter = vec![0.0; p.quarters.len()];
    for (cercle, day, n) in &rows {
        let n = *n as f64;
        *by_cercle.entry(cercle.clone()).or_default() += n;
        p.add_to_quarter(&mut by_quarter, day, n);
    }
    let span = months(p.from, p.last);
    let per_month = |n: f64, span: f64| (span > 0.0).then(|| n / span);
    Ok(Indicator {
        code: "incidents_per_month",
        unit: Unit::Count,
        value: per_month(by_cercle.values().sum(), span),
        series: p.series(|i, (from, to)| per_month(*by_quarter.get(i)?, months(from, to))),
        breakdown: by_cercle
            .into_iter()
            .filter_map(|(cercle, n)| Some((cercle, per_month(n, span)?)))
            .collect(),
    })
}

/// Response time: the median minutes from dispatch (`responses.dispatched_at`) to arrival on
/// site (`on_site_at`) of the responses dispatched in the period that arrived. Those still on
/// their way are not counted, nor an arrival before its dispatch (a mistake in the record). The
/// median, not the mean: one boat that took a day must not hide a hundred that took an hour.
/// Per cercle of the incident; per quarter.
async fn response_minutes(state: &AppState, p: &Period) -> AppResult<Indicator> {
    let rows: Vec<(String, String, Option<f64>)> = sqlx::query_as(
        "SELECT CASE i.cercle WHEN '' THEN '—' ELSE i.cercle END, substr(r.dispatched_at, 1, 10),
                (unixepoch(r.on_site_at) - unixepoch(r.dispatched_at)) / 60.0
         FROM responses r JOIN incidents i ON i.id = r.incident_id
         WHERE r.dispatched_at >= ?1 AND r.dispatched_at < date(?2, '+1 day')
           AND r.on_site_at IS NOT NULL",
    )
    .bind(p.from.to_string())
    .bind(p.last.to_string())
    .fetch_all(&state.db)
    .await?;
    let mut all = Vec::new();
    let mut by_cercle: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut by_quarter: Vec<Vec<f64>> = vec![Vec::new(); p.quarters.len()];
    for (cercle, day, minutes) in &rows {
        let Some(minutes) = minutes.filter(|m| *m >= 0.0) else {
            continue;
        };
        all.push(minutes);
        by_cercle.entry(cercle.clone()).or_default().push(minutes);
        if let Some(q) = p.quarter_of(day).and_then(|i| by_quarter.get_mut(i)) {
            q.push(minutes);
        }
    }
    Ok(Indicator {
        code: "response_minutes",
        unit: Unit::Minutes,
        value: median(all),
        series: p.series(|i, _| median(by_quarter.get(i)?.clone())),
        breakdown: by_cercle
            .into_iter()
            .filter_map(|(cercle, m)| Some((cercle, median(m)?)))
            .collect(),
    })
}

/// Population within 2 h: the share of the region's population living in the localities a unit
/// can reach by road or track within 2 h — the map's coverage layer (`incidents::coverage`),
/// from every unit placed on the map, as the map draws it. The whole is the same layer with no
/// unit at all (every locality beyond reach), so that both sides share the census figures alike.
/// It is the units' places now: where they stood in earlier quarters is not recorded, hence no
/// series.
async fn population_within_2h(state: &AppState) -> AppResult<Indicator> {
    // The map's units, in the map's order: the same layer, found in the cache when the map has
    // drawn it.
    let units: Vec<(f64, f64)> = sqlx::query_as(
        "SELECT lat, lon FROM units WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY rowid",
    )
    .fetch_all(&state.db)
    .await?;
    let beyond = coverage::layer(state, &units, 2.0).await?;
    let everyone = coverage::layer(state, &[], 2.0).await?;
    let population = |c: &coverage::Coverage| c.population_known + c.population_estimated;
    let whole = population(&everyone);
    let value = (whole > 0.0).then(|| percent((1.0 - population(&beyond) / whole).clamp(0.0, 1.0)));
    Ok(Indicator {
        code: "population_within_2h",
        unit: Unit::Percent,
        value,
        series: Vec::new(),
        breakdown: Vec::new(),
    })
}

/// Crossings per post: the people registered crossing at the border posts in the period, from
/// the daily counts (`flow_people`: no personal data, and they outlive the crossings' retention
/// period). The value is the region's total; per post; a total per quarter.
async fn crossings_per_post(state: &AppState, p: &Period) -> AppResult<Indicator> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT u.name, f.day, SUM(f.people)
         FROM flow_people f JOIN units u ON u.id = f.unit_id
         WHERE f.day >= ?1 AND f.day <= ?2 GROUP BY f.unit_id, f.day",
    )
    .bind(p.from.to_string())
    .bind(p.last.to_string())
    .fetch_all(&state.db)
    .await?;
    let mut by_post: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_quarter = vec![0.0; p.quarters.len()];
    for (post, day, people) in &rows {
        let people = *people as f64;
        *by_post.entry(post.clone()).or_default() += people;
        p.add_to_quarter(&mut by_quarter, day, people);
    }
    Ok(Indicator {
        code: "crossings_per_post",
        unit: Unit::Count,
        value: p.begun().then(|| by_post.values().sum()),
        series: p.series(|i, _| by_quarter.get(i).copied()),
        breakdown: by_post.into_iter().collect(),
    })
}

/// Alerts reviewed within 24 h: of the screening hits that raised an alert
/// (`screening_hits.decision = 'alerte'`) in the period, the share a reviewer confirmed or
/// dismissed (`confirme`, `ecarte`, with `reviewed_at`) at most 24 h after the hit. An alert
/// less than 24 h old is not counted yet: whether it will be reviewed in time is not known.
/// Per post of the hit; per quarter.
async fn alerts_reviewed_24h(state: &AppState, p: &Period) -> AppResult<Indicator> {
    // (post, day, alerts, reviewed in time); TOTAL counts as a real number.
    let rows: Vec<(String, String, i64, f64)> = sqlx::query_as(
        "SELECT COALESCE(u.name, '—'), substr(h.created_at, 1, 10), COUNT(*),
                TOTAL(h.status IN ('confirme', 'ecarte') AND h.reviewed_at IS NOT NULL
                      AND unixepoch(h.reviewed_at) - unixepoch(h.created_at) <= 86400)
         FROM screening_hits h LEFT JOIN units u ON u.id = h.unit_id
         WHERE h.decision = 'alerte' AND h.created_at >= ?1
           AND h.created_at < date(?2, '+1 day') AND unixepoch(h.created_at) <= ?3
         GROUP BY 1, 2",
    )
    .bind(p.from.to_string())
    .bind(p.last.to_string())
    .bind(p.now.unix_timestamp() - 86_400)
    .fetch_all(&state.db)
    .await?;
    let rows = rows
        .into_iter()
        .map(|(post, day, alerts, in_time)| (post, day, (in_time, alerts as f64)));
    Ok(shares("alerts_reviewed_24h", p, rows))
}

/// Patrols done: of the patrols planned to start in the period (`patrols.starts_on`), the share
/// reported done (`effectuee`). Counted are those reported done or not done, and those still
/// `prevue` whose last day is past (due to report: as far as the records know, not done); a
/// patrol under way or still to come is not counted yet. Per unit; per quarter.
async fn patrols_done(state: &AppState, p: &Period) -> AppResult<Indicator> {
    // (unit, first day, done, counted); TOTAL counts as a real number.
    let rows: Vec<(String, String, f64, f64)> = sqlx::query_as(
        "SELECT u.name, p.starts_on, TOTAL(p.status = 'effectuee'),
                TOTAL(p.status <> 'prevue' OR p.ends_on < ?3)
         FROM patrols p JOIN units u ON u.id = p.unit_id
         WHERE p.starts_on >= ?1 AND p.starts_on <= ?2 GROUP BY 1, 2",
    )
    .bind(p.from.to_string())
    .bind(p.last.to_string())
    .bind(p.today.to_string())
    .fetch_all(&state.db)
    .await?;
    let rows = rows
        .into_iter()
        .map(|(unit, day, done, counted)| (unit, day, (done, counted)));
    Ok(shares("patrols_done", p, rows))
}

/// Availability: the share of the fleet's service time its assets were available — not held by
/// a blocking work order — from the workshop's records (`fleet::availability`, which counts each
/// asset from its entry into service up to now and leaves out those retired for good). Summed
/// over the assets, so weighted by their service time; per force (its code); per quarter.
async fn availability(state: &AppState, p: &Period) -> AppResult<Indicator> {
    // The preventive compliance the report would add is not this indicator: no tasks given,
    // so they are not computed once a quarter for nothing.
    let no_tasks: &[crate::fleet::plans::DueTask] = &[];
    let mut by_force: BTreeMap<String, Availability> = BTreeMap::new();
    let mut series = Vec::new();
    for q in &p.quarters {
        let Some((from, to)) = p.elapsed(q) else {
            series.push((q.label.clone(), None));
            continue;
        };
        let days = (to - from).whole_days() + 1;
        let report = crate::fleet::availability::report_with(
            state,
            &Scope::All,
            from,
            to,
            By::Force,
            days,
            Some(no_tasks),
        )
        .await?;
        // Disjoint quarters: each asset's service time and downtime add up to the period's.
        let mut quarter = Availability::default();
        for g in &report.groups {
            quarter.add(&g.availability);
            by_force
                .entry(g.key.clone())
                .or_default()
                .add(&g.availability);
        }
        series.push((q.label.clone(), quarter.rate().map(percent)));
    }
    let mut all = Availability::default();
    for a in by_force.values() {
        all.add(a);
    }
    Ok(Indicator {
        code: "availability",
        unit: Unit::Percent,
        value: all.rate().map(percent),
        series,
        breakdown: by_force
            .into_iter()
            .filter_map(|(force, a)| Some((force, percent(a.rate()?))))
            .collect(),
    })
}

/// A share in percent from rows of (group, day, (yes, of)): overall, per group and per quarter;
/// `None` where there is nothing to count.
fn shares(
    code: &'static str,
    p: &Period,
    rows: impl Iterator<Item = (String, String, (f64, f64))>,
) -> Indicator {
    let share = |(yes, of): (f64, f64)| (of > 0.0).then(|| percent(yes / of));
    let add = |sum: &mut (f64, f64), (yes, of): (f64, f64)| {
        sum.0 += yes;
        sum.1 += of;
    };
    let mut all = (0.0, 0.0);
    let mut by_group: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut by_quarter = vec![(0.0, 0.0); p.quarters.len()];
    for (group, day, counts) in rows {
        add(&mut all, counts);
        add(by_group.entry(group).or_default(), counts);
        if let Some(q) = p.quarter_of(&day).and_then(|i| by_quarter.get_mut(i)) {
            add(q, counts);
        }
    }
    Indicator {
        code,
        unit: Unit::Percent,
        value: share(all),
        series: p.series(|i, _| share(*by_quarter.get(i)?)),
        breakdown: by_group
            .into_iter()
            .filter_map(|(group, counts)| Some((group, share(counts)?)))
            .collect(),
    }
}

/// The period asked, cut at today, and its quarters.
struct Period {
    from: Date,
    /// The last day counted: the period's last, or today when it ends later (before `from`
    /// when the period has not begun: then nothing is counted).
    last: Date,
    today: Date,
    now: OffsetDateTime,
    quarters: Vec<Quarter>,
}

/// A calendar quarter, cut to the period.
struct Quarter {
    label: String,
    from: Date,
    to: Date,
}

impl Period {
    fn new(from: Date, to: Date, now: OffsetDateTime) -> Period {
        let today = now.date();
        Period {
            from,
            last: to.min(today),
            today,
            now,
            quarters: quarters(from, to),
        }
    }

    fn begun(&self) -> bool {
        self.from <= self.today
    }

    /// The days of a quarter that have come, cut at today; `None` for a quarter not begun.
    fn elapsed(&self, q: &Quarter) -> Option<(Date, Date)> {
        (q.from <= self.today).then(|| (q.from, q.to.min(self.today)))
    }

    /// The quarter of a day (`YYYY-MM-DD`, or the start of a time), by its index.
    fn quarter_of(&self, day: &str) -> Option<usize> {
        let day = crate::db::day(day)?;
        self.quarters
            .iter()
            .position(|q| (q.from..=q.to).contains(&day))
    }

    fn add_to_quarter(&self, sums: &mut [f64], day: &str, n: f64) {
        if let Some(sum) = self.quarter_of(day).and_then(|i| sums.get_mut(i)) {
            *sum += n;
        }
    }

    /// A value per quarter from its index and its elapsed days; `None` for one not begun.
    fn series(
        &self,
        value: impl Fn(usize, (Date, Date)) -> Option<f64>,
    ) -> Vec<(String, Option<f64>)> {
        self.quarters
            .iter()
            .enumerate()
            .map(|(i, q)| (q.label.clone(), self.elapsed(q).and_then(|d| value(i, d))))
            .collect()
    }
}

/// The calendar quarters from `from` to `to` (both included), the first and last cut to them,
/// labelled `2026-T3` (trimestre).
fn quarters(from: Date, to: Date) -> Vec<Quarter> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let year = start.year();
        let number = (u8::from(start.month()) - 1) / 3 + 1;
        let last_month = Month::try_from(number * 3).unwrap_or(Month::December);
        let end = Date::from_calendar_date(year, last_month, last_month.length(year))
            .map_or(to, |e| e.min(to));
        out.push(Quarter {
            label: super::web::quarter_of(start),
            from: start,
            to: end,
        });
        match end.next_day() {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// The months from `from` to `to` (both included), a partial month counting for its share of
/// days: 1 January to 31 March is 3, 1 to 15 January is 15/31. Zero when `to` is before `from`.
fn months(from: Date, to: Date) -> f64 {
    let mut total = 0.0;
    let mut start = from;
    while start <= to {
        let length = start.month().length(start.year());
        let end = start.replace_day(length).map_or(to, |e| e.min(to));
        total += ((end - start).whole_days() + 1) as f64 / f64::from(length);
        match end.next_day() {
            Some(next) => start = next,
            None => break,
        }
    }
    total
}

fn percent(share: f64) -> f64 {
    share * 100.0
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn partial_months_count_for_their_share_of_days() {
        let check = |from: Date, to: Date, expected: f64| {
            let got = months(from, to);
            assert!(
                (got - expected).abs() < 1e-12,
                "{from}..{to}: {got} ≠ {expected}"
            );
        };
        check(date!(2026 - 01 - 01), date!(2026 - 03 - 31), 3.0);
        check(date!(2026 - 01 - 01), date!(2026 - 01 - 15), 15.0 / 31.0);
        check(
            date!(2026 - 01 - 16),
            date!(2026 - 02 - 28),
            16.0 / 31.0 + 1.0,
        );
        check(date!(2024 - 02 - 01), date!(2024 - 02 - 29), 1.0);
        check(
            date!(2025 - 12 - 31),
            date!(2026 - 01 - 01),
            1.0 / 31.0 + 1.0 / 31.0,
        );
        check(date!(2026 - 02 - 01), date!(2026 - 01 - 31), 0.0);
    }

    #[test]
    fn quarters_are_cut_to_the_period() {
        let check = |from: Date, to: Date, expected: &[(&str, Date, Date)]| {
            let got: Vec<(String, Date, Date)> = quarters(from, to)
                .into_iter()
                .map(|q| (q.label, q.from, q.to))
                .collect();
            let expected: Vec<(String, Date, Date)> = expected
                .iter()
                .map(|(l, f, t)| (l.to_string(), *f, *t))
                .collect();
            assert_eq!(got, expected);
        };
        check(
            date!(2026 - 02 - 15),
            date!(2026 - 07 - 01),
            &[
                ("2026-T1", date!(2026 - 02 - 15), date!(2026 - 03 - 31)),
                ("2026-T2", date!(2026 - 04 - 01), date!(2026 - 06 - 30)),
                ("2026-T3", date!(2026 - 07 - 01), date!(2026 - 07 - 01)),
            ],
        );
        check(
            date!(2025 - 12 - 01),
            date!(2026 - 01 - 31),
            &[
                ("2025-T4", date!(2025 - 12 - 01), date!(2025 - 12 - 31)),
                ("2026-T1", date!(2026 - 01 - 01), date!(2026 - 01 - 31)),
            ],
        );
        check(date!(2026 - 02 - 01), date!(2026 - 01 - 31), &[]);
    }

    #[test]
    fn the_median_is_the_middle_or_the_mean_of_the_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![90.0, 30.0, 45.0]), Some(45.0));
        assert_eq!(median(vec![120.0, 60.0]), Some(90.0));
    }
}
