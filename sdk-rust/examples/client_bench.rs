//! Per-call latency and 32-way concurrent throughput of `animations().get(id)`, next to a
//! bare reqwest GET of the same URL, in the same run.
//!
//! ```text
//! cargo run --release -p animaforge --example client_bench -- [BASE_URL] [ANIMATION_ID] [CALLS]
//! ```
//!
//! `BASE_URL` defaults to `ANIMAFORGE_BASE_URL`, then `http://localhost:8080/v1`;
//! `ANIMAFORGE_API_KEY` is sent when set. Without `ANIMATION_ID` the first animation of
//! `GET /animations` is used. `CALLS` (default 500) is the number of calls per
//! measurement. The server's rate limit must allow the calls; 429 answers are counted.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use animaforge::{AnimaForge, ListAnimationsQuery, RetryPolicy};
use futures::StreamExt;

const CONCURRENCY: usize = 32;

struct Stats {
    name: &'static str,
    latencies: Vec<Duration>,
    errors: usize,
    wall: Duration,
}

impl Stats {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let index = ((sorted.len() - 1) as f64 * p).round() as usize;
        sorted[index]
    }

    fn mean(&self) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        self.latencies.iter().sum::<Duration>() / self.latencies.len() as u32
    }

    fn throughput(&self) -> f64 {
        (self.latencies.len() + self.errors) as f64 / self.wall.as_secs_f64()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

async fn run<F, Fut>(name: &'static str, calls: usize, concurrency: usize, call: F) -> Stats
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let results: Vec<(Duration, bool)> = futures::stream::iter(0..calls)
        .map(|_| {
            let call = call.clone();
            async move {
                let t = Instant::now();
                let ok = call().await;
                (t.elapsed(), ok)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = started.elapsed();
    let errors = results.iter().filter(|(_, ok)| !ok).count();
    let latencies = results
        .into_iter()
        .filter(|(_, ok)| *ok)
        .map(|(d, _)| d)
        .collect();
    Stats {
        name,
        latencies,
        errors,
        wall,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args
        .first()
        .cloned()
        .or_else(|| std::env::var("ANIMAFORGE_BASE_URL").ok())
        .unwrap_or_else(|| "http://localhost:8080/v1".to_owned());
    let calls: usize = args.get(2).and_then(|c| c.parse().ok()).unwrap_or(500);
    let key = std::env::var("ANIMAFORGE_API_KEY").ok();

    let mut builder = AnimaForge::builder()
        .base_url(&base)
        .retry_policy(RetryPolicy::none());
    if let Some(key) = &key {
        builder = builder.api_key(key);
    }
    let client = builder.build()?;

    let id = match args.get(1) {
        Some(id) => id.clone(),
        None => {
            let page = client
                .animations()
                .list(ListAnimationsQuery {
                    per_page: Some(1),
                    ..Default::default()
                })
                .await?;
            match page.items.first() {
                Some(a) => a.id.clone(),
                None => return Err("the server has no animations; pass an ANIMATION_ID".into()),
            }
        }
    };
    let url = format!("{}/animations/{id}", client.base_url());
    let bare = reqwest::Client::new();

    // Warm both connection pools.
    client.animations().get(&id).await?;
    bare.get(&url).send().await?.bytes().await?;

    let mut rows = Vec::new();
    for (label, concurrency) in [("sequential", 1), ("32-way", CONCURRENCY)] {
        let c = client.clone();
        let id2 = id.clone();
        let sdk = run("sdk animations().get", calls, concurrency, move || {
            let c = c.clone();
            let id = id2.clone();
            async move { c.animations().get(&id).await.is_ok() }
        })
        .await;
        let b = bare.clone();
        let u = url.clone();
        let k = key.clone();
        let raw = run("bare reqwest GET", calls, concurrency, move || {
            let mut request = b.get(&u);
            if let Some(k) = &k {
                request = request.bearer_auth(k);
            }
            async move {
                match request.send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        })
        .await;
        rows.push((label, sdk));
        rows.push((label, raw));
    }

    println!("GET {url}: {calls} calls per row");
    println!(
        "{:<11} {:<22} {:>9} {:>9} {:>9} {:>9} {:>10} {:>7}",
        "mode", "client", "mean ms", "p50 ms", "p90 ms", "p99 ms", "req/s", "errors"
    );
    for (label, s) in &rows {
        println!(
            "{:<11} {:<22} {:>9} {:>9} {:>9} {:>9} {:>10.0} {:>7}",
            label,
            s.name,
            ms(s.mean()),
            ms(s.percentile(0.5)),
            ms(s.percentile(0.9)),
            ms(s.percentile(0.99)),
            s.throughput(),
            s.errors
        );
    }
    Ok(())
}
