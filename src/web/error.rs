//! The one error type of request handlers, and how each kind answers.
//!
//! Handlers return `Result<_, AppError>`. An error answers with its status and an `ErrorPage` marker;
//! the error-page middleware renders the page in the visitor's language and layout.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Also the answer when something exists but the visitor may not know that.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// The request could not be read (malformed form, wrong content type); a form with wrong values is
    /// answered by its own page with messages next to the fields, not by this.
    #[error("unprocessable request: {0}")]
    Unprocessable(String),
    #[error("request too large")]
    TooLarge,
    /// The body did not arrive within the deadline (`web::deadline`).
    #[error("request body too slow")]
    TooSlow,
    #[error("login required")]
    LoginRequired { next: String },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Marks a response whose body the error-page middleware renders.
#[derive(Clone, Copy, Debug)]
pub struct ErrorPage(pub StatusCode);

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::LoginRequired { next } => {
                let target = format!(
                    "/inloggen?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                HttpResponse::SeeOther()
                    .insert_header((LOCATION, target))
                    .finish()
            }
            _ => {
                match self {
                    AppError::Internal(e) => tracing::error!(error = ?e, "internal error"),
                    AppError::Unavailable(e) => tracing::warn!(error = %e, "unavailable"),
                    AppError::Unprocessable(e) => {
                        tracing::info!(error = %e, "unprocessable request")
                    }
                    _ => {}
                }
                let mut res = HttpResponse::new(self.status_code());
                res.extensions_mut().insert(ErrorPage(self.status_code()));
                res
            }
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::domain::DomainError> for AppError {
    fn from(e: crate::domain::DomainError) -> Self {
        use crate::domain::DomainError;
        match e {
            DomainError::Missing(_) => AppError::NotFound,
            DomainError::Rule(rule) => AppError::Unprocessable(rule.into()),
            DomainError::Database(e) => e.into(),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database pool: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("template: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task: {e}"))
    }
}
