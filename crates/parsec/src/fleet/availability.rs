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
use crate::error::{AppError, AppResult};

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
    /// Finished corrective repairs in the period: how many, and their time in all (seconds).
    pub repairs: (usize, f64),
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

fn secs(t: &str) -> Option<i64> {
    db::parse_timestamp(t).map(OffsetDateTime::unix_timestamp)
}

fn day_start(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp()
}

/// An asset's spells as the query packs them: `cause,start,end;…` (end empty: still on).
fn unpack(list: &str) -> Vec<Spell> {
    list.split(';')
        .filter_map(|spell| {
            let mut parts = spell.split(',');
            let cause = match parts.next()? {
                "1" => Cause::WaitingParts,
                "2" => Cause::WaitingBudget,
                _ => Cause::Repair,
            };
            let start = parts.next()?.parse().ok()?;
            let end = parts.next().and_then(|e| e.parse().ok());
            Some(Spell { start, end, cause })
        })
        .collect()
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
    report_with(state, scope, from, to, by, step_days, None).await
}

/// The same, with the scope's due tasks when the caller has them already (the board): they
/// give the preventive compliance and are not computed twice.
pub async fn report_with(
    state: &AppState,
    scope: &Scope,
    from: Date,
    to: Date,
    by: By,
    step_days: i64,
    due: Option<&[super::plans::DueTask]>,
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
    // The reads are independent: at once, each on its connection (a second core works).
    let assets = sqlx::query_as::<_, AssetRow>(
        "SELECT a.id, a.registration, a.unit_id, u.name AS unit_name, f.code AS force_code,
         a.kind, a.created_at FROM assets a JOIN units u ON u.id = a.unit_id
         JOIN forces f ON f.id = a.force_id WHERE a.status <> 'hors_service'
         ORDER BY f.code, a.registration",
    )
    .fetch_all(&state.db);
    // The spells of unavailability of the blocking work orders that reach into the period:
    // each status with a cause lasts until the next one (or is still on). One row per asset,
    // its spells packed as `cause,start,end;…` (Unix seconds): thousands of rows decoded one
    // by one would cost more than all the rest.
    let packed = sqlx::query_as::<_, (String, String)>(
        "SELECT asset_id, group_concat(cause || ',' || since || ',' || COALESCE(until, ''), ';')
         FROM (SELECT w.asset_id, e.status,
                 CASE e.status WHEN 'attente_pieces' THEN 1 WHEN 'attente_budget' THEN 2
                   ELSE 0 END AS cause,
                 unixepoch(e.at) AS since,
                 unixepoch(LEAD(e.at) OVER (PARTITION BY e.work_order_id ORDER BY e.at, e.id))
                   AS until
               FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
               WHERE w.blocking = 1 AND w.opened_at < ?2
                 AND (w.closed_at IS NULL OR w.closed_at >= ?1))
         WHERE status NOT IN ('termine', 'annule') AND (until IS NULL OR until >= ?3)
         GROUP BY asset_id",
    )
    .bind(&from_text)
    .bind(&to_text)
    .bind(period.start)
    .fetch_all(&state.db);
    // Per asset: failures (corrective orders opened in the period), finished repairs (closed
    // in it) and their time, open orders now, and the first order's opening.
    let orders = sqlx::query_as::<_, (String, f64, f64, f64, f64, Option<i64>)>(
        "SELECT asset_id,
           TOTAL(kind = 'correctif' AND opened_at >= ?1 AND opened_at < ?2),
           TOTAL(kind = 'correctif' AND status = 'termine' AND closed_at >= ?1
             AND closed_at < ?2),
           TOTAL(CASE WHEN kind = 'correctif' AND status = 'termine' AND closed_at >= ?1
             AND closed_at < ?2 THEN unixepoch(closed_at) - unixepoch(opened_at) END),
           TOTAL(status NOT IN ('termine', 'annule')),
           unixepoch(MIN(opened_at))
         FROM work_orders GROUP BY asset_id",
    )
    .bind(&from_text)
    .bind(&to_text)
    .fetch_all(&state.db);
    // Each meter's run over the period: its last reading less its first; a meter replaced in
    // the period is summed step by step instead, the replacement adding nothing.
    let runs = sqlx::query_as::<_, (String, String, f64, i64)>(
        "SELECT asset_id, meter, MAX(value) - MIN(value), SUM(replaced) FROM meter_readings
         WHERE engine = '' AND read_on >= ? AND read_on <= ? GROUP BY asset_id, meter",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&state.db);
    let first_reading = sqlx::query_as::<_, (String, String)>(
        "SELECT asset_id, MIN(read_on) FROM meter_readings GROUP BY asset_id",
    )
    .fetch_all(&state.db);
    let (assets, packed, orders, mut runs, first_reading, due) = tokio::try_join!(
        async { Ok::<_, AppError>(assets.await?) },
        async { Ok::<_, AppError>(packed.await?) },
        async { Ok::<_, AppError>(orders.await?) },
        async { Ok::<_, AppError>(runs.await?) },
        async { Ok::<_, AppError>(first_reading.await?) },
        async {
            match due {
                Some(given) => Ok(given.to_vec()),
                None => super::plans::due_tasks(state, scope, None).await,
            }
        },
    )?;
    let spells: HashMap<&str, Vec<Spell>> = packed
        .iter()
        .map(|(asset, list)| (asset.as_str(), unpack(list)))
        .collect();
    let mut failures: HashMap<&str, usize> = HashMap::new();
    let mut repairs: HashMap<&str, (usize, f64)> = HashMap::new();
    let mut open: HashMap<&str, usize> = HashMap::new();
    let mut first_seen: HashMap<&str, i64> = HashMap::new();
    for (asset, failed, repaired, repair_secs, still_open, first) in &orders {
        let asset = asset.as_str();
        // TOTAL counts as a real number: whole by construction.
        failures.insert(asset, *failed as usize);
        repairs.insert(asset, (*repaired as usize, *repair_secs));
        open.insert(asset, *still_open as usize);
        if let Some(f) = first {
            first_seen.insert(asset, *f);
        }
    }
    for (asset, meter, run, replaced) in runs.iter_mut() {
        if *replaced > 0 {
            *run = sqlx::query_scalar(
                "SELECT COALESCE(SUM(step), 0.0) FROM (
                   SELECT CASE WHEN replaced = 1 THEN 0.0 ELSE value - LAG(value)
                     OVER (ORDER BY read_on, recorded_at) END AS step
                   FROM meter_readings WHERE asset_id = ? AND meter = ? AND engine = ''
                     AND read_on >= ? AND read_on <= ?)",
            )
            .bind(&*asset)
            .bind(&*meter)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_one(&state.db)
            .await?;
        }
    }
    let mut run_of: HashMap<&str, (String, f64)> = HashMap::new();
    for (asset, meter, run, _) in &runs {
        // An asset with several meters is counted by its km when it has them.
        let entry = run_of
            .entry(asset.as_str())
            .or_insert((meter.clone(), *run));
        if meter == "km" {
            *entry = (meter.clone(), *run);
        }
    }
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
            repairs: repairs.get(a.id.as_str()).copied().unwrap_or_default(),
            meter: run_of.get(a.id.as_str()).cloned(),
            open_orders: open.get(a.id.as_str()).copied().unwrap_or(0),
            series: avail::series(own, period, step, since, now),
        });
    }
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
    let mut all_repairs: HashMap<String, (usize, f64)> = HashMap::new();
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
        let r = all_repairs.entry(key.clone()).or_default();
        r.0 += a.repairs.0;
        r.1 += a.repairs.1;
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
        g.mttr_hours = all_repairs
            .get(&g.key)
            .and_then(|(n, secs)| avail::mttr_hours(*n, *secs));
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
