//! Retries, Retry-After, the total deadline and idempotency keys, against scripted
//! transport faults.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use animaforge_core::{AnimaForge, Error, GenerateConfig, Quality, RetryPolicy};
use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn me() -> serde_json::Value {
    json!({"user": {
        "id": "user_1", "username": "maker", "email": "m@example.com", "display_name": "maker",
        "avatar_url": null, "bio": null, "tier": "free",
        "stats": {"animations_created": 0, "total_downloads": 0, "followers": 0},
        "created_at": "2025-01-01T00:00:00Z"
    }})
}

#[tokio::test]
async fn get_is_retried_on_5xx_until_it_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/auth/me"))
        .respond_with(api_error(503, "SERVICE_UNAVAILABLE", "down"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/auth/me"))
        .respond_with(ok(me()))
        .mount(&server)
        .await;

    let response = client(&server.uri())
        .auth()
        .me()
        .with_meta()
        .await
        .expect("third attempt succeeds");
    assert_eq!(response.data.username, "maker");
    assert_eq!(response.meta.attempts, 3);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn attempts_stop_at_the_maximum() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let client = AnimaForge::builder()
        .base_url(server.uri())
        .retry_policy(fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let error = client.auth().me().await.unwrap_err();
    assert_eq!(error.code(), "SERVICE_UNAVAILABLE");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn post_without_idempotency_key_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/auth/register"))
        .respond_with(api_error(503, "SERVICE_UNAVAILABLE", "down"))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .auth()
        .register("maker", "m@example.com", "pass1234")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::ServiceUnavailable(_)), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn post_is_not_retried_when_the_connection_drops_after_sending() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            drop(socket);
        }
    });
    let client = client(&format!("http://127.0.0.1:{port}"));
    let error = client
        .auth()
        .login("m@example.com", "pass1234")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Connection {
                before_send: false,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn post_is_retried_when_the_connection_was_refused_before_sending() {
    let port = closed_port();
    let starter = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("port still free");
        let server = MockServer::builder().listener(listener).start().await;
        Mock::given(method("POST"))
            .and(path("/v1/auth/login"))
            .respond_with(api_error(401, "AUTHENTICATION_ERROR", "wrong password"))
            .mount(&server)
            .await;
        server
    });
    let client = AnimaForge::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(
            fast_retries()
                .max_attempts(30)
                .backoff(Duration::from_millis(100), Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let error = client
        .auth()
        .login("m@example.com", "pass1234")
        .await
        .unwrap_err();
    assert_eq!(error.code(), "AUTHENTICATION_ERROR", "{error:?}");
    let server = starter.await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            api_error(429, "RATE_LIMIT_EXCEEDED", "slow down").insert_header("Retry-After", "1"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ok(me()))
        .mount(&server)
        .await;

    let started = Instant::now();
    client(&server.uri())
        .auth()
        .me()
        .await
        .expect("succeeds after the wait");
    // Backoff alone would be 10 ms; only Retry-After explains a wait of a second.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn rate_limit_reset_is_honoured_for_429_without_retry_after() {
    let server = MockServer::start().await;
    let reset = chrono::Utc::now().timestamp() + 2;
    Mock::given(method("GET"))
        .respond_with(
            api_error(429, "RATE_LIMIT_EXCEEDED", "slow down")
                .insert_header("X-RateLimit-Limit", "100")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", reset.to_string().as_str()),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ok(me())
                .insert_header("X-RateLimit-Limit", "100")
                .insert_header("X-RateLimit-Remaining", "99"),
        )
        .mount(&server)
        .await;

    let client = client(&server.uri());
    let started = Instant::now();
    client.auth().me().await.expect("succeeds after the reset");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let limit = client.rate_limit().expect("rate limit recorded");
    assert_eq!((limit.limit, limit.remaining), (Some(100), Some(99)));
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_is_not_slept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            api_error(429, "RATE_LIMIT_EXCEEDED", "slow down").insert_header("Retry-After", "30"),
        )
        .mount(&server)
        .await;
    let client = AnimaForge::builder()
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.auth().me().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(4));
    match error {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(30)))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn one_deadline_bounds_all_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(400)))
        .mount(&server)
        .await;
    let client = AnimaForge::builder()
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(50)
                .backoff(Duration::from_millis(50), Duration::from_millis(50))
                .jitter(false)
                .budget(None),
        )
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.auth().me().await.unwrap_err();
    let elapsed = started.elapsed();
    // Per-attempt timeouts would let 50 attempts of 400 ms run for 20 s.
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(
        matches!(error, Error::Timeout { .. } | Error::ServiceUnavailable(_)),
        "{error:?}"
    );
    let attempts = server.received_requests().await.unwrap().len();
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
}

#[tokio::test]
async fn a_slow_attempt_ends_at_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(me()).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let started = Instant::now();
    let error = client(&server.uri())
        .auth()
        .me()
        .timeout(Duration::from_millis(500))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "TIMEOUT");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn generate_reuses_one_idempotency_key_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/animations/generate"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/animations/generate"))
        .respond_with(ok(accepted("job_1")))
        .mount(&server)
        .await;

    let client = client(&server.uri());
    let job = client
        .animations()
        .generate(
            "rotating cube",
            GenerateConfig::default().quality(Quality::High),
        )
        .await
        .expect("generate succeeds on the third attempt");
    assert_eq!(job.id(), "job_1");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let keys: HashSet<String> = requests
        .iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .expect("key sent")
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({"prompt": "rotating cube", "config": {"quality": "high"}})
    );

    // A second logical call gets a new key.
    client
        .animations()
        .generate("again", GenerateConfig::default())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(
        !keys.contains(
            requests[3]
                .headers
                .get("idempotency-key")
                .unwrap()
                .to_str()
                .unwrap()
        )
    );
}

#[tokio::test]
async fn purchase_with_a_caller_key_sends_that_key_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/marketplace/purchase"))
        .respond_with(api_error(502, "PAYMENT_PROVIDER_ERROR", "provider hiccup"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/v1/marketplace/purchase"))
        .respond_with(ok(json!({"purchase": {
            "id": "purchase_1", "animation_id": "anim_1", "amount": 9.99, "currency": "USD",
            "status": "completed", "receipt_url": "http://localhost/r/1", "created_at": "2025-01-15T10:30:00Z"
        }})))
        .mount(&server)
        .await;
    let purchase = client(&server.uri())
        .marketplace()
        .purchase("anim_1", "card_ok")
        .idempotency_key("my-key-1")
        .await
        .unwrap();
    assert_eq!(purchase.amount.cents(), 999);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.headers.get("idempotency-key").unwrap(), "my-key-1");
    }
}

#[tokio::test]
async fn the_retry_budget_stops_retry_storms() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client =
        AnimaForge::builder()
            .base_url(server.uri())
            .retry_policy(fast_retries().max_attempts(5).budget(Some(
                animaforge_core::RetryBudget {
                    capacity: 3,
                    refill_per_success: 0.1,
                },
            )))
            .build()
            .unwrap();
    for _ in 0..3 {
        let _ = client.auth().me().await;
    }
    // 3 first attempts plus the 3 retries the budget allowed.
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

#[tokio::test]
async fn cancellation_stops_a_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(me()).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let token = animaforge_core::CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        trigger.cancel();
    });
    let error = client(&server.uri())
        .auth()
        .me()
        .cancel_on(token)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "CANCELLED");
}

#[tokio::test]
async fn a_dropped_response_mid_body_is_retried_for_get() {
    // A server that sends headers and half a body, then closes; then answers properly.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            n += 1;
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let body = serde_json::to_vec(&envelope(me())).unwrap();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let cut = if n == 1 { body.len() / 2 } else { body.len() };
            let _ = socket.write_all(&body[..cut]).await;
            let _ = socket.shutdown().await;
        }
    });
    let user = client(&format!("http://127.0.0.1:{port}"))
        .auth()
        .me()
        .await
        .expect("retried");
    assert_eq!(user.id, "user_1");
}
