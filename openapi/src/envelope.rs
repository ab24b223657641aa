//! The success and error envelopes every JSON response is wrapped in.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Response metadata: when the response was produced and the id of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Meta {
    /// When the server produced the response.
    pub timestamp: DateTime<Utc>,
    /// The request id, also sent as the `X-Request-Id` header.
    pub request_id: String,
}

/// `{success: true, data, meta}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Always `true`.
    pub success: bool,
    /// The payload.
    pub data: T,
    /// Response metadata.
    pub meta: Meta,
}

/// `{success: false, error, meta}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorEnvelope {
    /// Always `false`.
    pub success: bool,
    /// What went wrong.
    pub error: ApiError,
    /// Response metadata.
    pub meta: Meta,
}

/// The body of an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApiError {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// Which input was wrong and why, where that applies.
    pub details: Option<ErrorDetails>,
}

/// Details of an error, chiefly for validation errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetails {
    /// The offending field, as a dotted path with `[i]` for array items (`config.duration`, `tags[0]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The rule the value broke (`must be between 1 and 60`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Seconds to wait before retrying (rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The id of the resource the error is about (conflicts, job failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

/// Stable error codes. Each has one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// 401: invalid or missing API key or token.
    AuthenticationError,
    /// 403: authenticated, but not allowed.
    AuthorizationError,
    /// 400: invalid request data.
    ValidationError,
    /// 404: resource or route not found.
    NotFound,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 409: the request conflicts with the current state (duplicate username, ...).
    Conflict,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 415: the body has a content type the operation does not take.
    UnsupportedMediaType,
    /// 402: the payment method was declined.
    PaymentDeclined,
    /// 429: too many requests.
    RateLimitExceeded,
    /// 500: server error.
    InternalError,
    /// 502: the payment provider failed; safe to retry with the same idempotency key.
    PaymentProviderError,
    /// 503: a dependency (database, renderer) is unavailable.
    ServiceUnavailable,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::AuthenticationError,
        ErrorCode::AuthorizationError,
        ErrorCode::ValidationError,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::PaymentDeclined,
        ErrorCode::RateLimitExceeded,
        ErrorCode::InternalError,
        ErrorCode::PaymentProviderError,
        ErrorCode::ServiceUnavailable,
    ];

    /// The HTTP status that goes with the code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::AuthenticationError => 401,
            ErrorCode::AuthorizationError => 403,
            ErrorCode::ValidationError => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::PaymentDeclined => 402,
            ErrorCode::RateLimitExceeded => 429,
            ErrorCode::InternalError => 500,
            ErrorCode::PaymentProviderError => 502,
            ErrorCode::ServiceUnavailable => 503,
        }
    }

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AuthenticationError => "AUTHENTICATION_ERROR",
            ErrorCode::AuthorizationError => "AUTHORIZATION_ERROR",
            ErrorCode::ValidationError => "VALIDATION_ERROR",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::PaymentDeclined => "PAYMENT_DECLINED",
            ErrorCode::RateLimitExceeded => "RATE_LIMIT_EXCEEDED",
            ErrorCode::InternalError => "INTERNAL_ERROR",
            ErrorCode::PaymentProviderError => "PAYMENT_PROVIDER_ERROR",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `data` of operations that only confirm: `{message}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MessageResponse {
    /// What happened.
    pub message: String,
}
