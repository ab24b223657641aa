//! Error mapping, response metadata and secret-free logs.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use animaforge_core::{AnimaForge, Error};
use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn validation_errors_carry_field_constraint_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v1/animations/generate"))
        .respond_with(ResponseTemplate::new(400).insert_header("x-request-id", "req_abc123").set_body_json(json!({
            "success": false,
            "error": {"code": "VALIDATION_ERROR", "message": "Invalid animation duration",
                      "details": {"field": "config.duration", "constraint": "must be between 1 and 60"}},
            "meta": {"timestamp": "2025-01-15T10:30:00Z", "request_id": "req_abc123"}
        })))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .animations()
        .generate(
            "x",
            animaforge_core::GenerateConfig::default().duration(99.0),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "VALIDATION_ERROR");
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.request_id(), Some("req_abc123"));
    assert!(!error.is_retryable());
    match error {
        Error::Validation {
            field, constraint, ..
        } => {
            assert_eq!(field.as_deref(), Some("config.duration"));
            assert_eq!(constraint.as_deref(), Some("must be between 1 and 60"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "4xx is never retried"
    );
}

#[tokio::test]
async fn rate_limit_errors_carry_the_limits() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            api_error(429, "RATE_LIMIT_EXCEEDED", "Too many requests")
                .insert_header("x-ratelimit-limit", "100")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "1677886800")
                .insert_header("retry-after", "3600"),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let error = client.animations().get("anim_1").await.unwrap_err();
    match &error {
        Error::RateLimited {
            limit,
            remaining,
            reset,
            retry_after,
            ..
        } => {
            assert_eq!((*limit, *remaining), (Some(100), Some(0)));
            assert_eq!(reset.unwrap().timestamp(), 1_677_886_800);
            assert_eq!(*retry_after, Some(Duration::from_secs(3600)));
        }
        other => panic!("{other:?}"),
    }
    assert!(error.is_retryable());
    assert_eq!(client.rate_limit().unwrap().remaining, Some(0));
}

#[tokio::test]
async fn a_body_that_is_not_the_expected_type_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(json!({"nope": true})).insert_header("x-request-id", "req_d"))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .animations()
        .get("anim_1")
        .await
        .unwrap_err();
    assert_eq!(error.code(), "DECODE_ERROR");
    assert_eq!(error.request_id(), Some("req_d"));
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn request_spans_carry_ids_and_never_secrets() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v1/auth/login"))
        .respond_with(ok(json!({
            "user": {"id": "user_1", "username": "maker", "email": "m@example.com", "created_at": "2025-01-01T00:00:00Z"},
            "token": "secret-access-token", "refresh_token": "secret-refresh-token", "expires_at": "2099-01-01T00:00:00Z"
        })).insert_header("x-request-id", "req_log"))
        .mount(&server)
        .await;
    let client = AnimaForge::builder()
        .base_url(server.uri())
        .api_key("af_live_SECRETKEY")
        .build()
        .unwrap();
    let session = client
        .auth()
        .login("m@example.com", "secret-password-1")
        .await
        .unwrap();
    let _ = format!("{session:?} {client:?}");

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("animaforge.request"), "{logs}");
    assert!(logs.contains("req_log"), "{logs}");
    assert!(logs.contains("/v1/auth/login"), "{logs}");
    for secret in [
        "af_live_SECRETKEY",
        "secret-access-token",
        "secret-refresh-token",
        "secret-password-1",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into logs: {logs}");
    }
}

#[tokio::test]
async fn connection_errors_name_the_server_tried_and_nothing_more() {
    // A port held by a socket that does not listen: connecting is refused.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    let client = AnimaForge::builder()
        .base_url(format!("http://user:secret@127.0.0.1:{port}/v1"))
        .api_key("af_live_secret")
        .build()
        .unwrap();
    let error = client.auth().me().await.unwrap_err();
    assert_eq!(error.code(), "CONNECTION_ERROR");
    assert!(
        matches!(
            error,
            Error::Connection {
                before_send: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("could not connect to http://127.0.0.1:{port}: connection refused")
    );
}

#[tokio::test]
async fn timeouts_name_the_server_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .auth()
        .me()
        .timeout(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "TIMEOUT");
    let origin = server.uri();
    let text = error.to_string();
    assert!(
        text.starts_with("timed out after 0.")
            && text.ends_with(&format!(" s waiting for {origin} (1 attempt)")),
        "{text}"
    );
}
