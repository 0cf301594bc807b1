//! CSRF protection: every state-changing request made with the session cookie must carry the
//! session's token, in the `x-csrf-token` header or the `csrf` form field, and must not come
//! from another origin. Requests with an API bearer token carry no cookie and need no token.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::accounts;
use crate::app::AppState;
use crate::error::AppError;
use crate::web::auth::{SESSION_COOKIE, bearer, cookie};

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match check(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn check(state: &AppState, req: Request) -> Result<Request, AppError> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !unsafe_method || bearer(req.headers()).is_some() {
        return Ok(req);
    }
    // A browser always names the origin of a cross-site POST: refuse any that is not ours.
    if let (Some(origin), Some(host)) = (
        req.headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok()),
        req.headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin != "null" && origin_host != host {
            return Err(AppError::Csrf);
        }
    }
    // The login form is posted before any session exists; it is protected by the origin check
    // above and the SameSite cookie.
    if req.uri().path() == "/login" {
        return Ok(req);
    }
    let Some(token) = cookie(req.headers(), SESSION_COOKIE).map(str::to_string) else {
        return Ok(req);
    };
    let Some(session) = accounts::session(state, &token).await? else {
        return Ok(req);
    };
    let expected = session.csrf.as_bytes();
    if let Some(given) = req.headers().get("x-csrf-token") {
        return if bool::from(given.as_bytes().ct_eq(expected)) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        // A file upload: its body may be large and is not read here; the page puts the token
        // in the form's address instead.
        let given = req
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
        return match given {
            Some(g) if bool::from(g.as_bytes().ct_eq(expected)) => Ok(req),
            _ => Err(AppError::Csrf),
        };
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, state.config.max_body)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let given = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    match given {
        Some(g) if bool::from(g.as_bytes().ct_eq(expected)) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(AppError::Csrf),
    }
}
