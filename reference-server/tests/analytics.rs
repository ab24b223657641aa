//! Creator analytics on both engines: the reports add up to the recorded events.

mod common;
mod marketplace_support;

use chrono::{Days, Utc};
use common::{TestServer, engines};
use marketplace_support::{Item, seed};
use serde_json::json;

#[tokio::test]
async fn reports_sum_the_recorded_events() {
    for engine in engines().await {
        let server = TestServer::start_with(engine, |c| {
            c.analytics.country_header = Some("CF-IPCountry".into());
        })
        .await;
        let (owner, owner_id) = server.register("creator").await;
        let (fan, _) = server.register("fan").await;
        let (stranger, _) = server.register("stranger").await;
        let mut priced = Item::new("Measured", "");
        priced.price_cents = 250;
        let anim = seed(&server.state.store, &owner_id, &priced, None).await;
        let other = seed(
            &server.state.store,
            &owner_id,
            &Item::new("Other", ""),
            None,
        )
        .await;

        // 6 views: 4 anonymous (one address), 2 by the fan; referrers and countries vary.
        let views = [
            (None, Some("https://www.google.com/search?q=x"), Some("US")),
            (None, Some("https://t.co/abc"), Some("US")),
            (None, None, Some("DE")),
            (None, Some("https://example.org/"), None),
            (Some(&fan), Some("https://www.google.de/"), Some("de")),
            (Some(&fan), None, Some("<bad>")),
        ];
        for (who, referrer, country) in views {
            let mut req = server
                .client
                .get(server.url(&format!("/animations/{anim}")));
            if let Some(t) = who {
                req = req.bearer_auth(t);
            }
            if let Some(r) = referrer {
                req = req.header("Referer", r);
            }
            if let Some(c) = country {
                req = req.header("CF-IPCountry", c);
            }
            assert_eq!(req.send().await.unwrap().status(), 200);
        }
        // The owner's own views are not counted.
        for _ in 0..3 {
            server
                .get(&format!("/animations/{anim}"), Some(&owner))
                .await
                .assert_ok(200);
        }
        server
            .get(&format!("/animations/{other}"), None)
            .await
            .assert_ok(200);
        server
            .post(&format!("/animations/{anim}/like"), Some(&fan), json!({}))
            .await
            .assert_ok(200);
        server
            .post(
                "/marketplace/purchase",
                Some(&fan),
                json!({"animation_id": anim, "payment_method": "card_ok"}),
            )
            .await
            .assert_ok(201);
        for _ in 0..2 {
            assert_eq!(
                server
                    .get(&format!("/animations/{anim}/download"), Some(&fan))
                    .await
                    .status,
                302
            );
        }

        let data = server
            .get(&format!("/analytics/animations/{anim}"), Some(&owner))
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(
            data["metrics"],
            json!({"total_views": 6, "unique_viewers": 2, "total_downloads": 2, "likes": 1, "shares": 0})
        );
        assert_eq!(
            data["demographics"]["countries"],
            json!({"US": 2, "DE": 2, "unknown": 2})
        );
        assert_eq!(
            data["referrers"],
            json!({"google": 2, "twitter": 1, "direct": 2, "other": 1})
        );
        let timeline = data["timeline"].as_array().unwrap();
        assert_eq!(timeline.len(), 30);
        let today = &timeline[29];
        assert_eq!(today["date"], json!(Utc::now().date_naive().to_string()));
        assert_eq!(
            (
                today["views"].clone(),
                today["downloads"].clone(),
                today["likes"].clone(),
                today["purchases"].clone(),
                today["revenue"].clone()
            ),
            (json!(6), json!(2), json!(1), json!(1), json!(2.5))
        );

        let dash = server
            .get("/analytics/dashboard", Some(&owner))
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(
            dash["overview"],
            json!({"total_views": 7, "total_downloads": 2, "total_revenue": 2.5, "total_likes": 1})
        );
        assert_eq!(dash["top_animations"][0]["animation_id"], json!(anim));
        assert_eq!(dash["top_animations"][0]["views"], json!(6));
        assert_eq!(dash["top_animations"][1]["views"], json!(1));
        let days: u64 = dash["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["views"].as_u64().unwrap())
            .sum();
        assert_eq!(days, 7);

        // Ranges.
        let today = Utc::now().date_naive();
        let yesterday = today.checked_sub_days(Days::new(1)).unwrap();
        let data = server
            .get(
                &format!("/analytics/dashboard?start_date={yesterday}&end_date={yesterday}"),
                Some(&owner),
            )
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(data["overview"]["total_views"], json!(0));
        assert_eq!(data["timeline"].as_array().unwrap().len(), 1);
        for (query, field) in [
            ("start_date=2025-13-01", "start_date"),
            ("start_date=2025-02-01&end_date=2025-01-01", "end_date"),
            ("start_date=2024-01-01&end_date=2025-06-01", "end_date"),
        ] {
            let res = server
                .get(&format!("/analytics/dashboard?{query}"), Some(&owner))
                .await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), field, "{query}");
        }
        server
            .get(
                "/analytics/dashboard?start_date=2025-01-01&end_date=2026-01-02",
                Some(&owner),
            )
            .await
            .assert_ok(200);

        // Owner only.
        server
            .get(&format!("/analytics/animations/{anim}"), Some(&stranger))
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        server
            .get("/analytics/animations/anim_missing", Some(&owner))
            .await
            .assert_error(404, "NOT_FOUND");
        server
            .get("/analytics/dashboard", None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        server.stop().await;
    }
}
