//! The web layer: assembles each capability's routes into one router, adds the layers (metrics
//! and logs, error pages, CSRF, body limit) and serves it. Only this module and the capabilities'
//! `web` files know HTTP.

pub mod assets;
pub mod auth;
pub mod csrf;
pub mod download;
pub mod errors;
pub mod home;
pub mod metrics;
pub mod page;
pub mod serve;

pub use serve::serve;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;

use crate::app::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(home::router())
        .merge(crate::accounts::web::router())
        .merge(crate::registry::web::router())
        .merge(crate::registry::api::router())
        .merge(crate::fleet::web::router())
        .merge(crate::custody::web::router())
        .merge(crate::programme::web::router())
        .merge(crate::programme::budget_web::router())
        .merge(crate::audit::inspect_web::router())
        .merge(crate::registry::geo::router())
        .merge(crate::audit::web::router())
        .merge(crate::screening::web::router())
        .merge(crate::border::web::router())
        .merge(crate::incidents::web::router())
        .merge(crate::sync::transport::router())
        .merge(crate::sync::web::router())
        .route("/static/{name}", get(assets::serve))
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(DefaultBodyLimit::max(state.config.max_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            errors::render,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        // Outermost, so that error pages carry these headers too.
        .layer(middleware::from_fn(security_headers))
        // gzip for the browsers that ask (all do): on a slow link the map goes five times faster.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Headers that tell browsers to run only our own scripts and styles, never frame the pages,
/// and not guess content types.
async fn security_headers(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages hold personal data and one-time form keys: never kept by the browser or a proxy
    // (the Back button fetches a fresh form). The embedded assets set their own caching.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}
