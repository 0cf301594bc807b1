//! The commandant's review of hits: the queue (who, where, when, whom the list names), the
//! hit's page with the traveller and the listed person side by side and the reasons in words,
//! the decision; and the home pages' sections (what waits, the alerts of the day).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{FormData, instruction_key};
use crate::accounts::Permission;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::screening::{self, HitRow, Why};
use crate::web::auth::Auth;
use crate::web::page::{
    Fields, Link, ListParams, ListRow, ListView, PageCtx, SECTION_ROWS, Section, day_text, render,
    when_text,
};

/// A stored explanation in the words of the page's language, a sentence per reason.
pub fn why_words(c: &PageCtx, explanation: &str) -> Vec<String> {
    screening::explanation_parts(explanation)
        .into_iter()
        .map(|part| match part {
            Why::Pair {
                query,
                listed,
                rule,
            } => c.tf(
                "why-pair",
                &[
                    ("query", &query),
                    ("listed", &listed),
                    ("rule", &c.t(&format!("why-rule-{rule}"))),
                ],
            ),
            Why::OnlyQuery(words) => c.tf("why-only-query", &[("words", &words)]),
            Why::OnlyListed(words) => c.tf("why-only-listed", &[("words", &words)]),
            Why::Omitted { word, rule } => c.tf(
                "why-omitted",
                &[("word", &word), ("rule", &c.t(&format!("why-rule-{rule}")))],
            ),
            Why::Birth { reason, effect } => c.tf(
                "why-birth",
                &[
                    (
                        "reason",
                        &c.t(&format!(
                            "why-birth-{}",
                            screening::birth_reason_key(&reason)
                        )),
                    ),
                    ("effect", &effect_words(c, effect)),
                ],
            ),
            Why::Nationality { effect } => {
                c.tf("why-nationality", &[("effect", &effect_words(c, effect))])
            }
            Why::CommonName { effect } => {
                c.tf("why-common-name", &[("effect", &effect_words(c, effect))])
            }
            Why::Other(text) => text,
        })
        .collect()
}

fn effect_words(c: &PageCtx, effect: f64) -> String {
    c.t(if effect > 0.005 {
        "why-raises"
    } else if effect < -0.005 {
        "why-lowers"
    } else {
        "why-no-effect"
    })
}

fn answer_key(decision: &str) -> &'static str {
    if decision == "alerte" {
        "screening-alerte"
    } else {
        "screening-a-verifier"
    }
}

fn status_key(status: &str) -> &'static str {
    match status {
        "confirme" => "screening-confirmed",
        "ecarte" => "screening-dismissed",
        _ => "screening-pending",
    }
}

/// A hit as a row: when, the traveller, where, whom the list names, the score, the answer.
fn hit_row(c: &PageCtx, h: &HitRow) -> ListRow {
    ListRow {
        href: format!("/screening/hits/{}", h.id),
        cells: vec![
            when_text(&h.created_at),
            h.query_name.clone(),
            h.post_name.clone().unwrap_or_else(|| h.created_by.clone()),
            h.listed_name.clone(),
            format!("{:.2}", h.score),
            c.t(answer_key(&h.decision)),
            c.t(status_key(&h.status)),
        ],
    }
}

fn hit_columns(c: &PageCtx) -> Vec<String> {
    [
        "crossing-time",
        "screening-traveller",
        "crossing-post",
        "screening-listed",
        "screening-score",
        "screening-answer",
        "screening-decision",
    ]
    .iter()
    .map(|k| c.t(k))
    .collect()
}

pub(super) async fn queue(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    auth.require(Permission::ReviewHits)?;
    let p = ListParams(q);
    let (hits, total) = screening::hits_to_review(&state, &auth.scope, p.page()).await?;
    let mut c = PageCtx::new(&state, &auth, "/screening/review");
    // The decision just taken, said once (see `decide`).
    c.flash = match p.get("done") {
        "confirme" => Some(c.t("screening-done-confirmed")),
        "ecarte" => Some(c.t("screening-done-dismissed")),
        _ => None,
    };
    let rows = hits.iter().map(|h| hit_row(&c, h)).collect();
    let title = c.t("screening-review");
    let columns = hit_columns(&c);
    let (page, pages, prev_href, next_href) = p.pager("/screening/review", total);
    let mut view = ListView::single_page(c, title, "", columns, rows);
    view.total = total;
    view.page = page;
    view.pages = pages;
    view.prev_href = prev_href;
    view.next_href = next_href;
    render(&view)
}

/// One line of the comparison: what, the traveller's, the listed person's.
pub struct Compared {
    pub label: String,
    pub traveller: String,
    pub listed: String,
}

#[derive(Template)]
#[template(path = "hit.html")]
struct HitPage {
    c: PageCtx,
    id: String,
    title: String,
    answer: String,
    answer_class: &'static str,
    instruction: String,
    compared: Vec<Compared>,
    why: Vec<String>,
    crossing_href: Option<String>,
    /// Who decided what, when and why; None while the hit waits.
    decided: Option<String>,
    reason: String,
    reason_error: Option<String>,
    error: Option<String>,
}

fn hit_view(c: PageCtx, h: &HitRow) -> HitPage {
    let none = || "—".to_string();
    let compared = vec![
        Compared {
            label: c.t("field-name"),
            traveller: h.query_name.clone(),
            listed: h.listed_name.clone(),
        },
        Compared {
            label: c.t("screening-birth"),
            traveller: h.query_birth.as_deref().map_or_else(none, day_text),
            listed: h.listed_birth.as_deref().map_or_else(none, day_text),
        },
        Compared {
            label: c.t("screening-nationality"),
            traveller: h.query_nationality.clone().unwrap_or_else(none),
            listed: h.listed_nationality.clone().unwrap_or_else(none),
        },
        Compared {
            label: c.t("screening-where-when"),
            traveller: format!(
                "{} · {}",
                h.post_name.as_deref().unwrap_or(&h.created_by),
                when_text(&h.created_at)
            ),
            listed: h.list_name.clone(),
        },
        Compared {
            label: c.t("screening-listed-reason"),
            traveller: String::new(),
            listed: if h.listed_reason.is_empty() {
                none()
            } else {
                h.listed_reason.clone()
            },
        },
        Compared {
            label: c.t("screening-instruction"),
            traveller: String::new(),
            listed: c.t(instruction_key(&h.instruction)),
        },
    ];
    let decided = (h.status != "a_revoir").then(|| {
        c.tf(
            "screening-decided",
            &[
                ("decision", &c.t(status_key(&h.status))),
                ("who", h.reviewed_by.as_deref().unwrap_or("")),
                ("when", &when_text(h.reviewed_at.as_deref().unwrap_or(""))),
                ("reason", h.review_reason.as_deref().unwrap_or("")),
            ],
        )
    });
    HitPage {
        id: h.id.clone(),
        title: c.t("screening-hit"),
        answer: format!("{} · {:.2}", c.t(answer_key(&h.decision)), h.score),
        answer_class: if h.decision == "alerte" {
            "alerte"
        } else {
            "a-verifier"
        },
        instruction: c.t(instruction_key(&h.instruction)),
        compared,
        why: why_words(&c, &h.explanation),
        crossing_href: h
            .crossing_id
            .as_ref()
            .map(|id| format!("/border/crossings/{id}")),
        decided,
        reason: String::new(),
        reason_error: None,
        error: None,
        c,
    }
}

pub(super) async fn hit_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.require(Permission::ReviewHits)?;
    let h = screening::hit(&state, &auth.user.actor(), &auth.scope, &id).await?;
    render(&hit_view(
        PageCtx::new(&state, &auth, "/screening/review"),
        &h,
    ))
}

pub(super) async fn decide(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::Form(pairs): FormData,
) -> AppResult<Response> {
    auth.require(Permission::ReviewHits)?;
    let f = Fields::from_pairs(pairs);
    let decision = f.get("decision");
    let result = match decision {
        "confirme" | "ecarte" => {
            screening::review(
                &state,
                &auth.user.actor(),
                &auth.scope,
                &id,
                decision == "confirme",
                f.get("reason"),
            )
            .await
        }
        _ => Err(AppError::invalid("decision", "error-bad-choice")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/screening/review?done={decision}")).into_response()),
        Err(e) if e.is_user() => {
            let h = screening::hit(&state, &auth.user.actor(), &auth.scope, &id).await?;
            let mut page = hit_view(PageCtx::new(&state, &auth, "/screening/review"), &h);
            page.reason = crate::web::page::echo(f.get("reason").to_string());
            let message = page.c.t(e.message_key());
            match e.field() {
                Some("reason") => page.reason_error = Some(message),
                _ => page.error = Some(message),
            }
            let status = if page.decided.is_some() {
                StatusCode::CONFLICT
            } else {
                e.status()
            };
            Ok((status, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The commandant's home: the hits waiting for a decision, oldest last.
pub async fn review_section(state: &AppState, auth: &Auth, c: &PageCtx) -> AppResult<Section> {
    let (hits, total) = screening::hits_to_review(state, &auth.scope, 1).await?;
    Ok(Section {
        marks: Vec::new(),
        id: "to-review",
        title: c.t("home-to-review"),
        columns: hit_columns(c),
        rows: hits
            .iter()
            .take(SECTION_ROWS as usize)
            .map(|h| hit_row(c, h))
            .collect(),
        total,
        more: Some(Link::new("/screening/review", c.t("home-see-all"))),
        empty: c.t("home-nothing-to-review"),
    })
}

/// The operations centre's watch: today's alerts, whatever their review.
pub async fn alerts_today_section(
    state: &AppState,
    auth: &Auth,
    c: &PageCtx,
) -> AppResult<Section> {
    let since = format!("{}T00:00:00Z", crate::db::now().date());
    let hits = screening::alerts_since(state, &auth.scope, &since, SECTION_ROWS).await?;
    let more = auth
        .user
        .can(Permission::ReviewHits)
        .then(|| Link::new("/screening/review", c.t("home-see-all")));
    Ok(Section {
        marks: Vec::new(),
        id: "alerts-today",
        title: c.t("home-alerts-today"),
        columns: hit_columns(c),
        total: hits.len() as i64,
        rows: hits.iter().map(|h| hit_row(c, h)).collect(),
        more,
        empty: c.t("home-no-alert-today"),
    })
}
