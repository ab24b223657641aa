//! One logical call: attempts, retries, the total deadline, auth, idempotency keys.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use animaforge_api::Envelope;
use bytes::Bytes;
use futures::future::BoxFuture;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use url::Url;

use crate::client::{AnimaForge, Credentials};
use crate::error::{Error, Result};
use crate::errors_map::api_error;
use crate::response::{RateLimit, Response, ResponseMeta, request_id, retry_after};
use crate::retry::{backoff, retryable_status, server_hint};

/// Produces the multipart body of an attempt; `None` when the body cannot be produced
/// again (a reader that was already consumed).
pub(crate) trait FormSource: Send + Sync {
    fn form(&self) -> BoxFuture<'_, Result<Option<reqwest::multipart::Form>>>;
}

/// The body of a request.
#[derive(Clone)]
pub(crate) enum RequestBody {
    Empty,
    Json(Bytes),
    Multipart(Arc<dyn FormSource>),
}

/// Where a request goes.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// Path segments below the base URL (each percent-encoded on its own).
    Api(Vec<String>),
    /// A full URL; API credentials and extra headers go only to URLs below the base URL.
    Url(Url),
}

/// Everything about one logical call.
#[derive(Clone)]
pub(crate) struct RequestSpec {
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: RequestBody,
    pub(crate) headers: HeaderMap,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Instant>,
    pub(crate) cancel: Option<CancellationToken>,
    pub(crate) send_auth: bool,
    /// No credentials, extra headers or idempotency key, whatever the URL (signed URLs).
    pub(crate) bare: bool,
    pub(crate) refresh_on_401: bool,
    pub(crate) stream_body: bool,
}

impl RequestSpec {
    pub(crate) fn new(method: Method, segments: &[&str]) -> RequestSpec {
        RequestSpec {
            method,
            target: Target::Api(segments.iter().map(|s| (*s).to_owned()).collect()),
            query: Vec::new(),
            body: RequestBody::Empty,
            headers: HeaderMap::new(),
            idempotency_key: None,
            timeout: None,
            deadline: None,
            cancel: None,
            send_auth: true,
            bare: false,
            refresh_on_401: true,
            stream_body: false,
        }
    }

    pub(crate) fn get(segments: &[&str]) -> RequestSpec {
        RequestSpec::new(Method::GET, segments)
    }

    pub(crate) fn url(method: Method, url: Url) -> RequestSpec {
        RequestSpec {
            target: Target::Url(url),
            ..RequestSpec::new(method, &[])
        }
    }

    pub(crate) fn post_json(segments: &[&str], body: &impl Serialize) -> Result<RequestSpec> {
        RequestSpec::new(Method::POST, segments).json(body)
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<RequestSpec> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::config(format!("cannot encode the request body: {e}")))?;
        self.body = RequestBody::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Adds a query from a serialisable struct: `None` fields are left out, arrays repeat
    /// the key.
    pub(crate) fn query(mut self, query: &impl Serialize) -> Result<RequestSpec> {
        let value = serde_json::to_value(query)
            .map_err(|e| Error::config(format!("cannot encode the query: {e}")))?;
        if let serde_json::Value::Object(map) = value {
            for (key, value) in map {
                push_query(&mut self.query, &key, value);
            }
        }
        Ok(self)
    }

    /// Whether repeating the request cannot do anything twice.
    pub(crate) fn is_idempotent(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        ) || self.idempotency_key.is_some()
    }
}

fn push_query(out: &mut Vec<(String, String)>, key: &str, value: serde_json::Value) {
    match value {
        serde_json::Value::Null => {}
        serde_json::Value::String(s) => out.push((key.to_owned(), s)),
        serde_json::Value::Array(items) => items.into_iter().for_each(|v| push_query(out, key, v)),
        other => out.push((key.to_owned(), other.to_string())),
    }
}

/// A response that passed the status check (2xx or 3xx).
#[derive(Debug)]
pub(crate) struct Raw {
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The unread response, for streaming calls.
    pub(crate) response: Option<reqwest::Response>,
    pub(crate) meta: ResponseMeta,
}

enum Stop {
    Deadline,
    Cancelled,
}

/// Runs `fut` until it finishes, the deadline passes or the token fires.
pub(crate) async fn bounded<F: Future>(
    fut: F,
    deadline: Option<Instant>,
    cancel: Option<&CancellationToken>,
) -> Result<F::Output, Error> {
    let stop = async {
        let never = CancellationToken::new();
        let token = cancel.unwrap_or(&never);
        tokio::select! {
            _ = token.cancelled() => Stop::Cancelled,
            _ = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            } => Stop::Deadline,
        }
    };
    tokio::select! {
        biased;
        out = fut => Ok(out),
        stop = stop => Err(match stop {
            Stop::Cancelled => Error::Cancelled,
            Stop::Deadline => Error::Timeout { elapsed: Duration::ZERO, attempts: 0, origin: None },
        }),
    }
}

enum Attempt {
    Done(Box<Raw>),
    Failed {
        error: Error,
        hint: Option<Duration>,
        retryable: bool,
    },
    Unauthorized {
        error: Error,
        generation: u64,
    },
}

impl AnimaForge {
    /// Resolves a target to a URL and whether API credentials belong on it.
    pub(crate) fn resolve(
        &self,
        target: &Target,
        query: &[(String, String)],
    ) -> Result<(Url, bool)> {
        let base = &self.inner.config.base_url;
        let (mut url, is_api) = match target {
            Target::Api(segments) => {
                let mut url = base.clone();
                url.path_segments_mut()
                    .map_err(|_| Error::config("the base URL cannot take a path"))?
                    .pop_if_empty()
                    .extend(segments);
                (url, true)
            }
            Target::Url(url) => {
                let same_origin = url.origin() == base.origin();
                let below = url.path() == base.path()
                    || url.path().starts_with(&format!("{}/", base.path()));
                (url.clone(), same_origin && below)
            }
        };
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok((url, is_api))
    }

    /// Runs a call to completion and decodes `{data}` of the success envelope.
    pub(crate) async fn execute_json<T: DeserializeOwned>(
        &self,
        spec: RequestSpec,
    ) -> Result<Response<T>> {
        let raw = self.execute(spec).await?;
        decode_envelope(raw)
    }

    /// Runs a call: every attempt, retry and wait, bounded by one deadline.
    pub(crate) async fn execute(&self, spec: RequestSpec) -> Result<Raw> {
        let config = &self.inner.config;
        let started = Instant::now();
        let own_deadline = started + spec.timeout.unwrap_or(config.timeout);
        let deadline = spec.deadline.map_or(own_deadline, |d| d.min(own_deadline));
        let (url, is_api) = self.resolve(&spec.target, &spec.query)?;
        let idempotent = spec.is_idempotent();
        let max_attempts = config.retry.max_attempts.max(1);

        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut refreshed = false;
        loop {
            attempts += 1;
            let span = tracing::info_span!(
                "animaforge.request",
                method = %spec.method,
                path = %url.path(),
                attempt = attempts,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            let attempt = self.attempt(&spec, &url, is_api, attempts).instrument(span);
            let outcome = match bounded(attempt, Some(deadline), spec.cancel.as_ref()).await {
                Ok(outcome) => outcome?,
                Err(Error::Timeout { .. }) => {
                    return Err(Error::Timeout {
                        elapsed: started.elapsed(),
                        attempts,
                        origin: Some(origin(&url)),
                    });
                }
                Err(other) => return Err(other),
            };

            let (error, hint, retryable) = match outcome {
                Attempt::Done(raw) => {
                    self.inner.budget.success();
                    return Ok(*raw);
                }
                Attempt::Unauthorized { error, generation } => {
                    let Credentials::Session(state) = &self.inner.credentials else {
                        return Err(error);
                    };
                    if refreshed || !spec.refresh_on_401 || !is_api {
                        return Err(error);
                    }
                    refreshed = true;
                    state
                        .refresh_after(self, generation, Some(deadline))
                        .await?;
                    continue;
                }
                Attempt::Failed {
                    error,
                    hint,
                    retryable,
                } => (error, hint, retryable),
            };

            let before_send = matches!(
                error,
                Error::Connection {
                    before_send: true,
                    ..
                }
            );
            if !retryable || !(idempotent || before_send) || attempts >= max_attempts {
                return Err(error);
            }
            retries += 1;
            let delay = match hint {
                Some(wait) if wait > config.retry.max_retry_after => return Err(error),
                Some(wait) => wait,
                None => backoff(&config.retry, retries),
            };
            if Instant::now() + delay > deadline {
                tracing::debug!(
                    delay_ms = delay.as_millis() as u64,
                    "retry would pass the deadline"
                );
                return Err(error);
            }
            if !self.inner.budget.try_retry() {
                tracing::debug!("retry budget exhausted");
                return Err(error);
            }
            tracing::debug!(
                code = error.code(),
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            bounded(tokio::time::sleep(delay), None, spec.cancel.as_ref()).await?;
        }
    }

    async fn attempt(
        &self,
        spec: &RequestSpec,
        url: &Url,
        is_api: bool,
        attempt: u32,
    ) -> Result<Attempt> {
        let config = &self.inner.config;
        let mut request = self.inner.http.request(spec.method.clone(), url.clone());
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, config.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let mut generation = 0;
        if is_api && !spec.bare {
            for (name, value) in &config.extra_headers {
                headers.append(name, value.clone());
            }
            if spec.send_auth {
                let token = match &self.inner.credentials {
                    Credentials::None => None,
                    Credentials::ApiKey(key) => Some(key.0.clone()),
                    Credentials::Session(state) => {
                        let (token, g) = state.access();
                        generation = g;
                        Some(token)
                    }
                };
                if let Some(token) = token {
                    let mut value =
                        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                            Error::config("the API key or token is not a valid header value")
                        })?;
                    value.set_sensitive(true);
                    headers.insert(AUTHORIZATION, value);
                }
            }
            if let Some(key) = &spec.idempotency_key {
                let value = HeaderValue::from_str(key).map_err(|_| {
                    Error::config("the idempotency key is not a valid header value")
                })?;
                headers.insert("idempotency-key", value);
            }
        }
        for (name, value) in &spec.headers {
            headers.insert(name, value.clone());
        }
        match &spec.body {
            RequestBody::Empty => {}
            RequestBody::Json(bytes) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                request = request.body(bytes.clone());
            }
            RequestBody::Multipart(source) => match source.form().await? {
                Some(form) => request = request.multipart(form),
                None => {
                    return Err(Error::config(
                        "the upload source was already read and cannot be sent again",
                    ));
                }
            },
        }
        let request = request.headers(headers);

        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                let before_send = e.is_connect();
                tracing::debug!(attempt, before_send, "connection failed");
                let error = connection_error(&e, url);
                return Ok(Attempt::Failed {
                    error,
                    hint: None,
                    retryable: true,
                });
            }
        };

        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let rate_limit = RateLimit::from_headers(&headers);
        if let (Some(limit), Ok(mut slot)) = (&rate_limit, self.inner.rate_limit.lock()) {
            *slot = Some(limit.clone());
        }
        let span = tracing::Span::current();
        span.record("status", status);
        let id = request_id(&headers);
        if let Some(id) = &id {
            span.record("request_id", id.as_str());
        }
        let meta = ResponseMeta {
            status,
            request_id: id,
            rate_limit,
            retry_after: retry_after(&headers),
            attempts: attempt,
        };

        if status < 400 {
            let final_url = response.url().clone();
            if spec.stream_body {
                tracing::debug!("response headers received");
                return Ok(Attempt::Done(Box::new(Raw {
                    url: final_url,
                    headers,
                    body: Bytes::new(),
                    response: Some(response),
                    meta,
                })));
            }
            return match response.bytes().await {
                Ok(body) => {
                    tracing::debug!(bytes = body.len(), "response received");
                    Ok(Attempt::Done(Box::new(Raw {
                        url: final_url,
                        headers,
                        body,
                        response: None,
                        meta,
                    })))
                }
                Err(e) => Ok(Attempt::Failed {
                    error: connection_error(&e, url),
                    hint: None,
                    retryable: true,
                }),
            };
        }

        let body = response.bytes().await.unwrap_or_default();
        let error = api_error(status, &headers, &body);
        tracing::debug!(code = error.code(), "request failed");
        if status == 401 {
            return Ok(Attempt::Unauthorized { error, generation });
        }
        let hint = server_hint(status, &headers).or_else(|| error.retry_after());
        Ok(Attempt::Failed {
            error,
            hint,
            retryable: retryable_status(status),
        })
    }
}

/// A failed exchange with the server at `url` as an [`Error::Connection`] that names
/// the server (see [`origin`]) and the root cause: `could not connect to
/// http://127.0.0.1:8080: connection refused`.
pub(crate) fn connection_error(error: &reqwest::Error, url: &Url) -> Error {
    let before_send = error.is_connect();
    let origin = origin(url);
    let cause = root_cause(error);
    let message = if before_send {
        format!("could not connect to {origin}: {cause}")
    } else if error.is_timeout() {
        format!("timed out talking to {origin}: {cause}")
    } else {
        format!("the connection to {origin} failed: {cause}")
    };
    Error::Connection {
        message,
        before_send,
    }
}

/// `scheme://host:port` of `url`: never its user, password, path or query.
pub(crate) fn origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// The innermost cause of a reqwest error, as short text: `connection refused` rather
/// than the chain `error sending request: client error (Connect): tcp connect error:
/// Connection refused (os error 111)`. Never carries the URL.
fn root_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = if std::ptr::addr_eq(cause, error as &dyn std::error::Error) {
        // No cause below reqwest's own: its text, without the URL.
        let mut text = error.to_string();
        if let Some(url) = error.url()
            && let Some(at) = text.find(&format!(" for url ({url})"))
        {
            text.truncate(at);
        }
        text
    } else {
        cause.to_string()
    };
    // `Connection refused (os error 111)` -> `connection refused`.
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text,
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text,
    }
}

/// Decodes `{success, data, meta}` into `data`.
pub(crate) fn decode_envelope<T: DeserializeOwned>(raw: Raw) -> Result<Response<T>> {
    let envelope: Envelope<T> = serde_json::from_slice(&raw.body).map_err(|e| {
        Error::decode(
            e.to_string(),
            Some(raw.meta.status),
            raw.meta.request_id.clone(),
        )
    })?;
    let mut meta = raw.meta;
    if meta.request_id.is_none() {
        meta.request_id = Some(envelope.meta.request_id);
    }
    Ok(Response {
        data: envelope.data,
        meta,
    })
}
