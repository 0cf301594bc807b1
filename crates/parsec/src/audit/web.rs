//! The inspectors' view of the audit log: filter by who, what, which record and when, and check
//! the whole chain on demand.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::Verdict;
use crate::accounts::Permission;
use crate::app::AppState;
use crate::db::list::COUNT_MOST;
use crate::error::AppResult;
use crate::web::auth::Auth;
use crate::web::page::{
    FilterField, Link, ListParams, ListRow, ListView, PAGE_SIZE, PageCtx, render,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(log))
        .route("/audit/verify", get(verify_page))
        .route("/api/v1/audit", get(log_api))
        .route("/api/v1/audit/verify", get(verify_api))
}

async fn log(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    auth.require(Permission::ViewAudit)?;
    let p = ListParams(q);
    let (rows, total) = super::log(&state.db, &log_filter(&p)).await?;
    let c = PageCtx::new(&state, &auth, "/audit");
    let (page, pages, prev_href, next_href) = p.pager("/audit", total);
    let filter = |name: &'static str, key: &str| FilterField {
        name,
        label: c.t(key),
        kind: "search",
        value: p.get(name).into(),
        options: vec![],
    };
    let filters = vec![
        filter("actor", "audit-actor"),
        filter("action", "audit-action"),
        filter("entity", "audit-entity"),
        filter("entity_id", "audit-entity-id"),
        filter("from", "audit-from"),
        filter("to", "audit-to"),
    ];
    let heads = [
        "audit-seq",
        "audit-at",
        "audit-actor",
        "audit-action",
        "audit-entity",
        "audit-entity-id",
        "audit-detail",
        "audit-hash",
    ];
    let view = ListView {
        title: c.t("nav-audit"),
        action: Some(Link::new("/audit/verify", c.t("audit-verify"))),
        filter_action: "",
        api_href: p.href_with("/api/v1/audit", "page", &page.to_string()),
        filters,
        columns: heads
            .iter()
            .map(|k| crate::web::page::ColumnHead::plain(c.t(k)))
            .collect(),
        rows: rows
            .into_iter()
            .map(|e| ListRow {
                href: String::new(),
                cells: vec![
                    e.seq.to_string(),
                    e.at,
                    e.actor,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.detail,
                    e.hash.chars().take(12).collect(),
                ],
            })
            .collect(),
        c,
        total,
        page,
        pages,
        prev_href,
        next_href,
    };
    render(&view)
}

fn verdict_message(state: &AppState, auth: &Auth, v: &Verdict) -> String {
    match v {
        Verdict::Intact { entries } => state.catalog.format(
            auth.lang,
            "audit-intact",
            &[("entries", &entries.to_string())],
        ),
        Verdict::Broken { seq, .. } => {
            state
                .catalog
                .format(auth.lang, "audit-broken", &[("seq", &seq.to_string())])
        }
    }
}

async fn verify_page(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewAudit)?;
    let verdict = super::verify(&state.db).await?;
    let mut c = PageCtx::new(&state, &auth, "/audit");
    c.flash = Some(verdict_message(&state, &auth, &verdict));
    let title = c.t("audit-verify-title");
    let view = ListView::single_page(c, title, "/api/v1/audit/verify", vec![], vec![]);
    render(&view)
}

async fn log_api(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<serde_json::Value>> {
    auth.require(Permission::ViewAudit)?;
    let p = ListParams(q);
    let (rows, total) = super::log(&state.db, &log_filter(&p)).await?;
    let items: Vec<_> = rows
        .iter()
        .map(|e| {
            json!({"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity,
                   "entity_id": e.entity_id, "detail": e.detail, "prev_hash": e.prev_hash, "hash": e.hash})
        })
        .collect();
    Ok(Json(
        // Counted up to COUNT_MOST: beyond, `total_capped` says there are more.
        json!({"items": items, "total": total.min(COUNT_MOST), "total_capped": total > COUNT_MOST,
               "page": p.page(), "per_page": PAGE_SIZE}),
    ))
}

async fn verify_api(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<serde_json::Value>> {
    auth.require(Permission::ViewAudit)?;
    Ok(Json(match super::verify(&state.db).await? {
        Verdict::Intact { entries } => json!({"intact": true, "entries": entries}),
        Verdict::Broken { seq, reason } => {
            json!({"intact": false, "first_bad_seq": seq, "reason": reason})
        }
    }))
}

/// The log's query string as the service takes it.
pub fn log_filter(p: &ListParams) -> super::LogFilter {
    let text = |name: &str| {
        Some(p.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    super::LogFilter {
        actor: text("actor"),
        action: text("action"),
        entity: text("entity"),
        entity_id: text("entity_id"),
        from: text("from"),
        to: text("to"),
        page: p.page(),
    }
}
