//! Rate limits: quotas, bursts, tiers, the off switch, and sharing across processes.

mod common;

use common::{ChildServer, Engine, PgDatabase, TestServer, client, engines, read};
use serde_json::json;

fn header(res: &common::Res, name: &str) -> u64 {
    res.headers[name].to_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn hourly_quota_then_429_with_retry_after() {
    for engine in engines().await {
        let s = TestServer::start_with(engine, |c| c.rate_limits.rate_limit_free_hourly = 5).await;
        let (token, _) = s.register("limited").await;
        for left in (0..5).rev() {
            let res = s.get("/auth/me", Some(&token)).await;
            res.assert_ok(200);
            assert_eq!(header(&res, "x-ratelimit-limit"), 5);
            assert_eq!(header(&res, "x-ratelimit-remaining"), left);
            let reset = header(&res, "x-ratelimit-reset");
            assert!(reset > chrono::Utc::now().timestamp() as u64 && reset.is_multiple_of(3600));
        }
        let res = s.get("/auth/me", Some(&token)).await;
        res.assert_error(429, "RATE_LIMIT_EXCEEDED");
        let retry = header(&res, "retry-after");
        assert!((1..=3600).contains(&retry));
        assert_eq!(res.body["error"]["details"]["retry_after"], json!(retry));
        assert_eq!(header(&res, "x-ratelimit-remaining"), 0);
        // Other callers have their own buckets.
        s.get("/health", None).await.assert_ok(200);
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn burst_limit_and_anonymous_callers() {
    let s = TestServer::start_with(Engine::Sqlite, |c| {
        c.rate_limits.rate_limit_anonymous_burst = 3;
        c.rate_limits.rate_limit_anonymous_hourly = 50;
        c.rate_limits.rate_limit_burst_window_secs = 60;
    })
    .await;
    for _ in 0..3 {
        let res = s.get("/health", None).await;
        res.assert_ok(200);
        assert_eq!(header(&res, "x-ratelimit-limit"), 50);
    }
    let res = s.get("/no/such/route", None).await;
    res.assert_error(429, "RATE_LIMIT_EXCEEDED");
    assert!((1..=60).contains(&header(&res, "retry-after")));
}

#[tokio::test(flavor = "multi_thread")]
async fn limiting_can_be_switched_off() {
    let s = TestServer::start_with(Engine::Sqlite, |c| {
        c.rate_limits.disabled = true;
        c.rate_limits.rate_limit_anonymous_hourly = 1;
    })
    .await;
    for _ in 0..5 {
        let res = s.get("/animations", None).await;
        res.assert_ok(200);
        // The contract puts the headers on every response; switched off, nothing is spent.
        assert_eq!(header(&res, "x-ratelimit-limit"), 1);
        assert_eq!(header(&res, "x-ratelimit-remaining"), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_spec_spend_no_quota_but_report_it() {
    let s = TestServer::start_with(Engine::Sqlite, |c| {
        c.rate_limits.rate_limit_anonymous_hourly = 10;
        c.rate_limits.rate_limit_anonymous_burst = 100;
    })
    .await;
    s.get("/animations", None).await.assert_ok(200);
    for path in ["/health", "/openapi.json", "/health"] {
        let res = s.get(path, None).await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(header(&res, "x-ratelimit-limit"), 10, "{path}");
        assert_eq!(header(&res, "x-ratelimit-remaining"), 9, "{path}");
        assert!(res.headers.contains_key("x-ratelimit-reset"), "{path}");
    }
    let res = s.get("/animations", None).await;
    assert_eq!(header(&res, "x-ratelimit-remaining"), 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn set_tier_changes_the_quota() {
    for engine in engines().await {
        let s = TestServer::start_with(engine, |c| {
            c.rate_limits.rate_limit_free_hourly = 7;
            c.rate_limits.rate_limit_pro_hourly = 70;
        })
        .await;
        let (token, _) = s.register("upgraded").await;
        let res = s.get("/auth/me", Some(&token)).await;
        assert_eq!(header(&res, "x-ratelimit-limit"), 7);
        assert_eq!(res.data()["user"]["tier"], "free");

        let db = s.state.config.database_url();
        let run = |who: &str, tier: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_animaforge-server"))
                .args(["--database-url", &db, "--data-dir"])
                .arg(s.data_dir.path())
                .args(["set-tier", who, tier])
                .env("RUST_LOG", "error")
                .status()
                .unwrap()
        };
        assert!(run("upgraded@example.com", "pro").success());
        assert!(!run("nobody", "pro").success());
        let res = s.get("/auth/me", Some(&token)).await;
        assert_eq!(header(&res, "x-ratelimit-limit"), 70);
        assert_eq!(res.data()["user"]["tier"], "pro");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_serve_processes_on_one_postgres_share_limits() {
    if !engines().await.contains(&Engine::Postgres) {
        return;
    }
    let db = PgDatabase::create().await;
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let args = [
        "--database-url",
        db.url.as_str(),
        "--rate-limit-anonymous-hourly",
        "12",
        "--rate-limit-anonymous-burst",
        "1000",
    ];
    let a = ChildServer::spawn(dir_a.path(), &args).await;
    let b = ChildServer::spawn(dir_b.path(), &args).await;
    let http = client();
    // Waiting for health spent no quota; requests to either process spend the one quota.
    let mut statuses = vec![];
    for i in 0..14 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let res = read(
            http.get(format!("{base}/v1/animations"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        statuses.push(res.status.as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        12,
        "{statuses:?}"
    );
    assert_eq!(&statuses[12..], &[429, 429], "{statuses:?}");
    let res = read(
        http.get(format!("{}/v1/animations", a.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.assert_error(429, "RATE_LIMIT_EXCEEDED");
    assert!(a.terminate().await.success());
    assert!(b.terminate().await.success());
}
