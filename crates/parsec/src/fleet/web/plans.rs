//! The preventive plans' pages: the list, a plan with its tasks, the forms of a plan and of a
//! task, and the import of plans as CSV text (the format of the shipped examples).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::{flash, meter_label};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::fleet::Meter;
use crate::fleet::plans::{self, Applies, NewPlan, NewTask, Plan};
use crate::registry::model::{AssetKind, Coded};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailField, DetailTable, DetailView, Fields, FormField, FormView, ListRow, PageCtx, day_text,
    num, options, render,
};

type Params = Query<HashMap<String, String>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workshop/plans", get(list))
        .route("/workshop/plans/new", get(plan_new).post(plan_save))
        .route("/workshop/plans/import", get(import_form).post(import_save))
        .route("/workshop/plans/{id}", get(view))
        .route(
            "/workshop/plans/{id}/tasks/new",
            get(task_new).post(task_save),
        )
}

fn applies_text(c: &PageCtx, p: &Plan) -> String {
    match (&p.registration, &p.asset_kind) {
        (Some(r), _) => r.clone(),
        (None, Some(kind)) => {
            let kind = AssetKind::parse(kind)
                .map(|k| c.t(k.label_key()))
                .unwrap_or_else(|| kind.clone());
            if p.model.is_empty() {
                kind
            } else {
                format!("{kind} · {}", p.model)
            }
        }
        _ => String::new(),
    }
}

async fn list(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let c = PageCtx::new(&state, &auth, "/workshop").with_flash(flash(&q));
    let tasks = plans::tasks(&state).await?;
    let rows = plans::plans(&state)
        .await?
        .into_iter()
        .map(|p| {
            let n = tasks.iter().filter(|t| t.plan_id == p.id).count();
            ListRow {
                href: format!("/workshop/plans/{}", p.id),
                cells: vec![
                    super::orders::plan_name(&c, &p.name, p.example),
                    applies_text(&c, &p),
                    if n == 0 {
                        c.t("plan-no-tasks")
                    } else {
                        n.to_string()
                    },
                    p.source.clone(),
                ],
            }
        })
        .collect();
    let mut fields = Vec::new();
    if auth.user.can(Permission::EditAssets) {
        for (href, key) in [
            ("/workshop/plans/new", "plan-new"),
            ("/workshop/plans/import", "plan-import"),
        ] {
            fields.push(DetailField {
                label: c.t("work-order-actions"),
                value: c.t(key),
                href: Some(href.into()),
            });
        }
    }
    render(&DetailView {
        title: c.t("plans"),
        back_href: "/workshop".into(),
        edit_href: None,
        fields,
        tables: vec![DetailTable {
            title: c.t("plans-examples-note"),
            columns: ["plan-name", "plan-applies", "plan-tasks", "plan-source"]
                .iter()
                .map(|k| c.t(k))
                .collect(),
            rows,
        }],
        c,
    })
}

async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let plan = plans::plans(&state)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)?;
    let c = PageCtx::new(&state, &auth, "/workshop").with_flash(flash(&q));
    let f = |label: &str, value: String| DetailField {
        label: c.t(label),
        value,
        href: None,
    };
    let mut fields = vec![
        f("plan-applies", applies_text(&c, &plan)),
        f("plan-source", plan.source.clone()),
        f("plan-starts", day_text(&plan.starts_on)),
        f("plan-example", c.t(if plan.example { "yes" } else { "no" })),
    ];
    if auth.user.can(Permission::EditAssets) {
        fields.push(DetailField {
            label: c.t("work-order-actions"),
            value: c.t("plan-task-new"),
            href: Some(format!("/workshop/plans/{id}/tasks/new")),
        });
    }
    let rows = plans::tasks(&state)
        .await?
        .into_iter()
        .filter(|t| t.plan_id == id)
        .map(|t| ListRow {
            href: String::new(),
            cells: vec![
                t.name,
                match (t.meter_every, &t.meter) {
                    (Some(e), Some(m)) => format!("{} — {}", num(Some(e)), meter_label(&c, m)),
                    _ => String::new(),
                },
                t.days_every.map(|d| d.to_string()).unwrap_or_default(),
                t.first_meter.map(|v| num(Some(v))).unwrap_or_default(),
                format!("{} / {}", num(Some(t.soon_meter)), t.soon_days),
            ],
        })
        .collect();
    render(&DetailView {
        title: super::orders::plan_name(&c, &plan.name, plan.example),
        back_href: "/workshop/plans".into(),
        edit_href: None,
        fields,
        tables: vec![DetailTable {
            title: c.t("plan-tasks"),
            columns: [
                "plan-task",
                "plan-every-meter",
                "plan-every-days",
                "plan-first-meter",
                "plan-soon",
            ]
            .iter()
            .map(|k| c.t(k))
            .collect(),
            rows,
        }],
        c,
    })
}

fn plan_view(state: &AppState, auth: &Auth, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/workshop");
    let kinds = AssetKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), c.t(k.label_key())))
        .collect();
    let starts = match f.get("starts_on") {
        "" => day_text(&crate::db::now().date().to_string()),
        d => d.to_string(),
    };
    FormView {
        title: c.t("plan-new"),
        action: "/workshop/plans/new".into(),
        cancel_href: "/workshop/plans".into(),
        fields: vec![
            FormField::new("name", c.t("plan-name"), "text", f.get("name").into()).required(),
            FormField::new("asset_kind", c.t("field-kind"), "select", String::new())
                .required()
                .options(options(kinds, f.get("asset_kind"), Some(c.t("choose")))),
            FormField::new("model", c.t("field-model"), "text", f.get("model").into())
                .hint(c.t("plan-model-hint")),
            FormField::new(
                "source",
                c.t("plan-source"),
                "textarea",
                f.get("source").into(),
            )
            .required()
            .hint(c.t("plan-source-hint")),
            FormField::new("starts_on", c.t("plan-starts"), "text", starts).required(),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn plan_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    render(&plan_view(&state, &auth, &Fields::default()))
}

fn new_plan(f: &Fields) -> AppResult<NewPlan> {
    let mut p = Problems::default();
    let name = p.or(f.required("name", 200), String::new())?;
    let kind = p.or(f.choice("asset_kind", AssetKind::parse), AssetKind::Vehicle)?;
    let source = p.or(f.required("source", 2000), String::new())?;
    let starts_on = p.or(f.day("starts_on"), time::Date::MIN)?;
    let plan = NewPlan {
        name,
        applies: Applies::Kind {
            kind: kind.code().into(),
            model: p.or_default(f.optional("model", 100))?.unwrap_or_default(),
        },
        example: false,
        source,
        starts_on,
    };
    p.finish(plan)
}

async fn plan_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = Fields::from_pairs(pairs);
    let saved = match new_plan(&f) {
        Ok(plan) => plans::create(&state, &auth.user.actor(), &plan, &[]).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/workshop/plans/{id}?saved=1")).into_response()),
        Err(e) => plan_view(&state, &auth, &f).refuse(e),
    }
}

fn task_view(state: &AppState, auth: &Auth, plan: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/workshop");
    let meters = Meter::ALL
        .iter()
        .map(|m| (m.code().to_string(), meter_label(&c, m.code())))
        .collect();
    let field = |name: &'static str, key: &str| {
        FormField::new(name, c.t(key), "number", f.get(name).into())
    };
    FormView {
        title: c.t("plan-task-new"),
        action: format!("/workshop/plans/{plan}/tasks/new"),
        cancel_href: format!("/workshop/plans/{plan}"),
        fields: vec![
            FormField::new("task", c.t("plan-task"), "text", f.get("task").into()).required(),
            FormField::new("meter", c.t("meter-meter"), "select", String::new()).options(options(
                meters,
                f.get("meter"),
                Some(c.t("plan-no-meter")),
            )),
            field("meter_every", "plan-every-meter").hint(c.t("plan-every-hint")),
            field("days_every", "plan-every-days"),
            field("first_meter", "plan-first-meter"),
            field("soon_meter", "plan-soon-meter"),
            field("soon_days", "plan-soon-days"),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn task_new(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    render(&task_view(&state, &auth, &id, &Fields::default()))
}

fn new_task(f: &Fields) -> AppResult<NewTask> {
    let mut p = Problems::default();
    let name = p.or(f.required("task", 300), String::new())?;
    let meter = match f.get("meter") {
        "" => None,
        m => {
            let parsed = Meter::parse(m);
            if parsed.is_none() {
                p.add("meter", "error-bad-choice");
            }
            parsed
        }
    };
    let every = p.or_default(f.optional_f64("meter_every", 0.0, 10_000_000.0))?;
    let meter = match (meter, every) {
        (Some(m), Some(e)) => Some((m, e)),
        (None, None) => None,
        (None, Some(_)) => {
            p.add("meter", "error-required");
            None
        }
        (Some(_), None) => {
            p.add("meter_every", "error-required");
            None
        }
    };
    let task = NewTask {
        name,
        meter,
        days: p.or_default(f.optional_i64("days_every", 1, 36_600))?,
        soon_meter: p
            .or_default(f.optional_f64("soon_meter", 0.0, 10_000_000.0))?
            .unwrap_or(0.0),
        soon_days: p
            .or_default(f.optional_i64("soon_days", 0, 3_650))?
            .unwrap_or(0),
        first_meter: p.or_default(f.optional_f64("first_meter", 0.0, 10_000_000.0))?,
    };
    if task.meter.is_none() && task.days.is_none() && f.get("meter_every").is_empty() {
        p.add("meter_every", "error-plan-no-interval");
    }
    p.finish(task)
}

async fn task_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = Fields::from_pairs(pairs);
    let saved = match new_task(&f) {
        Ok(t) => plans::add_task(&state, &auth.user.actor(), &id, &t).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/workshop/plans/{id}?saved=1")).into_response()),
        Err(e) => task_view(&state, &auth, &id, &f).refuse(e),
    }
}

fn import_view(state: &AppState, auth: &Auth, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/workshop");
    FormView {
        title: c.t("plan-import"),
        action: "/workshop/plans/import".into(),
        cancel_href: "/workshop/plans".into(),
        fields: vec![
            FormField::new(
                "csv",
                c.t("plan-import-csv"),
                "textarea",
                f.get("csv").into(),
            )
            .required()
            .hint(c.t("plan-import-hint")),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn import_form(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    render(&import_view(&state, &auth, &Fields::default()))
}

async fn import_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = Fields::from_pairs(pairs);
    match plans::import_csv(&state, &auth.user.actor(), f.get("csv"), false).await {
        Ok(_) => Ok(Redirect::to("/workshop/plans?saved=1").into_response()),
        Err(plans::ImportError::App(e)) => import_view(&state, &auth, &f).refuse(e),
        Err(plans::ImportError::Row(line, why)) => {
            let mut view = import_view(&state, &auth, &f);
            let why = view.c.t(why);
            let message = view.c.tf(
                "plan-import-row",
                &[("line", &line.to_string()), ("why", &why)],
            );
            if let Some(field) = view.fields.first_mut() {
                field.error = Some(message);
            }
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                axum::response::Html(askama::Template::render(&view)?),
            )
                .into_response())
        }
    }
}
