//! Turning an error response into an [`Error`].

use std::time::Duration;

use animaforge_api::ErrorEnvelope;
use http::HeaderMap;

use crate::error::{Error, ErrorInfo};
use crate::response::{RateLimit, request_id, retry_after};

/// The code a status implies when the body is not an error envelope.
fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "VALIDATION_ERROR",
        401 => "AUTHENTICATION_ERROR",
        402 => "PAYMENT_DECLINED",
        403 => "AUTHORIZATION_ERROR",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "CONFLICT",
        413 => "PAYLOAD_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        429 => "RATE_LIMIT_EXCEEDED",
        500 => "INTERNAL_ERROR",
        502..=504 => "SERVICE_UNAVAILABLE",
        s if s >= 500 => "INTERNAL_ERROR",
        _ => "HTTP_ERROR",
    }
}

/// The error an error response stands for.
pub(crate) fn api_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let info = match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(envelope) => ErrorInfo {
            status,
            code: envelope.error.code.as_str().to_owned(),
            message: envelope.error.message,
            details: envelope.error.details,
            request_id: request_id(headers).or(Some(envelope.meta.request_id)),
        },
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let snippet: String = text.trim().chars().take(200).collect();
            let message = if snippet.is_empty() || snippet.starts_with('<') {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {snippet}")
            };
            ErrorInfo {
                status,
                code: code_for_status(status).to_owned(),
                message,
                details: None,
                request_id: request_id(headers),
            }
        }
    };
    from_info(info, headers)
}

fn from_info(info: ErrorInfo, headers: &HeaderMap) -> Error {
    let info = Box::new(info);
    match info.code.as_str() {
        "AUTHENTICATION_ERROR" => Error::Authentication(info),
        "AUTHORIZATION_ERROR" => Error::Authorization(info),
        "VALIDATION_ERROR" => {
            let field = info.details.as_ref().and_then(|d| d.field.clone());
            let constraint = info.details.as_ref().and_then(|d| d.constraint.clone());
            Error::Validation {
                info,
                field,
                constraint,
            }
        }
        "NOT_FOUND" => Error::NotFound(info),
        "CONFLICT" => Error::Conflict(info),
        "RATE_LIMIT_EXCEEDED" => {
            let limits = RateLimit::from_headers(headers);
            let retry_after = retry_after(headers).or_else(|| {
                info.details
                    .as_ref()
                    .and_then(|d| d.retry_after)
                    .map(Duration::from_secs)
            });
            Error::RateLimited {
                limit: limits.as_ref().and_then(|l| l.limit),
                remaining: limits.as_ref().and_then(|l| l.remaining),
                reset: limits.as_ref().and_then(|l| l.reset),
                retry_after,
                info,
            }
        }
        "PAYMENT_DECLINED" => Error::PaymentDeclined(info),
        "PAYLOAD_TOO_LARGE" => Error::PayloadTooLarge(info),
        "INTERNAL_ERROR" => Error::Internal(info),
        "SERVICE_UNAVAILABLE" => Error::ServiceUnavailable(info),
        _ => Error::Api(info),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_and_bare_statuses_map_to_variants() {
        let body = br#"{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid animation duration","details":{"field":"duration","constraint":"must be between 1 and 60"}},"meta":{"timestamp":"2025-01-15T10:30:00Z","request_id":"req_abc123"}}"#;
        let error = api_error(400, &HeaderMap::new(), body);
        assert_eq!(error.code(), "VALIDATION_ERROR");
        assert_eq!(error.request_id(), Some("req_abc123"));
        match &error {
            Error::Validation {
                field, constraint, ..
            } => {
                assert_eq!(field.as_deref(), Some("duration"));
                assert_eq!(constraint.as_deref(), Some("must be between 1 and 60"));
            }
            other => panic!("{other:?}"),
        }
        let error = api_error(503, &HeaderMap::new(), b"<html>bad gateway</html>");
        assert_eq!(error.code(), "SERVICE_UNAVAILABLE");
        assert!(error.is_retryable());
        assert_eq!(api_error(404, &HeaderMap::new(), b"").code(), "NOT_FOUND");
    }
}
