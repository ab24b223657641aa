//! [`ApiError`]: every failure a handler returns, rendered as the error envelope.

use animaforge_api::{ErrorCode, ErrorDetails};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::envelope::error_response;

/// An error as the API reports it: a code, a message for people, optional details,
/// and for internal errors a cause that is logged with the request id and never sent.
#[derive(Debug)]
pub struct ApiError {
    /// The stable code; decides the HTTP status.
    pub code: ErrorCode,
    /// Human-readable explanation, safe to show.
    pub message: String,
    /// Field, constraint, retry-after or resource id (boxed: errors stay small).
    pub details: Option<Box<ErrorDetails>>,
    /// Extra response headers (`Retry-After`, ...).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    source: Option<anyhow::Error>,
}

/// What handlers return.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            details: None,
            headers: vec![],
            source: None,
        }
    }

    /// `VALIDATION_ERROR` naming the field and the rule it broke.
    pub fn validation(field: impl Into<String>, constraint: impl Into<String>) -> ApiError {
        let field = field.into();
        let constraint = constraint.into();
        ApiError::new(
            ErrorCode::ValidationError,
            format!("Invalid value for {field}: {constraint}"),
        )
        .with_details(ErrorDetails {
            field: Some(field),
            constraint: Some(constraint),
            ..ErrorDetails::default()
        })
    }

    /// `NOT_FOUND` for a kind of resource (`"Animation"`).
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// `AUTHENTICATION_ERROR`.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::AuthenticationError, message)
    }

    /// `AUTHORIZATION_ERROR`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::AuthorizationError, message)
    }

    /// `CONFLICT` about a field.
    pub fn conflict(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Conflict, message).with_details(ErrorDetails {
            field: Some(field.to_owned()),
            constraint: Some("must be unique".to_owned()),
            ..ErrorDetails::default()
        })
    }

    /// `INTERNAL_ERROR` whose cause is logged, not sent.
    pub fn internal(cause: impl Into<anyhow::Error>) -> ApiError {
        let mut e = ApiError::new(ErrorCode::InternalError, "An internal error occurred");
        e.source = Some(cause.into());
        e
    }

    /// Replaces the details.
    pub fn with_details(mut self, details: ErrorDetails) -> ApiError {
        self.details = Some(Box::new(details));
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> ApiError {
        self.headers.push((name, value));
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        ApiError::internal(err)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> ApiError {
        ApiError::internal(err)
    }
}

impl From<object_store::Error> for ApiError {
    fn from(err: object_store::Error) -> ApiError {
        ApiError::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.source {
            tracing::error!(
                request_id = %super::current_request_id(),
                error = format!("{cause:#}"),
                "internal error"
            );
        }
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response =
            error_response(status, self.code, self.message, self.details.map(|d| *d));
        if self.code == ErrorCode::PayloadTooLarge {
            // The unread rest of the body makes the connection unusable.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                HeaderValue::from_static("close"),
            );
        }
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
