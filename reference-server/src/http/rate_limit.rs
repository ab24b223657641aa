//! Rate limiting by account tier, or by client address for anonymous callers.
//!
//! Two fixed windows, both counted in the database (shared by every process):
//! the hourly quota (windows aligned to the hour) and the burst (windows of
//! `--rate-limit-burst-window` seconds, default 1). A request is refused with 429 when
//! either count exceeds its limit; refused requests count too. Every response carries
//! `X-RateLimit-Limit` (the hourly quota), `X-RateLimit-Remaining` (left this hour) and
//! `X-RateLimit-Reset` (unix time the hour window ends). The health check and the spec
//! spend no quota, only burst; signed file URLs (`/v1/files/...`) spend neither. With
//! limiting switched off the headers still go out, reporting the full quota.

use std::net::SocketAddr;

use animaforge_api::{ErrorCode, ErrorDetails, Tier};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::Caller;
use super::error::ApiError;
use crate::app::AppState;
use crate::config::RateLimitConfig;
use crate::store::rate_limits;

/// Signed file URLs are not metered: the signature already limits them, and a page of
/// thumbnails would otherwise spend an anonymous caller's burst at once.
pub const UNMETERED_PREFIX: &str = "/v1/files/";

/// Paths that spend burst but no quota: probes and tooling call them often.
pub const BURST_ONLY_PATHS: &[&str] = &["/v1/health", "/v1/openapi.json"];

/// What a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metering {
    /// Quota and burst.
    Full,
    /// Burst only.
    BurstOnly,
    /// Nothing; the headers still report the quota.
    None,
}

fn metering(path: &str) -> Metering {
    if path.starts_with(UNMETERED_PREFIX) {
        Metering::None
    } else if BURST_ONLY_PATHS.contains(&path) {
        Metering::BurstOnly
    } else {
        Metering::Full
    }
}

/// Length of the quota window.
pub const QUOTA_WINDOW_SECS: i64 = 3600;

/// Hourly quota and burst of one kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests per hour.
    pub hourly: u64,
    /// Requests per burst window.
    pub burst: u64,
}

/// The limits of a tier, or of anonymous callers (`None`).
pub fn limits_for(config: &RateLimitConfig, tier: Option<Tier>) -> Limits {
    match tier {
        Some(Tier::Free) => Limits {
            hourly: config.rate_limit_free_hourly,
            burst: config.rate_limit_free_burst,
        },
        Some(Tier::Pro) => Limits {
            hourly: config.rate_limit_pro_hourly,
            burst: config.rate_limit_pro_burst,
        },
        Some(Tier::Enterprise) => Limits {
            hourly: config.rate_limit_enterprise_hourly,
            burst: config.rate_limit_enterprise_burst,
        },
        None => Limits {
            hourly: config.rate_limit_anonymous_hourly,
            burst: config.rate_limit_anonymous_burst,
        },
    }
}

/// Middleware: counts the request and refuses it past the limits.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let config = &state.config.rate_limits;
    let metering = if config.disabled {
        Metering::None
    } else {
        metering(request.uri().path())
    };
    let (bucket, limits) = match request.extensions().get::<Caller>() {
        Some(Caller::User(user)) => (
            format!("user:{}", user.id),
            limits_for(config, Some(user.tier)),
        ),
        _ => {
            let ip = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into());
            (format!("ip:{ip}"), limits_for(config, None))
        }
    };

    let now = chrono::Utc::now().timestamp();
    let burst_secs = i64::try_from(config.rate_limit_burst_window_secs.max(1)).unwrap_or(1);
    let quota_window = now - now.rem_euclid(QUOTA_WINDOW_SECS);
    let burst_window = now - now.rem_euclid(burst_secs);
    let reset = quota_window + QUOTA_WINDOW_SECS;
    let counted = match metering {
        Metering::Full => rate_limits::hit(&state.store, &bucket, quota_window, burst_window).await,
        Metering::BurstOnly => {
            rate_limits::hit_burst(&state.store, &bucket, quota_window, burst_window).await
        }
        Metering::None if config.disabled => Ok((0, 0)),
        Metering::None => rate_limits::peek_quota(&state.store, &bucket, quota_window)
            .await
            .map(|quota| (quota, 0)),
    };
    let (quota_count, burst_count) = match counted {
        Ok(counts) => counts,
        Err(err) => {
            tracing::warn!(error = %err, "rate-limit counter unavailable; request let through");
            return next.run(request).await;
        }
    };
    let quota_count = u64::try_from(quota_count).unwrap_or(u64::MAX);
    let burst_count = u64::try_from(burst_count).unwrap_or(u64::MAX);
    let remaining = limits.hourly.saturating_sub(quota_count);

    let retry_after = if metering == Metering::Full && quota_count > limits.hourly {
        Some(((reset - now).max(1), "hourly"))
    } else if metering != Metering::None && burst_count > limits.burst {
        Some(((burst_window + burst_secs - now).max(1), "burst"))
    } else {
        None
    };
    let mut response = match retry_after {
        Some((secs, which)) => {
            let secs = u64::try_from(secs).unwrap_or(1);
            ApiError::new(
                ErrorCode::RateLimitExceeded,
                format!("Rate limit exceeded ({which} limit); retry in {secs} s"),
            )
            .with_details(ErrorDetails {
                retry_after: Some(secs),
                ..ErrorDetails::default()
            })
            .with_header(header::RETRY_AFTER, HeaderValue::from(secs))
            .into_response()
        }
        None => next.run(request).await,
    };
    set_headers(response.headers_mut(), limits.hourly, remaining, reset);
    response
}

fn set_headers(headers: &mut HeaderMap, limit: u64, remaining: u64, reset: i64) {
    headers.insert(
        HeaderName::from_static("x-ratelimit-limit"),
        HeaderValue::from(limit),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-remaining"),
        HeaderValue::from(remaining),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-reset"),
        HeaderValue::from(reset),
    );
}
