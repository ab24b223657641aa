//! The delivery worker: claims due deliveries under a lease, POSTs them signed, records
//! every attempt and reschedules failures with exponential backoff and jitter.

use std::time::{Duration, Instant};

use rand::Rng;

use super::WebhookConfig;
use super::signing;
use super::target::{AllowList, GuardedResolver};
use crate::app::AppState;
use crate::store::webhooks::{self as db, AttemptOutcome, DueDelivery};
use crate::store::{self, Store};

/// Deliveries claimed per round.
const BATCH: i64 = 16;

/// Starts the worker on the runtime; it stops when the server shuts down.
pub fn spawn(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let config = state.config.webhooks.clone();
        let client = match client(&config) {
            Ok(c) => c,
            Err(err) => {
                tracing::error!(error = %err, "webhook delivery client could not be built");
                return;
            }
        };
        let owner = store::new_id("lease");
        let poll = Duration::from_millis(config.webhook_poll_ms.max(10));
        loop {
            tokio::select! {
                () = state.shutdown.cancelled() => break,
                () = tokio::time::sleep(poll) => {}
            }
            loop {
                match run_round(&state.store, &client, &config, &owner).await {
                    Ok(0) => break,
                    Ok(_) if state.shutdown.is_cancelled() => break,
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "webhook delivery round failed");
                        break;
                    }
                }
            }
        }
    });
}

/// The HTTP client of deliveries: no redirects, no proxies, the receiver's timeout,
/// and a resolver that refuses addresses the allowlist does not permit.
pub fn client(config: &WebhookConfig) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(config.timeout())
        .user_agent(concat!("AnimaForge-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(GuardedResolver {
            allow: AllowList::new(&config.webhook_allow_hosts),
        })
        .build()
}

/// Claims and attempts one batch; returns how many were attempted.
async fn run_round(
    store: &Store,
    client: &reqwest::Client,
    config: &WebhookConfig,
    owner: &str,
) -> Result<usize, sqlx::Error> {
    let now = chrono::Utc::now().timestamp_millis();
    let lease = i64::try_from(config.timeout().as_millis()).unwrap_or(i64::MAX / 2) + 30_000;
    let due = db::claim_due(store, owner, now, now + lease, BATCH).await?;
    let count = due.len();
    let attempts = due
        .into_iter()
        .map(|d| attempt(store, client, config, owner, d));
    for result in futures::future::join_all(attempts).await {
        result?;
    }
    Ok(count)
}

/// One attempt of one delivery.
async fn attempt(
    store: &Store,
    client: &reqwest::Client,
    config: &WebhookConfig,
    owner: &str,
    d: DueDelivery,
) -> Result<(), sqlx::Error> {
    let number = d.attempts + 1;
    let allow = AllowList::new(&config.webhook_allow_hosts);
    let started = Instant::now();
    let (status, error) = match super::target::check_url(&d.url) {
        Ok(url) => match literal_ip_refused(&url, &allow) {
            true => (None, Some("target address not permitted".to_owned())),
            false => send(client, &d, url).await,
        },
        Err(e) => (None, Some(e.to_string())),
    };
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);

    let outcome = match status {
        Some(s) if (200..300).contains(&s) => AttemptOutcome::Delivered,
        Some(410) => AttemptOutcome::Gone,
        _ if number >= i64::from(config.webhook_max_attempts.max(1)) => AttemptOutcome::GaveUp,
        _ => {
            let delay = config.backoff(u32::try_from(number).unwrap_or(u32::MAX));
            let jittered = delay.mul_f64(rand::rng().random_range(0.5..=1.0));
            AttemptOutcome::Retry {
                next_attempt_ms: chrono::Utc::now().timestamp_millis()
                    + i64::try_from(jittered.as_millis()).unwrap_or(i64::MAX / 2),
            }
        }
    };
    let applied = db::record_attempt(
        store,
        &d,
        owner,
        number,
        status,
        error.as_deref(),
        duration_ms,
        &outcome,
    )
    .await?;
    match (&outcome, applied) {
        (_, false) => {
            tracing::warn!(delivery_id = %d.id, "webhook lease lost; attempt not recorded")
        }
        (AttemptOutcome::Delivered, _) => tracing::info!(
            delivery_id = %d.id, event_id = %d.event_id, attempt = number, status = ?status,
            "webhook delivered"
        ),
        (AttemptOutcome::Gone, _) => tracing::info!(
            delivery_id = %d.id, webhook_id = ?d.webhook_id, "receiver answered 410; disabled"
        ),
        (AttemptOutcome::GaveUp, _) => tracing::warn!(
            delivery_id = %d.id, event_id = %d.event_id, attempt = number, status = ?status,
            error = ?error, "webhook delivery gave up"
        ),
        (AttemptOutcome::Retry { .. }, _) => tracing::info!(
            delivery_id = %d.id, event_id = %d.event_id, attempt = number, status = ?status,
            error = ?error, "webhook delivery failed; will retry"
        ),
    }
    Ok(())
}

/// A URL whose host is an IP literal is not resolved, so check it here.
fn literal_ip_refused(url: &url::Url, allow: &AllowList) -> bool {
    let ip: Option<std::net::IpAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(ip.into()),
        Some(url::Host::Ipv6(ip)) => Some(ip.into()),
        _ => None,
    };
    ip.is_some_and(|ip| !allow.permits(url.host_str().unwrap_or_default(), ip))
}

/// POSTs the signed body; returns the status, or the transport error.
async fn send(
    client: &reqwest::Client,
    d: &DueDelivery,
    url: url::Url,
) -> (Option<u16>, Option<String>) {
    let body = if d.webhook_id.is_some() {
        signing::signed_event_body(&d.secret, d.payload.as_bytes())
    } else {
        d.payload.as_bytes().to_vec()
    };
    let timestamp = chrono::Utc::now().timestamp();
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in signing::delivery_headers(&d.secret, &d.event_id, timestamp, &body) {
        request = request.header(name, value);
    }
    match request.body(body).send().await {
        Ok(res) => (Some(res.status().as_u16()), None),
        Err(err) => {
            let kind = if err.is_timeout() {
                "timed out"
            } else if err.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            (None, Some(format!("{kind}: {}", err.without_url())))
        }
    }
}
