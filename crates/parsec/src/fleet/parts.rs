//! Parts and stock: the catalogue (reference, compatible models, reorder threshold) and the
//! stock movements — entry, exit to a work order, transfer between stores, inventory. The
//! stock is the sum of the movements, never a stored number: an inventory writes the
//! difference it found. An exit that would take a store below zero is refused.

use sqlx::FromRow;

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult, Problems};

/// The kinds of movement, as stored.
pub const MOVEMENT_KINDS: &[&str] = &["entree", "transfert", "inventaire", "sortie"];

/// The workshop's own store, where parts go when no other is named.
pub const MAIN_STORE: &str = "Sévaré";

#[derive(Debug, Clone, PartialEq)]
pub struct NewPart {
    pub reference: String,
    pub name: String,
    /// The models it fits, as the catalogue says them.
    pub models: String,
    pub unit: String,
    pub reorder_at: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Movement {
    Entry {
        store: String,
        quantity: f64,
    },
    /// Out of a store, to a work order (or written off, with the note saying why).
    Exit {
        store: String,
        quantity: f64,
        work_order: Option<String>,
    },
    Transfer {
        from: String,
        to: String,
        quantity: f64,
    },
    /// What was counted in a store: the difference is written.
    Count {
        store: String,
        counted: f64,
    },
}

pub async fn create_part(state: &AppState, actor: &Actor, p: &NewPart) -> AppResult<String> {
    let mut problems = Problems::default();
    if p.reference.trim().is_empty() {
        problems.add("reference", "error-required");
    }
    if p.name.trim().is_empty() {
        problems.add("name", "error-required");
    }
    if !p.reorder_at.is_finite() || p.reorder_at < 0.0 {
        problems.add("reorder_at", "error-out-of-range");
    }
    problems.finish(())?;
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO parts (id, reference, name, models, unit, reorder_at, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(p.reference.trim())
    .bind(p.name.trim())
    .bind(p.models.trim())
    .bind(p.unit.trim())
    .bind(p.reorder_at)
    .bind(&actor.0)
    .bind(db::now_text())
    .execute(&mut *tx)
    .await
    .map_err(db::taken("reference", "error-part-reference-taken"))?;
    audit::append(&mut tx, actor, "create", "part", &id, p.reference.trim()).await?;
    tx.commit().await?;
    Ok(id)
}

async fn in_store(tx: &mut Tx, part: &str, store: &str) -> AppResult<f64> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(SUM(quantity), 0.0) FROM stock_movements WHERE part_id = ? AND store = ?",
    )
    .bind(part)
    .bind(store)
    .fetch_one(&mut **tx)
    .await?)
}

#[allow(clippy::too_many_arguments)]
async fn write(
    tx: &mut Tx,
    actor: &Actor,
    part: &str,
    store: &str,
    kind: &str,
    quantity: f64,
    work_order: Option<&str>,
    note: &str,
) -> AppResult<String> {
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO stock_movements (id, part_id, store, kind, quantity, work_order_id, note, at,
         by_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(part)
    .bind(store)
    .bind(kind)
    .bind(quantity)
    .bind(work_order)
    .bind(note)
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut **tx)
    .await?;
    audit::append(
        tx,
        actor,
        "create",
        "stock_movement",
        &id,
        &format!("part={part} store={store} kind={kind} quantity={quantity}"),
    )
    .await?;
    Ok(id)
}

/// Writes a movement, checked whole first: a quantity that is not positive, an unknown part or
/// work order, a closed work order, an exit or a transfer the store does not hold.
pub async fn move_stock(
    state: &AppState,
    actor: &Actor,
    part: &str,
    m: &Movement,
    note: &str,
) -> AppResult<()> {
    let mut p = Problems::default();
    let positive = |q: f64| q.is_finite() && q > 0.0;
    match m {
        Movement::Entry { quantity, .. }
        | Movement::Exit { quantity, .. }
        | Movement::Transfer { quantity, .. } => {
            if !positive(*quantity) {
                p.add("quantity", "error-out-of-range");
            }
        }
        Movement::Count { counted, .. } => {
            if !counted.is_finite() || *counted < 0.0 {
                p.add("quantity", "error-out-of-range");
            }
        }
    }
    let stores: Vec<&str> = match m {
        Movement::Entry { store, .. }
        | Movement::Exit { store, .. }
        | Movement::Count { store, .. } => {
            vec![store]
        }
        Movement::Transfer { from, to, .. } => {
            if from.trim() == to.trim() {
                p.add("to_store", "error-same-store");
            }
            vec![from, to]
        }
    };
    if stores.iter().any(|s| s.trim().is_empty()) {
        p.add("store", "error-required");
    }
    p.finish(())?;
    let note = note.trim();
    let mut tx = db::begin_write(&state.db).await?;
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM parts WHERE id = ?")
        .bind(part)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(AppError::NotFound);
    }
    match m {
        Movement::Entry { store, quantity } => {
            write(
                &mut tx,
                actor,
                part,
                store.trim(),
                "entree",
                *quantity,
                None,
                note,
            )
            .await?;
        }
        Movement::Exit {
            store,
            quantity,
            work_order,
        } => {
            if let Some(w) = work_order {
                let status: Option<(String,)> =
                    sqlx::query_as("SELECT status FROM work_orders WHERE id = ?")
                        .bind(w)
                        .fetch_optional(&mut *tx)
                        .await?;
                match status {
                    None => return Err(AppError::invalid("work_order", "error-bad-choice")),
                    Some((s,)) if super::work_orders::CLOSED.contains(&s.as_str()) => {
                        return Err(AppError::Conflict {
                            field: "work_order",
                            key: "error-work-order-closed",
                        });
                    }
                    Some(_) => {}
                }
            }
            if in_store(&mut tx, part, store.trim()).await? < *quantity {
                return Err(AppError::invalid("quantity", "error-stock-negative"));
            }
            let kind = "sortie";
            write(
                &mut tx,
                actor,
                part,
                store.trim(),
                kind,
                -quantity,
                work_order.as_deref(),
                note,
            )
            .await?;
        }
        Movement::Transfer { from, to, quantity } => {
            if in_store(&mut tx, part, from.trim()).await? < *quantity {
                return Err(AppError::invalid("quantity", "error-stock-negative"));
            }
            write(
                &mut tx,
                actor,
                part,
                from.trim(),
                "transfert",
                -quantity,
                None,
                note,
            )
            .await?;
            write(
                &mut tx,
                actor,
                part,
                to.trim(),
                "transfert",
                *quantity,
                None,
                note,
            )
            .await?;
        }
        Movement::Count { store, counted } => {
            let held = in_store(&mut tx, part, store.trim()).await?;
            write(
                &mut tx,
                actor,
                part,
                store.trim(),
                "inventaire",
                counted - held,
                None,
                note,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct StockLine {
    pub id: String,
    pub reference: String,
    pub name: String,
    pub models: String,
    pub unit: String,
    pub reorder_at: f64,
    /// Every store together.
    pub quantity: f64,
}

impl StockLine {
    pub fn below(&self) -> bool {
        self.quantity <= self.reorder_at && self.reorder_at > 0.0
    }
}

/// The catalogue with each part's stock (the sum of its movements).
pub async fn stock(state: &AppState) -> AppResult<Vec<StockLine>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.reference, p.name, p.models, p.unit, p.reorder_at,
           COALESCE((SELECT SUM(quantity) FROM stock_movements m WHERE m.part_id = p.id), 0.0)
             AS quantity
         FROM parts p ORDER BY p.reference",
    )
    .fetch_all(&state.db)
    .await?)
}

/// Parts at or below their reorder threshold.
pub async fn to_reorder(state: &AppState) -> AppResult<Vec<StockLine>> {
    Ok(stock(state)
        .await?
        .into_iter()
        .filter(StockLine::below)
        .collect())
}

/// A part's stock per store.
pub async fn stores(state: &AppState, part: &str) -> AppResult<Vec<(String, f64)>> {
    Ok(sqlx::query_as(
        "SELECT store, SUM(quantity) FROM stock_movements WHERE part_id = ? GROUP BY store
         ORDER BY store",
    )
    .bind(part)
    .fetch_all(&state.db)
    .await?)
}

/// The parts a work order used: reference, name, quantity.
pub async fn used_by(state: &AppState, work_order: &str) -> AppResult<Vec<(String, String, f64)>> {
    Ok(sqlx::query_as(
        "SELECT p.reference, p.name, -SUM(m.quantity) FROM stock_movements m
         JOIN parts p ON p.id = m.part_id WHERE m.work_order_id = ? GROUP BY p.id
         ORDER BY p.reference",
    )
    .bind(work_order)
    .fetch_all(&state.db)
    .await?)
}
