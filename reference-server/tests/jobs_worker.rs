//! Worker processes sharing the server's database: one is killed with SIGKILL in the
//! middle of a render, and a second one takes over once the lease expires, retrying
//! the job (PostgreSQL, `FOR UPDATE SKIP LOCKED`) or failing it cleanly when no
//! attempt is left (a SQLite file shared by both processes). The job never stays
//! `processing`.

mod common;
mod jobs_support;

use std::time::Duration;

use common::{Engine, TestServer, engines};
use jobs_support::{
    job, job_dir, read_events, spawn_worker, submit, wait_for, wait_no_processes, wait_terminal,
};
use serde_json::json;

const LEASE_ARGS: [&str; 8] = [
    "--workers",
    "1",
    "--job-lease-secs",
    "2",
    "--job-heartbeat-ms",
    "300",
    "--job-poll-ms",
    "100",
];

async fn killed_worker_case(engine: Engine, max_attempts: u32) {
    let server = TestServer::start_with(engine, |c| {
        c.jobs.workers = Some(0);
        c.jobs.job_max_attempts = max_attempts;
    })
    .await;
    let (token, _) = server.register("worker-owner").await;
    let database_url = server.state.config.database_url();
    let data_dir = server.data_dir.path().to_owned();

    let body = json!({
        "prompt": "Square into a star",
        "template": "shape-morph",
        "template_params": {"from": "square", "to": "star"},
        "config": {"quality": "low", "duration": 2, "fps": 15, "resolution": "480p"}
    });
    let job_id = submit(&server, &token, &body).await;
    let needle = job_dir(&server, &job_id).display().to_string();

    // The first worker starts rendering, then dies without any chance to clean up.
    let mut first = spawn_worker(&data_dir, &database_url, &LEASE_ARGS);
    wait_for(&server, &token, &job_id, Duration::from_secs(60), |j| {
        j["status"] == "processing"
            && j["logs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l.as_str().unwrap().starts_with("Rendering with Manim"))
    })
    .await;
    first.start_kill().unwrap();
    let status = first.wait().await.unwrap();
    assert!(!status.success());
    // Its sandbox dies with it.
    wait_no_processes(&needle, Duration::from_secs(10)).await;
    let stuck = job(&server, &token, &job_id).await;
    assert_eq!(
        stuck["status"], "processing",
        "the lease has not expired yet"
    );

    // A second worker takes over after the lease expires.
    let mut second = spawn_worker(&data_dir, &database_url, &LEASE_ARGS);
    let done = wait_terminal(&server, &token, &job_id, Duration::from_secs(180)).await;
    second.start_kill().unwrap();
    let _ = second.wait().await;

    let logs: Vec<&str> = done["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    if max_attempts > 1 {
        assert_eq!(done["status"], "completed", "{engine:?}: {done}");
        assert!(
            logs.iter().any(|l| l.starts_with(&format!(
                "Retrying after a worker stopped responding (attempt 2 of {max_attempts})"
            ))),
            "{logs:?}"
        );
        let meta = &done["animation"]["metadata"];
        assert_eq!(meta["resolution"], "854x480");
        assert!(
            (meta["duration"].as_f64().unwrap() - 2.0).abs() <= 0.2,
            "{meta}"
        );
    } else {
        assert_eq!(done["status"], "failed", "{engine:?}: {done}");
        assert_eq!(done["error"]["code"], "INTERNAL_ERROR");
        assert!(
            done["error"]["message"]
                .as_str()
                .unwrap()
                .contains("stopped responding")
        );
    }

    // Across both claims, sequences are gap-free and progress never went back.
    let (events, _) = read_events(&server, &token, &job_id, None, Duration::from_secs(10)).await;
    let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=events.len() as u64).collect::<Vec<_>>());
    let progress: Vec<u64> = events
        .iter()
        .map(|e| e.data["progress"].as_u64().unwrap())
        .collect();
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    wait_no_processes(&needle, Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_killed_worker_is_replaced_on_postgres() {
    let engines = engines().await;
    if !engines.contains(&Engine::Postgres) {
        return;
    }
    killed_worker_case(Engine::Postgres, 3).await;
}

#[tokio::test]
async fn a_killed_worker_without_attempts_left_fails_the_job_on_sqlite() {
    killed_worker_case(Engine::Sqlite, 1).await;
}

#[tokio::test]
async fn a_worker_stopped_with_sigterm_hands_its_job_back() {
    let server = TestServer::start_with(Engine::Sqlite, |c| c.jobs.workers = Some(0)).await;
    let (token, _) = server.register("stopper").await;
    let database_url = server.state.config.database_url();
    let body = jobs_support::low("A blue sphere rotating and morphing into a cube", 20.0);
    let job_id = submit(&server, &token, &body).await;
    let needle = job_dir(&server, &job_id).display().to_string();

    let mut worker = spawn_worker(server.data_dir.path(), &database_url, &LEASE_ARGS);
    wait_for(&server, &token, &job_id, Duration::from_secs(60), |j| {
        j["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("Rendering with Manim"))
    })
    .await;
    let pid = worker.id().unwrap().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let status = tokio::time::timeout(Duration::from_secs(30), worker.wait())
        .await
        .expect("the worker exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
    wait_no_processes(&needle, Duration::from_secs(10)).await;

    let queued = job(&server, &token, &job_id).await;
    assert_eq!(queued["status"], "queued", "{queued}");
    assert_eq!(
        queued["logs"].as_array().unwrap().last().unwrap(),
        "Worker stopped; the job is back in the queue"
    );
    // The hand-back does not use up an attempt.
    let row = server.state.store.job(&job_id).await.unwrap().unwrap();
    assert_eq!(row.attempts, 0);
    assert!(row.lease_owner.is_none());
}
