//! The pages every user meets: login and logout, the home page of each role with its live
//! counts, the language switch, and the health and metrics endpoints.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use std::collections::HashMap;

use crate::accounts::{self, Permission, Role};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::registry::model::Coded;
use crate::web::auth::{self, Auth, ClientAddr, ReqLang};
use crate::web::csrf;
use crate::web::page::{Link, PageCtx, Section, render};
use crate::{border, incidents, registry, screening};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(switch_lang))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/v1/me", get(me))
}

pub struct Card {
    pub href: String,
    pub label: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: PageCtx,
    intro: String,
    /// The day's first actions, as buttons.
    actions: Vec<Link>,
    /// A post's search by document number (the crossings' full-text search).
    document_search: bool,
    /// What waits for this person, most pressing first.
    sections: Vec<Section>,
    cards: Vec<Card>,
    by_status: Vec<Card>,
}

/// Each role's home page says what to do today: the agent's crossings of the day, what waits
/// for the commandant's decision, the operations centre's watch; the others see their counts.
async fn home(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let c = PageCtx::new(&state, &auth, "/");
    let mut actions = Vec::new();
    let mut sections = Vec::new();
    let can = |p| auth.user.can(p);
    let action = |href: &str, key: &str| Link::new(href, c.t(key));
    match auth.user.role {
        Role::Agent => {
            if can(Permission::RecordCrossings) {
                actions.push(action("/border/crossings/new", "nav-crossing-new"));
            }
            if can(Permission::Screen) {
                actions.push(action("/screening", "nav-screening"));
            }
            if can(Permission::FindCrossings) {
                sections.push(border::web::today_section(&state, &auth, &c).await?);
            }
        }
        Role::Commandant => {
            if can(Permission::ReportIncidents) {
                actions.push(action("/incidents/new", "incident-new"));
                actions.push(action("/patrols/new", "patrol-new"));
            }
            if can(Permission::ViewCustody) {
                sections.push(crate::custody::web::running_section(&state, &auth, &c).await?);
            }
            if can(Permission::ReviewHits) {
                sections.push(screening::web::review_section(&state, &auth, &c).await?);
            }
            if can(Permission::ViewIncidents) {
                sections.push(incidents::web::waiting_section(&state, &auth, &c).await?);
                sections.push(incidents::web::under_way_section(&state, &auth, &c).await?);
                sections.push(incidents::web::patrols_due_section(&state, &auth, &c).await?);
            }
            if can(Permission::ListCrossings) {
                sections.push(border::web::today_section(&state, &auth, &c).await?);
            }
        }
        Role::Operations => {
            if can(Permission::ReportIncidents) {
                actions.push(action("/incidents/new", "incident-new"));
            }
            actions.push(action("/map", "nav-map"));
            if can(Permission::ViewCustody) {
                sections.push(crate::custody::web::running_section(&state, &auth, &c).await?);
            }
            sections.push(incidents::web::waiting_section(&state, &auth, &c).await?);
            sections.push(incidents::web::under_way_section(&state, &auth, &c).await?);
            if can(Permission::ReviewHits) {
                sections.push(screening::web::alerts_today_section(&state, &auth, &c).await?);
            }
            sections.push(registry::web::unavailable_section(&state, &auth, &c).await?);
        }
        Role::Atelier => {
            actions.push(action("/workshop", "nav-workshop"));
            sections.push(registry::web::unavailable_section(&state, &auth, &c).await?);
        }
        Role::Inspecteur => {
            actions.push(action("/audit", "nav-audit"));
            actions.push(action("/audit/verify", "audit-verify"));
            actions.push(action("/audit/person", "inspect-person"));
            actions.push(action("/audit/reports", "inspect-reports"));
        }
        Role::Admin | Role::Programme => {}
    }
    // The agent's day is the post's: the registry's counts are for the others.
    let (cards, by_status) = if auth.user.role == Role::Agent {
        (Vec::new(), Vec::new())
    } else {
        counts(&state, &auth, &c).await?
    };
    let intro = state.catalog.format(
        auth.lang,
        &format!("home-intro-{}", auth.user.role.code()),
        &[("name", &auth.user.display_name)],
    );
    render(&HomePage {
        document_search: auth.user.role == Role::Agent && can(Permission::FindCrossings),
        c,
        intro,
        actions,
        sections,
        cards,
        by_status,
    })
}

/// The registry's counts (and the accounts' and the audit log's for who manages them).
async fn counts(state: &AppState, auth: &Auth, c: &PageCtx) -> AppResult<(Vec<Card>, Vec<Card>)> {
    let counts = registry::counts(state, &auth.scope).await?;
    let mut cards = vec![
        Card {
            href: "/units".into(),
            label: c.t("nav-units"),
            count: counts.units,
        },
        Card {
            href: "/assets".into(),
            label: c.t("nav-assets"),
            count: counts.assets,
        },
        Card {
            href: "/sites".into(),
            label: c.t("nav-sites"),
            count: counts.sites,
        },
    ];
    if auth.user.can(Permission::ManageUsers) {
        let n = accounts::count_users(&state.db).await?;
        cards.push(Card {
            href: "/admin/users".into(),
            label: c.t("nav-users"),
            count: n,
        });
    }
    if auth.user.can(Permission::ViewAudit) {
        // The chain's last position is its length (entries are numbered 1, 2, 3 … and
        // `audit verify` checks it): counting five years of entries read them all.
        let n: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_log")
            .fetch_one(&state.db)
            .await?;
        cards.push(Card {
            href: "/audit".into(),
            label: c.t("home-audit-entries"),
            count: n,
        });
    }
    let by_status = counts
        .by_status
        .into_iter()
        .map(|(status, n)| Card {
            href: format!("/assets?status={}", status.code()),
            label: c.t(status.label_key()),
            count: n,
        })
        .collect();
    Ok((cards, by_status))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: PageCtx,
    error: Option<String>,
    /// The login form's token, masked (see `csrf::LOGIN_COOKIE`).
    token: String,
    login: String,
    next: String,
}

/// Only local paths are followed after login, so the form cannot send users elsewhere.
/// Browsers drop tabs and newlines from a `Location`, so `/\t/evil.example` would become
/// `//evil.example`: any whitespace, control character or backslash makes the path refused.
fn safe_next(next: &str) -> String {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && next
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    if local {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// The login form, with its token: the browser's login cookie when it has one, a new one
/// (set on the answer) otherwise.
fn login_form(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
    login: String,
    next: String,
) -> AppResult<Response> {
    let c = PageCtx::anonymous(state, lang);
    let existing = auth::cookie(headers, csrf::LOGIN_COOKIE).filter(|t| t.len() >= 32);
    let (token, set_cookie) = match existing {
        Some(t) => (t.to_string(), None),
        None => {
            let (t, cookie) = csrf::new_login_token(state.config.tls)?;
            (t, Some(cookie))
        }
    };
    let page = LoginPage {
        error: error.map(|key| c.t(key)),
        token: csrf::mask(&token),
        c,
        login,
        next,
    };
    let mut res = (status, axum::response::Html(page.render()?)).into_response();
    if let Some(v) = set_cookie.and_then(|v| v.parse().ok()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

async fn login_page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    auth: Result<Auth, AppError>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let next = safe_next(q.get("next").map(String::as_str).unwrap_or("/"));
    if auth.is_ok() {
        return Ok(Redirect::to(&next).into_response());
    }
    login_form(
        &state,
        lang,
        &headers,
        StatusCode::OK,
        None,
        String::new(),
        next,
    )
}

async fn login(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let login = form.get("login").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let next = safe_next(form.get("next").map(String::as_str).unwrap_or("/"));
    // Login CSRF: a form posted from elsewhere (or from a page of another session) has no
    // token matching this browser's login cookie. The password is not even looked at.
    if !csrf::login_token_ok(&headers, form.get("csrf").map(String::as_str)) {
        let status = StatusCode::FORBIDDEN;
        return login_form(
            &state,
            lang,
            &headers,
            status,
            Some("error-login-form-expired"),
            login,
            next,
        );
    }
    match accounts::login(&state, &login, &password, &addr).await {
        Ok(s) => {
            let user_lang = Lang::parse(&s.user.lang).unwrap_or(lang);
            let mut res = Redirect::to(&next).into_response();
            let h = res.headers_mut();
            if let Ok(v) = auth::session_cookie(&s.token, state.config.tls).parse() {
                h.append(header::SET_COOKIE, v);
            }
            if let Ok(v) = auth::lang_cookie(user_lang, state.config.tls).parse() {
                h.append(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (AppError::BadCredentials | AppError::Throttled)) => login_form(
            &state,
            lang,
            &headers,
            e.status(),
            Some(e.message_key()),
            login,
            next,
        ),
        Err(e) => Err(e),
    }
}

async fn logout(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    if let Some(session) = &auth.session {
        accounts::logout(&state, session).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = auth::clear_session_cookie(state.config.tls).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// The language switch: remembered in a cookie, and in the account when signed in.
async fn switch_lang(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Result<Auth, AppError>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let lang = form
        .get("lang")
        .and_then(|l| Lang::parse(l))
        .ok_or(AppError::invalid("lang", "error-bad-choice"))?;
    if let Ok(auth) = &auth {
        accounts::set_lang(&state, &auth.user, lang.code()).await?;
    }
    // Back to the page the switch was on, when it is one of ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .map(|p| safe_next(&p))
        .unwrap_or_else(|| "/".to_string());
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = auth::lang_cookie(lang, state.config.tls).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Up when the database answers a read and takes a write (a full disk refuses only writes).
async fn healthz(State(state): State<AppState>) -> Response {
    let read = sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&state.db)
        .await;
    let problem = match read {
        Err(_) => Some("database unavailable"),
        Ok(_) => match crate::db::probe_write(&state.db).await {
            Ok(()) => None,
            Err(e) => {
                tracing::error!(error = %e, "health check: the database cannot write");
                Some("database cannot write")
            }
        },
    };
    match problem {
        None => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response(),
        Some(p) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": p})),
        )
            .into_response(),
    }
}

/// The Prometheus text; behind `Authorization: Bearer <PARSEC_METRICS_TOKEN>` when a token is
/// set (the figures tell an outsider how busy each page is).
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.config.metrics_token {
        use subtle::ConstantTimeEq;
        let given = auth::bearer(&headers).unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(expected.0.as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics: bearer token required\n",
            )
                .into_response();
        }
    }
    let mut body = state.metrics.render(state.db.size(), state.db.num_idle());
    // The custodies, counted against the legal deadlines: an alert rule fires on the overdue.
    if let Ok((running, alert, overdue)) =
        crate::custody::counts(&state, &crate::accounts::Scope::All).await
    {
        use std::fmt::Write;
        for (name, help, n) in [
            ("parsec_custody_running", "Custodies under way.", running),
            (
                "parsec_custody_alert",
                "Custodies within an alert before their deadline.",
                alert,
            ),
            (
                "parsec_custody_overdue",
                "Custodies past their deadline without an extension.",
                overdue,
            ),
        ] {
            let _ = writeln!(
                body,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {n}"
            );
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

async fn me(auth: Auth) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "login": auth.user.login,
        "display_name": auth.user.display_name,
        "role": auth.user.role.code(),
        "unit_id": auth.user.unit_id,
        "lang": auth.lang.code(),
    }))
}
