//! Webhooks on both engines: registration rules, signed deliveries with retries, 410,
//! and deliveries surviving a restart. Receivers are small servers on 127.0.0.1.

mod common;
mod marketplace_support;

use std::collections::BTreeMap;

use base64::Engine as _;
use common::{TestServer, engines};
use hmac::{Hmac, Mac};
use marketplace_support::{Item, Received, Receiver, Running, Spot, fast_webhooks, seed};
use serde_json::{Value, json};
use sha2::Sha256;

fn hmac(secret: &str, data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Verifies all three signatures of a webhook delivery, independently of the server.
fn verify(r: &Received, secret: &str) -> Value {
    let raw = r.body.to_vec();
    let header = r.header("x-animaforge-signature");
    assert_eq!(
        header,
        format!("sha256={}", hex::encode(hmac(secret, &raw)))
    );

    let text = String::from_utf8(raw.clone()).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let signature = value["signature"].as_str().unwrap().to_owned();
    let member = format!(r#","signature":"{signature}"}}"#);
    assert!(
        text.ends_with(&member),
        "signature must be the last member: {text}"
    );
    let unsigned = format!("{}}}", &text[..text.len() - member.len()]);
    assert_eq!(
        signature,
        format!("sha256={}", hex::encode(hmac(secret, unsigned.as_bytes())))
    );

    let id = r.header("webhook-id");
    let ts = r.header("webhook-timestamp");
    let signed = [id.as_bytes(), b".", ts.as_bytes(), b".", &raw].concat();
    let expected = base64::engine::general_purpose::STANDARD.encode(hmac(secret, &signed));
    assert_eq!(r.header("webhook-signature"), format!("v1,{expected}"));
    assert_eq!(value["id"], json!(id));
    value
}

#[tokio::test]
async fn registration_is_checked_and_private() {
    for engine in engines().await {
        // No allowlist: loopback and private targets are refused.
        let server = TestServer::start(engine).await;
        let (token, _) = server.register("hookowner").await;
        let secret = "s3cret-s3cret-s3cret";
        for url in [
            "http://127.0.0.1:9/hook",
            "http://localhost:9/hook",
            "http://10.0.0.1/hook",
            "http://169.254.169.254/latest",
            "http://[::1]/hook",
        ] {
            let res = server
                .post(
                    "/webhooks",
                    Some(&token),
                    json!({"url": url, "events": ["user.followed"], "secret": secret}),
                )
                .await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), "url", "{url}");
        }
        for (body, field) in [
            (
                json!({"url": "ftp://example.com/x", "events": ["user.followed"], "secret": secret}),
                "url",
            ),
            (
                json!({"url": "https://example.com/x", "events": [], "secret": secret}),
                "events",
            ),
            (
                json!({"url": "https://example.com/x", "events": ["user.followed"], "secret": "short"}),
                "secret",
            ),
        ] {
            let res = server.post("/webhooks", Some(&token), body).await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), field);
        }
        let res = server
            .post(
                "/webhooks",
                Some(&token),
                json!({"url": "https://example.com/x", "events": ["nope"], "secret": secret}),
            )
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        server.stop().await;

        // With the allowlist: registered, listed to the owner only, deleted by the owner only.
        let server = TestServer::start_with(engine, fast_webhooks).await;
        let (token, _) = server.register("hookowner").await;
        let (other, _) = server.register("stranger").await;
        let res = server
            .post(
                "/webhooks",
                Some(&token),
                json!({"url": "http://127.0.0.1:9/hook", "events": ["user.followed", "animation.purchased"], "secret": secret}),
            )
            .await;
        let hook = res.assert_ok(201)["webhook"].clone();
        assert_eq!(hook["status"], json!("active"));
        assert!(hook.get("secret").is_none());
        let id = hook["id"].as_str().unwrap();
        assert_eq!(
            server.get("/webhooks", Some(&token)).await.assert_ok(200)["webhooks"][0]["id"],
            json!(id)
        );
        assert_eq!(
            server.get("/webhooks", Some(&other)).await.assert_ok(200)["webhooks"],
            json!([])
        );
        server
            .delete(&format!("/webhooks/{id}"), Some(&other))
            .await
            .assert_error(404, "NOT_FOUND");
        server
            .delete(&format!("/webhooks/{id}"), Some(&token))
            .await
            .assert_ok(200);
        assert_eq!(
            server.get("/webhooks", Some(&token)).await.assert_ok(200)["webhooks"],
            json!([])
        );
        server
            .get("/webhooks", None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        server.stop().await;
    }
}

/// The deliveries of event `id`, once none of them is still in flight (at most 10 s).
async fn delivered_record(
    server: &TestServer,
    id: &str,
) -> Vec<animaforge_server::store::webhooks::DeliveryRow> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let deliveries =
            animaforge_server::store::webhooks::deliveries_of_event(&server.state.store, id)
                .await
                .unwrap();
        if deliveries.iter().all(|d| d.state != "pending") || std::time::Instant::now() > deadline {
            return deliveries;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn events_arrive_once_signed_after_two_failures() {
    for engine in engines().await {
        let server = TestServer::start_with(engine, fast_webhooks).await;
        let receiver = Receiver::start(vec![503, 503], 200).await;
        let secret = "a-long-webhook-secret";
        let (seller, seller_id) = server.register("seller").await;
        let (buyer, buyer_id) = server.register("buyer").await;
        server
            .post(
                "/webhooks",
                Some(&seller),
                json!({"url": receiver.url, "events": ["user.followed", "animation.purchased"], "secret": secret}),
            )
            .await
            .assert_ok(201);

        // Two causes: a follow and a purchase.
        server
            .post(
                &format!("/users/{seller_id}/follow"),
                Some(&buyer),
                json!({}),
            )
            .await
            .assert_ok(200);
        let mut item = Item::new("Priced", "");
        item.price_cents = 499;
        let anim = seed(&server.state.store, &seller_id, &item, None).await;
        let purchase = server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                json!({"animation_id": anim, "payment_method": "card_ok"}),
            )
            .await;
        let purchase_id = purchase.assert_ok(201)["purchase"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let got = receiver
            .wait_for(|got| got.iter().filter(|r| r.answered == 200).count() >= 2)
            .await;
        // Each event: 503, 503, then 200, the same id and body every time.
        let mut by_id: BTreeMap<String, Vec<&Received>> = BTreeMap::new();
        for r in &got {
            by_id.entry(r.header("webhook-id")).or_default().push(r);
        }
        assert_eq!(by_id.len(), 2, "{got:?}");
        let mut events = BTreeMap::new();
        for (id, attempts) in &by_id {
            let answers: Vec<u16> = attempts.iter().map(|r| r.answered).collect();
            assert_eq!(answers, [503, 503, 200], "{id}");
            let value = verify(attempts[2], secret);
            for a in attempts {
                verify(a, secret);
            }
            events.insert(value["event"].as_str().unwrap().to_owned(), value);
        }
        let followed = &events["user.followed"];
        assert_eq!(
            followed["data"],
            json!({"user_id": seller_id, "follower_id": buyer_id})
        );
        let purchased = &events["animation.purchased"];
        assert_eq!(
            purchased["data"],
            json!({"animation_id": anim, "purchase_id": purchase_id, "buyer_id": buyer_id, "amount": 4.99, "currency": "USD"})
        );

        // Every attempt is recorded; nothing more arrives. The receiver has answered
        // before the worker writes the outcome down, so wait for the record.
        for id in by_id.keys() {
            let deliveries = delivered_record(&server, id).await;
            assert_eq!(deliveries.len(), 1);
            assert_eq!(deliveries[0].state, "delivered");
            let attempts = animaforge_server::store::webhooks::attempts(
                &server.state.store,
                &deliveries[0].id,
            )
            .await
            .unwrap();
            let codes: Vec<Option<i64>> = attempts.iter().map(|a| a.status_code).collect();
            assert_eq!(codes, [Some(503), Some(503), Some(200)]);
        }
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert_eq!(receiver.received().len(), 6);

        // A repeated follow is no new event.
        server
            .post(
                &format!("/users/{seller_id}/follow"),
                Some(&buyer),
                json!({}),
            )
            .await
            .assert_ok(200);
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert_eq!(receiver.received().len(), 6);
        server.stop().await;
    }
}

#[tokio::test]
async fn gone_disables_the_webhook() {
    for engine in engines().await {
        let server = TestServer::start_with(engine, fast_webhooks).await;
        let receiver = Receiver::start(vec![], 410).await;
        let (owner, owner_id) = server.register("owner").await;
        let (fan1, _) = server.register("fanone").await;
        let (fan2, _) = server.register("fantwo").await;
        let hook = server
            .post("/webhooks", Some(&owner), json!({"url": receiver.url, "events": ["user.followed"], "secret": "0123456789abcdef"}))
            .await;
        let hook_id = hook.assert_ok(201)["webhook"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        server
            .post(&format!("/users/{owner_id}/follow"), Some(&fan1), json!({}))
            .await
            .assert_ok(200);
        receiver.wait_for(|got| !got.is_empty()).await;
        for _ in 0..100 {
            let list = server.get("/webhooks", Some(&owner)).await;
            if list.data()["webhooks"][0]["status"] == json!("disabled") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let list = server.get("/webhooks", Some(&owner)).await;
        assert_eq!(list.data()["webhooks"][0]["status"], json!("disabled"));

        // Nothing more is sent to it.
        server
            .post(&format!("/users/{owner_id}/follow"), Some(&fan2), json!({}))
            .await
            .assert_ok(200);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 1);
        let deliveries = animaforge_server::store::webhooks::deliveries_of_webhook(
            &server.state.store,
            &hook_id,
        )
        .await
        .unwrap();
        assert_eq!(
            deliveries.len(),
            1,
            "a disabled webhook gets no new deliveries"
        );
        assert_eq!(deliveries[0].state, "gone");
        server.stop().await;
    }
}

#[tokio::test]
async fn pending_deliveries_survive_a_restart() {
    for engine in engines().await {
        let spot = Spot::new(engine).await;
        let receiver = Receiver::start(vec![], 200).await;
        let client = common::client();

        // The first server never polls: the event stays pending when it stops.
        let first = Running::start(&spot, |c| {
            fast_webhooks(c);
            c.webhooks.webhook_poll_ms = 3_600_000;
        })
        .await;
        let register = |name: &'static str, base: String| {
            let client = client.clone();
            async move {
                let res = client
                    .post(format!("{base}/auth/register"))
                    .json(&json!({"username": name, "email": format!("{name}@example.com"), "password": "Passw0rd-long"}))
                    .send()
                    .await
                    .unwrap();
                let body: Value = res.json().await.unwrap();
                (
                    body["data"]["token"].as_str().unwrap().to_owned(),
                    body["data"]["user"]["id"].as_str().unwrap().to_owned(),
                )
            }
        };
        let (owner, owner_id) = register("owner", first.base.clone()).await;
        let (fan, _) = register("fan", first.base.clone()).await;
        let res = client
            .post(format!("{}/webhooks", first.base))
            .bearer_auth(&owner)
            .json(&json!({"url": receiver.url, "events": ["user.followed"], "secret": "0123456789abcdef"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let res = client
            .post(format!("{}/users/{owner_id}/follow", first.base))
            .bearer_auth(&fan)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        first.stop().await;
        assert!(receiver.received().is_empty());

        // The second server on the same data delivers it.
        let second = Running::start(&spot, fast_webhooks).await;
        let got = receiver.wait_for(|got| !got.is_empty()).await;
        let value = verify(&got[0], "0123456789abcdef");
        assert_eq!(value["event"], json!("user.followed"));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(receiver.received().len(), 1);
        second.stop().await;
    }
}

#[tokio::test]
async fn job_callbacks_are_signed_and_retried() {
    for engine in engines().await {
        let server = TestServer::start_with(engine, fast_webhooks).await;
        let receiver = Receiver::start(vec![500], 200).await;
        let secret = "callback-secret-123";
        let body =
            json!({"job_id": "job_1", "status": "completed", "animation": null, "error": null});
        let mut tx = server.state.store.begin().await.unwrap();
        let id = animaforge_server::webhooks::outbox::enqueue_callback(
            &mut tx,
            &receiver.url,
            secret,
            &body,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let got = receiver
            .wait_for(|got| got.iter().any(|r| r.answered == 200))
            .await;
        assert_eq!(got.len(), 2);
        let r = &got[1];
        assert_eq!(r.header("webhook-id"), id);
        let raw = r.body.to_vec();
        assert_eq!(
            serde_json::from_slice::<Value>(&raw).unwrap(),
            body,
            "the body as given, no signature member"
        );
        assert_eq!(
            r.header("x-animaforge-signature"),
            format!("sha256={}", hex::encode(hmac(secret, &raw)))
        );
        let signed = [
            id.as_bytes(),
            b".",
            r.header("webhook-timestamp").as_bytes(),
            b".",
            &raw,
        ]
        .concat();
        let expected = base64::engine::general_purpose::STANDARD.encode(hmac(secret, &signed));
        assert_eq!(r.header("webhook-signature"), format!("v1,{expected}"));
        server.stop().await;
    }
}
