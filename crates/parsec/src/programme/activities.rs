//! The programme's partners, its activities (phase, component, responsible partner, planned
//! and actual dates, status) and who does what where (a partner in a cercle, for an activity).

use sqlx::FromRow;
use time::Date;

use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppError, AppResult, Problems};

/// The phases, as stored.
pub const PHASES: &[&str] = &["identification", "mise_en_oeuvre"];
/// The components: 1, security of the population and territorial control under the rule of
/// law; 2, the border areas; and the means behind both.
pub const COMPONENTS: &[&str] = &["securite", "frontieres", "moyens"];
pub const STATUSES: &[&str] = &["prevue", "en_cours", "terminee", "annulee"];
pub const PARTNER_KINDS: &[&str] = &["bailleur", "mise_en_oeuvre", "beneficiaire", "partenaire"];

#[derive(Debug, Clone, PartialEq)]
pub struct NewPartner {
    pub name: String,
    pub kind: String,
    pub note: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub note: String,
}

/// An activity as a form gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityInput {
    pub code: String,
    pub title: String,
    pub phase: String,
    pub component: String,
    pub partner_id: Option<String>,
    pub planned_start: Date,
    pub planned_end: Date,
    pub actual_start: Option<Date>,
    pub actual_end: Option<Date>,
    pub status: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Activity {
    pub id: String,
    pub code: String,
    pub title: String,
    pub phase: String,
    pub component: String,
    pub partner_id: Option<String>,
    pub partner: Option<String>,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub status: String,
    pub demo: bool,
}

impl Activity {
    /// Late: past its planned end and not finished (or finished after it).
    pub fn late(&self, today: Date) -> bool {
        let end = db::day(&self.planned_end);
        match (&self.actual_end, end) {
            (Some(done), Some(end)) => db::day(done).is_some_and(|d| d > end),
            (None, Some(end)) => self.status != "annulee" && today > end,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct Intervention {
    pub id: String,
    pub partner_id: String,
    pub partner: String,
    pub activity_id: Option<String>,
    pub activity: Option<String>,
    pub cercle: String,
    pub note: String,
}

fn check_choice(p: &mut Problems, field: &'static str, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        p.add(field, "error-bad-choice");
    }
}

pub fn check_partner(n: &NewPartner, p: &mut Problems) {
    if n.name.trim().is_empty() {
        p.add("name", "error-required");
    }
    check_choice(p, "kind", &n.kind, PARTNER_KINDS);
}

pub async fn create_partner(state: &AppState, actor: &Actor, n: &NewPartner) -> AppResult<String> {
    let mut p = Problems::default();
    check_partner(n, &mut p);
    p.finish(())?;
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query("INSERT INTO programme_partners (id, name, kind, note) VALUES (?, ?, ?, ?)")
        .bind(&id)
        .bind(n.name.trim())
        .bind(&n.kind)
        .bind(n.note.trim())
        .execute(&mut *tx)
        .await
        .map_err(db::taken("name", "error-partner-taken"))?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "programme_partner",
        &id,
        n.name.trim(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn partners(state: &AppState) -> AppResult<Vec<Partner>> {
    Ok(
        sqlx::query_as("SELECT id, name, kind, note FROM programme_partners ORDER BY name")
            .fetch_all(&state.db)
            .await?,
    )
}

/// Every error of an activity at once.
pub fn check_activity(a: &ActivityInput, p: &mut Problems) {
    if a.code.trim().is_empty() {
        p.add("code", "error-required");
    }
    if a.title.trim().is_empty() {
        p.add("title", "error-required");
    }
    check_choice(p, "phase", &a.phase, PHASES);
    check_choice(p, "component", &a.component, COMPONENTS);
    check_choice(p, "status", &a.status, STATUSES);
    if a.planned_end < a.planned_start {
        p.add("planned_end", "error-end-before-start");
    }
    if let (Some(s), Some(e)) = (a.actual_start, a.actual_end)
        && e < s
    {
        p.add("actual_end", "error-end-before-start");
    }
    if a.actual_end.is_some() && a.actual_start.is_none() {
        p.add("actual_start", "error-required");
    }
}

async fn partner_known(state: &AppState, id: Option<&str>) -> AppResult<bool> {
    let Some(id) = id else { return Ok(true) };
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM programme_partners WHERE id = ?")
            .bind(id)
            .fetch_one(&state.db)
            .await?
            == 1,
    )
}

/// Creates (`id` None) or updates an activity.
pub async fn save_activity(
    state: &AppState,
    actor: &Actor,
    id: Option<&str>,
    a: &ActivityInput,
) -> AppResult<String> {
    let mut p = Problems::default();
    check_activity(a, &mut p);
    if !partner_known(state, a.partner_id.as_deref()).await? {
        p.add("partner_id", "error-bad-choice");
    }
    p.finish(())?;
    let day = |d: Option<Date>| d.map(|d| d.to_string());
    let mut tx = db::begin_write(&state.db).await?;
    let id = match id {
        None => {
            let id = db::new_id();
            sqlx::query(
                "INSERT INTO programme_activities (id, code, title, phase, component, partner_id,
                 planned_start, planned_end, actual_start, actual_end, status)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(a.code.trim())
            .bind(a.title.trim())
            .bind(&a.phase)
            .bind(&a.component)
            .bind(&a.partner_id)
            .bind(a.planned_start.to_string())
            .bind(a.planned_end.to_string())
            .bind(day(a.actual_start))
            .bind(day(a.actual_end))
            .bind(&a.status)
            .execute(&mut *tx)
            .await
            .map_err(db::taken("code", "error-activity-code-taken"))?;
            audit::append(
                &mut tx,
                actor,
                "create",
                "programme_activity",
                &id,
                a.code.trim(),
            )
            .await?;
            id
        }
        Some(id) => {
            let done = sqlx::query(
                "UPDATE programme_activities SET code = ?, title = ?, phase = ?, component = ?,
                 partner_id = ?, planned_start = ?, planned_end = ?, actual_start = ?,
                 actual_end = ?, status = ? WHERE id = ?",
            )
            .bind(a.code.trim())
            .bind(a.title.trim())
            .bind(&a.phase)
            .bind(&a.component)
            .bind(&a.partner_id)
            .bind(a.planned_start.to_string())
            .bind(a.planned_end.to_string())
            .bind(day(a.actual_start))
            .bind(day(a.actual_end))
            .bind(&a.status)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db::taken("code", "error-activity-code-taken"))?;
            if done.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            audit::append(
                &mut tx,
                actor,
                "update",
                "programme_activity",
                id,
                &format!("status={}", a.status),
            )
            .await?;
            id.to_string()
        }
    };
    tx.commit().await?;
    Ok(id)
}

const ACTIVITY_SELECT: &str = "SELECT a.id, a.code, a.title, a.phase, a.component, a.partner_id,
    p.name AS partner, a.planned_start, a.planned_end, a.actual_start, a.actual_end, a.status,
    a.demo FROM programme_activities a LEFT JOIN programme_partners p ON p.id = a.partner_id";

/// The activities in plan order.
pub async fn activities(state: &AppState) -> AppResult<Vec<Activity>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ACTIVITY_SELECT} ORDER BY a.planned_start, a.code"
    )))
    .fetch_all(&state.db)
    .await?)
}

pub async fn activity(state: &AppState, id: &str) -> AppResult<Activity> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ACTIVITY_SELECT} WHERE a.id = ?"
    )))
    .bind(id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewIntervention {
    pub partner_id: String,
    pub activity_id: Option<String>,
    pub cercle: String,
    pub note: String,
}

/// Records that a partner works in a cercle (for an activity or on its own account).
pub async fn add_intervention(
    state: &AppState,
    actor: &Actor,
    n: &NewIntervention,
) -> AppResult<String> {
    let mut p = Problems::default();
    if !partner_known(state, Some(&n.partner_id)).await? {
        p.add("partner_id", "error-bad-choice");
    }
    if !state.gazetteer.cercles().iter().any(|c| c.name == n.cercle) {
        p.add("cercle", "error-bad-choice");
    }
    if let Some(a) = &n.activity_id
        && activity(state, a).await.is_err()
    {
        p.add("activity_id", "error-bad-choice");
    }
    p.finish(())?;
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO programme_interventions (id, partner_id, activity_id, cercle, note)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&n.partner_id)
    .bind(&n.activity_id)
    .bind(&n.cercle)
    .bind(n.note.trim())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "programme_intervention",
        &id,
        &format!("cercle={}", n.cercle),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Who does what where, by cercle then partner.
pub async fn interventions(state: &AppState) -> AppResult<Vec<Intervention>> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.partner_id, p.name AS partner, i.activity_id,
                a.code || ' ' || a.title AS activity, i.cercle, i.note
         FROM programme_interventions i JOIN programme_partners p ON p.id = i.partner_id
         LEFT JOIN programme_activities a ON a.id = i.activity_id
         ORDER BY i.cercle, p.name",
    )
    .fetch_all(&state.db)
    .await?)
}
