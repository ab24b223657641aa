//! Likes, follows and profiles, with exact counts under concurrency, on both engines.
#![allow(clippy::print_stderr)] // the figure is the point of printing

mod common;

use common::{Seed, TestServer, engines};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn likes_are_idempotent() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, owner) = s.register("liker").await;
        let id = s.seed_animation(&owner, Seed::titled("Likeable")).await;
        let path = format!("/animations/{id}/like");

        assert_eq!(
            s.post(&path, Some(&token), json!({})).await.assert_ok(200),
            &json!({"liked": true, "like_count": 1})
        );
        assert_eq!(
            s.post(&path, Some(&token), json!({})).await.assert_ok(200),
            &json!({"liked": true, "like_count": 1})
        );
        assert_eq!(
            s.delete(&path, Some(&token)).await.assert_ok(200),
            &json!({"liked": false, "like_count": 0})
        );
        assert_eq!(
            s.delete(&path, Some(&token)).await.assert_ok(200),
            &json!({"liked": false, "like_count": 0})
        );
        s.post(&path, None, json!({}))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.post("/animations/anim_missing/like", Some(&token), json!({}))
            .await
            .assert_error(404, "NOT_FOUND");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_concurrent_likes_count_exactly() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (_, owner) = s.register("popular").await;
        let id = s.seed_animation(&owner, Seed::titled("Viral")).await;

        // 200 accounts, registered 20 at a time.
        let mut tokens = vec![];
        for chunk in 0..10 {
            let batch = futures::future::join_all(
                (0..20).map(|i| s.register_owned(format!("fan{chunk}x{i}"))),
            )
            .await;
            tokens.extend(batch);
        }
        let path = format!("/animations/{id}/like");
        let results =
            futures::future::join_all(tokens.iter().map(|t| s.post(&path, Some(t), json!({}))))
                .await;
        let mut counts = vec![];
        for r in &results {
            counts.push(r.assert_ok(200)["like_count"].as_u64().unwrap());
        }
        counts.sort_unstable();
        counts.dedup();
        assert_eq!(
            counts.len(),
            200,
            "every like saw a distinct count ({engine:?})"
        );
        assert_eq!(counts.last(), Some(&200));
        let anim = s.get(&format!("/animations/{id}"), None).await;
        assert_eq!(
            anim.data()["animation"]["stats"]["likes"],
            200,
            "{engine:?}"
        );
        eprintln!("{engine:?}: 200 concurrent likes -> 200");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn follows_profiles_and_badges() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (alice_t, alice) = s.register("alice").await;
        let (bob_t, bob) = s.register("bob").await;
        let (carol_t, _) = s.register("carol").await;

        let path = format!("/users/{alice}/follow");
        assert_eq!(
            s.post(&path, Some(&bob_t), json!({})).await.assert_ok(200),
            &json!({"following": true, "follower_count": 1})
        );
        assert_eq!(
            s.post(&path, Some(&bob_t), json!({})).await.assert_ok(200),
            &json!({"following": true, "follower_count": 1})
        );
        assert_eq!(
            s.post(&path, Some(&carol_t), json!({}))
                .await
                .assert_ok(200)["follower_count"],
            2
        );
        let res = s.post(&path, Some(&alice_t), json!({})).await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), "id");
        s.post(&path, None, json!({}))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.post("/users/user_missing/follow", Some(&bob_t), json!({}))
            .await
            .assert_error(404, "NOT_FOUND");
        assert_eq!(
            s.delete(&path, Some(&carol_t)).await.assert_ok(200),
            &json!({"following": false, "follower_count": 1})
        );
        assert_eq!(
            s.delete(&path, Some(&carol_t)).await.assert_ok(200),
            &json!({"following": false, "follower_count": 1})
        );

        // Alice publishes 10 animations and receives likes and downloads.
        let mut first = String::new();
        for i in 0..10 {
            let id = s
                .seed_animation(&alice, Seed::titled(&format!("Work {i}")))
                .await;
            if i == 0 {
                first = id;
            }
        }
        s.post(
            &format!("/animations/{first}/like"),
            Some(&bob_t),
            json!({}),
        )
        .await
        .assert_ok(200);
        assert_eq!(
            s.get(&format!("/animations/{first}/download"), Some(&bob_t))
                .await
                .status,
            302
        );

        let profile = s.get(&format!("/users/{alice}"), None).await;
        let user = &profile.assert_ok(200)["user"];
        assert_eq!(user["username"], "alice");
        assert_eq!(
            user["stats"],
            json!({"animations": 10, "downloads": 1, "likes_received": 1, "followers": 1, "following": 0})
        );
        assert_eq!(user["badges"], json!(["early_adopter", "prolific"]));
        assert!(user["joined_at"].is_string());
        let bob_profile = s.get(&format!("/users/{bob}"), None).await;
        assert_eq!(bob_profile.data()["user"]["stats"]["following"], 1);
        assert_eq!(
            s.get("/users/alice", None).await.data()["user"]["id"],
            json!(alice),
            "by username too"
        );
        s.get("/users/user_missing", None)
            .await
            .assert_error(404, "NOT_FOUND");

        let me = s.get("/auth/me", Some(&alice_t)).await;
        assert_eq!(
            me.data()["user"]["stats"],
            json!({"animations_created": 10, "total_downloads": 1, "followers": 1})
        );
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_follows_count_exactly() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (_, star) = s.register("star").await;
        let tokens =
            futures::future::join_all((0..40).map(|i| s.register_owned(format!("fol{i}")))).await;
        let path = format!("/users/{star}/follow");
        let results =
            futures::future::join_all(tokens.iter().map(|t| s.post(&path, Some(t), json!({}))))
                .await;
        for r in &results {
            r.assert_ok(200);
        }
        let profile = s.get(&format!("/users/{star}"), None).await;
        assert_eq!(profile.data()["user"]["stats"]["followers"], 40);
        s.stop().await;
    }
}
