//! Health, the spec, and envelopes for what no handler serves.

mod common;

use common::{Engine, TestServer, engines};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_database_and_storage() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        let res = server.get("/health", None).await;
        let data = res.assert_ok(200);
        assert_eq!(data["database"]["status"], "ok");
        let wanted = if engine == Engine::Sqlite {
            "sqlite"
        } else {
            "postgres"
        };
        assert_eq!(data["database"]["detail"], wanted);
        assert_eq!(data["storage"]["status"], "ok");
        assert_eq!(data["storage"]["detail"], "local");
        assert!(data["renderer"]["status"].is_string());
        assert!(res.headers.contains_key("x-ratelimit-limit"));
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_json_is_the_embedded_spec() {
    let server = TestServer::start(Engine::Sqlite).await;
    let res = server
        .client
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let spec: serde_json::Value = res.json().await.unwrap();
    assert_eq!(&spec, animaforge_api::spec::openapi_json());
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_and_methods_are_enveloped() {
    let server = TestServer::start(Engine::Sqlite).await;
    server
        .get("/no/such/route", None)
        .await
        .assert_error(404, "NOT_FOUND");
    server.get("/", None).await.assert_error(404, "NOT_FOUND");
    let res = server.delete("/health", None).await;
    res.assert_error(405, "METHOD_NOT_ALLOWED");
    assert!(res.headers.contains_key("allow"));
    server
        .put("/openapi.json", None, json!({}))
        .await
        .assert_error(405, "METHOD_NOT_ALLOWED");
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_errors_do_not_leak_details() {
    let server = TestServer::start(Engine::Sqlite).await;
    let (token, _) = server.register("breaker").await;
    let (_, other) = server.register("target").await;
    // Break the database under the server: the follow table disappears.
    let animaforge_server::store::Store::Sqlite(pool) = &server.state.store else {
        unreachable!("SQLite store");
    };
    sqlx::query("DROP TABLE follows")
        .execute(pool)
        .await
        .unwrap();

    let res = server
        .post(&format!("/users/{other}/follow"), Some(&token), json!({}))
        .await;
    res.assert_error(500, "INTERNAL_ERROR");
    let text = res.body.to_string().to_lowercase();
    for leak in ["follows", "sqlite", "sql", "table", "no such"] {
        assert!(!text.contains(leak), "{leak:?} leaked: {text}");
    }
    assert_eq!(res.body["error"]["message"], "An internal error occurred");
}
