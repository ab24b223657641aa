//! The Rust snippet of the API reference, run as a program against the real server:
//! `examples/rust/quickstart.rs` is the snippet with a `main` around it (the key comes
//! from `ANIMAFORGE_API_KEY`, the base URL from `ANIMAFORGE_BASE_URL`, as
//! `AnimaForge::new` reads it). It renders "rotating cube" at high quality, as the
//! snippet asks, and prints the animation's URL, which must serve the MP4.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::Server;

/// `target/<profile>/examples/quickstart`, built with the tests by `cargo test` and
/// `cargo nextest`.
fn quickstart_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let binary = profile_dir.join("examples").join("quickstart");
    assert!(
        binary.exists(),
        "{} is missing: build the examples (cargo build -p animaforge --examples)",
        binary.display()
    );
    binary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_snippet_runs_as_written() {
    let server = Server::start().await;
    if !server.renderer_available().await {
        return;
    }
    let session = server.register("snippet").await;
    let key = session
        .client()
        .api_keys()
        .create("quickstart")
        .await
        .expect("api key")
        .key;

    let run = tokio::process::Command::new(quickstart_binary())
        .env("ANIMAFORGE_API_KEY", &key)
        .env("ANIMAFORGE_BASE_URL", &server.base_url)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(600), run)
        .await
        .expect("the snippet finishes within 10 minutes")
        .expect("the snippet runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let url = stdout
        .lines()
        .find_map(|l| l.strip_prefix("URL: "))
        .unwrap_or_else(|| panic!("no URL line in {stdout:?}"))
        .trim()
        .to_owned();
    assert!(url.starts_with(server.base_url.as_str()), "{url}");

    // The URL serves the rendered video to a signed-in caller: 1080p, as
    // `Quality::High` asks.
    let video = reqwest::Client::new()
        .get(&url)
        .bearer_auth(&key)
        .send()
        .await
        .expect("GET the URL")
        .error_for_status()
        .expect("the URL answers")
        .bytes()
        .await
        .expect("the video");
    assert_eq!(&video[4..8], b"ftyp");
    let animation_id = url
        .trim_end_matches("/download")
        .rsplit('/')
        .next()
        .expect("an id in the URL")
        .to_owned();
    let animation = session
        .client()
        .animations()
        .get(&animation_id)
        .await
        .expect("the animation");
    let metadata = animation.metadata.expect("measured metadata");
    assert_eq!(metadata.resolution, "1920x1080");
    assert!((metadata.fps - 60.0).abs() < 1e-6, "{}", metadata.fps);
    server.stop().await;
}
