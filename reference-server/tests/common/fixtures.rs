//! Test inputs: MP4 files made with ffmpeg, fake MP4 bytes, upload helpers and catalogue
//! seeding straight through the store.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Res, TestServer, read};

/// A path to a file in the fixtures made at test time (see `make_mp4`).
pub fn fixture_dir() -> PathBuf {
    std::env::temp_dir().join("animaforge-test-fixtures")
}

/// A real MP4 (H.264 test pattern) of `seconds` at `width`x`height` and `fps`, made
/// once with `ffmpeg` and cached in [`fixture_dir`].
pub fn make_mp4(seconds: u32, width: u32, height: u32, fps: u32) -> PathBuf {
    let dir = fixture_dir();
    std::fs::create_dir_all(&dir).expect("fixture dir");
    let path = dir.join(format!("test_{seconds}s_{width}x{height}_{fps}.mp4"));
    if path.exists() {
        return path;
    }
    let tmp = dir.join(format!("tmp_{}.mp4", uuid::Uuid::new_v4().simple()));
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=size={width}x{height}:rate={fps}"))
        .args([
            "-t",
            &seconds.to_string(),
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
        ])
        .arg(&tmp)
        .status()
        .expect("ffmpeg");
    assert!(status.success(), "ffmpeg made no test video");
    std::fs::rename(&tmp, &path).expect("rename fixture");
    path
}

/// A file of `size` bytes that starts with an MP4 `ftyp` box but holds no video.
pub fn fake_mp4(size: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; size.max(32)];
    bytes[..4].copy_from_slice(&24u32.to_be_bytes());
    bytes[4..8].copy_from_slice(b"ftyp");
    bytes[8..12].copy_from_slice(b"isom");
    bytes
}

/// Metadata JSON for an upload.
pub fn metadata(title: &str) -> Value {
    json!({"title": title, "description": "A test animation", "tags": ["test", "math"], "license": "MIT", "price": 0.0, "category": "math"})
}

impl TestServer {
    /// Uploads `bytes` as `file` with `metadata` (either part may be left out).
    pub async fn upload(
        &self,
        token: Option<&str>,
        bytes: Option<Vec<u8>>,
        meta: Option<Value>,
    ) -> Res {
        let mut form = reqwest::multipart::Form::new();
        if let Some(m) = meta {
            form = form.text("metadata", m.to_string());
        }
        if let Some(b) = bytes {
            let part = reqwest::multipart::Part::bytes(b)
                .file_name("animation.mp4")
                .mime_str("video/mp4")
                .expect("mime");
            form = form.part("file", part);
        }
        let mut req = self.client.post(self.url("/animations")).multipart(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("upload")).await
    }

    /// Uploads the test video and waits until it is `ready`; returns its id.
    pub async fn upload_ready(&self, token: &str, meta: Value) -> String {
        let bytes = std::fs::read(make_mp4(2, 320, 240, 24)).expect("fixture");
        let res = self.upload(Some(token), Some(bytes), Some(meta)).await;
        let id = res.assert_ok(202)["animation"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        self.wait_status(&id, token, "ready").await;
        id
    }

    /// Polls `GET /animations/{id}` as the owner until its status is `status`.
    pub async fn wait_status(&self, id: &str, token: &str, status: &str) -> Value {
        for _ in 0..300 {
            let res = self.get(&format!("/animations/{id}"), Some(token)).await;
            if res.data()["animation"]["status"] == json!(status) {
                return res.data()["animation"].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("animation {id} never became {status}");
    }

    /// Inserts a ready animation straight into the store (for listings).
    pub async fn seed_animation(&self, owner_id: &str, seed: Seed) -> String {
        use animaforge_server::store::animations::{MediaFacts, NewAnimation};
        let id = animaforge_server::store::new_id("anim");
        let created_at = seed
            .created_at
            .unwrap_or_else(animaforge_server::store::now);
        let new = NewAnimation {
            id: id.clone(),
            owner_id: owner_id.to_owned(),
            title: seed.title,
            description: seed.description,
            tags: seed.tags,
            category: seed.category.into(),
            license: seed.license.into(),
            price_cents: seed.price_cents,
            status: "ready".into(),
            video_object: Some(format!("{id}.mp4")),
            thumbnail_object: None,
            media: Some(MediaFacts {
                duration: seed.duration,
                fps: 30.0,
                width: 1920,
                height: 1080,
                file_size: 1000,
                format: "mp4".into(),
            }),
            source_code: seed.source_code,
            manim_version: Some("0.19.0".into()),
            job_id: None,
            created_at,
        };
        self.state.store.insert_animation(&new).await.expect("seed");
        id
    }
}

/// What [`TestServer::seed_animation`] inserts.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Category wire name.
    pub category: &'static str,
    /// Licence wire name.
    pub license: &'static str,
    /// Cents.
    pub price_cents: i64,
    /// Seconds.
    pub duration: f64,
    /// Creation time (now when `None`).
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Manim source.
    pub source_code: Option<String>,
}

impl Seed {
    /// A free MIT maths animation with this title.
    pub fn titled(title: &str) -> Seed {
        Seed {
            title: title.into(),
            description: String::new(),
            tags: vec![],
            category: "math",
            license: "MIT",
            price_cents: 0,
            duration: 5.0,
            created_at: None,
            source_code: None,
        }
    }
}

impl TestServer {
    /// Registers `username` and returns its access token (for concurrent sign-ups).
    pub async fn register_owned(&self, username: String) -> String {
        self.register(&username).await.0
    }
}
