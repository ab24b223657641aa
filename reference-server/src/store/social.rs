//! Likes and follows: one row per pair (a unique key), counters changed in the same
//! transaction, so counts stay exact under concurrency.

use super::{Store, StoreResult, Tx, on_tx};

impl Store {
    /// Likes (`like = true`) or unlikes an animation; idempotent. Returns whether the
    /// state changed and the like count after it.
    pub async fn set_like(
        &self,
        user_id: &str,
        animation_id: &str,
        like: bool,
    ) -> StoreResult<(bool, u64)> {
        let now = super::now();
        let mut tx = self.begin().await?;
        let (changed, count): (u64, i64) = on_tx!(&mut tx, conn => {
            let changed = if like {
                sqlx::query(
                    "INSERT INTO likes (user_id, animation_id, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (user_id, animation_id) DO NOTHING",
                )
                .bind(user_id)
                .bind(animation_id)
                .bind(now)
                .execute(&mut *conn)
                .await.map(|r| r.rows_affected())?
            } else {
                sqlx::query("DELETE FROM likes WHERE user_id = $1 AND animation_id = $2")
                    .bind(user_id)
                    .bind(animation_id)
                    .execute(&mut *conn)
                    .await.map(|r| r.rows_affected())?
            };
            let delta: i64 = if changed == 0 { 0 } else if like { 1 } else { -1 };
            let count = sqlx::query_scalar(
                "UPDATE animations SET likes = likes + $1 WHERE id = $2 RETURNING likes",
            )
            .bind(delta)
            .bind(animation_id)
            .fetch_one(&mut *conn)
            .await?;
            (changed, count)
        });
        tx.commit().await?;
        Ok((changed > 0, u64::try_from(count).unwrap_or(0)))
    }
}

/// Follows (`follow = true`) or unfollows in `tx`; idempotent. Returns whether the
/// state changed and the followee's follower count after it.
pub async fn set_follow(
    tx: &mut Tx,
    follower_id: &str,
    followee_id: &str,
    follow: bool,
) -> StoreResult<(bool, u64)> {
    let now = super::now();
    on_tx!(tx, conn => {
        let changed = if follow {
            sqlx::query(
                "INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (follower_id, followee_id) DO NOTHING",
            )
            .bind(follower_id)
            .bind(followee_id)
            .bind(now)
            .execute(&mut *conn)
            .await.map(|r| r.rows_affected())?
        } else {
            sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2")
                .bind(follower_id)
                .bind(followee_id)
                .execute(&mut *conn)
                .await.map(|r| r.rows_affected())?
        };
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follows WHERE followee_id = $1")
            .bind(followee_id)
            .fetch_one(&mut *conn)
            .await?;
        Ok((changed > 0, u64::try_from(count).unwrap_or(0)))
    })
}
