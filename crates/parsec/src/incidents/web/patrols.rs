//! The patrols' pages: the list, the form that plans one, a patrol's page with the incidents
//! raised during it, and the report of its outcome.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{FormData, Params, reporting_unit, type_labels, unit_field};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::incidents;
use crate::web::auth::Auth;
use crate::web::page::{
    ColumnHead, DetailField, Fields, FilterField, FormField, FormView, Link, ListParams, ListRow,
    ListView, PageCtx, day_text, options, render,
};

fn patrol_status(c: &PageCtx, s: &str) -> String {
    c.t(&format!("patrol-status-{s}"))
}

pub(super) async fn patrols_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let p = ListParams(q);
    let filter = incidents::patrols::PatrolFilter {
        status: Some(p.get("status").to_string()).filter(|s| !s.is_empty()),
        search: p.get("q").to_string(),
        page: p.page(),
    };
    let (rows, total) = incidents::patrols::list(&state, &auth.scope, &filter).await?;
    let c = PageCtx::new(&state, &auth, "/patrols");
    let (page, pages, prev_href, next_href) = p.pager("/patrols", total);
    let statuses = ["prevue", "effectuee", "non_effectuee"]
        .iter()
        .map(|k| (k.to_string(), patrol_status(&c, k)))
        .collect();
    let view = ListView {
        title: c.t("nav-patrols"),
        action: auth
            .user
            .can(Permission::ReportIncidents)
            .then(|| Link::new("/patrols/new", c.t("patrol-new"))),
        filter_action: "",
        api_href: String::new(),
        filters: vec![
            FilterField::search(&c, &p),
            FilterField::select(
                "status",
                c.t("field-status"),
                &p,
                options(statuses, p.get("status"), Some(c.t("filter-all"))),
            ),
        ],
        columns: vec![
            ColumnHead::plain(c.t("patrol-dates")),
            ColumnHead::plain(c.t("field-unit")),
            ColumnHead::plain(c.t("patrol-route")),
            ColumnHead::plain(c.t("field-status")),
        ],
        rows: rows
            .iter()
            .map(|p| ListRow {
                href: format!("/patrols/{}", p.id),
                cells: vec![
                    format!("{} – {}", day_text(&p.starts_on), day_text(&p.ends_on)),
                    p.unit_name.clone(),
                    p.route.clone(),
                    patrol_status(&c, &p.status),
                ],
            })
            .collect(),
        total,
        page,
        pages,
        prev_href,
        next_href,
        c,
    };
    render(&view)
}

async fn patrol_view_form(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/patrols");
    let submission = match f.get("submission") {
        "" => crate::db::new_id(),
        s => s.to_string(),
    };
    let mut fields = vec![
        FormField::new("submission", String::new(), "hidden", submission),
        FormField::new(
            "starts_on",
            c.t("patrol-starts"),
            "date",
            f.get("starts_on").into(),
        )
        .required(),
        FormField::new(
            "ends_on",
            c.t("patrol-ends"),
            "date",
            f.get("ends_on").into(),
        )
        .required(),
        FormField::new(
            "route",
            c.t("patrol-route"),
            "textarea",
            f.get("route").into(),
        )
        .required()
        .hint(c.t("patrol-route-hint")),
        FormField::new(
            "assets",
            c.t("patrol-assets"),
            "text",
            f.get("assets").into(),
        )
        .hint(c.t("patrol-assets-hint")),
    ];
    if let Some(unit) = unit_field(state, auth, f, c.t("field-unit")).await? {
        fields.insert(1, unit);
    }
    Ok(FormView {
        submit: None,
        map: None,
        title: c.t("patrol-new"),
        action: "/patrols/new".into(),
        cancel_href: "/patrols".into(),
        fields,
        error: None,
        c,
    })
}

pub(super) async fn patrol_form(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    render(&patrol_view_form(&state, &auth, &Fields::default()).await?)
}

pub(super) async fn patrol_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    let f = Fields::from_pairs(pairs);
    let view = patrol_view_form(&state, &auth, &f).await?;
    let unit = match reporting_unit(&auth, &f) {
        Ok(u) => u,
        Err(e) => return view.refuse(e),
    };
    let planned = match new_patrol(&f) {
        Ok(patrol) => incidents::patrols::plan(&state, &auth.user.actor(), &unit, &patrol).await,
        Err(e) => Err(e),
    };
    match planned {
        Ok(id) => Ok(Redirect::to(&format!("/patrols/{id}")).into_response()),
        Err(e) => view.refuse(e),
    }
}

pub(super) async fn patrol_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let p = incidents::patrols::get(&state, &auth.scope, &id).await?;
    let raised: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, occurred_at, place, event_type, sub_event_type FROM incidents
         WHERE patrol_id = ?1
           AND (?2 IS NULL OR unit_id IN (SELECT value FROM json_each(?2)))
         ORDER BY occurred_at",
    )
    .bind(&id)
    .bind(auth.scope.as_json())
    .fetch_all(&state.db)
    .await?;
    let c = PageCtx::new(&state, &auth, "/patrols");
    let fields = vec![
        (c.t("field-unit"), p.unit_name.clone()),
        (
            c.t("patrol-dates"),
            format!("{} – {}", day_text(&p.starts_on), day_text(&p.ends_on)),
        ),
        (c.t("patrol-route"), p.route.clone()),
        (c.t("patrol-assets"), p.assets.clone()),
        (c.t("field-status"), patrol_status(&c, &p.status)),
        (c.t("patrol-observations"), p.report.clone()),
    ]
    .into_iter()
    .map(|(label, value)| DetailField {
        label,
        value,
        href: None,
    })
    .chain(
        auth.user
            .can(Permission::ReportIncidents)
            .then(|| DetailField {
                label: c.t("patrol-raise"),
                value: c.t("incident-new"),
                href: Some(format!("/incidents/new?patrol={id}")),
            }),
    )
    .collect();
    let view = crate::web::page::DetailView {
        title: format!("{} — {}", c.t("nav-patrols"), p.route),
        back_href: "/patrols".into(),
        edit_href: (p.status == "prevue" && auth.user.can(Permission::ReportIncidents))
            .then(|| format!("/patrols/{id}/report")),
        fields,
        tables: vec![crate::web::page::DetailTable {
            title: c.t("patrol-incidents"),
            columns: vec![
                c.t("incident-when"),
                c.t("incident-place"),
                c.t("incident-type"),
            ],
            rows: raised
                .into_iter()
                .map(|(iid, when, place, t, sub)| ListRow {
                    href: format!("/incidents/{iid}"),
                    cells: vec![when, place, type_labels(c.lang, &t, &sub).1],
                })
                .collect(),
        }],
        c,
    };
    render(&view)
}

fn patrol_report_view(state: &AppState, auth: &Auth, id: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/patrols");
    let choices = vec![
        ("effectuee".to_string(), c.t("patrol-status-effectuee")),
        (
            "non_effectuee".to_string(),
            c.t("patrol-status-non_effectuee"),
        ),
    ];
    FormView {
        submit: None,
        map: None,
        title: c.t("patrol-report"),
        action: format!("/patrols/{id}/report"),
        cancel_href: format!("/patrols/{id}"),
        fields: vec![
            FormField::new("outcome", c.t("field-status"), "select", String::new())
                .required()
                .options(options(choices, f.get("outcome"), None)),
            FormField::new(
                "report",
                c.t("patrol-observations"),
                "textarea",
                f.get("report").into(),
            )
            .hint(c.t("patrol-observations-hint")),
        ],
        error: None,
        c,
    }
}

pub(super) async fn patrol_report_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    incidents::patrols::get(&state, &auth.scope, &id).await?;
    render(&patrol_report_view(&state, &auth, &id, &Fields::default()))
}

pub(super) async fn patrol_report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    let f = Fields::from_pairs(pairs);
    let done = match f.get("outcome") {
        "effectuee" => true,
        "non_effectuee" => false,
        _ => {
            return patrol_report_view(&state, &auth, &id, &f)
                .refuse(AppError::invalid("outcome", "error-bad-choice"));
        }
    };
    match incidents::patrols::report(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &id,
        done,
        f.get("report"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/patrols/{id}")).into_response()),
        Err(e) => patrol_report_view(&state, &auth, &id, &f).refuse(e),
    }
}

/// The patrol form as the service takes it: the days, the stops and the assets as listed.
fn new_patrol(f: &Fields) -> AppResult<incidents::patrols::NewPatrol> {
    let mut p = Problems::default();
    let mut day = |name: &'static str| {
        let read = crate::db::day(f.get(name))
            .filter(|_| crate::db::iso_day(f.get(name)).len() == 10)
            .ok_or(AppError::invalid(name, "error-bad-date"));
        p.or(read, time::Date::MIN)
    };
    let (starts_on, ends_on) = (day("starts_on")?, day("ends_on")?);
    let list = |name: &str, separators: &[char]| -> Vec<String> {
        f.get(name)
            .split(separators)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    p.finish(incidents::patrols::NewPatrol {
        submission_id: f.get("submission").to_string(),
        starts_on,
        ends_on,
        route: list("route", &[',', ';', '\n']),
        assets: list("assets", &[',', ';']),
    })
}
