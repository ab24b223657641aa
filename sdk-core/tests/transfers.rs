//! Downloads through a signed redirect without credentials, length checks, streamed
//! uploads with progress.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use animaforge_core::{AnimaForge, Error, TransferProgress, UploadMetadata, UploadSource};
use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Storage that refuses any request carrying credentials or the client's extra headers.
struct NoCredentials(Vec<u8>);

impl wiremock::Respond for NoCredentials {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.headers.get("authorization").is_some()
            || request.headers.get("x-tenant").is_some()
        {
            return ResponseTemplate::new(403).set_body_string("credentials sent to storage");
        }
        ResponseTemplate::new(200).set_body_raw(self.0.clone(), "video/mp4")
    }
}

fn video() -> Vec<u8> {
    (0..300_000u32).map(|i| (i % 251) as u8).collect()
}

async fn api_and_storage() -> (MockServer, MockServer) {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/files/anim_1.mp4"))
        .respond_with(NoCredentials(video()))
        .mount(&storage)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/anim_1/download"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/files/anim_1.mp4?expires=99&sig=abc", storage.uri()).as_str(),
        ))
        .mount(&api)
        .await;
    (api, storage)
}

fn client_with_extra_header(uri: &str) -> AnimaForge {
    AnimaForge::builder()
        .base_url(format!("{uri}/v1"))
        .api_key(KEY)
        .header("X-Tenant", "acme")
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_redirect_is_followed_without_authorization() {
    let (api, storage) = api_and_storage().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("animation.mp4");
    let progress = Arc::new(Mutex::new(Vec::<TransferProgress>::new()));
    let sink = progress.clone();

    let info = client_with_extra_header(&api.uri())
        .animations()
        .download("anim_1")
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .to_path(&target)
        .await
        .expect("download succeeds");

    assert_eq!(std::fs::read(&target).unwrap(), video());
    assert_eq!(info.bytes, video().len() as u64);
    assert_eq!(info.content_type.as_deref(), Some("video/mp4"));
    let progress = progress.lock().unwrap().clone();
    assert_eq!(progress.last().unwrap().bytes, video().len() as u64);
    assert_eq!(progress.last().unwrap().total, Some(video().len() as u64));

    let api_request = &api.received_requests().await.unwrap()[0];
    assert_eq!(
        api_request.headers.get("authorization").unwrap(),
        &format!("Bearer {KEY}")
    );
    let storage_request = &storage.received_requests().await.unwrap()[0];
    assert!(storage_request.headers.get("authorization").is_none());
    assert_eq!(storage_request.url.query(), Some("expires=99&sig=abc"));
    // Only the finished file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn missing_parent_directories_are_created() {
    let (api, _storage) = api_and_storage().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new").join("folder").join("animation.mp4");

    client_with_extra_header(&api.uri())
        .animations()
        .download("anim_1")
        .to_path(&target)
        .await
        .expect("download into a folder that did not exist");

    assert_eq!(std::fs::read(&target).unwrap(), video());
}

#[tokio::test]
async fn a_refused_download_creates_nothing_on_disk() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/anim_missing/download"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "success": false,
            "error": {"code": "NOT_FOUND", "message": "Animation not found", "details": null},
            "meta": {"timestamp": "2025-01-15T10:30:00Z", "request_id": "req_1"}
        })))
        .mount(&api)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new").join("animation.mp4");
    let error = client_with_extra_header(&api.uri())
        .animations()
        .download("anim_missing")
        .to_path(&target)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "NOT_FOUND");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no folder, no partial file"
    );
}

#[tokio::test]
async fn a_same_origin_signed_url_gets_no_authorization_either() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/files/x.mp4"))
        .respond_with(NoCredentials(b"0123456789".to_vec()))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/anim_2/download"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/v1/files/x.mp4?sig=1"))
        .mount(&api)
        .await;
    let mut out = Vec::new();
    client_with_extra_header(&api.uri())
        .animations()
        .download("anim_2")
        .to_writer(&mut out)
        .await
        .unwrap();
    assert_eq!(out, b"0123456789");
}

#[tokio::test]
async fn animation_url_downloads_through_files() {
    let (api, _storage) = api_and_storage().await;
    let url = format!("{}/v1/animations/anim_1/download", api.uri());
    let mut out = Vec::new();
    client(&api.uri())
        .files()
        .download(&url)
        .to_writer(&mut out)
        .await
        .unwrap();
    assert_eq!(out.len(), video().len());
}

/// A storage host that promises `promised` bytes and sends `sent`, then closes.
async fn short_storage(promised: usize, sent: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {promised}\r\n\r\n"
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&vec![7u8; sent]).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn a_short_body_is_an_incomplete_download_and_leaves_no_file() {
    let storage = short_storage(100_000, 40_000).await;
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations/anim_1/download"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{storage}/f.mp4").as_str()),
        )
        .mount(&api)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("animation.mp4");
    let error = client(&api.uri())
        .animations()
        .download("anim_1")
        .to_path(&target)
        .await
        .unwrap_err();
    match error {
        Error::IncompleteDownload { expected, received } => {
            assert_eq!(expected, 100_000);
            assert!(received < expected);
        }
        other => panic!("{other:?}"),
    }
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "the partial file is removed"
    );
}

#[tokio::test]
async fn uploads_stream_a_reader_as_multipart_with_progress() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/animations"))
        .respond_with(ok(
            json!({"animation": {"id": "anim_9", "status": "processing", "message": "processing"}}),
        ))
        .mount(&server)
        .await;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 13) as u8).collect();
    let progress = Arc::new(Mutex::new(Vec::<TransferProgress>::new()));
    let sink = progress.clone();
    let mut metadata = UploadMetadata::new("My Animation");
    metadata.tags = Some(vec!["cool".into()]);

    let uploaded = client(&server.uri())
        .animations()
        .upload(
            UploadSource::reader(
                std::io::Cursor::new(data.clone()),
                "clip.mp4",
                Some(data.len() as u64),
            ),
            metadata,
        )
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .timeout(Duration::from_secs(20))
        .await
        .expect("upload succeeds");
    assert_eq!(uploaded.id, "anim_9");

    let progress = progress.lock().unwrap().clone();
    assert!(progress.len() >= 3, "several progress reports for 200 kB");
    assert_eq!(progress.last().unwrap().bytes, data.len() as u64);

    let request = &server.received_requests().await.unwrap()[0];
    let content_type = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = &request.body;
    let text = String::from_utf8_lossy(body);
    assert!(text.contains(r#"name="file"; filename="clip.mp4""#));
    assert!(text.contains("Content-Type: video/mp4"));
    assert!(text.contains(r#"name="metadata""#));
    assert!(text.contains(r#"{"title":"My Animation","tags":["cool"]}"#));
    assert!(
        body.windows(data.len()).any(|w| w == data.as_slice()),
        "the file bytes are sent intact"
    );
}

#[tokio::test]
async fn uploads_from_a_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v1/animations"))
        .respond_with(ok(json!({"animation": {"id": "anim_10", "status": "processing", "message": "processing"}})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scene.mp4");
    std::fs::write(&file, b"not really a video").unwrap();
    let uploaded = client(&server.uri())
        .animations()
        .upload(UploadSource::path(&file), UploadMetadata::new("Scene"))
        .await
        .unwrap();
    assert_eq!(uploaded.id, "anim_10");
    let request = &server.received_requests().await.unwrap()[0];
    assert!(String::from_utf8_lossy(&request.body).contains(r#"filename="scene.mp4""#));

    let missing = client(&server.uri())
        .animations()
        .upload(
            UploadSource::path(dir.path().join("missing.mp4")),
            UploadMetadata::new("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "IO_ERROR");
}
