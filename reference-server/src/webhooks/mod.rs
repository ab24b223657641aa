//! Webhooks: the outbox, signing, target checks and the delivery worker.
//!
//! # Emitting an event (for other areas)
//!
//! ```ignore
//! use animaforge_api::{AnimationGeneratedData, WebhookEventType};
//! let mut tx = state.store.begin().await?;
//! // ... the change that causes the event ...
//! crate::webhooks::outbox::enqueue(
//!     &mut tx,
//!     &owner_user_id,
//!     WebhookEventType::AnimationGenerated,
//!     serde_json::to_value(AnimationGeneratedData { .. })?,
//! )
//! .await?;
//! tx.commit().await?;
//! ```
//!
//! [`outbox::enqueue`] writes the event and one pending delivery per active webhook of
//! `owner_user_id` subscribed to the event type, in the caller's transaction: the event
//! exists if and only if the change is committed. It returns the event id (`evt_...`).
//!
//! # A job's completion callback
//!
//! [`outbox::enqueue_callback`]`(tx, url, secret, &body)` queues a one-off POST of
//! `body` (the `JobCallback` JSON) to `url`, signed with `secret` exactly like a webhook
//! delivery's headers (`X-AnimaForge-Signature`, `webhook-id`, `webhook-timestamp`,
//! `webhook-signature`), retried by the same worker with the same backoff; 410 stops the
//! retries. Check the URL first with [`target::check_url`] (syntax) and
//! [`target::check_resolved`] (addresses) when the job is created; the worker checks the
//! addresses again when it connects.
//!
//! # Delivery
//!
//! [`worker::spawn`] (started by `serve`) claims due deliveries under a lease, so
//! several server instances never deliver the same attempt twice, POSTs them, records
//! every attempt, and reschedules failures with exponential backoff and jitter until
//! [`WebhookConfig::webhook_max_attempts`]. All state is in the database: a restart
//! resumes pending deliveries, and an expired lease (a crashed instance) is claimed
//! again.

pub mod outbox;
pub mod signing;
pub mod target;
pub mod worker;

use std::time::Duration;

use clap::Args;

/// Settings of webhook delivery and target checks.
#[derive(Debug, Clone, Args)]
pub struct WebhookConfig {
    /// Hosts or IP addresses that webhooks and callbacks may target even though they
    /// are private, loopback or link-local (comma-separated, e.g. `127.0.0.1,localhost`).
    #[arg(
        long,
        env = "ANIMAFORGE_WEBHOOK_ALLOW_HOSTS",
        value_delimiter = ',',
        global = true
    )]
    pub webhook_allow_hosts: Vec<String>,
    /// Delivery attempts before a delivery is given up.
    #[arg(
        long,
        env = "ANIMAFORGE_WEBHOOK_MAX_ATTEMPTS",
        default_value_t = 8,
        global = true
    )]
    pub webhook_max_attempts: u32,
    /// Delay before the first retry, in milliseconds; doubled on each further retry.
    #[arg(
        long,
        env = "ANIMAFORGE_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub webhook_retry_base_ms: u64,
    /// Longest delay between retries, in milliseconds.
    #[arg(
        long,
        env = "ANIMAFORGE_WEBHOOK_RETRY_MAX_MS",
        default_value_t = 3_600_000,
        global = true
    )]
    pub webhook_retry_max_ms: u64,
    /// Time a receiver has to answer, in milliseconds.
    #[arg(
        long,
        env = "ANIMAFORGE_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub webhook_timeout_ms: u64,
    /// How often the worker looks for due deliveries, in milliseconds.
    #[arg(
        long,
        env = "ANIMAFORGE_WEBHOOK_POLL_MS",
        default_value_t = 500,
        global = true
    )]
    pub webhook_poll_ms: u64,
}

impl WebhookConfig {
    /// The receiver's time to answer.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.webhook_timeout_ms.max(1))
    }

    /// The delay before attempt `attempts + 1` after `attempts` failures, without
    /// jitter: `base * 2^(attempts - 1)`, capped.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let exp = attempts.saturating_sub(1).min(30);
        let ms = self
            .webhook_retry_base_ms
            .saturating_mul(1u64 << exp)
            .min(self.webhook_retry_max_ms.max(self.webhook_retry_base_ms));
        Duration::from_millis(ms)
    }
}
