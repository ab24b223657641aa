//! The marketplace on both engines: featured (with the operator subcommand), trending
//! over a seeded timeline, purchases with each test payment method, idempotency.

mod common;
mod marketplace_support;

use std::time::Duration;

use animaforge_server::store::analytics::{EventKind, NewEvent, record};
use animaforge_server::store::marketplace::purchase_count;
use chrono::Utc;
use common::{TestServer, engines};
use marketplace_support::{Item, seed};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn featured_is_set_by_the_operator_subcommand() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        let (_, owner) = server.register("curated").await;
        let a = seed(&server.state.store, &owner, &Item::new("First", ""), None).await;
        let b = seed(&server.state.store, &owner, &Item::new("Second", ""), None).await;
        let db = server.state.config.database_url();
        let run = |args: Vec<String>| {
            let data_dir = server.data_dir.path().to_owned();
            let db = db.clone();
            async move {
                tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge-server"))
                    .arg("--data-dir")
                    .arg(data_dir)
                    .args(["--database-url", &db])
                    .args(args)
                    .env("RUST_LOG", "error")
                    .status()
                    .await
                    .unwrap()
            }
        };
        assert!(run(vec!["feature".into(), a.clone()]).await.success());
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(run(vec!["feature".into(), b.clone()]).await.success());
        assert!(
            !run(vec!["feature".into(), "anim_missing".into()])
                .await
                .success()
        );
        let data = server
            .get("/marketplace/featured", None)
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(ids(&data["featured"]), [b.clone(), a.clone()]);
        assert!(run(vec!["unfeature".into(), b.clone()]).await.success());
        let data = server
            .get("/marketplace/featured", None)
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(ids(&data["featured"]), [a]);
        server.stop().await;
    }
}

#[tokio::test]
async fn trending_weighs_recent_activity() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        let (_, owner) = server.register("trendy").await;
        let store = &server.state.store;
        let steady = seed(store, &owner, &Item::new("Steady", ""), None).await;
        let fresh = seed(store, &owner, &Item::new("Fresh", ""), None).await;
        let sold = seed(store, &owner, &Item::new("Sold", ""), None).await;
        let classic = seed(store, &owner, &Item::new("Classic", ""), None).await;
        let _idle = seed(store, &owner, &Item::new("Idle", ""), None).await;
        let now = Utc::now();
        let events = [
            (&steady, EventKind::View, 10, chrono::Duration::days(6)),
            (&fresh, EventKind::View, 5, chrono::Duration::hours(1)),
            (&sold, EventKind::Purchase, 1, chrono::Duration::hours(2)),
            (&classic, EventKind::View, 20, chrono::Duration::days(20)),
        ];
        for (id, kind, n, ago) in events {
            for _ in 0..n {
                let e = NewEvent {
                    animation_id: (*id).clone(),
                    kind,
                    viewer_key: None,
                    referrer: "direct".into(),
                    country: "unknown".into(),
                    amount_cents: 0,
                    at: now - ago,
                };
                record(store, &e).await.unwrap();
            }
        }
        let trending = |q: &'static str| {
            let server = &server;
            async move {
                ids(&server
                    .get(&format!("/marketplace/trending{q}"), None)
                    .await
                    .assert_ok(200)["trending"])
            }
        };
        assert_eq!(
            trending("").await,
            [sold.clone(), fresh.clone(), steady.clone()]
        );
        assert_eq!(
            trending("?timeframe=day").await,
            [sold.clone(), fresh.clone()]
        );
        assert_eq!(
            trending("?timeframe=all").await,
            // Over all time the half-life is 30 days: 20 views 20 days ago still lead, and
            // 10 views 6 days ago outweigh 5 views an hour ago.
            [classic.clone(), sold.clone(), steady.clone(), fresh.clone()]
        );
        assert_eq!(
            trending("?timeframe=month").await,
            [sold.clone(), steady.clone(), fresh.clone(), classic.clone()]
        );
        assert_eq!(trending("?timeframe=month&limit=1").await, [sold]);
        server
            .get("/marketplace/trending?limit=51", None)
            .await
            .assert_error(400, "VALIDATION_ERROR");
        server
            .get("/marketplace/trending?timeframe=year", None)
            .await
            .assert_error(400, "VALIDATION_ERROR");
        server.stop().await;
    }
}

#[tokio::test]
async fn purchases_follow_the_payment_method() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        let (seller, seller_id) = server.register("seller").await;
        let (buyer, _) = server.register("buyer").await;
        let store = &server.state.store;
        let mut priced = Item::new("Priced", "");
        priced.price_cents = 999;
        let anim = seed(store, &seller_id, &priced, None).await;
        let mut cheap = Item::new("Cheap", "");
        cheap.price_cents = 150;
        let other = seed(store, &seller_id, &cheap, None).await;
        let free = seed(store, &seller_id, &Item::new("Free", ""), None).await;
        let buy = |id: &str, method: &str| json!({"animation_id": id, "payment_method": method});

        server
            .get(&format!("/animations/{anim}/download"), Some(&buyer))
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        let res = server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                buy(&anim, "card_declined"),
            )
            .await;
        res.assert_error(402, "PAYMENT_DECLINED");
        assert_eq!(res.field(), "payment_method");
        server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                buy(&anim, "card_processing_error"),
            )
            .await
            .assert_error(502, "PAYMENT_PROVIDER_ERROR");
        let res = server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                buy(&anim, "paypal_x"),
            )
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), "payment_method");
        assert_eq!(
            purchase_count(store, &anim).await.unwrap(),
            0,
            "nothing is recorded for failures"
        );

        let first = server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                buy(&anim, "card_visa_4242"),
            )
            .await;
        let p = first.assert_ok(201)["purchase"].clone();
        assert_eq!(p["amount"], json!(9.99));
        assert_eq!(p["currency"], json!("USD"));
        assert_eq!(p["status"], json!("completed"));
        assert_eq!(p["animation_id"], json!(anim));

        // The receipt opens without credentials; a changed signature is not found.
        let receipt_url = p["receipt_url"].as_str().unwrap().to_owned();
        assert!(
            receipt_url.starts_with(&server.url("/").replace("/v1/", "/receipts/")),
            "{receipt_url}"
        );
        let page = server.client.get(&receipt_url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        assert!(html.contains(p["id"].as_str().unwrap()), "{html}");
        assert!(html.contains("9.99 USD"), "{html}");
        let forged = format!(
            "{}0",
            receipt_url.trim_end_matches(|c: char| c.is_ascii_hexdigit())
        );
        let res = server.client.get(&forged).send().await.unwrap();
        assert_eq!(res.status(), 404);
        let unsigned = receipt_url.split('?').next().unwrap().to_owned();
        assert_eq!(
            server.client.get(&unsigned).send().await.unwrap().status(),
            404
        );

        let again = server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                buy(&anim, "card_other"),
            )
            .await;
        assert_eq!(
            again.assert_ok(200)["purchase"],
            p,
            "owned: the existing purchase"
        );
        assert_eq!(
            animaforge_server::payments::test_charges(store, "card_other")
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            server
                .get(&format!("/animations/{anim}/download"), Some(&buyer))
                .await
                .status,
            302
        );

        let res = server
            .post(
                "/marketplace/purchase",
                Some(&seller),
                buy(&anim, "card_ok"),
            )
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        server
            .post("/marketplace/purchase", Some(&buyer), buy(&free, "card_ok"))
            .await
            .assert_error(400, "VALIDATION_ERROR");
        server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                buy("anim_missing", "card_ok"),
            )
            .await
            .assert_error(404, "NOT_FOUND");
        server
            .post("/marketplace/purchase", None, buy(&anim, "card_ok"))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");

        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = server
            .post(
                "/marketplace/purchase",
                Some(&buyer),
                buy(&other, "card_ok"),
            )
            .await;
        let second_id = second.assert_ok(201)["purchase"]["id"].clone();
        let list = server
            .get("/marketplace/purchases", Some(&buyer))
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(list["pagination"]["total"], json!(2));
        assert_eq!(list["purchases"][0]["id"], second_id, "newest first");
        assert_eq!(list["purchases"][1]["id"], p["id"]);
        assert_eq!(
            list["purchases"][1]["animation"]["creator_username"],
            json!("seller")
        );
        let page = server
            .get("/marketplace/purchases?per_page=1&page=2", Some(&buyer))
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(page["purchases"][0]["id"], p["id"]);

        // The seller's revenue follows from the ledger.
        let dash = server
            .get("/analytics/dashboard", Some(&seller))
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(dash["overview"]["total_revenue"], json!(11.49));
        server.stop().await;
    }
}

#[tokio::test]
async fn one_idempotency_key_buys_once() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        let (_, seller_id) = server.register("seller").await;
        let (buyer, _) = server.register("buyer").await;
        let mut priced = Item::new("Priced", "");
        priced.price_cents = 500;
        let anim = seed(&server.state.store, &seller_id, &priced, None).await;
        let method = format!("card_{}", engine_name(engine));
        let body = json!({"animation_id": anim, "payment_method": method});

        let mut tasks = vec![];
        for _ in 0..100 {
            let client = server.client.clone();
            let url = server.url("/marketplace/purchase");
            let (buyer, body) = (buyer.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                common::read(
                    client
                        .post(url)
                        .bearer_auth(buyer)
                        .header("Idempotency-Key", "one-key")
                        .json(&body)
                        .send()
                        .await
                        .unwrap(),
                )
                .await
            }));
        }
        let mut purchase_ids = std::collections::BTreeSet::new();
        for t in tasks {
            let res = t.await.unwrap();
            match res.status.as_u16() {
                201 => {
                    purchase_ids.insert(res.data()["purchase"]["id"].as_str().unwrap().to_owned());
                }
                409 => res.assert_error(409, "CONFLICT"),
                other => panic!("unexpected {other}: {}", res.body),
            }
        }
        assert_eq!(
            purchase_ids.len(),
            1,
            "every success carries the one purchase"
        );
        assert_eq!(purchase_count(&server.state.store, &anim).await.unwrap(), 1);
        assert_eq!(
            animaforge_server::payments::test_charges(&server.state.store, &method)
                .await
                .unwrap(),
            1
        );

        // Replays return the first result; another body with the key is refused.
        let replay = server
            .client
            .post(server.url("/marketplace/purchase"))
            .bearer_auth(&buyer)
            .header("Idempotency-Key", "one-key")
            .json(&body)
            .send()
            .await
            .unwrap();
        let replay = common::read(replay).await;
        assert_eq!(
            replay.assert_ok(201)["purchase"]["id"].as_str().unwrap(),
            purchase_ids.first().unwrap()
        );
        let other = server
            .client
            .post(server.url("/marketplace/purchase"))
            .bearer_auth(&buyer)
            .header("Idempotency-Key", "one-key")
            .json(&json!({"animation_id": anim, "payment_method": "card_different"}))
            .send()
            .await
            .unwrap();
        common::read(other).await.assert_error(409, "CONFLICT");
        server.stop().await;
    }
}

fn engine_name(engine: common::Engine) -> &'static str {
    match engine {
        common::Engine::Sqlite => "sqlite",
        common::Engine::Postgres => "postgres",
    }
}
