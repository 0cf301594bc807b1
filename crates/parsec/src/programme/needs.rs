//! The needs found at identification (the joint diagnostic): per unit or cercle, with a
//! priority, and the activity that answers each. A need that no activity answers stands out.

use sqlx::FromRow;
use time::Date;

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppResult, Problems};

#[derive(Debug, Clone, PartialEq)]
pub struct NewNeed {
    pub title: String,
    pub unit_id: Option<String>,
    pub cercle: String,
    /// 1 (highest) to 3.
    pub priority: i64,
    pub activity_id: Option<String>,
    pub identified_on: Date,
}

#[derive(Debug, Clone, FromRow)]
pub struct Need {
    pub id: String,
    pub title: String,
    pub unit: Option<String>,
    pub cercle: String,
    pub priority: i64,
    pub activity_id: Option<String>,
    pub activity: Option<String>,
    pub identified_on: String,
    pub demo: bool,
}

impl Need {
    /// No activity answers it.
    pub fn unanswered(&self) -> bool {
        self.activity_id.is_none()
    }
}

pub async fn create(state: &AppState, actor: &Actor, n: &NewNeed) -> AppResult<String> {
    let mut p = Problems::default();
    if n.title.trim().is_empty() {
        p.add("title", "error-required");
    }
    if !(1..=3).contains(&n.priority) {
        p.add("priority", "error-bad-choice");
    }
    let cercle_known = state.gazetteer.cercles().iter().any(|c| c.name == n.cercle);
    if n.unit_id.is_none() && !cercle_known {
        p.add("cercle", "error-need-where");
    } else if !n.cercle.is_empty() && !cercle_known {
        p.add("cercle", "error-bad-choice");
    }
    if let Some(u) = &n.unit_id {
        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE id = ?")
            .bind(u)
            .fetch_one(&state.db)
            .await?;
        if known == 0 {
            p.add("unit_id", "error-bad-choice");
        }
    }
    if let Some(a) = &n.activity_id
        && super::activities::activity(state, a).await.is_err()
    {
        p.add("activity_id", "error-bad-choice");
    }
    p.finish(())?;
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO programme_needs (id, title, unit_id, cercle, priority, activity_id,
         identified_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(n.title.trim())
    .bind(&n.unit_id)
    .bind(&n.cercle)
    .bind(n.priority)
    .bind(&n.activity_id)
    .bind(n.identified_on.to_string())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "programme_need",
        &id,
        n.title.trim(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The needs, those no activity answers first, then by priority.
pub async fn needs(state: &AppState) -> AppResult<Vec<Need>> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.title, u.name AS unit, n.cercle, n.priority, n.activity_id,
                a.code || ' ' || a.title AS activity, n.identified_on, n.demo
         FROM programme_needs n LEFT JOIN units u ON u.id = n.unit_id
         LEFT JOIN programme_activities a ON a.id = n.activity_id
         ORDER BY n.activity_id IS NOT NULL, n.priority, n.title",
    )
    .fetch_all(&state.db)
    .await?)
}
