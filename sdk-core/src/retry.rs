//! Backoff, server wait hints and the client-wide retry budget.

use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use http::HeaderMap;
use rand::Rng;

use crate::config::{RetryBudget, RetryPolicy};
use crate::response::{RateLimit, retry_after};

/// Statuses worth repeating a safe request for.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// The backoff before retry number `retry` (1 for the first retry).
pub(crate) fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    let exp = retry.saturating_sub(1).min(30);
    let ceiling = policy
        .base_backoff
        .saturating_mul(1u32 << exp)
        .min(policy.max_backoff);
    if policy.jitter && !ceiling.is_zero() {
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    } else {
        ceiling
    }
}

/// The wait the server asked for: `Retry-After`, else for 429 the time until
/// `X-RateLimit-Reset`.
pub(crate) fn server_hint(status: u16, headers: &HeaderMap) -> Option<Duration> {
    if let Some(wait) = retry_after(headers) {
        return Some(wait);
    }
    if status == 429 {
        let reset = RateLimit::from_headers(headers)?.reset?;
        return Some((reset - Utc::now()).to_std().unwrap_or(Duration::ZERO));
    }
    None
}

/// A token bucket bounding retries across all calls of a client.
#[derive(Debug)]
pub(crate) struct Budget {
    config: Option<RetryBudget>,
    tokens: Mutex<f64>,
}

impl Budget {
    pub(crate) fn new(config: Option<RetryBudget>) -> Budget {
        let tokens = config.map_or(0.0, |c| f64::from(c.capacity));
        Budget {
            config,
            tokens: Mutex::new(tokens),
        }
    }

    /// Takes a token for a retry; `false` when the bucket is empty.
    pub(crate) fn try_retry(&self) -> bool {
        if self.config.is_none() {
            return true;
        }
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub(crate) fn success(&self) {
        if let Some(config) = self.config {
            let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
            *tokens = (*tokens + config.refill_per_success).min(f64::from(config.capacity));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .jitter(false)
            .backoff(Duration::from_millis(100), Duration::from_millis(350));
        assert_eq!(backoff(&policy, 1), Duration::from_millis(100));
        assert_eq!(backoff(&policy, 2), Duration::from_millis(200));
        assert_eq!(backoff(&policy, 3), Duration::from_millis(350));
        assert_eq!(backoff(&policy, 40), Duration::from_millis(350));
        let jittered =
            RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_secs(1));
        for _ in 0..100 {
            assert!(backoff(&jittered, 2) <= Duration::from_millis(200));
        }
    }

    #[test]
    fn the_budget_empties_and_refills() {
        let budget = Budget::new(Some(RetryBudget {
            capacity: 2,
            refill_per_success: 0.5,
        }));
        assert!(budget.try_retry());
        assert!(budget.try_retry());
        assert!(!budget.try_retry());
        budget.success();
        budget.success();
        assert!(budget.try_retry());
    }
}
