//! Client configuration: environments, timeouts, the retry policy.

use std::time::Duration;

/// The API deployments, with their base URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Environment {
    /// `https://api.animaforge.dev/v1` (the default).
    #[default]
    Production,
    /// `https://staging-api.animaforge.dev/v1`.
    Staging,
    /// `http://localhost:8080/v1`, a reference server on this machine.
    Development,
}

impl Environment {
    /// The base URL of the environment, `/v1` included.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Production => "https://api.animaforge.dev/v1",
            Environment::Staging => "https://staging-api.animaforge.dev/v1",
            Environment::Development => "http://localhost:8080/v1",
        }
    }
}

/// When and how often a failed request is repeated.
///
/// Only requests that are safe to repeat are retried: `GET`, `PUT`, `DELETE`, and `POST`s
/// that carry an `Idempotency-Key`. Any request is retried when the connection could not be
/// made at all (nothing was sent). Retried failures are connection errors, 429, 500, 502,
/// 503 and 504. The delay is the server's `Retry-After` (or, for 429, the time until
/// `X-RateLimit-Reset`) when it sent one, otherwise exponential backoff with full jitter.
/// Every delay counts against the call's total timeout; a delay that would pass it is not
/// taken and the last error is returned.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries). Default 4.
    pub max_attempts: u32,
    /// The backoff before the first retry, doubled for each further one. Default 500 ms.
    pub base_backoff: Duration,
    /// The largest backoff. Default 10 s.
    pub max_backoff: Duration,
    /// Full jitter: each backoff is uniformly random between 0 and its ceiling. Default on.
    pub jitter: bool,
    /// The longest server-requested wait that is honoured; a longer `Retry-After` ends
    /// the call with the rate-limit error instead. Default 60 s.
    pub max_retry_after: Duration,
    /// A client-wide token bucket that bounds retries when many calls fail at once;
    /// `None` disables it. Default: 20 tokens, one per retry, half a token back per
    /// success.
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
            budget: Some(RetryBudget::default()),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the attempts in all.
    pub fn max_attempts(mut self, attempts: u32) -> RetryPolicy {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first and the largest backoff.
    pub fn backoff(mut self, base: Duration, max: Duration) -> RetryPolicy {
        self.base_backoff = base;
        self.max_backoff = max.max(base);
        self
    }

    /// Turns full jitter on or off.
    pub fn jitter(mut self, jitter: bool) -> RetryPolicy {
        self.jitter = jitter;
        self
    }

    /// Sets the client-wide retry budget.
    pub fn budget(mut self, budget: Option<RetryBudget>) -> RetryPolicy {
        self.budget = budget;
        self
    }
}

/// A token bucket shared by every call of a client: a retry takes a token, a success
/// gives some back, and no retry happens while the bucket is empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    /// Tokens when full.
    pub capacity: u32,
    /// Tokens returned by each successful response.
    pub refill_per_success: f64,
}

impl Default for RetryBudget {
    fn default() -> RetryBudget {
        RetryBudget {
            capacity: 20,
            refill_per_success: 0.5,
        }
    }
}

/// Default total deadline of one call, all attempts and waits included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("animaforge-rust/", env!("CARGO_PKG_VERSION"));
/// Environment variable read for the API key when none is given.
pub const ENV_API_KEY: &str = "ANIMAFORGE_API_KEY";
/// Environment variable read for the base URL when none is given.
pub const ENV_BASE_URL: &str = "ANIMAFORGE_BASE_URL";
