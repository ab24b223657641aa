//! A real server for integration tests: [`TestServer`] runs the whole application
//! in-process on `127.0.0.1:0` with a temporary data directory, on SQLite or on a fresh
//! PostgreSQL database; [`ChildServer`] runs the `animaforge-server` binary as a child
//! process for tests that need a separate process (memory, several instances).
//!
//! ```ignore
//! for engine in engines().await {
//!     let server = TestServer::start(engine).await;
//!     let (token, user_id) = server.register("alice").await;
//!     let res = server.get("/animations", Some(&token)).await;
//!     assert_eq!(res.status, 200);
//! }
//! ```
#![allow(dead_code, unreachable_pub, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use animaforge_server::{AppState, Cli, Config};
use clap::Parser;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file in the server's data directory.
    Sqlite,
    /// A fresh database on the local PostgreSQL.
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("ANIMAFORGE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The engines to run on: SQLite always; PostgreSQL when reachable. When it is not,
/// the test fails under `CI=true` and otherwise prints a notice and skips it.
pub async fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sqlite];
    if postgres_reachable().await {
        engines.push(Engine::Postgres);
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "PostgreSQL is required under CI=true but {} is unreachable",
            postgres_admin_url()
        );
    } else {
        eprintln!(
            "notice: PostgreSQL unreachable at {}; PostgreSQL runs skipped",
            postgres_admin_url()
        );
    }
    engines
}

async fn postgres_reachable() -> bool {
    use sqlx::Connection;
    matches!(
        tokio::time::timeout(
            Duration::from_secs(3),
            sqlx::PgConnection::connect(&postgres_admin_url())
        )
        .await,
        Ok(Ok(_))
    )
}

/// A fresh PostgreSQL database, dropped when this value is dropped.
#[derive(Debug)]
pub struct PgDatabase {
    /// Connection URL of the database.
    pub url: String,
    name: String,
}

impl PgDatabase {
    /// Creates `af_test_<random>`.
    pub async fn create() -> PgDatabase {
        use sqlx::Connection;
        let name = format!("af_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&postgres_admin_url())
            .await
            .expect("postgres");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create database");
        let mut url = url::Url::parse(&postgres_admin_url()).expect("postgres url");
        url.set_path(&name);
        PgDatabase {
            url: url.to_string(),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Dropping runs inside a runtime; use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut admin = sqlx::PgConnection::connect(&postgres_admin_url())
                    .await
                    .ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .ok()
            })
        })
        .join();
    }
}

/// Settings for a test server: cheap Argon2, rate limits so high they never trigger
/// (headers still sent), everything else default. Adjust before starting.
pub fn test_config(data_dir: &Path, database_url: Option<&str>) -> Config {
    let mut args: Vec<String> = vec![
        "animaforge-server".into(),
        "--bind".into(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        data_dir.display().to_string(),
        "--argon2-memory-kib".into(),
        "64".into(),
        "--argon2-iterations".into(),
        "1".into(),
        "--db-max-connections".into(),
        "8".into(),
    ];
    for tier in ["free", "pro", "enterprise", "anonymous"] {
        args.push(format!("--rate-limit-{tier}-hourly"));
        args.push("1000000".into());
        args.push(format!("--rate-limit-{tier}-burst"));
        args.push("1000000".into());
    }
    if let Some(url) = database_url {
        args.push("--database-url".into());
        args.push(url.into());
    }
    args.push("serve".into());
    Cli::parse_from(args).config
}

/// A response read whole: status, headers, and the body as JSON (`Null` if it is not).
#[derive(Debug)]
pub struct Res {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// JSON body.
    pub body: Value,
}

impl Res {
    /// `body.data`.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// `body.error.code`.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// Asserts the error envelope with this status and code, and a request id.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["success"], json!(false), "body: {}", self.body);
        assert_eq!(self.code(), code, "body: {}", self.body);
        assert!(self.body["error"]["message"].is_string());
        assert_envelope_meta(&self.headers, &self.body);
    }

    /// Asserts a success envelope with this status.
    pub fn assert_ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["success"], json!(true), "body: {}", self.body);
        assert_envelope_meta(&self.headers, &self.body);
        self.data()
    }

    /// `error.details.field`.
    pub fn field(&self) -> &str {
        self.body["error"]["details"]["field"]
            .as_str()
            .unwrap_or_default()
    }
}

/// Asserts `meta.request_id` equals the `X-Request-Id` header and a timestamp exists.
pub fn assert_envelope_meta(headers: &HeaderMap, body: &Value) {
    let header = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("X-Request-Id");
    assert!(header.starts_with("req_"));
    assert_eq!(body["meta"]["request_id"], json!(header), "body: {body}");
    assert!(body["meta"]["timestamp"].is_string());
}

/// A signed-up account.
#[derive(Debug, Clone)]
pub struct Account {
    /// `user_...`.
    pub id: String,
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Access token.
    pub token: String,
    /// Refresh token.
    pub refresh_token: String,
}

/// The application served in-process.
#[derive(Debug)]
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The engine.
    pub engine: Engine,
    /// A client without redirects.
    pub client: reqwest::Client,
    /// The server's state (store, storage, config), for direct checks and seeding.
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The data directory (removed on drop).
    pub data_dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
}

impl TestServer {
    /// Starts a server with [`test_config`].
    pub async fn start(engine: Engine) -> TestServer {
        TestServer::start_with(engine, |_| {}).await
    }

    /// Starts a server after `configure` adjusted [`test_config`].
    pub async fn start_with(engine: Engine, configure: impl FnOnce(&mut Config)) -> TestServer {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let pg = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(PgDatabase::create().await),
        };
        let mut config = test_config(data_dir.path(), pg.as_ref().map(|p| p.url.as_str()));
        configure(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let mut state = AppState::from_config(config).await.expect("server state");
        state.public_base = format!("http://{addr}").into();
        let (stop, stopped) = oneshot::channel::<()>();
        let run_state = state.clone();
        let task = tokio::spawn(async move {
            animaforge_server::server::run(listener, run_state, async move {
                let _ = stopped.await;
            })
            .await
            .expect("server run");
        });
        TestServer {
            base: format!("http://{addr}"),
            engine,
            client: client(),
            state,
            stop: Some(stop),
            task: Some(task),
            data_dir,
            pg,
        }
    }

    /// The absolute URL of `path`: `/v1/...` as is, anything else under `/v1`.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("/v1") || path.starts_with("http") {
            if path.starts_with("http") {
                path.to_owned()
            } else {
                format!("{}{path}", self.base)
            }
        } else {
            format!("{}/v1{path}", self.base)
        }
    }

    /// Sends a request with an optional bearer credential and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let mut req = self.client.request(method, self.url(path));
        if let Some(a) = auth {
            req = req.bearer_auth(a);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        read(req.send().await.expect("request")).await
    }

    /// GET.
    pub async fn get(&self, path: &str, auth: Option<&str>) -> Res {
        self.send(reqwest::Method::GET, path, auth, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, auth: Option<&str>, body: Value) -> Res {
        self.send(reqwest::Method::POST, path, auth, Some(body))
            .await
    }

    /// PUT with a JSON body.
    pub async fn put(&self, path: &str, auth: Option<&str>, body: Value) -> Res {
        self.send(reqwest::Method::PUT, path, auth, Some(body))
            .await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str, auth: Option<&str>) -> Res {
        self.send(reqwest::Method::DELETE, path, auth, None).await
    }

    /// Registers `username` (email `<username>@example.com`, a valid password);
    /// returns the access token and user id.
    pub async fn register(&self, username: &str) -> (String, String) {
        let a = self.account(username).await;
        (a.token, a.id)
    }

    /// Registers `username` and returns everything about the account.
    pub async fn account(&self, username: &str) -> Account {
        let email = format!("{username}@example.com");
        let password = "Passw0rd-long".to_owned();
        let res = self
            .post(
                "/auth/register",
                None,
                json!({"username": username, "email": email, "password": password}),
            )
            .await;
        let data = res.assert_ok(201);
        Account {
            id: data["user"]["id"].as_str().expect("id").to_owned(),
            username: username.to_owned(),
            email,
            password,
            token: data["token"].as_str().expect("token").to_owned(),
            refresh_token: data["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        // Connections of an aborted server may linger; drop the database after them.
        let _ = self.pg.take();
    }
}

/// A client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Reads a response whole.
pub async fn read(res: reqwest::Response) -> Res {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Res {
        status,
        headers,
        body,
    }
}

/// The `animaforge-server` binary as a child process.
#[derive(Debug)]
pub struct ChildServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The process.
    pub child: tokio::process::Child,
}

impl ChildServer {
    /// Spawns `animaforge-server serve` with `args` (after the test defaults: cheap
    /// Argon2, `--data-dir data_dir`) on a free port and waits until it is healthy.
    pub async fn spawn(data_dir: &Path, args: &[&str]) -> ChildServer {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
            l.local_addr().expect("addr").port()
        };
        let bind = format!("127.0.0.1:{port}");
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge-server"));
        cmd.args(["--bind", &bind, "--data-dir"])
            .arg(data_dir)
            .args([
                "--argon2-memory-kib",
                "64",
                "--argon2-iterations",
                "1",
                "--log-format",
                "json",
            ])
            .args(args)
            .arg("serve")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let child = cmd.spawn().expect("spawn animaforge-server");
        let server = ChildServer {
            base: format!("http://{bind}"),
            child,
        };
        let http = client();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{}/v1/health", server.base)).send().await
                && res.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the child server did not become healthy");
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// `VmHWM` (peak resident set) and `VmRSS` of the process, in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("status");
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// Sends SIGTERM and waits for the exit.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.pid().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("exit in time")
            .expect("wait")
    }
}

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
