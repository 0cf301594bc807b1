//! The nodes' pages (issue 11): on the regional node, this node and every post it registered —
//! enrolled or waiting, last contact, changes received, what went wrong at the last exchange,
//! open conflicts; on a post, the regional node, the last contact and what waits to go up. The
//! conflicts kept by the synchronisation, and the decision on each. The banner of a post that
//! has not heard from the regional node for a while, on every page (`offline`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::conflicts::{self, Choice, Conflict};
use super::{Identity, Role};
use crate::accounts::{Permission, Scope};
use crate::app::AppState;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::i18n::{Catalog, Lang};
use crate::web::auth::Auth;
use crate::web::page::{DetailField, Fields, PageCtx, render, when_text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/nodes", get(nodes_page))
        .route("/nodes/conflicts", get(conflicts_list))
        .route("/nodes/conflicts/{id}", post(resolve))
}

// ---------------------------------------------------------------------------------------------
// The banner of a post out of touch

/// How long a post may go without hearing from the regional node before its pages say so (the
/// exchange runs every few minutes while the link is up).
pub const OFFLINE_AFTER: time::Duration = time::Duration::minutes(15);

/// A post out of touch with the regional node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offline {
    /// The last contact (RFC 3339); None when the post never reached the regional node.
    pub since: Option<String>,
    /// This post's own changes the regional node has not acknowledged yet.
    pub pending: i64,
}

/// This post's changes that wait to go up: its own stream's last number, less what the
/// regional node acknowledged (`sent`). Two lookups by key.
async fn pending_up(db: &Db, me: &str) -> AppResult<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT MAX(seq) FROM changes WHERE origin = ?), 0)
              - COALESCE((SELECT applied FROM sync_cursors WHERE stream = 'sent'), 0)",
    )
    .bind(me)
    .fetch_one(db)
    .await?;
    Ok(n.max(0))
}

/// Whether this node is a post out of touch, asked on every page: one query (this node's role
/// and id by key, and on a post the regional node's last contact — a post's node list holds
/// that one row), and the pending count only when the banner is due.
pub async fn offline(db: &Db) -> AppResult<Option<Offline>> {
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT m.value,
                (SELECT last_contact FROM nodes WHERE role = 'regional' LIMIT 1)
         FROM meta r JOIN meta m ON m.key = 'node_id'
         WHERE r.key = 'node_role' AND r.value = 'post'",
    )
    .fetch_optional(db)
    .await?;
    let Some((me, since)) = found else {
        return Ok(None);
    };
    let recent = since
        .as_deref()
        .and_then(db::parse_timestamp)
        .is_some_and(|t| db::now() - t < OFFLINE_AFTER);
    if recent {
        return Ok(None);
    }
    Ok(Some(Offline {
        since,
        pending: pending_up(db, &me).await?,
    }))
}

/// The banner's text: `Hors ligne depuis le … — N enregistrements en attente d'envoi`.
pub fn offline_text(catalog: &Catalog, lang: Lang, o: &Offline) -> String {
    let since = match &o.since {
        Some(at) => catalog.format(lang, "offline-since", &[("since", &when_text(at))]),
        None => catalog.get(lang, "offline-never").to_string(),
    };
    let pending = match o.pending {
        0 => catalog.get(lang, "offline-pending-none").to_string(),
        1 => catalog.get(lang, "offline-pending-one").to_string(),
        n => catalog.format(lang, "offline-pending", &[("count", &lang.number(n))]),
    };
    format!("{since} — {pending}")
}

// ---------------------------------------------------------------------------------------------
// The nodes

/// What went wrong at a node's last exchange, said in the page's language. On the regional node
/// a post's note is its clock ahead (`clock-ahead <ms>`) or its audit chain that no longer
/// agrees with what it signed; on a post, the failed exchange (its detail is in the log).
fn warning(c: &PageCtx, seen_from: Role, last_error: Option<&str>) -> Option<String> {
    let e = last_error.map(str::trim).filter(|e| !e.is_empty())?;
    if let Some(ms) = e
        .strip_prefix("clock-ahead ")
        .and_then(|ms| ms.trim().parse::<u64>().ok())
    {
        let minutes = ms.div_ceil(60_000).to_string();
        return Some(c.tf("nodes-warn-clock", &[("minutes", &minutes)]));
    }
    Some(c.t(match seen_from {
        Role::Regional => "nodes-warn-audit",
        Role::Post => "nodes-warn-exchange",
    }))
}

fn contact_text(c: &PageCtx, at: Option<&str>) -> String {
    at.map_or_else(|| c.t("nodes-never"), when_text)
}

/// A post as the regional node sees it.
struct PostLine {
    name: String,
    unit: String,
    state: String,
    contact: String,
    received: String,
    warning: Option<String>,
    conflicts: usize,
    conflicts_href: String,
}

#[derive(sqlx::FromRow)]
struct PostRow {
    name: String,
    unit_id: Option<String>,
    unit: String,
    node_id: Option<String>,
    enrolled_at: Option<String>,
    code_expires_at: Option<String>,
    last_contact: Option<String>,
    last_error: Option<String>,
    received: i64,
}

#[derive(Template)]
#[template(path = "nodes.html")]
struct NodesPage {
    c: PageCtx,
    title: String,
    /// This node: name, role, unit, id (empty before `parsec node init`).
    me: Vec<DetailField>,
    is_regional: bool,
    posts: Vec<PostLine>,
    /// On a post: the regional node.
    regional: Vec<DetailField>,
    warning: Option<String>,
    conflicts: usize,
}

async fn unit_name(db: &Db, id: &str) -> AppResult<String> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT name FROM units WHERE id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?
            .unwrap_or_default(),
    )
}

/// Open conflicts per node whose write is one of the two.
fn conflicts_of(open: &[Conflict], node: &str) -> usize {
    open.iter()
        .filter(|k| k.lost_origin == node || k.kept_origin.as_deref() == Some(node))
        .count()
}

async fn post_lines(
    state: &AppState,
    c: &PageCtx,
    scope: &Scope,
    open: &[Conflict],
) -> AppResult<Vec<PostLine>> {
    let rows: Vec<PostRow> = sqlx::query_as(
        "SELECT n.name, n.unit_id, COALESCE(u.name, '') AS unit, n.node_id, n.enrolled_at,
                n.code_expires_at, n.last_contact, n.last_error,
                COALESCE(k.applied, 0) AS received
         FROM nodes n
         LEFT JOIN units u ON u.id = n.unit_id
         LEFT JOIN sync_cursors k ON k.stream = n.node_id
         WHERE n.role = 'post' ORDER BY n.name",
    )
    .fetch_all(&state.db)
    .await?;
    let now = db::now_text();
    Ok(rows
        .into_iter()
        // A commandant sees the posts of the own unit and below.
        .filter(|r| {
            *scope == Scope::All || r.unit_id.as_deref().is_some_and(|u| scope.allows_unit(u))
        })
        .map(|r| {
            let state_text = match (&r.enrolled_at, &r.code_expires_at) {
                (Some(at), _) => c.tf("nodes-enrolled", &[("at", &when_text(at))]),
                (None, Some(until)) if until.as_str() > now.as_str() => {
                    c.tf("nodes-waiting", &[("until", &when_text(until))])
                }
                _ => c.t("nodes-code-expired"),
            };
            let node = r.node_id.clone().unwrap_or_default();
            PostLine {
                state: state_text,
                contact: contact_text(c, r.last_contact.as_deref()),
                received: c.lang.number(r.received),
                warning: warning(c, Role::Regional, r.last_error.as_deref()),
                conflicts: if node.is_empty() {
                    0
                } else {
                    conflicts_of(open, &node)
                },
                conflicts_href: format!(
                    "/nodes/conflicts?{}",
                    serde_urlencoded::to_string([("node", node.as_str())]).unwrap_or_default()
                ),
                name: r.name,
                unit: r.unit,
            }
        })
        .collect())
}

/// On a post: the regional node it enrolled with, and where the exchange stands.
async fn regional_fields(
    state: &AppState,
    c: &PageCtx,
    me: &Identity,
) -> AppResult<(Vec<DetailField>, Option<String>)> {
    let found: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT name, last_contact, last_error FROM nodes WHERE role = 'regional' LIMIT 1",
    )
    .fetch_optional(&state.db)
    .await?;
    let field = |label: &str, value: String| DetailField {
        label: c.t(label),
        value,
        href: None,
    };
    let pending = pending_up(&state.db, &me.id).await?;
    let received = super::apply::cursor(&state.db, "regional").await?;
    let Some((name, contact, error)) = found else {
        return Ok((
            vec![
                field("nodes-regional", c.t("nodes-not-enrolled")),
                field("nodes-pending", c.lang.number(pending)),
            ],
            None,
        ));
    };
    Ok((
        vec![
            field("nodes-regional", name),
            field("nodes-last-contact", contact_text(c, contact.as_deref())),
            field("nodes-pending", c.lang.number(pending)),
            field(
                "nodes-received-upto",
                c.lang.number(i64::try_from(received).unwrap_or(i64::MAX)),
            ),
        ],
        warning(c, Role::Post, error.as_deref()),
    ))
}

async fn nodes_page(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewNodes)?;
    let c = PageCtx::new(&state, &auth, "/nodes");
    let me = super::identity(&state.db).await?;
    let open = conflicts::open(&state.db, &auth.scope, None).await?;
    let mut page = NodesPage {
        title: c.t("nodes-title"),
        me: Vec::new(),
        is_regional: false,
        posts: Vec::new(),
        regional: Vec::new(),
        warning: None,
        conflicts: open.len(),
        c,
    };
    if let Some(me) = me {
        let c = &page.c;
        let role = match me.role {
            Role::Regional => c.t("nodes-role-regional"),
            Role::Post => c.t("nodes-role-post"),
        };
        page.me = vec![
            DetailField {
                label: c.t("field-name"),
                value: me.name.clone(),
                href: None,
            },
            DetailField {
                label: c.t("nodes-role"),
                value: role,
                href: None,
            },
            DetailField {
                label: c.t("field-unit"),
                value: unit_name(&state.db, &me.unit_id).await?,
                href: Some(format!("/units/{}", me.unit_id)),
            },
            DetailField {
                label: c.t("nodes-id"),
                value: me.id.clone(),
                href: None,
            },
        ];
        match me.role {
            Role::Regional => {
                page.is_regional = true;
                page.posts = post_lines(&state, c, &auth.scope, &open).await?;
            }
            Role::Post => {
                let (fields, warning) = regional_fields(&state, c, &me).await?;
                page.regional = fields;
                page.warning = warning;
            }
        }
    }
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// The conflicts

/// A record's page, for the tables the application has pages for.
fn record_href(table: &str, id: &str) -> Option<String> {
    let base = match table {
        "units" => "/units",
        "assets" => "/assets",
        "sites" => "/sites",
        "users" => "/admin/users",
        "incidents" => "/incidents",
        "patrols" => "/patrols",
        "crossings" => "/border/crossings",
        "crossing_vehicles" => "/border/vehicles",
        "screening_hits" => "/screening/hits",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

/// What people call a table's records.
fn table_key(table: &str) -> Option<&'static str> {
    Some(match table {
        "forces" => "nav-forces",
        "units" => "nav-units",
        "sites" => "nav-sites",
        "assets" => "nav-assets",
        "users" => "nav-users",
        "goods_categories" => "sync-table-goods-categories",
        "watchlists" => "nav-lists",
        "watchlist_entries" => "sync-table-watchlist-entries",
        "patrols" => "nav-patrols",
        "incidents" => "nav-incidents",
        "incident_events" => "sync-table-incident-events",
        "responses" => "sync-table-responses",
        "crossings" => "nav-crossings",
        "crossing_vehicles" => "sync-table-crossing-vehicles",
        "goods_declarations" => "sync-table-goods-declarations",
        "screening_hits" => "sync-table-screening-hits",
        "audit_log" => "nav-audit",
        _ => return None,
    })
}

/// The column that names a record of the region's shared tables (never personal data).
fn label_column(table: &str) -> Option<&'static str> {
    match table {
        "assets" => Some("registration"),
        "units" | "sites" => Some("name"),
        "users" => Some("login"),
        _ => None,
    }
}

async fn record_label(db: &Db, k: &Conflict) -> AppResult<String> {
    let column = match (label_column(&k.tbl), super::capture::replicated(&k.tbl)) {
        (Some(column), Some(table)) if !k.whole_record() => Some((column, table)),
        _ => None,
    };
    let Some((column, table)) = column else {
        return Ok(k.row_id.clone());
    };
    let label: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT \"{column}\" FROM {} WHERE \"{}\" = ?",
        table.table, table.key
    )))
    .bind(&k.row_id)
    .fetch_optional(db)
    .await?;
    Ok(label.unwrap_or_else(|| k.row_id.clone()))
}

struct ConflictLine {
    id: String,
    table: String,
    record: String,
    record_href: Option<String>,
    field: String,
    kept: String,
    kept_node: String,
    lost: String,
    lost_node: String,
    lost_actor: String,
    detected: String,
    can_take: bool,
}

#[derive(Template)]
#[template(path = "conflicts.html")]
struct ConflictsPage {
    c: PageCtx,
    title: String,
    lines: Vec<ConflictLine>,
    /// The node the list is narrowed to (its name).
    node: Option<String>,
    can_resolve: bool,
    error: Option<String>,
    /// Said when the list stopped at `conflicts::LIST_MOST`.
    capped: Option<String>,
}

/// The names of the nodes this one knows, by node id (itself included).
async fn node_names(db: &Db) -> AppResult<HashMap<String, String>> {
    let mut names: HashMap<String, String> = super::nodes(db)
        .await?
        .into_iter()
        .filter_map(|n| n.node_id.map(|id| (id, n.name)))
        .collect();
    if let Some(me) = super::identity(db).await? {
        names.insert(me.id, me.name);
    }
    Ok(names)
}

async fn conflicts_view(
    state: &AppState,
    auth: &Auth,
    node: Option<&str>,
    flash: Option<&str>,
) -> AppResult<ConflictsPage> {
    let c = PageCtx::new(state, auth, "/nodes").with_flash(flash);
    let open = conflicts::open(&state.db, &auth.scope, node).await?;
    let names = node_names(&state.db).await?;
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let capped =
        (i64::try_from(open.len()).unwrap_or(i64::MAX) >= conflicts::LIST_MOST).then(|| {
            c.tf(
                "conflicts-capped",
                &[("count", &conflicts::LIST_MOST.to_string())],
            )
        });
    let mut lines = Vec::with_capacity(open.len());
    for k in open {
        let (kept, lost) = if k.values_shown() {
            let empty = || c.t("conflict-empty");
            (
                conflicts::value_text(k.kept_value.as_deref()).unwrap_or_else(empty),
                conflicts::value_text(k.lost_value.as_deref()).unwrap_or_else(empty),
            )
        } else {
            (c.t("conflict-hidden"), c.t("conflict-hidden"))
        };
        lines.push(ConflictLine {
            table: table_key(&k.tbl).map_or_else(|| k.tbl.clone(), |key| c.t(key)),
            record: record_label(&state.db, &k).await?,
            record_href: (!k.whole_record())
                .then(|| record_href(&k.tbl, &k.row_id))
                .flatten(),
            field: if k.whole_record() {
                c.t("conflict-whole-record")
            } else {
                k.field.clone()
            },
            kept,
            kept_node: k.kept_origin.as_deref().map(&name_of).unwrap_or_default(),
            lost,
            lost_node: name_of(&k.lost_origin),
            lost_actor: k.lost_actor.clone(),
            detected: when_text(&k.detected_at),
            can_take: conflicts::takeable(&state.db, &k).await?,
            id: k.id,
        });
    }
    Ok(ConflictsPage {
        title: c.t("conflicts-title"),
        lines,
        node: node.map(name_of),
        can_resolve: auth.user.can(Permission::ResolveConflicts),
        error: None,
        capped,
        c,
    })
}

async fn conflicts_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    auth.require(Permission::ViewNodes)?;
    let node = q.get("node").map(|s| s.trim()).filter(|s| !s.is_empty());
    let flash = match q.get("done").map(String::as_str) {
        Some("keep") => Some("flash-conflict-kept"),
        Some("take") => Some("flash-conflict-taken"),
        _ => None,
    };
    render(&conflicts_view(&state, &auth, node, flash).await?)
}

async fn resolve(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::ResolveConflicts)?;
    let f = Fields::from_pairs(pairs);
    let result = match f.choice("choice", Choice::parse) {
        Ok(choice) => conflicts::resolve(&state, &auth.user.actor(), &auth.scope, &id, choice)
            .await
            .map(|()| choice),
        Err(e) => Err(e),
    };
    match result {
        Ok(choice) => {
            Ok(Redirect::to(&format!("/nodes/conflicts?done={}", choice.code())).into_response())
        }
        // The list again, with what was refused and why.
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let mut page = conflicts_view(&state, &auth, None, None).await?;
            page.error = Some(page.c.t(e.message_key()));
            Ok((e.status(), Html(page.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}
