//! The one error type of the client, with a stable code per variant.

use std::time::Duration;

use animaforge_api::{ErrorDetails, JobError, JobStatus};
use chrono::{DateTime, Utc};

/// What the server said about a failed request.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    /// HTTP status of the response.
    pub status: u16,
    /// The wire code (`VALIDATION_ERROR`, ...), or the code the status implies when the
    /// body was not an error envelope.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Details the server sent (field, constraint, retry-after, resource id).
    pub details: Option<ErrorDetails>,
    /// The request id (`meta.request_id` or the `X-Request-Id` header).
    pub request_id: Option<String>,
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} {})", self.message, self.status, self.code)?;
        if let Some(id) = &self.request_id {
            write!(f, " [request {id}]")?;
        }
        Ok(())
    }
}

/// Why a webhook delivery was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookErrorKind {
    /// No signature header and no `signature` member in the body.
    MissingSignature,
    /// A signature header is present but not in the expected form.
    MalformedSignature,
    /// No secret produced a matching signature.
    SignatureMismatch,
    /// The timestamp is older than the tolerance allows.
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance allows.
    TimestampInFuture,
    /// The timestamp is missing or unreadable.
    MissingTimestamp,
    /// The body is not a webhook event.
    InvalidPayload,
    /// No secrets were given, or a secret is unusable.
    InvalidSecret,
}

/// Every error the client returns.
///
/// [`Error::code`] gives a stable string for each variant, the same in every language
/// binding: the server's code for API errors (`VALIDATION_ERROR`, ...), and
/// `CONNECTION_ERROR`, `TIMEOUT`, `DECODE_ERROR`, `JOB_FAILED`, `JOB_TIMEOUT`,
/// `WEBHOOK_VERIFICATION_ERROR`, `PAGINATION_ERROR`, `INCOMPLETE_DOWNLOAD`,
/// `CONFIGURATION_ERROR` and `CANCELLED` for what happens on the client side.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: invalid or missing API key or token.
    #[error("authentication failed: {0}")]
    Authentication(Box<ErrorInfo>),
    /// 403: authenticated, but not allowed.
    #[error("not allowed: {0}")]
    Authorization(Box<ErrorInfo>),
    /// 400: invalid request data.
    #[error("invalid request: {info}")]
    Validation {
        /// The server's answer.
        info: Box<ErrorInfo>,
        /// The offending field, as a dotted path.
        field: Option<String>,
        /// The rule the value broke.
        constraint: Option<String>,
    },
    /// 404: resource or route not found.
    #[error("not found: {0}")]
    NotFound(Box<ErrorInfo>),
    /// 409: the request conflicts with the current state.
    #[error("conflict: {0}")]
    Conflict(Box<ErrorInfo>),
    /// 429: too many requests.
    #[error("rate limited: {info}")]
    RateLimited {
        /// The server's answer.
        info: Box<ErrorInfo>,
        /// `X-RateLimit-Limit`.
        limit: Option<u64>,
        /// `X-RateLimit-Remaining`.
        remaining: Option<u64>,
        /// `X-RateLimit-Reset`.
        reset: Option<DateTime<Utc>>,
        /// `Retry-After` (or `details.retry_after`).
        retry_after: Option<Duration>,
    },
    /// 402: the payment method was declined.
    #[error("payment declined: {0}")]
    PaymentDeclined(Box<ErrorInfo>),
    /// 413: the body is larger than the server accepts.
    #[error("payload too large: {0}")]
    PayloadTooLarge(Box<ErrorInfo>),
    /// 500: server error.
    #[error("server error: {0}")]
    Internal(Box<ErrorInfo>),
    /// 502, 503, 504: the server or a dependency is unavailable.
    #[error("service unavailable: {0}")]
    ServiceUnavailable(Box<ErrorInfo>),
    /// Any other API error (405, 415, a code this version does not know).
    #[error("API error: {0}")]
    Api(Box<ErrorInfo>),
    /// The connection failed or broke.
    #[error("{message}")]
    Connection {
        /// What happened, naming the server tried (scheme, host and port; never a path,
        /// query or credentials): `could not connect to http://127.0.0.1:8080:
        /// connection refused`.
        message: String,
        /// Whether the request was certainly not sent (the connection was never made).
        before_send: bool,
    },
    /// The call's total deadline passed.
    #[error("{}", timeout_text(*elapsed, *attempts, origin.as_deref()))]
    Timeout {
        /// Time spent on the call.
        elapsed: Duration,
        /// Attempts made.
        attempts: u32,
        /// The server waited for (scheme, host and port), when a request was under way.
        origin: Option<String>,
    },
    /// The response could not be read as the expected type.
    #[error("could not decode the response: {message}")]
    Decode {
        /// What was wrong.
        message: String,
        /// HTTP status of the response.
        status: Option<u16>,
        /// The request id.
        request_id: Option<String>,
    },
    /// A job ended `failed` or `cancelled`.
    #[error("job {job_id} ended {status}{}", error.as_ref().map(|e| format!(": {}", e.message)).unwrap_or_default())]
    JobFailed {
        /// `job_...`.
        job_id: String,
        /// `failed` or `cancelled`.
        status: JobStatus,
        /// The job's last log lines, oldest first.
        last_logs: Vec<String>,
        /// Why it failed, when the server said.
        error: Option<JobError>,
    },
    /// Waiting for a job passed its timeout.
    #[error("gave up waiting for job {job_id} (last status {last_status}){}", if *cancelled { "; the job was cancelled" } else { "; the job keeps running" })]
    JobTimeout {
        /// `job_...`.
        job_id: String,
        /// The last status seen.
        last_status: JobStatus,
        /// Whether the job was cancelled on timeout.
        cancelled: bool,
    },
    /// A webhook delivery could not be verified.
    #[error("webhook verification failed: {message}")]
    WebhookVerification {
        /// Why.
        kind: WebhookErrorKind,
        /// What to do about it.
        message: String,
    },
    /// A list returned a page it had returned before, or did not advance.
    #[error("pagination error: {message}")]
    Pagination {
        /// What was seen.
        message: String,
    },
    /// A download ended before `Content-Length` bytes arrived (or went past it).
    #[error("download incomplete: {received} of {expected} bytes")]
    IncompleteDownload {
        /// `Content-Length`.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// The client configuration or an argument is invalid.
    #[error("configuration error: {message}")]
    Configuration {
        /// What is wrong.
        message: String,
    },
    /// A local file could not be read or written.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The caller cancelled the operation.
    #[error("cancelled")]
    Cancelled,
}

/// `timed out after 5.0 s waiting for http://127.0.0.1:8080 (1 attempt)`.
fn timeout_text(elapsed: Duration, attempts: u32, origin: Option<&str>) -> String {
    let mut text = format!("timed out after {:.1} s", elapsed.as_secs_f64());
    if let Some(origin) = origin {
        text.push_str(&format!(" waiting for {origin}"));
    }
    match attempts {
        0 => {}
        1 => text.push_str(" (1 attempt)"),
        n => text.push_str(&format!(" ({n} attempts)")),
    }
    text
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The stable code of the error.
    pub fn code(&self) -> &str {
        match self {
            Error::Authentication(i)
            | Error::Authorization(i)
            | Error::NotFound(i)
            | Error::Conflict(i)
            | Error::PaymentDeclined(i)
            | Error::PayloadTooLarge(i)
            | Error::Internal(i)
            | Error::ServiceUnavailable(i)
            | Error::Api(i)
            | Error::Validation { info: i, .. }
            | Error::RateLimited { info: i, .. } => &i.code,
            Error::Connection { .. } => "CONNECTION_ERROR",
            Error::Timeout { .. } => "TIMEOUT",
            Error::Decode { .. } => "DECODE_ERROR",
            Error::JobFailed { .. } => "JOB_FAILED",
            Error::JobTimeout { .. } => "JOB_TIMEOUT",
            Error::WebhookVerification { .. } => "WEBHOOK_VERIFICATION_ERROR",
            Error::Pagination { .. } => "PAGINATION_ERROR",
            Error::IncompleteDownload { .. } => "INCOMPLETE_DOWNLOAD",
            Error::Configuration { .. } => "CONFIGURATION_ERROR",
            Error::Io { .. } => "IO_ERROR",
            Error::Cancelled => "CANCELLED",
        }
    }

    /// What the server said, for errors that came from a response.
    pub fn info(&self) -> Option<&ErrorInfo> {
        match self {
            Error::Authentication(i)
            | Error::Authorization(i)
            | Error::NotFound(i)
            | Error::Conflict(i)
            | Error::PaymentDeclined(i)
            | Error::PayloadTooLarge(i)
            | Error::Internal(i)
            | Error::ServiceUnavailable(i)
            | Error::Api(i)
            | Error::Validation { info: i, .. }
            | Error::RateLimited { info: i, .. } => Some(i),
            _ => None,
        }
    }

    /// The HTTP status, for errors that came from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } => *status,
            _ => self.info().map(|i| i.status),
        }
    }

    /// The request id, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => self.info().and_then(|i| i.request_id.as_deref()),
        }
    }

    /// The server's details (field, constraint, ...), when it sent any.
    pub fn details(&self) -> Option<&ErrorDetails> {
        self.info().and_then(|i| i.details.as_ref())
    }

    /// The message without the variant's prefix.
    pub fn message(&self) -> String {
        match self.info() {
            Some(i) => i.message.clone(),
            None => self.to_string(),
        }
    }

    /// Whether repeating the same request later may succeed: connection errors,
    /// timeouts, 429 and 5xx, truncated downloads.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. }
            | Error::Internal(_)
            | Error::ServiceUnavailable(_)
            | Error::Connection { .. }
            | Error::Timeout { .. }
            | Error::IncompleteDownload { .. } => true,
            Error::Api(i) => i.status >= 500,
            _ => false,
        }
    }

    /// The wait the server asked for, for rate-limit errors.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Configuration {
            message: message.into(),
        }
    }

    pub(crate) fn decode(
        message: impl Into<String>,
        status: Option<u16>,
        id: Option<String>,
    ) -> Error {
        Error::Decode {
            message: message.into(),
            status,
            request_id: id,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
