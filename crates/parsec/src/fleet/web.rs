//! The meters' pages: an asset's readings (a table of its page) and the form of a new reading.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::{Meter, NewReading};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppResult, Problems};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailTable, Fields, FormField, FormView, ListRow, PageCtx, day_text, num, options, render,
    when_text,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/{id}/readings/new",
            get(reading_form).post(reading_save),
        )
        .route(
            "/assets/{id}/work-orders/new",
            get(order_new).post(order_open),
        )
        .route("/workshop", get(board))
        .route("/workshop/orders/{id}/status", post(order_status_set))
}

fn meter_label(c: &PageCtx, code: &str) -> String {
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
    let value = match p.or_default(f.optional_f64("value", 0.0, 100_000_000.0))? {
        Some(v) => v,
        None => {
            p.add("value", "error-required");
            0.0
        }
    };
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

fn order_status(c: &PageCtx, s: &str) -> String {
    c.t(&format!("work-order-status-{s}"))
}

/// An asset's work orders as a table of its page.
pub async fn work_orders_table(
    state: &AppState,
    c: &PageCtx,
    asset_id: &str,
) -> AppResult<DetailTable> {
    let rows = super::work_orders::of_asset(state, asset_id)
        .await?
        .into_iter()
        .map(|w| ListRow {
            href: String::new(),
            cells: vec![
                when_text(&w.opened_at),
                c.t(&format!("work-order-kind-{}", w.kind)),
                w.defect,
                order_status(c, &w.status),
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

fn order_form(state: &AppState, auth: &Auth, id: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/assets");
    let kinds = super::work_orders::KINDS
        .iter()
        .map(|k| (k.to_string(), c.t(&format!("work-order-kind-{k}"))))
        .collect();
    let kind = match f.get("kind") {
        "" => "correctif",
        k => k,
    };
    // A new report keeps the asset out of dispatch unless told otherwise.
    let blocking = if f.0.is_empty() || f.flag("blocking") {
        "on"
    } else {
        ""
    };
    FormView {
        title: c.t("work-order-new"),
        action: format!("/assets/{id}/work-orders/new"),
        cancel_href: format!("/assets/{id}"),
        fields: vec![
            FormField::new(
                "defect",
                c.t("work-order-defect"),
                "textarea",
                f.get("defect").into(),
            )
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
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn order_new(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    crate::registry::get_asset(&state.db, &auth.scope, &id).await?;
    render(&order_form(&state, &auth, &id, &Fields::default()))
}

async fn order_open(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let f = Fields::from_pairs(pairs);
    let kind = super::work_orders::KINDS
        .iter()
        .copied()
        .find(|k| *k == f.get("kind"))
        .unwrap_or("correctif");
    let order = super::work_orders::NewWorkOrder {
        kind,
        defect: f.get("defect").to_string(),
        blocking: f.flag("blocking"),
        ..Default::default()
    };
    match super::work_orders::open(&state, &auth.user.actor(), &auth.scope, &id, &order).await {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{id}?saved=1")).into_response()),
        Err(e) => order_form(&state, &auth, &id, &f).refuse(e),
    }
}

#[derive(askama::Template)]
#[template(path = "workshop.html")]
struct Board {
    c: PageCtx,
    orders: Vec<super::work_orders::WorkOrder>,
    statuses: Vec<(String, String)>,
}

impl Board {
    fn status_label(&self, s: &str) -> String {
        order_status(&self.c, s)
    }
    fn when(&self, at: &str) -> String {
        when_text(at)
    }
}

/// The workshop's board: every force's open work orders, the oldest first, each movable.
async fn board(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let c = PageCtx::new(&state, &auth, "/workshop");
    let statuses = super::work_orders::STATUSES
        .iter()
        .map(|s| (s.to_string(), order_status(&c, s)))
        .collect();
    render(&Board {
        orders: super::work_orders::open_orders(&state).await?,
        statuses,
        c,
    })
}

async fn order_status_set(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = Fields::from_pairs(pairs);
    let status = super::work_orders::STATUSES
        .iter()
        .copied()
        .find(|s| *s == f.get("status"))
        .unwrap_or("");
    let change = super::work_orders::StatusChange {
        status,
        at: None,
        note: f.get("note").to_string(),
        meter_end: None,
        cost_fcfa: None,
    };
    super::work_orders::set_status(&state, &auth.user.actor(), &id, &change).await?;
    Ok(Redirect::to("/workshop?saved=1").into_response())
}
