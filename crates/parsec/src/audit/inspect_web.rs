//! The inspector's pages: a person's records and every access to them (`/audit/person`), and
//! the reports of an inspection (`/audit/reports`): accesses per user and day, unusual access,
//! exports of personal data.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::inspection::{self, PersonQuery};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::web::auth::Auth;
use crate::web::page::{DetailTable, ListRow, PageCtx, day_text, render, when_text};

type Params = Query<HashMap<String, String>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit/person", get(person))
        .route("/audit/reports", get(reports))
}

#[derive(askama::Template)]
#[template(path = "inspect.html")]
struct Page {
    c: PageCtx,
    title: String,
    action: &'static str,
    /// The form's fields: name, label, value.
    inputs: Vec<(&'static str, String, String)>,
    error: Option<String>,
    tables: Vec<DetailTable>,
}

fn entity_href(entity: &str, id: &str) -> String {
    super::web::ENTITIES
        .iter()
        .find(|(e, _)| *e == entity)
        .and_then(|(_, page)| *page)
        .map(|page| format!("{page}{id}"))
        .unwrap_or_default()
}

fn entity_words(c: &PageCtx, entity: &str) -> String {
    if super::web::ENTITIES.iter().any(|(e, _)| *e == entity) {
        c.t(&format!("audit-entity-{entity}"))
    } else {
        entity.to_string()
    }
}

fn access_table(c: &PageCtx, title: String, rows: &[inspection::Access]) -> DetailTable {
    DetailTable {
        title,
        columns: [
            "field-when",
            "audit-actor",
            "audit-action",
            "audit-entity",
            "audit-detail",
        ]
        .iter()
        .map(|k| c.t(k))
        .collect(),
        rows: rows
            .iter()
            .map(|a| ListRow {
                href: String::new(),
                cells: vec![
                    when_text(&a.at),
                    a.actor.clone(),
                    super::web::action_words(c, &a.action),
                    format!("{} {}", entity_words(c, &a.entity), a.entity_id),
                    a.detail.clone(),
                ],
            })
            .collect(),
    }
}

async fn person(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewAudit)?;
    let c = PageCtx::new(&state, &auth, "/audit");
    let get = |k: &str| q.get(k).map_or("", String::as_str).to_string();
    let inputs = vec![
        ("name", c.t("inspect-name"), get("name")),
        ("birth", c.t("crossing-birth"), get("birth")),
        ("document", c.t("crossing-document-number"), get("document")),
    ];
    let mut tables = Vec::new();
    let mut error = None;
    if !get("name").trim().is_empty() || !get("document").trim().is_empty() {
        let query = PersonQuery {
            name: get("name"),
            birth: Some(crate::db::iso_day(&get("birth"))).filter(|b| !b.is_empty()),
            document: get("document"),
        };
        match inspection::person(&state, &auth.user.actor(), &query).await {
            Ok((holdings, accesses)) => {
                tables.push(DetailTable {
                    title: c.tf("inspect-records", &[("n", &holdings.len().to_string())]),
                    columns: [
                        "audit-entity",
                        "inspect-name",
                        "field-when",
                        "inspect-score",
                    ]
                    .iter()
                    .map(|k| c.t(k))
                    .collect(),
                    rows: holdings
                        .iter()
                        .map(|h| ListRow {
                            href: entity_href(h.entity, &h.id),
                            cells: vec![
                                format!("{} {}", entity_words(&c, h.entity), h.id),
                                h.name.clone(),
                                when_text(&h.when),
                                format!("{:.0} %", h.score * 100.0),
                            ],
                        })
                        .collect(),
                });
                tables.push(access_table(
                    &c,
                    c.tf("inspect-accesses", &[("n", &accesses.len().to_string())]),
                    &accesses,
                ));
            }
            Err(e) if e.is_user() => error = Some(c.t(e.message_key())),
            Err(e) => return Err(e),
        }
    }
    Ok(render(&Page {
        title: c.t("inspect-person"),
        action: "/audit/person",
        inputs,
        error,
        tables,
        c,
    })?
    .into_response())
}

async fn reports(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewAudit)?;
    let c = PageCtx::new(&state, &auth, "/audit");
    let today = crate::db::now().date();
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    let to = crate::db::day(get("to")).unwrap_or(today);
    let from = crate::db::day(get("from"))
        .filter(|f| *f <= to)
        .unwrap_or(to - time::Duration::days(30));
    let r = inspection::reports(&state, from, to).await?;
    let inputs = vec![
        ("from", c.t("crossing-from"), day_text(&from.to_string())),
        ("to", c.t("crossing-to"), day_text(&to.to_string())),
    ];
    let row = |cells: Vec<String>| ListRow {
        href: String::new(),
        cells,
    };
    let tables = vec![
        DetailTable {
            title: c.t("inspect-unusual"),
            columns: [
                "audit-actor",
                "field-role",
                "inspect-reads",
                "inspect-peers-median",
                "inspect-outside-unit",
            ]
            .iter()
            .map(|k| c.t(k))
            .collect(),
            rows: r
                .unusual
                .iter()
                .map(|u| {
                    row(vec![
                        u.actor.clone(),
                        u.role.clone(),
                        u.reads.to_string(),
                        format!("{:.1}", u.peers_median),
                        u.outside_unit.to_string(),
                    ])
                })
                .collect(),
        },
        access_table(&c, c.t("inspect-exports"), &r.exports),
        DetailTable {
            title: c.t("inspect-per-day"),
            columns: ["audit-actor", "field-day", "inspect-reads"]
                .iter()
                .map(|k| c.t(k))
                .collect(),
            rows: r
                .per_day
                .iter()
                .map(|d| row(vec![d.actor.clone(), day_text(&d.day), d.reads.to_string()]))
                .collect(),
        },
    ];
    Ok(render(&Page {
        title: c.t("inspect-reports"),
        action: "/audit/reports",
        inputs,
        error: None,
        tables,
        c,
    })?
    .into_response())
}
