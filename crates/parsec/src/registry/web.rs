//! The registry's pages: lists (filter, sort, paginate), record pages and forms for units,
//! assets and infrastructure sites. Handlers extract, call one service function, render.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::model::{AssetKind, AssetStatus, Coded, SiteKind, SiteStatus, UnitKind};
use super::{Asset, Site, Unit};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Auth;
use crate::web::page::{
    DetailField, DetailTable, DetailView, Fields, FilterField, FormField, FormView, Link,
    ListParams, ListRow, ListView, PageCtx, SECTION_ROWS, Section, SelectOption, num, options,
    render,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forces", get(forces_list))
        .route("/units", get(units_list).post(create::<Units>))
        .route("/units/new", get(new_page::<Units>))
        .route("/units/{id}", get(unit_view).post(update::<Units>))
        .route("/units/{id}/edit", get(edit_page::<Units>))
        .route("/assets", get(assets_list).post(create::<Assets>))
        .route("/assets/new", get(new_page::<Assets>))
        .route("/assets/{id}", get(asset_view).post(update::<Assets>))
        .route("/assets/{id}/edit", get(edit_page::<Assets>))
        .route("/sites", get(sites_list).post(create::<Sites>))
        .route("/sites/new", get(new_page::<Sites>))
        .route("/sites/{id}", get(site_view).post(update::<Sites>))
        .route("/sites/{id}/edit", get(edit_page::<Sites>))
}

type Params = Query<HashMap<String, String>>;
type FormData = Form<Vec<(String, String)>>;

/// A closed list's options; `blank` is the catalogue key of the empty first choice: a
/// filter's "Tous", a form's "Choisir…" (a form never defaults to a filter's word), or none.
pub(crate) fn code_options<T: Coded>(
    c: &PageCtx,
    current: &str,
    blank: Option<&str>,
) -> Vec<SelectOption> {
    let choices = T::ALL
        .iter()
        .map(|v| (v.code().to_string(), c.t(v.label_key())))
        .collect();
    options(choices, current, blank.map(|key| c.t(key)))
}

/// A filter on one of the closed lists (kind, status …).
pub(crate) fn code_filter<T: Coded>(
    c: &PageCtx,
    p: &ListParams,
    name: &'static str,
    label_key: &str,
) -> FilterField {
    FilterField::select(
        name,
        c.t(label_key),
        p,
        code_options::<T>(c, p.get(name), Some("filter-all")),
    )
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
// Forms: one set of handlers for every kind of record

/// A kind of registry record with pages to create and edit it (and the JSON API's writes).
pub(super) trait Record: Send + Sync + 'static {
    /// The list's path; records are at `BASE/{id}`.
    const BASE: &'static str;
    const NEW_TITLE: &'static str;
    const EDIT_TITLE: &'static str;
    /// The permission to create and edit.
    const EDIT: Permission;
    type Row: Send;
    type Input: Send;

    fn get(
        state: &AppState,
        auth: &Auth,
        id: &str,
    ) -> impl Future<Output = AppResult<Self::Row>> + Send;
    /// A record's values as the form shows them.
    fn fields(row: &Self::Row) -> Fields;
    /// The form's fields, filled with `f`.
    fn form(
        state: &AppState,
        auth: &Auth,
        c: &PageCtx,
        f: &Fields,
    ) -> impl Future<Output = AppResult<Vec<FormField>>> + Send;
    fn parse(
        state: &AppState,
        auth: &Auth,
        f: &Fields,
    ) -> impl Future<Output = AppResult<Self::Input>> + Send;
    fn create(
        state: &AppState,
        auth: &Auth,
        input: Self::Input,
    ) -> impl Future<Output = AppResult<String>> + Send;
    fn update(
        state: &AppState,
        auth: &Auth,
        id: &str,
        input: Self::Input,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

async fn form_view<R: Record>(
    state: &AppState,
    auth: &Auth,
    id: Option<&str>,
    f: &Fields,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, R::BASE);
    let (title, action) = match id {
        None => (c.t(R::NEW_TITLE), R::BASE.to_string()),
        Some(id) => (c.t(R::EDIT_TITLE), format!("{}/{id}", R::BASE)),
    };
    let fields = R::form(state, auth, &c, f).await?;
    let cancel_href = if id.is_some() {
        action.clone()
    } else {
        R::BASE.to_string()
    };
    Ok(FormView {
        submit: None,
        map: None,
        c,
        title,
        action,
        cancel_href,
        fields,
        error: None,
    })
}

async fn new_page<R: Record>(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(R::EDIT)?;
    render(&form_view::<R>(&state, &auth, None, &Fields::default()).await?)
}

async fn create<R: Record>(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(R::EDIT)?;
    let f = Fields::from_pairs(pairs);
    let result = async { R::create(&state, &auth, R::parse(&state, &auth, &f).await?).await }.await;
    match result {
        Ok(id) => Ok(saved(format!("{}/{id}", R::BASE))),
        Err(e) => form_view::<R>(&state, &auth, None, &f).await?.refuse(e),
    }
}

async fn edit_page<R: Record>(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(R::EDIT)?;
    let row = R::get(&state, &auth, &id).await?;
    render(&form_view::<R>(&state, &auth, Some(&id), &R::fields(&row)).await?)
}

async fn update<R: Record>(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(R::EDIT)?;
    let f = Fields::from_pairs(pairs);
    let result =
        async { R::update(&state, &auth, &id, R::parse(&state, &auth, &f).await?).await }.await;
    match result {
        Ok(()) => Ok(saved(format!("{}/{id}", R::BASE))),
        Err(e) => form_view::<R>(&state, &auth, Some(&id), &f)
            .await?
            .refuse(e),
    }
}

/// Unit pages: the form's fields and the service functions behind them.
pub(super) struct Units;

impl Record for Units {
    const BASE: &'static str = "/units";
    const NEW_TITLE: &'static str = "units-new";
    const EDIT_TITLE: &'static str = "units-edit";
    const EDIT: Permission = Permission::EditUnits;
    type Row = Unit;
    type Input = super::UnitInput;

    async fn get(state: &AppState, auth: &Auth, id: &str) -> AppResult<Unit> {
        super::get_unit(&state.db, &auth.scope, id).await
    }

    fn fields(u: &Unit) -> Fields {
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
        Fields(m)
    }

    async fn form(
        state: &AppState,
        auth: &Auth,
        c: &PageCtx,
        f: &Fields,
    ) -> AppResult<Vec<FormField>> {
        Ok(vec![
            FormField::new("name", c.t("field-name"), "text", f.get("name").into()).required(),
            FormField::new("kind", c.t("field-kind"), "select", f.get("kind").into())
                .required()
                .options(code_options::<UnitKind>(c, f.get("kind"), Some("choose"))),
            FormField::new("force", c.t("field-force"), "select", f.get("force").into())
                .required()
                .options(force_options(state, c.lang, f.get("force"), Some(c.t("choose"))).await?),
            FormField::new(
                "parent",
                c.t("field-parent"),
                "select",
                f.get("parent").into(),
            )
            .options(unit_options(state, auth, f.get("parent"), Some(c.t("none"))).await?),
            FormField::new(
                "locality",
                c.t("field-locality"),
                "text",
                f.get("locality").into(),
            )
            .hint(c.t("hint-locality"))
            .locality(&state.gazetteer),
            FormField::new("lat", c.t("field-lat"), "number", f.get("lat").into())
                .hint(c.t("hint-coordinates")),
            FormField::new("lon", c.t("field-lon"), "number", f.get("lon").into()),
            FormField::new(
                "call_sign",
                c.t("field-call-sign"),
                "text",
                f.get("call_sign").into(),
            ),
        ])
    }

    async fn parse(state: &AppState, _: &Auth, f: &Fields) -> AppResult<Self::Input> {
        super::forms::unit_input(state, f).await
    }

    async fn create(state: &AppState, auth: &Auth, input: Self::Input) -> AppResult<String> {
        super::create_unit(state, &auth.user.actor(), input).await
    }

    async fn update(state: &AppState, auth: &Auth, id: &str, input: Self::Input) -> AppResult<()> {
        super::update_unit(state, &auth.user.actor(), &auth.scope, id, input).await
    }
}

/// Asset pages: the form's fields and the service functions behind them.
pub(super) struct Assets;

impl Record for Assets {
    const BASE: &'static str = "/assets";
    const NEW_TITLE: &'static str = "assets-new";
    const EDIT_TITLE: &'static str = "assets-edit";
    const EDIT: Permission = Permission::EditAssets;
    type Row = Asset;
    type Input = super::AssetInput;

    async fn get(state: &AppState, auth: &Auth, id: &str) -> AppResult<Asset> {
        super::get_asset(&state.db, &auth.scope, id).await
    }

    fn fields(a: &Asset) -> Fields {
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
        Fields(m)
    }

    async fn form(
        state: &AppState,
        auth: &Auth,
        c: &PageCtx,
        f: &Fields,
    ) -> AppResult<Vec<FormField>> {
        let status = if f.get("status").is_empty() {
            "disponible"
        } else {
            f.get("status")
        };
        Ok(vec![
            FormField::new(
                "registration",
                c.t("field-registration"),
                "text",
                f.get("registration").into(),
            )
            .required(),
            FormField::new("kind", c.t("field-kind"), "select", f.get("kind").into())
                .required()
                .options(code_options::<AssetKind>(c, f.get("kind"), Some("choose"))),
            FormField::new("force", c.t("field-force"), "select", f.get("force").into())
                .required()
                .options(force_options(state, c.lang, f.get("force"), Some(c.t("choose"))).await?),
            FormField::new("unit", c.t("field-unit"), "select", f.get("unit").into())
                .required()
                .options(unit_options(state, auth, f.get("unit"), Some(c.t("choose"))).await?),
            FormField::new("make", c.t("field-make"), "text", f.get("make").into()).required(),
            FormField::new("model", c.t("field-model"), "text", f.get("model").into()).required(),
            FormField::new("year", c.t("field-year"), "number", f.get("year").into()),
            FormField::new("status", c.t("field-status"), "select", status.into())
                .required()
                .options(code_options::<AssetStatus>(c, status, None)),
            FormField::new(
                "odometer_km",
                c.t("field-odometer"),
                "number",
                f.get("odometer_km").into(),
            ),
            FormField::new(
                "engine_hours",
                c.t("field-engine-hours"),
                "number",
                f.get("engine_hours").into(),
            ),
            FormField::new(
                "flight_hours",
                c.t("field-flight-hours"),
                "number",
                f.get("flight_hours").into(),
            ),
            FormField::new(
                "notes",
                c.t("field-notes"),
                "textarea",
                f.get("notes").into(),
            ),
        ])
    }

    async fn parse(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<Self::Input> {
        super::forms::asset_input(state, &auth.scope, f).await
    }

    async fn create(state: &AppState, auth: &Auth, input: Self::Input) -> AppResult<String> {
        super::create_asset(state, &auth.user.actor(), input).await
    }

    async fn update(state: &AppState, auth: &Auth, id: &str, input: Self::Input) -> AppResult<()> {
        super::update_asset(state, &auth.user.actor(), &auth.scope, id, input).await
    }
}

/// Site pages: the form's fields and the service functions behind them.
pub(super) struct Sites;

impl Record for Sites {
    const BASE: &'static str = "/sites";
    const NEW_TITLE: &'static str = "sites-new";
    const EDIT_TITLE: &'static str = "sites-edit";
    const EDIT: Permission = Permission::EditUnits;
    type Row = Site;
    type Input = super::SiteInput;

    async fn get(state: &AppState, auth: &Auth, id: &str) -> AppResult<Site> {
        super::get_site(&state.db, &auth.scope, id).await
    }

    fn fields(s: &Site) -> Fields {
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
        Fields(m)
    }

    async fn form(
        state: &AppState,
        auth: &Auth,
        c: &PageCtx,
        f: &Fields,
    ) -> AppResult<Vec<FormField>> {
        Ok(vec![
            FormField::new("name", c.t("field-name"), "text", f.get("name").into()).required(),
            FormField::new("kind", c.t("field-kind"), "select", f.get("kind").into())
                .required()
                .options(code_options::<SiteKind>(c, f.get("kind"), Some("choose"))),
            FormField::new("unit", c.t("field-unit"), "select", f.get("unit").into())
                .required()
                .options(unit_options(state, auth, f.get("unit"), Some(c.t("choose"))).await?),
            FormField::new(
                "locality",
                c.t("field-locality"),
                "text",
                f.get("locality").into(),
            )
            .hint(c.t("hint-locality"))
            .locality(&state.gazetteer),
            FormField::new("lat", c.t("field-lat"), "number", f.get("lat").into())
                .hint(c.t("hint-coordinates")),
            FormField::new("lon", c.t("field-lon"), "number", f.get("lon").into()),
            FormField::new(
                "status",
                c.t("field-status"),
                "select",
                f.get("status").into(),
            )
            .required()
            .options(code_options::<SiteStatus>(
                c,
                f.get("status"),
                Some("choose"),
            )),
            FormField::new(
                "notes",
                c.t("field-notes"),
                "textarea",
                f.get("notes").into(),
            ),
        ])
    }

    async fn parse(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<Self::Input> {
        super::forms::site_input(state, &auth.scope, f).await
    }

    async fn create(state: &AppState, auth: &Auth, input: Self::Input) -> AppResult<String> {
        super::create_site(state, &auth.user.actor(), input).await
    }

    async fn update(state: &AppState, auth: &Auth, id: &str, input: Self::Input) -> AppResult<()> {
        super::update_site(state, &auth.user.actor(), &auth.scope, id, input).await
    }
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
    let title = c.t("nav-forces");
    let columns = vec![
        c.t("field-name"),
        c.t("field-code"),
        c.t("nav-units"),
        c.t("nav-assets"),
    ];
    render(&ListView::single_page(
        c,
        title,
        "/api/v1/forces",
        columns,
        rows,
    ))
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
    let (rows, total) = super::list_units(&state.db, &auth.scope, &record_filter(&p)).await?;
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
            FilterField::search(&c, &p),
            code_filter::<UnitKind>(&c, &p, "kind", "field-kind"),
            FilterField::select(
                "force",
                c.t("field-force"),
                &p,
                force_options(&state, c.lang, p.get("force"), Some(c.t("filter-all"))).await?,
            ),
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

/// The assets that cannot be sent, for the operations centre's and the workshop's home.
pub async fn unavailable_section(state: &AppState, auth: &Auth, c: &PageCtx) -> AppResult<Section> {
    let (assets, total) = super::unavailable_assets(&state.db, &auth.scope).await?;
    Ok(Section {
        marks: Vec::new(),
        id: "unavailable-assets",
        title: c.t("home-unavailable-assets"),
        columns: [
            "field-registration",
            "field-kind",
            "field-model",
            "field-status",
            "field-unit",
            "field-force",
            "field-year",
        ]
        .iter()
        .map(|k| c.t(k))
        .collect(),
        rows: assets
            .iter()
            .take(SECTION_ROWS as usize)
            .map(|a| asset_row(c, a))
            .collect(),
        total,
        more: Some(Link::new(
            "/assets?status=en_maintenance",
            c.t("home-see-all"),
        )),
        empty: c.t("home-all-available"),
    })
}

async fn assets_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewRegistry)?;
    let p = ListParams(q);
    let (rows, total) = super::list_assets(&state.db, &auth.scope, &record_filter(&p)).await?;
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
            FilterField::search(&c, &p),
            code_filter::<AssetKind>(&c, &p, "kind", "field-kind"),
            code_filter::<AssetStatus>(&c, &p, "status", "field-status"),
            FilterField::select(
                "force",
                c.t("field-force"),
                &p,
                force_options(&state, c.lang, p.get("force"), Some(c.t("filter-all"))).await?,
            ),
            FilterField::select(
                "unit",
                c.t("field-unit"),
                &p,
                unit_options(&state, &auth, p.get("unit"), Some(c.t("filter-all"))).await?,
            ),
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
    let mut fields = vec![
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
        // Any unit that sees the asset reports its defects to the workshop.
        DetailField {
            label: c.t("nav-workshop"),
            value: c.t("work-order-report"),
            href: Some(format!("/assets/{id}/work-orders/new")),
        },
    ];
    for (permission, href, key) in [
        (Permission::EditAssets, "readings/new", "meter-new"),
        (Permission::IssueFuel, "fuel/new", "fuel-new"),
    ] {
        if auth.user.can(permission) {
            fields.push(DetailField {
                label: c.t("nav-workshop"),
                value: c.t(key),
                href: Some(format!("/assets/{id}/{href}")),
            });
        }
    }
    // Fuel is counted per 100 km for what has an odometer, per hour for the rest.
    let by_km = a.odometer_km.is_some();
    let view = DetailView {
        title: format!("{} — {} {}", a.registration, a.make, a.model),
        back_href: "/assets".into(),
        edit_href: auth
            .user
            .can(Permission::EditAssets)
            .then(|| format!("/assets/{id}/edit")),
        fields,
        tables: vec![
            crate::fleet::web::work_orders_table(&state, &c, &id).await?,
            crate::fleet::web::due_table(&state, &auth, &c, &id).await?,
            crate::fleet::web::readings_table(&state, &c, &id).await?,
            crate::fleet::web::fuel_table(&state, &c, &id, by_km).await?,
        ],
        c,
    };
    render(&view)
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
    let (rows, total) = super::list_sites(&state.db, &auth.scope, &record_filter(&p)).await?;
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
            FilterField::search(&c, &p),
            code_filter::<SiteKind>(&c, &p, "kind", "field-kind"),
            code_filter::<SiteStatus>(&c, &p, "status", "field-status"),
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

/// A registry list's query string as the service takes it.
pub fn record_filter(p: &ListParams) -> super::RecordFilter {
    let text = |name: &str| {
        Some(p.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    super::RecordFilter {
        search: p.get("q").to_string(),
        kind: text("kind"),
        status: text("status"),
        force: text("force"),
        unit: crate::ids::UnitId::parse(p.get("unit")),
        sort: text("sort"),
        descending: p.desc(),
        page: p.page(),
    }
}
