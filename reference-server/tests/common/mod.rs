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
#![allow(dead_code, unused_imports, unreachable_pub, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

mod child;
mod fixtures;

pub use child::ChildServer;
pub use fixtures::*;

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
        // Every response is checked against the spec; TestServer fails on a mismatch.
        "--validate-responses".into(),
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

    /// Panics when a response broke the contract (checked on every response; see
    /// `--validate-responses`).
    pub fn assert_responses_match_the_spec(&self) {
        if let Some(check) = &self.state.spec_check {
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
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_responses_match_the_spec();
        }
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
