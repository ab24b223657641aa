//! Public profiles: counters derived from the catalogue and the follow graph.

use super::{Store, StoreResult, on_pool};

/// Counters of one user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserCounters {
    /// Ready (published) animations.
    pub published: u64,
    /// Every animation owned, in any status.
    pub owned: u64,
    /// Downloads of the user's animations.
    pub downloads: u64,
    /// Likes the user's animations received.
    pub likes_received: u64,
    /// Followers.
    pub followers: u64,
    /// Users followed.
    pub following: u64,
    /// Accounts created before this one.
    pub accounts_before: u64,
}

impl Store {
    /// The counters of `user_id` (zeros for a user without activity).
    pub async fn user_counters(&self, user_id: &str) -> StoreResult<UserCounters> {
        let row: (i64, i64, i64, i64, i64, i64, i64) = on_pool!(self, pool => sqlx::query_as(
            "SELECT
                (SELECT COUNT(*) FROM animations WHERE owner_id = $1 AND status = 'ready'),
                (SELECT COUNT(*) FROM animations WHERE owner_id = $1),
                (SELECT CAST(COALESCE(SUM(downloads), 0) AS BIGINT) FROM animations WHERE owner_id = $1),
                (SELECT CAST(COALESCE(SUM(likes), 0) AS BIGINT) FROM animations WHERE owner_id = $1),
                (SELECT COUNT(*) FROM follows WHERE followee_id = $1),
                (SELECT COUNT(*) FROM follows WHERE follower_id = $1),
                (SELECT COUNT(*) FROM users o, users me
                   WHERE me.id = $1 AND (o.created_at < me.created_at
                     OR (o.created_at = me.created_at AND o.id < me.id)))",
        )
        .bind(user_id)
        .fetch_one(pool)
        .await)?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(UserCounters {
            published: n(row.0),
            owned: n(row.1),
            downloads: n(row.2),
            likes_received: n(row.3),
            followers: n(row.4),
            following: n(row.5),
            accounts_before: n(row.6),
        })
    }
}
