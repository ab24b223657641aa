//! Retention on both engines: an upkeep pass deletes finished history older than the
//! retention window (delivered webhook events with their attempts, progress ticks of
//! ended jobs, expired refresh tokens) and idempotency records past their 24 hours,
//! and keeps whatever is still in use. The passes are run with a clock moved forward
//! instead of rows written in the past, so the rows are the server's own.

mod common;
mod marketplace_support;

use animaforge_server::store::jobs::{EventWrite, Guard};
use animaforge_server::store::retention::{self, Pruned};
use animaforge_server::store::webhooks::{attempts, deliveries_of_event};
use chrono::Duration;
use common::{TestServer, engines};
use marketplace_support::{Item, Receiver, fast_webhooks, seed};
use serde_json::{Value, json};

/// Waits until `receiver` has answered `count` requests with `status`; returns the
/// event ids of those requests.
async fn answered(receiver: &Receiver, status: u16, count: usize) -> Vec<String> {
    let got = receiver
        .wait_for(|got| got.iter().filter(|r| r.answered == status).count() >= count)
        .await;
    got.iter()
        .filter(|r| r.answered == status)
        .map(|r| r.header("webhook-id"))
        .collect()
}

/// Waits until at least `finished` of event `id`'s deliveries are no longer pending.
async fn settle(server: &TestServer, id: &str, finished: usize) {
    for _ in 0..400 {
        let deliveries = deliveries_of_event(&server.state.store, id).await.unwrap();
        if deliveries.iter().filter(|d| d.state != "pending").count() >= finished {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("event {id}: fewer than {finished} deliveries finished");
}

async fn generate(server: &TestServer, token: &str, prompt: &str) -> String {
    let res = server
        .post(
            "/animations/generate",
            Some(token),
            json!({"prompt": prompt, "config": {"quality": "low", "duration": 1}}),
        )
        .await;
    res.assert_ok(202)["job_id"].as_str().unwrap().to_owned()
}

async fn progress_tick(server: &TestServer, job_id: &str, progress: i64) {
    let written = server
        .state
        .store
        .record_job_event(
            job_id,
            Guard::Any,
            EventWrite {
                kind: "progress",
                status: None,
                progress,
                message: None,
                estimated_remaining: Some(5),
            },
        )
        .await
        .unwrap();
    assert!(written.is_some());
}

async fn kinds(server: &TestServer, job_id: &str) -> Vec<String> {
    server
        .state
        .store
        .job_events_after(job_id, 0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn purchase(server: &TestServer, token: &str, body: &Value) -> common::Res {
    let res = server
        .client
        .post(server.url("/marketplace/purchase"))
        .bearer_auth(token)
        .header("Idempotency-Key", "retained-key")
        .json(body)
        .send()
        .await
        .unwrap();
    common::read(res).await
}

#[tokio::test]
async fn upkeep_prunes_finished_history_and_keeps_what_is_in_use() {
    for engine in engines().await {
        let server = TestServer::start_with(engine, |c| {
            fast_webhooks(c);
            c.webhooks.webhook_max_attempts = 1_000;
            c.jobs.workers = Some(0);
        })
        .await;
        let store = server.state.store.clone();
        let alice = server.account("alice").await;
        let bob = server.account("bob").await;
        let fan = server.account("fan").await;

        // Webhooks: bob's event is delivered; alice's is delivered to one endpoint and
        // still being retried at another.
        let ok = Receiver::start(vec![], 200).await;
        let failing = Receiver::start(vec![], 503).await;
        for (owner, url) in [(&bob, &ok.url), (&alice, &ok.url), (&alice, &failing.url)] {
            server
                .post(
                    "/webhooks",
                    Some(&owner.token),
                    json!({"url": url, "events": ["user.followed"], "secret": "0123456789abcdef"}),
                )
                .await
                .assert_ok(201);
        }
        server
            .post(
                &format!("/users/{}/follow", bob.id),
                Some(&fan.token),
                json!({}),
            )
            .await
            .assert_ok(200);
        let delivered_event = answered(&ok, 200, 1).await[0].clone();
        settle(&server, &delivered_event, 1).await;
        server
            .post(
                &format!("/users/{}/follow", alice.id),
                Some(&fan.token),
                json!({}),
            )
            .await
            .assert_ok(200);
        let retried_event = answered(&failing, 503, 1).await[0].clone();
        settle(&server, &retried_event, 1).await;
        let delivered_attempts = attempts(
            &store,
            &deliveries_of_event(&store, &delivered_event).await.unwrap()[0].id,
        )
        .await
        .unwrap();
        assert_eq!(delivered_attempts.len(), 1);

        // Jobs: one ended (cancelled) with progress ticks, one still queued with one.
        let ended = generate(&server, &alice.token, "A red square").await;
        for p in [10, 20, 30] {
            progress_tick(&server, &ended, p).await;
        }
        server
            .post(
                &format!("/animations/jobs/{ended}/cancel"),
                Some(&alice.token),
                json!({}),
            )
            .await
            .assert_ok(200);
        let waiting = generate(&server, &alice.token, "A blue circle").await;
        progress_tick(&server, &waiting, 5).await;
        let logs_before = server
            .get(&format!("/animations/jobs/{ended}"), Some(&alice.token))
            .await
            .assert_ok(200)["logs"]
            .clone();
        assert!(!logs_before.as_array().unwrap().is_empty());

        // A purchase made with an idempotency key.
        let mut item = Item::new("Priced", "");
        item.price_cents = 250;
        let anim = seed(&store, &bob.id, &item, None).await;
        let body = json!({"animation_id": anim, "payment_method": "card_ok"});
        let first = purchase(&server, &fan.token, &body).await;
        let purchase_id = first.assert_ok(201)["purchase"]["id"].clone();
        let other_body = json!({"animation_id": anim, "payment_method": "card_other"});
        purchase(&server, &fan.token, &other_body)
            .await
            .assert_error(409, "CONFLICT");

        // Today nothing is old enough.
        let now = chrono::Utc::now();
        assert_eq!(
            retention::prune(&store, now, 30).await.unwrap(),
            Pruned::default()
        );

        // Two days on, with history kept forever: only the idempotency record goes,
        // and the key is free again (the repeat finds the purchase already owned).
        let pruned = retention::prune(&store, now + Duration::days(2), 0)
            .await
            .unwrap();
        assert_eq!(
            pruned,
            Pruned {
                idempotency_keys: 1,
                ..Pruned::default()
            }
        );
        let again = purchase(&server, &fan.token, &other_body).await;
        assert_eq!(again.assert_ok(200)["purchase"]["id"], purchase_id);

        // Sixty-one days on, with 30 days kept: the repeat's own idempotency record;
        // bob's delivered follow event and the purchase's event (which no endpoint
        // subscribed to); the ended job's ticks; the three logins' refresh tokens.
        let later = now + Duration::days(61);
        let pruned = retention::prune(&store, later, 30).await.unwrap();
        assert_eq!(
            pruned,
            Pruned {
                idempotency_keys: 1,
                webhook_events: 2,
                job_progress_events: 3,
                refresh_tokens: 3,
            }
        );
        // The delivered event went with its delivery and attempts.
        assert!(
            deliveries_of_event(&store, &delivered_event)
                .await
                .unwrap()
                .is_empty()
        );
        let retried_attempts = attempts(
            &store,
            &deliveries_of_event(&store, &retried_event).await.unwrap()[0].id,
        )
        .await
        .unwrap();
        assert!(
            !retried_attempts.is_empty(),
            "the event still being retried is kept"
        );
        assert_eq!(
            deliveries_of_event(&store, &retried_event)
                .await
                .unwrap()
                .len(),
            2
        );
        // The ended job keeps its logs and its terminal status event.
        let kept = kinds(&server, &ended).await;
        assert!(!kept.iter().any(|k| k == "progress"), "{kept:?}");
        assert_eq!(kept.last().map(String::as_str), Some("status"));
        let job = server
            .get(&format!("/animations/jobs/{ended}"), Some(&alice.token))
            .await;
        assert_eq!(job.assert_ok(200)["logs"], logs_before);
        assert_eq!(job.data()["status"], "cancelled");
        // The queued job keeps everything.
        assert!(
            kinds(&server, &waiting)
                .await
                .iter()
                .any(|k| k == "progress")
        );
        // Expired refresh tokens are unknown now.
        server
            .post(
                "/auth/refresh",
                None,
                json!({"refresh_token": fan.refresh_token}),
            )
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");

        // A second pass finds nothing more.
        assert_eq!(
            retention::prune(&store, later, 30).await.unwrap(),
            Pruned::default()
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn the_work_directory_sweep_removes_only_ended_jobs() {
    for engine in engines().await {
        let server = TestServer::start_with(engine, |c| c.jobs.workers = Some(0)).await;
        let owner = server.account("sweeper").await;
        let ended = generate(&server, &owner.token, "A red square").await;
        server
            .post(
                &format!("/animations/jobs/{ended}/cancel"),
                Some(&owner.token),
                json!({}),
            )
            .await
            .assert_ok(200);
        let queued = generate(&server, &owner.token, "A blue circle").await;
        let work = server.state.generation.work_dir().to_path_buf();
        for name in [ended.as_str(), queued.as_str(), "job_unknown", "notes"] {
            std::fs::create_dir_all(work.join(name).join("media")).unwrap();
            std::fs::write(work.join(name).join("media/scene.py"), "x").unwrap();
        }

        let removed = animaforge_server::jobs::worker::sweep_work_dir(&server.state).await;
        assert_eq!(removed, 2);
        assert!(!work.join(&ended).exists());
        assert!(!work.join("job_unknown").exists());
        assert!(work.join(&queued).exists(), "a queued job may run again");
        assert!(work.join("notes").exists(), "not a job directory");
        assert_eq!(
            animaforge_server::jobs::worker::sweep_work_dir(&server.state).await,
            0
        );
        server.stop().await;
    }
}
