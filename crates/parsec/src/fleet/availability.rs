//! Fleet availability and readiness for a period, per asset and summed per force, unit and
//! asset kind: the time each asset was available, its downtime by cause (in repair, waiting for
//! parts, waiting for budget) read from its blocking work orders' statuses in time, MTTR, MTBF
//! per meter unit, the backlog of open work orders and preventive compliance (the share of
//! preventive tasks not overdue today). The arithmetic is `maintenance::availability`'s.

use std::collections::HashMap;

use maintenance::availability::{self as avail, Availability, Cause, Period, Spell};
use sqlx::FromRow;
use time::{Date, OffsetDateTime};

use crate::accounts::Scope;
use crate::app::AppState;
use crate::db;
use crate::error::AppResult;

/// How a report is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Force,
    Unit,
    Kind,
}

impl By {
    pub const ALL: [By; 3] = [By::Force, By::Unit, By::Kind];

    pub fn code(self) -> &'static str {
        match self {
            By::Force => "force",
            By::Unit => "unit",
            By::Kind => "kind",
        }
    }

    pub fn parse(s: &str) -> Option<By> {
        By::ALL.into_iter().find(|b| b.code() == s)
    }
}

/// One asset's figures over the period.
#[derive(Debug, Clone)]
pub struct AssetLine {
    pub asset_id: String,
    pub registration: String,
    pub unit_name: String,
    pub force_code: String,
    pub kind: String,
    pub availability: Availability,
    /// Corrective work orders opened in the period.
    pub failures: usize,
    /// Finished corrective repairs: opened and closed (Unix seconds).
    pub repairs: Vec<(i64, i64)>,
    /// The meter's unit and its run over the period (first to last reading).
    pub meter: Option<(String, f64)>,
    pub open_orders: usize,
    /// One value per step of the series (the chart).
    pub series: Vec<Option<f64>>,
}

/// A group's figures: the sums of its assets.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub key: String,
    pub assets: usize,
    pub availability: Availability,
    pub failures: usize,
    pub mttr_hours: Option<f64>,
    /// MTBF per meter unit (km, engine_hours, flight_hours).
    pub mtbf: Vec<(String, f64)>,
    pub open_orders: usize,
    /// Preventive tasks not overdue today, of all the group's tasks.
    pub compliance: Option<f64>,
    pub series: Vec<Option<f64>>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub from: Date,
    pub to: Date,
    pub step_days: i64,
    pub assets: Vec<AssetLine>,
    pub groups: Vec<Group>,
}

#[derive(FromRow)]
struct AssetRow {
    id: String,
    registration: String,
    unit_id: String,
    unit_name: String,
    force_code: String,
    kind: String,
    created_at: String,
}

#[derive(FromRow)]
struct EventRow {
    asset_id: String,
    work_order_id: String,
    kind: String,
    blocking: bool,
    status: String,
    at: String,
}

fn secs(t: &str) -> Option<i64> {
    db::parse_timestamp(t).map(OffsetDateTime::unix_timestamp)
}

fn day_start(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp()
}

fn cause(status: &str) -> Option<Cause> {
    match status {
        "ouvert" | "en_cours" => Some(Cause::Repair),
        "attente_pieces" => Some(Cause::WaitingParts),
        "attente_budget" => Some(Cause::WaitingBudget),
        _ => None,
    }
}

/// The report for the days `from` to `to` (both included), grouped `by`, a chart step of
/// `step_days`.
pub async fn report(
    state: &AppState,
    scope: &Scope,
    from: Date,
    to: Date,
    by: By,
    step_days: i64,
) -> AppResult<Report> {
    let period = Period {
        start: day_start(from),
        end: day_start(to) + 86_400,
    };
    let (from_text, to_text) = (
        db::timestamp(from.midnight().assume_utc()),
        db::timestamp((to + time::Duration::days(1)).midnight().assume_utc()),
    );
    let now = db::now().unix_timestamp();
    let assets: Vec<AssetRow> = sqlx::query_as(
        "SELECT a.id, a.registration, a.unit_id, u.name AS unit_name, f.code AS force_code,
         a.kind, a.created_at FROM assets a JOIN units u ON u.id = a.unit_id
         JOIN forces f ON f.id = a.force_id WHERE a.status <> 'hors_service'
         ORDER BY f.code, a.registration",
    )
    .fetch_all(&state.db)
    .await?;
    // The statuses of the work orders that reach into the period, in time.
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT w.asset_id, e.work_order_id, w.kind, w.blocking, e.status, e.at
         FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
         WHERE w.opened_at < ?2 AND (w.closed_at IS NULL OR w.closed_at >= ?1)
         ORDER BY e.work_order_id, e.at, e.id",
    )
    .bind(&from_text)
    .bind(&to_text)
    .fetch_all(&state.db)
    .await?;
    let mut spells: HashMap<&str, Vec<Spell>> = HashMap::new();
    let mut failures: HashMap<&str, usize> = HashMap::new();
    let mut repairs: HashMap<&str, Vec<(i64, i64)>> = HashMap::new();
    let mut open: HashMap<&str, usize> = HashMap::new();
    let mut first_seen: HashMap<&str, i64> = HashMap::new();
    for order in events.chunk_by(|a, b| a.work_order_id == b.work_order_id) {
        let Some(head) = order.first() else { continue };
        let asset = head.asset_id.as_str();
        let opened = secs(&head.at);
        if let Some(o) = opened {
            first_seen
                .entry(asset)
                .and_modify(|f| *f = (*f).min(o))
                .or_insert(o);
        }
        let last = order.last();
        let closed = last
            .filter(|e| super::work_orders::CLOSED.contains(&e.status.as_str()))
            .and_then(|e| secs(&e.at));
        if closed.is_none() {
            *open.entry(asset).or_default() += 1;
        }
        if head.kind == "correctif" {
            if opened.is_some_and(|o| (period.start..period.end).contains(&o)) {
                *failures.entry(asset).or_default() += 1;
            }
            if let (Some(o), Some(c), Some(l)) = (opened, closed, last)
                && l.status == "termine"
                && (period.start..period.end).contains(&c)
            {
                repairs.entry(asset).or_default().push((o, c));
            }
        }
        if !head.blocking {
            continue;
        }
        // Each status with a cause lasts until the next one (or is still on).
        for (i, e) in order.iter().enumerate() {
            let (Some(c), Some(start)) = (cause(&e.status), secs(&e.at)) else {
                continue;
            };
            spells.entry(asset).or_default().push(Spell {
                start,
                end: order.get(i + 1).and_then(|n| secs(&n.at)),
                cause: c,
            });
        }
    }
    // Each meter's run over the period: the sum of its steps from one reading to the next; a
    // replaced meter's first reading starts again and adds nothing.
    let runs: Vec<(String, String, f64)> = sqlx::query_as(
        "SELECT asset_id, meter, COALESCE(SUM(step), 0.0) FROM (
           SELECT asset_id, meter, CASE WHEN replaced = 1 THEN 0.0 ELSE value - LAG(value)
             OVER (PARTITION BY asset_id, meter ORDER BY read_on, recorded_at) END AS step
           FROM meter_readings WHERE engine = '' AND read_on >= ? AND read_on <= ?)
         GROUP BY asset_id, meter",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&state.db)
    .await?;
    let mut run_of: HashMap<&str, (String, f64)> = HashMap::new();
    for (asset, meter, run) in &runs {
        // An asset with several meters is counted by its km when it has them.
        let entry = run_of
            .entry(asset.as_str())
            .or_insert((meter.clone(), *run));
        if meter == "km" {
            *entry = (meter.clone(), *run);
        }
    }
    let first_reading: Vec<(String, String)> =
        sqlx::query_as("SELECT asset_id, MIN(read_on) FROM meter_readings GROUP BY asset_id")
            .fetch_all(&state.db)
            .await?;
    for (asset, day) in &first_reading {
        if let Some(d) = db::day(day) {
            let s = day_start(d);
            first_seen
                .entry(asset.as_str())
                .and_modify(|f| *f = (*f).min(s))
                .or_insert(s);
        }
    }
    let step = step_days.max(1) * 86_400;
    let mut lines = Vec::new();
    for a in assets.iter().filter(|a| scope.allows_unit(&a.unit_id)) {
        let own = spells.get(a.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        // In service from its entry in the registry, or its first recorded life before that.
        let created = secs(&a.created_at).unwrap_or(period.start);
        let since = first_seen
            .get(a.id.as_str())
            .map_or(created, |f| created.min(*f));
        lines.push(AssetLine {
            asset_id: a.id.clone(),
            registration: a.registration.clone(),
            unit_name: a.unit_name.clone(),
            force_code: a.force_code.clone(),
            kind: a.kind.clone(),
            availability: avail::availability(own, period, since, now),
            failures: failures.get(a.id.as_str()).copied().unwrap_or(0),
            repairs: repairs.get(a.id.as_str()).cloned().unwrap_or_default(),
            meter: run_of.get(a.id.as_str()).cloned(),
            open_orders: open.get(a.id.as_str()).copied().unwrap_or(0),
            series: avail::series(own, period, step, since, now),
        });
    }
    let due = super::plans::due_tasks(state, scope, None).await?;
    let groups = group(&lines, by, &due);
    Ok(Report {
        from,
        to,
        step_days: step_days.max(1),
        assets: lines,
        groups,
    })
}

fn key_of(a: &AssetLine, by: By) -> &str {
    match by {
        By::Force => &a.force_code,
        By::Unit => &a.unit_name,
        By::Kind => &a.kind,
    }
}

/// Sums the assets' figures into groups; the group's series is the mean of its assets' rates
/// per step.
fn group(lines: &[AssetLine], by: By, due: &[super::plans::DueTask]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let steps = lines.first().map_or(0, |l| l.series.len());
    let mut weights: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
    let mut runs: HashMap<String, HashMap<String, (f64, usize)>> = HashMap::new();
    let mut all_repairs: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for a in lines {
        let key = key_of(a, by).to_string();
        let g = match groups.iter_mut().position(|g| g.key == key) {
            Some(i) => &mut groups[i],
            None => {
                groups.push(Group {
                    key: key.clone(),
                    ..Group::default()
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        g.assets += 1;
        g.availability.add(&a.availability);
        g.failures += a.failures;
        g.open_orders += a.open_orders;
        all_repairs
            .entry(key.clone())
            .or_default()
            .extend(a.repairs.iter().copied());
        if let Some((unit, run)) = &a.meter {
            let r = runs
                .entry(key.clone())
                .or_default()
                .entry(unit.clone())
                .or_default();
            r.0 += run;
            r.1 += a.failures;
        }
        let w = weights
            .entry(key)
            .or_insert_with(|| vec![(0.0, 0.0); steps]);
        for (slot, v) in w.iter_mut().zip(&a.series) {
            if let Some(rate) = v {
                slot.0 += rate;
                slot.1 += 1.0;
            }
        }
    }
    let group_of: HashMap<&str, &str> = lines
        .iter()
        .map(|a| (a.asset_id.as_str(), key_of(a, by)))
        .collect();
    for g in &mut groups {
        g.mttr_hours = all_repairs.get(&g.key).and_then(|r| avail::mttr_hours(r));
        g.mtbf = runs
            .get(&g.key)
            .map(|m| {
                let mut v: Vec<(String, f64)> = m
                    .iter()
                    .filter_map(|(unit, (run, n))| {
                        Some((unit.clone(), avail::mtbf(0.0, *run, *n)?))
                    })
                    .collect();
                v.sort_by(|x, y| x.0.cmp(&y.0));
                v
            })
            .unwrap_or_default();
        g.series = weights
            .get(&g.key)
            .map(|w| w.iter().map(|(s, n)| (*n > 0.0).then(|| s / n)).collect())
            .unwrap_or_default();
        let tasks: Vec<&super::plans::DueTask> = due
            .iter()
            .filter(|t| group_of.get(t.asset_id.as_str()) == Some(&g.key.as_str()))
            .collect();
        if !tasks.is_empty() {
            let on_time = tasks
                .iter()
                .filter(|t| t.due.state != maintenance::due::State::Overdue)
                .count();
            g.compliance = Some(on_time as f64 / tasks.len() as f64);
        }
    }
    groups
}
