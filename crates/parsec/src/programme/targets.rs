//! Each indicator's baseline and target, as the programme set them (the values themselves are
//! computed, `indicators`).

use std::collections::HashMap;

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppResult, Problems};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Target {
    pub code: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub baseline_period: String,
}

/// The baselines and targets set, by indicator code.
pub async fn targets(state: &AppState) -> AppResult<HashMap<String, Target>> {
    let rows: Vec<Target> =
        sqlx::query_as("SELECT code, baseline, target, baseline_period FROM programme_indicators")
            .fetch_all(&state.db)
            .await?;
    Ok(rows.into_iter().map(|t| (t.code.clone(), t)).collect())
}

pub async fn set(state: &AppState, actor: &Actor, t: &Target) -> AppResult<()> {
    let mut p = Problems::default();
    if !super::indicators::CODES.contains(&t.code.as_str()) {
        p.add("code", "error-bad-choice");
    }
    for (field, v) in [("baseline", t.baseline), ("target", t.target)] {
        if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
            p.add(field, "error-out-of-range");
        }
    }
    p.finish(())?;
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO programme_indicators (code, baseline, target, baseline_period, updated_at,
         updated_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (code) DO UPDATE SET baseline = excluded.baseline, target = excluded.target,
         baseline_period = excluded.baseline_period, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by",
    )
    .bind(&t.code)
    .bind(t.baseline)
    .bind(t.target)
    .bind(t.baseline_period.trim())
    .bind(db::now_text())
    .bind(&actor.0)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "set",
        "programme_indicator",
        &t.code,
        &format!(
            "baseline={} target={}",
            t.baseline.map(|v| v.to_string()).unwrap_or_default(),
            t.target.map(|v| v.to_string()).unwrap_or_default()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
