//! Purchases, as far as the catalogue needs them: whether a user owns a paid
//! animation. The marketplace fills this in with its purchases table.

use super::{Store, StoreResult};

/// Whether `user_id` has bought `animation_id`. No purchases exist yet.
pub async fn owns(_store: &Store, _user_id: &str, _animation_id: &str) -> StoreResult<bool> {
    Ok(false)
}
