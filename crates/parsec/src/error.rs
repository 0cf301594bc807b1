//! The one error type of the application. User errors carry a message key from the catalogue
//! (and the field at fault); internal errors carry their detail for the log only. `web` turns
//! an `AppError` into a page or a JSON body in the user's language.

use axum::http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("invalid {field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// Several fields refused at once: a form reports every error in one answer.
    #[error("invalid fields: {0:?}")]
    Invalids(Vec<(&'static str, &'static str)>),
    #[error("conflict on {field}: {key}")]
    Conflict {
        field: &'static str,
        key: &'static str,
    },
    #[error("too many failed logins")]
    Throttled,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("request body too large")]
    TooLarge,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &'static str, key: &'static str) -> Self {
        AppError::Invalid { field, key }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Invalid { .. } | AppError::Invalids(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short machine code of the JSON API (`{"error": code}`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::Invalid { .. } | AppError::Invalids(_) => "invalid",
            AppError::Conflict { .. } => "conflict",
            AppError::Throttled => "throttled",
            AppError::BadCredentials => "bad_credentials",
            AppError::TooLarge => "too_large",
            AppError::Internal(_) => "internal",
        }
    }

    /// The catalogue key of the message shown to the user.
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error-not-found",
            AppError::Unauthenticated => "error-unauthenticated",
            AppError::Forbidden => "error-forbidden",
            AppError::Csrf => "error-csrf",
            AppError::Invalid { key, .. } | AppError::Conflict { key, .. } => key,
            AppError::Invalids(all) => all.first().map_or("error-bad-body", |(_, k)| k),
            AppError::Throttled => "error-throttled",
            AppError::BadCredentials => "error-bad-credentials",
            AppError::TooLarge => "error-too-large",
            AppError::Internal(_) => "error-internal",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Conflict { field, .. } => Some(field),
            AppError::Invalids(all) => all.first().map(|(f, _)| *f),
            _ => None,
        }
    }

    /// The user's own mistakes (a form shows them at their fields), as opposed to what the
    /// user cannot fix by typing.
    pub fn is_user(&self) -> bool {
        matches!(
            self,
            AppError::Invalid { .. } | AppError::Invalids(_) | AppError::Conflict { .. }
        )
    }

    /// The same error said of another field (a service's `name` is a form's `surname`).
    pub fn renamed(self, from: &str, to: &'static str) -> AppError {
        let rename = |f: &'static str| if f == from { to } else { f };
        match self {
            AppError::Invalid { field, key } => AppError::Invalid {
                field: rename(field),
                key,
            },
            AppError::Invalids(all) => {
                AppError::Invalids(all.into_iter().map(|(f, k)| (rename(f), k)).collect())
            }
            e => e,
        }
    }

    /// Each refused field with its message key, in the form's order.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        match self {
            AppError::Invalid { field, key } | AppError::Conflict { field, key } => {
                vec![(field, key)]
            }
            AppError::Invalids(all) => all.clone(),
            _ => Vec::new(),
        }
    }
}

/// Collects a form's refused fields so that one answer names them all: each reading gives its
/// value, or a stand-in while its error is kept; an error that is not the user's goes on at
/// once.
#[derive(Debug, Default)]
pub struct Problems(Vec<(&'static str, &'static str)>);

impl Problems {
    pub fn or<T>(&mut self, r: AppResult<T>, stand_in: T) -> AppResult<T> {
        match r {
            Ok(v) => Ok(v),
            Err(e) if e.is_user() => {
                for p in e.problems() {
                    self.add(p.0, p.1);
                }
                Ok(stand_in)
            }
            Err(e) => Err(e),
        }
    }

    pub fn or_default<T: Default>(&mut self, r: AppResult<T>) -> AppResult<T> {
        self.or(r, T::default())
    }

    /// A field's error (its first one only: the user fixes one thing at a time per field).
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        if !self.0.iter().any(|(f, _)| *f == field) {
            self.0.push((field, key));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value read, or every error kept.
    pub fn finish<T>(self, value: T) -> AppResult<T> {
        match self.0.len() {
            0 => Ok(value),
            1 => Err(AppError::invalid(self.0[0].0, self.0[0].1)),
            _ => Err(AppError::Invalids(self.0)),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(format!("database: {e}"))
    }
}

impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        AppError::Internal(format!("migration: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("task: {e}"))
    }
}

impl From<crate::pdf::PdfError> for AppError {
    fn from(e: crate::pdf::PdfError) -> Self {
        AppError::Internal(format!("pdf: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;
