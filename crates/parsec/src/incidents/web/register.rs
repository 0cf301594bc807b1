//! The register's pages: the list and form, an incident's page with its timeline, its
//! responses and, for the officers who dispatch, the available assets ranked by travel time;
//! its status, the dispatch and the response's steps.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{FormData, Params, capitals, duration, reporting_unit, type_labels, unit_field};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::incidents::{self, model};
use crate::web::auth::Auth;
use crate::web::page::{
    ColumnHead, DetailField, Fields, FilterField, FormField, FormView, Link, ListParams, ListView,
    OptionGroup, PageCtx, SelectOption, options, render, when_text,
};

/// What the posts report most, offered first (the same choices stay in their groups).
const COMMON_EVENTS: &[&str] = &[
    "civil_protection:road_accident",
    "violence_civilians:attack",
    "explosions:ied",
    "battles:armed_clash",
    "violence_civilians:abduction",
    "civil_protection:fire",
    "civil_protection:drowning",
    "civil_protection:medical_evacuation",
];

/// Every sub-type as one choice, `type:sub`: nothing chosen at first ("Choisir…"), the common
/// ones first, then every sub-type under its type.
fn event_field(c: &PageCtx, current: &str) -> FormField {
    // A common choice shows as chosen in the first group only.
    let current_is_common = COMMON_EVENTS.contains(&current);
    let option = |t: &str, s: &str, common: bool| {
        let (a, b) = type_labels(c.lang, t, s);
        let value = format!("{t}:{s}");
        SelectOption {
            selected: value == current && common == current_is_common,
            label: if common { format!("{b} ({a})") } else { b },
            value,
        }
    };
    let common = COMMON_EVENTS
        .iter()
        .filter_map(|code| code.split_once(':'))
        .filter(|(t, s)| model::labels(t, s).is_some())
        .map(|(t, s)| option(t, s, true))
        .collect();
    let mut groups = vec![OptionGroup {
        label: c.t("incident-common-types"),
        options: common,
    }];
    groups.extend(
        model::EVENT_TYPES
            .iter()
            .map(|(t, acled, fr, subs)| OptionGroup {
                label: match c.lang {
                    Lang::Fr => fr.to_string(),
                    Lang::En => acled.to_string(),
                },
                options: subs.iter().map(|(s, _, _)| option(t, s, false)).collect(),
            }),
    );
    let mut field = FormField::new("event", c.t("incident-type"), "select", String::new())
        .required()
        .options(options(Vec::new(), current, Some(c.t("choose"))));
    field.groups = groups;
    field
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
            // A new form says now (UTC is Mali's time); the operator corrects it if needed.
            match (f.get("occurred_at"), f.get("submission")) {
                ("", "") => crate::db::now_text()
                    .get(..16)
                    .unwrap_or_default()
                    .to_string(),
                (typed, _) => typed.to_string(),
            },
        )
        .required()
        .hint(c.t("incident-when-hint")),
        FormField::new(
            "place",
            c.t("incident-place"),
            "text",
            f.get("place").into(),
        )
        .hint(c.t("incident-place-hint"))
        .locality(&state.gazetteer),
        number("lat", "field-lat"),
        number("lon", "field-lon"),
        event_field(&c, f.get("event")),
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
    let map = incidents::map::draw(&capitals(state), &[], &[], &[], "", &c.t("map-pick-hint"));
    Ok(FormView {
        submit: None,
        map: Some(map),
        title: c.t("incident-new"),
        action: "/incidents/new".into(),
        cancel_href: "/incidents".into(),
        fields,
        error: None,
        c,
    })
}

pub(super) async fn new_form(
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

pub(super) async fn create(
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
    let input = match super::forms::incident_input(&state, &f) {
        Ok(i) => i,
        Err(e) => return view.refuse(e),
    };
    match incidents::create(&state, &auth.user.actor(), &unit, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/incidents/{id}?done=created")).into_response()),
        Err(e) => view.refuse(e),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let p = ListParams(q);
    let (rows, total) = incidents::list(&state, &auth.scope, &super::incident_filter(&p)).await?;
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
            .map(|r| super::watch::incident_row(&c, r))
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
    /// An asset under way can break down: the response ends and the workshop takes it.
    can_break_down: bool,
}

struct CandidateLine {
    rank: usize,
    asset_id: String,
    asset: String,
    unit: String,
    mode: String,
    travel: String,
    /// As the crow flies, from the unit to the incident.
    distance: String,
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
    unreachable: Vec<CandidateLine>,
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

async fn page(
    state: &AppState,
    auth: &Auth,
    id: &str,
    error: Option<&AppError>,
) -> AppResult<IncidentPage> {
    let i = incidents::get(state, &auth.scope, id).await?;
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
    let responses = incidents::responses(state, id)
        .await?
        .into_iter()
        .map(|r| {
            let open = r.done_at.is_none();
            ResponseLine {
                can_break_down: open && !r.registration.is_empty(),
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
        incidents::candidates(state, &auth.scope, &i).await?
    } else {
        Vec::new()
    };
    // The ways of the first three that can get there, drawn from their unit to the incident.
    let at = routing::Point::new(i.lat, i.lon);
    // Assets of one unit moving the same way share one line and one label ("2, 3").
    let mut ways: Vec<(&incidents::Candidate, Vec<String>)> = Vec::new();
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
    let found: Vec<_> = ways
        .into_iter()
        .filter_map(|(k, ranks)| {
            let r = state.routing.route(k.mode, k.from, at).ok()?;
            Some((k, ranks.join(", "), r))
        })
        .collect();
    let routes = incidents::map::route_lines(
        &found
            .iter()
            .map(|(k, label, r)| incidents::map::Way {
                path: &r.path,
                label: label.clone(),
                mode: k.mode,
                title: format!("{label} — {} — {}", k.unit_name, duration(r.minutes)),
            })
            .collect::<Vec<_>>(),
    );
    let mark = incidents::map::Mark {
        id: i.id.clone(),
        lat: i.lat,
        lon: i.lon,
        security: i.event_type != "civil_protection",
        age: 0.0,
        title: i.place.clone(),
    };
    let svg = incidents::map::draw(
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
            asset: if k.kind == incidents::ON_FOOT {
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
            distance: format!(
                "{:.0} km",
                routing::distance_km(
                    k.from,
                    routing::Point {
                        lat: i.lat,
                        lon: i.lon
                    }
                )
            ),
            reachable: k.minutes.is_ok(),
            suited: k.suited,
        })
        .collect();
    // Those that cannot get there are not ranked among those that can: folded apart.
    let (mut candidates, unreachable): (Vec<_>, Vec<_>) =
        candidates.drain(..).partition(|k| k.reachable);
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
        unreachable,
        events: incidents::events(state, id)
            .await?
            .into_iter()
            .map(|(at, by, kind, detail)| {
                let what = match kind.as_str() {
                    "dispatch" => c.t("incident-event-dispatch"),
                    "import" => c.t("incident-event-import"),
                    "engaged" => c.t("incident-engaged"),
                    "on_site" => c.t("incident-on-site"),
                    "done" => c.t("incident-done"),
                    "breakdown" => c.t("incident-event-breakdown"),
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

pub(super) async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewIncidents)?;
    let mut view = page(&state, &auth, &id, None).await?;
    // What was just done, said once.
    let done = match q.get("done").map(String::as_str) {
        Some("created") => Some("incident-done-created"),
        Some("sent") => Some("incident-done-sent"),
        Some("status") => Some("incident-done-status"),
        Some("step") => Some("incident-done-step"),
        Some("breakdown") => Some("incident-done-breakdown"),
        _ => None,
    };
    view.c = view.c.with_flash(done);
    render(&view)
}

pub(super) async fn status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::ReportIncidents)?;
    let f = Fields::from_pairs(pairs);
    incidents::set_status(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &id,
        f.get("status"),
        f.get("note"),
    )
    .await?;
    Ok(Redirect::to(&format!("/incidents/{id}?done=status")).into_response())
}

pub(super) async fn dispatch(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::Dispatch)?;
    let f = Fields::from_pairs(pairs);
    let sent = match incidents::Responder::parse(f.get("asset")) {
        Some(responder) => {
            incidents::dispatch(
                &state,
                &auth.user.actor(),
                &auth.scope,
                &id,
                &responder,
                f.get("reason"),
            )
            .await
        }
        None => Err(AppError::invalid("asset", "error-asset-not-sendable")),
    };
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}?done=sent")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let view = page(&state, &auth, &id, Some(&e)).await?;
            Ok((e.status(), Html(view.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// An asset of a response broke down on the way (see `incidents::response_breakdown`).
pub(super) async fn breakdown(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::Dispatch)?;
    let f = Fields::from_pairs(pairs);
    let (incident, _) = incidents::response_breakdown(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &id,
        f.get("defect"),
    )
    .await?;
    Ok(Redirect::to(&format!("/incidents/{incident}?done=breakdown")).into_response())
}

pub(super) async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, step)): Path<(String, String)>,
) -> AppResult<Response> {
    auth.require(Permission::Dispatch)?;
    let incident =
        incidents::response_step(&state, &auth.user.actor(), &auth.scope, &id, &step).await?;
    Ok(Redirect::to(&format!("/incidents/{incident}?done=step")).into_response())
}
