//! Helpers of the job tests: submitting, waiting, reading the event stream, worker
//! processes, and looking for leftover render processes.

#![allow(dead_code, unreachable_pub, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};

use crate::common::{Res, TestServer};

/// A generate request at low quality (480p, 15 fps) for `seconds`.
pub fn low(prompt: &str, seconds: f64) -> Value {
    json!({
        "prompt": prompt,
        "config": {"quality": "low", "duration": seconds, "fps": 15, "resolution": "480p"}
    })
}

/// POSTs a generate request, with an optional idempotency key.
pub async fn generate(server: &TestServer, token: &str, body: &Value, key: Option<&str>) -> Res {
    let mut req = server
        .client
        .post(server.url("/animations/generate"))
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    crate::common::read(req.send().await.expect("request")).await
}

/// Submits `body` and returns the job id (asserting 202).
pub async fn submit(server: &TestServer, token: &str, body: &Value) -> String {
    let res = generate(server, token, body, None).await;
    let data = res.assert_ok(202);
    data["job_id"].as_str().expect("job_id").to_owned()
}

/// The job's current state.
pub async fn job(server: &TestServer, token: &str, job_id: &str) -> Value {
    let res = server
        .get(&format!("/animations/jobs/{job_id}"), Some(token))
        .await;
    res.assert_ok(200).clone()
}

/// Polls the job until `done` holds for it (panics after `timeout`).
pub async fn wait_for(
    server: &TestServer,
    token: &str,
    job_id: &str,
    timeout: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let job = job(server, token, job_id).await;
        if done(&job) {
            return job;
        }
        assert!(
            started.elapsed() < timeout,
            "job {job_id} did not reach the expected state in {timeout:?}: {job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until the job has a terminal status.
pub async fn wait_terminal(
    server: &TestServer,
    token: &str,
    job_id: &str,
    timeout: Duration,
) -> Value {
    wait_for(server, token, job_id, timeout, |j| {
        matches!(
            j["status"].as_str(),
            Some("completed" | "failed" | "cancelled")
        )
    })
    .await
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// `id:`.
    pub id: u64,
    /// `event:`.
    pub event: String,
    /// `data:` as JSON.
    pub data: Value,
}

/// Reads the job's event stream until the server ends it (panics after `timeout`);
/// also returns the raw text.
pub async fn read_events(
    server: &TestServer,
    token: &str,
    job_id: &str,
    last_event_id: Option<u64>,
    timeout: Duration,
) -> (Vec<SseEvent>, String) {
    let mut req = server
        .client
        .get(server.url(&format!("/animations/jobs/{job_id}/events")))
        .bearer_auth(token);
    if let Some(id) = last_event_id {
        req = req.header("Last-Event-ID", id.to_string());
    }
    let res = req.send().await.expect("events request");
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let mut text = String::new();
    let mut body = res.bytes_stream();
    let read = async {
        while let Some(chunk) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
        }
    };
    tokio::time::timeout(timeout, read)
        .await
        .expect("the event stream ended in time");
    (parse_sse(&text), text)
}

/// Parses `text/event-stream` frames (comments skipped).
pub fn parse_sse(text: &str) -> Vec<SseEvent> {
    let mut events = Vec::new();
    for frame in text.split("\n\n") {
        let (mut id, mut event, mut data) = (None, None, String::new());
        for line in frame.lines() {
            if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("event:") {
                event = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            }
        }
        if let (Some(id), Some(event)) = (id, event) {
            events.push(SseEvent {
                id,
                event,
                data: serde_json::from_str(&data).expect("data is JSON"),
            });
        }
    }
    events
}

/// The job directory a server makes for `job_id`.
pub fn job_dir(server: &TestServer, job_id: &str) -> PathBuf {
    server.data_dir.path().join("work").join(job_id)
}

/// Pids of live processes whose command line mentions `needle`.
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline)
            .replace('\0', " ")
            .contains(needle)
        {
            found.push(pid);
        }
    }
    found
}

/// Waits until no process mentions `needle` (panics after `timeout`).
pub async fn wait_no_processes(needle: &str, timeout: Duration) {
    let started = Instant::now();
    loop {
        let left = processes_mentioning(needle);
        if left.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < timeout,
            "processes still running for {needle}: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `animaforge-server worker` as a child process on `data_dir` and `database_url`.
pub fn spawn_worker(data_dir: &Path, database_url: &str, extra: &[&str]) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge-server"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--database-url", database_url, "--log-format", "json"])
        .args(extra)
        .arg("worker")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn animaforge-server worker")
}

/// Video facts by ffprobe: (duration, width, height, fps).
pub fn ffprobe(video: &Path) -> (f64, u32, u32, f64) {
    let output = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height,avg_frame_rate:format=duration",
            "-of",
            "json",
        ])
        .arg(video)
        .output()
        .expect("ffprobe");
    assert!(output.status.success());
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let stream = &json["streams"][0];
    let (n, d) = stream["avg_frame_rate"]
        .as_str()
        .unwrap()
        .split_once('/')
        .unwrap();
    let fps = n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap();
    (
        json["format"]["duration"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
        stream["width"].as_u64().unwrap() as u32,
        stream["height"].as_u64().unwrap() as u32,
        fps,
    )
}
