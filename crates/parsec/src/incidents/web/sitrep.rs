//! The daily situation report (figures from `incidents::sitrep`) as a page, a PDF, a CSV
//! and a workbook.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::{Params, duration};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::{Catalog, Lang};
use crate::incidents::{self, model};
use crate::web::auth::Auth;
use crate::web::download::{attachment, csv_cell, inline};
use crate::web::page::{ListParams, ListRow, PageCtx, render, when_text};

/// The report's tables, in the reader's language.
fn sitrep_tables(c: &PageCtx, r: &incidents::sitrep::Sitrep) -> Vec<crate::web::page::DetailTable> {
    use crate::web::page::DetailTable;
    let type_name = |t: &str| {
        model::EVENT_TYPES.iter().find(|x| x.0 == t).map_or_else(
            || t.to_string(),
            |x| match c.lang {
                Lang::Fr => x.2.to_string(),
                Lang::En => x.1.to_string(),
            },
        )
    };
    let row = |cells: Vec<String>| ListRow {
        href: String::new(),
        cells,
    };
    vec![
        DetailTable {
            title: c.t("sitrep-incidents"),
            columns: vec![
                c.t("geo-cercle"),
                c.t("incident-type"),
                c.t("sitrep-count"),
                c.t("incident-fatalities"),
                c.t("incident-injured"),
                c.t("incident-missing"),
            ],
            rows: r
                .incidents
                .iter()
                .map(|l| {
                    row(vec![
                        l.cercle.clone(),
                        type_name(&l.event_type),
                        l.incidents.to_string(),
                        l.fatalities.to_string(),
                        l.injured.to_string(),
                        l.missing.to_string(),
                    ])
                })
                .chain((!r.incidents.is_empty()).then(|| {
                    let sum = |f: fn(&incidents::sitrep::IncidentLine) -> i64| {
                        r.incidents.iter().map(f).sum::<i64>().to_string()
                    };
                    row(vec![
                        c.t("sitrep-total"),
                        String::new(),
                        sum(|l| l.incidents),
                        sum(|l| l.fatalities),
                        sum(|l| l.injured),
                        sum(|l| l.missing),
                    ])
                }))
                .collect(),
        },
        DetailTable {
            title: c.t("sitrep-responses"),
            columns: vec![
                c.t("geo-cercle"),
                c.t("sitrep-col-sent"),
                c.t("sitrep-col-arrived"),
                c.t("sitrep-col-median"),
                c.t("sitrep-col-longest"),
                c.t("sitrep-col-foreseen"),
            ],
            rows: r
                .responses_by_cercle
                .iter()
                .map(|(cercle, t)| {
                    let m = |x: Option<f64>| x.map_or_else(|| "—".to_string(), duration);
                    row(vec![
                        cercle.clone(),
                        t.sent.to_string(),
                        t.arrived.to_string(),
                        m(t.median),
                        m(t.longest),
                        m(t.foreseen_median),
                    ])
                })
                .collect(),
        },
        DetailTable {
            title: c.t("sitrep-patrols"),
            columns: vec![
                c.t("geo-cercle"),
                c.t("patrol-status-effectuee"),
                c.t("patrol-status-non_effectuee"),
            ],
            rows: r
                .patrols
                .iter()
                .map(|(cercle, done, not_done)| {
                    row(vec![cercle.clone(), done.to_string(), not_done.to_string()])
                })
                .collect(),
        },
        DetailTable {
            title: c.t("sitrep-flows"),
            columns: vec![
                c.t("crossing-post"),
                c.t("direction-entree"),
                c.t("direction-sortie"),
            ],
            rows: r
                .flows
                .iter()
                .map(|f| {
                    row(vec![
                        f.post.clone(),
                        f.entries.to_string(),
                        f.exits.to_string(),
                    ])
                })
                .collect(),
        },
        DetailTable {
            title: c.t("sitrep-assets"),
            columns: vec![c.t("field-kind"), c.t("field-status"), c.t("sitrep-count")],
            rows: r
                .assets
                .iter()
                .map(|a| {
                    row(vec![
                        c.t(&format!("asset-kind-{}", a.kind)),
                        c.t(&format!("asset-status-{}", a.status)),
                        a.assets.to_string(),
                    ])
                })
                .collect(),
        },
    ]
}

fn sitrep_lines(c: &PageCtx, r: &incidents::sitrep::Sitrep) -> Vec<String> {
    let m = |x: Option<f64>| x.map_or_else(|| "—".to_string(), duration);
    vec![
        format!(
            "{} : {} · {} : {} · {} : {} · {} : {}",
            c.t("sitrep-responses-sent"),
            r.responses.sent,
            c.t("sitrep-responses-arrived"),
            r.responses.arrived,
            c.t("sitrep-median"),
            m(r.responses.median),
            c.t("sitrep-longest"),
            m(r.responses.longest)
        ),
        c.tf(
            "sitrep-custody",
            &[
                ("running", &r.custody.0.to_string()),
                ("overdue", &r.custody.2.to_string()),
            ],
        ),
    ]
}

fn patrol_line(c: &PageCtx, cat: &Catalog, r: &incidents::sitrep::Sitrep) -> String {
    let (done, not_done) = r
        .patrols
        .iter()
        .fold((0, 0), |(d, n), p| (d + p.1, n + p.2));
    format!(
        "{} : {} · {}",
        c.t("nav-patrols"),
        cat.count(c.lang, "sitrep-patrols-done", done),
        cat.count(c.lang, "sitrep-patrols-not-done", not_done)
    )
}

/// The period's toll in a sentence: "Bilan : 1 incident, 0 mort, 2 blessés, 0 disparu".
fn toll_line(c: &PageCtx, cat: &Catalog, r: &incidents::sitrep::Sitrep) -> String {
    let sum = |f: fn(&incidents::sitrep::IncidentLine) -> i64| r.incidents.iter().map(f).sum();
    format!(
        "{} : {}, {}, {}, {}",
        c.t("sitrep-toll"),
        cat.count(c.lang, "sitrep-n-incidents", sum(|l| l.incidents)),
        cat.count(c.lang, "sitrep-n-dead", sum(|l| l.fatalities)),
        cat.count(c.lang, "sitrep-n-injured", sum(|l| l.injured)),
        cat.count(c.lang, "sitrep-n-missing", sum(|l| l.missing))
    )
}

/// The period in words: "samedi 5 décembre 2026", or "du … au …" when it spans days.
fn period_words(c: &PageCtx, cat: &Catalog, from: &str, to: &str) -> String {
    let day = |iso: &str| {
        time::Date::parse(
            iso,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_or_else(|_| iso.to_string(), |d| cat.date_in_words(c.lang, d))
    };
    if from == to {
        day(from)
    } else {
        c.tf("sitrep-period", &[("from", &day(from)), ("to", &day(to))])
    }
}

async fn sitrep_for(
    state: &AppState,
    auth: &Auth,
    p: &ListParams,
) -> AppResult<incidents::sitrep::Sitrep> {
    let today = crate::db::now().date().to_string();
    let from = if p.get("from").is_empty() {
        today.as_str()
    } else {
        p.get("from")
    };
    let to = if p.get("to").is_empty() {
        from
    } else {
        p.get("to")
    };
    incidents::sitrep::build(state, &auth.scope, from, to).await
}

#[derive(Template)]
#[template(path = "sitrep.html")]
struct SitrepPage {
    c: PageCtx,
    title: String,
    period: String,
    error: Option<String>,
    from: String,
    to: String,
    pdf_href: String,
    csv_href: String,
    xlsx_href: String,
    tables: Vec<crate::web::page::DetailTable>,
    lines: Vec<String>,
}

pub(super) async fn sitrep_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let p = ListParams(q);
    let c = PageCtx::new(&state, &auth, "/sitrep");
    let (report, error) = match sitrep_for(&state, &auth, &p).await {
        Ok(r) => (r, None),
        Err(e @ AppError::Invalid { .. }) => (
            sitrep_for(&state, &auth, &ListParams(HashMap::new())).await?,
            Some(c.t(e.message_key())),
        ),
        Err(e) => return Err(e),
    };
    let query = format!("?from={}&to={}", report.from, report.to);
    let page = SitrepPage {
        title: c.t("nav-sitrep"),
        period: period_words(&c, &state.catalog, &report.from, &report.to),
        error,
        from: report.from.clone(),
        to: report.to.clone(),
        pdf_href: format!("/sitrep.pdf{query}"),
        csv_href: format!("/sitrep.csv{query}"),
        xlsx_href: format!("/sitrep.xlsx{query}"),
        tables: sitrep_tables(&c, &report),
        lines: {
            let mut l = vec![toll_line(&c, &state.catalog, &report)];
            l.extend(sitrep_lines(&c, &report));
            l.push(patrol_line(&c, &state.catalog, &report));
            l
        },
        c,
    };
    render(&page)
}

pub(super) async fn sitrep_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    use crate::pdf::Block;
    auth.require(Permission::ViewIncidents)?;
    let report = sitrep_for(&state, &auth, &ListParams(q)).await?;
    let c = PageCtx::new(&state, &auth, "/sitrep");
    let cat = &state.catalog;
    let mut blocks = vec![Block::Line(toll_line(&c, cat, &report))];
    for (i, t) in sitrep_tables(&c, &report).into_iter().enumerate() {
        let n = t.columns.len().max(1) as f32;
        // The incidents' table (the first) needs room for the types; the others share evenly.
        let widths = if i == 0 && n >= 6.0 {
            vec![90.0, 150.0, 55.0, 55.0, 75.0, 74.0]
        } else {
            vec![499.0 / n; t.columns.len()]
        };
        blocks.push(Block::Heading(t.title));
        blocks.push(Block::Table {
            widths,
            head: t.columns,
            rows: t.rows.into_iter().map(|r| r.cells).collect(),
        });
    }
    blocks.push(Block::Heading(c.t("sitrep-responses")));
    for l in sitrep_lines(&c, &report) {
        blocks.push(Block::Line(l));
    }
    blocks.push(Block::Line(patrol_line(&c, cat, &report)));
    let page_label = |page: usize, pages: usize| {
        c.tf(
            "report-page",
            &[("page", &page.to_string()), ("pages", &pages.to_string())],
        )
    };
    let bytes = crate::pdf::report(&crate::pdf::Report {
        title: &format!("{} — {}", c.t("nav-sitrep"), c.t("sitrep-region")),
        subtitle: &format!(
            "{} · {}",
            period_words(&c, cat, &report.from, &report.to),
            c.tf(
                "sitrep-printed",
                &[("at", &when_text(&crate::db::now_text()))]
            )
        ),
        marking: &c.t("report-marking"),
        page_label: &page_label,
        blocks: &blocks,
    })?;
    Ok(inline(
        "application/pdf",
        &format!("sitrep-{}-{}.pdf", report.from, report.to),
        bytes,
    ))
}

pub(super) async fn sitrep_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let report = sitrep_for(&state, &auth, &ListParams(q)).await?;
    let mut out = String::from("cercle,event_type,incidents,fatalities,injured,missing\n");
    for l in &report.incidents {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_cell(&l.cercle),
            l.event_type,
            l.incidents,
            l.fatalities,
            l.injured,
            l.missing
        ));
    }
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("sitrep-{}-{}.csv", report.from, report.to),
        out,
    ))
}

/// The report's tables as a workbook, one sheet each, numbers as numbers.
pub(super) async fn sitrep_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let report = sitrep_for(&state, &auth, &ListParams(q)).await?;
    let c = PageCtx::new(&state, &auth, "/sitrep");
    let bytes = crate::web::download::xlsx_tables(&sitrep_tables(&c, &report))?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("sitrep-{}-{}.xlsx", report.from, report.to),
        bytes,
    ))
}
