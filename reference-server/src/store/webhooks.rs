//! Webhook endpoints, the event outbox, deliveries and their attempts.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Engine, Store, StoreResult, Tx, on_pool, on_tx};

/// A webhook endpoint row (with its secret: never send it).
#[derive(Clone, FromRow)]
pub struct WebhookRow {
    /// `webhook_...`.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Target.
    pub url: String,
    /// Subscribed event types as a JSON array.
    pub events: String,
    /// Signing secret.
    pub secret: String,
    /// `active` or `disabled`.
    pub status: String,
    /// Registration time.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for WebhookRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRow")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A delivery claimed for one attempt, with what it needs to send.
#[derive(Clone, FromRow)]
pub struct DueDelivery {
    /// `whd_...`.
    pub id: String,
    /// `evt_...`.
    pub event_id: String,
    /// The endpoint, `None` for a callback.
    pub webhook_id: Option<String>,
    /// Target URL.
    pub url: String,
    /// Signing secret.
    pub secret: String,
    /// The event's unsigned body.
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("id", &self.id)
            .field("event_id", &self.event_id)
            .field("webhook_id", &self.webhook_id)
            .field("url", &self.url)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// One recorded attempt.
#[derive(Debug, Clone, FromRow)]
pub struct AttemptRow {
    /// From 1.
    pub attempt: i64,
    /// HTTP status, when the receiver answered.
    pub status_code: Option<i64>,
    /// Transport error, when it did not.
    pub error: Option<String>,
}

/// A delivery's state, for checks and tests.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    /// `whd_...`.
    pub id: String,
    /// `evt_...`.
    pub event_id: String,
    /// `pending`, `delivered`, `failed` or `gone`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
}

/// Inserts an endpoint.
pub async fn insert_webhook(store: &Store, w: &WebhookRow) -> StoreResult<()> {
    on_pool!(store, pool => sqlx::query(
        "INSERT INTO webhooks (id, user_id, url, events, secret, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&w.id)
    .bind(&w.user_id)
    .bind(&w.url)
    .bind(&w.events)
    .bind(&w.secret)
    .bind(&w.status)
    .bind(w.created_at)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// The user's endpoints, newest first.
pub async fn list_webhooks(store: &Store, user_id: &str) -> StoreResult<Vec<WebhookRow>> {
    on_pool!(store, pool => sqlx::query_as(
        "SELECT id, user_id, url, events, secret, status, created_at FROM webhooks
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)
}

/// One endpoint.
pub async fn webhook(store: &Store, id: &str) -> StoreResult<Option<WebhookRow>> {
    on_pool!(store, pool => sqlx::query_as(
        "SELECT id, user_id, url, events, secret, status, created_at FROM webhooks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await)
}

/// Deletes the user's endpoint (its pending deliveries go with it); whether it existed.
pub async fn delete_webhook(store: &Store, user_id: &str, id: &str) -> StoreResult<bool> {
    let n = on_pool!(store, pool => sqlx::query("DELETE FROM webhooks WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Writes an event and one pending delivery per active endpoint of `user_id`
/// subscribed to `event_type`, in `tx`.
pub async fn insert_event(
    tx: &mut Tx,
    event_id: &str,
    user_id: &str,
    event_type: &str,
    payload: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let pattern = format!("%\"{event_type}\"%");
    let due = at.timestamp_millis();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO webhook_events (id, user_id, event_type, payload, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(event_id)
        .bind(user_id)
        .bind(event_type)
        .bind(payload)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM webhooks WHERE user_id = $1 AND status = 'active' AND events LIKE $2
             ORDER BY id",
        )
        .bind(user_id)
        .bind(&pattern)
        .fetch_all(&mut *conn)
        .await?;
        for webhook_id in ids {
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, event_id, webhook_id, state, next_attempt_at,
                    created_at)
                 VALUES ($1, $2, $3, 'pending', $4, $5)",
            )
            .bind(super::new_id("whd"))
            .bind(event_id)
            .bind(&webhook_id)
            .bind(due)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(())
}

/// Writes a one-off delivery of `payload` to `url` signed with `secret`, in `tx`.
pub async fn insert_callback(
    tx: &mut Tx,
    event_id: &str,
    url: &str,
    secret: &str,
    payload: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO webhook_events (id, user_id, event_type, payload, created_at)
             VALUES ($1, NULL, 'job.callback', $2, $3)",
        )
        .bind(event_id)
        .bind(payload)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, event_id, url, secret, state, next_attempt_at,
                created_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
        )
        .bind(super::new_id("whd"))
        .bind(event_id)
        .bind(url)
        .bind(secret)
        .bind(at.timestamp_millis())
        .bind(at)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Claims up to `limit` due deliveries for `owner` until `lease_until_ms`. Deliveries
/// of disabled endpoints are not claimed.
pub async fn claim_due(
    store: &Store,
    owner: &str,
    now_ms: i64,
    lease_until_ms: i64,
    limit: i64,
) -> StoreResult<Vec<DueDelivery>> {
    let lock = match store.engine() {
        Engine::Sqlite => "",
        Engine::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    let claim = format!(
        "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2
         WHERE id IN (
            SELECT id FROM webhook_deliveries
            WHERE state = 'pending' AND next_attempt_at <= $3
              AND (lease_until IS NULL OR lease_until < $3)
              AND (webhook_id IS NULL
                   OR webhook_id IN (SELECT id FROM webhooks WHERE status = 'active'))
            ORDER BY next_attempt_at LIMIT $4 {lock})
           AND state = 'pending' AND (lease_until IS NULL OR lease_until < $3)
         RETURNING id"
    );
    let select = "SELECT d.id, d.event_id, d.webhook_id,
            COALESCE(w.url, d.url) AS url, COALESCE(w.secret, d.secret) AS secret,
            e.payload, d.attempts
         FROM webhook_deliveries d
         JOIN webhook_events e ON e.id = d.event_id
         LEFT JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.lease_owner = $1 AND d.state = 'pending' AND d.lease_until = $2
           AND (d.webhook_id IS NULL OR w.status = 'active')";
    on_pool!(store, pool => {
        let claimed: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(claim))
            .bind(owner)
            .bind(lease_until_ms)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        if claimed.is_empty() {
            return Ok(vec![]);
        }
        sqlx::query_as(select)
            .bind(owner)
            .bind(lease_until_ms)
            .fetch_all(pool)
            .await
    })
}

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub enum AttemptOutcome {
    /// 2xx: done.
    Delivered,
    /// 410: the endpoint is disabled (a callback stops).
    Gone,
    /// Retry at `next_attempt_ms`.
    Retry {
        /// Epoch milliseconds.
        next_attempt_ms: i64,
    },
    /// No attempts left.
    GaveUp,
}

/// Records attempt `attempt` of a claimed delivery and applies its outcome, if the
/// lease is still `owner`'s. Returns whether it was applied.
#[allow(clippy::too_many_arguments)]
pub async fn record_attempt(
    store: &Store,
    delivery: &DueDelivery,
    owner: &str,
    attempt: i64,
    status_code: Option<u16>,
    error: Option<&str>,
    duration_ms: i64,
    outcome: &AttemptOutcome,
) -> StoreResult<bool> {
    let now = super::now();
    let (state, next, finished) = match outcome {
        AttemptOutcome::Delivered => ("delivered", 0, Some(now)),
        AttemptOutcome::Gone => ("gone", 0, Some(now)),
        AttemptOutcome::GaveUp => ("failed", 0, Some(now)),
        AttemptOutcome::Retry { next_attempt_ms } => ("pending", *next_attempt_ms, None),
    };
    let mut tx = store.begin().await?;
    let applied = on_tx!(&mut tx, conn => {
        let n = sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = $2,
                next_attempt_at = CASE WHEN $3 > 0 THEN $3 ELSE next_attempt_at END,
                lease_owner = NULL, lease_until = NULL, last_status = $4, last_error = $5,
                finished_at = $6
             WHERE id = $7 AND lease_owner = $8",
        )
        .bind(state)
        .bind(attempt)
        .bind(next)
        .bind(status_code.map(i64::from))
        .bind(error)
        .bind(finished)
        .bind(&delivery.id)
        .bind(owner)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n == 1 {
            sqlx::query(
                "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error,
                    duration_ms)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&delivery.id)
            .bind(attempt)
            .bind(now)
            .bind(status_code.map(i64::from))
            .bind(error)
            .bind(duration_ms)
            .execute(&mut *conn)
            .await?;
            if let (AttemptOutcome::Gone, Some(webhook_id)) = (outcome, &delivery.webhook_id) {
                sqlx::query(
                    "UPDATE webhooks SET status = 'disabled', disabled_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(webhook_id)
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "UPDATE webhook_deliveries SET state = 'cancelled', finished_at = $1
                     WHERE webhook_id = $2 AND state = 'pending'",
                )
                .bind(now)
                .bind(webhook_id)
                .execute(&mut *conn)
                .await?;
            }
        }
        n == 1
    });
    tx.commit().await?;
    Ok(applied)
}

/// The deliveries of an event, for checks.
pub async fn deliveries_of_event(store: &Store, event_id: &str) -> StoreResult<Vec<DeliveryRow>> {
    on_pool!(store, pool => sqlx::query_as(
        "SELECT id, event_id, state, attempts FROM webhook_deliveries WHERE event_id = $1
         ORDER BY id",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await)
}

/// The deliveries to an endpoint, for checks.
pub async fn deliveries_of_webhook(
    store: &Store,
    webhook_id: &str,
) -> StoreResult<Vec<DeliveryRow>> {
    on_pool!(store, pool => sqlx::query_as(
        "SELECT id, event_id, state, attempts FROM webhook_deliveries WHERE webhook_id = $1
         ORDER BY id",
    )
    .bind(webhook_id)
    .fetch_all(pool)
    .await)
}

/// The attempts of a delivery, in order.
pub async fn attempts(store: &Store, delivery_id: &str) -> StoreResult<Vec<AttemptRow>> {
    on_pool!(store, pool => sqlx::query_as(
        "SELECT attempt, status_code, error FROM webhook_attempts WHERE delivery_id = $1
         ORDER BY attempt",
    )
    .bind(delivery_id)
    .fetch_all(pool)
    .await)
}
