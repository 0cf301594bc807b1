//! The parts' pages: the catalogue with the stock (below threshold first), a new part, and a
//! stock movement (entry, transfer, inventory, exit).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::flash;
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::fleet::parts::{self, Movement, NewPart, StockLine};
use crate::web::auth::Auth;
use crate::web::page::{
    DetailField, DetailTable, DetailView, Fields, FormField, FormView, ListRow, PageCtx, num,
    options, render,
};

type Params = Query<HashMap<String, String>>;

/// The kinds of movement a person chooses here (an exit to a work order is made from the work
/// order's page, an exit here needs a reason).
const KINDS: &[&str] = parts::MOVEMENT_KINDS;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workshop/parts", get(list))
        .route("/workshop/parts/new", get(part_new).post(part_save))
        .route("/workshop/parts/{id}/move", get(move_form).post(move_save))
}

async fn list(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewWorkshop)?;
    let c = PageCtx::new(&state, &auth, "/workshop").with_flash(flash(&q));
    let edit = auth.user.can(Permission::EditAssets);
    let mut stock = parts::stock(&state).await?;
    stock.sort_by_key(|p| !p.below());
    let rows = stock
        .into_iter()
        .map(|p| ListRow {
            href: if edit {
                format!("/workshop/parts/{}/move", p.id)
            } else {
                String::new()
            },
            cells: vec![
                p.reference.clone(),
                p.name.clone(),
                p.models.clone(),
                format!("{} {}", num(Some(p.quantity)), p.unit),
                num(Some(p.reorder_at)),
                if p.below() {
                    c.t("part-to-reorder")
                } else {
                    String::new()
                },
            ],
        })
        .collect();
    let fields = if edit {
        vec![DetailField {
            label: c.t("work-order-actions"),
            value: c.t("part-new"),
            href: Some("/workshop/parts/new".into()),
        }]
    } else {
        Vec::new()
    };
    render(&DetailView {
        title: c.t("parts"),
        back_href: "/workshop".into(),
        edit_href: None,
        fields,
        tables: vec![DetailTable {
            title: c.t("parts-stock"),
            columns: [
                "part-reference",
                "part-name",
                "part-models",
                "part-in-stock",
                "part-reorder-at",
                "field-status",
            ]
            .iter()
            .map(|k| c.t(k))
            .collect(),
            rows,
        }],
        c,
    })
}

fn part_view(state: &AppState, auth: &Auth, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/workshop");
    FormView {
        title: c.t("part-new"),
        action: "/workshop/parts/new".into(),
        cancel_href: "/workshop/parts".into(),
        fields: vec![
            FormField::new(
                "reference",
                c.t("part-reference"),
                "text",
                f.get("reference").into(),
            )
            .required(),
            FormField::new("name", c.t("part-name"), "text", f.get("name").into()).required(),
            FormField::new("models", c.t("part-models"), "text", f.get("models").into())
                .hint(c.t("part-models-hint")),
            FormField::new("unit", c.t("part-unit"), "text", f.get("unit").into())
                .hint(c.t("part-unit-hint")),
            FormField::new(
                "reorder_at",
                c.t("part-reorder-at"),
                "number",
                f.get("reorder_at").into(),
            ),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn part_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    render(&part_view(&state, &auth, &Fields::default()))
}

fn new_part(f: &Fields) -> AppResult<NewPart> {
    let mut p = Problems::default();
    let part = NewPart {
        reference: p.or(f.required("reference", 80), String::new())?,
        name: p.or(f.required("name", 200), String::new())?,
        models: p.or_default(f.optional("models", 500))?.unwrap_or_default(),
        unit: p.or_default(f.optional("unit", 20))?.unwrap_or_default(),
        reorder_at: p
            .or_default(f.optional_f64("reorder_at", 0.0, 1_000_000.0))?
            .unwrap_or(0.0),
    };
    p.finish(part)
}

async fn part_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = Fields::from_pairs(pairs);
    let saved = match new_part(&f) {
        Ok(part) => parts::create_part(&state, &auth.user.actor(), &part).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/workshop/parts/{id}/move")).into_response()),
        Err(e) => part_view(&state, &auth, &f).refuse(e),
    }
}

async fn part_of(state: &AppState, id: &str) -> AppResult<StockLine> {
    parts::stock(state)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)
}

async fn move_view(
    state: &AppState,
    auth: &Auth,
    part: &StockLine,
    f: &Fields,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/workshop");
    let kinds = KINDS
        .iter()
        .map(|k| (k.to_string(), c.t(&format!("stock-kind-{k}"))))
        .collect();
    let held = parts::stores(state, &part.id)
        .await?
        .into_iter()
        .map(|(s, q)| format!("{s} : {}", num(Some(q))))
        .collect::<Vec<_>>()
        .join(" · ");
    let store = match f.get("store") {
        "" => parts::MAIN_STORE,
        s => s,
    };
    Ok(FormView {
        title: format!("{} — {} {}", c.t("stock-move"), part.reference, part.name),
        action: format!("/workshop/parts/{}/move", part.id),
        cancel_href: "/workshop/parts".into(),
        fields: vec![
            FormField::new("kind", c.t("stock-kind"), "select", String::new())
                .required()
                .options(options(kinds, f.get("kind"), Some(c.t("choose"))))
                .hint(if held.is_empty() {
                    c.t("stock-none")
                } else {
                    c.tf("stock-held", &[("stores", &held)])
                }),
            FormField::new("store", c.t("part-store"), "text", store.into()).required(),
            FormField::new(
                "to_store",
                c.t("stock-to-store"),
                "text",
                f.get("to_store").into(),
            )
            .hint(c.t("stock-to-store-hint")),
            FormField::new(
                "quantity",
                c.t("stock-quantity"),
                "number",
                f.get("quantity").into(),
            )
            .required()
            .hint(c.t("stock-quantity-hint")),
            FormField::new("note", c.t("work-order-note"), "text", f.get("note").into()),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    })
}

async fn move_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let part = part_of(&state, &id).await?;
    render(&move_view(&state, &auth, &part, &Fields::default()).await?)
}

fn movement(f: &Fields) -> AppResult<Movement> {
    let mut p = Problems::default();
    let kind = p.or(
        f.choice("kind", |k| KINDS.iter().copied().find(|x| *x == k)),
        "entree",
    )?;
    let store = p.or(f.required("store", 100), String::new())?;
    let quantity = p.or(f.required_f64("quantity", 0.0, 1_000_000.0), 0.0)?;
    let m = match kind {
        "transfert" => Movement::Transfer {
            from: store,
            to: match f.get("to_store").trim() {
                "" => {
                    p.add("to_store", "error-required");
                    String::new()
                }
                to => to.to_string(),
            },
            quantity,
        },
        "inventaire" => Movement::Count {
            store,
            counted: quantity,
        },
        "sortie" => Movement::Exit {
            store,
            quantity,
            work_order: None,
        },
        _ => Movement::Entry { store, quantity },
    };
    if kind == "sortie" && f.get("note").trim().is_empty() {
        p.add("note", "stock-exit-why");
    }
    p.finish(m)
}

async fn move_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let part = part_of(&state, &id).await?;
    let f = Fields::from_pairs(pairs);
    let saved = match movement(&f) {
        Ok(m) => parts::move_stock(&state, &auth.user.actor(), &id, &m, f.get("note")).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/workshop/parts?saved=1").into_response()),
        Err(e) => move_view(&state, &auth, &part, &f).await?.refuse(e),
    }
}
