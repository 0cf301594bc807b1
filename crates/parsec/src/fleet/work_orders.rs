//! Work orders: opened from a defect report (any unit that sees the asset, or an incident's
//! response when the asset broke down on the way) or from due preventive tasks; a blocking one
//! takes the asset into maintenance (out of dispatch) through the registry's own function; the
//! last blocking one closed gives it back. Each status is kept in time (`work_order_events`):
//! the downtime by cause is read from them. Closed is final; a finished preventive order resets
//! the tasks it did.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult, Problems};

pub const KINDS: &[&str] = &["preventif", "correctif"];
pub const STATUSES: &[&str] = &[
    "ouvert",
    "en_cours",
    "attente_pieces",
    "attente_budget",
    "termine",
    "annule",
];
/// A work order in one of these is over: it cannot change any more.
pub const CLOSED: &[&str] = &["termine", "annule"];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewWorkOrder {
    pub kind: &'static str,
    pub defect: String,
    /// The asset cannot be sent while it is open.
    pub blocking: bool,
    /// The preventive tasks it does (their plan's tasks).
    pub tasks: Vec<String>,
    pub meter_start: Option<f64>,
    /// The incident response during which the asset broke down.
    pub response_id: Option<String>,
}

/// A move of a work order to another status.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub status: &'static str,
    /// When it happened, when it is written afterwards (default: now).
    pub at: Option<OffsetDateTime>,
    pub note: String,
    /// At the end of the work: the meter and the cost.
    pub meter_end: Option<f64>,
    pub cost_fcfa: Option<i64>,
}

/// Hours a mechanic spent on a work order on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Labour {
    pub mechanic: String,
    pub day: time::Date,
    pub hours: f64,
}

#[derive(Debug, Clone, FromRow)]
pub struct WorkOrder {
    pub id: String,
    pub asset_id: String,
    pub registration: String,
    pub unit_id: String,
    pub unit_name: String,
    pub kind: String,
    pub status: String,
    pub blocking: bool,
    pub defect: String,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
    pub closing_note: String,
    pub meter_start: Option<f64>,
    pub meter_end: Option<f64>,
    pub cost_fcfa: Option<i64>,
    pub response_id: Option<String>,
}

const SELECT: &str =
    "w.id, w.asset_id, a.registration, a.unit_id, u.name AS unit_name, w.kind, w.status,
    w.blocking, w.defect, w.opened_at, w.opened_by, w.closed_at, w.closing_note, w.meter_start,
    w.meter_end, w.cost_fcfa, w.response_id";
const FROM: &str =
    "work_orders w JOIN assets a ON a.id = w.asset_id JOIN units u ON u.id = a.unit_id";

pub async fn open(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    asset_id: &str,
    w: &NewWorkOrder,
) -> AppResult<String> {
    crate::registry::get_asset(&state.db, scope, asset_id).await?;
    let mut tx = db::begin_write(&state.db).await?;
    let id = open_in(&mut tx, actor, asset_id, w).await?;
    tx.commit().await?;
    Ok(id)
}

/// Opens a work order in the caller's transaction (an incident's response reports the
/// breakdown with its own write). The asset's scope is the caller's to check.
pub async fn open_in(
    tx: &mut Tx,
    actor: &Actor,
    asset_id: &str,
    w: &NewWorkOrder,
) -> AppResult<String> {
    let mut p = Problems::default();
    let defect = w.defect.trim();
    if defect.is_empty() {
        p.add("defect", "error-required");
    } else if defect.chars().count() > 2000 {
        p.add("defect", "error-too-long");
    }
    if !KINDS.contains(&w.kind) {
        p.add("kind", "error-bad-choice");
    }
    if w.meter_start.is_some_and(|m| !m.is_finite() || m < 0.0) {
        p.add("meter_start", "error-out-of-range");
    }
    for task in &w.tasks {
        let known: Option<(String,)> = sqlx::query_as("SELECT id FROM plan_tasks WHERE id = ?")
            .bind(task)
            .fetch_optional(&mut **tx)
            .await?;
        if known.is_none() {
            p.add("tasks", "error-bad-choice");
            break;
        }
    }
    p.finish(())?;
    let id = db::new_id();
    let now = db::now_text();
    sqlx::query(
        "INSERT INTO work_orders (id, asset_id, kind, status, blocking, defect, opened_at,
         opened_by, meter_start, response_id) VALUES (?, ?, ?, 'ouvert', ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(asset_id)
    .bind(w.kind)
    .bind(w.blocking)
    .bind(defect)
    .bind(&now)
    .bind(&actor.0)
    .bind(w.meter_start)
    .bind(&w.response_id)
    .execute(&mut **tx)
    .await?;
    event(tx, &id, "ouvert", &now, actor, "").await?;
    for task in &w.tasks {
        sqlx::query("INSERT INTO work_order_tasks (id, work_order_id, task_id) VALUES (?, ?, ?)")
            .bind(db::new_id())
            .bind(&id)
            .bind(task)
            .execute(&mut **tx)
            .await?;
    }
    audit::append(
        tx,
        actor,
        "create",
        "work_order",
        &id,
        &format!("asset={asset_id} kind={} blocking={}", w.kind, w.blocking),
    )
    .await?;
    if w.blocking {
        crate::registry::into_workshop(tx, actor, asset_id, &format!("work_order={id}")).await?;
    }
    Ok(id)
}

async fn event(
    tx: &mut Tx,
    order: &str,
    status: &str,
    at: &str,
    actor: &Actor,
    note: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO work_order_events (id, work_order_id, status, at, by_user, note)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(db::new_id())
    .bind(order)
    .bind(status)
    .bind(at)
    .bind(&actor.0)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a work order on. Refused: a closed order, a time in the future or before its last
/// status (a work order closed before it was opened), an end meter below the start. Closing it
/// (done or cancelled) gives its asset back when no other blocking work order remains open.
pub async fn set_status(
    state: &AppState,
    actor: &Actor,
    id: &str,
    change: &StatusChange,
) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    let found: Option<(String, String, Option<f64>)> =
        sqlx::query_as("SELECT asset_id, status, meter_start FROM work_orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((asset_id, current, meter_start)) = found else {
        return Err(AppError::NotFound);
    };
    if CLOSED.contains(&current.as_str()) {
        return Err(AppError::Conflict {
            field: "status",
            key: "error-work-order-closed",
        });
    }
    let last: Option<(String,)> = sqlx::query_as(
        "SELECT at FROM work_order_events WHERE work_order_id = ? ORDER BY at DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let mut p = Problems::default();
    if !STATUSES.contains(&change.status) {
        p.add("status", "error-bad-choice");
    }
    let now = db::now();
    let at = change.at.unwrap_or(now);
    if at > now + time::Duration::minutes(5) {
        p.add("at", "error-future-date");
    }
    if let Some((last,)) = &last
        && db::parse_timestamp(last).is_some_and(|l| at < l)
    {
        p.add("at", "error-work-order-before-last");
    }
    if let Some(end) = change.meter_end {
        if !end.is_finite() || end < 0.0 {
            p.add("meter_end", "error-out-of-range");
        } else if meter_start.is_some_and(|s| end < s) {
            p.add("meter_end", "error-meter-backwards");
        }
    }
    if change.cost_fcfa.is_some_and(|c| c < 0) {
        p.add("cost_fcfa", "error-out-of-range");
    }
    p.finish(())?;
    let closing = CLOSED.contains(&change.status);
    let at = db::timestamp(at);
    let note = change.note.trim();
    sqlx::query(
        "UPDATE work_orders SET status = ?2,
           closed_at = CASE WHEN ?3 THEN ?4 END, closed_by = CASE WHEN ?3 THEN ?5 END,
           closing_note = CASE WHEN ?3 THEN ?6 ELSE closing_note END,
           meter_end = COALESCE(?7, meter_end), cost_fcfa = COALESCE(?8, cost_fcfa)
         WHERE id = ?1",
    )
    .bind(id)
    .bind(change.status)
    .bind(closing)
    .bind(&at)
    .bind(&actor.0)
    .bind(note)
    .bind(change.meter_end)
    .bind(change.cost_fcfa)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, id, change.status, &at, actor, note).await?;
    audit::append(&mut tx, actor, "status", "work_order", id, change.status).await?;
    if closing {
        let still: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM work_orders WHERE asset_id = ? AND blocking = 1
             AND status NOT IN ('termine', 'annule')",
        )
        .bind(&asset_id)
        .fetch_one(&mut *tx)
        .await?;
        if still == 0 {
            crate::registry::out_of_workshop(
                &mut tx,
                actor,
                &asset_id,
                &format!("work_order={id}"),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Records a mechanic's hours on an open work order, on a day from its opening to today.
pub async fn add_labour(state: &AppState, actor: &Actor, id: &str, l: &Labour) -> AppResult<()> {
    let mut tx = db::begin_write(&state.db).await?;
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT status, opened_at FROM work_orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((status, opened_at)) = found else {
        return Err(AppError::NotFound);
    };
    if CLOSED.contains(&status.as_str()) {
        return Err(AppError::Conflict {
            field: "hours",
            key: "error-work-order-closed",
        });
    }
    let mut p = Problems::default();
    let mechanic = l.mechanic.trim();
    if mechanic.is_empty() {
        p.add("mechanic", "error-required");
    }
    if !(l.hours > 0.0 && l.hours <= 24.0) {
        p.add("hours", "error-out-of-range");
    }
    if l.day > db::now().date() {
        p.add("day", "error-future-date");
    } else if db::day(&opened_at).is_some_and(|o| l.day < o) {
        p.add("day", "error-work-order-before-last");
    }
    p.finish(())?;
    let labour = db::new_id();
    sqlx::query(
        "INSERT INTO work_order_labour (id, work_order_id, mechanic, day, hours, recorded_by,
         recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&labour)
    .bind(id)
    .bind(mechanic)
    .bind(l.day.to_string())
    .bind(l.hours)
    .bind(&actor.0)
    .bind(db::now_text())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "work_order_labour",
        &labour,
        &format!("work_order={id} hours={}", l.hours),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The open work orders of the scope (the workshop: every force's), the oldest first.
pub async fn open_orders(state: &AppState, scope: &Scope) -> AppResult<Vec<WorkOrder>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM {FROM} WHERE w.status NOT IN ('termine', 'annule')
           AND (?1 IS NULL OR a.unit_id IN (SELECT value FROM json_each(?1)))
         ORDER BY w.opened_at LIMIT 500"
    )))
    .bind(scope.as_json())
    .fetch_all(&state.db)
    .await?)
}

/// An asset's work orders, newest first.
pub async fn of_asset(state: &AppState, asset_id: &str) -> AppResult<Vec<WorkOrder>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM {FROM} WHERE w.asset_id = ? ORDER BY w.opened_at DESC LIMIT 100"
    )))
    .bind(asset_id)
    .fetch_all(&state.db)
    .await?)
}

/// One work order, within the reader's scope (the asset's unit).
pub async fn get(state: &AppState, scope: &Scope, id: &str) -> AppResult<WorkOrder> {
    let w: WorkOrder = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM {FROM} WHERE w.id = ?"
    )))
    .bind(id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    crate::registry::get_asset(&state.db, scope, &w.asset_id).await?;
    Ok(w)
}

#[derive(Debug, Clone, FromRow)]
pub struct Event {
    pub status: String,
    pub at: String,
    pub by_user: String,
    pub note: String,
}

pub async fn events(state: &AppState, id: &str) -> AppResult<Vec<Event>> {
    Ok(sqlx::query_as(
        "SELECT status, at, by_user, note FROM work_order_events WHERE work_order_id = ?
         ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct LabourLine {
    pub mechanic: String,
    pub day: String,
    pub hours: f64,
}

pub async fn labour(state: &AppState, id: &str) -> AppResult<Vec<LabourLine>> {
    Ok(sqlx::query_as(
        "SELECT mechanic, day, hours FROM work_order_labour WHERE work_order_id = ?
         ORDER BY day, recorded_at",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?)
}

/// The tasks a work order does, by name.
pub async fn tasks(state: &AppState, id: &str) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.name FROM work_order_tasks o JOIN plan_tasks t ON t.id = o.task_id
         WHERE o.work_order_id = ? ORDER BY t.name",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?)
}
