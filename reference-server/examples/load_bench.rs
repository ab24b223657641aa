//! Load benchmark: seeds a SQLite catalogue (100,000 animations by default), then
//! measures requests per second and p50/p99 latency over HTTP for get-by-id and list,
//! next to a bare axum handler returning the same JSON bytes from memory, in the same
//! run on the same machine; then full-text search (broad and narrow queries) and
//! autocomplete over the same catalogue.
//!
//! ```text
//! cargo run --release -p animaforge-server --example load_bench -- --clients 32 --secs 10
//! ```
//!
//! Rate limiting is switched off (it would add two counter upserts per request and
//! the benchmark would exhaust any quota). Client and server share the machine.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use animaforge_server::store::accounts::NewUser;
use animaforge_server::store::animations::{self, MediaFacts, NewAnimation};
use animaforge_server::{AppState, Cli};
use axum::Router;
use axum::http::header;
use axum::routing::get;
use bytes::Bytes;
use clap::Parser;
use tokio::net::TcpListener;

/// Benchmark settings.
#[derive(Debug, Parser)]
struct Args {
    /// Animations to seed.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    secs: u64,
}

struct Outcome {
    name: &'static str,
    requests: usize,
    errors: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Outcome {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let mut config = Cli::parse_from([
        "animaforge-server",
        "--data-dir",
        dir.path().to_str().unwrap_or("."),
        "--rate-limit-disabled",
        "--argon2-memory-kib",
        "64",
        "--argon2-iterations",
        "1",
        "serve",
    ])
    .config;
    config.db_max_connections = 8;
    let state = AppState::from_config(config).await?;

    let seeded = Instant::now();
    let ids = seed(&state, args.rows).await?;
    println!(
        "seeded {} animations on SQLite in {:.1} s",
        ids.len(),
        seeded.elapsed().as_secs_f64()
    );

    // The real server.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let real = format!("http://{}", listener.local_addr()?);
    let mut run_state = state.clone();
    run_state.public_base = real.clone().into();
    tokio::spawn(animaforge_server::server::run(
        listener,
        run_state,
        std::future::pending(),
    ));

    // The same JSON, served from memory by a bare handler.
    let http = reqwest::Client::new();
    let one: Bytes = http
        .get(format!("{real}/v1/animations/{}", ids[0]))
        .send()
        .await?
        .bytes()
        .await?;
    let page: Bytes = http
        .get(format!("{real}/v1/animations?page=2"))
        .send()
        .await?
        .bytes()
        .await?;
    let bare_router = Router::new()
        .route("/one", get(move || json(one.clone())))
        .route("/page", get(move || json(page.clone())));
    let bare_listener = TcpListener::bind("127.0.0.1:0").await?;
    let bare = format!("http://{}", bare_listener.local_addr()?);
    tokio::spawn(async move { axum::serve(bare_listener, bare_router).await });

    let ids = Arc::new(ids);
    let pages = (args.rows / 20).clamp(1, 50);
    let get_url = {
        let (real, ids) = (real.clone(), ids.clone());
        move |i: usize| format!("{real}/v1/animations/{}", ids[i % ids.len()])
    };
    let rows = args.rows.max(1);
    let search_url = {
        let real = real.clone();
        move |i: usize| {
            let q = match i % 4 {
                0 => "science".to_owned(),
                1 => format!("animation%20{}", i % rows),
                2 => "math%20about".to_owned(),
                _ => format!("benchmark%20number%20{}", (i * 7919) % rows),
            };
            format!("{real}/v1/search?q={q}&per_page=20")
        }
    };
    let autocomplete_url = {
        let real = real.clone();
        move |i: usize| {
            let q = match i % 3 {
                0 => format!("animation%20{}", i % 1000),
                1 => "sci".to_owned(),
                _ => format!("animation%20{}", i % rows),
            };
            format!("{real}/v1/search/autocomplete?q={q}&limit=5")
        }
    };
    let list_url =
        move |i: usize| format!("{real}/v1/animations?page={}&per_page=20", 1 + i % pages);
    let bare_one = {
        let bare = bare.clone();
        move |_: usize| format!("{bare}/one")
    };
    let bare_page = move |_: usize| format!("{bare}/page");

    let d = Duration::from_secs(args.secs);
    let results = [
        load("get-by-id (server)", get_url, args.clients, d).await,
        load("get-by-id (bare axum)", bare_one, args.clients, d).await,
        load("list page (server)", list_url, args.clients, d).await,
        load("list page (bare axum)", bare_page, args.clients, d).await,
        load("search (server)", search_url, args.clients, d).await,
        load("autocomplete (server)", autocomplete_url, args.clients, d).await,
    ];

    println!(
        "\n{} clients, {} s per scenario, {} rows",
        args.clients, args.secs, args.rows
    );
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>8}",
        "scenario", "req/s", "p50 ms", "p99 ms", "errors"
    );
    for r in &results {
        println!(
            "{:<24} {:>10.0} {:>10.2} {:>10.2} {:>8}",
            r.name,
            r.rps(),
            r.p50.as_secs_f64() * 1000.0,
            r.p99.as_secs_f64() * 1000.0,
            r.errors
        );
    }
    println!(
        "\nserver / bare throughput: get-by-id {:.2}, list {:.2}",
        results[0].rps() / results[1].rps(),
        results[2].rps() / results[3].rps()
    );
    Ok(())
}

async fn json(bytes: Bytes) -> ([(header::HeaderName, &'static str); 1], Bytes) {
    ([(header::CONTENT_TYPE, "application/json")], bytes)
}

async fn seed(state: &AppState, rows: usize) -> anyhow::Result<Vec<String>> {
    let user_id = animaforge_server::store::new_id("user");
    let now = animaforge_server::store::now();
    let user = NewUser {
        id: &user_id,
        username: "bench",
        email: "bench@example.com",
        password_hash: "x",
        created_at: now,
    };
    state
        .store
        .insert_user(&user)
        .await?
        .map_err(|_| anyhow::anyhow!("taken"))?;
    let categories = ["math", "science", "education", "art", "technology", "other"];
    let licenses = ["MIT", "CC-BY", "CC0", "proprietary"];
    let mut ids = Vec::with_capacity(rows);
    let mut tx = state.store.begin().await?;
    for i in 0..rows {
        let id = animaforge_server::store::new_id("anim");
        let new = NewAnimation {
            id: id.clone(),
            owner_id: user_id.clone(),
            title: format!("Animation {i}"),
            description: format!(
                "Benchmark animation number {i}, about {}",
                categories[i % 6]
            ),
            tags: vec![categories[i % 6].into(), "bench".into()],
            category: categories[i % 6].into(),
            license: licenses[i % 4].into(),
            price_cents: if i % 3 == 0 { 0 } else { (i % 5000) as i64 },
            status: "ready".into(),
            video_object: Some(format!("{id}.mp4")),
            thumbnail_object: Some(format!("{id}.jpg")),
            media: Some(MediaFacts {
                duration: 1.0 + (i % 60) as f64,
                fps: 30.0,
                width: 1920,
                height: 1080,
                file_size: 1_000_000,
                format: "mp4".into(),
            }),
            source_code: None,
            manim_version: None,
            job_id: None,
            created_at: now - chrono::Duration::seconds(i as i64),
        };
        animations::insert(&mut tx, &new).await?;
        ids.push(id);
        if i % 10_000 == 9_999 {
            tx.commit().await?;
            tx = state.store.begin().await?;
        }
    }
    tx.commit().await?;
    Ok(ids)
}

async fn load<F>(name: &'static str, url: F, clients: usize, duration: Duration) -> Outcome
where
    F: Fn(usize) -> String + Clone + Send + Sync + 'static,
{
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .expect("client");
    // Warm-up.
    for i in 0..clients {
        let _ = http.get(url(i)).send().await;
    }
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, url) = (http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut i = c * 7919;
            while Instant::now() < deadline {
                let t = Instant::now();
                match http.get(url(i)).send().await {
                    Ok(res) if res.status().is_success() => {
                        let _ = res.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
                i += 1;
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Outcome {
        name,
        requests: all.len(),
        errors,
        elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    }
}
