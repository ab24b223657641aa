//! Generation against the real server and its Manim renderer: generate, follow the
//! progress, wait, download, read the source, cancel; and the complete-workflow example
//! of `examples/rust`, run as it is.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use animaforge::{Error, GenerateConfig, JobStatus, JobUpdate, Quality, WaitOptions};
use common::Server;

#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/rust/complete_workflow.rs"]
mod complete_workflow;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_follow_wait_download_and_read_the_source() {
    let server = Server::start().await;
    if !server.renderer_available().await {
        return;
    }
    let (client, _) = server.key_client("gen").await;
    let job = client
        .animations()
        .generate(
            "A blue sphere rotating and morphing into a cube",
            GenerateConfig::default()
                .quality(Quality::Low)
                .duration(1.0),
        )
        .await
        .unwrap();
    assert!(job.id().starts_with("job_"));

    let updates = Arc::new(Mutex::new(Vec::new()));
    let sink = updates.clone();
    let animation = job
        .wait_with(
            WaitOptions::default()
                .timeout(Some(Duration::from_secs(300)))
                .on_update(move |u| sink.lock().unwrap().push(u.clone())),
        )
        .await
        .unwrap();
    let updates = updates.lock().unwrap().clone();
    assert!(
        updates.iter().any(|u| matches!(u, JobUpdate::Log { .. })),
        "{updates:?}"
    );
    assert!(
        updates
            .iter()
            .any(|u| matches!(u, JobUpdate::Progress { .. })),
        "{updates:?}"
    );
    assert!(
        matches!(
            updates.last(),
            Some(JobUpdate::Status {
                status: JobStatus::Completed,
                progress: 100
            })
        ),
        "{updates:?}"
    );
    let mut progress: Vec<u8> = updates
        .iter()
        .filter_map(|u| match u {
            JobUpdate::Progress { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect();
    let seen = progress.clone();
    progress.sort_unstable();
    assert_eq!(progress, seen, "progress never goes backwards");
    assert_eq!(job.status(), JobStatus::Completed);
    assert!(!job.last_logs().is_empty());

    let snapshot = client.jobs().get(job.id()).await.unwrap();
    assert_eq!(snapshot.status, JobStatus::Completed);
    assert_eq!(snapshot.animation.as_ref().unwrap().id, animation.id);
    assert_eq!(animation.metadata.resolution, "854x480");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("animation.mp4");
    let info = client
        .animations()
        .download(&animation.id)
        .to_path(&path)
        .await
        .unwrap();
    assert_eq!(info.bytes, animation.metadata.file_size);
    let head = std::fs::read(&path).unwrap();
    assert_eq!(&head[4..8], b"ftyp", "an MP4");
    let mut thumb = Vec::new();
    client
        .files()
        .download(&animation.thumbnail_url)
        .to_writer(&mut thumb)
        .await
        .unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8]), "a JPEG");

    let source = client.animations().source(&animation.id).await.unwrap();
    assert!(source.source_code.contains("from manim import"));
    assert_eq!(source.source_code, animation.source_code);
    assert_eq!(source.framework, "manim-community");

    // Re-attached by id, the finished job waits no more.
    let again = client.jobs().attach(job.id()).wait().await.unwrap();
    assert_eq!(again.id, animation.id);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_job_ends_the_wait_with_its_id() {
    let server = Server::start().await;
    let (client, _) = server.key_client("cancel").await;
    let job = client
        .animations()
        .generate(
            "A red square sliding slowly",
            GenerateConfig::default()
                .quality(Quality::Low)
                .duration(20.0),
        )
        .await
        .unwrap();
    let cancelled = client.jobs().cancel(job.id()).await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    match job.wait().await.unwrap_err() {
        Error::JobFailed { job_id, status, .. } => {
            assert_eq!(job_id, job.id());
            assert_eq!(status, JobStatus::Cancelled);
        }
        other => panic!("{other:?}"),
    }
    let missing = client.jobs().get("job_missing").await.unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_complete_workflow_example_runs_end_to_end() {
    let server = Server::start().await;
    if !server.renderer_available().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outcome = complete_workflow::run(&server.base_url, dir.path())
        .await
        .unwrap();
    assert!(outcome.found_by_search, "{outcome:?}");
    assert_ne!(outcome.published_id, outcome.generated_id);
    let video = std::fs::read(&outcome.video).unwrap();
    assert_eq!(&video[4..8], b"ftyp");
    let thumbnail = std::fs::read(&outcome.thumbnail).unwrap();
    assert!(thumbnail.starts_with(&[0xFF, 0xD8]));
    server.stop().await;
}
