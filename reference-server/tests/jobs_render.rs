//! Real renders through the HTTP API: the documented prompt end to end (events,
//! status, download, the MP4 measured by ffprobe) and cancelling mid-render.
//! Renders are low quality and short: this machine has two cores.

mod common;
mod jobs_support;

use std::time::{Duration, Instant};

use common::{Engine, TestServer};
use jobs_support::{
    ffprobe, job_dir, low, processes_mentioning, read_events, submit, wait_for, wait_no_processes,
    wait_terminal,
};
use serde_json::json;

const DOCUMENTED_PROMPT: &str = "A blue sphere rotating and morphing into a cube";

async fn render_server() -> TestServer {
    TestServer::start_with(Engine::Sqlite, |c| {
        c.jobs.workers = Some(1);
        c.jobs.job_poll_ms = 100;
        c.jobs.job_heartbeat_ms = 300;
    })
    .await
}

#[tokio::test]
#[allow(clippy::print_stderr)] // The figure is the point of printing.
async fn documented_prompt_end_to_end() {
    let server = render_server().await;
    let (token, user_id) = server.register("renderer").await;
    let started = Instant::now();
    let res = jobs_support::generate(&server, &token, &low(DOCUMENTED_PROMPT, 3.0), None).await;
    let accepted = res.assert_ok(202).clone();
    let job_id = accepted["job_id"].as_str().unwrap().to_owned();

    // The stream, read live from the start, ends with the terminal status.
    let (events, _) = read_events(&server, &token, &job_id, None, Duration::from_secs(240)).await;
    let elapsed = started.elapsed();
    eprintln!(
        "figure: documented prompt, low quality, 3 s: submit to completed in {:.2} s \
         (estimated {} s, {} events)",
        elapsed.as_secs_f64(),
        accepted["estimated_time"],
        events.len()
    );
    let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        (1..=events.len() as u64).collect::<Vec<_>>(),
        "sequences"
    );
    for e in &events {
        assert_eq!(e.data["sequence"], json!(e.id));
        assert_eq!(e.data["type"], json!(e.event));
    }
    let progress: Vec<u64> = events
        .iter()
        .map(|e| e.data["progress"].as_u64().unwrap())
        .collect();
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    let last = events.last().unwrap();
    assert_eq!(
        (last.event.as_str(), &last.data["status"]),
        ("status", &json!("completed"))
    );
    assert_eq!(last.data["progress"], 100);
    let logs: Vec<&str> = events
        .iter()
        .filter(|e| e.event == "log")
        .map(|e| e.data["message"].as_str().unwrap())
        .collect();
    assert_eq!(logs.first(), Some(&"Starting generation..."), "{logs:?}");
    assert!(
        logs.iter()
            .any(|l| l.starts_with("Scene compiled by local backend")),
        "{logs:?}"
    );
    assert!(
        logs.iter().any(|l| l.starts_with("Rendering frame ")),
        "{logs:?}"
    );
    assert!(logs.contains(&"Encoding video"), "{logs:?}");
    assert!(logs.contains(&"Generating thumbnail"), "{logs:?}");
    assert!(events.iter().filter(|e| e.event == "progress").count() >= 3);

    // Resuming halfway gives exactly the later events.
    let half = events.len() as u64 / 2;
    let (later, _) = read_events(
        &server,
        &token,
        &job_id,
        Some(half),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(later.first().map(|e| e.id), Some(half + 1));
    assert_eq!(later.len() as u64, events.len() as u64 - half);

    // The job, completed, with its animation.
    let job = wait_terminal(&server, &token, &job_id, Duration::from_secs(10)).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["progress"], 100);
    assert_eq!(job["estimated_remaining"], json!(null));
    let animation = &job["animation"];
    let animation_id = animation["id"].as_str().unwrap();
    assert_eq!(
        animation["url"],
        json!(server.url(&format!("/animations/{animation_id}/download")))
    );
    assert!(
        animation["source_code"]
            .as_str()
            .unwrap()
            .contains("from manim import *")
    );
    let meta = &animation["metadata"];
    assert_eq!(meta["resolution"], "854x480");
    assert_eq!(meta["fps"], 15.0);
    assert!(
        (meta["duration"].as_f64().unwrap() - 3.0).abs() <= 0.2,
        "{meta}"
    );
    assert!(meta["file_size"].as_u64().unwrap() > 1000);
    let thumb = server
        .client
        .get(animation["thumbnail_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status(), 200);
    assert!(
        thumb.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]),
        "a JPEG"
    );

    // The catalogue knows the animation, its owner and source.
    let res = server
        .get(&format!("/animations/{animation_id}"), Some(&token))
        .await;
    let anim = res.assert_ok(200);
    assert_eq!(anim["animation"]["status"], "ready", "{anim}");
    assert_eq!(anim["animation"]["creator"]["id"], json!(user_id), "{anim}");
    let res = server
        .get(&format!("/animations/{animation_id}/source"), Some(&token))
        .await;
    assert_eq!(res.assert_ok(200)["source_code"], animation["source_code"]);

    // The download redirects to a signed URL serving an MP4 that ffprobe agrees with.
    let res = server
        .client
        .get(animation["url"].as_str().unwrap())
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let video = server.client.get(location).send().await.unwrap();
    assert_eq!(video.status(), 200);
    let bytes = video.bytes().await.unwrap();
    let file = server.data_dir.path().join("downloaded.mp4");
    std::fs::write(&file, &bytes).unwrap();
    let (duration, width, height, fps) = ffprobe(&file);
    assert!((duration - 3.0).abs() <= 0.2, "duration {duration}");
    assert_eq!((width, height), (854, 480));
    assert!((fps - 15.0).abs() < 1e-6, "fps {fps}");

    // The job directory is gone.
    assert!(!job_dir(&server, &job_id).exists());
}

#[tokio::test]
async fn cancel_mid_render_kills_the_render() {
    let server = render_server().await;
    let (token, _) = server.register("impatient").await;
    // Long enough that the render is still running when the cancel arrives.
    let job_id = submit(&server, &token, &low(DOCUMENTED_PROMPT, 20.0)).await;
    let dir = job_dir(&server, &job_id);
    let needle = dir.display().to_string();

    wait_for(&server, &token, &job_id, Duration::from_secs(120), |j| {
        j["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("Rendering frame"))
    })
    .await;
    assert!(
        !processes_mentioning(&needle).is_empty(),
        "a render runs in {needle}"
    );

    let res = server
        .post(
            &format!("/animations/jobs/{job_id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    let data = res.assert_ok(200);
    assert_eq!(data["status"], "cancelled");
    assert!(data["progress"].as_u64().unwrap() > 0);
    assert_eq!(data["animation"], json!(null));

    wait_no_processes(&needle, Duration::from_secs(10)).await;

    // Nothing is written after the terminal event, and nothing is kept.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (events, _) = read_events(&server, &token, &job_id, None, Duration::from_secs(10)).await;
    let last = events.last().unwrap();
    assert_eq!(
        (last.event.as_str(), &last.data["status"]),
        ("status", &json!("cancelled"))
    );
    let job = jobs_support::job(&server, &token, &job_id).await;
    assert_eq!(job["status"], "cancelled");
    assert_eq!(
        job["logs"].as_array().unwrap().last().unwrap(),
        "Cancelled by its owner"
    );
    let started = Instant::now();
    while dir.exists() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!dir.exists(), "the job directory is removed");
}
