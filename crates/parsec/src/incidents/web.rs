//! Incident pages: the register (list and form), an incident's page with its timeline, its
//! responses and, for the officers who dispatch, the available assets ranked by travel time.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::model;
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Auth;
use crate::web::download::{attachment, csv_cell, csv_line, inline};
use crate::web::page::{
    ColumnHead, DetailField, Fields, FilterField, FormField, FormView, Link, ListParams, ListRow,
    ListView, PageCtx, SelectOption, options, render, when_text,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list))
        .route("/incidents/new", get(new_form).post(create))
        .route("/incidents/{id}", get(view))
        .route("/incidents/{id}/status", post(status))
        .route("/incidents/{id}/dispatch", post(dispatch))
        .route("/incidents/responses/{id}/{step}", post(step))
        .route("/map", get(map_page))
        .route("/sitrep", get(sitrep_page))
        .route("/sitrep.pdf", get(sitrep_pdf))
        .route("/sitrep.csv", get(sitrep_csv))
        .route("/sitrep.xlsx", get(sitrep_xlsx))
        .route("/incidents/export.csv", get(export_acled))
        .route("/patrols", get(patrols_list))
        .route("/patrols/new", get(patrol_form).post(patrol_create))
        .route("/patrols/{id}", get(patrol_view))
        .route(
            "/patrols/{id}/report",
            get(patrol_report_form).post(patrol_report),
        )
        .route("/incidents/export.geojson", get(export_geojson))
}

type FormData = Form<Vec<(String, String)>>;
type Params = Query<HashMap<String, String>>;

/// A type's and a sub-type's names in the reader's language (ACLED's own in English).
fn type_labels(lang: Lang, t: &str, s: &str) -> (String, String) {
    let names = match lang {
        Lang::Fr => model::labels(t, s),
        Lang::En => model::acled_names(t, s),
    };
    names.map_or_else(
        || (t.to_string(), s.to_string()),
        |(a, b)| (a.to_string(), b.to_string()),
    )
}

/// Every sub-type as one choice, `type:sub`, labelled "Type — sub-type".
fn event_options(lang: Lang, current: &str) -> Vec<SelectOption> {
    let choices = model::EVENT_TYPES
        .iter()
        .flat_map(|(t, _, _, subs)| {
            subs.iter().map(move |(s, _, _)| {
                let (a, b) = type_labels(lang, t, s);
                (format!("{t}:{s}"), format!("{a} — {b}"))
            })
        })
        .collect();
    options(choices, current, None)
}

/// The unit an incident or a patrol is reported for: the one chosen in the form at the
/// regional level, the user's own otherwise; refused when missing or out of the user's scope.
fn reporting_unit(auth: &Auth, f: &Fields) -> AppResult<String> {
    let unit = match (&auth.scope, &auth.user.unit_id) {
        (crate::accounts::Scope::All, own) if !f.get("unit").is_empty() || own.is_none() => {
            f.get("unit").to_string()
        }
        (_, Some(own)) => own.clone(),
        (_, None) => String::new(),
    };
    if unit.is_empty() {
        return Err(AppError::invalid("unit", "error-required"));
    }
    if !auth.scope.allows_unit(&unit) {
        return Err(AppError::invalid("unit", "error-unit-out-of-scope"));
    }
    Ok(unit)
}

/// The choice of the reporting unit, on the forms of the regional level (a unit reports as
/// itself and has no such field).
async fn unit_field(
    state: &AppState,
    auth: &Auth,
    f: &Fields,
    label: String,
) -> AppResult<Option<FormField>> {
    if !matches!(auth.scope, crate::accounts::Scope::All) {
        return Ok(None);
    }
    Ok(Some(
        FormField::new("unit", label, "select", String::new())
            .required()
            .options(options(
                units_in_scope(state, auth).await?,
                f.get("unit"),
                Some(String::new()),
            )),
    ))
}

async fn units_in_scope(state: &AppState, auth: &Auth) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM units WHERE (?1 IS NULL OR id IN (SELECT value FROM json_each(?1)))
         ORDER BY name",
    )
    .bind(auth.scope.as_json())
    .fetch_all(&state.db)
    .await?)
}

async fn form_view(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/incidents/new");
    let submission = match f.get("submission") {
        "" => crate::db::new_id(),
        s => s.to_string(),
    };
    let text =
        |name: &'static str, key: &str| FormField::new(name, c.t(key), "text", f.get(name).into());
    let number = |name: &'static str, key: &str| {
        FormField::new(name, c.t(key), "number", f.get(name).into())
    };
    let inter = |name: &'static str, key: &str| {
        FormField::new(name, c.t(key), "select", String::new()).options(options(
            model::INTER
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            f.get(name),
            None,
        ))
    };
    let mut fields = vec![
        FormField::new("submission", String::new(), "hidden", submission),
        FormField::new(
            "occurred_at",
            c.t("incident-when"),
            "datetime-local",
            f.get("occurred_at").into(),
        )
        .required()
        .hint(c.t("incident-when-hint")),
        FormField::new(
            "place",
            c.t("incident-place"),
            "text",
            f.get("place").into(),
        )
        .hint(c.t("incident-place-hint")),
        number("lat", "field-lat"),
        number("lon", "field-lon"),
        FormField::new("event", c.t("incident-type"), "select", String::new())
            .required()
            .options(event_options(c.lang, f.get("event"))),
        text("actor1", "incident-actor1"),
        inter("inter1", "incident-inter1"),
        text("actor2", "incident-actor2"),
        inter("inter2", "incident-inter2"),
        number("fatalities", "incident-fatalities"),
        number("injured", "incident-injured"),
        number("missing", "incident-missing"),
        text("source", "incident-source"),
        FormField::new(
            "source_reliability",
            c.t("incident-reliability"),
            "select",
            String::new(),
        )
        .options(options(
            model::RELIABILITY
                .iter()
                .map(|k| (k.to_string(), c.t(&format!("reliability-{k}"))))
                .collect(),
            f.get("source_reliability"),
            None,
        )),
        FormField::new(
            "notes",
            c.t("field-notes"),
            "textarea",
            f.get("notes").into(),
        ),
    ];
    // Opened from a patrol's page: the incident is raised during that patrol.
    if !f.get("patrol").is_empty() {
        fields.push(FormField::new(
            "patrol",
            String::new(),
            "hidden",
            f.get("patrol").into(),
        ));
    }
    if let Some(unit) = unit_field(state, auth, f, c.t("incident-unit")).await? {
        fields.insert(1, unit);
    }
    // A click on the map gives the coordinates (with the script; typed otherwise).
    let map = super::map::draw(&capitals(state), &[], &[], &[], "", &c.t("map-pick-hint"));
    Ok(FormView {
        map: Some(map),
        title: c.t("incident-new"),
        action: "/incidents/new".into(),
        cancel_href: "/incidents".into(),
        fields,
        error: None,
        c,
    })
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    // Opened from a patrol's page, the incident is that patrol's.
    let mut f = Fields::default();
    if let Some(p) = q.get("patrol") {
        f.0.insert("patrol".into(), p.clone());
    }
    render(&form_view(&state, &auth, &f).await?)
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    let mut f = Fields::from_pairs(pairs);
    // The form gives type and sub-type as one choice.
    if let Some((t, s)) = f.get("event").split_once(':') {
        let (t, s) = (t.to_string(), s.to_string());
        f.0.insert("event_type".into(), t);
        f.0.insert("sub_event_type".into(), s);
    }
    let view = form_view(&state, &auth, &f).await?;
    let unit = match reporting_unit(&auth, &f) {
        Ok(u) => u,
        Err(e) => return view.refuse(e),
    };
    let input = match super::IncidentInput::parse(&state, &f) {
        Ok(i) => i,
        Err(AppError::Invalid {
            field: "sub_event_type",
            key,
        }) => {
            return view.refuse(AppError::invalid("event", key));
        }
        Err(e) => return view.refuse(e),
    };
    match super::create(&state, &auth.user.actor(), &unit, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(e) => view.refuse(e),
    }
}

async fn list(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let p = ListParams(q);
    let (rows, total) = super::list(&state, &auth.scope, &p).await?;
    let c = PageCtx::new(&state, &auth, "/incidents");
    let (page, pages, prev_href, next_href) = p.pager("/incidents", total);
    let types = model::EVENT_TYPES
        .iter()
        .map(|(t, acled, fr, _)| {
            (
                t.to_string(),
                match c.lang {
                    Lang::Fr => fr.to_string(),
                    Lang::En => acled.to_string(),
                },
            )
        })
        .collect();
    let statuses = model::STATUSES
        .iter()
        .map(|k| (k.to_string(), c.t(&format!("incident-status-{k}"))))
        .collect();
    let view = ListView {
        title: c.t("nav-incidents"),
        action: auth
            .user
            .can(Permission::ReportIncidents)
            .then(|| Link::new("/incidents/new", c.t("incident-new"))),
        filter_action: "",
        api_href: String::new(),
        filters: vec![
            FilterField::search(&c, &p),
            FilterField::select(
                "event_type",
                c.t("incident-type"),
                &p,
                options(types, p.get("event_type"), Some(c.t("filter-all"))),
            ),
            FilterField::select(
                "status",
                c.t("incident-status"),
                &p,
                options(statuses, p.get("status"), Some(c.t("filter-all"))),
            ),
        ],
        columns: vec![
            p.sort_head("/incidents", c.t("incident-when"), "time"),
            p.sort_head("/incidents", c.t("incident-place"), "place"),
            ColumnHead::plain(c.t("incident-type")),
            ColumnHead::plain(c.t("incident-toll")),
            p.sort_head("/incidents", c.t("incident-status"), "status"),
        ],
        rows: rows
            .iter()
            .map(|r| ListRow {
                href: format!("/incidents/{}", r.id),
                cells: vec![
                    when_text(&r.occurred_at),
                    r.place.clone(),
                    type_labels(c.lang, &r.event_type, &r.sub_event_type).1,
                    format!("{} / {} / {}", r.fatalities, r.injured, r.missing),
                    c.t(&format!("incident-status-{}", r.status)),
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

struct Step {
    code: &'static str,
    label: String,
    at: String,
    open: bool,
}

struct ResponseLine {
    id: String,
    asset: String,
    unit: String,
    travel: String,
    dispatched: String,
    steps: Vec<Step>,
}

struct CandidateLine {
    rank: usize,
    asset_id: String,
    asset: String,
    unit: String,
    mode: String,
    travel: String,
    reachable: bool,
    suited: bool,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    c: PageCtx,
    id: String,
    title: String,
    status: String,
    error: Option<String>,
    fields: Vec<DetailField>,
    can_edit: bool,
    can_dispatch: bool,
    closed: bool,
    statuses: Vec<SelectOption>,
    responses: Vec<ResponseLine>,
    candidates: Vec<CandidateLine>,
    more_candidates: Vec<CandidateLine>,
    events: Vec<(String, String, String, String)>,
    /// The incident on the map, with the ways of the first candidates.
    svg: String,
    /// What the map's caption says: with the ways, or the incident alone.
    map_hint: String,
}

/// Why an asset cannot get there, in the page's language.
fn unreachable_text(c: &PageCtx, e: &routing::Unreachable) -> String {
    match e {
        routing::Unreachable::TooFar { km, .. } => {
            c.tf("route-too-far", &[("km", &format!("{km:.0}"))])
        }
        routing::Unreachable::Disconnected => c.t("route-disconnected"),
        routing::Unreachable::BadPoint => c.t("route-no-position"),
    }
}

/// At most this many incidents on the map (the latest of the period).
const MAP_MOST: usize = 20_000;

/// How many of the ranked assets the incident's page shows before "the others".
const CANDIDATES_SHOWN: usize = 10;

/// How many of the ranked ways the incident's map draws.
const ROUTES_SHOWN: usize = 3;

/// An actor and its ACLED category: `Groupe armé (Groupes rebelles)`.
fn actor(name: &str, category: &str) -> String {
    match (name.trim(), category.trim()) {
        (n, "") => n.to_string(),
        ("", c) => c.to_string(),
        (n, c) if n.eq_ignore_ascii_case(c) => n.to_string(),
        (n, c) => format!("{n} ({c})"),
    }
}

/// Minutes as hours and minutes.
fn duration(minutes: f64) -> String {
    let m = minutes.round() as i64;
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{} h {:02}", m / 60, m % 60)
    }
}

async fn page(
    state: &AppState,
    auth: &Auth,
    id: &str,
    error: Option<&AppError>,
) -> AppResult<IncidentPage> {
    let i = super::get(state, &auth.scope, id).await?;
    let c = PageCtx::new(state, auth, "/incidents");
    let (type_label, sub_label) = type_labels(c.lang, &i.event_type, &i.sub_event_type);
    let inter = |k: i64| {
        model::INTER
            .iter()
            .find(|x| x.0 == k)
            .map_or_else(String::new, |x| x.1.to_string())
    };
    let fields = vec![
        (c.t("incident-when"), when_text(&i.occurred_at)),
        (
            c.t("incident-place"),
            format!(
                "{} ({}) {:.4}, {:.4} · {}",
                i.place,
                i.cercle,
                i.lat,
                i.lon,
                c.t(&format!("precision-{}", i.geo_precision))
            ),
        ),
        (c.t("incident-type"), format!("{type_label} — {sub_label}")),
        (c.t("incident-actor1"), actor(&i.actor1, &inter(i.inter1))),
        (c.t("incident-actor2"), actor(&i.actor2, &inter(i.inter2))),
        (
            c.t("incident-toll"),
            format!("{} / {} / {}", i.fatalities, i.injured, i.missing),
        ),
        (
            c.t("incident-source"),
            format!(
                "{} ({})",
                i.source,
                c.t(&format!("reliability-{}", i.source_reliability))
            ),
        ),
        (c.t("field-unit"), i.unit_name.clone()),
        (c.t("field-notes"), i.notes.clone()),
    ]
    .into_iter()
    .map(|(label, value)| DetailField {
        label,
        value,
        href: None,
    })
    .collect();
    let can_dispatch = auth.user.can(Permission::Dispatch);
    let responses = super::responses(state, id)
        .await?
        .into_iter()
        .map(|r| {
            let open = r.done_at.is_none();
            ResponseLine {
                id: r.id.clone(),
                // A unit that went on foot has no registration.
                asset: if r.registration.is_empty() {
                    c.t("incident-on-foot")
                } else {
                    r.registration
                },
                unit: r.unit_name,
                travel: r.minutes.map(duration).unwrap_or_default(),
                dispatched: when_text(&r.dispatched_at),
                steps: vec![
                    Step {
                        code: "engaged",
                        label: c.t("incident-engaged"),
                        at: r.engaged_at.as_deref().map(when_text).unwrap_or_default(),
                        open,
                    },
                    Step {
                        code: "on_site",
                        label: c.t("incident-on-site"),
                        at: r.on_site_at.as_deref().map(when_text).unwrap_or_default(),
                        open,
                    },
                    Step {
                        code: "done",
                        label: c.t("incident-done"),
                        at: r.done_at.as_deref().map(when_text).unwrap_or_default(),
                        open,
                    },
                ],
            }
        })
        .collect();
    let ranked = if can_dispatch && i.status != "clos" {
        super::candidates(state, &auth.scope, &i).await?
    } else {
        Vec::new()
    };
    // The ways of the first three that can get there, drawn from their unit to the incident.
    let at = routing::Point::new(i.lat, i.lon);
    // Assets of one unit moving the same way share one line and one label ("2, 3").
    let mut ways: Vec<(&super::Candidate, Vec<String>)> = Vec::new();
    for k in ranked
        .iter()
        .filter(|k| k.minutes.is_ok())
        .take(ROUTES_SHOWN)
    {
        match ways
            .iter_mut()
            .find(|(w, _)| w.from == k.from && w.mode == k.mode)
        {
            Some((_, ranks)) => ranks.push(k.rank.to_string()),
            None => ways.push((k, vec![k.rank.to_string()])),
        }
    }
    let mut routes = String::new();
    for (k, ranks) in ways {
        if let Ok(r) = state.routing.route(k.mode, k.from, at) {
            let label = ranks.join(", ");
            let title = format!("{label} — {} — {}", k.unit_name, duration(r.minutes));
            routes.push_str(&super::map::route_line(&r.path, &label, k.mode, &title));
        }
    }
    let mark = super::map::Mark {
        id: i.id.clone(),
        lat: i.lat,
        lon: i.lon,
        security: i.event_type != "civil_protection",
        age: 0.0,
        title: i.place.clone(),
    };
    let svg = super::map::draw(
        &capitals(state),
        &[mark],
        &[],
        &[],
        &routes,
        &c.t("incident-map"),
    );
    let mut candidates: Vec<CandidateLine> = ranked
        .into_iter()
        .map(|k| CandidateLine {
            rank: k.rank,
            asset_id: k.asset_id,
            asset: if k.kind == super::ON_FOOT {
                c.t("incident-on-foot-idle")
            } else {
                format!(
                    "{} ({})",
                    k.registration,
                    c.t(&format!("asset-kind-{}", k.kind))
                )
            },
            unit: k.unit_name,
            mode: c.t(&format!("incident-mode-{}", k.mode.code())),
            travel: match &k.minutes {
                Ok(m) => duration(*m),
                Err(e) => unreachable_text(&c, e),
            },
            reachable: k.minutes.is_ok(),
            suited: k.suited,
        })
        .collect();
    // The first ten in view; the others folded under them, one click away.
    let more_candidates = candidates.split_off(candidates.len().min(CANDIDATES_SHOWN));
    Ok(IncidentPage {
        id: i.id.clone(),
        title: format!("{sub_label} — {}", i.place),
        status: c.t(&format!("incident-status-{}", i.status)),
        error: error.map(|e| c.t(e.message_key())),
        fields,
        can_edit: auth.user.can(Permission::ReportIncidents),
        can_dispatch,
        closed: i.status == "clos",
        statuses: options(
            model::STATUSES
                .iter()
                .map(|k| (k.to_string(), c.t(&format!("incident-status-{k}"))))
                .collect(),
            &i.status,
            None,
        ),
        responses,
        candidates,
        more_candidates,
        events: super::events(state, id)
            .await?
            .into_iter()
            .map(|(at, by, kind, detail)| {
                let what = match kind.as_str() {
                    "dispatch" => c.t("incident-event-dispatch"),
                    "import" => c.t("incident-event-import"),
                    "engaged" => c.t("incident-engaged"),
                    "on_site" => c.t("incident-on-site"),
                    "done" => c.t("incident-done"),
                    status => c.t(&format!("incident-status-{status}")),
                };
                (when_text(&at), by, what, detail)
            })
            .collect(),
        map_hint: c.t(if routes.is_empty() {
            "incident-map-hint-alone"
        } else {
            "incident-map-hint"
        }),
        svg,
        c,
    })
}

async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    render(&page(&state, &auth, &id, None).await?)
}

async fn status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    let f = Fields::from_pairs(pairs);
    super::set_status(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &id,
        f.get("status"),
        f.get("note"),
    )
    .await?;
    Ok(Redirect::to(&format!("/incidents/{id}")).into_response())
}

async fn dispatch(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::Dispatch)?;
    let f = Fields::from_pairs(pairs);
    match super::dispatch(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &id,
        f.get("asset"),
        f.get("reason"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let view = page(&state, &auth, &id, Some(&e)).await?;
            Ok((e.status(), Html(view.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, step)): Path<(String, String)>,
) -> AppResult<Response> {
    auth.require(Permission::Dispatch)?;
    let incident =
        super::response_step(&state, &auth.user.actor(), &auth.scope, &id, &step).await?;
    Ok(Redirect::to(&format!("/incidents/{incident}")).into_response())
}

/// The cercle capitals named on the maps.
fn capitals(state: &AppState) -> Vec<(String, f64, f64)> {
    state
        .gazetteer
        .localities()
        .iter()
        .filter(|l| {
            l.in_region
                && matches!(
                    l.admin_seat.as_deref(),
                    Some("cercle_capital") | Some("region_capital")
                )
        })
        .map(|l| (l.name.clone(), l.lat, l.lon))
        .collect()
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    c: PageCtx,
    title: String,
    error: Option<String>,
    from: String,
    to: String,
    types: Vec<SelectOption>,
    cercles: Vec<SelectOption>,
    count: String,
    coverage: String,
    coverage_line: Option<String>,
    svg: String,
}

async fn map_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    use super::map::{Mark, UnitMark, draw};
    auth.require(Permission::ViewIncidents)?;
    let p = ListParams(q);
    let c = PageCtx::new(&state, &auth, "/map");
    let today = crate::db::now().date();
    let day = |name: &str, default: time::Date| {
        crate::db::day(p.get(name)).unwrap_or(default).to_string()
    };
    let (from, to) = (
        day("from", today - time::Duration::days(30)),
        day("to", today),
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        occurred_at: String,
        place: String,
        lat: f64,
        lon: f64,
        event_type: String,
        sub_event_type: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, occurred_at, place, lat, lon, event_type, sub_event_type FROM incidents i
         WHERE occurred_at >= ?1 AND occurred_at < date(?2, '+1 day')
           AND (?3 = '' OR event_type = ?3) AND (?4 = '' OR cercle = ?4)
           AND (?5 IS NULL OR unit_id IN (SELECT value FROM json_each(?5)))
         ORDER BY occurred_at DESC LIMIT ?6",
    )
    .bind(&from)
    .bind(&to)
    .bind(p.get("event_type"))
    .bind(p.get("cercle"))
    .bind(auth.scope.as_json())
    .bind(i64::try_from(MAP_MOST + 1).unwrap_or(i64::MAX))
    .fetch_all(&state.db)
    .await?;
    // A long period draws its latest incidents only, and says so.
    let cut = rows.len() > MAP_MOST;
    // Drawn oldest first, so that the recent marks are on top.
    let rows: Vec<_> = rows.iter().take(MAP_MOST).rev().collect();
    let (first, last) = (crate::db::day(&from), crate::db::day(&to));
    let span = first
        .zip(last)
        .map_or(30.0, |(a, b)| ((b - a).whole_days().max(1)) as f64);
    let marks: Vec<Mark> = rows
        .iter()
        .map(|r| {
            // Paler with age, counted back from the period's last day.
            let age = crate::db::day(&r.occurred_at)
                .zip(last)
                .map_or(0.0, |(d, end)| (end - d).whole_days() as f64 / span);
            Mark {
                id: r.id.clone(),
                lat: r.lat,
                lon: r.lon,
                security: r.event_type != "civil_protection",
                age,
                title: format!(
                    "{} — {} ({})",
                    type_labels(c.lang, &r.event_type, &r.sub_event_type).1,
                    r.place,
                    r.occurred_at.get(..10).unwrap_or("")
                ),
            }
        })
        .collect();
    #[derive(sqlx::FromRow)]
    struct UnitRow {
        name: String,
        lat: Option<f64>,
        lon: Option<f64>,
        ready: i64,
        busy: i64,
    }
    let units: Vec<UnitRow> = sqlx::query_as(
        "SELECT u.name, u.lat, u.lon,
                (SELECT COUNT(*) FROM assets a WHERE a.unit_id = u.id AND a.status = 'disponible') AS ready,
                (SELECT COUNT(*) FROM assets a WHERE a.unit_id = u.id AND a.status != 'disponible') AS busy
         FROM units u WHERE u.lat IS NOT NULL AND u.lon IS NOT NULL
           AND (?1 IS NULL OR u.id IN (SELECT value FROM json_each(?1)))",
    )
    .bind(auth.scope.as_json())
    .fetch_all(&state.db)
    .await?;
    let units: Vec<UnitMark> = units
        .into_iter()
        .filter_map(|u| {
            Some(UnitMark {
                lat: u.lat?,
                lon: u.lon?,
                name: u.name,
                available: usize::try_from(u.ready).unwrap_or(0),
                busy: usize::try_from(u.busy).unwrap_or(0),
            })
        })
        .collect();
    let capitals = capitals(&state);
    let types = model::EVENT_TYPES
        .iter()
        .map(|(t, acled, fr, _)| {
            (
                t.to_string(),
                match c.lang {
                    Lang::Fr => fr.to_string(),
                    Lang::En => acled.to_string(),
                },
            )
        })
        .collect();
    let cercles = state
        .gazetteer
        .cercles()
        .iter()
        .map(|ce| (ce.name.clone(), ce.name.clone()))
        .collect();
    let title = c.t("nav-map");
    // The coverage layer, when asked: localities beyond N hours of every unit.
    let hours = p
        .get("coverage")
        .parse::<f64>()
        .ok()
        .filter(|h| (0.5..=12.0).contains(h));
    let coverage = match hours {
        Some(h) => {
            let points: Vec<(f64, f64)> = units.iter().map(|u| (u.lat, u.lon)).collect();
            Some(super::coverage::layer(&state, &points, h).await?)
        }
        None => None,
    };
    let coverage_line = coverage.as_ref().map(|cov| {
        let n = |x: f64| c.lang.number(x.round() as i64);
        format!(
            "{} {} / {} · {} {} ({} {})",
            c.t("map-uncovered"),
            c.lang
                .number(i64::try_from(cov.uncovered.len()).unwrap_or(i64::MAX)),
            c.lang
                .number(i64::try_from(cov.localities).unwrap_or(i64::MAX)),
            c.t("map-population"),
            n(cov.population_known + cov.population_estimated),
            c.t("map-estimated"),
            n(cov.population_estimated)
        )
    });
    let uncovered = coverage.map(|c| c.uncovered.clone()).unwrap_or_default();
    let page = MapPage {
        coverage: p.get("coverage").to_string(),
        coverage_line,
        svg: draw(&capitals, &marks, &units, &uncovered, "", &title),
        count: if cut {
            format!(
                "{} {} ({})",
                marks.len(),
                c.t("map-incidents"),
                c.t("map-latest-only")
            )
        } else {
            format!("{} {}", marks.len(), c.t("map-incidents"))
        },
        types: options(types, p.get("event_type"), Some(c.t("filter-all"))),
        cercles: options(cercles, p.get("cercle"), Some(c.t("filter-all"))),
        from,
        to,
        error: None,
        title,
        c,
    };
    render(&page)
}

/// The report's tables, in the reader's language.
fn sitrep_tables(c: &PageCtx, r: &super::sitrep::Sitrep) -> Vec<crate::web::page::DetailTable> {
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
                    let sum = |f: fn(&super::sitrep::IncidentLine) -> i64| {
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

fn sitrep_lines(c: &PageCtx, r: &super::sitrep::Sitrep) -> Vec<String> {
    let m = |x: Option<f64>| x.map_or_else(|| "—".to_string(), duration);
    vec![format!(
        "{} : {} · {} : {} · {} : {} · {} : {}",
        c.t("sitrep-responses-sent"),
        r.responses.sent,
        c.t("sitrep-responses-arrived"),
        r.responses.arrived,
        c.t("sitrep-median"),
        m(r.responses.median),
        c.t("sitrep-longest"),
        m(r.responses.longest)
    )]
}

fn patrol_line(c: &PageCtx, r: &super::sitrep::Sitrep) -> String {
    let (done, not_done) = r
        .patrols
        .iter()
        .fold((0, 0), |(d, n), p| (d + p.1, n + p.2));
    format!(
        "{} : {} {} · {} {}",
        c.t("nav-patrols"),
        done,
        c.t("patrol-status-effectuee").to_lowercase(),
        not_done,
        c.t("patrol-status-non_effectuee").to_lowercase()
    )
}

async fn sitrep_for(
    state: &AppState,
    auth: &Auth,
    p: &ListParams,
) -> AppResult<super::sitrep::Sitrep> {
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
    super::sitrep::build(state, &auth.scope, from, to).await
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

async fn sitrep_page(
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
        period: format!("{} → {}", report.from, report.to),
        error,
        from: report.from.clone(),
        to: report.to.clone(),
        pdf_href: format!("/sitrep.pdf{query}"),
        csv_href: format!("/sitrep.csv{query}"),
        xlsx_href: format!("/sitrep.xlsx{query}"),
        tables: sitrep_tables(&c, &report),
        lines: {
            let mut l = sitrep_lines(&c, &report);
            l.push(patrol_line(&c, &report));
            l
        },
        c,
    };
    render(&page)
}

async fn sitrep_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    use crate::pdf::Block;
    auth.require(Permission::ViewIncidents)?;
    let report = sitrep_for(&state, &auth, &ListParams(q)).await?;
    let c = PageCtx::new(&state, &auth, "/sitrep");
    let mut blocks = Vec::new();
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
    blocks.push(Block::Line(patrol_line(&c, &report)));
    let bytes = crate::pdf::report(
        &format!("{} — {}", c.t("nav-sitrep"), c.t("sitrep-region")),
        // WinAnsi has no arrow: an en dash.
        &format!(
            "{} – {} · {}",
            report.from,
            report.to,
            crate::db::now_text()
        ),
        &blocks,
    );
    Ok(inline(
        "application/pdf",
        &format!("sitrep-{}-{}.pdf", report.from, report.to),
        bytes,
    ))
}

async fn sitrep_csv(
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

/// ACLED's disorder type of an event type.
fn disorder(t: &str) -> &'static str {
    match t {
        "battles" | "explosions" | "violence_civilians" => "Political violence",
        "protests" | "riots" => "Demonstrations",
        "strategic" => "Strategic developments",
        _ => "Civil protection",
    }
}

/// The incidents as ACLED exports them: its 31 columns, in its order (civil-protection
/// events, which ACLED does not record, keep our names).
async fn export_acled(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let rows = super::export(&state, &auth.user.actor(), &auth.scope, &ListParams(q)).await?;
    let mut out = String::from(
        "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n",
    );
    for r in &rows {
        let (t, s) = model::acled_names(&r.event_type, &r.sub_event_type).unwrap_or(("", ""));
        let commune = r
            .locality_id
            .as_deref()
            .and_then(|l| state.gazetteer.locality(l))
            .map(|l| l.commune.clone())
            .unwrap_or_default();
        let precision = match r.geo_precision.as_str() {
            "exact" | "locality" => "1",
            "commune" => "2",
            _ => "3",
        };
        let (low, high) = (r.inter1.min(r.inter2), r.inter1.max(r.inter2));
        // ACLED's two digits, the lower first; an actor alone is "N0".
        let interaction = match (low, high) {
            (0, 0) => String::new(),
            (0, h) => format!("{h}0"),
            (l, h) => format!("{l}{h}"),
        };
        let timestamp = time::OffsetDateTime::parse(
            &r.occurred_at,
            &time::format_description::well_known::Rfc3339,
        )
        .map(|t| t.unix_timestamp())
        .unwrap_or(0);
        let cells = [
            // An imported event keeps its source's id; ours are the whole UUID.
            match r
                .external_ref
                .as_deref()
                .and_then(|x| x.strip_prefix("acled:"))
            {
                Some(acled) => acled.to_string(),
                None => format!("MLIPS{}", r.id.replace('-', "")),
            },
            r.occurred_at.get(..10).unwrap_or("").to_string(),
            r.occurred_at.get(..4).unwrap_or("").to_string(),
            "1".to_string(),
            disorder(&r.event_type).to_string(),
            t.to_string(),
            s.to_string(),
            r.actor1.clone(),
            String::new(),
            r.inter1.to_string(),
            r.actor2.clone(),
            String::new(),
            r.inter2.to_string(),
            interaction,
            if r.event_type == "violence_civilians" {
                "Civilian targeting".into()
            } else {
                String::new()
            },
            "466".to_string(),
            "Western Africa".to_string(),
            "Mali".to_string(),
            "Mopti".to_string(),
            r.cercle.clone(),
            commune,
            r.place.clone(),
            format!("{:.4}", r.lat),
            format!("{:.4}", r.lon),
            precision.to_string(),
            r.source.clone(),
            String::new(),
            r.notes.clone(),
            r.fatalities.to_string(),
            String::new(),
            timestamp.to_string(),
        ];
        out.push_str(&csv_line(&cells));
    }
    Ok(attachment(
        "text/csv; charset=utf-8",
        "incidents-acled.csv",
        out,
    ))
}

/// The incidents as GeoJSON points, for any GIS.
async fn export_geojson(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let rows = super::export(&state, &auth.user.actor(), &auth.scope, &ListParams(q)).await?;
    let features: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let (t, s) = model::acled_names(&r.event_type, &r.sub_event_type).unwrap_or(("", ""));
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "id": r.id, "occurred_at": r.occurred_at, "place": r.place, "cercle": r.cercle,
                    "geo_precision": r.geo_precision, "event_type": t, "sub_event_type": s,
                    "fatalities": r.fatalities, "injured": r.injured, "missing": r.missing,
                    "status": r.status, "unit": r.unit_name
                }
            })
        })
        .collect();
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
        .into_response())
}

fn patrol_status(c: &PageCtx, s: &str) -> String {
    c.t(&format!("patrol-status-{s}"))
}

async fn patrols_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let p = ListParams(q);
    let (rows, total) = super::patrols::list(&state, &auth.scope, &p).await?;
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
                    format!("{} – {}", p.starts_on, p.ends_on),
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
        map: None,
        title: c.t("patrol-new"),
        action: "/patrols/new".into(),
        cancel_href: "/patrols".into(),
        fields,
        error: None,
        c,
    })
}

async fn patrol_form(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    render(&patrol_view_form(&state, &auth, &Fields::default()).await?)
}

async fn patrol_create(
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
    match super::patrols::plan(&state, &auth.user.actor(), &unit, &f).await {
        Ok(id) => Ok(Redirect::to(&format!("/patrols/{id}")).into_response()),
        Err(e) => view.refuse(e),
    }
}

async fn patrol_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let p = super::patrols::get(&state, &auth.scope, &id).await?;
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
            format!("{} – {}", p.starts_on, p.ends_on),
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

async fn patrol_report_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    super::patrols::get(&state, &auth.scope, &id).await?;
    render(&patrol_report_view(&state, &auth, &id, &Fields::default()))
}

async fn patrol_report(
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
    match super::patrols::report(
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

/// The report's tables as a workbook, one sheet each, numbers as numbers.
async fn sitrep_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let report = sitrep_for(&state, &auth, &ListParams(q)).await?;
    let c = PageCtx::new(&state, &auth, "/sitrep");
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (i, t) in sitrep_tables(&c, &report).into_iter().enumerate() {
        let sheet = book.add_worksheet();
        // Sheet names are at most 31 characters, without some punctuation.
        let name: String = t
            .title
            .chars()
            .filter(|ch| !"[]:*?/\\".contains(*ch))
            .take(28)
            .collect();
        sheet.set_name(format!("{} {name}", i + 1)).map_err(xlsx)?;
        for (col, head) in t.columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet
                .write_string_with_format(0, col, head, &bold)
                .map_err(xlsx)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (col, cell) in row.cells.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                match cell.parse::<f64>() {
                    Ok(n) => sheet.write_number(r, col, n).map_err(xlsx)?,
                    Err(_) => sheet.write_string(r, col, cell).map_err(xlsx)?,
                };
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(xlsx)?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("sitrep-{}-{}.xlsx", report.from, report.to),
        bytes,
    ))
}
