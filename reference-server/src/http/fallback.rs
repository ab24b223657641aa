//! Envelopes for what no handler produced: unknown routes, wrong methods, and any
//! bare error response from a layer (a body limit, a panic).

use animaforge_api::ErrorCode;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// 404 for a route that does not exist.
pub async fn not_found(request: Request) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("No route for {} {}", request.method(), request.uri().path()),
    )
}

/// 405 for a route that exists without this method.
pub async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{} is not allowed on {}",
            request.method(),
            request.uri().path()
        ),
    )
}

/// Middleware: replaces a non-JSON error response (status >= 400) with the envelope
/// of the matching code, keeping its headers (`Allow`, `Retry-After`, ...).
pub async fn envelope_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 || is_json(&response) {
        return response;
    }
    let code = match status {
        StatusCode::BAD_REQUEST => ErrorCode::ValidationError,
        StatusCode::UNAUTHORIZED => ErrorCode::AuthenticationError,
        StatusCode::FORBIDDEN => ErrorCode::AuthorizationError,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimitExceeded,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::ServiceUnavailable,
        _ => ErrorCode::InternalError,
    };
    let message = match code {
        ErrorCode::PayloadTooLarge => "The request body is too large".to_owned(),
        ErrorCode::InternalError => "An internal error occurred".to_owned(),
        _ => status.canonical_reason().unwrap_or("Error").to_owned(),
    };
    let (mut parts, _) = response.into_parts();
    let mut enveloped = ApiError::new(code, message).into_response();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in enveloped.headers() {
        parts.headers.insert(name.clone(), value.clone());
    }
    *enveloped.headers_mut() = parts.headers;
    *enveloped.status_mut() = status;
    enveloped
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Refuses a declared `Content-Length` past the JSON limit at once (413), instead of
/// waiting for a body that will be refused anyway. The upload route has its own limit
/// and checks it itself.
pub async fn declared_length(request: Request, next: Next) -> Response {
    let is_upload = request.method() == axum::http::Method::POST
        && request.uri().path().trim_end_matches('/') == "/v1/animations";
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if !is_upload && declared.is_some_and(|n| n > crate::app::JSON_BODY_LIMIT as u64) {
        return ApiError::new(
            animaforge_api::ErrorCode::PayloadTooLarge,
            "The request body is too large",
        )
        .into_response();
    }
    next.run(request).await
}
