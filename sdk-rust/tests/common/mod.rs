//! The real reference server for the SDK's tests: [`Server::start`] runs the whole
//! `animaforge-server` application in-process on `127.0.0.1:0` with a temporary data
//! directory (SQLite), the Manim renderer of the repository's `.venv` and rate limits
//! high enough never to trigger. Dropping it stops it.
#![allow(dead_code, unreachable_pub, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use animaforge::{AnimaForge, AnimationStatus, HealthState, Session, UploadMetadata, UploadSource};
use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A password every test account uses.
pub const PASSWORD: &str = "SecurePass123!";

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// `http://127.0.0.1:<port>/v1`.
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The data directory, removed on drop.
    pub data_dir: tempfile::TempDir,
    spec_check: Option<std::sync::Arc<animaforge_server::http::spec_check::SpecCheck>>,
}

impl Server {
    /// Starts a server with cheap password hashing and unlimited rates.
    pub async fn start() -> Server {
        Server::start_with(&[]).await
    }

    /// [`Server::start`] with more `animaforge-server` flags.
    pub async fn start_with(extra: &[&str]) -> Server {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let mut args: Vec<String> = vec![
            "animaforge-server".into(),
            "--bind".into(),
            "127.0.0.1:0".into(),
            "--data-dir".into(),
            data_dir.path().display().to_string(),
            "--argon2-memory-kib".into(),
            "64".into(),
            "--argon2-iterations".into(),
            "1".into(),
            "--db-max-connections".into(),
            "8".into(),
            // Every response is checked against the spec; dropping the server fails the
            // test on a mismatch.
            "--validate-responses".into(),
            "--events-poll-ms".into(),
            "100".into(),
            "--job-poll-ms".into(),
            "200".into(),
        ];
        for tier in ["free", "pro", "enterprise", "anonymous"] {
            args.push(format!("--rate-limit-{tier}-hourly"));
            args.push("1000000".into());
            args.push(format!("--rate-limit-{tier}-burst"));
            args.push("1000000".into());
        }
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args.push("serve".into());
        let config = animaforge_server::Cli::parse_from(args).config;

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let mut state = animaforge_server::AppState::from_config(config)
            .await
            .expect("server state");
        state.public_base = format!("http://{addr}").into();
        let spec_check = state.spec_check.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            animaforge_server::server::run(listener, state, async move {
                let _ = stopped.await;
            })
            .await
            .expect("server run");
        });
        Server {
            base_url: format!("http://{addr}/v1"),
            stop: Some(stop),
            task: Some(task),
            data_dir,
            spec_check,
        }
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> AnimaForge {
        AnimaForge::builder()
            .base_url(&self.base_url)
            .build()
            .expect("client")
    }

    /// Registers a fresh account whose name starts with `prefix`.
    pub async fn register(&self, prefix: &str) -> Session {
        let name = unique(prefix);
        self.anonymous()
            .auth()
            .register(&name, format!("{name}@example.com"), PASSWORD)
            .await
            .expect("register")
    }

    /// A fresh account acting through an API key.
    pub async fn key_client(&self, prefix: &str) -> (AnimaForge, Session) {
        let session = self.register(prefix).await;
        let key = session
            .client()
            .api_keys()
            .create("tests")
            .await
            .expect("api key");
        (self.anonymous().with_api_key(key.key), session)
    }

    /// Whether the server reports a working renderer. When it does not, the caller
    /// skips with a notice, except under `CI=true` where that is a failure.
    pub async fn renderer_available(&self) -> bool {
        let health = self.anonymous().system().health().await.expect("health");
        if health.renderer.status == HealthState::Ok {
            return true;
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but the server has no renderer: {:?}",
            health.renderer.detail
        );
        eprintln!(
            "notice: no renderer ({:?}); generation checks skipped",
            health.renderer.detail
        );
        false
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(40), task).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(check) = &self.spec_check
            && !std::thread::panicking()
        {
            let violations = check.violations();
            assert!(
                violations.is_empty(),
                "responses that break openapi/animaforge.yaml:\n{}",
                violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// `prefix` plus a suffix unique in this machine's recent history.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{prefix}{}{}{n}",
        std::process::id() % 10_000,
        nanos % 1_000_000
    )
}

/// A real MP4 (H.264 test pattern, 2 s, 320x240, 24 fps) made once with `ffmpeg`.
pub fn test_video() -> PathBuf {
    let dir = std::env::temp_dir().join("animaforge-sdk-fixtures");
    std::fs::create_dir_all(&dir).expect("fixture dir");
    let path = dir.join("test_2s_320x240_24.mp4");
    if path.exists() {
        return path;
    }
    let tmp = dir.join(format!("tmp_{}.mp4", unique("v")));
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc=size=320x240:rate=24")
        .args(["-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264"])
        .arg(&tmp)
        .status()
        .expect("ffmpeg");
    assert!(status.success(), "ffmpeg made no test video");
    std::fs::rename(&tmp, &path).expect("rename fixture");
    path
}

/// Uploads the test video with `metadata` and waits until it is ready; returns its id.
pub async fn upload_ready(client: &AnimaForge, metadata: UploadMetadata) -> String {
    let uploaded = client
        .animations()
        .upload(UploadSource::path(test_video()), metadata)
        .await
        .expect("upload");
    wait_ready(client, &uploaded.id).await;
    uploaded.id
}

/// Polls an animation until it is `ready`.
pub async fn wait_ready(client: &AnimaForge, id: &str) {
    for _ in 0..600 {
        let animation = client.animations().get(id).await.expect("get");
        match animation.status {
            AnimationStatus::Ready => return,
            AnimationStatus::Failed => panic!("processing {id} failed"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    panic!("{id} never became ready");
}
