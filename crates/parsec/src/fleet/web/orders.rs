//! The workshop's board, a work order's page and its forms: defect report, status (and its
//! closing: meter, cost), labour, parts used.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::flash;
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::fleet::availability::{self, By};
use crate::fleet::parts::{self, Movement, StockLine};
use crate::fleet::plans::{self, DueTask};
use crate::fleet::work_orders::{self as orders, Labour, NewWorkOrder, StatusChange, WorkOrder};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailField, DetailTable, DetailView, Fields, FormField, FormView, ListRow, PageCtx, day_text,
    num, options, percent, render, when_text,
};

type Params = Query<HashMap<String, String>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workshop", get(board))
        .route(
            "/assets/{id}/work-orders/new",
            get(order_new).post(order_open),
        )
        .route("/workshop/orders/{id}", get(order_view))
        .route(
            "/workshop/orders/{id}/status",
            get(status_form).post(status_save),
        )
        .route(
            "/workshop/orders/{id}/labour",
            get(labour_form).post(labour_save),
        )
        .route(
            "/workshop/orders/{id}/parts",
            get(part_form).post(part_save),
        )
}

pub(super) fn status_label(c: &PageCtx, s: &str) -> String {
    c.t(&format!("work-order-status-{s}"))
}

pub(super) fn due_state(c: &PageCtx, s: maintenance::due::State) -> String {
    c.t(match s {
        maintenance::due::State::Overdue => "due-overdue",
        maintenance::due::State::DueSoon => "due-soon",
        maintenance::due::State::Ok => "due-ok",
    })
}

/// A due task's point: its day and its meter, in words.
pub(super) fn due_point(c: &PageCtx, t: &DueTask) -> (String, String) {
    let day = t
        .due
        .day
        .map(|d| day_text(&d.to_string()))
        .unwrap_or_default();
    let meter = match (t.due.meter, &t.meter) {
        (Some(m), Some(unit)) => format!("{} — {}", num(Some(m)), super::meter_label(c, unit)),
        _ => String::new(),
    };
    (day, meter)
}

/// An asset's work orders as a table of its page.
pub async fn work_orders_table(
    state: &AppState,
    c: &PageCtx,
    asset_id: &str,
) -> AppResult<DetailTable> {
    let rows = orders::of_asset(state, asset_id)
        .await?
        .into_iter()
        .map(|w| ListRow {
            href: format!("/workshop/orders/{}", w.id),
            cells: vec![
                when_text(&w.opened_at),
                c.t(&format!("work-order-kind-{}", w.kind)),
                w.defect,
                status_label(c, &w.status),
                w.closed_at.as_deref().map(when_text).unwrap_or_default(),
            ],
        })
        .collect();
    Ok(DetailTable {
        title: c.t("work-orders"),
        columns: [
            "work-order-opened",
            "work-order-kind",
            "work-order-defect",
            "field-status",
            "work-order-closed",
        ]
        .iter()
        .map(|k| c.t(k))
        .collect(),
        rows,
    })
}

/// An asset's preventive tasks and when each is due, as a table of its page.
pub async fn due_table(
    state: &AppState,
    auth: &Auth,
    c: &PageCtx,
    asset_id: &str,
) -> AppResult<DetailTable> {
    let tasks = plans::due_tasks(state, &auth.scope, Some(asset_id)).await?;
    let rows = tasks
        .iter()
        .map(|t| {
            let (day, meter) = due_point(c, t);
            ListRow {
                href: if auth.user.can(Permission::EditAssets) {
                    format!("/assets/{}/work-orders/new?task={}", t.asset_id, t.task_id)
                } else {
                    String::new()
                },
                cells: vec![
                    t.task_name.clone(),
                    plan_name(c, &t.plan_name, t.example),
                    due_state(c, t.due.state),
                    day,
                    meter,
                ],
            }
        })
        .collect();
    Ok(DetailTable {
        title: c.t("due-tasks"),
        columns: [
            "plan-task",
            "plan-name",
            "field-status",
            "due-day",
            "due-meter",
        ]
        .iter()
        .map(|k| c.t(k))
        .collect(),
        rows,
    })
}

pub(super) fn plan_name(c: &PageCtx, name: &str, example: bool) -> String {
    if example {
        format!("{name} · {}", c.t("plan-example"))
    } else {
        name.to_string()
    }
}

#[derive(askama::Template)]
#[template(path = "workshop.html")]
struct Board {
    c: PageCtx,
    can_edit: bool,
    due: Vec<DueTask>,
    due_more: usize,
    orders: Vec<WorkOrder>,
    by_status: Vec<(String, String, usize)>,
    statuses: Vec<(String, String)>,
    reorder: Vec<StockLine>,
    forces: Vec<availability::Group>,
}

impl Board {
    fn status_label(&self, s: &str) -> String {
        status_label(&self.c, s)
    }
    fn when(&self, at: &str) -> String {
        when_text(at)
    }
    fn state(&self, t: &DueTask) -> String {
        due_state(&self.c, t.due.state)
    }
    fn overdue(&self, t: &DueTask) -> bool {
        t.due.state == maintenance::due::State::Overdue
    }
    fn point(&self, t: &DueTask) -> String {
        let (day, meter) = due_point(&self.c, t);
        [day, meter]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }
    fn plan(&self, t: &DueTask) -> String {
        plan_name(&self.c, &t.plan_name, t.example)
    }
    fn percent(&self, g: &availability::Group) -> String {
        percent(g.availability.rate())
    }
    fn days(&self, seconds: &i64) -> String {
        days(*seconds)
    }
    fn qty(&self, v: &f64) -> String {
        num(Some(*v))
    }
}

pub(super) fn days(seconds: i64) -> String {
    format!("{:.1}", seconds as f64 / 86_400.0)
}

/// The workshop's board: due and overdue tasks, the open work orders by status, the parts to
/// reorder, the last 30 days' availability per force. Read-only for a commandant (their
/// units).
async fn board(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let c = PageCtx::new(&state, &auth, "/workshop").with_flash(flash(&q));
    let all_due = plans::due_tasks(&state, &auth.scope, None).await?;
    let today = crate::db::now().date();
    // The forces' 30 days, their compliance from the due tasks just read.
    let forces = availability::report_with(
        &state,
        &auth.scope,
        today - time::Duration::days(29),
        today,
        By::Force,
        7,
        Some(&all_due),
    )
    .await?
    .groups;
    let mut due: Vec<DueTask> = all_due
        .into_iter()
        .filter(|t| t.due.state != maintenance::due::State::Ok)
        .collect();
    let due_more = due.len().saturating_sub(40);
    due.truncate(40);
    let orders: Vec<WorkOrder> = orders::open_orders(&state, &auth.scope).await?;
    let by_status = orders::STATUSES
        .iter()
        .filter(|s| !orders::CLOSED.contains(s))
        .map(|s| {
            (
                s.to_string(),
                status_label(&c, s),
                orders.iter().filter(|w| w.status == *s).count(),
            )
        })
        .collect();
    let statuses = orders::STATUSES
        .iter()
        .map(|s| (s.to_string(), status_label(&c, s)))
        .collect();
    render(&Board {
        can_edit: auth.user.can(Permission::EditAssets),
        due,
        due_more,
        orders,
        by_status,
        statuses,
        reorder: parts::to_reorder(&state).await?,
        forces,
        c,
    })
}

fn order_form(
    state: &AppState,
    auth: &Auth,
    id: &str,
    f: &Fields,
    task: Option<&DueTask>,
) -> FormView {
    let c = PageCtx::new(state, auth, "/assets");
    let kinds = orders::KINDS
        .iter()
        .map(|k| (k.to_string(), c.t(&format!("work-order-kind-{k}"))))
        .collect();
    let kind = match (f.get("kind"), task) {
        ("", Some(_)) => "preventif",
        ("", None) => "correctif",
        (k, _) => k,
    };
    // A new report keeps the asset out of dispatch unless told otherwise.
    let blocking = if f.0.is_empty() || f.flag("blocking") {
        "on"
    } else {
        ""
    };
    let defect = match (f.get("defect"), task) {
        ("", Some(t)) => t.task_name.clone(),
        (d, _) => d.to_string(),
    };
    let mut fields = vec![
        FormField::new("defect", c.t("work-order-defect"), "textarea", defect)
            .required()
            .hint(c.t("work-order-defect-hint")),
        FormField::new("kind", c.t("work-order-kind"), "select", String::new())
            .required()
            .options(options(kinds, kind, None)),
        FormField::new(
            "blocking",
            c.t("work-order-blocking"),
            "checkbox",
            blocking.into(),
        ),
        FormField::new(
            "meter_start",
            c.t("work-order-meter-start"),
            "number",
            f.get("meter_start").into(),
        ),
    ];
    if let Some(t) = task {
        fields.push(FormField::new(
            "task",
            String::new(),
            "hidden",
            t.task_id.clone(),
        ));
    }
    FormView {
        title: c.t("work-order-new"),
        action: format!("/assets/{id}/work-orders/new"),
        cancel_href: format!("/assets/{id}"),
        fields,
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn task_of(
    state: &AppState,
    auth: &Auth,
    asset: &str,
    task: &str,
) -> AppResult<Option<DueTask>> {
    if task.is_empty() {
        return Ok(None);
    }
    Ok(plans::due_tasks(state, &auth.scope, Some(asset))
        .await?
        .into_iter()
        .find(|t| t.task_id == task))
}

async fn order_new(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    crate::registry::get_asset(&state.db, &auth.scope, &id).await?;
    let task = task_of(&state, &auth, &id, q.get("task").map_or("", String::as_str)).await?;
    render(&order_form(
        &state,
        &auth,
        &id,
        &Fields::default(),
        task.as_ref(),
    ))
}

async fn order_open(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let f = Fields::from_pairs(pairs);
    let task = task_of(&state, &auth, &id, f.get("task")).await?;
    let mut p = Problems::default();
    let kind = p.or(
        f.choice("kind", |k| orders::KINDS.iter().copied().find(|x| *x == k)),
        "correctif",
    )?;
    let meter_start = p.or_default(f.optional_f64("meter_start", 0.0, 100_000_000.0))?;
    let order = NewWorkOrder {
        kind,
        defect: f.get("defect").to_string(),
        blocking: f.flag("blocking"),
        tasks: task.iter().map(|t| t.task_id.clone()).collect(),
        meter_start,
        response_id: None,
    };
    let saved = match p.finish(order) {
        Ok(order) => orders::open(&state, &auth.user.actor(), &auth.scope, &id, &order).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(w) => Ok(Redirect::to(&format!("/workshop/orders/{w}?saved=1")).into_response()),
        Err(e) => order_form(&state, &auth, &id, &f, task.as_ref()).refuse(e),
    }
}

async fn order_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let w = orders::get(&state, &auth.scope, &id).await?;
    let c = PageCtx::new(&state, &auth, "/workshop").with_flash(flash(&q));
    let f = |label: &str, value: String| DetailField {
        label: c.t(label),
        value,
        href: None,
    };
    let open = !orders::CLOSED.contains(&w.status.as_str());
    let edit = auth.user.can(Permission::EditAssets) && open;
    let mut fields = vec![
        DetailField {
            label: c.t("field-registration"),
            value: format!("{} — {}", w.registration, w.unit_name),
            href: Some(format!("/assets/{}", w.asset_id)),
        },
        f(
            "work-order-kind",
            c.t(&format!("work-order-kind-{}", w.kind)),
        ),
        f("work-order-defect", w.defect.clone()),
        f("field-status", status_label(&c, &w.status)),
        f(
            "work-order-blocking",
            c.t(if w.blocking { "yes" } else { "no" }),
        ),
        f(
            "work-order-opened",
            format!("{} · {}", when_text(&w.opened_at), w.opened_by),
        ),
        f(
            "work-order-closed",
            w.closed_at.as_deref().map(when_text).unwrap_or_default(),
        ),
        f("work-order-meter-start", num(w.meter_start)),
        f("work-order-meter-end", num(w.meter_end)),
        f(
            "work-order-cost",
            w.cost_fcfa.map(|v| format!("{v} FCFA")).unwrap_or_default(),
        ),
        f("work-order-closing-note", w.closing_note.clone()),
    ];
    if let Some(r) = &w.response_id {
        fields.push(f("work-order-from-response", r.clone()));
    }
    if edit {
        for (href, key) in [
            ("status", "work-order-change-status"),
            ("labour", "work-order-add-labour"),
            ("parts", "work-order-use-part"),
        ] {
            fields.push(DetailField {
                label: c.t("work-order-actions"),
                value: c.t(key),
                href: Some(format!("/workshop/orders/{id}/{href}")),
            });
        }
    }
    let tasks = orders::tasks(&state, &id).await?;
    let labour = orders::labour(&state, &id).await?;
    let total_hours: f64 = labour.iter().map(|l| l.hours).sum();
    let row = |cells: Vec<String>| ListRow {
        href: String::new(),
        cells,
    };
    let tables = vec![
        DetailTable {
            title: c.t("work-order-history"),
            columns: [
                "field-when",
                "field-status",
                "crossing-recorded-by",
                "work-order-note",
            ]
            .iter()
            .map(|k| c.t(k))
            .collect(),
            rows: orders::events(&state, &id)
                .await?
                .into_iter()
                .map(|e| {
                    row(vec![
                        when_text(&e.at),
                        status_label(&c, &e.status),
                        e.by_user,
                        e.note,
                    ])
                })
                .collect(),
        },
        DetailTable {
            title: c.tf("work-order-labour", &[("hours", &num(Some(total_hours)))]),
            columns: ["labour-mechanic", "labour-day", "labour-hours"]
                .iter()
                .map(|k| c.t(k))
                .collect(),
            rows: labour
                .into_iter()
                .map(|l| row(vec![l.mechanic, day_text(&l.day), num(Some(l.hours))]))
                .collect(),
        },
        DetailTable {
            title: c.t("work-order-parts"),
            columns: ["part-reference", "part-name", "part-quantity"]
                .iter()
                .map(|k| c.t(k))
                .collect(),
            rows: parts::used_by(&state, &id)
                .await?
                .into_iter()
                .map(|(r, n, q)| row(vec![r, n, num(Some(q))]))
                .collect(),
        },
        DetailTable {
            title: c.t("work-order-tasks"),
            columns: vec![c.t("plan-task")],
            rows: tasks.into_iter().map(|(_, n)| row(vec![n])).collect(),
        },
    ];
    render(&DetailView {
        title: format!("{} — {}", c.t("work-order"), w.registration),
        back_href: "/workshop".into(),
        edit_href: None,
        fields,
        tables,
        c,
    })
}

fn status_view(state: &AppState, auth: &Auth, w: &WorkOrder, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/workshop");
    let statuses = orders::STATUSES
        .iter()
        .filter(|s| **s != w.status)
        .map(|s| (s.to_string(), status_label(&c, s)))
        .collect();
    FormView {
        title: format!("{} — {}", c.t("work-order-change-status"), w.registration),
        action: format!("/workshop/orders/{}/status", w.id),
        cancel_href: format!("/workshop/orders/{}", w.id),
        fields: vec![
            FormField::new("status", c.t("field-status"), "select", String::new())
                .required()
                .options(options(statuses, f.get("status"), Some(c.t("choose")))),
            FormField::new("at", c.t("work-order-at"), "text", f.get("at").into())
                .hint(c.t("work-order-at-hint")),
            FormField::new(
                "meter_end",
                c.t("work-order-meter-end"),
                "number",
                f.get("meter_end").into(),
            ),
            FormField::new(
                "cost_fcfa",
                c.t("work-order-cost"),
                "number",
                f.get("cost_fcfa").into(),
            ),
            FormField::new("note", c.t("work-order-note"), "text", f.get("note").into()),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn status_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let w = orders::get(&state, &auth.scope, &id).await?;
    render(&status_view(&state, &auth, &w, &Fields::default()))
}

/// A typed time (`JJ/MM/AAAA HH:MM`), or a day alone, taken at noon.
fn typed_time(s: &str) -> Option<time::OffsetDateTime> {
    let s = s.trim();
    if s.contains(' ') {
        crate::web::page::typed_time(s)
    } else {
        crate::web::page::typed_time(&format!("{s} 12:00"))
    }
}

fn status_change(f: &Fields) -> AppResult<StatusChange> {
    let mut p = Problems::default();
    let status = p.or(
        f.choice("status", |s| {
            orders::STATUSES.iter().copied().find(|x| *x == s)
        }),
        "",
    )?;
    let at = match f.get("at").trim() {
        "" => None,
        typed => {
            let t = typed_time(typed);
            if t.is_none() {
                p.add("at", "error-bad-date");
            }
            t
        }
    };
    let change = StatusChange {
        status,
        at,
        note: p.or_default(f.optional("note", 500))?.unwrap_or_default(),
        meter_end: p.or_default(f.optional_f64("meter_end", 0.0, 100_000_000.0))?,
        cost_fcfa: p.or_default(f.optional_i64("cost_fcfa", 0, 10_000_000_000))?,
    };
    p.finish(change)
}

async fn status_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let w = orders::get(&state, &auth.scope, &id).await?;
    let f = Fields::from_pairs(pairs);
    let saved = match status_change(&f) {
        Ok(change) => orders::set_status(&state, &auth.user.actor(), &id, &change).await,
        Err(e) => Err(e),
    };
    match saved {
        // The board's quick move goes back to the board.
        Ok(()) if f.get("from") == "board" => Ok(Redirect::to("/workshop?saved=1").into_response()),
        Ok(()) => Ok(Redirect::to(&format!("/workshop/orders/{id}?saved=1")).into_response()),
        Err(e) => status_view(&state, &auth, &w, &f).refuse(e),
    }
}

fn labour_view(state: &AppState, auth: &Auth, w: &WorkOrder, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/workshop");
    let day = match f.get("day") {
        "" => day_text(&crate::db::now().date().to_string()),
        d => d.to_string(),
    };
    FormView {
        title: format!("{} — {}", c.t("work-order-add-labour"), w.registration),
        action: format!("/workshop/orders/{}/labour", w.id),
        cancel_href: format!("/workshop/orders/{}", w.id),
        fields: vec![
            FormField::new(
                "mechanic",
                c.t("labour-mechanic"),
                "text",
                f.get("mechanic").into(),
            )
            .required(),
            FormField::new("day", c.t("labour-day"), "text", day).required(),
            FormField::new(
                "hours",
                c.t("labour-hours"),
                "number",
                f.get("hours").into(),
            )
            .required(),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn labour_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let w = orders::get(&state, &auth.scope, &id).await?;
    render(&labour_view(&state, &auth, &w, &Fields::default()))
}

fn labour_of(f: &Fields) -> AppResult<Labour> {
    let mut p = Problems::default();
    let mechanic = p.or(f.required("mechanic", 100), String::new())?;
    let day = p.or(f.day("day"), time::Date::MIN)?;
    let hours = p.or(f.required_f64("hours", 0.0, 24.0), 0.0)?;
    p.finish(Labour {
        mechanic,
        day,
        hours,
    })
}

async fn labour_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let w = orders::get(&state, &auth.scope, &id).await?;
    let f = Fields::from_pairs(pairs);
    let saved = match labour_of(&f) {
        Ok(l) => orders::add_labour(&state, &auth.user.actor(), &id, &l).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/workshop/orders/{id}?saved=1")).into_response()),
        Err(e) => labour_view(&state, &auth, &w, &f).refuse(e),
    }
}

fn part_view(
    state: &AppState,
    auth: &Auth,
    w: &WorkOrder,
    stock: &[StockLine],
    f: &Fields,
) -> FormView {
    let c = PageCtx::new(state, auth, "/workshop");
    let choices = stock
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                format!(
                    "{} — {} ({} {})",
                    p.reference,
                    p.name,
                    num(Some(p.quantity)),
                    p.unit
                ),
            )
        })
        .collect();
    let store = match f.get("store") {
        "" => parts::MAIN_STORE,
        s => s,
    };
    FormView {
        title: format!("{} — {}", c.t("work-order-use-part"), w.registration),
        action: format!("/workshop/orders/{}/parts", w.id),
        cancel_href: format!("/workshop/orders/{}", w.id),
        fields: vec![
            FormField::new("part", c.t("part"), "select", String::new())
                .required()
                .options(options(choices, f.get("part"), Some(c.t("choose")))),
            FormField::new("store", c.t("part-store"), "text", store.into()).required(),
            FormField::new(
                "quantity",
                c.t("part-quantity"),
                "number",
                f.get("quantity").into(),
            )
            .required(),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn part_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let w = orders::get(&state, &auth.scope, &id).await?;
    let stock = parts::stock(&state).await?;
    render(&part_view(&state, &auth, &w, &stock, &Fields::default()))
}

async fn part_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let w = orders::get(&state, &auth.scope, &id).await?;
    let f = Fields::from_pairs(pairs);
    let mut p = Problems::default();
    let part = p.or(f.required("part", 64), String::new())?;
    let store = p.or(f.required("store", 100), String::new())?;
    let quantity = p.or(f.required_f64("quantity", 0.0, 1_000_000.0), 0.0)?;
    let saved = match p.finish(()) {
        Ok(()) => {
            let exit = Movement::Exit {
                store,
                quantity,
                work_order: Some(id.clone()),
            };
            parts::move_stock(&state, &auth.user.actor(), &part, &exit, "").await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/workshop/orders/{id}?saved=1")).into_response()),
        // An unknown part is a choice to make again, in the form.
        Err(AppError::NotFound) => {
            let stock = parts::stock(&state).await?;
            part_view(&state, &auth, &w, &stock, &f)
                .refuse(AppError::invalid("part", "error-bad-choice"))
        }
        Err(e) => {
            let stock = parts::stock(&state).await?;
            part_view(&state, &auth, &w, &stock, &f).refuse(e)
        }
    }
}
