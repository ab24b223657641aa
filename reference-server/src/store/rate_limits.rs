//! Rate-limit counters: fixed windows counted in the database, so every server
//! process on one database shares them.

use super::{Store, StoreResult, on_pool};

/// Counts one request in the quota window and the burst window of `bucket`, and
/// returns the counts after it: `(quota_count, burst_count)`. One statement, atomic
/// on both engines.
pub async fn hit(
    store: &Store,
    bucket: &str,
    quota_window: i64,
    burst_window: i64,
) -> StoreResult<(i64, i64)> {
    let quota_bucket = format!("{bucket}|h");
    let burst_bucket = format!("{bucket}|b");
    let rows: Vec<(String, i64)> = on_pool!(store, pool => sqlx::query_as(
        "INSERT INTO rate_limit_counters (bucket, window_start, count)
         VALUES ($1, $2, 1), ($3, $4, 1)
         ON CONFLICT (bucket, window_start)
         DO UPDATE SET count = rate_limit_counters.count + 1
         RETURNING bucket, count",
    )
    .bind(&quota_bucket)
    .bind(quota_window)
    .bind(&burst_bucket)
    .bind(burst_window)
    .fetch_all(pool)
    .await)?;
    let mut quota = 0;
    let mut burst = 0;
    for (b, count) in rows {
        if b == quota_bucket {
            quota = count;
        } else {
            burst = count;
        }
    }
    Ok((quota, burst))
}

/// Counts one request in the burst window of `bucket` only, and returns the quota
/// window's count as it stands with the burst count after the request:
/// `(quota_count, burst_count)`. For requests that spend no quota.
pub async fn hit_burst(
    store: &Store,
    bucket: &str,
    quota_window: i64,
    burst_window: i64,
) -> StoreResult<(i64, i64)> {
    let quota_bucket = format!("{bucket}|h");
    let burst_bucket = format!("{bucket}|b");
    let burst: i64 = on_pool!(store, pool => sqlx::query_scalar(
        "INSERT INTO rate_limit_counters (bucket, window_start, count)
         VALUES ($1, $2, 1)
         ON CONFLICT (bucket, window_start)
         DO UPDATE SET count = rate_limit_counters.count + 1
         RETURNING count",
    )
    .bind(&burst_bucket)
    .bind(burst_window)
    .fetch_one(pool)
    .await)?;
    let quota = peek(store, &quota_bucket, quota_window).await?;
    Ok((quota, burst))
}

/// The quota window's count of `bucket` without counting anything.
pub async fn peek_quota(store: &Store, bucket: &str, quota_window: i64) -> StoreResult<i64> {
    peek(store, &format!("{bucket}|h"), quota_window).await
}

async fn peek(store: &Store, counter: &str, window: i64) -> StoreResult<i64> {
    let count: Option<i64> = on_pool!(store, pool => sqlx::query_scalar(
        "SELECT count FROM rate_limit_counters WHERE bucket = $1 AND window_start = $2",
    )
    .bind(counter)
    .bind(window)
    .fetch_optional(pool)
    .await)?;
    Ok(count.unwrap_or(0))
}

/// Deletes counters of windows that started before `before` (unix seconds).
pub async fn prune(store: &Store, before: i64) -> StoreResult<u64> {
    let done = on_pool!(store, pool => sqlx::query(
        "DELETE FROM rate_limit_counters WHERE window_start < $1",
    )
    .bind(before)
    .execute(pool)
    .await.map(|r| r.rows_affected()))?;
    Ok(done)
}
