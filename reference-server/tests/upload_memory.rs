//! A 50 MiB upload streams through the server: its peak memory barely moves.
#![allow(clippy::print_stderr)] // the figure is the point of printing

mod common;

use std::time::Duration;

use common::{ChildServer, client, fake_mp4, read};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_50_mib_upload_keeps_memory_flat() {
    let dir = tempfile::tempdir().unwrap();
    let server = ChildServer::spawn(dir.path(), &["--rate-limit-disabled"]).await;
    let http = client();
    let reg = read(
        http.post(format!("{}/v1/auth/register", server.base))
            .json(&json!({"username": "bigfile", "email": "big@example.com", "password": "Passw0rd-long"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = reg.assert_ok(201)["token"].as_str().unwrap().to_owned();

    // Warm up with a small upload so one-off allocations are not counted.
    let upload = |bytes_path: std::path::PathBuf, len: u64| {
        let http = http.clone();
        let url = format!("{}/v1/animations", server.base);
        let token = token.clone();
        async move {
            let file = tokio::fs::File::open(&bytes_path).await.unwrap();
            let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024);
            let part = reqwest::multipart::Part::stream_with_length(
                reqwest::Body::wrap_stream(stream),
                len,
            )
            .file_name("big.mp4")
            .mime_str("video/mp4")
            .unwrap();
            let form = reqwest::multipart::Form::new()
                .text("metadata", json!({"title": "Big"}).to_string())
                .part("file", part);
            read(
                http.post(url)
                    .bearer_auth(token)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let small = dir.path().join("small.mp4");
    std::fs::write(&small, fake_mp4(1024 * 1024)).unwrap();
    upload(small, 1024 * 1024).await.assert_ok(202);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let size: u64 = 50 * 1024 * 1024;
    let big = dir.path().join("big.mp4");
    std::fs::write(&big, fake_mp4(size as usize)).unwrap();
    let (hwm_before, rss_before) = server.memory_kib();
    upload(big, size).await.assert_ok(202);
    let (hwm_after, rss_after) = server.memory_kib();
    let growth_mib = (hwm_after.saturating_sub(hwm_before)) as f64 / 1024.0;
    eprintln!(
        "50 MiB upload: VmHWM {:.1} -> {:.1} MiB (peak growth {growth_mib:.1} MiB), VmRSS {:.1} -> {:.1} MiB",
        hwm_before as f64 / 1024.0,
        hwm_after as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
    );
    assert!(
        growth_mib < 200.0,
        "peak memory grew by {growth_mib:.1} MiB"
    );
    let stored: u64 = std::fs::read_dir(dir.path().join("files"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.metadata().unwrap().len())
        .max()
        .unwrap();
    assert_eq!(stored, size, "the whole file reached storage");
    assert!(server.terminate().await.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undeclared_length_past_the_limit_is_refused_while_streaming() {
    let s =
        common::TestServer::start_with(common::Engine::Sqlite, |c| c.max_upload_bytes = 256 * 1024)
            .await;
    let (token, _) = s.register("chunky").await;
    let bytes = fake_mp4(1024 * 1024);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let part =
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
            .file_name("chunked.mp4");
    let form = reqwest::multipart::Form::new()
        .text("metadata", json!({"title": "Chunked"}).to_string())
        .part("file", part);
    let res = read(
        s.client
            .post(s.url("/animations"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.assert_error(413, "PAYLOAD_TOO_LARGE");
    let left = std::fs::read_dir(s.data_dir.path().join("files"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .count();
    assert_eq!(left, 0, "nothing stored");
}
