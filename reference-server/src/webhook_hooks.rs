//! Points where account and catalogue events enter the webhook outbox. Each runs inside
//! the transaction of the change it reports, so an event is recorded if and only if the
//! change is committed.

use animaforge_api::{UserFollowedData, WebhookEventType};

use crate::store::{StoreResult, Tx};

/// `follower_id` started following `followee_id` (only when the follow is new): a
/// `user.followed` event for the followee's webhooks.
pub async fn user_followed(tx: &mut Tx, follower_id: &str, followee_id: &str) -> StoreResult<()> {
    let data = UserFollowedData {
        user_id: followee_id.to_owned(),
        follower_id: follower_id.to_owned(),
    };
    let data = serde_json::to_value(data).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    crate::webhooks::outbox::enqueue(tx, followee_id, WebhookEventType::UserFollowed, data).await?;
    Ok(())
}
