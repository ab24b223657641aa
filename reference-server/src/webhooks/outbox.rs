//! The outbox: events written in the transaction of their cause, delivered later by
//! the [`worker`](super::worker).

use animaforge_api::WebhookEventType;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::{self, StoreResult, Tx};

/// The body of a webhook event before it is signed (`signature` is appended last when
/// it is sent).
#[derive(Serialize)]
struct UnsignedEvent<'a> {
    id: &'a str,
    event: WebhookEventType,
    data: &'a serde_json::Value,
    timestamp: DateTime<Utc>,
}

/// Records `event_type` with `data` for `owner_user_id`'s subscribed webhooks, in the
/// caller's transaction. Returns the event id (`evt_...`).
pub async fn enqueue(
    tx: &mut Tx,
    owner_user_id: &str,
    event_type: WebhookEventType,
    data: serde_json::Value,
) -> StoreResult<String> {
    let id = store::new_id("evt");
    let at = store::now();
    let payload = serde_json::to_string(&UnsignedEvent {
        id: &id,
        event: event_type,
        data: &data,
        timestamp: at,
    })
    .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    store::webhooks::insert_event(tx, &id, owner_user_id, event_type.as_str(), &payload, at)
        .await?;
    tracing::debug!(event_id = %id, event = event_type.as_str(), "webhook event queued");
    Ok(id)
}

/// Queues one POST of `body` to `url`, signed with `secret` (headers only, like every
/// delivery), in the caller's transaction; retried by the worker until acknowledged,
/// answered 410, or out of attempts. Returns the delivery's `webhook-id` (`evt_...`).
pub async fn enqueue_callback(
    tx: &mut Tx,
    url: &str,
    secret: &str,
    body: &serde_json::Value,
) -> StoreResult<String> {
    let id = store::new_id("evt");
    let payload = serde_json::to_string(body).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    store::webhooks::insert_callback(tx, &id, url, secret, &payload, store::now()).await?;
    tracing::debug!(event_id = %id, "callback queued");
    Ok(id)
}
