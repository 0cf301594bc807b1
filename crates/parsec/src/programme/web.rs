//! The programme's pages: the dashboard (the indicators with their baseline, target and trend),
//! the activities and their timeline, the deliveries and what became of them, the partners
//! (who does what where), the needs, and the quarterly report as PDF and XLSX.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use time::Date;

use super::activities::{self, ActivityInput, NewIntervention, NewPartner};
use super::deliveries::{self, NewDelivery};
use super::indicators::{self, Indicator, Unit};
use super::needs::{self, NewNeed};
use super::targets::{self, Target};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailTable, Fields, FormField, FormView, ListRow, PageCtx, SelectOption, day_text, num,
    options, percent, render,
};

type Params = Query<HashMap<String, String>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programme", get(dashboard))
        .route("/programme/report.pdf", get(report_pdf))
        .route("/programme/report.xlsx", get(report_xlsx))
        .route("/programme/activities", get(activities_page))
        .route(
            "/programme/activities/new",
            get(activity_new).post(activity_create),
        )
        .route(
            "/programme/activities/{id}/edit",
            get(activity_edit).post(activity_update),
        )
        .route("/programme/deliveries", get(deliveries_page))
        .route(
            "/programme/deliveries/new",
            get(delivery_new).post(delivery_create),
        )
        .route("/programme/partners", get(partners_page))
        .route(
            "/programme/partners/new",
            get(partner_new).post(partner_create),
        )
        .route(
            "/programme/interventions/new",
            get(intervention_new).post(intervention_create),
        )
        .route("/programme/needs", get(needs_page))
        .route("/programme/needs/new", get(need_new).post(need_create))
        .route(
            "/programme/indicators/{code}",
            get(target_form).post(target_save),
        )
}

/// An indicator as the dashboard shows it.
pub struct Card {
    pub code: String,
    pub title: String,
    pub definition: String,
    pub value: String,
    pub baseline: String,
    pub target: String,
    pub trend: String,
    pub breakdown: String,
}

/// Every programme page: the sections, the page's actions, an optional period, cards, a
/// figure and tables.
#[derive(askama::Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    c: PageCtx,
    title: String,
    sections: Vec<(String, String, bool)>,
    actions: Vec<(String, String)>,
    period: Option<(String, String, String)>,
    cards: Vec<Card>,
    figure: String,
    note: String,
    tables: Vec<DetailTable>,
    /// The reader keeps the programme's records (the indicators' targets link).
    edit: bool,
}

const SECTIONS: &[(&str, &str)] = &[
    ("/programme", "programme-dashboard"),
    ("/programme/activities", "programme-activities"),
    ("/programme/budget", "programme-budget"),
    ("/programme/deliveries", "programme-deliveries"),
    ("/programme/partners", "programme-partners"),
    ("/programme/needs", "programme-needs"),
];

fn page(c: PageCtx, here: &str, title: String) -> ProgrammePage {
    let sections = SECTIONS
        .iter()
        .map(|(href, key)| (href.to_string(), c.t(key), *href == here))
        .collect();
    ProgrammePage {
        c,
        title,
        sections,
        actions: Vec::new(),
        period: None,
        cards: Vec::new(),
        figure: String::new(),
        note: String::new(),
        tables: Vec::new(),
        edit: false,
    }
}

/// A record's title, said to be demonstration data where it is (the demo's dates, needs and
/// figures are made up; the programme's public facts are not).
pub(super) fn demo_marked(c: &PageCtx, title: &str, demo: bool) -> String {
    if demo {
        format!("{title} ({})", c.t("budget-demo"))
    } else {
        title.to_string()
    }
}

fn today(state: &AppState) -> Date {
    state.clock.now().date()
}

/// The period asked (`from`, `to`), else the last twelve months.
fn period(state: &AppState, q: &HashMap<String, String>) -> (Date, Date) {
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    let today = today(state);
    let to = crate::db::day(get("to")).map_or(today, |d| d.min(today));
    let from = crate::db::day(get("from"))
        .filter(|f| *f <= to)
        .unwrap_or(to - time::Duration::days(364));
    (from, to)
}

/// A value in its unit, in the page's language.
fn value_text(c: &PageCtx, unit: Unit, v: Option<f64>) -> String {
    let Some(v) = v else {
        return c.t("indicator-none");
    };
    match unit {
        // `+ 0.0` writes a negative zero as 0.
        Unit::Count => num(Some(v + 0.0)),
        Unit::Percent => format!("{v:.0} %"),
        Unit::Minutes => format!("{v:.0} min"),
    }
}

fn cards(c: &PageCtx, list: &[Indicator], set: &HashMap<String, Target>) -> Vec<Card> {
    list.iter()
        .map(|i| {
            let t = set.get(i.code);
            let series: Vec<Option<f64>> = i.series.iter().map(|(_, v)| *v).collect();
            let title = c.t(&format!("indicator-{}", i.code));
            Card {
                code: i.code.to_string(),
                definition: c.t(&format!("indicator-{}-definition", i.code)),
                value: value_text(c, i.unit, i.value),
                baseline: t
                    .and_then(|t| t.baseline)
                    .map(|b| {
                        let period = t.map(|t| t.baseline_period.as_str()).unwrap_or("");
                        format!("{} {period}", value_text(c, i.unit, Some(b)))
                    })
                    .unwrap_or_else(|| c.t("indicator-not-set")),
                target: t
                    .and_then(|t| t.target)
                    .map(|v| value_text(c, i.unit, Some(v)))
                    .unwrap_or_else(|| c.t("indicator-not-set")),
                trend: super::charts::spark(&series, t.and_then(|t| t.target), &title),
                breakdown: i
                    .breakdown
                    .iter()
                    .take(8)
                    .map(|(k, v)| format!("{k} : {}", value_text(c, i.unit, Some(*v))))
                    .collect::<Vec<_>>()
                    .join(" · "),
                title,
            }
        })
        .collect()
}

async fn dashboard(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let (from, to) = period(&state, &q);
    let list = indicators::compute(&state, from, to).await?;
    let set = targets::targets(&state).await?;
    let c = PageCtx::new(&state, &auth, "/programme");
    let mut p = page(c, "/programme", String::new());
    p.title = p.c.t("programme-dashboard");
    p.cards = cards(&p.c, &list, &set);
    p.edit = auth.user.can(Permission::EditProgramme);
    p.period = Some((
        day_text(&from.to_string()),
        day_text(&to.to_string()),
        "/programme".into(),
    ));
    let quarter = quarter_of(today(&state));
    p.actions = vec![
        (
            format!("/programme/report.pdf?quarter={quarter}"),
            p.c.tf("programme-report-pdf", &[("quarter", &quarter)]),
        ),
        (
            format!("/programme/report.xlsx?quarter={quarter}"),
            p.c.tf("programme-report-xlsx", &[("quarter", &quarter)]),
        ),
    ];
    p.note = p.c.t("programme-dashboard-note");
    p.tables = vec![summary_table(&state, &p.c).await?];
    render(&p)
}

/// What the programme delivered and what it answers, in numbers.
async fn summary_table(state: &AppState, c: &PageCtx) -> AppResult<DetailTable> {
    let acts = activities::activities(state).await?;
    let today = today(state);
    let count = |s: &str| acts.iter().filter(|a| a.status == s).count().to_string();
    let late = acts.iter().filter(|a| a.late(today)).count();
    let delivered = deliveries::deliveries(state).await?;
    let serving = delivered
        .iter()
        .filter(|d| d.asset_status.as_deref() == Some("disponible"))
        .count();
    let open_needs = needs::needs(state)
        .await?
        .iter()
        .filter(|n| n.unanswered())
        .count();
    let row = |label: &str, value: String, href: &str| ListRow {
        href: href.into(),
        cells: vec![c.t(label), value],
    };
    Ok(DetailTable {
        title: c.t("programme-summary"),
        columns: c.ts(&["programme-summary-what", "programme-summary-value"]),
        rows: vec![
            row(
                "programme-status-terminee",
                count("terminee"),
                "/programme/activities",
            ),
            row(
                "programme-status-en_cours",
                count("en_cours"),
                "/programme/activities",
            ),
            row("programme-late", late.to_string(), "/programme/activities"),
            row(
                "programme-deliveries",
                delivered.len().to_string(),
                "/programme/deliveries",
            ),
            row(
                "programme-delivered-serving",
                serving.to_string(),
                "/programme/deliveries",
            ),
            row(
                "programme-needs-unanswered",
                open_needs.to_string(),
                "/programme/needs",
            ),
        ],
    })
}

/// The quarter of a day, as the report names it: `2026-T4`.
pub fn quarter_of(d: Date) -> String {
    format!("{}-T{}", d.year(), (u8::from(d.month()) - 1) / 3 + 1)
}

/// The first day of the quarter `back` quarters before the one of `day`.
fn quarters_before(day: Date, back: i32) -> Date {
    let index = day.year() * 4 + i32::from((u8::from(day.month()) - 1) / 3) - back;
    let month = u8::try_from(index.rem_euclid(4) * 3 + 1).unwrap_or(1);
    Date::from_calendar_date(
        index.div_euclid(4),
        time::Month::try_from(month).unwrap_or(time::Month::January),
        1,
    )
    .unwrap_or(day)
}

/// The first and last days of a quarter named `2026-T4`.
pub fn quarter_days(q: &str) -> Option<(Date, Date)> {
    let (year, n) = q.split_once("-T")?;
    let year: i32 = year.parse().ok()?;
    let n: u8 = n.parse().ok()?;
    if !(1..=4).contains(&n) {
        return None;
    }
    let month = |m: u8| time::Month::try_from(m).ok();
    let start = Date::from_calendar_date(year, month(3 * n - 2)?, 1).ok()?;
    let next = if n == 4 {
        Date::from_calendar_date(year + 1, time::Month::January, 1).ok()?
    } else {
        Date::from_calendar_date(year, month(3 * n + 1)?, 1).ok()?
    };
    Some((start, next - time::Duration::days(1)))
}

fn label(c: &PageCtx, prefix: &str, code: &str) -> String {
    c.t(&format!("{prefix}{code}"))
}

async fn activities_page(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let list = activities::activities(&state).await?;
    let c = PageCtx::new(&state, &auth, "/programme");
    let today = today(&state);
    let edit = auth.user.can(Permission::EditProgramme);
    let bars: Vec<super::charts::Bar> = list
        .iter()
        .filter_map(|a| {
            Some(super::charts::Bar {
                label: format!("{} {}", a.code, a.title),
                planned: (
                    crate::db::day(&a.planned_start)?,
                    crate::db::day(&a.planned_end)?,
                ),
                actual: a
                    .actual_start
                    .as_deref()
                    .and_then(crate::db::day)
                    .map(|s| (s, a.actual_end.as_deref().and_then(crate::db::day))),
                late: a.late(today),
            })
        })
        .collect();
    let rows = list
        .iter()
        .map(|a| ListRow {
            href: if edit {
                format!("/programme/activities/{}/edit", a.id)
            } else {
                String::new()
            },
            cells: vec![
                a.code.clone(),
                demo_marked(&c, &a.title, a.demo),
                label(&c, "programme-phase-", &a.phase),
                label(&c, "programme-component-", &a.component),
                a.partner.clone().unwrap_or_default(),
                format!(
                    "{} → {}",
                    day_text(&a.planned_start),
                    day_text(&a.planned_end)
                ),
                format!(
                    "{} → {}",
                    a.actual_start.as_deref().map(day_text).unwrap_or_default(),
                    a.actual_end.as_deref().map(day_text).unwrap_or_default()
                ),
                if a.late(today) {
                    format!(
                        "{} · {}",
                        label(&c, "programme-status-", &a.status),
                        c.t("programme-late")
                    )
                } else {
                    label(&c, "programme-status-", &a.status)
                },
            ],
        })
        .collect();
    let figure = super::charts::svg(
        &bars,
        today,
        &c.t("programme-timeline"),
        &c.t("programme-today"),
    );
    let mut p = page(c, "/programme/activities", String::new());
    p.title = p.c.t("programme-activities");
    if edit {
        p.actions = vec![(
            "/programme/activities/new".into(),
            p.c.t("programme-activity-new"),
        )];
    }
    p.figure = figure;
    p.note = p.c.t("programme-timeline-note");
    p.tables = vec![DetailTable {
        title: p.c.t("programme-activities"),
        columns: p.c.ts(&[
            "programme-code",
            "programme-title",
            "programme-phase",
            "programme-component",
            "programme-partner",
            "programme-planned",
            "programme-actual",
            "field-status",
        ]),
        rows,
    }];
    render(&p)
}

fn coded(c: &PageCtx, prefix: &str, codes: &[&str], current: &str) -> Vec<SelectOption> {
    options(
        codes
            .iter()
            .map(|k| (k.to_string(), c.t(&format!("{prefix}{k}"))))
            .collect(),
        current,
        None,
    )
}

async fn partner_options(
    state: &AppState,
    c: &PageCtx,
    current: &str,
) -> AppResult<Vec<SelectOption>> {
    Ok(options(
        activities::partners(state)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        current,
        Some(c.t("programme-none")),
    ))
}

/// The field naming the activity a record answers (none allowed), as every programme form has
/// it.
async fn activity_field(state: &AppState, c: &PageCtx, f: &Fields) -> AppResult<FormField> {
    let activities = activities::activities(state)
        .await?
        .into_iter()
        .map(|a| (a.id, format!("{} {}", a.code, a.title)))
        .collect();
    Ok(FormField::new(
        "activity_id",
        c.t("programme-activity"),
        "select",
        String::new(),
    )
    .options(options(
        activities,
        f.get("activity_id"),
        Some(c.t("programme-none")),
    )))
}

/// The region's cercles, for a select.
fn cercle_options(state: &AppState, current: &str, blank: Option<String>) -> Vec<SelectOption> {
    let cercles = state
        .gazetteer
        .cercles()
        .iter()
        .map(|k| (k.name.clone(), k.name.clone()))
        .collect();
    options(cercles, current, blank)
}

async fn activity_view(
    state: &AppState,
    auth: &Auth,
    action: String,
    f: &Fields,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/programme");
    let partners = partner_options(state, &c, f.get("partner_id")).await?;
    let text =
        |name: &'static str, key: &str| FormField::new(name, c.t(key), "text", f.get(name).into());
    let fields = vec![
        text("code", "programme-code").required(),
        text("title", "programme-title").required(),
        FormField::new("phase", c.t("programme-phase"), "select", String::new())
            .required()
            .options(coded(
                &c,
                "programme-phase-",
                activities::PHASES,
                f.get("phase"),
            )),
        FormField::new(
            "component",
            c.t("programme-component"),
            "select",
            String::new(),
        )
        .required()
        .options(coded(
            &c,
            "programme-component-",
            activities::COMPONENTS,
            f.get("component"),
        )),
        FormField::new(
            "partner_id",
            c.t("programme-partner"),
            "select",
            String::new(),
        )
        .options(partners),
        text("planned_start", "programme-planned-start").required(),
        text("planned_end", "programme-planned-end").required(),
        text("actual_start", "programme-actual-start"),
        text("actual_end", "programme-actual-end"),
        FormField::new("status", c.t("field-status"), "select", String::new())
            .required()
            .options(coded(
                &c,
                "programme-status-",
                activities::STATUSES,
                f.get("status"),
            )),
    ];
    Ok(FormView {
        title: c.t("programme-activity-new"),
        action,
        cancel_href: "/programme/activities".into(),
        fields,
        ..form_defaults(c)
    })
}

/// What every programme form leaves as it is: no message yet, no map, the usual button.
fn form_defaults(c: PageCtx) -> FormView {
    FormView {
        title: String::new(),
        action: String::new(),
        cancel_href: String::new(),
        fields: Vec::new(),
        error: None,
        map: None,
        submit: None,
        c,
    }
}

/// The region's units, for a select.
async fn unit_options(
    state: &AppState,
    current: &str,
    none: String,
) -> AppResult<Vec<SelectOption>> {
    let units: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM units ORDER BY name")
        .fetch_all(&state.db)
        .await?;
    Ok(options(units, current, Some(none)))
}

fn optional_day(f: &Fields, name: &'static str, p: &mut Problems) -> Option<Date> {
    if f.get(name).trim().is_empty() {
        return None;
    }
    p.or_default(f.day(name).map(Some)).ok().flatten()
}

fn optional_id(f: &Fields, name: &str) -> Option<String> {
    Some(f.get(name).trim().to_string()).filter(|s| !s.is_empty())
}

fn activity_input(f: &Fields) -> AppResult<ActivityInput> {
    let mut p = Problems::default();
    let today = crate::db::now().date();
    let a = ActivityInput {
        code: p.or(f.required("code", 20), String::new())?,
        title: p.or(f.required("title", 300), String::new())?,
        phase: f.get("phase").into(),
        component: f.get("component").into(),
        partner_id: optional_id(f, "partner_id"),
        planned_start: p.or(f.day("planned_start"), today)?,
        planned_end: p.or(f.day("planned_end"), today)?,
        actual_start: optional_day(f, "actual_start", &mut p),
        actual_end: optional_day(f, "actual_end", &mut p),
        status: f.get("status").into(),
    };
    // The service's own checks, so that one answer shows every error.
    activities::check_activity(&a, &mut p);
    p.finish(a)
}

async fn activity_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(vec![
        ("phase".into(), "mise_en_oeuvre".into()),
        ("status".into(), "prevue".into()),
    ]);
    render(&activity_view(&state, &auth, "/programme/activities/new".into(), &f).await?)
}

async fn activity_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(pairs);
    let saved = async {
        let a = activity_input(&f)?;
        activities::save_activity(&state, &auth.user.actor(), None, &a).await
    }
    .await;
    match saved {
        Ok(_) => Ok(Redirect::to("/programme/activities").into_response()),
        Err(e) => activity_view(&state, &auth, "/programme/activities/new".into(), &f)
            .await?
            .refuse(e),
    }
}

async fn activity_edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let a = activities::activity(&state, &id).await?;
    let f = Fields::from_pairs(vec![
        ("code".into(), a.code),
        ("title".into(), a.title),
        ("phase".into(), a.phase),
        ("component".into(), a.component),
        ("partner_id".into(), a.partner_id.unwrap_or_default()),
        ("planned_start".into(), day_text(&a.planned_start)),
        ("planned_end".into(), day_text(&a.planned_end)),
        (
            "actual_start".into(),
            a.actual_start.as_deref().map(day_text).unwrap_or_default(),
        ),
        (
            "actual_end".into(),
            a.actual_end.as_deref().map(day_text).unwrap_or_default(),
        ),
        ("status".into(), a.status),
    ]);
    render(
        &activity_view(
            &state,
            &auth,
            format!("/programme/activities/{id}/edit"),
            &f,
        )
        .await?,
    )
}

async fn activity_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(pairs);
    let saved = async {
        let a = activity_input(&f)?;
        activities::save_activity(&state, &auth.user.actor(), Some(&id), &a).await
    }
    .await;
    match saved {
        Ok(_) => Ok(Redirect::to("/programme/activities").into_response()),
        Err(e) => activity_view(
            &state,
            &auth,
            format!("/programme/activities/{id}/edit"),
            &f,
        )
        .await?
        .refuse(e),
    }
}

async fn deliveries_page(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let list = deliveries::deliveries(&state).await?;
    let c = PageCtx::new(&state, &auth, "/programme");
    let today = today(&state);
    let rows = list
        .iter()
        .map(|d| ListRow {
            href: d
                .asset_id
                .as_ref()
                .map(|a| format!("/assets/{a}"))
                .or_else(|| d.site_id.as_ref().map(|s| format!("/sites/{s}")))
                .unwrap_or_default(),
            cells: vec![
                demo_marked(&c, &d.title, d.demo),
                label(&c, "delivery-kind-", &d.kind),
                d.registration
                    .clone()
                    .or_else(|| d.site.clone())
                    .unwrap_or_default(),
                d.recipient.clone().unwrap_or_default(),
                day_text(&d.handed_over_on),
                d.document_ref.clone(),
                match &d.warranty_end {
                    Some(w) if d.under_warranty(today) => day_text(w),
                    Some(w) => format!("{} ({})", day_text(w), c.t("delivery-warranty-over")),
                    None => String::new(),
                },
                d.asset_status
                    .as_deref()
                    .map(|s| c.t(&format!("asset-status-{s}")))
                    .unwrap_or_default(),
                percent(d.availability),
            ],
        })
        .collect();
    let mut p = page(c, "/programme/deliveries", String::new());
    p.title = p.c.t("programme-deliveries");
    if auth.user.can(Permission::EditProgramme) {
        p.actions = vec![("/programme/deliveries/new".into(), p.c.t("delivery-new"))];
    }
    p.note = p.c.t("delivery-availability-note");
    p.tables = vec![DetailTable {
        title: p.c.t("programme-deliveries"),
        columns: p.c.ts(&[
            "programme-title",
            "field-kind",
            "delivery-what",
            "delivery-recipient",
            "delivery-handed-over",
            "delivery-document",
            "delivery-warranty",
            "delivery-status-now",
            "delivery-availability",
        ]),
        rows,
    }];
    render(&p)
}

async fn delivery_view(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/programme");
    let assets: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, registration || ' — ' || model FROM assets ORDER BY registration",
    )
    .fetch_all(&state.db)
    .await?;
    let sites: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM sites ORDER BY name")
        .fetch_all(&state.db)
        .await?;
    let units = unit_options(state, f.get("recipient_unit_id"), c.t("programme-none")).await?;
    let none = || Some(c.t("programme-none"));
    let text =
        |name: &'static str, key: &str| FormField::new(name, c.t(key), "text", f.get(name).into());
    Ok(FormView {
        title: c.t("delivery-new"),
        action: "/programme/deliveries/new".into(),
        cancel_href: "/programme/deliveries".into(),
        fields: vec![
            text("title", "programme-title").required(),
            FormField::new("kind", c.t("field-kind"), "select", String::new())
                .required()
                .options(coded(
                    &c,
                    "delivery-kind-",
                    deliveries::KINDS,
                    f.get("kind"),
                )),
            FormField::new("asset_id", c.t("delivery-asset"), "select", String::new())
                .options(options(assets, f.get("asset_id"), none())),
            FormField::new("site_id", c.t("delivery-site"), "select", String::new())
                .options(options(sites, f.get("site_id"), none())),
            FormField::new(
                "recipient_unit_id",
                c.t("delivery-recipient"),
                "select",
                String::new(),
            )
            .options(units),
            activity_field(state, &c, f).await?,
            text("handed_over_on", "delivery-handed-over").required(),
            text("document_ref", "delivery-document").hint(c.t("delivery-document-hint")),
            text("warranty_end", "delivery-warranty"),
        ],
        ..form_defaults(c)
    })
}

async fn delivery_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    render(&delivery_view(&state, &auth, &Fields::default()).await?)
}

async fn delivery_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(pairs);
    let mut p = Problems::default();
    let today = crate::db::now().date();
    let d = NewDelivery {
        title: p.or(f.required("title", 300), String::new())?,
        kind: f.get("kind").into(),
        asset_id: optional_id(&f, "asset_id"),
        site_id: optional_id(&f, "site_id"),
        activity_id: optional_id(&f, "activity_id"),
        recipient_unit_id: optional_id(&f, "recipient_unit_id"),
        handed_over_on: p.or(f.day("handed_over_on"), today)?,
        document_ref: f.get("document_ref").trim().chars().take(200).collect(),
        warranty_end: optional_day(&f, "warranty_end", &mut p),
    };
    let saved = async {
        deliveries::check(&state, &d, &mut p).await?;
        p.finish(())?;
        deliveries::create(&state, &auth.user.actor(), &d).await
    }
    .await;
    match saved {
        Ok(_) => Ok(Redirect::to("/programme/deliveries").into_response()),
        Err(e) => delivery_view(&state, &auth, &f).await?.refuse(e),
    }
}

async fn partners_page(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let c = PageCtx::new(&state, &auth, "/programme");
    let partners = activities::partners(&state).await?;
    let work = activities::interventions(&state).await?;
    // Who works where, on the region's map: the number of partners per cercle.
    let mut per_cercle: HashMap<String, Vec<String>> = HashMap::new();
    for w in &work {
        let names = per_cercle.entry(w.cercle.clone()).or_default();
        if !names.contains(&w.partner) {
            names.push(w.partner.clone());
        }
    }
    let figure = partners_map(&state, &per_cercle, &c.t("programme-partners-map"));
    let mut p = page(c, "/programme/partners", String::new());
    p.title = p.c.t("programme-partners");
    if auth.user.can(Permission::EditProgramme) {
        p.actions = vec![
            ("/programme/partners/new".into(), p.c.t("partner-new")),
            (
                "/programme/interventions/new".into(),
                p.c.t("intervention-new"),
            ),
        ];
    }
    p.figure = figure;
    p.tables = vec![
        DetailTable {
            title: p.c.t("programme-who-where"),
            columns: p.c.ts(&[
                "geo-cercle",
                "programme-partner",
                "programme-activity",
                "field-notes",
            ]),
            rows: work
                .iter()
                .map(|w| ListRow {
                    href: String::new(),
                    cells: vec![
                        w.cercle.clone(),
                        w.partner.clone(),
                        w.activity.clone().unwrap_or_default(),
                        w.note.clone(),
                    ],
                })
                .collect(),
        },
        DetailTable {
            title: p.c.t("programme-partners"),
            columns: p.c.ts(&["partner-name", "field-kind", "field-notes"]),
            rows: partners
                .iter()
                .map(|x| ListRow {
                    href: String::new(),
                    cells: vec![
                        x.name.clone(),
                        label(&p.c, "partner-kind-", &x.kind),
                        x.note.clone(),
                    ],
                })
                .collect(),
        },
    ];
    render(&p)
}

/// The region's map with, at each cercle's seat, how many partners work there (their names
/// on hover).
fn partners_map(
    state: &AppState,
    per_cercle: &HashMap<String, Vec<String>>,
    title: &str,
) -> String {
    use super::charts::esc;
    let mut overlay = String::new();
    for l in state.gazetteer.localities().iter().filter(|l| {
        l.in_region
            && matches!(
                l.admin_seat.as_deref(),
                Some("cercle_capital") | Some("region_capital")
            )
    }) {
        let Some(names) = per_cercle.get(&l.cercle) else {
            continue;
        };
        let (x, y) = crate::incidents::map::project(l.lat, l.lon);
        overlay.push_str(&format!(
            "<g class=\"partners\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.1}\" fill=\"#1f5fa8\" opacity=\"0.75\"/><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#fff\" text-anchor=\"middle\">{}</text><title>{} : {}</title></g>",
            8.0 + 3.0 * names.len() as f64,
            y + 4.0,
            names.len(),
            esc(&l.cercle),
            esc(&names.join(", "))
        ));
    }
    crate::incidents::map::draw(
        &crate::incidents::web::capitals(state),
        &[],
        &[],
        &[],
        &overlay,
        title,
    )
}

fn partner_view(state: &AppState, auth: &Auth, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/programme");
    FormView {
        title: c.t("partner-new"),
        action: "/programme/partners/new".into(),
        cancel_href: "/programme/partners".into(),
        fields: vec![
            FormField::new("name", c.t("partner-name"), "text", f.get("name").into()).required(),
            FormField::new("kind", c.t("field-kind"), "select", String::new())
                .required()
                .options(coded(
                    &c,
                    "partner-kind-",
                    activities::PARTNER_KINDS,
                    f.get("kind"),
                )),
            FormField::new("note", c.t("field-notes"), "textarea", f.get("note").into()),
        ],
        ..form_defaults(c)
    }
}

async fn partner_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    render(&partner_view(&state, &auth, &Fields::default()))
}

async fn partner_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(pairs);
    let n = NewPartner {
        name: f.get("name").trim().chars().take(200).collect(),
        kind: f.get("kind").into(),
        note: f.get("note").trim().chars().take(2000).collect(),
    };
    match activities::create_partner(&state, &auth.user.actor(), &n).await {
        Ok(_) => Ok(Redirect::to("/programme/partners").into_response()),
        Err(e) => partner_view(&state, &auth, &f).refuse(e),
    }
}

async fn intervention_view(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/programme");
    let cercles = cercle_options(state, f.get("cercle"), None);
    Ok(FormView {
        title: c.t("intervention-new"),
        action: "/programme/interventions/new".into(),
        cancel_href: "/programme/partners".into(),
        fields: vec![
            FormField::new(
                "partner_id",
                c.t("programme-partner"),
                "select",
                String::new(),
            )
            .required()
            .options(partner_options(state, &c, f.get("partner_id")).await?),
            FormField::new("cercle", c.t("geo-cercle"), "select", String::new())
                .required()
                .options(cercles),
            activity_field(state, &c, f).await?,
            FormField::new("note", c.t("field-notes"), "text", f.get("note").into()),
        ],
        ..form_defaults(c)
    })
}

async fn intervention_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    render(&intervention_view(&state, &auth, &Fields::default()).await?)
}

async fn intervention_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(pairs);
    let n = NewIntervention {
        partner_id: f.get("partner_id").into(),
        activity_id: optional_id(&f, "activity_id"),
        cercle: f.get("cercle").into(),
        note: f.get("note").trim().chars().take(500).collect(),
    };
    match activities::add_intervention(&state, &auth.user.actor(), &n).await {
        Ok(_) => Ok(Redirect::to("/programme/partners").into_response()),
        Err(e) => intervention_view(&state, &auth, &f).await?.refuse(e),
    }
}

async fn needs_page(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let c = PageCtx::new(&state, &auth, "/programme");
    let list = needs::needs(&state).await?;
    let rows = list
        .iter()
        .map(|n| ListRow {
            href: String::new(),
            cells: vec![
                demo_marked(&c, &n.title, n.demo),
                n.unit.clone().unwrap_or_default(),
                n.cercle.clone(),
                label(&c, "need-priority-", &n.priority.to_string()),
                n.activity.clone().unwrap_or_else(|| c.t("need-unanswered")),
                day_text(&n.identified_on),
            ],
        })
        .collect();
    let mut p = page(c, "/programme/needs", String::new());
    p.title = p.c.t("programme-needs");
    if auth.user.can(Permission::EditProgramme) {
        p.actions = vec![("/programme/needs/new".into(), p.c.t("need-new"))];
    }
    p.note = p.c.t("need-unanswered-note");
    p.tables = vec![DetailTable {
        title: p.c.t("programme-needs"),
        columns: p.c.ts(&[
            "programme-title",
            "field-unit",
            "geo-cercle",
            "need-priority",
            "programme-activity",
            "need-identified",
        ]),
        rows,
    }];
    render(&p)
}

async fn need_view(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/programme");
    let units = unit_options(state, f.get("unit_id"), c.t("programme-none")).await?;
    let cercles = cercle_options(state, f.get("cercle"), Some(c.t("programme-none")));
    let priorities = options(
        ["1", "2", "3"]
            .iter()
            .map(|k| (k.to_string(), c.t(&format!("need-priority-{k}"))))
            .collect(),
        f.get("priority"),
        None,
    );
    Ok(FormView {
        title: c.t("need-new"),
        action: "/programme/needs/new".into(),
        cancel_href: "/programme/needs".into(),
        fields: vec![
            FormField::new(
                "title",
                c.t("programme-title"),
                "text",
                f.get("title").into(),
            )
            .required(),
            FormField::new("unit_id", c.t("field-unit"), "select", String::new()).options(units),
            FormField::new("cercle", c.t("geo-cercle"), "select", String::new())
                .options(cercles)
                .hint(c.t("need-where-hint")),
            FormField::new("priority", c.t("need-priority"), "select", String::new())
                .required()
                .options(priorities),
            activity_field(state, &c, f).await?,
            FormField::new(
                "identified_on",
                c.t("need-identified"),
                "text",
                f.get("identified_on").into(),
            )
            .required(),
        ],
        ..form_defaults(c)
    })
}

async fn need_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(vec![("priority".into(), "2".into())]);
    render(&need_view(&state, &auth, &f).await?)
}

async fn need_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let f = Fields::from_pairs(pairs);
    let mut p = Problems::default();
    let n = NewNeed {
        title: p.or(f.required("title", 300), String::new())?,
        unit_id: optional_id(&f, "unit_id"),
        cercle: f.get("cercle").into(),
        priority: f.get("priority").parse().unwrap_or(0),
        activity_id: optional_id(&f, "activity_id"),
        identified_on: p.or(f.day("identified_on"), crate::db::now().date())?,
    };
    let saved = async {
        p.finish(())?;
        needs::create(&state, &auth.user.actor(), &n).await
    }
    .await;
    match saved {
        Ok(_) => Ok(Redirect::to("/programme/needs").into_response()),
        Err(e) => need_view(&state, &auth, &f).await?.refuse(e),
    }
}

fn target_view(state: &AppState, auth: &Auth, code: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/programme");
    FormView {
        title: format!(
            "{} — {}",
            c.t("indicator-target-title"),
            c.t(&format!("indicator-{code}"))
        ),
        action: format!("/programme/indicators/{code}"),
        cancel_href: "/programme".into(),
        fields: vec![
            FormField::new(
                "baseline",
                c.t("indicator-baseline"),
                "text",
                f.get("baseline").into(),
            ),
            FormField::new(
                "baseline_period",
                c.t("indicator-baseline-period"),
                "text",
                f.get("baseline_period").into(),
            ),
            FormField::new(
                "target",
                c.t("indicator-target"),
                "text",
                f.get("target").into(),
            ),
        ],
        ..form_defaults(c)
    }
}

fn known_code(code: &str) -> AppResult<&'static str> {
    indicators::CODES
        .iter()
        .find(|k| **k == code)
        .copied()
        .ok_or(AppError::NotFound)
}

async fn target_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let code = known_code(&code)?;
    let set = targets::targets(&state).await?;
    let t = set.get(code);
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let f = Fields::from_pairs(vec![
        ("baseline".into(), num(t.and_then(|t| t.baseline))),
        ("target".into(), num(t.and_then(|t| t.target))),
        (
            "baseline_period".into(),
            t.map(|t| t.baseline_period.clone()).unwrap_or_default(),
        ),
    ]);
    render(&target_view(&state, &auth, code, &f))
}

async fn target_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditProgramme)?;
    let code = known_code(&code)?;
    let f = Fields::from_pairs(pairs);
    let mut p = Problems::default();
    let t = Target {
        code: code.into(),
        baseline: p.or_default(f.optional_f64("baseline", 0.0, 1e12))?,
        target: p.or_default(f.optional_f64("target", 0.0, 1e12))?,
        baseline_period: f.get("baseline_period").trim().chars().take(60).collect(),
    };
    let saved = async {
        p.finish(())?;
        targets::set(&state, &auth.user.actor(), &t).await
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/programme").into_response()),
        Err(e) => target_view(&state, &auth, code, &f).refuse(e),
    }
}

/// The quarterly report's tables: the indicators (value this quarter, the previous quarters,
/// baseline, target), the activities by status with the late ones, the deliveries and what
/// became of them, the needs no activity answers.
async fn report_tables(
    state: &AppState,
    c: &PageCtx,
    quarter: &str,
) -> AppResult<Vec<DetailTable>> {
    let (from, to) = quarter_days(quarter).ok_or(AppError::invalid("quarter", "error-bad-date"))?;
    // The quarter and the three before it, whole, for the trend: one computation, whose last
    // quarter is the report's own.
    let list = indicators::compute(state, quarters_before(from, 3), to).await?;
    let set = targets::targets(state).await?;
    let quarters: Vec<String> = (0..4)
        .rev()
        .map(|back| quarter_of(quarters_before(from, back)))
        .collect();
    let mut columns = c.ts(&["indicator", "indicator-baseline", "indicator-target"]);
    columns.extend(quarters.iter().cloned());
    let rows = list
        .iter()
        .map(|i| {
            let t = set.get(i.code);
            let mut cells = vec![
                c.t(&format!("indicator-{}", i.code)),
                value_text(c, i.unit, t.and_then(|t| t.baseline)),
                value_text(c, i.unit, t.and_then(|t| t.target)),
            ];
            if i.series.is_empty() {
                // A value of now only (the population within reach): the quarter's, alone.
                cells.extend(quarters[1..].iter().map(|_| value_text(c, i.unit, None)));
                cells.push(value_text(c, i.unit, i.value));
            } else {
                cells.extend(i.series.iter().map(|(_, v)| value_text(c, i.unit, *v)));
            }
            ListRow {
                href: String::new(),
                cells,
            }
        })
        .collect();
    let today = today(state);
    let acts = activities::activities(state).await?;
    let deliveries = deliveries::deliveries(state).await?;
    let open_needs: Vec<_> = needs::needs(state)
        .await?
        .into_iter()
        .filter(|n| n.unanswered())
        .collect();
    // The budget: what the quarter committed and paid, and the execution since the start.
    let quarter_money = super::budget::execution(
        state,
        super::budget::Period {
            from: Some(from),
            to: Some(to),
        },
    )
    .await?;
    let to_date = super::budget::execution(
        state,
        super::budget::Period {
            from: None,
            to: Some(to),
        },
    )
    .await?;
    let french = c.lang == crate::i18n::Lang::Fr;
    let eur = |cents: i64| super::money::eur_text(cents, french);
    let money_row =
        |name: String, q: &super::budget::Totals, all: &super::budget::Totals| ListRow {
            href: String::new(),
            cells: vec![
                name,
                eur(all.planned_eur),
                eur(q.committed_eur),
                eur(q.paid_eur),
                eur(all.paid_eur),
                percent(all.paid_rate()),
            ],
        };
    let mut budget_rows: Vec<ListRow> = quarter_money
        .by_component
        .iter()
        .zip(&to_date.by_component)
        .map(|((component, q), (_, all))| money_row(c.t(component.label_key()), q, all))
        .collect();
    budget_rows.push(money_row(
        c.t("budget-total"),
        &quarter_money.total,
        &to_date.total,
    ));
    Ok(vec![
        DetailTable {
            title: c.t("programme-indicators"),
            columns,
            rows,
        },
        DetailTable {
            title: c.t("programme-budget"),
            columns: c.ts(&[
                "programme-component",
                "programme-budget-planned",
                "programme-budget-committed-quarter",
                "programme-budget-paid-quarter",
                "programme-budget-paid-to-date",
                "programme-budget-execution",
            ]),
            rows: budget_rows,
        },
        DetailTable {
            title: c.t("programme-activities"),
            columns: c.ts(&[
                "programme-code",
                "programme-title",
                "field-status",
                "programme-planned",
            ]),
            rows: acts
                .iter()
                .map(|a| ListRow {
                    href: String::new(),
                    cells: vec![
                        a.code.clone(),
                        a.title.clone(),
                        if a.late(today) {
                            format!(
                                "{} · {}",
                                label(c, "programme-status-", &a.status),
                                c.t("programme-late")
                            )
                        } else {
                            label(c, "programme-status-", &a.status)
                        },
                        format!(
                            "{} → {}",
                            day_text(&a.planned_start),
                            day_text(&a.planned_end)
                        ),
                    ],
                })
                .collect(),
        },
        DetailTable {
            title: c.t("programme-deliveries"),
            columns: c.ts(&[
                "programme-title",
                "delivery-handed-over",
                "delivery-status-now",
                "delivery-availability",
            ]),
            rows: deliveries
                .iter()
                .map(|d| ListRow {
                    href: String::new(),
                    cells: vec![
                        d.title.clone(),
                        day_text(&d.handed_over_on),
                        d.asset_status
                            .as_deref()
                            .map(|s| c.t(&format!("asset-status-{s}")))
                            .unwrap_or_default(),
                        percent(d.availability),
                    ],
                })
                .collect(),
        },
        DetailTable {
            title: c.t("programme-needs-unanswered"),
            columns: c.ts(&["programme-title", "geo-cercle", "need-priority"]),
            rows: open_needs
                .iter()
                .map(|n| ListRow {
                    href: String::new(),
                    cells: vec![
                        n.title.clone(),
                        n.cercle.clone(),
                        label(c, "need-priority-", &n.priority.to_string()),
                    ],
                })
                .collect(),
        },
    ])
}

fn quarter_asked(state: &AppState, q: &HashMap<String, String>) -> String {
    q.get("quarter")
        .filter(|s| quarter_days(s).is_some())
        .cloned()
        .unwrap_or_else(|| quarter_of(today(state)))
}

async fn report_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let quarter = quarter_asked(&state, &q);
    let c = PageCtx::new(&state, &auth, "/programme");
    let tables = report_tables(&state, &c, &quarter).await?;
    let mut blocks = vec![crate::pdf::Block::Line(c.t("programme-report-intro"))];
    for t in tables {
        blocks.push(crate::pdf::Block::Heading(t.title));
        let n = t.columns.len().max(1) as f32;
        blocks.push(crate::pdf::Block::Table {
            widths: vec![520.0 / n; t.columns.len()],
            head: t.columns,
            rows: t.rows.into_iter().map(|r| r.cells).collect(),
        });
    }
    let page_label = |page: usize, pages: usize| {
        c.tf(
            "report-page",
            &[("page", &page.to_string()), ("pages", &pages.to_string())],
        )
    };
    let bytes = crate::pdf::report(&crate::pdf::Report {
        title: &c.t("programme-report"),
        subtitle: &c.tf("programme-report-quarter", &[("quarter", &quarter)]),
        marking: &c.t("programme-report-marking"),
        page_label: &page_label,
        blocks: &blocks,
    })
    .map_err(|e| AppError::Internal(format!("pdf: {e}")))?;
    crate::audit::exported(
        &state.db,
        &auth.user.actor(),
        "programme_report",
        1,
        &quarter,
    )
    .await?;
    Ok(crate::web::download::inline(
        "application/pdf",
        &format!("rapport-parsec-{quarter}.pdf"),
        bytes,
    ))
}

async fn report_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewProgramme)?;
    let quarter = quarter_asked(&state, &q);
    let c = PageCtx::new(&state, &auth, "/programme");
    let tables = report_tables(&state, &c, &quarter).await?;
    let bytes = crate::web::download::xlsx_tables(&tables)?;
    crate::audit::exported(
        &state.db,
        &auth.user.actor(),
        "programme_report",
        1,
        &quarter,
    )
    .await?;
    Ok(crate::web::download::attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("rapport-parsec-{quarter}.xlsx"),
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn quarters_are_named_and_bounded() {
        assert_eq!(quarter_of(date!(2026 - 12 - 06)), "2026-T4");
        assert_eq!(quarter_of(date!(2019 - 07 - 12)), "2019-T3");
        assert_eq!(
            quarter_days("2026-T4"),
            Some((date!(2026 - 10 - 01), date!(2026 - 12 - 31)))
        );
        assert_eq!(
            quarter_days("2019-T1"),
            Some((date!(2019 - 01 - 01), date!(2019 - 03 - 31)))
        );
        assert_eq!(quarter_days("2019-T5"), None);
        assert_eq!(
            quarters_before(date!(2026 - 04 - 01), 3),
            date!(2025 - 07 - 01)
        );
        assert_eq!(
            quarters_before(date!(2026 - 12 - 06), 0),
            date!(2026 - 10 - 01)
        );
        assert_eq!(quarter_days("2019"), None);
    }
}
