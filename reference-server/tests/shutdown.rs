//! Graceful shutdown: a request in flight when SIGTERM arrives still completes.

mod common;

use std::time::Duration;

use common::{ChildServer, client, fake_mp4, read};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_in_flight_requests_finish() {
    let dir = tempfile::tempdir().unwrap();
    let server = ChildServer::spawn(dir.path(), &["--rate-limit-disabled"]).await;
    let http = client();
    let reg = read(
        http.post(format!("{}/v1/auth/register", server.base))
            .json(&json!({"username": "patient", "email": "p@example.com", "password": "Passw0rd-long"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = reg.assert_ok(201)["token"].as_str().unwrap().to_owned();

    // An upload that trickles in over about a second.
    let bytes = fake_mp4(2 * 1024 * 1024);
    let chunks: Vec<Vec<u8>> = bytes.chunks(128 * 1024).map(<[u8]>::to_vec).collect();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let stream = futures::stream::iter(chunks).then(move |c| {
        let counter = counter.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(60)).await;
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, std::io::Error>(c)
        }
    });
    let part =
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream)).file_name("slow.mp4");
    let form = reqwest::multipart::Form::new()
        .text("metadata", json!({"title": "Slow"}).to_string())
        .part("file", part);
    let request = http
        .post(format!("{}/v1/animations", server.base))
        .bearer_auth(&token)
        .multipart(form)
        .send();
    let in_flight = tokio::spawn(request);

    // Signal once the body is on its way (the request is in flight), however slow the
    // machine.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while sent.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the upload never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = server.pid().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();

    let res = read(in_flight.await.unwrap().unwrap()).await;
    res.assert_ok(202);
    assert!(
        server.terminate().await.success(),
        "clean exit after draining"
    );
}

use futures::StreamExt;
