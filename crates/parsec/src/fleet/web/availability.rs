//! The fleet's availability for a period: per force, unit or asset kind, and per asset —
//! rate, downtime by cause, MTTR, MTBF per meter unit, backlog, preventive compliance —, the
//! chart of the rate over time, and the same tables as CSV and XLSX.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;

use super::meter_label;
use super::orders::days;
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::fleet::availability::{self, By, Report};
use crate::registry::model::{AssetKind, Coded};
use crate::web::auth::Auth;
use crate::web::download::{attachment, csv_line, xlsx_tables};
use crate::web::page::{DetailTable, ListRow, PageCtx, day_text, percent, render};

type Params = Query<HashMap<String, String>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workshop/availability", get(page))
        .route("/workshop/availability.csv", get(csv))
        .route("/workshop/availability.xlsx", get(xlsx))
}

/// The period and grouping asked, or the last 90 days per force.
struct Ask {
    from: time::Date,
    to: time::Date,
    by: By,
}

fn ask(q: &HashMap<String, String>) -> Ask {
    let today = crate::db::now().date();
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    let to = crate::db::day(get("to")).map_or(today, |d| d.min(today));
    let from = crate::db::day(get("from"))
        .filter(|f| *f <= to && (to - *f).whole_days() <= 3 * 366)
        .unwrap_or(to - time::Duration::days(89));
    Ask {
        from,
        to,
        by: By::parse(get("by")).unwrap_or(By::Force),
    }
}

/// A chart step that keeps the chart readable: a day up to a month, a week up to a year.
fn step_days(a: &Ask) -> i64 {
    match (a.to - a.from).whole_days() {
        0..=31 => 1,
        32..=400 => 7,
        _ => 30,
    }
}

async fn report(state: &AppState, auth: &Auth, a: &Ask) -> AppResult<Report> {
    availability::report(state, &auth.scope, a.from, a.to, a.by, step_days(a)).await
}

fn group_label(c: &PageCtx, by: By, key: &str) -> String {
    match by {
        By::Kind => AssetKind::parse(key)
            .map(|k| c.t(k.label_key()))
            .unwrap_or_else(|| key.to_string()),
        _ => key.to_string(),
    }
}

fn number(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

fn tables(c: &PageCtx, r: &Report, by: By) -> Vec<DetailTable> {
    let heads = |keys: &[&str]| keys.iter().map(|k| c.t(k)).collect::<Vec<_>>();
    let groups = r
        .groups
        .iter()
        .map(|g| ListRow {
            href: String::new(),
            cells: vec![
                group_label(c, by, &g.key),
                g.assets.to_string(),
                percent(g.availability.rate()),
                format!("{:.1}", g.availability.days_available()),
                days(g.availability.by_cause[0]),
                days(g.availability.by_cause[1]),
                days(g.availability.by_cause[2]),
                g.failures.to_string(),
                number(g.mttr_hours),
                g.mtbf
                    .iter()
                    .map(|(unit, v)| format!("{v:.0} {}", meter_label(c, unit)))
                    .collect::<Vec<_>>()
                    .join(" · "),
                g.open_orders.to_string(),
                percent(g.compliance),
            ],
        })
        .collect();
    let assets = r
        .assets
        .iter()
        .map(|a| ListRow {
            href: format!("/assets/{}", a.asset_id),
            cells: vec![
                a.registration.clone(),
                a.unit_name.clone(),
                a.force_code.clone(),
                group_label(c, By::Kind, &a.kind),
                percent(a.availability.rate()),
                days(a.availability.by_cause[0]),
                days(a.availability.by_cause[1]),
                days(a.availability.by_cause[2]),
                a.failures.to_string(),
                a.meter
                    .as_ref()
                    .map(|(unit, run)| format!("{run:.0} {}", meter_label(c, unit)))
                    .unwrap_or_default(),
                a.open_orders.to_string(),
            ],
        })
        .collect();
    vec![
        DetailTable {
            title: c.t(&format!("availability-by-{}", by.code())),
            columns: heads(&[
                "availability-group",
                "availability-assets",
                "availability-rate",
                "availability-days",
                "downtime-repair",
                "downtime-parts",
                "downtime-budget",
                "availability-failures",
                "availability-mttr",
                "availability-mtbf",
                "availability-backlog",
                "availability-compliance",
            ]),
            rows: groups,
        },
        DetailTable {
            title: c.t("availability-per-asset"),
            columns: heads(&[
                "field-registration",
                "field-unit",
                "field-force",
                "field-kind",
                "availability-rate",
                "downtime-repair",
                "downtime-parts",
                "downtime-budget",
                "availability-failures",
                "availability-run",
                "availability-backlog",
            ]),
            rows: assets,
        },
    ]
}

#[derive(askama::Template)]
#[template(path = "availability.html")]
struct Page {
    c: PageCtx,
    from: String,
    to: String,
    by: String,
    bys: Vec<(String, String)>,
    chart: String,
    tables: Vec<DetailTable>,
    query: String,
}

async fn page(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let a = ask(&q);
    let r = report(&state, &auth, &a).await?;
    let c = PageCtx::new(&state, &auth, "/workshop");
    // The rate per step as whole percents, on the flows' chart, which reads a value a day:
    // each step's value is given to each of its days.
    let step = step_days(&a);
    let series: Vec<(String, Vec<(String, i64)>)> = r
        .groups
        .iter()
        .map(|g| {
            let points = g
                .series
                .iter()
                .enumerate()
                .filter_map(|(i, v)| Some((i as i64, (v.as_ref()? * 100.0).round() as i64)))
                .flat_map(|(i, rate)| {
                    (0..step).filter_map(move |d| {
                        let day = a.from + time::Duration::days(i * step + d);
                        (day <= a.to).then(|| (day.to_string(), rate))
                    })
                })
                .collect();
            (group_label(&c, a.by, &g.key), points)
        })
        .collect();
    let chart = crate::border::flows::chart(
        &series,
        &a.from.to_string(),
        &a.to.to_string(),
        &c.t("availability-chart"),
    );
    let bys = By::ALL
        .iter()
        .map(|b| {
            (
                b.code().to_string(),
                c.t(&format!("availability-by-{}", b.code())),
            )
        })
        .collect();
    render(&Page {
        from: day_text(&a.from.to_string()),
        to: day_text(&a.to.to_string()),
        by: a.by.code().into(),
        bys,
        chart,
        tables: tables(&c, &r, a.by),
        query: format!("from={}&to={}&by={}", a.from, a.to, a.by.code()),
        c,
    })
}

async fn csv(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let a = ask(&q);
    let r = report(&state, &auth, &a).await?;
    let c = PageCtx::new(&state, &auth, "/workshop");
    let mut out = String::new();
    for t in tables(&c, &r, a.by) {
        out.push_str(&csv_line(&[t.title.as_str()]));
        out.push_str(&csv_line(&t.columns));
        for row in &t.rows {
            out.push_str(&csv_line(&row.cells));
        }
        out.push('\n');
    }
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("disponibilite-{}-{}.csv", a.from, a.to),
        out,
    ))
}

async fn xlsx(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let a = ask(&q);
    let r = report(&state, &auth, &a).await?;
    let c = PageCtx::new(&state, &auth, "/workshop");
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("disponibilite-{}-{}.xlsx", a.from, a.to),
        xlsx_tables(&tables(&c, &r, a.by))?,
    ))
}
