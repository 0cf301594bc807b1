//! Turns errors into answers: a JSON body `{error, field, message}` under `/api/`, a page in the
//! user's language elsewhere, a redirect to the login page when a page needs a session. Internal
//! details are logged here and never shown.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::error::AppError;
use crate::web::auth::request_lang;
use crate::web::page::PageCtx;

/// What an `AppError` leaves in the response for `render` to finish.
#[derive(Debug, Clone)]
struct ErrorInfo {
    code: &'static str,
    key: &'static str,
    field: Option<&'static str>,
    /// Every refused field with its message key (a form's errors all at once).
    fields: Vec<(&'static str, &'static str)>,
    internal: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        let internal = match &self {
            AppError::Internal(d) => Some(d.clone()),
            _ => None,
        };
        res.extensions_mut().insert(ErrorInfo {
            code: self.code(),
            key: self.message_key(),
            field: self.field(),
            fields: self.problems(),
            internal,
        });
        res
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: PageCtx,
    message: String,
    status: u16,
}

pub async fn render(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let lang = request_lang(req.headers());
    let path = req.uri().path().to_string();
    let api = path.starts_with("/api/") || path == "/metrics";
    let session = crate::web::auth::cookie(req.headers(), crate::web::auth::SESSION_COOKIE)
        .map(str::to_string);
    let next_url = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let res = next.run(req).await;
    let status = res.status();
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None => {
            // Errors made by axum itself (no route, bad body, body too large) come as plain text.
            let plain = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|v| v.starts_with("text/plain"));
            if !(status.is_client_error() || status.is_server_error()) || !plain {
                return res;
            }
            let e = match status {
                StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => AppError::NotFound,
                StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
                s if s.is_client_error() => AppError::invalid("body", "error-bad-body"),
                _ => AppError::Internal(format!("status {status}")),
            };
            ErrorInfo {
                code: e.code(),
                key: e.message_key(),
                field: e.field(),
                fields: e.problems(),
                internal: None,
            }
        }
    };
    if let Some(detail) = &info.internal {
        tracing::error!(%path, %detail, "internal error");
    }
    let message = state.catalog.get(lang, info.key).to_string();
    if api {
        let fields: Vec<_> = info
            .fields
            .iter()
            .map(|(f, k)| serde_json::json!({"field": f, "message": state.catalog.get(lang, k)}))
            .collect();
        let body = serde_json::json!({"error": info.code, "field": info.field, "message": message, "fields": fields});
        return (status, axum::Json(body)).into_response();
    }
    if info.code == "unauthenticated" {
        let target = format!("/login?next={}", urlencode(&next_url));
        return Redirect::to(&target).into_response();
    }
    let mut c = PageCtx::anonymous(&state, lang);
    // A signed-in user's forms on this page (language switch, logout) need the session's token.
    if let Some(token) = session
        && let Ok(Some(s)) = crate::accounts::session(&state, &token).await
    {
        c.csrf = crate::web::csrf::mask(&s.csrf);
    }
    let page = ErrorPage {
        c,
        message,
        status: status.as_u16(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
