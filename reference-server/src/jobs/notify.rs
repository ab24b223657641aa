//! What a finished job tells the outside: the `animation.generated` webhook event and
//! the one-off signed POST to the request's `callback_url`. Both are written to the
//! webhook outbox in the transaction that ends the job, so they exist if and only if
//! the ending does; the webhook worker delivers them with retries.

use animaforge_api::{AnimationGeneratedData, JobCallback, WebhookEventType};

use crate::store::jobs::JobRow;
use crate::store::{StoreResult, Tx};
use crate::webhooks::outbox;

/// Records `animation.generated` for the owner's webhooks.
pub async fn animation_generated(
    tx: &mut Tx,
    owner_id: &str,
    animation_id: &str,
    job_id: &str,
) -> StoreResult<()> {
    let data = AnimationGeneratedData {
        animation_id: animation_id.to_owned(),
        job_id: job_id.to_owned(),
        status: "completed".to_owned(),
    };
    let data = serde_json::to_value(data).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    outbox::enqueue(tx, owner_id, WebhookEventType::AnimationGenerated, data).await?;
    Ok(())
}

/// Queues the payload for the job's `callback_url`, signed with its secret, when it
/// has one.
pub async fn job_callback(tx: &mut Tx, job: &JobRow, body: &JobCallback) -> StoreResult<()> {
    let (Some(url), Some(secret)) = (&job.callback_url, &job.callback_secret) else {
        return Ok(());
    };
    let body = serde_json::to_value(body).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let id = outbox::enqueue_callback(tx, url, secret, &body).await?;
    tracing::info!(job_id = %job.id, delivery_id = %id, "job callback queued");
    Ok(())
}
