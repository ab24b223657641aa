//! Optional check of every response against the embedded OpenAPI spec
//! (`--validate-responses`). The test suites switch it on, so a response that breaks
//! the contract fails a test instead of a user's program.

use std::sync::Mutex;

use animaforge_api::validate::{ResponseValidator, SpecViolation};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

/// JSON bodies larger than this are not buffered for checking.
const MAX_CHECKED_BODY: usize = 16 * 1024 * 1024;

/// The validator and what it found.
#[derive(Debug)]
pub struct SpecCheck {
    validator: ResponseValidator,
    violations: Mutex<Vec<SpecViolation>>,
}

impl Default for SpecCheck {
    fn default() -> Self {
        SpecCheck::new()
    }
}

impl SpecCheck {
    /// A check against the embedded spec, for paths under `/v1`.
    pub fn new() -> SpecCheck {
        SpecCheck {
            validator: ResponseValidator::new("/v1"),
            violations: Mutex::new(Vec::new()),
        }
    }

    /// Every mismatch found so far.
    pub fn violations(&self) -> Vec<SpecViolation> {
        self.violations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn record(&self, violation: SpecViolation) {
        tracing::error!(%violation, "response does not match the spec");
        self.violations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(violation);
    }
}

/// Middleware: passes the request on and checks the response, when enabled. Streams
/// (events, files) are checked by status and headers only; JSON bodies in full.
pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(spec_check) = state.spec_check.clone() else {
        return next.run(request).await;
    };
    // Receipt pages are web pages beside the API, not operations of it.
    if request.uri().path().starts_with("/receipts/") {
        return next.run(request).await;
    }
    // HEAD is answered wherever GET is (same status and headers): check it as GET.
    let method = match *request.method() {
        axum::http::Method::HEAD => "GET".to_owned(),
        ref other => other.as_str().to_owned(),
    };
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;

    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        if let Err(violation) = spec_check
            .validator
            .check(&method, &path, status, &headers, b"")
        {
            spec_check.record(violation);
        }
        return response;
    }

    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_CHECKED_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "response body could not be read for the spec check");
            return Response::from_parts(parts, Body::empty());
        }
    };
    if let Err(violation) = spec_check
        .validator
        .check(&method, &path, status, &headers, &bytes)
    {
        spec_check.record(violation);
    }
    Response::from_parts(parts, Body::from(bytes))
}
