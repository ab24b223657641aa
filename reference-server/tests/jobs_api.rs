//! Generation jobs without rendering: validation, authentication and privacy,
//! idempotency, cancellation, the event stream's framing and resumption, templates,
//! the queue's claims under concurrency, a missing renderer, and health.

mod common;
mod jobs_support;

use std::collections::HashSet;
use std::time::Duration;

use common::{Engine, TestServer, engines};
use jobs_support::{generate, job, low, read_events, submit, wait_terminal};
use serde_json::json;

/// A server whose jobs stay queued (no in-process workers).
async fn queue_only(engine: Engine) -> TestServer {
    TestServer::start_with(engine, |c| c.jobs.workers = Some(0)).await
}

#[tokio::test]
async fn generate_validates_each_field() {
    let server = queue_only(Engine::Sqlite).await;
    let (token, _) = server.register("validator").await;
    let long = "x".repeat(2001);
    let cases = [
        (json!({"config": {}}), "prompt"),
        (json!({"prompt": ""}), "prompt"),
        (json!({"prompt": "   "}), "prompt"),
        (json!({"prompt": long}), "prompt"),
        (
            json!({"prompt": "a", "config": {"quality": "ultra"}}),
            "config.quality",
        ),
        (
            json!({"prompt": "a", "config": {"duration": 0}}),
            "config.duration",
        ),
        (
            json!({"prompt": "a", "config": {"duration": 61}}),
            "config.duration",
        ),
        (json!({"prompt": "a", "config": {"fps": 0}}), "config.fps"),
        (json!({"prompt": "a", "config": {"fps": 61}}), "config.fps"),
        (
            json!({"prompt": "a", "config": {"background": "blue"}}),
            "config.background",
        ),
        (
            json!({"prompt": "a", "config": {"background": "#abc"}}),
            "config.background",
        ),
        (
            json!({"prompt": "a", "config": {"resolution": "999p"}}),
            "config.resolution",
        ),
        (json!({"prompt": "a", "backend": "skynet"}), "backend"),
        (json!({"prompt": "a", "backend": "gemini"}), "backend"),
        (json!({"prompt": "a", "backend": "openai"}), "backend"),
        (
            json!({"prompt": "a", "template": "no-such-template"}),
            "template",
        ),
        (
            json!({"prompt": "a", "template": "shape-morph", "template_params": {"from": "blob"}}),
            "template_params.from",
        ),
        (
            json!({"prompt": "a", "template": "shape-morph", "template_params": {"colour": "red"}}),
            "template_params.colour",
        ),
        (
            json!({"prompt": "a", "template_params": {"title": "x"}}),
            "template_params",
        ),
        (
            json!({"prompt": "a", "callback_url": "ftp://example.com/x", "callback_secret": "0123456789abcdef"}),
            "callback_url",
        ),
        (
            json!({"prompt": "a", "callback_url": "https://example.com/x"}),
            "callback_secret",
        ),
        (
            json!({"prompt": "a", "callback_url": "https://example.com/x", "callback_secret": "short"}),
            "callback_secret",
        ),
        (
            json!({"prompt": "a", "callback_secret": "0123456789abcdef"}),
            "callback_secret",
        ),
    ];
    for (body, field) in cases {
        let res = generate(&server, &token, &body, None).await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), field, "{body}: {}", res.body);
        assert!(
            res.body["error"]["details"]["constraint"].is_string(),
            "{}",
            res.body
        );
    }
    let res = generate(
        &server,
        &token,
        &low("a circle", 2.0),
        Some(&"k".repeat(256)),
    )
    .await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.field(), "Idempotency-Key");
}

#[tokio::test]
async fn jobs_need_authentication_and_are_private() {
    let server = queue_only(Engine::Sqlite).await;
    let (alice, _) = server.register("alice").await;
    let (bob, _) = server.register("bob").await;

    let res = server
        .post("/animations/generate", None, low("a circle", 2.0))
        .await;
    res.assert_error(401, "AUTHENTICATION_ERROR");

    let res = generate(&server, &alice, &low("a circle", 2.0), None).await;
    let data = res.assert_ok(202);
    let job_id = data["job_id"].as_str().unwrap().to_owned();
    assert!(job_id.starts_with("job_"));
    assert_eq!(data["status"], "queued");
    assert!(data["estimated_time"].as_u64().unwrap() >= 1);
    assert_eq!(data["webhook_url"], json!(null));
    assert_eq!(
        data["status_url"],
        json!(server.url(&format!("/animations/jobs/{job_id}")))
    );
    assert_eq!(
        data["events_url"],
        json!(server.url(&format!("/animations/jobs/{job_id}/events")))
    );

    for path in [
        format!("/animations/jobs/{job_id}"),
        format!("/animations/jobs/{job_id}/events"),
    ] {
        server
            .get(&path, None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        server
            .get(&path, Some(&bob))
            .await
            .assert_error(404, "NOT_FOUND");
    }
    server
        .post(
            &format!("/animations/jobs/{job_id}/cancel"),
            Some(&bob),
            json!({}),
        )
        .await
        .assert_error(404, "NOT_FOUND");
    server
        .get("/animations/jobs/job_missing", Some(&alice))
        .await
        .assert_error(404, "NOT_FOUND");

    let job = job(&server, &alice, &job_id).await;
    assert_eq!(job["status"], "queued");
    assert_eq!(job["progress"], 0);
    assert_eq!(job["prompt"], "a circle");
    assert_eq!(job["backend"], "local");
    assert_eq!(job["animation"], json!(null));
    assert_eq!(job["error"], json!(null));
    assert!(job["estimated_remaining"].as_u64().is_some());
    assert_eq!(job["logs"], json!([]));
}

#[tokio::test]
async fn idempotency_key_replays_one_job_per_account() {
    for engine in engines().await {
        let server = queue_only(engine).await;
        let (alice, _) = server.register("alice").await;
        let (bob, _) = server.register("bob").await;
        let body = low("a red square", 2.0);

        let first = generate(&server, &alice, &body, Some("key-1")).await;
        let first = first.assert_ok(202).clone();
        // The same body in another member order and formatting is the same request.
        let reordered = json!({
            "config": {"fps": 15, "resolution": "480p", "duration": 2.0, "quality": "low"},
            "prompt": "a red square",
        });
        let again = generate(&server, &alice, &reordered, Some("key-1")).await;
        assert_eq!(again.assert_ok(202)["job_id"], first["job_id"]);

        let other = generate(&server, &alice, &low("a blue square", 2.0), Some("key-1")).await;
        other.assert_error(409, "CONFLICT");
        assert_eq!(
            other.body["error"]["details"]["resource_id"],
            first["job_id"]
        );

        // Keys are per account.
        let bobs = generate(&server, &bob, &body, Some("key-1")).await;
        assert_ne!(bobs.assert_ok(202)["job_id"], first["job_id"]);

        // Twenty concurrent repeats of a new key make one job.
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let client = server.client.clone();
            let url = server.url("/animations/generate");
            let token = alice.clone();
            let body = low("a green star", 2.0);
            tasks.push(tokio::spawn(async move {
                let res = client
                    .post(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", "burst")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                common::read(res).await
            }));
        }
        let mut ids = HashSet::new();
        for task in tasks {
            let res = task.await.unwrap();
            ids.insert(res.assert_ok(202)["job_id"].as_str().unwrap().to_owned());
        }
        assert_eq!(ids.len(), 1, "{engine:?}: {ids:?}");
        let count: i64 = match &server.state.store {
            animaforge_server::store::Store::Sqlite(pool) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE prompt = 'a green star'")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
            animaforge_server::store::Store::Postgres(pool) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE prompt = 'a green star'")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count, 1, "{engine:?}");
    }
}

#[tokio::test]
async fn cancel_queued_then_conflict_and_stream_resumes() {
    let server = queue_only(Engine::Sqlite).await;
    let (token, _) = server.register("canceller").await;
    let job_id = submit(&server, &token, &low("a circle", 2.0)).await;

    let res = server
        .post(
            &format!("/animations/jobs/{job_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    let data = res.assert_ok(200);
    assert_eq!(data["status"], "cancelled");
    assert_eq!(data["estimated_remaining"], json!(null));
    assert_eq!(data["logs"], json!(["Cancelled by its owner"]));

    let again = server
        .post(
            &format!("/animations/jobs/{job_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    again.assert_error(409, "CONFLICT");

    // The whole stream: the log line, then the terminal status; then it ends.
    let (events, text) = read_events(&server, &token, &job_id, None, Duration::from_secs(10)).await;
    assert!(text.starts_with("id: 1\nevent: log\ndata: {"), "{text}");
    let kinds: Vec<_> = events.iter().map(|e| (e.id, e.event.as_str())).collect();
    assert_eq!(kinds, [(1, "log"), (2, "status")]);
    assert_eq!(events[1].data["status"], "cancelled");
    assert_eq!(events[1].data["sequence"], 2);
    assert_eq!(events[1].data["type"], "status");

    // Resuming gives only what came after.
    let (events, _) = read_events(&server, &token, &job_id, Some(1), Duration::from_secs(10)).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].id, 2);
    let (events, _) = read_events(&server, &token, &job_id, Some(2), Duration::from_secs(10)).await;
    assert!(events.is_empty());

    let res = server
        .client
        .get(server.url(&format!("/animations/jobs/{job_id}/events")))
        .bearer_auth(&token)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    common::read(res)
        .await
        .assert_error(400, "VALIDATION_ERROR");
}

#[tokio::test]
async fn templates_are_listed_and_template_jobs_validate() {
    let server = queue_only(Engine::Sqlite).await;
    let res = server.get("/templates", None).await;
    let data = res.assert_ok(200);
    let templates = data["templates"].as_array().unwrap();
    let ids: Vec<&str> = templates
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "title-card",
        "function-plot",
        "shape-morph",
        "pythagorean-proof",
    ] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let morph = templates.iter().find(|t| t["id"] == "shape-morph").unwrap();
    let from = morph["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "from")
        .unwrap();
    assert_eq!(from["type"], "choice");
    assert_eq!(from["default"], "circle");
    assert!(from["choices"].as_array().unwrap().contains(&json!("star")));
    server
        .get("/templates", Some("not-a-token"))
        .await
        .assert_error(401, "AUTHENTICATION_ERROR");

    let (token, _) = server.register("templater").await;
    let body = json!({
        "prompt": "Circle to star",
        "template": "shape-morph",
        "template_params": {"from": "circle", "to": "star", "to_color": "#ff8800"},
        "config": {"quality": "low", "duration": 2}
    });
    let job_id = submit(&server, &token, &body).await;
    let job = job(&server, &token, &job_id).await;
    assert_eq!(job["status"], "queued");
    assert_eq!(job["prompt"], "Circle to star");
}

#[tokio::test]
async fn a_job_without_a_renderer_fails_with_service_unavailable() {
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.jobs.workers = Some(1);
        c.jobs.job_poll_ms = 100;
        c.jobs.python = Some("/usr/bin/python3".into());
    })
    .await;
    let (token, _) = server.register("norenderer").await;
    let health = server.get("/health", None).await;
    let data = health.assert_ok(200);
    assert_eq!(data["status"], "degraded");
    assert_eq!(data["renderer"]["status"], "degraded");
    assert!(
        data["renderer"]["detail"]
            .as_str()
            .unwrap()
            .contains("manim"),
        "{data}"
    );

    let job_id = submit(&server, &token, &low("a circle", 1.0)).await;
    let job = wait_terminal(&server, &token, &job_id, Duration::from_secs(60)).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["error"]["code"], "SERVICE_UNAVAILABLE", "{job}");
    assert!(job["logs"].as_array().unwrap().iter().any(|l| {
        l.as_str()
            .unwrap()
            .starts_with("Generation failed: No renderer is available")
    }));
}

#[tokio::test]
async fn health_reports_the_renderer() {
    let server = queue_only(Engine::Sqlite).await;
    let res = server.get("/health", None).await;
    let data = res.assert_ok(200);
    assert_eq!(data["renderer"]["status"], "ok", "{data}");
    assert!(
        data["renderer"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("manim ")
    );
    assert_eq!(data["status"], "ok");
}

#[tokio::test]
async fn a_cancelled_job_posts_its_signed_callback() {
    use hmac::{Hmac, Mac};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/job"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.jobs.workers = Some(0);
        c.webhooks.webhook_allow_hosts = vec!["127.0.0.1".into()];
        c.webhooks.webhook_poll_ms = 50;
    })
    .await;
    let (token, _) = server.register("callbacker").await;
    let secret = "callback-secret-0123456789";
    let mut body = low("a circle", 1.0);
    body["callback_url"] = json!(format!("{}/hooks/job", receiver.uri()));
    body["callback_secret"] = json!(secret);
    let res = generate(&server, &token, &body, None).await;
    let data = res.assert_ok(202);
    assert_eq!(data["webhook_url"], body["callback_url"]);
    let job_id = data["job_id"].as_str().unwrap().to_owned();

    // A private address the operator did not allow is refused up front.
    let mut private = low("a circle", 1.0);
    private["callback_url"] = json!("http://10.1.2.3/hook");
    private["callback_secret"] = json!(secret);
    let res = generate(&server, &token, &private, None).await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.field(), "callback_url");

    server
        .post(
            &format!("/animations/jobs/{job_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await
        .assert_ok(200);
    let started = std::time::Instant::now();
    let request = loop {
        let received = receiver.received_requests().await.unwrap_or_default();
        if let Some(r) = received.into_iter().next() {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no callback arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let payload: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        payload,
        json!({"job_id": job_id, "status": "cancelled", "animation": null, "error": null})
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&request.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let header = request.headers.get("x-animaforge-signature").unwrap();
    assert_eq!(header.to_str().unwrap(), expected);
    assert!(request.headers.get("webhook-signature").is_some());
}

#[tokio::test]
async fn the_event_stream_sends_keep_alives_while_waiting() {
    use futures::StreamExt;

    let server = queue_only(Engine::Sqlite).await;
    let (token, _) = server.register("waiter").await;
    let job_id = submit(&server, &token, &low("a circle", 1.0)).await;
    let res = server
        .client
        .get(server.url(&format!("/animations/jobs/{job_id}/events")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("x-request-id").is_some());
    let mut body = res.bytes_stream();
    let mut text = String::new();
    let read = async {
        while let Some(chunk) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if text.contains(": keep-alive") {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("a keep-alive comment within 15 s");
    assert!(
        !text.contains("event:"),
        "a queued job has no events yet: {text}"
    );

    // A cancel arriving while the stream waits is pushed, and the stream ends.
    let reader = {
        let client = server.client.clone();
        let url = server.url(&format!("/animations/jobs/{job_id}/events"));
        let token = token.clone();
        tokio::spawn(async move {
            let res = client.get(url).bearer_auth(token).send().await.unwrap();
            res.text().await.unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    server
        .post(
            &format!("/animations/jobs/{job_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await
        .assert_ok(200);
    let text = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .expect("the stream ends after the terminal event")
        .unwrap();
    let events = jobs_support::parse_sse(&text);
    assert_eq!(events.last().unwrap().data["status"], "cancelled", "{text}");
}

#[tokio::test]
async fn a_model_that_keeps_writing_unsafe_code_fails_the_job_with_a_validation_error() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // A stand-in for an OpenAI-compatible model server that answers with a scene
    // importing `os`, every time (including the corrective retry).
    let model = MockServer::start().await;
    let unsafe_scene = "```python\nfrom manim import *\nimport os\n\nclass Bad(Scene):\n    \
                        def construct(self):\n        os.system('true')\n```";
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"message": {"role": "assistant", "content": unsafe_scene}}]
        })))
        .mount(&model)
        .await;
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.jobs.workers = Some(1);
        c.jobs.job_poll_ms = 100;
        c.jobs.openai_base_url = Some(format!("{}/v1", model.uri()));
        c.jobs.openai_model = Some("stand-in".into());
    })
    .await;
    let (token, _) = server.register("modeller").await;
    // Gemini stays unavailable without a key.
    let mut body = low("a circle", 1.0);
    body["backend"] = json!("gemini");
    let res = generate(&server, &token, &body, None).await;
    res.assert_error(400, "VALIDATION_ERROR");
    assert_eq!(res.field(), "backend");

    body["backend"] = json!("openai");
    let job_id = submit(&server, &token, &body).await;
    let job = wait_terminal(&server, &token, &job_id, Duration::from_secs(60)).await;
    assert_eq!(job["backend"], "openai");
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["error"]["code"], "VALIDATION_ERROR", "{job}");
    let message = job["error"]["message"].as_str().unwrap();
    assert!(message.contains("os"), "the construct is named: {message}");
    let logs: Vec<&str> = job["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(logs.first(), Some(&"Starting generation..."));
    assert!(
        logs.iter()
            .any(|l| l.contains("asking the model for a fix")),
        "{logs:?}"
    );
    assert_eq!(
        model.received_requests().await.unwrap().len(),
        2,
        "one retry"
    );
}
