//! Points where account and catalogue events enter the webhook outbox. Each runs inside
//! the transaction of the change it reports, so an event is recorded if and only if the
//! change is committed. They currently record nothing.

use crate::store::{StoreResult, Tx};

/// `follower_id` started following `followee_id` (only when the follow is new).
pub async fn user_followed(
    _tx: &mut Tx,
    _follower_id: &str,
    _followee_id: &str,
) -> StoreResult<()> {
    Ok(())
}
