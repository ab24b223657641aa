//! Generation jobs: the job rows, their event log, idempotency keys, and (in
//! [`lease`]) the queue operations workers use: claiming under a lease, heartbeats,
//! reaping expired leases and the terminal transitions.
//!
//! Every change a client can observe goes through [`record`], which bumps the job's
//! `event_seq` and appends the matching `job_events` row in the same transaction, so
//! the event log and the job row never disagree and sequences are gap-free per job.
//! Progress only grows: [`record`] keeps the larger of the stored and new value.

pub mod lease;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreResult, Tx, on_pool, on_tx};

/// A job row.
#[derive(Clone, FromRow)]
pub struct JobRow {
    /// `job_...`.
    pub id: String,
    /// The requester.
    pub owner_id: String,
    /// `queued`, `processing`, `completed`, `failed` or `cancelled`.
    pub status: String,
    /// The prompt (the title, for template jobs).
    pub prompt: String,
    /// `local`, `gemini` or `openai`.
    pub backend: String,
    /// Template id, for template jobs.
    pub template: Option<String>,
    /// Template parameters as a JSON object.
    pub template_params: Option<String>,
    /// The render settings as JSON (the engine's `RenderSettings`).
    pub settings: String,
    /// Where the completion payload is POSTed.
    pub callback_url: Option<String>,
    /// The secret that signs it. Never logged.
    pub callback_secret: Option<String>,
    /// The request's `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// SHA-256 of the canonical request body, to compare repeats.
    pub request_hash: Option<String>,
    /// 0 to 100.
    pub progress: i64,
    /// Seconds the job was expected to take when it was created.
    pub estimated_time: i64,
    /// Seconds left by the last estimate.
    pub estimated_remaining: Option<i64>,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed before a job whose worker vanished is failed.
    pub max_attempts: i64,
    /// The lease token of the claim working on the job.
    pub lease_owner: Option<String>,
    /// When the lease ends, in milliseconds since the epoch.
    pub lease_expires_ms: Option<i64>,
    /// The animation a completed job made.
    pub animation_id: Option<String>,
    /// Error code of a failed job.
    pub error_code: Option<String>,
    /// Error message of a failed job.
    pub error_message: Option<String>,
    /// Sequence number of the job's last event.
    pub event_seq: i64,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// First claim.
    pub started_at: Option<DateTime<Utc>>,
    /// End.
    pub finished_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for JobRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobRow")
            .field("id", &self.id)
            .field("owner_id", &self.owner_id)
            .field("status", &self.status)
            .field("backend", &self.backend)
            .field("template", &self.template)
            .field("callback_url", &self.callback_url)
            .field(
                "callback_secret",
                &self.callback_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("progress", &self.progress)
            .field("attempts", &self.attempts)
            .field("lease_owner", &self.lease_owner)
            .field("event_seq", &self.event_seq)
            .finish_non_exhaustive()
    }
}

/// Columns of [`JobRow`].
pub const JOB_COLUMNS: &str = "id, owner_id, status, prompt, backend, template, template_params, \
    settings, callback_url, callback_secret, idempotency_key, request_hash, progress, \
    estimated_time, estimated_remaining, attempts, max_attempts, lease_owner, lease_expires_ms, \
    animation_id, error_code, error_message, event_seq, created_at, updated_at, started_at, \
    finished_at";

/// A job event row.
#[derive(Debug, Clone, FromRow)]
pub struct JobEventRow {
    /// From 1 within the job.
    pub sequence: i64,
    /// `progress`, `log` or `status`.
    pub kind: String,
    /// The job's status after the event.
    pub status: String,
    /// The job's progress after the event.
    pub progress: i64,
    /// The log line.
    pub message: Option<String>,
    /// Seconds left.
    pub estimated_remaining: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A job to create (`queued`).
#[derive(Clone)]
pub struct NewJob {
    /// `job_...`.
    pub id: String,
    /// The requester.
    pub owner_id: String,
    /// The prompt.
    pub prompt: String,
    /// Backend wire name.
    pub backend: String,
    /// Template id.
    pub template: Option<String>,
    /// Template parameters (JSON object text).
    pub template_params: Option<String>,
    /// Render settings (JSON text).
    pub settings: String,
    /// Callback URL.
    pub callback_url: Option<String>,
    /// Callback secret.
    pub callback_secret: Option<String>,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
    /// Request hash.
    pub request_hash: Option<String>,
    /// Seconds expected.
    pub estimated_time: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewJob")
            .field("id", &self.id)
            .field("owner_id", &self.owner_id)
            .field("backend", &self.backend)
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}

/// What an event changes and records.
#[derive(Debug, Clone, Copy)]
pub struct EventWrite<'a> {
    /// `progress`, `log` or `status`.
    pub kind: &'a str,
    /// The new status (status events), or `None` to keep it.
    pub status: Option<&'a str>,
    /// The new progress; the stored value is kept when it is larger.
    pub progress: i64,
    /// The log line.
    pub message: Option<&'a str>,
    /// Seconds left.
    pub estimated_remaining: Option<i64>,
}

/// Which state the job must be in for an event to be recorded.
#[derive(Debug, Clone, Copy)]
pub enum Guard<'a> {
    /// No condition.
    Any,
    /// `processing` under this lease token (workers).
    Lease(&'a str),
    /// `queued` or `processing` (cancellation).
    Active,
}

/// Records an event in `tx`: bumps the job's sequence, applies status, progress and
/// estimate, appends the event row. Returns the event's sequence, or `None` when the
/// job is not in the state `guard` asks for (nothing is written then).
pub async fn record(
    tx: &mut Tx,
    job_id: &str,
    guard: Guard<'_>,
    event: EventWrite<'_>,
) -> StoreResult<Option<i64>> {
    let now = super::now();
    let (condition, lease) = match guard {
        Guard::Any => ("", None),
        Guard::Lease(token) => (
            " AND status = 'processing' AND lease_owner = $6",
            Some(token),
        ),
        Guard::Active => (" AND status IN ('queued', 'processing')", None),
    };
    let sql = format!(
        "UPDATE jobs SET event_seq = event_seq + 1, status = COALESCE($1, status),
            progress = CASE WHEN $2 > progress THEN $2 ELSE progress END,
            estimated_remaining = $3, updated_at = $4
         WHERE id = $5{condition}
         RETURNING event_seq, status, progress"
    );
    let row: Option<(i64, String, i64)> = on_tx!(tx, conn => {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(event.status)
            .bind(event.progress.clamp(0, 100))
            .bind(event.estimated_remaining)
            .bind(now)
            .bind(job_id);
        if let Some(token) = lease {
            query = query.bind(token);
        }
        query.fetch_optional(&mut *conn).await?
    });
    let Some((sequence, status, progress)) = row else {
        return Ok(None);
    };
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO job_events (job_id, sequence, kind, status, progress, message,
                estimated_remaining, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(job_id)
        .bind(sequence)
        .bind(event.kind)
        .bind(&status)
        .bind(progress)
        .bind(event.message)
        .bind(event.estimated_remaining)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    Ok(Some(sequence))
}

/// What happened to a cancellation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The job is now `cancelled`.
    Cancelled,
    /// The job had already ended with this status.
    AlreadyEnded(String),
    /// No such job.
    Missing,
}

impl Store {
    /// Inserts a queued job. Returns `false`, writing nothing, when the owner already
    /// has a job with the same idempotency key.
    pub async fn insert_job(&self, job: &NewJob) -> StoreResult<bool> {
        let done = on_pool!(self, pool => sqlx::query(
            "INSERT INTO jobs (id, owner_id, status, prompt, backend, template, template_params,
                settings, callback_url, callback_secret, idempotency_key, request_hash,
                estimated_time, estimated_remaining, max_attempts, created_at, updated_at)
             VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14,
                $14)
             ON CONFLICT DO NOTHING",
        )
        .bind(&job.id)
        .bind(&job.owner_id)
        .bind(&job.prompt)
        .bind(&job.backend)
        .bind(&job.template)
        .bind(&job.template_params)
        .bind(&job.settings)
        .bind(&job.callback_url)
        .bind(&job.callback_secret)
        .bind(&job.idempotency_key)
        .bind(&job.request_hash)
        .bind(job.estimated_time)
        .bind(job.max_attempts)
        .bind(job.created_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// One job.
    pub async fn job(&self, id: &str) -> StoreResult<Option<JobRow>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await)
    }

    /// The owner's job with this idempotency key.
    pub async fn job_by_idempotency_key(
        &self,
        owner_id: &str,
        key: &str,
    ) -> StoreResult<Option<JobRow>> {
        let sql =
            format!("SELECT {JOB_COLUMNS} FROM jobs WHERE owner_id = $1 AND idempotency_key = $2");
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(owner_id)
            .bind(key)
            .fetch_optional(pool)
            .await)
    }

    /// Forgets an expired idempotency key, so that the key can start a new job.
    pub async fn forget_idempotency_key(&self, job_id: &str) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE jobs SET idempotency_key = NULL WHERE id = $1",
        )
        .bind(job_id)
        .execute(pool)
        .await
        .map(|_| ()))
    }

    /// The last `limit` log lines of a job, oldest first.
    pub async fn job_logs(&self, id: &str, limit: i64) -> StoreResult<Vec<String>> {
        let mut lines: Vec<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT message FROM job_events
             WHERE job_id = $1 AND kind = 'log' AND message IS NOT NULL
             ORDER BY sequence DESC LIMIT $2",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        lines.reverse();
        Ok(lines)
    }

    /// Up to `limit` events of a job after sequence `after`, in order.
    pub async fn job_events_after(
        &self,
        id: &str,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<JobEventRow>> {
        on_pool!(self, pool => sqlx::query_as(
            "SELECT sequence, kind, status, progress, message, estimated_remaining, created_at
             FROM job_events WHERE job_id = $1 AND sequence > $2
             ORDER BY sequence LIMIT $3",
        )
        .bind(id)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await)
    }

    /// Records one event in its own transaction (see [`record`]).
    pub async fn record_job_event(
        &self,
        job_id: &str,
        guard: Guard<'_>,
        event: EventWrite<'_>,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.begin().await?;
        let sequence = record(&mut tx, job_id, guard, event).await?;
        if sequence.is_some() {
            tx.commit().await?;
        }
        Ok(sequence)
    }
}

/// Cancels a queued or processing job in `tx`: status `cancelled`, lease dropped, a
/// log line and the status event. A worker running it notices at its next heartbeat
/// (or at once, in the same process, through its cancellation token).
pub async fn cancel_job(tx: &mut Tx, id: &str, message: &str) -> StoreResult<CancelOutcome> {
    let now = super::now();
    let logged = record(
        tx,
        id,
        Guard::Active,
        EventWrite {
            kind: "log",
            status: None,
            progress: 0,
            message: Some(message),
            estimated_remaining: None,
        },
    )
    .await?;
    if logged.is_none() {
        let status: Option<String> = on_tx!(tx, conn => {
            sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        });
        return Ok(match status {
            Some(status) => CancelOutcome::AlreadyEnded(status),
            None => CancelOutcome::Missing,
        });
    }
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE jobs SET lease_owner = NULL, lease_expires_ms = NULL, finished_at = $1
             WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    });
    record(
        tx,
        id,
        Guard::Any,
        EventWrite {
            kind: "status",
            status: Some("cancelled"),
            progress: 0,
            message: None,
            estimated_remaining: None,
        },
    )
    .await?;
    Ok(CancelOutcome::Cancelled)
}
