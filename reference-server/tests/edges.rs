//! Edge cases of requests on both engines: body shapes the contract does not allow,
//! size and id bounds, strict dates, optional authentication that still refuses bad
//! credentials, what an owner sees of an animation that is not ready (and what others
//! do not), and HEAD. Every response is also checked against the spec by the server.

mod common;

use common::*;
use serde_json::{Value, json};

async fn raw_post(s: &TestServer, path: &str, token: Option<&str>, body: Vec<u8>) -> Res {
    let mut req = s
        .client
        .post(s.url(path))
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    read(req.send().await.unwrap()).await
}

fn field_and_constraint(res: &Res) -> (String, String) {
    let details = &res.body["error"]["details"];
    (
        details["field"].as_str().unwrap_or_default().to_owned(),
        details["constraint"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[tokio::test]
async fn bodies_must_be_objects_without_nul_and_within_one_mebibyte() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, _) = s.register("shaper").await;

        // Arrays are not objects, at the top or where the schema has one.
        let res = raw_post(
            &s,
            "/auth/register",
            None,
            br#"["arr1","arr1@example.com","SecurePass123!"]"#.to_vec(),
        )
        .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(
            field_and_constraint(&res),
            ("body".into(), "must be a JSON object".into())
        );
        let res = s.post("/api-keys", Some(&token), json!(["laptop"])).await;
        res.assert_error(400, "VALIDATION_ERROR");
        let res = s
            .post(
                "/animations/generate",
                Some(&token),
                json!({"prompt": "A red square", "config": []}),
            )
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(
            field_and_constraint(&res),
            ("config".into(), "must be an object".into())
        );

        // Types are named in the contract's words, not the implementation's.
        let res = s
            .post(
                "/animations/generate",
                Some(&token),
                json!({"prompt": "A red square", "config": {"fps": -1}}),
            )
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(
            field_and_constraint(&res),
            ("config.fps".into(), "must be a non-negative integer".into())
        );
        let res = s
            .post(
                "/animations/generate",
                Some(&token),
                json!({"prompt": "A red square", "config": {"duration": "long"}}),
            )
            .await;
        assert_eq!(
            field_and_constraint(&res),
            ("config.duration".into(), "must be a number".into())
        );

        // Query numbers and the upload's metadata part name themselves.
        let res = s.get("/animations?page=-1", None).await;
        assert_eq!(
            field_and_constraint(&res),
            ("page".into(), "must be an integer of at least 1".into())
        );
        let res = s
            .upload(
                Some(&token),
                Some(fake_mp4(4096)),
                Some(json!({"title": "T", "price": "free"})),
            )
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(
            field_and_constraint(&res),
            ("metadata.price".into(), "must be a number".into())
        );
        assert_eq!(
            res.body["error"]["message"],
            json!("Invalid value for metadata.price: must be a number")
        );

        // NUL characters are refused wherever they are (PostgreSQL cannot store them).
        let res = s
            .post("/api-keys", Some(&token), json!({"name": "lap\u{0}top"}))
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(
            field_and_constraint(&res),
            ("name".into(), "must not contain NUL characters".into())
        );

        // 1 MiB of JSON at most.
        let mut big = br#"{"name":""#.to_vec();
        big.extend(std::iter::repeat_n(b'x', 1024 * 1024));
        big.extend(br#""}"#);
        raw_post(&s, "/api-keys", Some(&token), big)
            .await
            .assert_error(413, "PAYLOAD_TOO_LARGE");
        let mut fits = br#"{"name":""#.to_vec();
        fits.extend(std::iter::repeat_n(b'x', 1000 * 1000));
        fits.extend(br#""}"#);
        let res = raw_post(&s, "/api-keys", Some(&token), fits).await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(field_and_constraint(&res).0, "name", "read, then refused");
        s.stop().await;
    }
}

#[tokio::test]
async fn ids_and_dates_are_bounded() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, _) = s.register("bounded").await;
        let long = "x".repeat(65);
        for path in [
            format!("/animations/{long}"),
            format!("/users/{long}"),
            format!("/animations/jobs/{long}"),
        ] {
            let res = s.get(&path, Some(&token)).await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(
                field_and_constraint(&res).1,
                "must be at most 64 characters",
                "{path}"
            );
        }
        s.delete(&format!("/webhooks/{long}"), Some(&token))
            .await
            .assert_error(400, "VALIDATION_ERROR");
        // 64 characters is an id that does not exist.
        s.get(&format!("/animations/{}", "x".repeat(64)), Some(&token))
            .await
            .assert_error(404, "NOT_FOUND");

        for query in [
            "start_date=-2025-01-01",
            "end_date=+12025-01-01",
            "start_date=2025-02-30",
        ] {
            let res = s
                .get(&format!("/analytics/dashboard?{query}"), Some(&token))
                .await;
            res.assert_error(400, "VALIDATION_ERROR");
        }
        s.get(
            "/analytics/dashboard?start_date=2025-01-01&end_date=2025-01-31",
            Some(&token),
        )
        .await
        .assert_ok(200);
        s.stop().await;
    }
}

#[tokio::test]
async fn optional_authentication_still_refuses_bad_credentials() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (_, user_id) = s.register("lister").await;
        for path in [
            "/animations".to_owned(),
            format!("/users/{user_id}"),
            format!("/users/{user_id}/animations"),
        ] {
            for bad in ["garbage", "af_live_notakey0000000000000", "a.b.c"] {
                let res = s.get(&path, Some(bad)).await;
                res.assert_error(401, "AUTHENTICATION_ERROR");
            }
            s.get(&path, None).await.assert_ok(200);
        }
        let res = s.get("/animations", Some("garbage")).await;
        assert!(
            res.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("af_live_"),
            "a credential that is not a token is taken for a key: {}",
            res.body
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn an_unready_animation_is_its_owners_alone() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (owner, owner_id) = s.register("maker").await;
        let (other, _) = s.register("passerby").await;
        let ready = s.upload_ready(&owner, metadata("Finished piece")).await;
        // An MP4 header with nothing behind it: processing fails.
        let res = s
            .upload(Some(&owner), Some(fake_mp4(4096)), Some(metadata("Broken")))
            .await;
        let broken = res.assert_ok(202)["animation"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        s.wait_status(&broken, &owner, "failed").await;

        // Lists: the owner sees both, everyone else the ready one.
        let ids = |res: &Res| -> Vec<String> {
            res.data()["animations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned())
                .collect()
        };
        for path in [
            "/animations".to_owned(),
            format!("/users/{owner_id}/animations"),
        ] {
            let mine = s.get(&path, Some(&owner)).await;
            let mut got = ids(&mine);
            got.sort();
            let mut want = vec![ready.clone(), broken.clone()];
            want.sort();
            assert_eq!(got, want, "{path}");
            assert_eq!(mine.data()["pagination"]["total"], json!(2), "{path}");
            for viewer in [Some(other.as_str()), None] {
                let theirs = s.get(&path, viewer).await;
                assert_eq!(ids(&theirs), vec![ready.clone()], "{path}");
                assert_eq!(theirs.data()["pagination"]["total"], json!(1), "{path}");
            }
        }

        // Others: 404 on every operation, so that it does not leak.
        let path = format!("/animations/{broken}");
        s.get(&path, Some(&other))
            .await
            .assert_error(404, "NOT_FOUND");
        s.put(&path, Some(&other), json!({"title": "Mine now"}))
            .await
            .assert_error(404, "NOT_FOUND");
        s.delete(&path, Some(&other))
            .await
            .assert_error(404, "NOT_FOUND");
        s.get(&format!("{path}/download"), Some(&other))
            .await
            .assert_error(404, "NOT_FOUND");
        // A ready one of someone else: 403 to change it.
        s.put(
            &format!("/animations/{ready}"),
            Some(&other),
            json!({"title": "Mine now"}),
        )
        .await
        .assert_error(403, "AUTHORIZATION_ERROR");

        // The owner: no video yet is a conflict; downloads need a signed-in caller.
        s.get(&format!("{path}/download"), Some(&owner))
            .await
            .assert_error(409, "CONFLICT");
        s.get(&format!("/animations/{ready}/download"), None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        assert_eq!(
            s.get(&format!("/animations/{ready}/download"), Some(&other))
                .await
                .status,
            302
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn every_search_word_counts_and_head_mirrors_get() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (owner, owner_id) = s.register("worder").await;
        s.seed_animation(&owner_id, Seed::titled("Physics of waves"))
            .await;
        let words = |n: usize, last: &str| {
            let mut q = vec!["physics"; n];
            q.push(last);
            q.join("%20")
        };
        let hit = s
            .get(&format!("/animations?search={}", words(10, "waves")), None)
            .await;
        assert_eq!(hit.data()["animations"].as_array().unwrap().len(), 1);
        let miss = s
            .get(
                &format!("/animations?search={}", words(10, "zzzznotthere")),
                None,
            )
            .await;
        assert_eq!(
            miss.data()["animations"].as_array().unwrap().len(),
            0,
            "the eleventh word counts too"
        );

        // /search: empty text matches everything, text without a word nothing.
        let all = s.get("/search?q=", None).await;
        assert_eq!(all.data()["pagination"]["total"], json!(1));
        for symbols in ["*", "%F0%9F%8E%AC", "%22%22%20()"] {
            let none = s.get(&format!("/search?q={symbols}"), None).await;
            assert_eq!(none.data()["pagination"]["total"], json!(0), "{symbols}");
            assert_eq!(none.data()["results"], json!([]));
        }

        // HEAD answers as GET does, headers without the body.
        let res = s
            .client
            .head(s.url("/animations"))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers().contains_key("x-request-id"));
        assert!(res.headers().contains_key("x-ratelimit-limit"));
        let body: Value =
            serde_json::from_slice(&res.bytes().await.unwrap()).unwrap_or(Value::Null);
        assert_eq!(body, Value::Null, "no body");
        s.stop().await;
    }
}

#[tokio::test]
async fn values_are_named_in_plain_words_and_nul_never_reaches_the_database() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, _) = s.register("plainer").await;
        let (owner, owner_id) = s.register("owner").await;
        let id = s
            .seed_animation(&owner_id, Seed::titled("Plain words"))
            .await;

        // A NUL in a path id or a query value: 400 on both engines.
        for path in [
            "/animations/anim_%00".to_owned(),
            "/users/user_%00/animations".to_owned(),
            "/animations?search=%00".to_owned(),
        ] {
            let res = s.get(&path, Some(&token)).await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(
                field_and_constraint(&res).1,
                "must not contain NUL characters",
                "{path}"
            );
        }

        // A number where a name is expected, a name that is not allowed, a number too
        // large for any field: the field is named.
        let res = s
            .put(
                &format!("/animations/{id}"),
                Some(&owner),
                json!({"category": 5}),
            )
            .await;
        assert_eq!(
            field_and_constraint(&res),
            (
                "category".into(),
                "must be one of the allowed names (a string)".into()
            )
        );
        let res = s
            .post(
                "/animations/generate",
                Some(&token),
                json!({"prompt": "A red square", "config": {"quality": "ultra"}}),
            )
            .await;
        assert_eq!(
            field_and_constraint(&res),
            (
                "config.quality".into(),
                "must be one of low, medium, high, production".into()
            )
        );
        let res = raw_post(
            &s,
            "/animations/generate",
            Some(&token),
            br#"{"prompt": "A red square", "config": {"duration": 1e400}}"#.to_vec(),
        )
        .await;
        assert_eq!(
            field_and_constraint(&res),
            ("config.duration".into(), "must be a number in range".into())
        );

        // List search words are letters and digits: punctuation matches nothing.
        for text in ["%5B", "%22", "%5D%2C"] {
            let res = s.get(&format!("/animations?search={text}"), None).await;
            assert_eq!(res.data()["pagination"]["total"], json!(0), "{text}");
        }
        let res = s.get("/animations?search=%22plain%22", None).await;
        assert_eq!(res.data()["pagination"]["total"], json!(1));

        // Dates are exactly YYYY-MM-DD.
        for date in ["2025-1-1", "%202025-01-01", "2025-02-30"] {
            let res = s
                .get(
                    &format!("/analytics/dashboard?start_date={date}"),
                    Some(&token),
                )
                .await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(field_and_constraint(&res).0, "start_date", "{date}");
        }

        // Two Authorization headers are refused, whichever comes first.
        let res = s
            .client
            .get(s.url("/auth/me"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Authorization", "Bearer garbage")
            .send()
            .await
            .unwrap();
        read(res).await.assert_error(401, "AUTHENTICATION_ERROR");

        // HEAD changes nothing: no view, no download counted.
        for path in [
            format!("/animations/{id}"),
            format!("/animations/{id}/download"),
        ] {
            let res = s
                .client
                .head(s.url(&path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success() || res.status().is_redirection());
        }
        let stats = s.get(&format!("/animations/{id}"), Some(&owner)).await;
        assert_eq!(
            stats.data()["animation"]["stats"],
            json!({"views": 0, "downloads": 0, "likes": 0, "comments": 0})
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn deleting_an_upload_while_it_is_processed_leaves_no_file() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (owner, _) = s.register("hasty").await;
        let video = std::fs::read(make_mp4(2, 320, 240, 24)).unwrap();
        let files = s.state.config.data_dir.join("files");
        for _ in 0..3 {
            let res = s
                .upload(Some(&owner), Some(video.clone()), Some(metadata("Hasty")))
                .await;
            let id = res.assert_ok(202)["animation"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            s.delete(&format!("/animations/{id}"), Some(&owner))
                .await
                .assert_ok(200);
        }
        // Processing may finish after the delete; whatever it wrote goes too.
        let listing = || -> Vec<String> {
            std::fs::read_dir(&files)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut left = listing();
        for _ in 0..100 {
            if left.is_empty() {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                left = listing();
                if left.is_empty() {
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            left = listing();
        }
        assert!(left.is_empty(), "files left: {left:?}");
        s.stop().await;
    }
}

#[tokio::test]
async fn a_declared_length_past_the_limit_is_refused_at_once() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start(Engine::Sqlite).await;
    let addr = s.url("/").replace("http://", "");
    let host = addr.split('/').next().unwrap().to_owned();
    let mut socket = tokio::net::TcpStream::connect(&host).await.unwrap();
    let request = format!(
        "POST /v1/auth/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: 99999999\r\n\r\n{{}}"
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut head = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut head))
        .await
        .expect("an answer without waiting for the body")
        .unwrap();
    let text = String::from_utf8_lossy(&head[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("PAYLOAD_TOO_LARGE"), "{text}");
    s.stop().await;
}
