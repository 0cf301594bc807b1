//! Preventive plans: tasks with intervals by meter and/or by time, whichever comes first, for
//! one asset or for every asset of a kind (and model). When a task is next due is counted from
//! the last finished work order that did it, or from the plan's start; the arithmetic is the
//! `maintenance` crate's. Example plans are shipped as data (`data/example_plans.csv`), marked
//! as examples: the workshop replaces them with the manufacturers' documents, and an aircraft's
//! plan is loaded from the operator's approved programme, never made up.

use std::collections::HashMap;

use maintenance::due::{self, Due, Interval, Since, State, Usage};
use sqlx::FromRow;
use time::Date;

use super::Meter;
use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult, Problems};
use crate::registry::model::{AssetKind, Coded};

/// Which assets a plan is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Applies {
    /// Every asset of a kind whose model contains `model` (every one when empty).
    Kind {
        kind: String,
        model: String,
    },
    Asset(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    pub name: String,
    pub applies: Applies,
    pub example: bool,
    pub source: String,
    pub starts_on: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub name: String,
    /// Every so many of this meter.
    pub meter: Option<(Meter, f64)>,
    pub days: Option<i64>,
    pub soon_meter: f64,
    pub soon_days: i64,
    /// The first interval, when it differs (an outboard's first service at 20 h).
    pub first_meter: Option<f64>,
}

impl NewTask {
    fn check(&self, p: &mut Problems) {
        if self.name.trim().is_empty() {
            p.add("task", "error-required");
        }
        if self.meter.is_none() && self.days.is_none() {
            p.add("meter_every", "error-plan-no-interval");
        }
        let bad = |v: f64| !v.is_finite() || v <= 0.0;
        if self.meter.is_some_and(|(_, e)| bad(e)) || self.first_meter.is_some_and(bad) {
            p.add("meter_every", "error-out-of-range");
        }
        if self.days.is_some_and(|d| d <= 0 || d > 36_600) {
            p.add("days_every", "error-out-of-range");
        }
        if !self.soon_meter.is_finite() || self.soon_meter < 0.0 || self.soon_days < 0 {
            p.add("soon", "error-out-of-range");
        }
    }
}

/// Creates a plan with its tasks, all checked first: nothing is written when one is wrong.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    plan: &NewPlan,
    tasks: &[NewTask],
) -> AppResult<String> {
    let mut p = Problems::default();
    if plan.name.trim().is_empty() {
        p.add("name", "error-required");
    }
    match &plan.applies {
        Applies::Kind { kind, .. } if AssetKind::parse(kind).is_none() => {
            p.add("asset_kind", "error-bad-choice")
        }
        _ => {}
    }
    for t in tasks {
        t.check(&mut p);
    }
    p.finish(())?;
    if let Applies::Asset(id) = &plan.applies {
        crate::registry::get_asset(&state.db, &Scope::All, id).await?;
    }
    let mut tx = db::begin_write(&state.db).await?;
    let id = insert_plan(&mut tx, actor, plan, tasks).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a checked plan and its tasks in the caller's transaction.
async fn insert_plan(
    tx: &mut Tx,
    actor: &Actor,
    plan: &NewPlan,
    tasks: &[NewTask],
) -> AppResult<String> {
    let id = db::new_id();
    let (kind, model, asset) = match &plan.applies {
        Applies::Kind { kind, model } => (Some(kind.as_str()), model.trim(), None),
        Applies::Asset(a) => (None, "", Some(a.as_str())),
    };
    sqlx::query(
        "INSERT INTO maintenance_plans (id, name, asset_kind, model, asset_id, example, source,
         starts_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(plan.name.trim())
    .bind(kind)
    .bind(model)
    .bind(asset)
    .bind(plan.example)
    .bind(plan.source.trim())
    .bind(plan.starts_on.to_string())
    .bind(&actor.0)
    .bind(db::now_text())
    .execute(&mut **tx)
    .await?;
    audit::append(
        tx,
        actor,
        "create",
        "maintenance_plan",
        &id,
        plan.name.trim(),
    )
    .await?;
    for t in tasks {
        insert_task(tx, actor, &id, t).await?;
    }
    Ok(id)
}

/// Adds a task to a plan.
pub async fn add_task(
    state: &AppState,
    actor: &Actor,
    plan: &str,
    t: &NewTask,
) -> AppResult<String> {
    let mut p = Problems::default();
    t.check(&mut p);
    p.finish(())?;
    let mut tx = db::begin_write(&state.db).await?;
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM maintenance_plans WHERE id = ?")
        .bind(plan)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(AppError::NotFound);
    }
    let id = insert_task(&mut tx, actor, plan, t).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_task(tx: &mut Tx, actor: &Actor, plan: &str, t: &NewTask) -> AppResult<String> {
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO plan_tasks (id, plan_id, name, meter, meter_every, days_every, soon_meter,
         soon_days, first_meter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(plan)
    .bind(t.name.trim())
    .bind(t.meter.map(|(m, _)| m.code()))
    .bind(t.meter.map(|(_, e)| e))
    .bind(t.days)
    .bind(t.soon_meter)
    .bind(t.soon_days)
    .bind(t.first_meter)
    .execute(&mut **tx)
    .await?;
    audit::append(
        tx,
        actor,
        "create",
        "plan_task",
        &id,
        &format!("plan={plan}"),
    )
    .await?;
    Ok(id)
}

/// Plans read from a CSV file (the shipped examples, or the workshop's own documents): one row
/// per task, the plan's columns repeated; a row with no task makes a plan with no task yet (an
/// aircraft's, until its approved programme is loaded). Every row is checked before anything
/// is written; a wrong row is named by its line.
pub async fn import_csv(
    state: &AppState,
    actor: &Actor,
    text: &str,
    example: bool,
) -> Result<usize, ImportError> {
    let mut plans: Vec<(NewPlan, Vec<NewTask>)> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let today = db::now().date();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|_| ImportError::Row(line, "plan-import-bad-csv"))?;
        let get = |n: usize| row.get(n).unwrap_or("").trim().to_string();
        let num = |n: usize| -> Result<Option<f64>, ImportError> {
            match get(n).as_str() {
                "" => Ok(None),
                v => v
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| ImportError::Row(line, "plan-import-not-number")),
            }
        };
        let name = get(0);
        let (kind, model) = (get(1), get(2));
        if name.is_empty() || AssetKind::parse(&kind).is_none() {
            return Err(ImportError::Row(line, "plan-import-no-plan"));
        }
        if !plans.iter().any(|(p, _)| p.name == name) {
            plans.push((
                NewPlan {
                    name: name.clone(),
                    applies: Applies::Kind { kind, model },
                    example,
                    source: get(10),
                    starts_on: today,
                },
                Vec::new(),
            ));
        }
        let task = get(3);
        if task.is_empty() {
            continue;
        }
        let meter = match get(4).as_str() {
            "" => None,
            m => Some(Meter::parse(m).ok_or(ImportError::Row(line, "plan-import-bad-meter"))?),
        };
        let t = NewTask {
            name: task,
            meter: match (meter, num(5)?) {
                (Some(m), Some(e)) => Some((m, e)),
                (None, None) => None,
                _ => return Err(ImportError::Row(line, "plan-import-bad-meter")),
            },
            days: num(6)?.map(|d| d as i64),
            soon_meter: num(7)?.unwrap_or(0.0),
            soon_days: num(8)?.map_or(0, |d| d as i64),
            first_meter: num(9)?,
        };
        let mut p = Problems::default();
        t.check(&mut p);
        if let Err(e) = p.finish(()) {
            let key = e.problems().first().map_or("error-bad-choice", |(_, k)| *k);
            return Err(ImportError::Row(line, key));
        }
        if let Some((_, tasks)) = plans.iter_mut().find(|(p, _)| p.name == name) {
            tasks.push(t);
        }
    }
    // Every plan or none.
    let mut tx = db::begin_write(&state.db).await.map_err(ImportError::App)?;
    for (plan, tasks) in &plans {
        insert_plan(&mut tx, actor, plan, tasks)
            .await
            .map_err(ImportError::App)?;
    }
    tx.commit().await.map_err(|e| ImportError::App(e.into()))?;
    Ok(plans.len())
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A row refused: its line in the file and the catalogue key of why.
    #[error("line {0}: {1}")]
    Row(usize, &'static str),
    #[error(transparent)]
    App(AppError),
}

/// The example plans shipped with parsec (to be replaced by the real documents).
pub const EXAMPLES: &str = include_str!("../../data/example_plans.csv");

#[derive(Debug, Clone, FromRow)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub asset_kind: Option<String>,
    pub model: String,
    pub asset_id: Option<String>,
    pub registration: Option<String>,
    pub example: bool,
    pub source: String,
    pub starts_on: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Task {
    pub id: String,
    pub plan_id: String,
    pub name: String,
    pub meter: Option<String>,
    pub meter_every: Option<f64>,
    pub days_every: Option<i64>,
    pub soon_meter: f64,
    pub soon_days: i64,
    pub first_meter: Option<f64>,
}

impl Plan {
    /// Whether the plan is for this asset (`model` in lower case).
    pub fn applies_to(&self, asset_id: &str, kind: &str, model: &str) -> bool {
        match (&self.asset_id, &self.asset_kind) {
            (Some(id), _) => id == asset_id,
            (None, Some(k)) => k == kind && model.contains(&self.model.to_lowercase()),
            _ => false,
        }
    }
}

pub async fn plans(state: &AppState) -> AppResult<Vec<Plan>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name, p.asset_kind, p.model, p.asset_id, a.registration, p.example,
         p.source, p.starts_on FROM maintenance_plans p LEFT JOIN assets a ON a.id = p.asset_id
         ORDER BY p.name",
    )
    .fetch_all(&state.db)
    .await?)
}

pub async fn tasks(state: &AppState) -> AppResult<Vec<Task>> {
    Ok(sqlx::query_as(
        "SELECT id, plan_id, name, meter, meter_every, days_every, soon_meter, soon_days,
         first_meter FROM plan_tasks ORDER BY plan_id, name",
    )
    .fetch_all(&state.db)
    .await?)
}

/// A task as it stands for one asset.
#[derive(Debug, Clone)]
pub struct DueTask {
    pub asset_id: String,
    pub registration: String,
    pub unit_name: String,
    pub plan_name: String,
    pub example: bool,
    pub task_id: String,
    pub task_name: String,
    pub meter: Option<String>,
    pub due: Due,
}

#[derive(FromRow)]
struct AssetRow {
    id: String,
    registration: String,
    unit_id: String,
    unit_name: String,
    kind: String,
    model: String,
}

/// Every task of every plan for the assets in scope (or one asset), the most urgent first:
/// overdue, then due soon, then by day.
pub async fn due_tasks(
    state: &AppState,
    scope: &Scope,
    asset: Option<&str>,
) -> AppResult<Vec<DueTask>> {
    let today = db::now().date();
    // The reads are independent: at once, each on its connection (a second core works).
    let assets = async {
        let rows: Vec<AssetRow> = sqlx::query_as(
            "SELECT a.id, a.registration, a.unit_id, u.name AS unit_name, a.kind, a.model
             FROM assets a JOIN units u ON u.id = a.unit_id
             WHERE a.status <> 'hors_service' AND (?1 IS NULL OR a.id = ?1)",
        )
        .bind(asset)
        .fetch_all(&state.db)
        .await?;
        Ok::<_, AppError>(rows)
    };
    // The last finished work order of each (asset, task): its day and its meter (at the end
    // of the work, or on arrival; SQLite takes the bare columns from the MAX row).
    let done = async {
        let rows: Vec<(String, String, String, Option<f64>)> = sqlx::query_as(
            "SELECT w.asset_id, o.task_id, MAX(w.closed_at), COALESCE(w.meter_end, w.meter_start)
             FROM work_order_tasks o JOIN work_orders w ON w.id = o.work_order_id
             WHERE w.status = 'termine' GROUP BY w.asset_id, o.task_id",
        )
        .fetch_all(&state.db)
        .await?;
        Ok::<_, AppError>(rows)
    };
    let (assets, plans, tasks, done, uses) = tokio::try_join!(
        assets,
        plans(state),
        tasks(state),
        done,
        usages(state, today)
    )?;
    let mut tasks_of: HashMap<String, Vec<Task>> = HashMap::new();
    for t in tasks {
        tasks_of.entry(t.plan_id.clone()).or_default().push(t);
    }
    let done: HashMap<(String, String), (String, Option<f64>)> = done
        .into_iter()
        .map(|(a, t, at, m)| ((a, t), (at, m)))
        .collect();
    let mut out = Vec::new();
    for a in assets.iter().filter(|a| scope.allows_unit(&a.unit_id)) {
        let model = a.model.to_lowercase();
        for plan in plans
            .iter()
            .filter(|p| p.applies_to(&a.id, &a.kind, &model))
        {
            let start = db::day(&plan.starts_on).unwrap_or(today);
            for t in tasks_of.get(&plan.id).map(Vec::as_slice).unwrap_or(&[]) {
                let usage = t
                    .meter
                    .as_ref()
                    .and_then(|m| uses.get(&(a.id.clone(), m.clone())).copied())
                    .unwrap_or(MeterUse {
                        meter_now: Usage {
                            day: today,
                            meter: 0.0,
                            per_day: 0.0,
                        },
                        replaced: None,
                    });
                let last = done.get(&(a.id.clone(), t.id.clone()));
                let since = match last {
                    Some((at, m)) => {
                        let day = db::day(at).unwrap_or(start);
                        // Done without a meter written: the meter that day, from the use.
                        let meter = m.unwrap_or_else(|| meter_on(&usage.meter_now, day));
                        Since {
                            day,
                            // A meter replaced since then starts again lower: counted from
                            // the new meter's first reading.
                            meter: match usage.replaced {
                                Some((on, from)) if on >= day => from,
                                _ => meter,
                            },
                        }
                    }
                    // Never done here: counted from the plan's start, at the meter then.
                    None => Since {
                        day: start,
                        meter: meter_on(&usage.meter_now, start),
                    },
                };
                // The first service (an outboard's at 20 h) is for an asset that was new when
                // the plan started; an older one is counted by the ordinary interval.
                let every = match (last, t.first_meter) {
                    (None, Some(first)) if since.meter < first => Some(first - since.meter),
                    _ => t.meter_every,
                };
                let interval = Interval {
                    meter: every,
                    days: t.days_every,
                    soon_meter: t.soon_meter,
                    soon_days: t.soon_days,
                };
                let Ok(due) = due::next_due(&interval, since, usage.meter_now, today) else {
                    continue;
                };
                out.push(DueTask {
                    asset_id: a.id.clone(),
                    registration: a.registration.clone(),
                    unit_name: a.unit_name.clone(),
                    plan_name: plan.name.clone(),
                    example: plan.example,
                    task_id: t.id.clone(),
                    task_name: t.name.clone(),
                    meter: t.meter.clone(),
                    due,
                });
            }
        }
    }
    let rank = |s: State| match s {
        State::Overdue => 0,
        State::DueSoon => 1,
        State::Ok => 2,
    };
    out.sort_by(|x, y| {
        rank(x.due.state)
            .cmp(&rank(y.due.state))
            .then(x.due.day.cmp(&y.due.day))
            .then(x.registration.cmp(&y.registration))
    });
    Ok(out)
}

/// A meter's use: its latest reading with the use per day, and its last replacement (the day
/// and the new meter's first reading), if any.
#[derive(Debug, Clone, Copy)]
struct MeterUse {
    meter_now: Usage,
    replaced: Option<(Date, f64)>,
}

/// Each (asset, meter)'s use: the latest reading, and the use per day from the first reading of
/// the last 90 days on the same meter (a replaced meter starts a new life: what came before
/// does not count).
async fn usages(state: &AppState, today: Date) -> AppResult<HashMap<(String, String), MeterUse>> {
    type Rows = Vec<(String, String, String, f64)>;
    let window = (today - time::Duration::days(90)).to_string();
    let latest = sqlx::query_as::<_, (String, String, String, f64)>(
        "SELECT asset_id, meter, MAX(read_on || ' ' || recorded_at), value
         FROM meter_readings WHERE engine = '' GROUP BY asset_id, meter",
    )
    .fetch_all(&state.db);
    let first = sqlx::query_as::<_, (String, String, String, f64)>(
        "SELECT m.asset_id, m.meter, MIN(m.read_on || ' ' || m.recorded_at), m.value
         FROM meter_readings m WHERE m.engine = '' AND m.read_on >= ?
           AND NOT EXISTS (SELECT 1 FROM meter_readings x WHERE x.asset_id = m.asset_id
             AND x.meter = m.meter AND x.engine = '' AND x.replaced = 1
             AND (x.read_on, x.recorded_at) > (m.read_on, m.recorded_at))
         GROUP BY m.asset_id, m.meter",
    )
    .bind(&window)
    .fetch_all(&state.db);
    let replaced = sqlx::query_as::<_, (String, String, String, f64)>(
        "SELECT asset_id, meter, MAX(read_on || ' ' || recorded_at), value
         FROM meter_readings WHERE engine = '' AND replaced = 1 GROUP BY asset_id, meter",
    )
    .fetch_all(&state.db);
    let (latest, first, replaced): (Rows, Rows, Rows) = tokio::try_join!(latest, first, replaced)?;
    let first: HashMap<(String, String), (String, f64)> = first
        .into_iter()
        .map(|(a, m, at, v)| ((a, m), (at, v)))
        .collect();
    let replaced: HashMap<(String, String), (Date, f64)> = replaced
        .into_iter()
        .filter_map(|(a, m, at, v)| Some(((a, m), (db::day(&at)?, v))))
        .collect();
    Ok(latest
        .into_iter()
        .filter_map(|(a, m, at, value)| {
            let last_day = db::day(&at)?;
            let key = (a, m);
            let per_day = match first.get(&key) {
                Some((f_at, f_value)) => {
                    let days = (last_day - db::day(f_at)?).whole_days();
                    if days > 0 {
                        ((value - f_value) / days as f64).max(0.0)
                    } else {
                        0.0
                    }
                }
                None => 0.0,
            };
            let meter_now = Usage {
                day: last_day,
                meter: value,
                per_day,
            };
            let replaced = replaced.get(&key).copied();
            Some((
                key,
                MeterUse {
                    meter_now,
                    replaced,
                },
            ))
        })
        .collect())
}

/// The meter on a day, projected from the latest reading and the use per day (back or
/// forward), never below zero.
fn meter_on(usage: &Usage, day: Date) -> f64 {
    let days = (day - usage.day).whole_days() as f64;
    (usage.meter + usage.per_day * days).max(0.0)
}
