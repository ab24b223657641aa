//! The queue: claiming a job under a lease, heartbeats that extend it, reaping jobs
//! whose worker vanished, and the transitions that end a claim.
//!
//! A claim is one statement on either engine. On PostgreSQL the candidate row is
//! picked with `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on or take
//! the same job; on SQLite the single `UPDATE ... WHERE id = (SELECT ...)` runs under
//! the database's write lock, which serialises claims. A job is claimable when it is
//! `queued`, or `processing` with an expired lease and attempts left; expired jobs
//! without attempts left are failed by [`Store::reap_expired_jobs`].

use super::{EventWrite, Guard, JOB_COLUMNS, JobRow, record};
use crate::store::{Store, StoreResult, Tx, now, on_tx};

/// Milliseconds since the epoch, the unit of lease expiry.
pub fn epoch_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    /// Claims the oldest claimable job for lease token `lease_owner` until
    /// `lease_until_ms`, counting an attempt. `None` when there is nothing to do.
    pub async fn claim_job(
        &self,
        lease_owner: &str,
        lease_until_ms: i64,
    ) -> StoreResult<Option<JobRow>> {
        let now_ms = epoch_ms();
        let at = now();
        let lock = match self {
            Store::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            Store::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE jobs SET status = 'processing', lease_owner = $1, lease_expires_ms = $2,
                attempts = attempts + 1, started_at = COALESCE(started_at, $3), updated_at = $3
             WHERE id = (
                SELECT id FROM jobs
                WHERE (status = 'queued'
                       OR (status = 'processing' AND lease_expires_ms < $4))
                  AND attempts < max_attempts
                ORDER BY created_at, id LIMIT 1{lock})
             RETURNING {JOB_COLUMNS}"
        );
        let mut tx = self.begin().await?;
        let row: Option<JobRow> = on_tx!(&mut tx, conn => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(lease_owner)
                .bind(lease_until_ms)
                .bind(at)
                .bind(now_ms)
                .fetch_optional(&mut *conn)
                .await?
        });
        tx.commit().await?;
        Ok(row)
    }

    /// Extends the lease of a claim. `false` when the claim is no longer the job's
    /// (cancelled, reaped or claimed by another worker): the worker must stop.
    pub async fn heartbeat_job(
        &self,
        job_id: &str,
        lease_owner: &str,
        lease_until_ms: i64,
    ) -> StoreResult<bool> {
        let done = crate::store::on_pool!(self, pool => sqlx::query(
            "UPDATE jobs SET lease_expires_ms = $1
             WHERE id = $2 AND lease_owner = $3 AND status = 'processing'",
        )
        .bind(lease_until_ms)
        .bind(job_id)
        .bind(lease_owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Fails every job whose lease expired with no attempts left; returns their ids.
    pub async fn reap_expired_jobs(&self) -> StoreResult<Vec<String>> {
        let now_ms = epoch_ms();
        let ids: Vec<String> = crate::store::on_pool!(self, pool => sqlx::query_scalar(
            "SELECT id FROM jobs
             WHERE status = 'processing' AND lease_expires_ms < $1 AND attempts >= max_attempts
             ORDER BY created_at LIMIT 20",
        )
        .bind(now_ms)
        .fetch_all(pool)
        .await)?;
        let mut reaped = Vec::new();
        for id in ids {
            let mut tx = self.begin().await?;
            let claimed: Option<(i64,)> = on_tx!(&mut tx, conn => {
                sqlx::query_as(
                    "UPDATE jobs SET lease_owner = NULL, lease_expires_ms = NULL
                     WHERE id = $1 AND status = 'processing' AND lease_expires_ms < $2
                       AND attempts >= max_attempts
                     RETURNING attempts",
                )
                .bind(&id)
                .bind(now_ms)
                .fetch_optional(&mut *conn)
                .await?
            });
            let Some((attempts,)) = claimed else {
                continue;
            };
            let message =
                format!("The worker running this job stopped responding ({attempts} attempts)");
            end_claim(
                &mut tx,
                &id,
                Guard::Any,
                Ending::Failed {
                    code: "INTERNAL_ERROR",
                    message: &message,
                },
            )
            .await?;
            tx.commit().await?;
            reaped.push(id);
        }
        Ok(reaped)
    }

    /// Ends a claim with `ending` in its own transaction; `false` when the claim is
    /// no longer the job's.
    pub async fn end_job_claim(
        &self,
        job_id: &str,
        lease_owner: &str,
        ending: Ending<'_>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let ended = end_claim(&mut tx, job_id, Guard::Lease(lease_owner), ending).await?;
        if ended {
            tx.commit().await?;
        }
        Ok(ended)
    }
}

/// How a claim ends.
#[derive(Debug, Clone, Copy)]
pub enum Ending<'a> {
    /// Done: the animation exists.
    Completed {
        /// `anim_...`.
        animation_id: &'a str,
    },
    /// Failed with a code and a message.
    Failed {
        /// An `ErrorCode` wire name.
        code: &'a str,
        /// What went wrong, safe to show.
        message: &'a str,
    },
    /// Handed back to the queue (the worker is shutting down); the attempt is not
    /// counted.
    Requeued,
}

/// Ends a claim in `tx`: the terminal (or `queued`) status, the lease dropped, a log
/// line for failures and requeues, and the status event. `false`, writing nothing,
/// when `guard` does not hold.
pub async fn end_claim(
    tx: &mut Tx,
    job_id: &str,
    guard: Guard<'_>,
    ending: Ending<'_>,
) -> StoreResult<bool> {
    let line = match ending {
        Ending::Completed { .. } => None,
        Ending::Failed { message, .. } => Some(format!("Generation failed: {message}")),
        Ending::Requeued => Some("Worker stopped; the job is back in the queue".to_owned()),
    };
    let progress_now = 0;
    let logged = record(
        tx,
        job_id,
        guard,
        EventWrite {
            kind: if line.is_some() { "log" } else { "progress" },
            status: None,
            progress: if matches!(ending, Ending::Completed { .. }) {
                100
            } else {
                progress_now
            },
            message: line.as_deref(),
            estimated_remaining: None,
        },
    )
    .await?;
    if logged.is_none() {
        return Ok(false);
    }
    let at = now();
    let (status, animation_id, code, message) = match ending {
        Ending::Completed { animation_id } => ("completed", Some(animation_id), None, None),
        Ending::Failed { code, message } => ("failed", None, Some(code), Some(message)),
        Ending::Requeued => ("queued", None, None, None),
    };
    let finished = (status != "queued").then_some(at);
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE jobs SET lease_owner = NULL, lease_expires_ms = NULL, animation_id = $1,
                error_code = $2, error_message = $3, finished_at = $4,
                attempts = CASE WHEN $5 THEN attempts - 1 ELSE attempts END
             WHERE id = $6",
        )
        .bind(animation_id)
        .bind(code)
        .bind(message)
        .bind(finished)
        .bind(status == "queued")
        .bind(job_id)
        .execute(&mut *conn)
        .await?;
    });
    record(
        tx,
        job_id,
        Guard::Any,
        EventWrite {
            kind: "status",
            status: Some(status),
            progress: if status == "completed" { 100 } else { 0 },
            message: None,
            estimated_remaining: None,
        },
    )
    .await?;
    Ok(true)
}
