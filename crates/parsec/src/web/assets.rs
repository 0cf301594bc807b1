//! Static assets compiled into the binary: nothing is fetched from elsewhere.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "parsec.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/parsec.css"),
    ),
    (
        "parsec.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/parsec.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
];

pub async fn serve(Path(name): Path<String>) -> Result<Response, AppError> {
    let (_, mime, body) = ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        *body,
    )
        .into_response())
}
