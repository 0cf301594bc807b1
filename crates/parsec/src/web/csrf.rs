//! CSRF protection: every state-changing request made with the session cookie must carry the
//! session's token, in the `x-csrf-token` header or the `csrf` form field (the first field of
//! an upload, checked by `multipart_form`), and must not come from another origin. Requests with an API bearer token carry no cookie and need no token.
//!
//! Pages carry the token masked, differently each time (a random pad, then the token XOR the
//! pad): pages are gzipped and echo what a user typed, and a fixed secret beside echoed text
//! in compressed pages can be guessed from their sizes (BREACH).

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

/// The token as a page carries it: hex of a fresh random pad followed by the token XOR the pad.
pub fn mask(token: &str) -> String {
    let t = token.as_bytes();
    let mut pad = vec![0u8; t.len()];
    if getrandom::fill(&mut pad).is_err() {
        // No randomness: the token as it is (still checked, only not masked).
        return token.to_string();
    }
    let masked: Vec<u8> = t.iter().zip(&pad).map(|(a, p)| a ^ p).collect();
    pad.iter()
        .chain(&masked)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `given` is the session's token, masked (as the pages give it) or as it is.
fn matches(given: &[u8], expected: &[u8]) -> bool {
    if given.len() == expected.len() * 4 {
        let bytes: Option<Vec<u8>> = given
            .chunks(2)
            .map(|pair| {
                std::str::from_utf8(pair)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        if let Some(bytes) = bytes {
            let (pad, masked) = bytes.split_at(expected.len());
            let token: Vec<u8> = masked.iter().zip(pad).map(|(m, p)| m ^ p).collect();
            return bool::from(token.as_slice().ct_eq(expected));
        }
    }
    bool::from(given.ct_eq(expected))
}

/// The cookie that carries the login form's token before any session exists (double submit:
/// another site can make a browser post to `/login`, but cannot read this cookie to put its
/// value in the form).
pub const LOGIN_COOKIE: &str = "parsec_login";

/// A fresh login token, and the `Set-Cookie` value that gives it to the browser.
pub fn new_login_token(secure: bool) -> Result<(String, String), AppError> {
    let token = accounts::random_token()?;
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=43200{secure}"
    );
    Ok((token, cookie))
}

/// Whether a posted login form carries the token of the browser's login cookie.
pub fn login_token_ok(headers: &axum::http::HeaderMap, given: Option<&str>) -> bool {
    match (cookie(headers, LOGIN_COOKIE), given) {
        (Some(expected), Some(given)) if !expected.is_empty() => {
            matches(given.as_bytes(), expected.as_bytes())
        }
        _ => false,
    }
}

/// The session's token, for the upload handler to check against the form's first field.
#[derive(Clone)]
struct PendingToken(String);

/// The fields of an uploaded form, after its first field, which must be the session's token
/// (the pages put it first, so it is read before the file).
pub async fn multipart_form(
    request: Request,
    state: &AppState,
) -> Result<axum::extract::Multipart, AppError> {
    use axum::extract::FromRequest;
    let expected = request.extensions().get::<PendingToken>().cloned();
    let mut multipart = axum::extract::Multipart::from_request(request, state)
        .await
        .map_err(|_| AppError::invalid("file", "error-upload"))?;
    // A bearer client (no session) has no token to give.
    let Some(PendingToken(expected)) = expected else {
        return Ok(multipart);
    };
    let first = multipart.next_field().await.map_err(|_| AppError::Csrf)?;
    let given = match first {
        Some(field) if field.name() == Some("csrf") => {
            field.text().await.map_err(|_| AppError::Csrf)?
        }
        _ => return Err(AppError::Csrf),
    };
    if matches(given.as_bytes(), expected.as_bytes()) {
        Ok(multipart)
    } else {
        Err(AppError::Csrf)
    }
}

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
    // The login form is posted before any session exists: its handler checks the form's token
    // against the login cookie (`login_token_ok`), so that it can answer with the form.
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
        return if matches(given.as_bytes(), expected) {
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
        // A file upload: its body may be large and is not read here. The form's first field
        // is the token, which `multipart_form` checks before any file is read.
        let (mut parts, body) = req.into_parts();
        parts.extensions.insert(PendingToken(session.csrf.clone()));
        return Ok(Request::from_parts(parts, body));
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
        Some(g) if matches(g.as_bytes(), expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(AppError::Csrf),
    }
}

#[cfg(test)]
mod tests {
    use super::{mask, matches};

    #[test]
    fn a_masked_token_differs_every_time_and_still_matches() {
        let token = "9f86d081884c7d659a2feaa0c55ad015";
        let (a, b) = (mask(token), mask(token));
        assert_ne!(a, b);
        assert!(!a.contains(token));
        assert!(matches(a.as_bytes(), token.as_bytes()));
        assert!(matches(b.as_bytes(), token.as_bytes()));
        assert!(matches(token.as_bytes(), token.as_bytes()));
        let other = mask("0f86d081884c7d659a2feaa0c55ad015");
        assert!(!matches(other.as_bytes(), token.as_bytes()));
        assert!(!matches(b"", token.as_bytes()));
        assert!(!matches(&a.as_bytes()[2..], token.as_bytes()));
        let mut bad = a.into_bytes();
        bad[0] = b'z';
        assert!(!matches(&bad, token.as_bytes()));
    }
}
