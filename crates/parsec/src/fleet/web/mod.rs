//! The workshop's pages, a file a page: mod.rs (the router, the meters' form and the tables
//! of an asset's page), orders.rs (the board, a work order, its forms), plans.rs, parts.rs,
//! fuel.rs, availability.rs.

mod availability;
mod fuel;
mod orders;
mod parts;
mod plans;

pub use fuel::fuel_table;
pub use orders::{due_table, work_orders_table};

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::{Meter, NewReading};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppResult, Problems};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailTable, Fields, FormField, FormView, ListRow, PageCtx, day_text, num, options, render,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/{id}/readings/new",
            get(reading_form).post(reading_save),
        )
        .merge(orders::router())
        .merge(plans::router())
        .merge(parts::router())
        .merge(fuel::router())
        .merge(availability::router())
}

/// After a save, the page with a "saved" message.
fn flash(q: &std::collections::HashMap<String, String>) -> Option<&'static str> {
    q.contains_key("saved").then_some("flash-saved")
}

pub(super) fn meter_label(c: &PageCtx, code: &str) -> String {
    c.t(&format!("meter-{code}"))
}

/// An asset's readings as a table of its page.
pub async fn readings_table(
    state: &AppState,
    c: &PageCtx,
    asset_id: &str,
) -> AppResult<DetailTable> {
    let rows = super::readings(state, asset_id)
        .await?
        .into_iter()
        .map(|r| ListRow {
            href: String::new(),
            cells: vec![
                day_text(&r.read_on),
                meter_label(c, &r.meter),
                r.engine,
                num(Some(r.value)),
                if r.replaced {
                    c.tf("meter-replaced-because", &[("why", &r.note)])
                } else {
                    r.note
                },
                r.recorded_by,
            ],
        })
        .collect();
    Ok(DetailTable {
        title: c.t("meter-readings"),
        columns: [
            "meter-day",
            "meter-meter",
            "meter-engine",
            "meter-value",
            "field-notes",
            "crossing-recorded-by",
        ]
        .iter()
        .map(|k| c.t(k))
        .collect(),
        rows,
    })
}

fn form_view(state: &AppState, auth: &Auth, id: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/assets");
    let meters = Meter::ALL
        .iter()
        .map(|m| (m.code().to_string(), meter_label(&c, m.code())))
        .collect();
    let day = match f.get("read_on") {
        "" => crate::db::now().date().to_string(),
        d => d.to_string(),
    };
    let fields = vec![
        FormField::new("meter", c.t("meter-meter"), "select", String::new())
            .required()
            .options(options(meters, f.get("meter"), Some(c.t("choose")))),
        FormField::new(
            "engine",
            c.t("meter-engine"),
            "text",
            f.get("engine").into(),
        )
        .hint(c.t("meter-engine-hint")),
        FormField::new("read_on", c.t("meter-day"), "text", day).required(),
        FormField::new("value", c.t("meter-value"), "number", f.get("value").into()).required(),
        FormField::new(
            "replaced",
            c.t("meter-replaced"),
            "checkbox",
            f.get("replaced").into(),
        )
        .hint(c.t("meter-replaced-hint")),
        FormField::new("note", c.t("field-notes"), "text", f.get("note").into()),
    ];
    FormView {
        title: c.t("meter-new"),
        action: format!("/assets/{id}/readings/new"),
        cancel_href: format!("/assets/{id}"),
        fields,
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn reading_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    crate::registry::get_asset(&state.db, &auth.scope, &id).await?;
    render(&form_view(&state, &auth, &id, &Fields::default()))
}

/// The form read into its command, every mistake at once.
fn new_reading(f: &Fields) -> AppResult<NewReading> {
    let mut p = Problems::default();
    let meter = p.or(f.choice("meter", Meter::parse), Meter::Km)?;
    let read_on = match crate::db::day(f.get("read_on")) {
        // Said here too, so that it comes with the form's other mistakes.
        Some(d) if d > crate::db::now().date() => {
            p.add("read_on", "error-future-date");
            d
        }
        Some(d) => d,
        None => {
            p.add("read_on", "error-bad-date");
            time::Date::MIN
        }
    };
    let value = p.or(f.required_f64("value", 0.0, 100_000_000.0), 0.0)?;
    let reading = NewReading {
        meter,
        engine: p.or_default(f.optional("engine", 40))?.unwrap_or_default(),
        read_on,
        value,
        replaced: f.flag("replaced"),
        note: p.or_default(f.optional("note", 500))?.unwrap_or_default(),
    };
    p.finish(reading)
}

async fn reading_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = Fields::from_pairs(pairs);
    let saved = match new_reading(&f) {
        Ok(r) => super::record_reading(&state, &auth.user.actor(), &auth.scope, &id, &r).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{id}?saved=1")).into_response()),
        Err(e) => form_view(&state, &auth, &id, &f).refuse(e),
    }
}
