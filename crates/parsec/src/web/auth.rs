//! Who is asking: the session cookie or the API bearer token, turned into an `Auth` with the
//! user, the unit scope and the CSRF token. Only this file reads the session cookie.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use std::net::SocketAddr;

use crate::accounts::{self, Permission, Scope, Session, User};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "parsec_session";
pub const LANG_COOKIE: &str = "parsec_lang";

#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub scope: Scope,
    /// The session, when the request came with the cookie (None for bearer tokens).
    pub session: Option<Session>,
    pub lang: Lang,
    /// On a post out of touch with the regional node, for the pages' banner (None for the API).
    pub offline: Option<crate::sync::web::Offline>,
    /// The hits waiting for this reviewer's decision, for the menu (None: not a reviewer, or
    /// the API).
    pub to_review: Option<i64>,
}

impl Auth {
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.user.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn csrf(&self) -> &str {
        self.session.as_ref().map(|s| s.csrf.as_str()).unwrap_or("")
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The language of the page: the switch's cookie, then the browser's preference, then French.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().starts_with("en") {
        Lang::En
    } else {
        Lang::Fr
    }
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

pub fn lang_cookie(lang: Lang, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{secure}",
        lang.code()
    )
}

/// The client's address, for login throttling: the TCP peer; or, when that peer is one of our
/// trusted reverse proxies (`--trusted-proxy`), the last address it appended to
/// `X-Forwarded-For` (the earlier entries come from the client and can be forged, and so can
/// the whole header of a client that reaches the port directly).
pub fn client_address(parts: &Parts, trusted_proxies: &[std::net::IpAddr]) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    if let Some(p) = peer
        && trusted_proxies.contains(&p)
        && let Some(forwarded) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
    {
        return forwarded.to_string();
    }
    peer.map_or_else(|| "unknown".to_string(), |p| p.to_string())
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Auth> {
        if let Some(token) = bearer(&parts.headers) {
            let user = accounts::token_user(state, token)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            let scope = accounts::scope_of(&state.db, &user).await?;
            let lang = Lang::parse(&user.lang).unwrap_or(Lang::Fr);
            return Ok(Auth {
                user,
                scope,
                session: None,
                lang,
                offline: None,
                to_review: None,
            });
        }
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let session = accounts::session(state, token)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let scope = accounts::scope_of(&state.db, &session.user).await?;
        let lang = cookie(&parts.headers, LANG_COOKIE)
            .and_then(Lang::parse)
            .or_else(|| Lang::parse(&session.user.lang))
            .unwrap_or(Lang::Fr);
        let offline = crate::sync::web::offline(&state.db).await?;
        let to_review = if session.user.can(accounts::Permission::ReviewHits) {
            Some(crate::screening::waiting_review(&state.db, &scope).await?)
        } else {
            None
        };
        Ok(Auth {
            to_review,
            user: session.user.clone(),
            scope,
            session: Some(session),
            lang,
            offline,
        })
    }
}

/// The request's language, for pages that need no login.
pub struct ReqLang(pub Lang);

impl FromRequestParts<AppState> for ReqLang {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> AppResult<ReqLang> {
        Ok(ReqLang(request_lang(&parts.headers)))
    }
}

/// The client's address as an extractor.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<ClientAddr> {
        Ok(ClientAddr(client_address(
            parts,
            &state.config.trusted_proxies,
        )))
    }
}
