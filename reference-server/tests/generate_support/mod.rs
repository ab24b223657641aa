//! Shared helpers of the generation tests: locating the Python environment,
//! building renderers, draining events and inspecting videos with ffprobe.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use animaforge_server::generate::{RenderEvent, Renderer, RendererConfig};
use tokio::sync::mpsc;

/// The interpreter with Manim: `ANIMAFORGE_PYTHON` or the workspace's `.venv`.
pub fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("ANIMAFORGE_PYTHON") {
        return PathBuf::from(path);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python")
}

/// A sandboxed renderer with the given wall-clock limit.
pub fn renderer(timeout: Duration) -> Renderer {
    Renderer::new(RendererConfig::new(python()).with_timeout(timeout))
}

/// Collects every event until the sender side is dropped.
pub async fn drain(mut rx: mpsc::Receiver<RenderEvent>) -> Vec<RenderEvent> {
    let mut events = Vec::new();
    while let Some(event) = rx.recv().await {
        events.push(event);
    }
    events
}

/// Progress fractions in order.
pub fn fractions(events: &[RenderEvent]) -> Vec<f64> {
    events
        .iter()
        .filter_map(|e| match e {
            RenderEvent::Progress { fraction } => Some(*fraction),
            RenderEvent::Log(_) => None,
        })
        .collect()
}

/// Log lines in order.
pub fn logs(events: &[RenderEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            RenderEvent::Log(line) => Some(line.clone()),
            RenderEvent::Progress { .. } => None,
        })
        .collect()
}

/// What ffprobe reports about a video: (duration, width, height, fps).
pub fn ffprobe(video: &Path) -> (f64, u32, u32, f64) {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height,avg_frame_rate:format=duration,format_name",
            "-of",
            "json",
        ])
        .arg(video)
        .output()
        .expect("ffprobe runs");
    assert!(
        output.status.success(),
        "ffprobe failed on {}",
        video.display()
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let stream = &json["streams"][0];
    let rate = stream["avg_frame_rate"].as_str().unwrap();
    let (n, d) = rate.split_once('/').unwrap();
    let fps = n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap();
    let duration = json["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        json["format"]["format_name"]
            .as_str()
            .unwrap()
            .contains("mp4")
    );
    (
        duration,
        stream["width"].as_u64().unwrap() as u32,
        stream["height"].as_u64().unwrap() as u32,
        fps,
    )
}

/// Decodes the first frame to PNG; true when ffmpeg succeeds.
pub fn first_frame_decodes(video: &Path, png: &Path) -> bool {
    Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(video)
        .args(["-frames:v", "1"])
        .arg(png)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
        && png.metadata().map(|m| m.len() > 0).unwrap_or(false)
}

/// Pids of live processes whose command line mentions `needle`.
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let me = std::process::id();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) {
            found.push(pid);
        }
    }
    found
}

/// The processes mentioning `needle` that are still alive after waiting up to `within`
/// for them to go (a killed process group takes a moment to be reaped).
pub async fn survivors(needle: &str, within: std::time::Duration) -> Vec<u32> {
    let deadline = std::time::Instant::now() + within;
    loop {
        let left = processes_mentioning(needle);
        if left.is_empty() || std::time::Instant::now() > deadline {
            return left;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
