//! What the programme handed over — equipment and infrastructure linked to the registry's
//! assets and sites, with the recipient unit, the title deed and the warranty — and what became
//! of each: the asset's status now and its availability since the handover, from the workshop's
//! records (`fleet::availability`), which start with the workshop's first records.

use std::collections::BTreeMap;

use sqlx::FromRow;
use time::Date;

use crate::accounts::Scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::db;
use crate::error::{AppResult, Problems};

pub const KINDS: &[&str] = &["equipement", "infrastructure"];

#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub title: String,
    pub kind: String,
    pub asset_id: Option<String>,
    pub site_id: Option<String>,
    pub activity_id: Option<String>,
    pub recipient_unit_id: Option<String>,
    pub handed_over_on: Date,
    pub document_ref: String,
    pub warranty_end: Option<Date>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Delivery {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub asset_id: Option<String>,
    pub registration: Option<String>,
    pub asset_status: Option<String>,
    pub site_id: Option<String>,
    pub site: Option<String>,
    pub activity: Option<String>,
    pub recipient: Option<String>,
    pub handed_over_on: String,
    pub document_ref: String,
    pub warranty_end: Option<String>,
    pub demo: bool,
    /// The asset's availability since the handover (the workshop's records), 0 to 1.
    #[sqlx(skip)]
    pub availability: Option<f64>,
}

impl Delivery {
    pub fn under_warranty(&self, today: Date) -> bool {
        self.warranty_end
            .as_deref()
            .and_then(db::day)
            .is_some_and(|w| w >= today)
    }
}

/// Every error of a delivery at once; an asset or a site must exist.
pub async fn check(state: &AppState, d: &NewDelivery, p: &mut Problems) -> AppResult<()> {
    if d.title.trim().is_empty() {
        p.add("title", "error-required");
    }
    if !KINDS.contains(&d.kind.as_str()) {
        p.add("kind", "error-bad-choice");
    }
    let exists = async |table: &str, id: &Option<String>| -> AppResult<bool> {
        let Some(id) = id else { return Ok(true) };
        Ok(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE id = ?"
        )))
        .bind(id)
        .fetch_one(&state.db)
        .await?
            == 1)
    };
    if !exists("assets", &d.asset_id).await? {
        p.add("asset_id", "error-bad-choice");
    }
    if !exists("sites", &d.site_id).await? {
        p.add("site_id", "error-bad-choice");
    }
    if !exists("units", &d.recipient_unit_id).await? {
        p.add("recipient_unit_id", "error-bad-choice");
    }
    if !exists("programme_activities", &d.activity_id).await? {
        p.add("activity_id", "error-bad-choice");
    }
    if let Some(w) = d.warranty_end
        && w < d.handed_over_on
    {
        p.add("warranty_end", "error-end-before-start");
    }
    Ok(())
}

pub async fn create(state: &AppState, actor: &Actor, d: &NewDelivery) -> AppResult<String> {
    let mut p = Problems::default();
    check(state, d, &mut p).await?;
    p.finish(())?;
    let id = db::new_id();
    let mut tx = db::begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO programme_deliveries (id, title, kind, asset_id, site_id, activity_id,
         recipient_unit_id, handed_over_on, document_ref, warranty_end)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(d.title.trim())
    .bind(&d.kind)
    .bind(&d.asset_id)
    .bind(&d.site_id)
    .bind(&d.activity_id)
    .bind(&d.recipient_unit_id)
    .bind(d.handed_over_on.to_string())
    .bind(d.document_ref.trim())
    .bind(d.warranty_end.map(|w| w.to_string()))
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        actor,
        "create",
        "programme_delivery",
        &id,
        d.title.trim(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The deliveries, oldest handover first, each with what became of it.
pub async fn deliveries(state: &AppState) -> AppResult<Vec<Delivery>> {
    let mut rows: Vec<Delivery> = sqlx::query_as(
        "SELECT d.id, d.title, d.kind, d.asset_id, a.registration, a.status AS asset_status,
                d.site_id, s.name AS site, t.code || ' ' || t.title AS activity,
                u.name AS recipient, d.handed_over_on, d.document_ref, d.warranty_end, d.demo
         FROM programme_deliveries d LEFT JOIN assets a ON a.id = d.asset_id
         LEFT JOIN sites s ON s.id = d.site_id
         LEFT JOIN programme_activities t ON t.id = d.activity_id
         LEFT JOIN units u ON u.id = d.recipient_unit_id
         ORDER BY d.handed_over_on, d.title",
    )
    .fetch_all(&state.db)
    .await?;
    // One availability report per handover day (deliveries come in batches: the boats and
    // ambulances of one ceremony share it), per asset from there to today.
    let today = state.clock.now().date();
    let mut by_day: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in rows.iter().enumerate() {
        if d.asset_id.is_some() {
            by_day.entry(d.handed_over_on.clone()).or_default().push(i);
        }
    }
    for (day, items) in by_day {
        let Some(from) = db::day(&day).filter(|d| *d <= today) else {
            continue;
        };
        let report = crate::fleet::availability::report(
            state,
            &Scope::All,
            from,
            today,
            crate::fleet::availability::By::Force,
            30,
        )
        .await?;
        for i in items {
            let asset = rows[i].asset_id.clone();
            rows[i].availability = report
                .assets
                .iter()
                .find(|a| Some(&a.asset_id) == asset.as_ref())
                .and_then(|a| a.availability.rate());
        }
    }
    Ok(rows)
}
