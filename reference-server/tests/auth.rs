//! Accounts, sessions and API keys, on both engines.

mod common;

use common::{Engine, TestServer, engines};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn register_login_me() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let res = s
            .post("/auth/register", None, json!({"username": "johndoe", "email": "John@Example.com", "password": "SecurePass123!"}))
            .await;
        let data = res.assert_ok(201);
        assert!(data["user"]["id"].as_str().unwrap().starts_with("user_"));
        assert_eq!(data["user"]["username"], "johndoe");
        assert_eq!(data["user"]["email"], "John@Example.com");
        assert_eq!(data["token"].as_str().unwrap().split('.').count(), 3);
        assert!(data["refresh_token"].is_string());
        assert!(data["expires_at"].is_string());

        let login = s
            .post(
                "/auth/login",
                None,
                json!({"email": "john@example.com", "password": "SecurePass123!"}),
            )
            .await;
        let token = login.assert_ok(200)["token"].as_str().unwrap().to_owned();

        let me = s.get("/auth/me", Some(&token)).await;
        let user = &me.assert_ok(200)["user"];
        assert_eq!(user["username"], "johndoe");
        assert_eq!(user["display_name"], "johndoe");
        assert_eq!(user["tier"], "free");
        assert_eq!(
            user["stats"],
            json!({"animations_created": 0, "total_downloads": 0, "followers": 0})
        );
        assert!(user["avatar_url"].is_null() && user["bio"].is_null());

        s.post(
            "/auth/login",
            None,
            json!({"email": "john@example.com", "password": "wrong-pass1"}),
        )
        .await
        .assert_error(401, "AUTHENTICATION_ERROR");
        s.post(
            "/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "wrong-pass1"}),
        )
        .await
        .assert_error(401, "AUTHENTICATION_ERROR");
        s.get("/auth/me", None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.get("/auth/me", Some("not.a.jwt"))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        s.get("/auth/me", Some(&tampered))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn registration_is_validated() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let cases = [
            (
                json!({"username": "ab", "email": "a@example.com", "password": "Passw0rd!"}),
                "username",
            ),
            (
                json!({"username": "1abc", "email": "a@example.com", "password": "Passw0rd!"}),
                "username",
            ),
            (
                json!({"username": "has space", "email": "a@example.com", "password": "Passw0rd!"}),
                "username",
            ),
            (
                json!({"username": "a".repeat(33), "email": "a@example.com", "password": "Passw0rd!"}),
                "username",
            ),
            (
                json!({"username": "alice", "email": "not-an-email", "password": "Passw0rd!"}),
                "email",
            ),
            (
                json!({"username": "alice", "email": "a@nodot", "password": "Passw0rd!"}),
                "email",
            ),
            (
                json!({"username": "alice", "email": "a@example.com", "password": "short1"}),
                "password",
            ),
            (
                json!({"username": "alice", "email": "a@example.com", "password": "nodigitshere"}),
                "password",
            ),
            (
                json!({"username": "alice", "email": "a@example.com", "password": "12345678901"}),
                "password",
            ),
            (
                json!({"username": "alice", "email": "a@example.com"}),
                "password",
            ),
            (
                json!({"username": 5, "email": "a@example.com", "password": "Passw0rd!"}),
                "username",
            ),
        ];
        for (body, field) in cases {
            let res = s.post("/auth/register", None, body.clone()).await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), field, "for {body}");
            assert!(
                res.body["error"]["details"]["constraint"].is_string(),
                "{}",
                res.body
            );
        }

        s.register("alice").await;
        let dup_name = s
            .post(
                "/auth/register",
                None,
                json!({"username": "ALICE", "email": "other@example.com", "password": "Passw0rd!"}),
            )
            .await;
        dup_name.assert_error(409, "CONFLICT");
        assert_eq!(dup_name.field(), "username");
        let dup_email = s.post("/auth/register", None, json!({"username": "alice2", "email": "Alice@Example.com", "password": "Passw0rd!"})).await;
        dup_email.assert_error(409, "CONFLICT");
        assert_eq!(dup_email.field(), "email");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_bodies_are_enveloped() {
    let s = TestServer::start(Engine::Sqlite).await;
    let url = s.url("/auth/register");
    let res = common::read(
        s.client
            .post(&url)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.field(), "body");
    let res = common::read(
        s.client
            .post(&url)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    let res = common::read(s.client.post(&url).body("{}").send().await.unwrap()).await;
    res.assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    let big = format!("{{\"username\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let res = common::read(
        s.client
            .post(&url)
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.assert_error(413, "PAYLOAD_TOO_LARGE");
    let res = s.post("/auth/register", None, json!([1, 2])).await;
    res.assert_error(400, "VALIDATION_ERROR");
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let a = s.account("rotator").await;

        let first = s
            .post(
                "/auth/refresh",
                None,
                json!({"refresh_token": a.refresh_token}),
            )
            .await;
        let data = first.assert_ok(200).clone();
        let second_token = data["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(second_token, a.refresh_token);
        s.get("/auth/me", Some(data["token"].as_str().unwrap()))
            .await
            .assert_ok(200);

        // The rotated token again: refused, and the whole family goes with it.
        s.post(
            "/auth/refresh",
            None,
            json!({"refresh_token": a.refresh_token}),
        )
        .await
        .assert_error(401, "AUTHENTICATION_ERROR");
        s.post(
            "/auth/refresh",
            None,
            json!({"refresh_token": second_token}),
        )
        .await
        .assert_error(401, "AUTHENTICATION_ERROR");
        // So do the access tokens of that login, the first and the refreshed one.
        for token in [a.token.as_str(), data["token"].as_str().unwrap()] {
            let res = s.get("/auth/me", Some(token)).await;
            res.assert_error(401, "AUTHENTICATION_ERROR");
            assert!(res.body.to_string().contains("revoked"), "{}", res.body);
        }

        // Another login is another family, untouched.
        let login = s
            .post(
                "/auth/login",
                None,
                json!({"email": a.email, "password": a.password}),
            )
            .await;
        let other = login.assert_ok(200)["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        s.get("/auth/me", Some(login.data()["token"].as_str().unwrap()))
            .await
            .assert_ok(200);
        s.post("/auth/refresh", None, json!({"refresh_token": other}))
            .await
            .assert_ok(200);

        s.post(
            "/auth/refresh",
            None,
            json!({"refresh_token": "refresh_unknown"}),
        )
        .await
        .assert_error(401, "AUTHENTICATION_ERROR");
        let res = s
            .post("/auth/refresh", None, json!({"refresh_token": ""}))
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), "refresh_token");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn api_keys_create_list_authenticate_revoke() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, user_id) = s.register("keyholder").await;
        let (other_token, _) = s.register("stranger").await;

        let res = s
            .post("/api-keys", Some(&token), json!({"name": "ci"}))
            .await;
        let created = res.assert_ok(201)["api_key"].clone();
        let key = created["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("af_live_"));
        assert_eq!(key.len(), "af_live_".len() + 40);
        assert!(key.starts_with(created["prefix"].as_str().unwrap()));
        let key_id = created["id"].as_str().unwrap().to_owned();

        let me = s.get("/auth/me", Some(&key)).await;
        assert_eq!(me.assert_ok(200)["user"]["id"], json!(user_id));

        let list = s.get("/api-keys", Some(&token)).await;
        let keys = list.assert_ok(200)["api_keys"].as_array().unwrap().clone();
        assert_eq!(keys.len(), 1);
        assert!(keys[0].get("key").is_none(), "the secret is never listed");
        assert!(
            keys[0]["last_used_at"].is_string(),
            "use recorded: {}",
            keys[0]
        );
        assert!(
            s.get("/api-keys", Some(&other_token)).await.assert_ok(200)["api_keys"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        let bad = s.post("/api-keys", Some(&token), json!({"name": ""})).await;
        bad.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(bad.field(), "name");
        s.post(
            "/api-keys",
            Some(&token),
            json!({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await
        .assert_error(400, "VALIDATION_ERROR");
        s.post("/api-keys", None, json!({"name": "x"}))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");

        // Another account's key is private: not found, as the contract says.
        s.delete(&format!("/api-keys/{key_id}"), Some(&other_token))
            .await
            .assert_error(404, "NOT_FOUND");
        s.delete("/api-keys/key_missing", Some(&token))
            .await
            .assert_error(404, "NOT_FOUND");
        s.delete(&format!("/api-keys/{key_id}"), Some(&token))
            .await
            .assert_ok(200);
        s.get("/auth/me", Some(&key))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        let mut wrong = key.clone();
        wrong.replace_range(20..21, if &key[20..21] == "a" { "b" } else { "a" });
        s.get("/auth/me", Some(&wrong))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.stop().await;
    }
}
