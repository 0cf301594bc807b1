//! The registry's pages: lists (filter, sort, paginate), record pages and forms for units,
//! assets and infrastructure sites. Handlers extract, call one service function, render.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::model::{AssetKind, AssetStatus, SiteKind, SiteStatus, UnitKind};
use super::{Asset, Site, Unit};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Auth;
use crate::web::page::{
    DetailField, DetailTable, DetailView, FilterField, FormField, FormView, Link, ListParams,
    ListRow, ListView, PageCtx, SelectOption, num, options, render,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forces", get(forces_list))
        .route("/units", get(units_list).post(unit_create))
        .route("/units/new", get(unit_new))
        .route("/units/{id}", get(unit_view).post(unit_update))
        .route("/units/{id}/edit", get(unit_edit))
        .route("/assets", get(assets_list).post(asset_create))
        .route("/assets/new", get(asset_new))
        .route("/assets/{id}", get(asset_view).post(asset_update))
        .route("/assets/{id}/edit", get(asset_edit))
        .route("/sites", get(sites_list).post(site_create))
        .route("/sites/new", get(site_new))
        .route("/sites/{id}", get(site_view).post(site_update))
        .route("/sites/{id}/edit", get(site_edit))
}

type Params = Query<HashMap<String, String>>;
type FormData = Form<Vec<(String, String)>>;

fn code_options<T: Copy>(
    c: &PageCtx,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> &'static str,
    current: &str,
    blank: bool,
) -> Vec<SelectOption> {
    let choices = all
        .iter()
        .map(|v| (code(*v).to_string(), c.t(key(*v))))
        .collect();
    options(choices, current, blank.then(|| c.t("filter-all")))
}

async fn force_options(
    state: &AppState,
    lang: Lang,
    current: &str,
    blank: Option<String>,
) -> AppResult<Vec<SelectOption>> {
    let forces = super::forces(&state.db).await?;
    let choices = forces
        .into_iter()
        .map(|f| {
            let name = if lang == Lang::En {
                f.name_en
            } else {
                f.name_fr
            };
            (f.code.clone(), format!("{} ({})", name, f.code))
        })
        .collect();
    Ok(options(choices, current, blank))
}

async fn unit_options(
    state: &AppState,
    auth: &Auth,
    current: &str,
    blank: Option<String>,
) -> AppResult<Vec<SelectOption>> {
    let units = super::unit_choices(&state.db, &auth.scope).await?;
    Ok(options(units, current, blank))
}

fn label(c: &PageCtx, key: &str) -> String {
    c.t(key)
}

fn locality_name(state: &AppState, id: &Option<String>) -> (String, Option<String>) {
    match id.as_deref().and_then(|i| state.gazetteer.locality(i)) {
        Some(l) => (
            format!("{} ({}, {})", l.name, l.commune, l.cercle),
            Some(format!("/localities/{}", l.id)),
        ),
        None => (String::new(), None),
    }
}

fn coords(lat: Option<f64>, lon: Option<f64>) -> String {
    match (lat, lon) {
        (Some(a), Some(b)) => format!("{a:.5}, {b:.5}"),
        _ => String::new(),
    }
}

/// After a save, the record page with a "saved" message.
fn saved(href: String) -> Response {
    Redirect::to(&format!("{href}?saved=1")).into_response()
}

fn flash(q: &HashMap<String, String>) -> Option<&'static str> {
    q.contains_key("saved").then_some("flash-saved")
}

// ---------------------------------------------------------------------------------------------
// Forces (a fixed national list, shipped by the first migration with the same ids on every node)

async fn forces_list(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let c = PageCtx::new(&state, &auth, "/forces");
    let rows: Vec<ListRow> = super::force_counts(&state.db, &auth.scope)
        .await?
        .into_iter()
        .map(|(f, units, assets)| ListRow {
            href: format!("/units?force={}", f.code),
            cells: vec![
                if c.lang == Lang::En {
                    f.name_en
                } else {
                    f.name_fr
                },
                f.code.clone(),
                units.to_string(),
                assets.to_string(),
            ],
        })
        .collect();
    let total = rows.len() as i64;
    let view = ListView {
        title: c.t("nav-forces"),
        action: None,
        filter_action: "",
        api_href: "/api/v1/forces".into(),
        filters: vec![],
        columns: [
            c.t("field-name"),
            c.t("field-code"),
            c.t("nav-units"),
            c.t("nav-assets"),
        ]
        .into_iter()
        .map(|label| crate::web::page::ColumnHead {
            label,
            sort_href: None,
            arrow: "",
        })
        .collect(),
        rows,
        c,
        total,
        page: 1,
        pages: 1,
        prev_href: None,
        next_href: None,
    };
    render(&view)
}

// ---------------------------------------------------------------------------------------------
// Units

async fn units_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_units(&state.db, &auth.scope, &p).await?;
    let c = PageCtx::new(&state, &auth, "/units");
    let (page, pages, prev_href, next_href) = p.pager("/units", total);
    let view = ListView {
        title: c.t("nav-units"),
        action: auth
            .user
            .can(Permission::EditUnits)
            .then(|| Link::new("/units/new", c.t("action-new"))),
        filter_action: "",
        api_href: p.href_with("/api/v1/units", "page", &page.to_string()),
        filters: vec![
            FilterField {
                name: "q",
                label: c.t("filter-search"),
                value: p.get("q").into(),
                options: vec![],
            },
            FilterField {
                name: "kind",
                label: c.t("field-kind"),
                value: p.get("kind").into(),
                options: code_options(
                    &c,
                    UnitKind::ALL,
                    UnitKind::code,
                    UnitKind::label_key,
                    p.get("kind"),
                    true,
                ),
            },
            FilterField {
                name: "force",
                label: c.t("field-force"),
                value: p.get("force").into(),
                options: force_options(&state, c.lang, p.get("force"), Some(c.t("filter-all")))
                    .await?,
            },
        ],
        columns: vec![
            p.sort_head("/units", c.t("field-name"), "name"),
            p.sort_head("/units", c.t("field-kind"), "kind"),
            p.sort_head("/units", c.t("field-force"), "force"),
            p.sort_head("/units", c.t("field-parent"), "parent"),
            p.sort_head("/units", c.t("field-call-sign"), "call_sign"),
        ],
        rows: rows
            .iter()
            .map(|u| ListRow {
                href: format!("/units/{}", u.id),
                cells: vec![
                    u.name.clone(),
                    UnitKind::parse(&u.kind)
                        .map(|k| c.t(k.label_key()))
                        .unwrap_or_default(),
                    u.force_code.clone(),
                    u.parent_name.clone().unwrap_or_default(),
                    u.call_sign.clone().unwrap_or_default(),
                ],
            })
            .collect(),
        c,
        total,
        page,
        pages,
        prev_href,
        next_href,
    };
    render(&view)
}

async fn unit_form(
    state: &AppState,
    auth: &Auth,
    action: String,
    cancel: String,
    f: &crate::web::page::Fields,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/units");
    let title = c.t(if action == "/units" {
        "units-new"
    } else {
        "units-edit"
    });
    let fields = vec![
        FormField::new(
            "name",
            label(&c, "field-name"),
            "text",
            f.get("name").into(),
        )
        .required(),
        FormField::new(
            "kind",
            label(&c, "field-kind"),
            "select",
            f.get("kind").into(),
        )
        .required()
        .options(code_options(
            &c,
            UnitKind::ALL,
            UnitKind::code,
            UnitKind::label_key,
            f.get("kind"),
            true,
        )),
        FormField::new(
            "force",
            label(&c, "field-force"),
            "select",
            f.get("force").into(),
        )
        .required()
        .options(force_options(state, c.lang, f.get("force"), Some(String::new())).await?),
        FormField::new(
            "parent",
            label(&c, "field-parent"),
            "select",
            f.get("parent").into(),
        )
        .options(unit_options(state, auth, f.get("parent"), Some(c.t("none"))).await?),
        FormField::new(
            "locality",
            label(&c, "field-locality"),
            "text",
            f.get("locality").into(),
        )
        .hint(c.t("hint-locality")),
        FormField::new("lat", label(&c, "field-lat"), "number", f.get("lat").into())
            .hint(c.t("hint-coordinates")),
        FormField::new("lon", label(&c, "field-lon"), "number", f.get("lon").into()),
        FormField::new(
            "call_sign",
            label(&c, "field-call-sign"),
            "text",
            f.get("call_sign").into(),
        ),
    ];
    Ok(FormView {
        c,
        title,
        action,
        cancel_href: cancel,
        fields,
        error: None,
    })
}

fn unit_fields(u: &Unit) -> crate::web::page::Fields {
    let mut m = HashMap::new();
    m.insert("name".into(), u.name.clone());
    m.insert("kind".into(), u.kind.clone());
    m.insert("force".into(), u.force_code.clone());
    m.insert("parent".into(), u.parent_id.clone().unwrap_or_default());
    m.insert("locality".into(), u.locality_id.clone().unwrap_or_default());
    m.insert(
        "lat".into(),
        u.lat.map(|x| x.to_string()).unwrap_or_default(),
    );
    m.insert(
        "lon".into(),
        u.lon.map(|x| x.to_string()).unwrap_or_default(),
    );
    m.insert("call_sign".into(), u.call_sign.clone().unwrap_or_default());
    crate::web::page::Fields(m)
}

async fn unit_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    render(
        &unit_form(
            &state,
            &auth,
            "/units".into(),
            "/units".into(),
            &Default::default(),
        )
        .await?,
    )
}

async fn unit_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let f = crate::web::page::Fields::from_pairs(pairs);
    let result = async {
        let input = super::UnitInput::parse(&state, &f).await?;
        super::create_unit(&state, &auth.user.actor(), input).await
    }
    .await;
    match result {
        Ok(id) => Ok(saved(format!("/units/{id}"))),
        Err(e) => unit_form(&state, &auth, "/units".into(), "/units".into(), &f)
            .await?
            .refuse(e),
    }
}

async fn unit_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let u = super::get_unit(&state.db, &auth.scope, &id).await?;
    let c = PageCtx::new(&state, &auth, "/units").with_flash(flash(&q));
    let (loc, loc_href) = locality_name(&state, &u.locality_id);
    let children = super::child_units(&state.db, &auth.scope, &id).await?;
    let assets = super::assets_of_unit(&state.db, &id).await?;
    let view = DetailView {
        title: u.name.clone(),
        back_href: "/units".into(),
        edit_href: auth
            .user
            .can(Permission::EditUnits)
            .then(|| format!("/units/{id}/edit")),
        fields: vec![
            DetailField {
                label: c.t("field-kind"),
                value: UnitKind::parse(&u.kind)
                    .map(|k| c.t(k.label_key()))
                    .unwrap_or_default(),
                href: None,
            },
            DetailField {
                label: c.t("field-force"),
                value: u.force_code.clone(),
                href: None,
            },
            DetailField {
                label: c.t("field-parent"),
                value: u.parent_name.clone().unwrap_or_default(),
                href: u
                    .parent_id
                    .as_ref()
                    .filter(|p| auth.scope.allows_unit(p))
                    .map(|p| format!("/units/{p}")),
            },
            DetailField {
                label: c.t("field-locality"),
                value: loc,
                href: loc_href,
            },
            DetailField {
                label: c.t("field-coordinates"),
                value: coords(u.lat, u.lon),
                href: None,
            },
            DetailField {
                label: c.t("field-call-sign"),
                value: u.call_sign.clone().unwrap_or_default(),
                href: None,
            },
            DetailField {
                label: c.t("field-updated"),
                value: u.updated_at.clone(),
                href: None,
            },
        ],
        tables: vec![
            DetailTable {
                title: c.t("units-children"),
                columns: vec![c.t("field-name"), c.t("field-kind")],
                rows: children
                    .iter()
                    .map(|ch| ListRow {
                        href: format!("/units/{}", ch.id),
                        cells: vec![
                            ch.name.clone(),
                            UnitKind::parse(&ch.kind)
                                .map(|k| c.t(k.label_key()))
                                .unwrap_or_default(),
                        ],
                    })
                    .collect(),
            },
            DetailTable {
                title: c.t("nav-assets"),
                columns: vec![
                    c.t("field-registration"),
                    c.t("field-kind"),
                    c.t("field-model"),
                    c.t("field-status"),
                ],
                rows: assets
                    .iter()
                    .map(|a| asset_row(&c, a))
                    .map(|mut r| {
                        r.cells.truncate(4);
                        r
                    })
                    .collect(),
            },
        ],
        c,
    };
    render(&view)
}

async fn unit_edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let u = super::get_unit(&state.db, &auth.scope, &id).await?;
    render(
        &unit_form(
            &state,
            &auth,
            format!("/units/{id}"),
            format!("/units/{id}"),
            &unit_fields(&u),
        )
        .await?,
    )
}

async fn unit_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let f = crate::web::page::Fields::from_pairs(pairs);
    let result = async {
        let input = super::UnitInput::parse(&state, &f).await?;
        super::update_unit(&state, &auth.user.actor(), &auth.scope, &id, input).await
    }
    .await;
    match result {
        Ok(()) => Ok(saved(format!("/units/{id}"))),
        Err(e) => unit_form(
            &state,
            &auth,
            format!("/units/{id}"),
            format!("/units/{id}"),
            &f,
        )
        .await?
        .refuse(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Assets

fn asset_row(c: &PageCtx, a: &Asset) -> ListRow {
    ListRow {
        href: format!("/assets/{}", a.id),
        cells: vec![
            a.registration.clone(),
            AssetKind::parse(&a.kind)
                .map(|k| c.t(k.label_key()))
                .unwrap_or_default(),
            format!("{} {}", a.make, a.model),
            AssetStatus::parse(&a.status)
                .map(|k| c.t(k.label_key()))
                .unwrap_or_default(),
            a.unit_name.clone(),
            a.force_code.clone(),
            a.year.map(|y| y.to_string()).unwrap_or_default(),
        ],
    }
}

async fn assets_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_assets(&state.db, &auth.scope, &p).await?;
    let c = PageCtx::new(&state, &auth, "/assets");
    let (page, pages, prev_href, next_href) = p.pager("/assets", total);
    let view = ListView {
        title: c.t("nav-assets"),
        action: auth
            .user
            .can(Permission::EditAssets)
            .then(|| Link::new("/assets/new", c.t("action-new"))),
        filter_action: "",
        api_href: p.href_with("/api/v1/assets", "page", &page.to_string()),
        filters: vec![
            FilterField {
                name: "q",
                label: c.t("filter-search"),
                value: p.get("q").into(),
                options: vec![],
            },
            FilterField {
                name: "kind",
                label: c.t("field-kind"),
                value: p.get("kind").into(),
                options: code_options(
                    &c,
                    AssetKind::ALL,
                    AssetKind::code,
                    AssetKind::label_key,
                    p.get("kind"),
                    true,
                ),
            },
            FilterField {
                name: "status",
                label: c.t("field-status"),
                value: p.get("status").into(),
                options: code_options(
                    &c,
                    AssetStatus::ALL,
                    AssetStatus::code,
                    AssetStatus::label_key,
                    p.get("status"),
                    true,
                ),
            },
            FilterField {
                name: "force",
                label: c.t("field-force"),
                value: p.get("force").into(),
                options: force_options(&state, c.lang, p.get("force"), Some(c.t("filter-all")))
                    .await?,
            },
            FilterField {
                name: "unit",
                label: c.t("field-unit"),
                value: p.get("unit").into(),
                options: unit_options(&state, &auth, p.get("unit"), Some(c.t("filter-all")))
                    .await?,
            },
        ],
        columns: vec![
            p.sort_head("/assets", c.t("field-registration"), "registration"),
            p.sort_head("/assets", c.t("field-kind"), "kind"),
            p.sort_head("/assets", c.t("field-model"), "model"),
            p.sort_head("/assets", c.t("field-status"), "status"),
            p.sort_head("/assets", c.t("field-unit"), "unit"),
            p.sort_head("/assets", c.t("field-force"), "force"),
            p.sort_head("/assets", c.t("field-year"), "year"),
        ],
        rows: rows.iter().map(|a| asset_row(&c, a)).collect(),
        c,
        total,
        page,
        pages,
        prev_href,
        next_href,
    };
    render(&view)
}

async fn asset_form(
    state: &AppState,
    auth: &Auth,
    action: String,
    cancel: String,
    f: &crate::web::page::Fields,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/assets");
    let title = c.t(if action == "/assets" {
        "assets-new"
    } else {
        "assets-edit"
    });
    let status = if f.get("status").is_empty() {
        "disponible"
    } else {
        f.get("status")
    };
    let fields = vec![
        FormField::new(
            "registration",
            label(&c, "field-registration"),
            "text",
            f.get("registration").into(),
        )
        .required(),
        FormField::new(
            "kind",
            label(&c, "field-kind"),
            "select",
            f.get("kind").into(),
        )
        .required()
        .options(code_options(
            &c,
            AssetKind::ALL,
            AssetKind::code,
            AssetKind::label_key,
            f.get("kind"),
            true,
        )),
        FormField::new(
            "force",
            label(&c, "field-force"),
            "select",
            f.get("force").into(),
        )
        .required()
        .options(force_options(state, c.lang, f.get("force"), Some(String::new())).await?),
        FormField::new(
            "unit",
            label(&c, "field-unit"),
            "select",
            f.get("unit").into(),
        )
        .required()
        .options(unit_options(state, auth, f.get("unit"), Some(String::new())).await?),
        FormField::new(
            "make",
            label(&c, "field-make"),
            "text",
            f.get("make").into(),
        )
        .required(),
        FormField::new(
            "model",
            label(&c, "field-model"),
            "text",
            f.get("model").into(),
        )
        .required(),
        FormField::new(
            "year",
            label(&c, "field-year"),
            "number",
            f.get("year").into(),
        ),
        FormField::new("status", label(&c, "field-status"), "select", status.into())
            .required()
            .options(code_options(
                &c,
                AssetStatus::ALL,
                AssetStatus::code,
                AssetStatus::label_key,
                status,
                false,
            )),
        FormField::new(
            "odometer_km",
            label(&c, "field-odometer"),
            "number",
            f.get("odometer_km").into(),
        ),
        FormField::new(
            "engine_hours",
            label(&c, "field-engine-hours"),
            "number",
            f.get("engine_hours").into(),
        ),
        FormField::new(
            "flight_hours",
            label(&c, "field-flight-hours"),
            "number",
            f.get("flight_hours").into(),
        ),
        FormField::new(
            "notes",
            label(&c, "field-notes"),
            "textarea",
            f.get("notes").into(),
        ),
    ];
    Ok(FormView {
        c,
        title,
        action,
        cancel_href: cancel,
        fields,
        error: None,
    })
}

fn asset_fields(a: &Asset) -> crate::web::page::Fields {
    let mut m = HashMap::new();
    m.insert("registration".into(), a.registration.clone());
    m.insert("kind".into(), a.kind.clone());
    m.insert("force".into(), a.force_code.clone());
    m.insert("unit".into(), a.unit_id.clone());
    m.insert("make".into(), a.make.clone());
    m.insert("model".into(), a.model.clone());
    m.insert(
        "year".into(),
        a.year.map(|y| y.to_string()).unwrap_or_default(),
    );
    m.insert("status".into(), a.status.clone());
    m.insert(
        "odometer_km".into(),
        a.odometer_km.map(|x| x.to_string()).unwrap_or_default(),
    );
    m.insert(
        "engine_hours".into(),
        a.engine_hours.map(|x| x.to_string()).unwrap_or_default(),
    );
    m.insert(
        "flight_hours".into(),
        a.flight_hours.map(|x| x.to_string()).unwrap_or_default(),
    );
    m.insert("notes".into(), a.notes.clone());
    crate::web::page::Fields(m)
}

async fn asset_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    render(
        &asset_form(
            &state,
            &auth,
            "/assets".into(),
            "/assets".into(),
            &Default::default(),
        )
        .await?,
    )
}

async fn asset_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = crate::web::page::Fields::from_pairs(pairs);
    let result = async {
        let input = super::AssetInput::parse(&state, &auth.scope, &f).await?;
        super::create_asset(&state, &auth.user.actor(), input).await
    }
    .await;
    match result {
        Ok(id) => Ok(saved(format!("/assets/{id}"))),
        Err(e) => asset_form(&state, &auth, "/assets".into(), "/assets".into(), &f)
            .await?
            .refuse(e),
    }
}

async fn asset_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let a = super::get_asset(&state.db, &auth.scope, &id).await?;
    let c = PageCtx::new(&state, &auth, "/assets").with_flash(flash(&q));
    let f = |label: &str, value: String| DetailField {
        label: c.t(label),
        value,
        href: None,
    };
    let fields = vec![
        f(
            "field-kind",
            AssetKind::parse(&a.kind)
                .map(|k| c.t(k.label_key()))
                .unwrap_or_default(),
        ),
        f("field-make", a.make.clone()),
        f("field-model", a.model.clone()),
        f(
            "field-year",
            a.year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        f(
            "field-status",
            AssetStatus::parse(&a.status)
                .map(|k| c.t(k.label_key()))
                .unwrap_or_default(),
        ),
        f("field-force", a.force_code.clone()),
        DetailField {
            label: c.t("field-unit"),
            value: a.unit_name.clone(),
            href: Some(format!("/units/{}", a.unit_id)),
        },
        f("field-odometer", num(a.odometer_km)),
        f("field-engine-hours", num(a.engine_hours)),
        f("field-flight-hours", num(a.flight_hours)),
        f("field-notes", a.notes.clone()),
        f("field-updated", a.updated_at.clone()),
    ];
    let view = DetailView {
        title: format!("{} — {} {}", a.registration, a.make, a.model),
        back_href: "/assets".into(),
        edit_href: auth
            .user
            .can(Permission::EditAssets)
            .then(|| format!("/assets/{id}/edit")),
        fields,
        tables: vec![],
        c,
    };
    render(&view)
}

async fn asset_edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let a = super::get_asset(&state.db, &auth.scope, &id).await?;
    render(
        &asset_form(
            &state,
            &auth,
            format!("/assets/{id}"),
            format!("/assets/{id}"),
            &asset_fields(&a),
        )
        .await?,
    )
}

async fn asset_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::EditAssets)?;
    let f = crate::web::page::Fields::from_pairs(pairs);
    let result = async {
        let input = super::AssetInput::parse(&state, &auth.scope, &f).await?;
        super::update_asset(&state, &auth.user.actor(), &auth.scope, &id, input).await
    }
    .await;
    match result {
        Ok(()) => Ok(saved(format!("/assets/{id}"))),
        Err(e) => asset_form(
            &state,
            &auth,
            format!("/assets/{id}"),
            format!("/assets/{id}"),
            &f,
        )
        .await?
        .refuse(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Infrastructure sites

async fn sites_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_sites(&state.db, &auth.scope, &p).await?;
    let c = PageCtx::new(&state, &auth, "/sites");
    let (page, pages, prev_href, next_href) = p.pager("/sites", total);
    let view = ListView {
        title: c.t("nav-sites"),
        action: auth
            .user
            .can(Permission::EditUnits)
            .then(|| Link::new("/sites/new", c.t("action-new"))),
        filter_action: "",
        api_href: p.href_with("/api/v1/sites", "page", &page.to_string()),
        filters: vec![
            FilterField {
                name: "q",
                label: c.t("filter-search"),
                value: p.get("q").into(),
                options: vec![],
            },
            FilterField {
                name: "kind",
                label: c.t("field-kind"),
                value: p.get("kind").into(),
                options: code_options(
                    &c,
                    SiteKind::ALL,
                    SiteKind::code,
                    SiteKind::label_key,
                    p.get("kind"),
                    true,
                ),
            },
            FilterField {
                name: "status",
                label: c.t("field-status"),
                value: p.get("status").into(),
                options: code_options(
                    &c,
                    SiteStatus::ALL,
                    SiteStatus::code,
                    SiteStatus::label_key,
                    p.get("status"),
                    true,
                ),
            },
        ],
        columns: vec![
            p.sort_head("/sites", c.t("field-name"), "name"),
            p.sort_head("/sites", c.t("field-kind"), "kind"),
            p.sort_head("/sites", c.t("field-unit"), "unit"),
            p.sort_head("/sites", c.t("field-status"), "status"),
        ],
        rows: rows.iter().map(|s| site_row(&c, s)).collect(),
        c,
        total,
        page,
        pages,
        prev_href,
        next_href,
    };
    render(&view)
}

fn site_row(c: &PageCtx, s: &Site) -> ListRow {
    ListRow {
        href: format!("/sites/{}", s.id),
        cells: vec![
            s.name.clone(),
            SiteKind::parse(&s.kind)
                .map(|k| c.t(k.label_key()))
                .unwrap_or_default(),
            s.unit_name.clone(),
            SiteStatus::parse(&s.status)
                .map(|k| c.t(k.label_key()))
                .unwrap_or_default(),
        ],
    }
}

async fn site_form(
    state: &AppState,
    auth: &Auth,
    action: String,
    cancel: String,
    f: &crate::web::page::Fields,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/sites");
    let title = c.t(if action == "/sites" {
        "sites-new"
    } else {
        "sites-edit"
    });
    let fields = vec![
        FormField::new(
            "name",
            label(&c, "field-name"),
            "text",
            f.get("name").into(),
        )
        .required(),
        FormField::new(
            "kind",
            label(&c, "field-kind"),
            "select",
            f.get("kind").into(),
        )
        .required()
        .options(code_options(
            &c,
            SiteKind::ALL,
            SiteKind::code,
            SiteKind::label_key,
            f.get("kind"),
            true,
        )),
        FormField::new(
            "unit",
            label(&c, "field-unit"),
            "select",
            f.get("unit").into(),
        )
        .required()
        .options(unit_options(state, auth, f.get("unit"), Some(String::new())).await?),
        FormField::new(
            "locality",
            label(&c, "field-locality"),
            "text",
            f.get("locality").into(),
        )
        .hint(c.t("hint-locality")),
        FormField::new("lat", label(&c, "field-lat"), "number", f.get("lat").into())
            .hint(c.t("hint-coordinates")),
        FormField::new("lon", label(&c, "field-lon"), "number", f.get("lon").into()),
        FormField::new(
            "status",
            label(&c, "field-status"),
            "select",
            f.get("status").into(),
        )
        .required()
        .options(code_options(
            &c,
            SiteStatus::ALL,
            SiteStatus::code,
            SiteStatus::label_key,
            f.get("status"),
            true,
        )),
        FormField::new(
            "notes",
            label(&c, "field-notes"),
            "textarea",
            f.get("notes").into(),
        ),
    ];
    Ok(FormView {
        c,
        title,
        action,
        cancel_href: cancel,
        fields,
        error: None,
    })
}

fn site_fields(s: &Site) -> crate::web::page::Fields {
    let mut m = HashMap::new();
    m.insert("name".into(), s.name.clone());
    m.insert("kind".into(), s.kind.clone());
    m.insert("unit".into(), s.unit_id.clone());
    m.insert("locality".into(), s.locality_id.clone().unwrap_or_default());
    m.insert(
        "lat".into(),
        s.lat.map(|x| x.to_string()).unwrap_or_default(),
    );
    m.insert(
        "lon".into(),
        s.lon.map(|x| x.to_string()).unwrap_or_default(),
    );
    m.insert("status".into(), s.status.clone());
    m.insert("notes".into(), s.notes.clone());
    crate::web::page::Fields(m)
}

async fn site_new(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    render(
        &site_form(
            &state,
            &auth,
            "/sites".into(),
            "/sites".into(),
            &Default::default(),
        )
        .await?,
    )
}

async fn site_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let f = crate::web::page::Fields::from_pairs(pairs);
    let result = async {
        let input = super::SiteInput::parse(&state, &auth.scope, &f).await?;
        super::create_site(&state, &auth.user.actor(), input).await
    }
    .await;
    match result {
        Ok(id) => Ok(saved(format!("/sites/{id}"))),
        Err(e) => site_form(&state, &auth, "/sites".into(), "/sites".into(), &f)
            .await?
            .refuse(e),
    }
}

async fn site_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let s = super::get_site(&state.db, &auth.scope, &id).await?;
    let c = PageCtx::new(&state, &auth, "/sites").with_flash(flash(&q));
    let (loc, loc_href) = locality_name(&state, &s.locality_id);
    let view = DetailView {
        title: s.name.clone(),
        back_href: "/sites".into(),
        edit_href: auth
            .user
            .can(Permission::EditUnits)
            .then(|| format!("/sites/{id}/edit")),
        fields: vec![
            DetailField {
                label: c.t("field-kind"),
                value: SiteKind::parse(&s.kind)
                    .map(|k| c.t(k.label_key()))
                    .unwrap_or_default(),
                href: None,
            },
            DetailField {
                label: c.t("field-unit"),
                value: s.unit_name.clone(),
                href: Some(format!("/units/{}", s.unit_id)),
            },
            DetailField {
                label: c.t("field-locality"),
                value: loc,
                href: loc_href,
            },
            DetailField {
                label: c.t("field-coordinates"),
                value: coords(s.lat, s.lon),
                href: None,
            },
            DetailField {
                label: c.t("field-status"),
                value: SiteStatus::parse(&s.status)
                    .map(|k| c.t(k.label_key()))
                    .unwrap_or_default(),
                href: None,
            },
            DetailField {
                label: c.t("field-notes"),
                value: s.notes.clone(),
                href: None,
            },
            DetailField {
                label: c.t("field-updated"),
                value: s.updated_at.clone(),
                href: None,
            },
        ],
        tables: vec![],
        c,
    };
    render(&view)
}

async fn site_edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let s = super::get_site(&state.db, &auth.scope, &id).await?;
    render(
        &site_form(
            &state,
            &auth,
            format!("/sites/{id}"),
            format!("/sites/{id}"),
            &site_fields(&s),
        )
        .await?,
    )
}

async fn site_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::EditUnits)?;
    let f = crate::web::page::Fields::from_pairs(pairs);
    let result = async {
        let input = super::SiteInput::parse(&state, &auth.scope, &f).await?;
        super::update_site(&state, &auth.user.actor(), &auth.scope, &id, input).await
    }
    .await;
    match result {
        Ok(()) => Ok(saved(format!("/sites/{id}"))),
        Err(e) => site_form(
            &state,
            &auth,
            format!("/sites/{id}"),
            format!("/sites/{id}"),
            &f,
        )
        .await?
        .refuse(e),
    }
}
