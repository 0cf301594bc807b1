//! Border pages: the post agent's crossing form (scanner first, keyboard only, saved with
//! Enter), the answer with the screening and the warnings, the crossing's page, the lists and
//! their CSV export for the commandants, the operations centre and the inspectors.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::json;
use std::collections::HashMap;

use super::crossing::{self, CrossingRow};
use super::model::{Coded, Direction, Mode, Screening};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::registry::web::code_options;
use crate::web::auth::Auth;
use crate::web::download::{attachment, csv_line};
use crate::web::page::{
    ColumnHead, DetailField, DetailTable, Fields, FilterField, FormField, FormView, Link,
    ListParams, ListRow, ListView, PageCtx, SECTION_ROWS, Section, day_text, render, when_text,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/border/crossings/new", get(new_form).post(save))
        .route("/border/crossings", get(list))
        .route("/border/crossings/export.csv", get(export))
        .route("/border/crossings/find", get(find))
        .route("/border/crossings/{id}", get(view))
        .route("/border/crossings/{id}/receipt", get(receipt))
        .route(
            "/border/crossings/{id}/instruction-read",
            post(instruction_read),
        )
        .route("/api/v1/border/mrz", post(read_mrz))
        .route("/border/flows", get(flows_page))
        .route("/border/vehicles/new", get(vehicle_form).post(vehicle_save))
        .route("/border/vehicles/{id}", get(vehicle_view))
        .route("/border/goods/new", get(goods_form).post(goods_save))
        .route("/border/crossings/{id}/share", post(share))
        .route("/border/vehicles/{id}/share", post(share_vehicle))
        .route("/border/partner-alerts", get(partner_alerts))
        .route("/api/v1/border/flows", get(flows_api))
}

type FormData = Form<Vec<(String, String)>>;
type Params = Query<HashMap<String, String>>;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

#[derive(Template)]
#[template(path = "crossing_form.html")]
struct CrossingForm {
    c: PageCtx,
    title: String,
    post_name: String,
    submission: String,
    mrz: String,
    mrz_error: Option<String>,
    verdict: String,
    fields: Vec<FormField>,
    error: Option<String>,
    /// The mistaken crossing this form corrects (empty for a new crossing).
    corrects: String,
}

/// The reading of a zone in one line: its format, its verdict, what was tolerated.
fn verdict(c: &PageCtx, doc: &mrz::Document) -> String {
    let mut out = format!(
        "{} · {}",
        doc.format().name(),
        c.t(if doc.valid {
            "crossing-mrz-valid"
        } else {
            "crossing-mrz-tolerated"
        })
    );
    for w in doc.warnings.iter().chain(&doc.errors) {
        out.push_str(" · ");
        out.push_str(&c.t(&format!("mrz-code-{}", w.code)));
    }
    if !doc.repaired.is_empty() {
        out.push_str(" · ");
        out.push_str(&c.t("crossing-mrz-repaired"));
    }
    out
}

async fn post_name(state: &AppState, unit_id: &str) -> AppResult<String> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT name FROM units WHERE id = ?")
            .bind(unit_id)
            .fetch_optional(&state.db)
            .await?
            .unwrap_or_default(),
    )
}

fn post_of(auth: &Auth) -> AppResult<String> {
    auth.require(Permission::RecordCrossings)?;
    auth.user.unit_id.clone().ok_or(AppError::Forbidden)
}

async fn form_view(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<CrossingForm> {
    let c = PageCtx::new(state, auth, "/border/crossings/new");
    let unit = auth.user.unit_id.clone().unwrap_or_default();
    let text = |name: &'static str, label: &str, hint: Option<&str>| {
        let field = FormField::new(name, c.t(label), "text", f.get(name).into());
        match hint {
            Some(h) => field.hint(c.t(h)),
            None => field,
        }
    };
    let fields = vec![
        FormField::new(
            "direction",
            c.t("crossing-direction"),
            "select",
            String::new(),
        )
        .required()
        .options(code_options::<Direction>(&c, f.get("direction"), None)),
        FormField::new("mode", c.t("crossing-mode"), "select", String::new())
            .required()
            .options(code_options::<Mode>(&c, f.get("mode"), None)),
        text("surname", "crossing-surname", Some("crossing-from-mrz")),
        text("given_names", "crossing-given-names", None),
        text("birth_date", "crossing-birth", Some("crossing-birth-hint")),
        FormField::new(
            "birth_approximate",
            c.t("crossing-birth-approximate"),
            "checkbox",
            f.get("birth_approximate").into(),
        ),
        text("sex", "crossing-sex", Some("crossing-sex-hint")),
        text(
            "nationality",
            "crossing-nationality",
            Some("crossing-nationality-hint"),
        ),
        text("document_number", "crossing-document-number", None),
        text("document_country", "crossing-document-country", None),
        text(
            "document_code",
            "crossing-document-code",
            Some("crossing-document-code-hint"),
        ),
        text(
            "document_expiry",
            "crossing-document-expiry",
            Some("crossing-date-hint"),
        ),
        text("purpose", "crossing-purpose", None),
        text("origin", "crossing-origin", Some("crossing-place-hint")).locality(&state.gazetteer),
        text(
            "destination",
            "crossing-destination",
            Some("crossing-place-hint"),
        )
        .locality(&state.gazetteer),
    ];
    let corrects = f.get("corrects").to_string();
    let mut fields = fields;
    if !corrects.is_empty() {
        fields.insert(
            0,
            FormField::new(
                "correction_reason",
                c.t("crossing-correction-reason"),
                "text",
                f.get("correction_reason").into(),
            )
            .required()
            .hint(c.t("crossing-correction-hint")),
        );
    }
    let submission = match f.get("submission") {
        "" => crate::db::new_id(),
        s => s.to_string(),
    };
    Ok(CrossingForm {
        title: c.t(if corrects.is_empty() {
            "crossing-new"
        } else {
            "crossing-correct"
        }),
        corrects,
        post_name: post_name(state, &unit).await?,
        submission,
        mrz: crate::web::page::echo(f.get("mrz").to_string()),
        mrz_error: None,
        verdict: String::new(),
        fields,
        error: None,
        c,
    })
}

impl CrossingForm {
    /// Puts an error next to its field, everything typed kept.
    fn refuse(mut self, e: AppError) -> AppResult<Response> {
        if !e.is_user() {
            return Err(e);
        }
        for (name, key) in e.problems() {
            let message = self.c.t(key);
            match self.fields.iter_mut().find(|f| f.name == name) {
                _ if name == "mrz" => self.mrz_error = Some(message),
                Some(f) => f.error = Some(message),
                None => self.error = Some(message),
            }
        }
        Ok((e.status(), Html(self.render()?)).into_response())
    }
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    post_of(&auth)?;
    if let Some((id, _)) = crossing::unacknowledged_alert(&state.db, &auth.user.actor()).await? {
        return Ok(
            Redirect::to(&format!("/border/crossings/{id}?saved=1&pending=1")).into_response(),
        );
    }
    let mut f = Fields::default();
    f.0.insert("direction".into(), "entree".into());
    f.0.insert("mode".into(), "pied".into());
    // A correction starts from the mistaken crossing as it was typed (read, so audited).
    if let Some(of) = q.get("corrects") {
        let o = crossing::get(&state, &auth.user.actor(), &auth.scope, of).await?;
        for (k, v) in [
            ("corrects", o.id),
            ("direction", o.direction),
            ("mode", o.mode),
            ("surname", o.surname),
            ("given_names", o.given_names),
            ("sex", o.sex),
            ("birth_date", o.birth_date.unwrap_or_default()),
            ("nationality", o.nationality.unwrap_or_default()),
            ("document_code", o.document_code),
            ("document_number", o.document_number),
            ("document_country", o.document_country),
            ("document_expiry", o.document_expiry.unwrap_or_default()),
            ("purpose", o.purpose),
            ("origin", o.origin),
            ("destination", o.destination),
        ] {
            f.0.insert(k.into(), v);
        }
        if o.birth_approximate {
            f.0.insert("birth_approximate".into(), "on".into());
        }
    }
    let view = form_view(&state, &auth, &f).await?;
    Ok(Html(view.render()?).into_response())
}

async fn save(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    let unit = post_of(&auth)?;
    let mut f = Fields::from_pairs(pairs);
    let today = today();
    let mut view = form_view(&state, &auth, &f).await?;
    // The zone read and shown, the fields filled from it: with or without JavaScript.
    let doc = match crossing::read_zone(f.get("mrz"), today) {
        Ok(doc) => doc,
        Err(e) => {
            if let Some(doc) = Some(super::mrz::read(f.get("mrz"), super::mrz::day(today))) {
                view.verdict = verdict(&view.c, &doc);
            }
            return view.refuse(e);
        }
    };
    if let Some(doc) = &doc {
        for (name, value) in [
            ("surname", doc.surname.clone()),
            ("given_names", doc.given_names.clone()),
            ("sex", doc.sex.clone()),
            ("birth_date", doc.birth_date_iso.clone().unwrap_or_default()),
            ("nationality", doc.nationality.clone()),
            ("document_number", doc.document_number.clone()),
            ("document_country", doc.issuing_country.clone()),
            ("document_code", doc.document_code.clone()),
            (
                "document_expiry",
                doc.expiry_date_iso.clone().unwrap_or_default(),
            ),
        ] {
            f.0.insert(name.to_string(), value);
        }
        let verdict_text = verdict(&view.c, doc);
        view = form_view(&state, &auth, &f).await?;
        view.mrz = doc.lines.join("\n");
        view.verdict = verdict_text;
    }
    if f.get("action") == "read" {
        return Ok(Html(view.render()?).into_response());
    }
    let input = match super::forms::crossing_input(&state, &f, today) {
        Ok(i) => i,
        Err(e) => return view.refuse(e),
    };
    // A form opened before an alert (another tab) keeps what was typed, and waits; the alert's
    // own form sent twice still finds its crossing.
    if let Some((_, submission)) =
        crossing::unacknowledged_alert(&state.db, &auth.user.actor()).await?
        && submission != input.submission_id
    {
        return view.refuse(AppError::Conflict {
            field: "",
            key: "crossing-instruction-first",
        });
    }
    let now = crate::db::now_text();
    match crossing::record(&state, &auth.user.actor(), &unit, &input, &now).await {
        Ok(recorded) => {
            Ok(Redirect::to(&format!("/border/crossings/{}?saved=1", recorded.id)).into_response())
        }
        // A form brought back (the back button) and changed for another traveller: what was
        // typed stays, with a new key, so that checking it and saving again records them.
        Err(
            e @ AppError::Conflict {
                field: "submission",
                ..
            },
        ) => {
            let mut view = view;
            view.submission = crate::db::new_id();
            view.refuse(e)
        }
        Err(e) => view.refuse(e),
    }
}

#[derive(Template)]
#[template(path = "crossing.html")]
struct CrossingPage {
    c: PageCtx,
    id: String,
    title: String,
    back_href: String,
    answer: String,
    answer_class: &'static str,
    instruction: String,
    /// What the instruction asks, in full, and whom to warn, in order (alerts only).
    instruction_full: String,
    contacts: Vec<String>,
    needs_reading: bool,
    /// The agent came for the next crossing with this alert unacknowledged.
    pending: bool,
    instruction_read: String,
    warnings: Vec<String>,
    new_href: Option<String>,
    can_share: bool,
    actions: Vec<Link>,
    fields: Vec<DetailField>,
    hits: DetailTable,
    goods: DetailTable,
}

fn label<T: Coded>(c: &PageCtx, code: &str) -> String {
    T::parse(code)
        .map(|v| c.t(v.label_key()))
        .unwrap_or_else(|| code.to_string())
}

pub(crate) fn instruction_label(c: &PageCtx, code: &str) -> String {
    c.t(match code {
        "arreter" => "screening-instr-arreter",
        "laisser_passer_signaler" => "screening-instr-laisser",
        _ => "screening-instr-signaler",
    })
}

/// What an instruction asks the agent to do, in full sentences.
fn instruction_full(c: &PageCtx, code: &str) -> String {
    c.t(match code {
        "arreter" => "screening-instr-arreter-full",
        "laisser_passer_signaler" => "screening-instr-laisser-full",
        _ => "screening-instr-signaler-full",
    })
}

/// Whom an alert at this post is reported to, in order: the units above the post, with their
/// call signs, then the regional operations centre.
async fn contacts(state: &AppState, c: &PageCtx, unit_id: &str) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = crate::registry::chain_of_command(&state.db, unit_id)
        .await?
        .into_iter()
        .map(|(name, call_sign)| match call_sign {
            Some(cs) if !cs.is_empty() => format!("{name} ({cs})"),
            _ => name,
        })
        .collect();
    out.push(c.t("crossing-call-operations"));
    Ok(out)
}

async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewCrossings)?;
    let row = crossing::get(&state, &auth.user.actor(), &auth.scope, &id).await?;
    let hits = crossing::hits_of(&state.db, &state.keys, &id).await?;
    let goods = super::vehicle::goods_of(&state.db, "crossing_id", &id).await?;
    let c = PageCtx::new(&state, &auth, "/border/crossings");
    let alert = row.screening == "alerte";
    let unit_id = row.unit_id.clone();
    let corrected_by = crossing::correction_of(&state.db, &state.keys, &id).await?;
    let mut page = crossing_page(c, &auth, row, hits, q.contains_key("saved"));
    // A mistaken crossing says which crossing corrects it; the post's agents may correct one
    // that is not corrected yet.
    match corrected_by {
        Some((by, reason)) => {
            page.warnings.insert(
                0,
                page.c.tf("crossing-corrected-by", &[("reason", &reason)]),
            );
            page.actions.insert(
                0,
                Link::new(
                    &format!("/border/crossings/{by}"),
                    page.c.t("crossing-see-correction"),
                ),
            );
        }
        None if auth.user.can(Permission::RecordCrossings)
            && auth.user.unit_id.as_deref() == Some(unit_id.as_str()) =>
        {
            page.actions.push(Link::new(
                &format!("/border/crossings/new?corrects={id}"),
                page.c.t("crossing-correct"),
            ));
        }
        None => {}
    }
    if alert {
        page.contacts = contacts(&state, &page.c, &unit_id).await?;
    }
    page.pending = page.needs_reading && q.contains_key("pending");
    let categories = super::vehicle::categories(&state.db, true).await?;
    page.goods = goods_table(&page.c, &categories, goods);
    render(&page)
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    c: PageCtx,
    title: String,
    back_href: String,
    fields: Vec<DetailField>,
}

/// What a traveller may be handed on paper: where, when, who, which document, which way, by
/// whom. Never the screening's answer (a receipt must not tell a listed person they are).
async fn receipt(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ViewCrossings)?;
    let row = crossing::get(&state, &auth.user.actor(), &auth.scope, &id).await?;
    let c = PageCtx::new(&state, &auth, "/border/crossings");
    let fields = [
        ("crossing-post", row.unit_name.clone()),
        ("crossing-time", when_text(&row.crossed_at)),
        (
            "field-name",
            format!("{} {}", row.surname, row.given_names)
                .trim()
                .to_string(),
        ),
        (
            "crossing-document",
            format!(
                "{} {} {}",
                row.document_code, row.document_country, row.document_number
            )
            .trim()
            .to_string(),
        ),
        ("crossing-direction", label::<Direction>(&c, &row.direction)),
        ("crossing-mode", label::<Mode>(&c, &row.mode)),
        ("crossing-recorded-by", row.recorded_by.clone()),
        ("receipt-number", row.id.clone()),
    ]
    .into_iter()
    .map(|(key, value)| DetailField {
        label: c.t(key),
        value,
        href: None,
    })
    .collect();
    render(&ReceiptPage {
        title: c.t("receipt-title"),
        back_href: format!("/border/crossings/{id}"),
        fields,
        c,
    })
}

fn crossing_page(
    c: PageCtx,
    auth: &Auth,
    row: CrossingRow,
    hits: Vec<(String, String, f64, String, String)>,
    saved: bool,
) -> CrossingPage {
    let answer_class = match row.screening.as_str() {
        "alerte" => "alerte",
        "a_verifier" => "a-verifier",
        _ => "aucune",
    };
    let instruction = row
        .instruction
        .as_deref()
        .filter(|_| row.screening != "aucune")
        .map(|i| instruction_label(&c, i))
        .unwrap_or_default();
    let instruction_full = row
        .instruction
        .as_deref()
        .filter(|_| row.screening == "alerte")
        .map(|i| instruction_full(&c, i))
        .unwrap_or_default();
    let needs_reading = row.screening == "alerte"
        && row.instruction_read_at.is_none()
        && auth.user.can(Permission::RecordCrossings);
    let warnings = row
        .warnings
        .split(',')
        .filter(|w| !w.is_empty())
        .map(|w| c.t(&format!("crossing-warning-{w}")))
        .collect();
    let fields = vec![
        (c.t("crossing-post"), row.unit_name.clone()),
        (c.t("crossing-time"), when_text(&row.crossed_at)),
        (
            c.t("crossing-direction"),
            label::<Direction>(&c, &row.direction),
        ),
        (c.t("crossing-mode"), label::<Mode>(&c, &row.mode)),
        (
            c.t("crossing-birth"),
            format!(
                "{}{}",
                row.birth_date.as_deref().map(day_text).unwrap_or_default(),
                if row.birth_approximate { " (~)" } else { "" }
            ),
        ),
        (c.t("crossing-sex"), row.sex.clone()),
        (
            c.t("crossing-nationality"),
            row.nationality.clone().unwrap_or_default(),
        ),
        (
            c.t("crossing-document"),
            format!(
                "{} {} {} {}",
                row.document_code,
                row.document_country,
                row.document_number,
                row.document_expiry.as_deref().unwrap_or("")
            )
            .trim()
            .to_string(),
        ),
        (c.t("crossing-purpose"), row.purpose.clone()),
        (c.t("crossing-origin"), row.origin.clone()),
        (c.t("crossing-destination"), row.destination.clone()),
        (c.t("crossing-recorded-by"), row.recorded_by.clone()),
    ]
    .into_iter()
    .map(|(label, value)| DetailField {
        label,
        value,
        href: None,
    })
    .chain(row.corrects.as_ref().map(|of| DetailField {
        label: c.t("crossing-corrects"),
        value: row.correction_reason.clone(),
        href: Some(format!("/border/crossings/{of}")),
    }))
    .collect();
    let hits = DetailTable {
        title: c.t("screening-candidates"),
        columns: vec![
            c.t("screening-listed"),
            c.t("screening-answer"),
            c.t("screening-score"),
            c.t("screening-why"),
        ],
        rows: hits
            .into_iter()
            .map(|(_, name, score, decision, why)| ListRow {
                href: String::new(),
                cells: vec![
                    name,
                    c.t(if decision == "alerte" {
                        "screening-alerte"
                    } else {
                        "screening-a-verifier"
                    }),
                    format!("{score:.2}"),
                    crate::screening::web::why_words(&c, &why).join(" ; "),
                ],
            })
            .collect(),
    };
    CrossingPage {
        id: row.id.clone(),
        title: format!("{} {}", row.given_names, row.surname)
            .trim()
            .to_string(),
        back_href: if auth.user.can(Permission::ListCrossings) {
            "/border/crossings".into()
        } else {
            "/".into()
        },
        answer: label::<Screening>(&c, &row.screening),
        answer_class,
        instruction,
        instruction_full,
        contacts: Vec::new(),
        needs_reading,
        pending: false,
        instruction_read: row
            .instruction_read_at
            .as_deref()
            .map(|t| format!("{} {}", c.t("crossing-instruction-read-at"), when_text(t)))
            .unwrap_or_default(),
        warnings,
        // No next crossing before the alert is acknowledged (the form refuses it too).
        new_href: (saved && !needs_reading && auth.user.can(Permission::RecordCrossings))
            .then(|| "/border/crossings/new".to_string()),
        can_share: auth.user.can(Permission::ShareAlerts),
        actions: if auth.user.can(Permission::RecordCrossings) {
            let held = (row.instruction.as_deref() == Some("arreter")
                && auth.user.can(Permission::RecordCustody))
            .then(|| {
                // Held on an alert "arrêter": the custody starts from here, the identity read.
                Link::new(
                    &format!("/custody/new?crossing={}", row.id),
                    c.t("custody-from-this-crossing"),
                )
            });
            held.into_iter()
                .chain([
                    Link::new(
                        &format!("/border/crossings/{}/receipt", row.id),
                        c.t("receipt-title"),
                    ),
                    Link::new(
                        &format!("/border/vehicles/new?driver={}", row.id),
                        c.t("vehicle-new-driven"),
                    ),
                    Link::new(
                        &format!("/border/goods/new?crossing={}", row.id),
                        c.t("goods-new"),
                    ),
                ])
                .collect()
        } else {
            Vec::new()
        },
        fields,
        hits,
        goods: DetailTable {
            title: String::new(),
            columns: Vec::new(),
            rows: Vec::new(),
        },
        c,
    }
}

/// The label of a goods category in the reader's language (its code when unknown).
fn category_label(c: &PageCtx, categories: &[super::vehicle::Category], code: &str) -> String {
    categories
        .iter()
        .find(|k| k.code == code)
        .map_or_else(|| code.to_string(), |k| k.label(c.lang).to_string())
}

fn goods_table(
    c: &PageCtx,
    categories: &[super::vehicle::Category],
    goods: Vec<super::vehicle::GoodsRow>,
) -> DetailTable {
    DetailTable {
        title: c.t("flows-goods"),
        columns: vec![
            c.t("goods-category"),
            c.t("goods-quantity"),
            c.t("goods-value"),
            c.t("crossing-origin"),
            c.t("crossing-destination"),
        ],
        rows: goods
            .into_iter()
            .map(|g| ListRow {
                href: String::new(),
                cells: vec![
                    category_label(c, categories, &g.category),
                    format!("{} {}", g.quantity, g.quantity_unit),
                    g.value_fcfa.map(|v| v.to_string()).unwrap_or_default(),
                    g.origin,
                    g.destination,
                ],
            })
            .collect(),
    }
}

async fn instruction_read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::RecordCrossings)?;
    crossing::confirm_instruction_read(&state, &auth.user.actor(), &auth.scope, &id).await?;
    Ok(Redirect::to(&format!("/border/crossings/{id}?saved=1")).into_response())
}

fn list_filters(c: &PageCtx, p: &ListParams, posts: Vec<(String, String)>) -> Vec<FilterField> {
    let date = |name: &'static str, label: &str| FilterField {
        name,
        label: c.t(label),
        kind: "date",
        value: p.get(name).to_string(),
        options: Vec::new(),
    };
    vec![
        FilterField::search(c, p),
        FilterField::select(
            "post",
            c.t("crossing-post"),
            p,
            crate::web::page::options(posts, p.get("post"), Some(c.t("filter-all"))),
        ),
        date("from", "crossing-from"),
        date("to", "crossing-to"),
        FilterField::select(
            "direction",
            c.t("crossing-direction"),
            p,
            code_options::<Direction>(c, p.get("direction"), Some("filter-all")),
        ),
        FilterField::select(
            "mode",
            c.t("crossing-mode"),
            p,
            code_options::<Mode>(c, p.get("mode"), Some("filter-all")),
        ),
        FilterField::select(
            "screening",
            c.t("crossing-screening"),
            p,
            code_options::<Screening>(c, p.get("screening"), Some("filter-all")),
        ),
        FilterField {
            name: "nationality",
            label: c.t("crossing-nationality"),
            kind: "text",
            value: p.get("nationality").to_string(),
            options: Vec::new(),
        },
    ]
}

async fn list(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::ListCrossings)?;
    let p = ListParams(q);
    let filter = super::forms::crossing_filter(&p);
    let (rows, total) = crossing::list(&state, &auth.user.actor(), &auth.scope, &filter).await?;
    let posts = posts_in_scope(&state, &auth).await?;
    let c = PageCtx::new(&state, &auth, "/border/crossings");
    let (page, pages, prev_href, next_href) = p.pager("/border/crossings", total);
    let view = ListView {
        title: c.t("nav-crossings"),
        action: Some(crate::web::page::Link::new(
            &p.href_with("/border/crossings/export.csv", "page", "1"),
            c.t("crossing-export"),
        )),
        filter_action: "",
        api_href: String::new(),
        filters: list_filters(&c, &p, posts),
        columns: vec![
            p.sort_head("/border/crossings", c.t("crossing-time"), "time"),
            p.sort_head("/border/crossings", c.t("crossing-post"), "post"),
            ColumnHead::plain(c.t("crossing-surname")),
            ColumnHead::plain(c.t("crossing-direction")),
            ColumnHead::plain(c.t("crossing-nationality")),
            p.sort_head("/border/crossings", c.t("crossing-screening"), "screening"),
        ],
        rows: rows
            .iter()
            .map(|r| ListRow {
                href: format!("/border/crossings/{}", r.id),
                cells: vec![
                    when_text(&r.crossed_at),
                    r.unit_name.clone(),
                    format!("{} {}", r.surname, r.given_names),
                    label::<Direction>(&c, &r.direction),
                    r.nationality.clone().unwrap_or_default(),
                    label::<Screening>(&c, &r.screening),
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

/// A post's search by document number: the crossings of that document in the user's scope.
async fn find(State(state): State<AppState>, auth: Auth, Query(q): Params) -> AppResult<Response> {
    auth.require(Permission::FindCrossings)?;
    let p = ListParams(q);
    let c = PageCtx::new(&state, &auth, "/border/crossings");
    let typed = p.get("document").trim().to_string();
    let (rows, error) = if typed.is_empty() {
        (Vec::new(), None)
    } else {
        match crossing::find_by_document(&state, &auth.user.actor(), &auth.scope, &typed).await {
            Ok(rows) => (rows, None),
            Err(e) if e.is_user() => (Vec::new(), Some(c.t(e.message_key()))),
            Err(e) => return Err(e),
        }
    };
    let mut view = ListView::single_page(c, String::new(), "", Vec::new(), Vec::new());
    let c = &view.c;
    view.title = match (&error, typed.is_empty()) {
        (Some(e), _) => e.clone(),
        (None, true) => c.t("home-document-search"),
        (None, false) => c.tf("crossing-found", &[("document", &typed)]),
    };
    view.filters = vec![FilterField {
        name: "document",
        label: c.t("crossing-document-number"),
        kind: "search",
        value: typed,
        options: Vec::new(),
    }];
    view.columns = [
        "crossing-time",
        "crossing-post",
        "crossing-surname",
        "crossing-direction",
        "crossing-screening",
        "crossing-recorded-by",
    ]
    .iter()
    .map(|k| ColumnHead::plain(c.t(k)))
    .collect();
    view.rows = rows
        .iter()
        .map(|r| ListRow {
            href: format!("/border/crossings/{}", r.id),
            cells: vec![
                when_text(&r.crossed_at),
                r.unit_name.clone(),
                format!("{} {}", r.surname, r.given_names),
                label::<Direction>(c, &r.direction),
                label::<Screening>(c, &r.screening),
                r.recorded_by.clone(),
            ],
        })
        .collect();
    view.total = view.rows.len() as i64;
    render(&view)
}

/// The home page of a post: today's crossings of the units the user sees (an agent: the post,
/// theirs and their colleagues'), newest first. Reading them is audited as any list is.
pub async fn today_section(state: &AppState, auth: &Auth, c: &PageCtx) -> AppResult<Section> {
    let today = crate::db::now().date();
    let filter = crossing::CrossingFilter {
        from: Some(today),
        to: Some(today),
        page: 1,
        ..Default::default()
    };
    let (rows, total) = crossing::list(state, &auth.user.actor(), &auth.scope, &filter).await?;
    let day = today.to_string();
    Ok(Section {
        marks: Vec::new(),
        id: "today-crossings",
        title: c.t("home-today-crossings"),
        columns: [
            "crossing-time",
            "crossing-surname",
            "crossing-direction",
            "crossing-document-number",
            "crossing-screening",
            "crossing-recorded-by",
        ]
        .iter()
        .map(|k| c.t(k))
        .collect(),
        rows: rows
            .iter()
            .take(SECTION_ROWS as usize)
            .map(|r| ListRow {
                href: format!("/border/crossings/{}", r.id),
                cells: vec![
                    when_text(&r.crossed_at),
                    format!("{} {}", r.surname, r.given_names),
                    label::<Direction>(c, &r.direction),
                    r.document_number.clone(),
                    label::<Screening>(c, &r.screening),
                    r.recorded_by.clone(),
                ],
            })
            .collect(),
        total,
        more: Some(Link::new(
            &format!("/border/crossings?from={day}&to={day}"),
            c.t("home-see-all"),
        )),
        empty: c.t("home-no-crossing-today"),
    })
}

async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ListCrossings)?;
    let p = ListParams(q);
    let rows = crossing::export(
        &state,
        &auth.user.actor(),
        &auth.scope,
        &super::forms::crossing_filter(&p),
    )
    .await?;
    let mut out = String::from(
        "id,crossed_at,post,direction,mode,surname,given_names,sex,birth_date,nationality,document_code,document_country,document_number,document_expiry,purpose,origin,destination,screening,recorded_by,corrects,direction_label,mode_label,screening_label\n",
    );
    // The codes stay in their columns for scripts; the labels, in the reader's language, come
    // after them for people (columns are only ever added at the end).
    let c = PageCtx::new(&state, &auth, "/border/crossings");
    for r in &rows {
        let labels = [
            label::<Direction>(&c, &r.direction),
            label::<Mode>(&c, &r.mode),
            label::<Screening>(&c, &r.screening),
        ];
        let cells = [
            r.id.as_str(),
            &r.crossed_at,
            &r.unit_name,
            &r.direction,
            &r.mode,
            &r.surname,
            &r.given_names,
            &r.sex,
            r.birth_date.as_deref().unwrap_or(""),
            r.nationality.as_deref().unwrap_or(""),
            &r.document_code,
            &r.document_country,
            &r.document_number,
            r.document_expiry.as_deref().unwrap_or(""),
            &r.purpose,
            &r.origin,
            &r.destination,
            &r.screening,
            &r.recorded_by,
            r.corrects.as_deref().unwrap_or(""),
            &labels[0],
            &labels[1],
            &labels[2],
        ];
        out.push_str(&csv_line(&cells));
    }
    Ok(attachment("text/csv; charset=utf-8", "passages.csv", out))
}

/// Reads a zone for the form's script, which fills the fields from it (the zone is personal
/// data: it comes in the body, never in the address).
async fn read_mrz(
    State(state): State<AppState>,
    auth: Auth,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    // The permission first: nobody else's request body is even read.
    post_of(&auth)?;
    let f = if body.first() == Some(&b'{') {
        Fields::from_json(&body)?
    } else {
        Fields::from_pairs(
            serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::invalid("mrz", "error-mrz-invalid"))?,
        )
    };
    let c = PageCtx::new(&state, &auth, "/border/crossings/new");
    let doc = super::mrz::read(f.get("mrz"), super::mrz::day(today()));
    let usable = crossing::read_zone(f.get("mrz"), today()).is_ok();
    Ok(Json(json!({
        "usable": usable,
        "verdict": verdict(&c, &doc),
        "zone": doc.lines.join("\n"),
        "fields": {
            "surname": doc.surname,
            "given_names": doc.given_names,
            "sex": doc.sex,
            "birth_date": doc.birth_date_iso.clone().unwrap_or_default(),
            "nationality": doc.nationality,
            "document_number": doc.document_number,
            "document_country": doc.issuing_country,
            "document_code": doc.document_code,
            "document_expiry": doc.expiry_date_iso.clone().unwrap_or_default(),
        }
    }))
    .into_response())
}

#[derive(Template)]
#[template(path = "flows.html")]
struct FlowsPage {
    c: PageCtx,
    title: String,
    error: Option<String>,
    from: String,
    to: String,
    periods: Vec<crate::web::page::SelectOption>,
    posts: Vec<crate::web::page::SelectOption>,
    api_href: String,
    chart: String,
    tables: Vec<DetailTable>,
}

/// The posts a user may see statistics of.
async fn posts_in_scope(state: &AppState, auth: &Auth) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM units WHERE kind = 'poste_frontiere'
         AND (?1 IS NULL OR id IN (SELECT value FROM json_each(?1))) ORDER BY name",
    )
    .bind(auth.scope.as_json())
    .fetch_all(&state.db)
    .await?)
}

fn flow_query(p: &ListParams) -> AppResult<super::flows::FlowQuery> {
    super::flows::FlowQuery::parse(
        p.get("from"),
        p.get("to"),
        p.get("period"),
        p.get("post"),
        today(),
    )
}

/// Sums `n` per key, keys in first-seen order.
fn flows_tables(
    c: &PageCtx,
    categories: &[super::vehicle::Category],
    f: &super::flows::Summary,
) -> Vec<DetailTable> {
    use super::model::VehicleKind;
    let row = |cells: Vec<String>| ListRow {
        href: String::new(),
        cells,
    };
    vec![
        DetailTable {
            title: c.t("flows-by-period"),
            columns: vec![
                c.t("flows-period"),
                c.t("crossing-post"),
                c.t("direction-entree"),
                c.t("direction-sortie"),
            ],
            rows: f
                .periods
                .iter()
                .map(|(p, post, e, s)| {
                    row(vec![p.clone(), post.clone(), e.to_string(), s.to_string()])
                })
                .collect(),
        },
        DetailTable {
            title: c.t("flows-by-nationality"),
            columns: vec![
                c.t("crossing-nationality"),
                c.t("crossing-direction"),
                c.t("flows-people"),
            ],
            rows: f
                .nationalities
                .iter()
                .map(|(nat, d, n)| {
                    row(vec![
                        if nat.is_empty() {
                            "—".into()
                        } else {
                            nat.clone()
                        },
                        label::<Direction>(c, d),
                        n.to_string(),
                    ])
                })
                .collect(),
        },
        DetailTable {
            title: c.t("flows-by-mode"),
            columns: vec![
                c.t("crossing-mode"),
                c.t("crossing-direction"),
                c.t("flows-people"),
            ],
            rows: f
                .modes
                .iter()
                .map(|(m, d, n)| {
                    row(vec![
                        label::<Mode>(c, m),
                        label::<Direction>(c, d),
                        n.to_string(),
                    ])
                })
                .collect(),
        },
        DetailTable {
            title: c.t("flows-vehicles"),
            columns: vec![
                c.t("vehicle-kind"),
                c.t("crossing-direction"),
                c.t("flows-count"),
            ],
            rows: f
                .vehicles
                .iter()
                .map(|(k, d, n)| {
                    row(vec![
                        label::<VehicleKind>(c, k),
                        label::<Direction>(c, d),
                        n.to_string(),
                    ])
                })
                .collect(),
        },
        DetailTable {
            title: c.t("flows-goods"),
            columns: vec![
                c.t("goods-category"),
                c.t("crossing-direction"),
                c.t("goods-quantity"),
                c.t("goods-value"),
            ],
            rows: f
                .goods
                .iter()
                .map(|(cat, unit, d, q, v)| {
                    row(vec![
                        category_label(c, categories, cat),
                        label::<Direction>(c, d),
                        format!("{q} {unit}"),
                        v.to_string(),
                    ])
                })
                .collect(),
        },
    ]
}

async fn flows_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    auth.require(Permission::ViewFlows)?;
    let p = ListParams(q);
    let c = PageCtx::new(&state, &auth, "/border/flows");
    let (query, error) = match flow_query(&p) {
        Ok(q) => (q, None),
        Err(e) => (
            flow_query(&ListParams(HashMap::new()))?,
            Some(c.t(e.message_key())),
        ),
    };
    let summary = super::flows::summary(&state.db, &auth.scope, &query).await?;
    let chart = super::flows::chart(&summary.daily, &query.from, &query.to, &c.t("flows-chart"));
    let posts = posts_in_scope(&state, &auth).await?;
    let post = query.post.clone().unwrap_or_default();
    let page = FlowsPage {
        title: c.t("nav-flows"),
        error,
        from: query.from.clone(),
        to: query.to.clone(),
        periods: crate::web::page::options(
            ["day", "week", "month"]
                .iter()
                .map(|p| (p.to_string(), c.t(&format!("flows-period-{p}"))))
                .collect(),
            query.period.code(),
            None,
        ),
        posts: crate::web::page::options(posts, &post, Some(c.t("filter-all"))),
        api_href: p.href_with("/api/v1/border/flows", "period", query.period.code()),
        chart,
        tables: flows_tables(
            &c,
            &super::vehicle::categories(&state.db, true).await?,
            &summary,
        ),
        c,
    };
    render(&page)
}

async fn flows_api(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Json<super::flows::Flows>> {
    auth.require(Permission::ViewFlows)?;
    let query = flow_query(&ListParams(q))?;
    Ok(Json(
        super::flows::flows(&state.db, &auth.scope, &query).await?,
    ))
}

fn vehicle_view_form(state: &AppState, auth: &Auth, f: &Fields) -> FormView {
    use super::model::VehicleKind;
    let c = PageCtx::new(state, auth, "/border/crossings/new");
    let submission = match f.get("submission") {
        "" => crate::db::new_id(),
        s => s.to_string(),
    };
    let fields = vec![
        FormField::new("submission", String::new(), "hidden", submission),
        FormField::new("driver", String::new(), "hidden", f.get("driver").into()),
        FormField::new("plate", c.t("vehicle-plate"), "text", f.get("plate").into()).required(),
        FormField::new(
            "country",
            c.t("vehicle-country"),
            "text",
            f.get("country").into(),
        )
        .hint(c.t("crossing-nationality-hint")),
        FormField::new("kind", c.t("vehicle-kind"), "select", String::new())
            .required()
            .options(code_options::<VehicleKind>(&c, f.get("kind"), None)),
        FormField::new(
            "direction",
            c.t("crossing-direction"),
            "select",
            String::new(),
        )
        .required()
        .options(code_options::<Direction>(&c, f.get("direction"), None)),
        FormField::new(
            "passengers",
            c.t("vehicle-passengers"),
            "number",
            f.get("passengers").into(),
        ),
    ];
    FormView {
        submit: None,
        map: None,
        title: c.t("vehicle-new"),
        action: "/border/vehicles/new".into(),
        cancel_href: "/border/crossings/new".into(),
        fields,
        error: None,
        c,
    }
}

async fn vehicle_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    let unit = post_of(&auth)?;
    let mut f = Fields(q);
    // The driver's crossing gives the direction.
    if !f.get("driver").is_empty() {
        let direction: Option<String> =
            sqlx::query_scalar("SELECT direction FROM crossings WHERE id = ? AND unit_id = ?")
                .bind(f.get("driver"))
                .bind(&unit)
                .fetch_optional(&state.db)
                .await?;
        let direction = direction.ok_or(AppError::NotFound)?;
        f.0.insert("direction".into(), direction);
    }
    render(&vehicle_view_form(&state, &auth, &f))
}

async fn vehicle_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    let unit = post_of(&auth)?;
    let f = Fields::from_pairs(pairs);
    let saved = match super::forms::new_vehicle(&f) {
        Ok(v) => super::vehicle::record_vehicle(&state, &auth.user.actor(), &unit, &v).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/border/vehicles/{id}")).into_response()),
        Err(e) => vehicle_view_form(&state, &auth, &f).refuse(e),
    }
}

async fn vehicle_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    use super::model::VehicleKind;
    auth.require(Permission::ViewCrossings)?;
    let (v, goods) = super::vehicle::vehicle(&state, &auth.user.actor(), &auth.scope, &id).await?;
    let c = PageCtx::new(&state, &auth, "/border/crossings");
    let fields = vec![
        (c.t("crossing-post"), v.unit_name.clone(), None),
        (c.t("crossing-time"), when_text(&v.crossed_at), None),
        (
            c.t("crossing-direction"),
            label::<Direction>(&c, &v.direction),
            None,
        ),
        (c.t("vehicle-kind"), label::<VehicleKind>(&c, &v.kind), None),
        (c.t("vehicle-country"), v.country.clone(), None),
        (
            c.t("vehicle-driver"),
            v.driver.clone().unwrap_or_default(),
            v.driver_crossing_id
                .as_ref()
                .map(|d| format!("/border/crossings/{d}")),
        ),
        (c.t("vehicle-passengers"), v.passengers.to_string(), None),
        (c.t("crossing-recorded-by"), v.recorded_by.clone(), None),
    ]
    .into_iter()
    .map(|(label, value, href)| DetailField { label, value, href })
    .collect();
    let view = VehiclePage {
        id: v.id.clone(),
        can_share: auth.user.can(Permission::ShareAlerts),
        title: format!("{} {}", c.t("vehicle-plate"), v.plate),
        back_href: "/border/crossings/new".into(),
        edit_href: auth
            .user
            .can(Permission::RecordCrossings)
            .then(|| format!("/border/goods/new?vehicle={}", v.id)),
        fields,
        tables: vec![goods_table(
            &c,
            &super::vehicle::categories(&state.db, true).await?,
            goods,
        )],
        c,
    };
    render(&view)
}

#[derive(Template)]
#[template(path = "vehicle.html")]
struct VehiclePage {
    c: PageCtx,
    id: String,
    can_share: bool,
    title: String,
    back_href: String,
    edit_href: Option<String>,
    fields: Vec<DetailField>,
    tables: Vec<DetailTable>,
}

async fn goods_view_form(state: &AppState, auth: &Auth, f: &Fields) -> AppResult<FormView> {
    let c = PageCtx::new(state, auth, "/border/crossings/new");
    let categories = super::vehicle::categories(&state.db, false)
        .await?
        .into_iter()
        .map(|k| (k.code.clone(), k.label(c.lang).to_string()))
        .collect();
    let submission = match f.get("submission") {
        "" => crate::db::new_id(),
        s => s.to_string(),
    };
    let fields = vec![
        FormField::new("submission", String::new(), "hidden", submission),
        FormField::new("vehicle", String::new(), "hidden", f.get("vehicle").into()),
        FormField::new(
            "crossing",
            String::new(),
            "hidden",
            f.get("crossing").into(),
        ),
        FormField::new("category", c.t("goods-category"), "select", String::new())
            .required()
            .options(crate::web::page::options(
                categories,
                f.get("category"),
                None,
            )),
        FormField::new(
            "quantity",
            c.t("goods-quantity"),
            "number",
            f.get("quantity").into(),
        )
        .required(),
        FormField::new(
            "quantity_unit",
            c.t("goods-unit"),
            "text",
            f.get("quantity_unit").into(),
        )
        .required()
        .hint(c.t("goods-unit-hint")),
        FormField::new(
            "value_fcfa",
            c.t("goods-value"),
            "number",
            f.get("value_fcfa").into(),
        ),
        FormField::new(
            "origin",
            c.t("crossing-origin"),
            "text",
            f.get("origin").into(),
        )
        .locality(&state.gazetteer),
        FormField::new(
            "destination",
            c.t("crossing-destination"),
            "text",
            f.get("destination").into(),
        )
        .locality(&state.gazetteer),
    ];
    Ok(FormView {
        submit: None,
        map: None,
        title: c.t("goods-new"),
        action: "/border/goods/new".into(),
        cancel_href: "/border/crossings/new".into(),
        fields,
        error: None,
        c,
    })
}

async fn goods_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Params,
) -> AppResult<Response> {
    post_of(&auth)?;
    render(&goods_view_form(&state, &auth, &Fields(q)).await?)
}

async fn goods_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(pairs): FormData,
) -> AppResult<Response> {
    let unit = post_of(&auth)?;
    let f = Fields::from_pairs(pairs);
    let saved = match super::forms::new_goods(&state, &f) {
        Ok(g) => super::vehicle::record_goods(&state, &auth.user.actor(), &unit, &g).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) if !f.get("vehicle").is_empty() => {
            Ok(Redirect::to(&format!("/border/vehicles/{}", f.get("vehicle"))).into_response())
        }
        Ok(_) => {
            Ok(Redirect::to(&format!("/border/crossings/{}", f.get("crossing"))).into_response())
        }
        Err(e) => goods_view_form(&state, &auth, &f).await?.refuse(e),
    }
}

/// A commandant reports a traveller or a vehicle to the partner; back to its page.
async fn share_what(
    state: &AppState,
    auth: &Auth,
    what: super::exchange::Shared<'_>,
    pairs: Vec<(String, String)>,
) -> AppResult<()> {
    auth.require(Permission::ShareAlerts)?;
    let f = Fields::from_pairs(pairs);
    let days = f.optional_i64("days", 1, 365)?.unwrap_or(90);
    super::exchange::share(
        state,
        &auth.user.actor(),
        &auth.scope,
        what,
        f.get("reason"),
        days,
    )
    .await
    .map(|_| ())
}

async fn share(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    share_what(&state, &auth, super::exchange::Shared::Crossing(&id), pairs).await?;
    Ok(Redirect::to(&format!("/border/crossings/{id}")).into_response())
}

async fn partner_alerts(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require(Permission::ViewCrossings)?;
    let alerts =
        super::exchange::partner_alerts(&state.db, &state.keys, &auth.user.actor(), &auth.scope)
            .await?;
    let c = PageCtx::new(&state, &auth, "/border/partner-alerts");
    let rows = alerts
        .into_iter()
        .map(|a| ListRow {
            href: String::new(),
            cells: vec![
                a.partner,
                a.post,
                if a.plate.is_empty() {
                    format!(
                        "{} {} {}",
                        a.name,
                        a.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                        a.nationality
                    )
                    .trim()
                    .to_string()
                } else {
                    a.plate
                },
                a.reason,
                a.valid_until,
            ],
        })
        .collect();
    let title = c.t("nav-partner-alerts");
    let columns = vec![
        c.t("exchange-partner"),
        c.t("crossing-post"),
        c.t("exchange-who"),
        c.t("exchange-reason"),
        c.t("exchange-until"),
    ];
    render(&ListView::single_page(c, title, "", columns, rows))
}

async fn share_vehicle(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): FormData,
) -> AppResult<Response> {
    share_what(&state, &auth, super::exchange::Shared::Vehicle(&id), pairs).await?;
    Ok(Redirect::to(&format!("/border/vehicles/{id}")).into_response())
}
