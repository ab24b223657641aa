//! Jobs: the event stream resumed after a drop, polling as fallback, failures, timeouts.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use animaforge_core::{Error, JobStatus, JobUpdate, OnTimeout, WaitOptions};
use common::*;
use futures::StreamExt;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn event(seq: u64, kind: &str, status: &str, progress: u8, message: Option<&str>) -> String {
    let data = json!({
        "sequence": seq, "type": kind, "status": status, "progress": progress,
        "message": message, "estimated_remaining": 5, "timestamp": "2025-01-15T10:30:00Z"
    });
    format!("id: {seq}\nevent: {kind}\ndata: {data}\n\n")
}

fn sse(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "text/event-stream")
}

fn recorder() -> (WaitOptions, Arc<Mutex<Vec<JobUpdate>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = WaitOptions::default()
        .timeout(Some(Duration::from_secs(20)))
        .on_update(move |u| sink.lock().unwrap().push(u.clone()));
    (options, seen)
}

#[tokio::test]
async fn the_event_stream_resumes_with_last_event_id_and_drops_duplicates() {
    let server = MockServer::start().await;
    // The second connection: resumes after 2, and (a server being sloppy) repeats 2.
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_1/events"))
        .and(header("last-event-id", "2"))
        .respond_with(sse(event(2, "log", "processing", 40, Some("Rendering"))
            + &event(3, "progress", "processing", 90, None)
            + &event(4, "status", "completed", 100, None)))
        .with_priority(1)
        .mount(&server)
        .await;
    // The first connection ends after two events, without a terminal status.
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_1/events"))
        .respond_with(sse(event(1, "progress", "processing", 40, None)
            + &event(2, "log", "processing", 40, Some("Rendering"))))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_1"))
        .respond_with(ok(job("job_1", "completed", 100, &["Rendering"])))
        .mount(&server)
        .await;

    let job = client(&server.uri()).jobs().attach("job_1");
    let (options, seen) = recorder();
    let animation = job.wait_with(options).await.expect("completed");
    assert_eq!(animation.id, "anim_1");
    assert!(animation.url.ends_with("/animations/anim_1/download"));

    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            JobUpdate::Progress {
                progress: 40,
                estimated_remaining: Some(5)
            },
            JobUpdate::Status {
                status: JobStatus::Processing,
                progress: 40
            },
            JobUpdate::Log {
                message: "Rendering".into()
            },
            JobUpdate::Progress {
                progress: 90,
                estimated_remaining: Some(5)
            },
            JobUpdate::Progress {
                progress: 100,
                estimated_remaining: Some(5)
            },
            JobUpdate::Status {
                status: JobStatus::Completed,
                progress: 100
            },
        ]
    );
    let requests = server.received_requests().await.unwrap();
    let streams: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path().ends_with("/events"))
        .collect();
    assert_eq!(streams.len(), 2);
    assert!(streams[0].headers.get("last-event-id").is_none());
    assert_eq!(streams[1].headers.get("last-event-id").unwrap(), "2");
    assert_eq!(
        streams[1].headers.get("accept").unwrap(),
        "text/event-stream"
    );
}

#[tokio::test]
async fn polling_takes_over_when_the_stream_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_2/events"))
        .respond_with(api_error(404, "NOT_FOUND", "no such route"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_2"))
        .respond_with(ok(job(
            "job_2",
            "processing",
            50,
            &["Starting", "Rendering frame 1/2"],
        )))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_2"))
        .respond_with(ok(job(
            "job_2",
            "completed",
            100,
            &["Starting", "Rendering frame 1/2", "Done"],
        )))
        .mount(&server)
        .await;

    let job = client(&server.uri()).jobs().attach("job_2");
    let (options, seen) = recorder();
    let animation = job.wait_with(options).await.expect("completed");
    assert_eq!(animation.id, "anim_1");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            JobUpdate::Log {
                message: "Starting".into()
            },
            JobUpdate::Log {
                message: "Rendering frame 1/2".into()
            },
            JobUpdate::Progress {
                progress: 50,
                estimated_remaining: Some(0)
            },
            JobUpdate::Status {
                status: JobStatus::Processing,
                progress: 50
            },
            JobUpdate::Log {
                message: "Done".into()
            },
            JobUpdate::Progress {
                progress: 100,
                estimated_remaining: None
            },
            JobUpdate::Status {
                status: JobStatus::Completed,
                progress: 100
            },
        ]
    );
    assert_eq!(job.status(), JobStatus::Completed);
}

#[tokio::test]
async fn a_non_event_stream_content_type_falls_back_to_polling() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_3/events"))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_3"))
        .respond_with(ok(job("job_3", "completed", 100, &[])))
        .mount(&server)
        .await;
    let animation = client(&server.uri())
        .jobs()
        .attach("job_3")
        .wait()
        .await
        .unwrap();
    assert_eq!(animation.id, "anim_1");
}

#[tokio::test]
async fn a_failed_job_is_an_error_with_its_id_and_logs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_4/events"))
        .respond_with(sse(event(
            1,
            "log",
            "processing",
            10,
            Some("Validating scene"),
        ) + &event(2, "status", "failed", 10, None)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_4"))
        .respond_with(ok(job(
            "job_4",
            "failed",
            10,
            &["Validating scene", "Scene rejected"],
        )))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .jobs()
        .attach("job_4")
        .wait()
        .await
        .unwrap_err();
    assert_eq!(error.code(), "JOB_FAILED");
    match error {
        Error::JobFailed {
            job_id,
            status,
            last_logs,
            error,
        } => {
            assert_eq!(job_id, "job_4");
            assert_eq!(status, JobStatus::Failed);
            assert_eq!(last_logs, ["Validating scene", "Scene rejected"]);
            assert_eq!(error.unwrap().message, "the scene was rejected");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_wait_that_times_out_cancels_the_job_when_asked() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_5/events"))
        .respond_with(ResponseTemplate::new(501))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_5"))
        .respond_with(ok(job("job_5", "processing", 20, &[])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/animations/jobs/job_5/cancel"))
        .respond_with(ok(job("job_5", "cancelled", 20, &[])))
        .mount(&server)
        .await;
    let job = client(&server.uri()).jobs().attach("job_5");
    let options = WaitOptions::default()
        .timeout(Some(Duration::from_millis(1500)))
        .on_timeout(OnTimeout::Cancel);
    let started = std::time::Instant::now();
    let error = job.wait_with(options).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(6));
    match error {
        Error::JobTimeout {
            job_id,
            last_status,
            cancelled,
        } => {
            assert_eq!(job_id, "job_5");
            assert_eq!(last_status, JobStatus::Processing);
            assert!(cancelled);
        }
        other => panic!("{other:?}"),
    }
    let cancels = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/cancel"))
        .count();
    assert_eq!(cancels, 1);
}

#[tokio::test]
async fn a_detached_timeout_leaves_the_job_alone() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_6/events"))
        .respond_with(ResponseTemplate::new(405))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_6"))
        .respond_with(ok(job("job_6", "queued", 0, &[])))
        .mount(&server)
        .await;
    let job = client(&server.uri()).jobs().attach("job_6");
    let error = job
        .wait_with(WaitOptions::default().timeout(Some(Duration::from_millis(800))))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::JobTimeout {
                cancelled: false,
                ..
            }
        ),
        "{error:?}"
    );
    let cancels = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/cancel"))
        .count();
    assert_eq!(cancels, 0);
}

#[tokio::test]
async fn progress_is_a_stream_that_ends_with_the_terminal_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_7/events"))
        .respond_with(sse(event(1, "progress", "processing", 30, None)
            + &event(2, "progress", "processing", 20, None)
            + &event(3, "status", "completed", 100, None)))
        .mount(&server)
        .await;
    let job = client(&server.uri()).jobs().attach("job_7");
    let updates: Vec<JobUpdate> = job.progress().map(|u| u.unwrap()).collect().await;
    let progress: Vec<u8> = updates
        .iter()
        .filter_map(|u| match u {
            JobUpdate::Progress { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [30, 100], "never backwards");
    assert_eq!(
        updates.last(),
        Some(&JobUpdate::Status {
            status: JobStatus::Completed,
            progress: 100
        })
    );
}

#[tokio::test]
async fn a_completed_job_whose_animation_was_deleted_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_9/events"))
        .respond_with(ResponseTemplate::new(501))
        .mount(&server)
        .await;
    let mut snapshot = job("job_9", "completed", 100, &["Done"]);
    snapshot["animation"] = serde_json::Value::Null;
    Mock::given(method("GET"))
        .and(path("/v1/animations/jobs/job_9"))
        .respond_with(ok(snapshot))
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .jobs()
        .attach("job_9")
        .wait()
        .await
        .unwrap_err();
    assert_eq!(error.code(), "NOT_FOUND", "{error:?}");
    assert!(
        error.to_string().contains("has since been deleted"),
        "{error}"
    );
}
