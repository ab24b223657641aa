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
    let stream = futures::stream::iter(chunks).then(|c| async move {
        tokio::time::sleep(Duration::from_millis(60)).await;
        Ok::<_, std::io::Error>(c)
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

    tokio::time::sleep(Duration::from_millis(300)).await;
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
