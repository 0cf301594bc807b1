//! Fuel: the form of an issue, and the asset page's table with the consumption of each
//! stretch (per 100 km, or per hour) and the stretches that stand out.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppResult, Problems};
use crate::fleet::fuel::{self, NewFuel};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailTable, Fields, FormField, FormView, ListRow, PageCtx, day_text, num, options, render,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{id}/fuel/new", get(fuel_form).post(fuel_save))
}

/// Consumption as people read it: litres per 100 km for a vehicle, per hour otherwise.
fn per(c: &PageCtx, per_unit: f64, by_km: bool) -> String {
    if by_km {
        c.tf(
            "fuel-per-100km",
            &[("l", &format!("{:.1}", per_unit * 100.0))],
        )
    } else {
        c.tf("fuel-per-hour", &[("l", &format!("{:.1}", per_unit))])
    }
}

/// An asset's fuel issues as a table of its page.
pub async fn fuel_table(
    state: &AppState,
    c: &PageCtx,
    asset_id: &str,
    by_km: bool,
) -> AppResult<DetailTable> {
    let (lines, average) = fuel::of_asset(state, asset_id).await?;
    let rows = lines
        .into_iter()
        .map(|l| ListRow {
            href: String::new(),
            cells: vec![
                day_text(&l.issue.day),
                num(Some(l.issue.litres)),
                num(l.issue.meter),
                c.t(&format!("fuel-source-{}", l.issue.source)),
                l.per_unit.map(|p| per(c, p, by_km)).unwrap_or_default(),
                if l.outlier {
                    c.t("fuel-outlier")
                } else {
                    String::new()
                },
                l.issue.note,
            ],
        })
        .collect();
    let title = match average {
        Some(a) => c.tf("fuel-issues-average", &[("average", &per(c, a, by_km))]),
        None => c.t("fuel-issues"),
    };
    Ok(DetailTable {
        title,
        columns: [
            "fuel-day",
            "fuel-litres",
            "fuel-meter",
            "fuel-source",
            "fuel-consumption",
            "field-status",
            "field-notes",
        ]
        .iter()
        .map(|k| c.t(k))
        .collect(),
        rows,
    })
}

fn form_view(state: &AppState, auth: &Auth, id: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/assets");
    let sources = fuel::SOURCES
        .iter()
        .map(|s| (s.to_string(), c.t(&format!("fuel-source-{s}"))))
        .collect();
    let day = match f.get("day") {
        "" => day_text(&crate::db::now().date().to_string()),
        d => d.to_string(),
    };
    let source = match f.get("source") {
        "" => "station",
        s => s,
    };
    FormView {
        title: c.t("fuel-new"),
        action: format!("/assets/{id}/fuel/new"),
        cancel_href: format!("/assets/{id}"),
        fields: vec![
            FormField::new("day", c.t("fuel-day"), "text", day).required(),
            FormField::new(
                "litres",
                c.t("fuel-litres"),
                "number",
                f.get("litres").into(),
            )
            .required(),
            FormField::new("meter", c.t("fuel-meter"), "number", f.get("meter").into())
                .hint(c.t("fuel-meter-hint")),
            FormField::new("source", c.t("fuel-source"), "select", String::new())
                .required()
                .options(options(sources, source, None)),
            FormField::new("note", c.t("field-notes"), "text", f.get("note").into()),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn fuel_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::IssueFuel)?;
    crate::registry::get_asset(&state.db, &auth.scope, &id).await?;
    render(&form_view(&state, &auth, &id, &Fields::default()))
}

fn new_fuel(f: &Fields) -> AppResult<NewFuel> {
    let mut p = Problems::default();
    let day = p.or(f.day("day"), time::Date::MIN)?;
    if day > crate::db::now().date() {
        p.add("day", "error-future-date");
    }
    let litres = p.or(f.required_f64("litres", 0.0, 10_000.0), 0.0)?;
    let fuel = NewFuel {
        day,
        litres,
        meter: p.or_default(f.optional_f64("meter", 0.0, 100_000_000.0))?,
        source: p.or(
            f.choice("source", |s| {
                fuel::SOURCES.iter().copied().find(|x| *x == s)
            }),
            "station",
        )?,
        note: p.or_default(f.optional("note", 500))?.unwrap_or_default(),
    };
    p.finish(fuel)
}

async fn fuel_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::IssueFuel)?;
    let f = Fields::from_pairs(pairs);
    let saved = match new_fuel(&f) {
        Ok(x) => fuel::record(&state, &auth.user.actor(), &auth.scope, &id, &x).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{id}?saved=1")).into_response()),
        Err(e) => form_view(&state, &auth, &id, &f).refuse(e),
    }
}
