//! Shared by the search, marketplace, analytics and webhook tests: seeding animations
//! straight into the store, a server on a data directory that survives restarts, and a
//! webhook receiver that records what it gets.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use animaforge_server::store::animations::{MediaFacts, NewAnimation};
use animaforge_server::store::{self, Store};
use animaforge_server::{AppState, Config};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::common::{self, Engine, PgDatabase};

/// An animation to seed.
#[derive(Debug, Clone)]
pub struct Item {
    /// Title.
    pub title: &'static str,
    /// Description.
    pub description: &'static str,
    /// Tags.
    pub tags: &'static [&'static str],
    /// Category.
    pub category: &'static str,
    /// Licence.
    pub license: &'static str,
    /// Cents.
    pub price_cents: i64,
    /// Seconds.
    pub duration: f64,
    /// `ready` or another status.
    pub status: &'static str,
}

impl Item {
    /// A free, ready MIT maths animation of 10 s.
    pub fn new(title: &'static str, description: &'static str) -> Item {
        Item {
            title,
            description,
            tags: &[],
            category: "math",
            license: "MIT",
            price_cents: 0,
            duration: 10.0,
            status: "ready",
        }
    }
}

/// Inserts `item` owned by `owner_id` (created at `at`, now by default); returns its id.
pub async fn seed(store: &Store, owner_id: &str, item: &Item, at: Option<DateTime<Utc>>) -> String {
    let id = store::new_id("anim");
    let new = NewAnimation {
        id: id.clone(),
        owner_id: owner_id.to_owned(),
        title: item.title.to_owned(),
        description: item.description.to_owned(),
        tags: item.tags.iter().map(|t| (*t).to_owned()).collect(),
        category: item.category.to_owned(),
        license: item.license.to_owned(),
        price_cents: item.price_cents,
        status: item.status.to_owned(),
        video_object: Some(format!("{id}.mp4")),
        thumbnail_object: None,
        media: Some(MediaFacts {
            duration: item.duration,
            fps: 30.0,
            width: 1280,
            height: 720,
            file_size: 1000,
            format: "mp4".into(),
        }),
        source_code: None,
        manim_version: None,
        job_id: None,
        created_at: at.unwrap_or_else(store::now),
    };
    store.insert_animation(&new).await.expect("seed animation");
    id
}

/// Test settings for webhooks: loopback allowed, fast polls and retries.
pub fn fast_webhooks(config: &mut Config) {
    config.webhooks.webhook_allow_hosts = vec!["127.0.0.1".into(), "localhost".into()];
    config.webhooks.webhook_poll_ms = 50;
    config.webhooks.webhook_retry_base_ms = 50;
    config.webhooks.webhook_retry_max_ms = 200;
    config.webhooks.webhook_timeout_ms = 2_000;
}

/// Where a restartable server keeps its data.
pub struct Spot {
    /// The data directory.
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database, if any.
    pub pg: Option<PgDatabase>,
}

impl Spot {
    /// A fresh data directory (and database on PostgreSQL).
    pub async fn new(engine: Engine) -> Spot {
        Spot {
            dir: tempfile::tempdir().expect("tempdir"),
            pg: match engine {
                Engine::Sqlite => None,
                Engine::Postgres => Some(PgDatabase::create().await),
            },
        }
    }
}

/// A server on a [`Spot`]; stop it to start another on the same data.
pub struct Running {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its state.
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Starts on `spot` with the test settings adjusted by `configure`.
    pub async fn start(spot: &Spot, configure: impl FnOnce(&mut Config)) -> Running {
        let mut config =
            common::test_config(spot.dir.path(), spot.pg.as_ref().map(|p| p.url.as_str()));
        configure(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let mut state = AppState::from_config(config).await.expect("state");
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
        Running {
            base: format!("http://{addr}/v1"),
            state,
            stop: Some(stop),
            task,
        }
    }

    /// Stops gracefully.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
    /// What it answered.
    pub answered: u16,
}

impl Received {
    /// A header as text.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

/// A webhook receiver on 127.0.0.1: for each `webhook-id` it answers the statuses of
/// `script` in turn, then `then`.
#[derive(Clone)]
pub struct Receiver {
    /// Its URL.
    pub url: String,
    /// Everything it got.
    pub got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Starts a receiver.
    pub async fn start(script: Vec<u16>, then: u16) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let handler = move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            let script = script.clone();
            async move {
                let mut seen = seen.lock().unwrap();
                let id = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let before = seen.iter().filter(|r| r.header("webhook-id") == id).count();
                let answered = script.get(before).copied().unwrap_or(then);
                seen.push(Received {
                    headers,
                    body,
                    answered,
                });
                StatusCode::from_u16(answered).unwrap()
            }
        };
        let app = axum::Router::new().route("/hook", axum::routing::post(handler));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://127.0.0.1:{}/hook", addr.port()),
            got,
        }
    }

    /// A copy of what was received.
    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what was received (at most 20 s).
    pub async fn wait_for(&self, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.received();
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the receiver never got what was expected: {:?}",
            self.received()
        );
    }
}
