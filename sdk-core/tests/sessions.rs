//! Sessions: refresh on 401, once, single-flight across concurrent requests.

mod common;

use std::time::Duration;

use animaforge_core::{AnimaForge, SessionTokens};
use common::*;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer};

fn me() -> serde_json::Value {
    json!({"user": {
        "id": "user_1", "username": "maker", "email": "m@example.com", "display_name": "maker",
        "avatar_url": null, "bio": null, "tier": "free",
        "stats": {"animations_created": 0, "total_downloads": 0, "followers": 0},
        "created_at": "2025-01-01T00:00:00Z"
    }})
}

async fn server_with_rotation() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/auth/me"))
        .and(header("authorization", "Bearer new-access"))
        .respond_with(ok(me()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/auth/me"))
        .and(header("authorization", "Bearer old-access"))
        .respond_with(api_error(401, "AUTHENTICATION_ERROR", "token expired"))
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/v1/auth/refresh")).and(body_json(json!({"refresh_token": "refresh-1"})))
        .respond_with(
            ok(json!({"token": "new-access", "refresh_token": "refresh-2", "expires_at": "2099-01-01T00:00:00Z"}))
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    server
}

fn session_client(uri: &str) -> AnimaForge {
    AnimaForge::builder()
        .base_url(uri)
        .session(SessionTokens {
            access_token: "old-access".into(),
            refresh_token: "refresh-1".into(),
            expires_at: None,
        })
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

#[tokio::test]
async fn concurrent_401s_cause_exactly_one_refresh() {
    let server = server_with_rotation().await;
    let client = session_client(&server.uri());
    let calls: Vec<_> = (0..16).map(|_| client.auth().me().send()).collect();
    let results = futures::future::join_all(calls).await;
    for r in &results {
        assert_eq!(
            r.as_ref()
                .expect("every call succeeds after the refresh")
                .id,
            "user_1"
        );
    }
    let requests = server.received_requests().await.unwrap();
    let refreshes = requests
        .iter()
        .filter(|r| r.url.path() == "/v1/auth/refresh")
        .count();
    assert_eq!(refreshes, 1);
    // The refresh request itself carries no bearer token.
    let refresh = requests
        .iter()
        .find(|r| r.url.path() == "/v1/auth/refresh")
        .unwrap();
    assert!(refresh.headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_401_after_refreshing_is_returned_not_looped() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/auth/me"))
        .respond_with(api_error(401, "AUTHENTICATION_ERROR", "revoked"))
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/v1/auth/refresh"))
        .respond_with(ok(json!({"token": "new-access", "refresh_token": "refresh-2", "expires_at": "2099-01-01T00:00:00Z"})))
        .mount(&server)
        .await;
    let error = session_client(&server.uri()).auth().me().await.unwrap_err();
    assert_eq!(error.code(), "AUTHENTICATION_ERROR");
    assert_eq!(error.request_id(), Some("req_err"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3, "request, refresh, one repeat");
}

#[tokio::test]
async fn login_returns_a_session_whose_client_uses_the_token() {
    let server = server_with_rotation().await;
    Mock::given(method("POST")).and(path("/v1/auth/login"))
        .respond_with(ok(json!({
            "user": {"id": "user_1", "username": "maker", "email": "m@example.com", "created_at": "2025-01-01T00:00:00Z"},
            "token": "old-access", "refresh_token": "refresh-1", "expires_at": "2099-01-01T00:00:00Z"
        })))
        .mount(&server)
        .await;
    let anonymous = AnimaForge::builder()
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let session = anonymous
        .auth()
        .login("m@example.com", "pass1234")
        .await
        .unwrap();
    assert_eq!(session.user().unwrap().username, "maker");
    let user = session.client().auth().me().await.unwrap();
    assert_eq!(user.id, "user_1");
    assert_eq!(session.refresh_count(), 1);
    assert_eq!(session.tokens().refresh_token, "refresh-2");
    assert!(!format!("{session:?}").contains("refresh-2"));
}
