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

/// The actions the log records, each said in words by `audit-action-<code>` (an action not
/// listed here is shown as its code).
pub const ACTIONS: &[&str] = &[
    "backdate",
    "breakdown",
    "confirme",
    "correct",
    "create",
    "destroy",
    "disable",
    "dispatch",
    "done",
    "ecarte",
    "enable",
    "engaged",
    "enrol",
    "export",
    "find",
    "import",
    "import_abandon",
    "import_stage",
    "import_start",
    "init",
    "inspect",
    "instruction_read",
    "list",
    "login",
    "logout",
    "on_site",
    "password",
    "pin",
    "purge",
    "read",
    "receive",
    "register",
    "replace",
    "report",
    "resolve",
    "retire",
    "revoke",
    "rotate",
    "screen",
    "set",
    "set_lang",
    "share",
    "status",
    "trust",
    "update",
];

/// The records the log names, said by `audit-entity-<code>`, and where each one's page is.
pub const ENTITIES: &[(&str, Option<&str>)] = &[
    ("api_token", None),
    ("asset", Some("/assets/")),
    ("budget_entry", None),
    ("budget_line", Some("/programme/budget/lines/")),
    ("crossing", Some("/border/crossings/")),
    ("crossing_vehicle", Some("/border/vehicles/")),
    ("custody", Some("/custody/")),
    ("custody_entry", None),
    ("custody_rule", None),
    ("data_key", None),
    ("exchange_package", None),
    ("fuel_issue", None),
    ("exchange_partner", None),
    ("goods_category", None),
    ("goods_declaration", None),
    ("incident", Some("/incidents/")),
    ("maintenance_plan", Some("/workshop/plans/")),
    ("master_key", None),
    ("meter_reading", None),
    ("node", None),
    ("part", None),
    ("partner_alert", None),
    ("patrol", Some("/patrols/")),
    ("person", None),
    ("plan_task", None),
    ("programme_activity", None),
    ("programme_delivery", None),
    ("programme_indicator", None),
    ("programme_intervention", None),
    ("programme_need", None),
    ("programme_partner", None),
    ("programme_report", None),
    ("response", None),
    ("screening_hit", Some("/screening/hits/")),
    ("session", None),
    ("site", Some("/sites/")),
    ("stock_movement", None),
    ("sync_conflict", None),
    ("traveller", None),
    ("unit", Some("/units/")),
    ("user", Some("/admin/users/")),
    ("watchlist", None),
    ("watchlist_entry", None),
    ("work_order", Some("/workshop/orders/")),
    ("work_order_labour", None),
];

pub(crate) fn action_words(c: &PageCtx, code: &str) -> String {
    if ACTIONS.contains(&code) {
        c.t(&format!("audit-action-{code}"))
    } else {
        code.to_string()
    }
}

/// The record an entry names, in words, and the link to its page when it has one.
fn object(c: &PageCtx, entity: &str, id: &str) -> (String, String) {
    let Some((_, page)) = ENTITIES.iter().find(|(e, _)| *e == entity) else {
        return (format!("{entity} {id}"), String::new());
    };
    let words = c.t(&format!("audit-entity-{entity}"));
    // "-" is an entry about many records (a list, a search) or none.
    match (page, id) {
        (_, "-" | "") => (words, String::new()),
        (Some(page), id) => (format!("{words} {id}"), format!("{page}{id}")),
        (None, id) => (format!("{words} {id}"), String::new()),
    }
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
        "audit-object",
        "audit-at",
        "audit-actor",
        "audit-action",
        "audit-detail",
        "audit-seq",
        "audit-hash",
    ];
    let rows = rows
        .into_iter()
        .map(|e| {
            let (what, href) = object(&c, &e.entity, &e.entity_id);
            ListRow {
                href,
                cells: vec![
                    what,
                    crate::web::page::when_text(&e.at),
                    e.actor,
                    action_words(&c, &e.action),
                    e.detail,
                    e.seq.to_string(),
                    e.hash.chars().take(12).collect(),
                ],
            }
        })
        .collect();
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
        rows,
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
    let c = PageCtx::new(&state, &auth, "/audit");
    let intact = matches!(verdict, Verdict::Intact { .. });
    let view = crate::web::page::DetailView {
        title: c.t("audit-verify-title"),
        back_href: "/audit".into(),
        edit_href: None,
        fields: vec![crate::web::page::DetailField {
            label: c.t(if intact {
                "audit-verdict-intact"
            } else {
                "audit-verdict-broken"
            }),
            value: verdict_message(&state, &auth, &verdict),
            href: None,
        }],
        tables: Vec::new(),
        c,
    };
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
