//! The custody register's pages: the custodies running with their deadlines, a custody's page
//! with its entries, the forms (a new custody — from a crossing when the person was held there —,
//! an entry, a correction), the printable register (PDF) and the administrator's legal limits.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::deadline::{Deadline, State as DeadlineState};
use super::{Custody, Entry, NewCustody, NewEntry, Rule};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Problems};
use crate::ids::UnitId;
use crate::web::auth::Auth;
use crate::web::download::inline;
use crate::web::page::{
    DetailField, DetailTable, DetailView, Fields, FormField, FormView, ListRow, PageCtx, day_text,
    options, render, when_text,
};

type Params = Query<HashMap<String, String>>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/custody", get(list))
        .route("/custody/new", get(new_form).post(create))
        .route("/custody/register.pdf", get(register_pdf))
        .route("/custody/{id}", get(view))
        .route(
            "/custody/{id}/entries/new",
            get(entry_form).post(entry_save),
        )
        .route("/admin/custody-rules", get(rules_list))
        .route("/admin/custody-rules/{id}", get(rule_form).post(rule_save))
}

/// The deadline in words: its time, and the time left or past.
pub fn deadline_text(c: &PageCtx, d: &Deadline) -> String {
    let at = when_text(&crate::db::timestamp(d.at));
    let span = |minutes: i64| format!("{} h {:02}", minutes / 60, minutes % 60);
    match d.state {
        DeadlineState::Overdue => c.tf(
            "custody-overdue-by",
            &[("at", &at), ("span", &span(-d.minutes_left))],
        ),
        DeadlineState::Ended { late: true } => c.tf("custody-ended-late", &[("at", &at)]),
        DeadlineState::Ended { late: false } => c.tf("custody-ended-in-time", &[("at", &at)]),
        _ => c.tf(
            "custody-time-left",
            &[("at", &at), ("span", &span(d.minutes_left))],
        ),
    }
}

/// The row's mark: red past the deadline, amber within an alert.
pub fn deadline_class(d: &Deadline) -> &'static str {
    match d.state {
        DeadlineState::Overdue | DeadlineState::Ended { late: true } => "late",
        DeadlineState::Alert(_) => "soon",
        _ => "",
    }
}

fn person(c: &Custody) -> String {
    format!("{} {}", c.surname.to_uppercase(), c.given_names)
        .trim()
        .to_string()
}

#[derive(askama::Template)]
#[template(path = "custody.html")]
struct ListPage {
    c: PageCtx,
    can_record: bool,
    rows: Vec<(String, String, String, String, String, String, &'static str)>,
    units: Vec<(String, String)>,
    today: String,
    month_ago: String,
}

async fn list(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ViewCustody)?;
    let c = PageCtx::new(&state, &auth, "/custody")
        .with_flash(q.contains_key("saved").then_some("flash-saved"));
    let rows = super::current(&state, &auth.scope)
        .await?
        .into_iter()
        .map(|(k, d)| {
            (
                k.id.clone(),
                person(&k),
                k.unit_name.clone(),
                k.offence.clone(),
                when_text(&k.started_at),
                deadline_text(&c, &d),
                deadline_class(&d),
            )
        })
        .collect();
    let units = crate::registry::unit_choices(&state.db, &auth.scope).await?;
    let today = crate::db::now().date();
    render(&ListPage {
        can_record: auth.user.can(Permission::RecordCustody),
        rows,
        units,
        today: day_text(&today.to_string()),
        month_ago: day_text(&(today - time::Duration::days(30)).to_string()),
        c,
    })
}

fn regime_options(c: &PageCtx, current: &str) -> Vec<crate::web::page::SelectOption> {
    let choices = super::REGIMES
        .iter()
        .map(|r| (r.to_string(), c.t(&format!("custody-regime-{r}"))))
        .collect();
    options(
        choices,
        if current.is_empty() {
            "ordinaire"
        } else {
            current
        },
        None,
    )
}

async fn custody_form(
    state: &AppState,
    auth: &Auth,
    f: &Fields,
    title: &str,
) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/custody");
    let units = crate::registry::unit_choices(&state.db, &auth.scope).await?;
    let now = state.clock.now();
    let started = match f.get("started_at") {
        "" => when_text(&crate::db::timestamp(now)),
        s => s.to_string(),
    };
    let text = |name: &'static str, key: &str| {
        FormField::new(name, c.t(key), "text", f.get(name).to_string())
    };
    let mut fields = vec![
        FormField::new("unit", c.t("field-unit"), "select", String::new())
            .required()
            .options(options(units, f.get("unit"), Some(c.t("choose")))),
        FormField::new("regime", c.t("custody-regime"), "select", String::new())
            .required()
            .options(regime_options(&c, f.get("regime"))),
        text("opj", "custody-opj")
            .required()
            .hint(c.t("custody-opj-hint")),
        text("surname", "crossing-surname").required(),
        text("given_names", "crossing-given-names"),
        text("birth_date", "crossing-birth").hint(c.t("custody-birth-hint")),
        text("nationality", "crossing-nationality"),
        text("document_number", "crossing-document-number"),
        FormField::new(
            "offence",
            c.t("custody-offence"),
            "textarea",
            f.get("offence").into(),
        )
        .required(),
        text("place", "custody-place")
            .required()
            .hint(c.t("custody-place-hint")),
        FormField::new("started_at", c.t("custody-started"), "text", started)
            .required()
            .hint(c.tf(
                "custody-time-hint",
                &[("hours", &super::LATE_HOURS.to_string())],
            )),
        FormField::new(
            "crossing",
            String::new(),
            "hidden",
            f.get("crossing").into(),
        ),
    ];
    if !f.get("corrects").is_empty() {
        fields.push(FormField::new(
            "corrects",
            String::new(),
            "hidden",
            f.get("corrects").into(),
        ));
        fields.push(
            FormField::new(
                "correction_reason",
                c.t("custody-correction-reason"),
                "text",
                f.get("correction_reason").into(),
            )
            .required(),
        );
    }
    Ok(FormView {
        title: title.to_string(),
        action: "/custody/new".into(),
        cancel_href: "/custody".into(),
        fields,
        error: None,
        map: None,
        submit: None,
        c,
    })
}

/// The form, empty; from a crossing (`?crossing=`), with the person as read from their
/// document; or to correct a record (`?corrects=`), with what it says.
async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::RecordCustody)?;
    let mut f = Fields::default();
    let actor = auth.user.actor();
    if let Some(id) = q.get("crossing") {
        let x = crate::border::crossing::get(&state, &actor, &auth.scope, id).await?;
        for (k, v) in [
            ("crossing", x.id.clone()),
            ("unit", x.unit_id.clone()),
            ("surname", x.surname.clone()),
            ("given_names", x.given_names.clone()),
            (
                "birth_date",
                x.birth_date.as_deref().map(day_text).unwrap_or_default(),
            ),
            ("nationality", x.nationality.clone().unwrap_or_default()),
            ("document_number", x.document_number.clone()),
        ] {
            f.0.insert(k.to_string(), v);
        }
    }
    if let Some(id) = q.get("corrects") {
        let (k, _, _) = super::get(&state, &actor, &auth.scope, id).await?;
        for (key, v) in [
            ("corrects", k.id.clone()),
            ("unit", k.unit_id.clone()),
            ("regime", k.regime.clone()),
            ("opj", k.opj.clone()),
            ("surname", k.surname.clone()),
            ("given_names", k.given_names.clone()),
            (
                "birth_date",
                k.birth_date.as_deref().map(day_text).unwrap_or_default(),
            ),
            ("nationality", k.nationality.clone().unwrap_or_default()),
            ("document_number", k.document_number.clone()),
            ("offence", k.offence.clone()),
            ("place", k.place.clone()),
            ("started_at", when_text(&k.started_at)),
        ] {
            f.0.insert(key.to_string(), v);
        }
    }
    let title = PageCtx::new(&state, &auth, "/custody").t(if f.get("corrects").is_empty() {
        "custody-new"
    } else {
        "custody-correct"
    });
    render(&custody_form(&state, &auth, &f, &title).await?)
}

fn new_custody(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<NewCustody> {
    let mut p = Problems::default();
    let unit = match UnitId::parse(f.get("unit")) {
        Some(u) => u,
        None => {
            p.add("unit", "error-required");
            UnitId::parse("-").ok_or(AppError::NotFound)?
        }
    };
    let regime = p.or(
        f.choice("regime", |r| {
            super::REGIMES.iter().copied().find(|x| *x == r)
        }),
        "ordinaire",
    )?;
    let started_at = crate::web::page::typed_time(f.get("started_at")).unwrap_or_else(|| {
        p.add("started_at", "error-bad-time");
        time::OffsetDateTime::UNIX_EPOCH
    });
    let opt = |name: &str| {
        let v = f.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    let birth_date = opt("birth_date").map(|b| crate::db::iso_day(&b));
    let corrects = opt("corrects").map(|old| (old, f.get("correction_reason").to_string()));
    let c = NewCustody {
        unit,
        regime,
        opj: f.get("opj").to_string(),
        surname: f.get("surname").to_string(),
        given_names: f.get("given_names").to_string(),
        birth_date,
        nationality: opt("nationality").map(|n| n.to_uppercase()),
        document_number: f.get("document_number").trim().to_string(),
        offence: f.get("offence").to_string(),
        place: f.get("place").to_string(),
        started_at,
        crossing: opt("crossing"),
        corrects,
    };
    super::check(&c, &auth.scope, state.clock.now(), &mut p);
    p.finish(c)
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::RecordCustody)?;
    let f = Fields::from_pairs(pairs);
    let saved = match new_custody(&state, &auth, &f) {
        Ok(c) => super::open(&state, &auth.user.actor(), &auth.scope, &c).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/custody/{id}?saved=1")).into_response()),
        Err(e) => {
            let title = PageCtx::new(&state, &auth, "/custody").t("custody-new");
            custody_form(&state, &auth, &f, &title).await?.refuse(e)
        }
    }
}

fn kind_label(c: &PageCtx, kind: &str) -> String {
    c.t(&format!("custody-entry-{kind}"))
}

async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewCustody)?;
    let (k, d, entries) = super::get(&state, &auth.user.actor(), &auth.scope, &id).await?;
    let rule = super::rules(&state)
        .await?
        .into_iter()
        .find(|r| r.id == k.regime);
    let c = PageCtx::new(&state, &auth, "/custody")
        .with_flash(q.contains_key("saved").then_some("flash-saved"));
    let f = |label: &str, value: String| DetailField {
        label: c.t(label),
        value,
        href: None,
    };
    let mut fields = vec![
        f("custody-deadline", deadline_text(&c, &d)),
        f(
            "custody-legal-reference",
            rule.map(|r| r.legal_reference).unwrap_or_default(),
        ),
        f("custody-person", person(&k)),
        f(
            "crossing-birth",
            k.birth_date.as_deref().map(day_text).unwrap_or_default(),
        ),
        f(
            "crossing-nationality",
            k.nationality.clone().unwrap_or_default(),
        ),
        f("crossing-document-number", k.document_number.clone()),
        f("custody-offence", k.offence.clone()),
        f("custody-place", k.place.clone()),
        f("field-unit", k.unit_name.clone()),
        f(
            "custody-regime",
            c.t(&format!("custody-regime-{}", k.regime)),
        ),
        f("custody-opj", k.opj.clone()),
        f("custody-started", when_text(&k.started_at)),
        f(
            "custody-recorded",
            format!("{} · {}", when_text(&k.recorded_at), k.recorded_by),
        ),
    ];
    if let Some(x) = &k.crossing_id {
        fields.push(DetailField {
            label: c.t("custody-from-crossing"),
            value: c.t("custody-see-crossing"),
            href: Some(format!("/border/crossings/{x}")),
        });
    }
    if let Some(old) = &k.corrects {
        fields.push(DetailField {
            label: c.t("custody-corrects"),
            value: k.correction_reason.clone(),
            href: Some(format!("/custody/{old}")),
        });
    }
    if let Some(new) = &k.corrected_by {
        fields.push(DetailField {
            label: c.t("custody-corrected-by"),
            value: c.t("custody-see-correction"),
            href: Some(format!("/custody/{new}")),
        });
    }
    let can_record = auth.user.can(Permission::RecordCustody) && k.corrected_by.is_none();
    if can_record {
        fields.push(DetailField {
            label: c.t("work-order-actions"),
            value: c.t("custody-entry-new"),
            href: Some(format!("/custody/{id}/entries/new")),
        });
        fields.push(DetailField {
            label: c.t("work-order-actions"),
            value: c.t("custody-correct"),
            href: Some(format!("/custody/new?corrects={id}")),
        });
    }
    let rows = entries
        .iter()
        .map(|e| ListRow {
            href: if can_record && e.corrected_by.is_none() {
                format!("/custody/{id}/entries/new?corrects={}", e.id)
            } else {
                String::new()
            },
            cells: vec![
                when_text(&e.at),
                entry_words(&c, e),
                e.by_whom.clone(),
                e.reference.clone(),
                e.note.clone(),
                format!("{} · {}", when_text(&e.recorded_at), e.recorded_by),
            ],
        })
        .collect();
    render(&DetailView {
        title: format!("{} — {}", c.t("custody"), person(&k)),
        back_href: "/custody".into(),
        edit_href: None,
        fields,
        tables: vec![DetailTable {
            title: c.t("custody-entries"),
            columns: [
                "field-when",
                "custody-entry",
                "custody-by-whom",
                "custody-reference",
                "field-notes",
                "custody-recorded",
            ]
            .iter()
            .map(|key| c.t(key))
            .collect(),
            rows,
        }],
        c,
    })
}

/// An entry in words: its kind (with the end's outcome), and whether it corrects or was
/// corrected.
fn entry_words(c: &PageCtx, e: &Entry) -> String {
    let mut words = kind_label(c, &e.kind);
    if let Some(o) = &e.outcome {
        words = format!("{words} : {}", c.t(&format!("custody-outcome-{o}")));
    }
    if e.corrects.is_some() {
        words = format!("{words} ({})", c.t("custody-entry-correction"));
    }
    if e.corrected_by.is_some() {
        words = format!("{words} ({})", c.t("custody-entry-corrected"));
    }
    words
}

fn entry_view(state: &AppState, auth: &Auth, id: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/custody");
    let kinds = super::KINDS
        .iter()
        .map(|k| (k.to_string(), kind_label(&c, k)))
        .collect();
    let outcomes = super::OUTCOMES
        .iter()
        .map(|o| (o.to_string(), c.t(&format!("custody-outcome-{o}"))))
        .collect();
    let at = match f.get("at") {
        "" => when_text(&crate::db::timestamp(state.clock.now())),
        s => s.to_string(),
    };
    let correcting = !f.get("corrects").is_empty();
    let mut fields = vec![
        FormField::new("kind", c.t("custody-entry"), "select", String::new())
            .required()
            .options(options(kinds, f.get("kind"), Some(c.t("choose")))),
        FormField::new("at", c.t("field-when"), "text", at)
            .required()
            .hint(c.tf(
                "custody-time-hint",
                &[("hours", &super::LATE_HOURS.to_string())],
            )),
        FormField::new(
            "by_whom",
            c.t("custody-by-whom"),
            "text",
            f.get("by_whom").into(),
        )
        .hint(c.t("custody-by-whom-hint")),
        FormField::new(
            "reference",
            c.t("custody-reference"),
            "text",
            f.get("reference").into(),
        )
        .hint(c.t("custody-reference-hint")),
        FormField::new("outcome", c.t("custody-outcome"), "select", String::new())
            .options(options(outcomes, f.get("outcome"), Some(c.t("choose")))),
        FormField::new("note", c.t("field-notes"), "text", f.get("note").into())
            .required_if(correcting)
            .hint(if correcting {
                c.t("custody-correction-why")
            } else {
                String::new()
            }),
        FormField::new(
            "corrects",
            String::new(),
            "hidden",
            f.get("corrects").into(),
        ),
    ];
    fields.retain(|x| x.kind != "hidden" || correcting);
    FormView {
        title: c.t(if correcting {
            "custody-entry-correct"
        } else {
            "custody-entry-new"
        }),
        action: format!("/custody/{id}/entries/new"),
        cancel_href: format!("/custody/{id}"),
        fields,
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn entry_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::RecordCustody)?;
    let mut f = Fields::default();
    if let Some(old) = q.get("corrects") {
        f.0.insert("corrects".into(), old.clone());
    }
    render(&entry_view(&state, &auth, &id, &f))
}

fn new_entry(f: &Fields) -> AppResult<NewEntry> {
    let mut p = Problems::default();
    let kind = p.or(
        f.choice("kind", |k| super::KINDS.iter().copied().find(|x| *x == k)),
        "repas",
    )?;
    let at = crate::web::page::typed_time(f.get("at")).unwrap_or_else(|| {
        p.add("at", "error-bad-time");
        time::OffsetDateTime::UNIX_EPOCH
    });
    let outcome = match f.get("outcome") {
        "" => None,
        o => {
            let found = super::OUTCOMES.iter().copied().find(|x| *x == o);
            if found.is_none() {
                p.add("outcome", "error-bad-choice");
            }
            found
        }
    };
    let opt = f.get("corrects").trim();
    let e = NewEntry {
        kind,
        at,
        by_whom: f.get("by_whom").to_string(),
        reference: f.get("reference").to_string(),
        outcome,
        note: f.get("note").to_string(),
        corrects: (!opt.is_empty()).then(|| opt.to_string()),
    };
    p.finish(e)
}

async fn entry_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::RecordCustody)?;
    let f = Fields::from_pairs(pairs);
    let saved = match new_entry(&f) {
        Ok(e) => super::add_entry(&state, &auth.user.actor(), &auth.scope, &id, &e).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/custody/{id}?saved=1")).into_response()),
        Err(e) => entry_view(&state, &auth, &id, &f).refuse(e),
    }
}

/// The register of a unit for a period, as a paper register would be: a PDF.
async fn register_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewCustody)?;
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    let today = crate::db::now().date();
    let to = crate::db::day(get("to")).unwrap_or(today);
    let from = crate::db::day(get("from"))
        .filter(|f| *f <= to)
        .unwrap_or(to - time::Duration::days(30));
    let unit = Some(get("unit")).filter(|u| !u.is_empty());
    let rows = super::register(&state, &auth.user.actor(), &auth.scope, unit, from, to).await?;
    let c = PageCtx::new(&state, &auth, "/custody");
    let mut blocks = Vec::new();
    for (k, d, entries) in &rows {
        blocks.push(crate::pdf::Block::Heading(format!(
            "{} — {} — {}",
            person(k),
            k.unit_name,
            when_text(&k.started_at)
        )));
        for line in [
            format!("{} : {}", c.t("custody-offence"), k.offence),
            format!(
                "{} : {} · {} : {}",
                c.t("custody-opj"),
                k.opj,
                c.t("custody-place"),
                k.place
            ),
            format!(
                "{} : {} · {} : {}",
                c.t("crossing-birth"),
                k.birth_date.as_deref().map(day_text).unwrap_or_default(),
                c.t("crossing-document-number"),
                k.document_number
            ),
            format!("{} : {}", c.t("custody-deadline"), deadline_text(&c, d)),
        ] {
            blocks.push(crate::pdf::Block::Line(line));
        }
        blocks.push(crate::pdf::Block::Table {
            widths: vec![90.0, 150.0, 110.0, 80.0, 110.0],
            head: [
                "field-when",
                "custody-entry",
                "custody-by-whom",
                "custody-reference",
                "field-notes",
            ]
            .iter()
            .map(|key| c.t(key))
            .collect(),
            rows: entries
                .iter()
                .map(|e| {
                    vec![
                        when_text(&e.at),
                        entry_words(&c, e),
                        e.by_whom.clone(),
                        e.reference.clone(),
                        e.note.clone(),
                    ]
                })
                .collect(),
        });
    }
    if rows.is_empty() {
        blocks.push(crate::pdf::Block::Line(c.t("list-empty")));
    }
    let page_label = |page: usize, pages: usize| {
        c.tf(
            "report-page",
            &[("page", &page.to_string()), ("pages", &pages.to_string())],
        )
    };
    let bytes = crate::pdf::report(&crate::pdf::Report {
        title: &c.t("custody-register"),
        subtitle: &c.tf(
            "custody-register-period",
            &[
                ("from", &day_text(&from.to_string())),
                ("to", &day_text(&to.to_string())),
            ],
        ),
        marking: &c.t("report-marking"),
        page_label: &page_label,
        blocks: &blocks,
    })
    .map_err(|e| AppError::Internal(format!("pdf: {e}")))?;
    Ok(inline(
        "application/pdf",
        &format!("registre-garde-a-vue-{from}-{to}.pdf"),
        bytes,
    ))
}

async fn rules_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::SetCustodyRules)?;
    let c = PageCtx::new(&state, &auth, "/admin/custody-rules")
        .with_flash(q.contains_key("saved").then_some("flash-saved"));
    let rows = super::rules(&state)
        .await?
        .into_iter()
        .map(|r| ListRow {
            href: format!("/admin/custody-rules/{}", r.id),
            cells: vec![
                c.t(&format!("custody-regime-{}", r.id)),
                r.base_hours.to_string(),
                r.extension_hours.to_string(),
                r.max_extensions.to_string(),
                r.alert_hours.clone(),
                r.legal_reference.clone(),
                format!("{} · {}", when_text(&r.updated_at), r.updated_by),
            ],
        })
        .collect();
    render(&DetailView {
        title: c.t("custody-rules"),
        back_href: "/".into(),
        edit_href: None,
        fields: vec![],
        tables: vec![DetailTable {
            title: c.t("custody-rules-note"),
            columns: [
                "custody-regime",
                "custody-base-hours",
                "custody-extension-hours",
                "custody-max-extensions",
                "custody-alert-hours",
                "custody-legal-reference",
                "field-updated",
            ]
            .iter()
            .map(|k| c.t(k))
            .collect(),
            rows,
        }],
        c,
    })
}

fn rule_view(state: &AppState, auth: &Auth, id: &str, f: &Fields) -> FormView {
    let c = PageCtx::new(state, auth, "/admin/custody-rules");
    let number = |name: &'static str, key: &str| {
        FormField::new(name, c.t(key), "number", f.get(name).into()).required()
    };
    FormView {
        title: format!(
            "{} — {}",
            c.t("custody-rules"),
            c.t(&format!("custody-regime-{id}"))
        ),
        action: format!("/admin/custody-rules/{id}"),
        cancel_href: "/admin/custody-rules".into(),
        fields: vec![
            number("base_hours", "custody-base-hours"),
            number("extension_hours", "custody-extension-hours"),
            number("max_extensions", "custody-max-extensions"),
            FormField::new(
                "alert_hours",
                c.t("custody-alert-hours"),
                "text",
                f.get("alert_hours").into(),
            )
            .required()
            .hint(c.t("custody-alert-hours-hint")),
            FormField::new(
                "legal_reference",
                c.t("custody-legal-reference"),
                "textarea",
                f.get("legal_reference").into(),
            )
            .required(),
        ],
        error: None,
        map: None,
        submit: None,
        c,
    }
}

async fn rule_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::SetCustodyRules)?;
    let r = super::rules(&state)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let mut f = Fields::default();
    for (k, v) in [
        ("base_hours", r.base_hours.to_string()),
        ("extension_hours", r.extension_hours.to_string()),
        ("max_extensions", r.max_extensions.to_string()),
        ("alert_hours", r.alert_hours.clone()),
        ("legal_reference", r.legal_reference.clone()),
    ] {
        f.0.insert(k.into(), v);
    }
    render(&rule_view(&state, &auth, &id, &f))
}

async fn rule_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.require(Permission::SetCustodyRules)?;
    if !super::REGIMES.contains(&id.as_str()) {
        return Err(AppError::NotFound);
    }
    let f = Fields::from_pairs(pairs);
    let mut p = Problems::default();
    let rule = Rule {
        id: id.clone(),
        base_hours: p
            .or(f.optional_i64("base_hours", 1, 720), None)?
            .unwrap_or(0),
        extension_hours: p
            .or(f.optional_i64("extension_hours", 0, 720), None)?
            .unwrap_or(-1),
        max_extensions: p
            .or(f.optional_i64("max_extensions", 0, 10), None)?
            .unwrap_or(-1),
        alert_hours: f.get("alert_hours").to_string(),
        legal_reference: f.get("legal_reference").to_string(),
        updated_by: String::new(),
        updated_at: String::new(),
    };
    super::check_rule(&rule, &mut p);
    let saved = match p.finish(()) {
        Ok(()) => super::set_rule(&state, &auth.user.actor(), &rule).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/admin/custody-rules?saved=1").into_response()),
        Err(e) => rule_view(&state, &auth, &id, &f).refuse(e),
    }
}

/// The home pages' section: the custodies running, the nearest deadline first, those past it
/// in red and those within an alert marked.
pub async fn running_section(
    state: &AppState,
    auth: &Auth,
    c: &PageCtx,
) -> AppResult<crate::web::page::Section> {
    let all = super::current(state, &auth.scope).await?;
    let shown: Vec<&(Custody, Deadline)> = all
        .iter()
        .take(crate::web::page::SECTION_ROWS as usize)
        .collect();
    Ok(crate::web::page::Section {
        id: "custodies",
        title: c.t("custody-current"),
        columns: vec![
            c.t("custody-person"),
            c.t("field-unit"),
            c.t("custody-deadline"),
        ],
        rows: shown
            .iter()
            .map(|(k, d)| ListRow {
                href: format!("/custody/{}", k.id),
                cells: vec![person(k), k.unit_name.clone(), deadline_text(c, d)],
            })
            .collect(),
        marks: shown.iter().map(|(_, d)| deadline_class(d)).collect(),
        total: all.len() as i64,
        more: Some(crate::web::page::Link::new(
            "/custody",
            c.t("custody-current"),
        )),
        empty: c.t("custody-none"),
    })
}
