//! Retention: what upkeep deletes once it is no longer needed.
//!
//! Deletes run in batches of [`BATCH`] rows, so that neither engine holds a long lock
//! and several server processes can prune at once (each batch is idempotent).

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, on_pool};

/// Rows per delete statement.
const BATCH: i64 = 2_000;

/// What one pass deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    /// Expired purchase idempotency records.
    pub idempotency_keys: u64,
    /// Webhook events whose deliveries had all finished (with those deliveries and
    /// their attempts).
    pub webhook_events: u64,
    /// Progress ticks of finished jobs.
    pub job_progress_events: u64,
    /// Expired refresh tokens.
    pub refresh_tokens: u64,
}

/// Deletes purchase idempotency records created before `before` (their keys have
/// expired: a repeat is a new request either way, and a record still `running` that
/// long belongs to a request that died).
pub async fn prune_idempotency_keys(store: &Store, before: DateTime<Utc>) -> StoreResult<u64> {
    batched(
        store,
        before,
        "DELETE FROM purchase_idempotency WHERE (user_id, key) IN (
            SELECT user_id, key FROM purchase_idempotency
            WHERE created_at < $1 LIMIT $2)",
    )
    .await
}

/// Deletes webhook events created before `before` whose deliveries have all finished
/// (delivered, failed, gone or cancelled); their deliveries and attempts go with them.
pub async fn prune_webhook_events(store: &Store, before: DateTime<Utc>) -> StoreResult<u64> {
    batched(
        store,
        before,
        "DELETE FROM webhook_events WHERE id IN (
            SELECT e.id FROM webhook_events e
            WHERE e.created_at < $1
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                              WHERE d.event_id = e.id AND d.finished_at IS NULL)
            LIMIT $2)",
    )
    .await
}

/// Deletes the `progress` events of jobs that finished before `before`. Their `log`
/// and `status` events stay, so the job's logs and its event stream's outcome remain.
pub async fn prune_job_progress(store: &Store, before: DateTime<Utc>) -> StoreResult<u64> {
    batched(
        store,
        before,
        "DELETE FROM job_events WHERE (job_id, sequence) IN (
            SELECT ev.job_id, ev.sequence FROM job_events ev
            JOIN jobs j ON j.id = ev.job_id
            WHERE ev.kind = 'progress' AND j.finished_at IS NOT NULL
              AND j.finished_at < $1
            LIMIT $2)",
    )
    .await
}

/// Deletes refresh tokens that expired before `before` (they can no longer be used;
/// presenting one is an unknown token either way).
pub async fn prune_refresh_tokens(store: &Store, before: DateTime<Utc>) -> StoreResult<u64> {
    batched(
        store,
        before,
        "DELETE FROM refresh_tokens WHERE id IN (
            SELECT id FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)",
    )
    .await
}

/// One upkeep pass at `now`: idempotency records past their 24 hours always, history
/// older than `retention_days` unless that is 0.
pub async fn prune(store: &Store, now: DateTime<Utc>, retention_days: u32) -> StoreResult<Pruned> {
    let mut pruned = Pruned {
        idempotency_keys: prune_idempotency_keys(store, now - chrono::Duration::hours(24)).await?,
        ..Pruned::default()
    };
    if retention_days > 0 {
        let before = now - chrono::Duration::days(i64::from(retention_days));
        pruned.webhook_events = prune_webhook_events(store, before).await?;
        pruned.job_progress_events = prune_job_progress(store, before).await?;
        pruned.refresh_tokens = prune_refresh_tokens(store, before).await?;
    }
    Ok(pruned)
}

/// Runs `sql` (binding `$1` = `before`, `$2` = [`BATCH`]) until a batch comes back
/// short; returns the rows deleted.
async fn batched(store: &Store, before: DateTime<Utc>, sql: &'static str) -> StoreResult<u64> {
    let mut total = 0;
    loop {
        let n = on_pool!(store, pool => sqlx::query(sql)
            .bind(before)
            .bind(BATCH)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        total += n;
        if n < BATCH as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
