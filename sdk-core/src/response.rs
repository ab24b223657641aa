//! What a response says besides its data: request id, rate limit.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;

/// The rate-limit state the server reported (`X-RateLimit-*` headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset: Option<DateTime<Utc>>,
}

impl RateLimit {
    /// The rate limit in `headers`, if any of its headers is there.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let limit = header_u64(headers, "x-ratelimit-limit");
        let remaining = header_u64(headers, "x-ratelimit-remaining");
        let reset = header_u64(headers, "x-ratelimit-reset").and_then(reset_time);
        if limit.is_none() && remaining.is_none() && reset.is_none() {
            return None;
        }
        Some(RateLimit {
            limit,
            remaining,
            reset,
        })
    }
}

/// Metadata of one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `X-Request-Id` (or `meta.request_id` of the envelope).
    pub request_id: Option<String>,
    /// The rate-limit headers of this response.
    pub rate_limit: Option<RateLimit>,
    /// `Retry-After`, when the server sent it.
    pub retry_after: Option<Duration>,
    /// Attempts the call took.
    pub attempts: u32,
}

/// Data together with the metadata of the response that carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The data.
    pub data: T,
    /// The response's metadata.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The request id.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }

    /// The rate-limit state of this response.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.meta.rate_limit.as_ref()
    }

    /// Converts the data, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            meta: self.meta,
        }
    }
}

pub(crate) fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

pub(crate) fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_str(headers, name).and_then(|v| v.parse().ok())
}

/// `X-RateLimit-Reset` is a Unix time; small values are read as seconds from now.
fn reset_time(value: u64) -> Option<DateTime<Utc>> {
    if value < 1_000_000_000 {
        Some(Utc::now() + chrono::Duration::seconds(i64::try_from(value).ok()?))
    } else {
        DateTime::from_timestamp(i64::try_from(value).ok()?, 0)
    }
}

/// `Retry-After`: delta seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_str(headers, "retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - Utc::now()).to_std().unwrap_or(Duration::ZERO))
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "x-request-id").map(str::to_owned)
}
