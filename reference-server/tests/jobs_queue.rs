//! The job queue on both engines: concurrent claims take each job exactly once
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one locked statement on SQLite), and
//! expired leases are claimed again until no attempt is left, then failed.

mod common;
mod jobs_support;

use std::collections::HashSet;

use common::{Engine, TestServer, engines};
use jobs_support::{job, low, submit};

/// A server whose jobs stay queued (no in-process workers).
async fn queue_only(engine: Engine) -> TestServer {
    TestServer::start_with(engine, |c| c.jobs.workers = Some(0)).await
}

#[tokio::test]
async fn claims_under_concurrency_take_each_job_once() {
    for engine in engines().await {
        let server = queue_only(engine).await;
        let (token, _) = server.register("queuer").await;
        let mut expected = HashSet::new();
        for i in 0..24 {
            expected.insert(submit(&server, &token, &low(&format!("circle {i}"), 1.0)).await);
        }
        let mut claimers = Vec::new();
        for _ in 0..6 {
            let store = server.state.store.clone();
            claimers.push(tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let lease = animaforge_server::store::new_id("lease");
                    let until = animaforge_server::store::jobs::lease::epoch_ms() + 60_000;
                    match store.claim_job(&lease, until).await.unwrap() {
                        Some(job) => {
                            assert_eq!(job.status, "processing");
                            assert_eq!(job.attempts, 1);
                            assert_eq!(job.lease_owner.as_deref(), Some(lease.as_str()));
                            got.push(job.id);
                        }
                        None => return got,
                    }
                }
            }));
        }
        let mut claimed = Vec::new();
        for c in claimers {
            claimed.extend(c.await.unwrap());
        }
        let unique: HashSet<_> = claimed.iter().cloned().collect();
        assert_eq!(claimed.len(), 24, "{engine:?}: a job was claimed twice");
        assert_eq!(unique, expected, "{engine:?}");
    }
}

#[tokio::test]
async fn expired_leases_are_retried_then_failed() {
    for engine in engines().await {
        let server = TestServer::start_with(engine, |c| {
            c.jobs.workers = Some(0);
            c.jobs.job_max_attempts = 2;
        })
        .await;
        let (token, _) = server.register("leaser").await;
        let job_id = submit(&server, &token, &low("a circle", 1.0)).await;
        let store = &server.state.store;
        let now = animaforge_server::store::jobs::lease::epoch_ms;

        // A claim whose lease has run out is claimable again, with the attempt counted.
        let first = store
            .claim_job("lease_a", now() - 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.id, job_id);
        let second = store
            .claim_job("lease_b", now() - 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((second.id.as_str(), second.attempts), (job_id.as_str(), 2));
        // The stale claim can no longer extend its lease or write.
        assert!(
            !store
                .heartbeat_job(&job_id, "lease_a", now() + 1000)
                .await
                .unwrap()
        );
        // Out of attempts: not claimable; reaped as failed.
        assert!(
            store
                .claim_job("lease_c", now() + 1000)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store.reap_expired_jobs().await.unwrap(),
            vec![job_id.clone()]
        );
        let job = job(&server, &token, &job_id).await;
        assert_eq!(job["status"], "failed", "{engine:?}");
        assert_eq!(job["error"]["code"], "INTERNAL_ERROR");
        assert!(
            job["error"]["message"]
                .as_str()
                .unwrap()
                .contains("stopped responding")
        );
    }
}
