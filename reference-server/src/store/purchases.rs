//! Purchases, as far as the catalogue needs them: whether a user owns a paid
//! animation (see [`super::marketplace`] for the rest).

use super::{Store, StoreResult, on_pool};

/// Whether `user_id` has a completed purchase of `animation_id`.
pub async fn owns(store: &Store, user_id: &str, animation_id: &str) -> StoreResult<bool> {
    let found: Option<i64> = on_pool!(store, pool => sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM purchases WHERE buyer_id = $1 AND animation_id = $2
         AND status = 'completed'",
    )
    .bind(user_id)
    .bind(animation_id)
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some())
}
