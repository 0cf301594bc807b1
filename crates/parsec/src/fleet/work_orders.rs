//! Work orders: opened from a defect report (any unit that sees the asset) or by the workshop;
//! a blocking one takes the asset into maintenance (out of dispatch) through the registry's
//! own function; the last blocking one closed gives it back. Closed is final.

use sqlx::FromRow;

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult};

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
const CLOSED: &[&str] = &["termine", "annule"];

#[derive(Debug, Clone, PartialEq)]
pub struct NewWorkOrder {
    pub kind: &'static str,
    pub defect: String,
    /// The asset cannot be sent while it is open.
    pub blocking: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct WorkOrder {
    pub id: String,
    pub asset_id: String,
    pub registration: String,
    pub unit_name: String,
    pub kind: String,
    pub status: String,
    pub blocking: bool,
    pub defect: String,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
}

const SELECT: &str = "w.id, w.asset_id, a.registration, u.name AS unit_name, w.kind, w.status,
    w.blocking, w.defect, w.opened_at, w.opened_by, w.closed_at";
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
    let defect = w.defect.trim();
    if defect.is_empty() || defect.chars().count() > 2000 {
        return Err(AppError::invalid("defect", "error-required"));
    }
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO work_orders (id, asset_id, kind, status, blocking, defect, opened_at, opened_by)
         VALUES (?, ?, ?, 'ouvert', ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(asset_id)
    .bind(w.kind)
    .bind(w.blocking)
    .bind(defect)
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "work_order",
        &id,
        &format!("asset={asset_id} kind={} blocking={}", w.kind, w.blocking),
    )
    .await?;
    if w.blocking {
        crate::registry::into_workshop(&mut tx, actor, asset_id, &format!("work_order={id}"))
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Moves a work order on; closing it (done or cancelled) gives its asset back when no other
/// blocking work order remains open.
pub async fn set_status(
    state: &AppState,
    actor: &Actor,
    id: &str,
    status: &str,
    note: &str,
) -> AppResult<()> {
    if !STATUSES.contains(&status) {
        return Err(AppError::invalid("status", "error-bad-choice"));
    }
    let mut tx = db::begin_write(&state.db).await?;
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT asset_id, status FROM work_orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((asset_id, current)) = found else {
        return Err(AppError::NotFound);
    };
    if CLOSED.contains(&current.as_str()) {
        return Err(AppError::Conflict {
            field: "status",
            key: "error-work-order-closed",
        });
    }
    let closing = CLOSED.contains(&status);
    let now = db::now_text();
    sqlx::query(
        "UPDATE work_orders SET status = ?2,
           closed_at = CASE WHEN ?3 THEN ?4 END, closed_by = CASE WHEN ?3 THEN ?5 END,
           closing_note = CASE WHEN ?3 THEN ?6 ELSE closing_note END
         WHERE id = ?1",
    )
    .bind(id)
    .bind(status)
    .bind(closing)
    .bind(&now)
    .bind(&actor.0)
    .bind(note.trim())
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, actor, "status", "work_order", id, status).await?;
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

/// The open work orders (of every force: the workshop's board), the oldest first.
pub async fn open_orders(state: &AppState) -> AppResult<Vec<WorkOrder>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SELECT} FROM {FROM} WHERE w.status NOT IN ('termine', 'annule')
         ORDER BY w.opened_at LIMIT 500"
    )))
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
