//! Generation jobs: `/animations/generate`, `/animations/jobs/{job_id}` (status, cancel,
//! events).
//!
//! Generate checks the request, queues a job and answers 202 at once; workers (see
//! `crate::jobs`) do the rest. With an `Idempotency-Key` (kept 24 hours per account) a
//! repeat with the same body answers 202 with the same job (its current status), a
//! different body 409. The key is unique per account in the database, so concurrent
//! repeats create one job. Jobs are private: anyone but the owner gets 404.

pub mod request;
pub mod sse;

use animaforge_api::{ErrorCode, ErrorDetails, GenerateAccepted, GenerateRequest, Job};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Duration;

use crate::app::AppState;
use crate::http::{ApiError, ApiResult, AuthUser, Data, Json, Path};
use crate::jobs::wire;
use crate::store::jobs::{CancelOutcome, JobRow};

/// How long an idempotency key is remembered.
const IDEMPOTENCY_TTL_HOURS: i64 = 24;
/// The log line of a cancellation.
const CANCELLED_LINE: &str = "Cancelled by its owner";

/// The routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/animations/generate", post(generate))
        .route("/animations/jobs/{job_id}", get(status))
        .route("/animations/jobs/{job_id}/cancel", post(cancel))
        .route("/animations/jobs/{job_id}/events", get(events))
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| {
        ApiError::validation("Idempotency-Key", "must be 1 to 255 ASCII characters")
    })?;
    request::check_idempotency_key(value)?;
    Ok(Some(value.to_owned()))
}

fn key_conflict(job_id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "This Idempotency-Key was already used with a different request body",
    )
    .with_details(ErrorDetails {
        field: Some("Idempotency-Key".into()),
        constraint: Some("must not be reused with a different body".into()),
        resource_id: Some(job_id.to_owned()),
        ..ErrorDetails::default()
    })
}

/// The replay of a job found under the request's idempotency key.
fn replay(state: &AppState, job: &JobRow, hash: &str) -> ApiResult<Data<GenerateAccepted>> {
    if job.request_hash.as_deref() != Some(hash) {
        return Err(key_conflict(&job.id));
    }
    Ok(Data::accepted(wire::accepted(state, job)))
}

async fn generate(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<GenerateRequest>,
) -> ApiResult<Data<GenerateAccepted>> {
    let key = idempotency_key(&headers)?;
    let checked = request::check(&state, &user.id, &body, key.as_deref())?;
    if let Some(url) = &body.callback_url {
        request::check_callback_target(&state, url).await?;
    }
    let job = checked.job;

    if let (Some(key), Some(hash)) = (key.as_deref(), job.request_hash.as_deref())
        && let Some(found) = state.store.job_by_idempotency_key(&user.id, key).await?
    {
        let expired =
            found.created_at + Duration::hours(IDEMPOTENCY_TTL_HOURS) <= crate::store::now();
        if !expired {
            return replay(&state, &found, hash);
        }
        state.store.forget_idempotency_key(&found.id).await?;
    }

    if !state.store.insert_job(&job).await? {
        // A concurrent request with the same key won the insert.
        let (Some(key), Some(hash)) = (key.as_deref(), job.request_hash.as_deref()) else {
            return Err(ApiError::internal(anyhow::anyhow!("job id collision")));
        };
        let Some(found) = state.store.job_by_idempotency_key(&user.id, key).await? else {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "A request with this Idempotency-Key is in flight; retry shortly",
            ));
        };
        return replay(&state, &found, hash);
    }
    tracing::info!(
        job_id = %job.id,
        user_id = %user.id,
        backend = %job.backend,
        estimated_secs = job.estimated_time,
        "job queued"
    );
    state.generation.job_queued();
    let row = state
        .store
        .job(&job.id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("queued job vanished")))?;
    Ok(Data::accepted(wire::accepted(&state, &row)))
}

/// The caller's job, or 404.
async fn owned_job(state: &AppState, user: &AuthUser, job_id: &str) -> ApiResult<JobRow> {
    match state.store.job(job_id).await? {
        Some(job) if job.owner_id == user.id => Ok(job),
        _ => Err(ApiError::not_found("Job")),
    }
}

async fn status(
    State(state): State<AppState>,
    user: AuthUser,
    Path(job_id): Path<String>,
) -> ApiResult<Data<Job>> {
    let job = owned_job(&state, &user, &job_id).await?;
    Ok(Data::ok(wire::job(&state, &job).await?))
}

async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    Path(job_id): Path<String>,
) -> ApiResult<Data<Job>> {
    let job = owned_job(&state, &user, &job_id).await?;
    let mut tx = state.store.begin().await?;
    match crate::store::jobs::cancel_job(&mut tx, &job_id, CANCELLED_LINE).await? {
        CancelOutcome::Cancelled => {
            let body = wire::callback(&job, animaforge_api::JobStatus::Cancelled, None, None);
            crate::jobs::notify::job_callback(&mut tx, &job, &body).await?;
            tx.commit().await?;
        }
        CancelOutcome::AlreadyEnded(status) => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("The job already ended ({status})"),
            )
            .with_details(ErrorDetails {
                field: Some("status".into()),
                constraint: Some("must be queued or processing".into()),
                resource_id: Some(job_id),
                ..ErrorDetails::default()
            }));
        }
        CancelOutcome::Missing => return Err(ApiError::not_found("Job")),
    }
    state.generation.cancel_running(&job_id);
    state.generation.job_event();
    tracing::info!(%job_id, user_id = %user.id, "job cancelled");
    let job = owned_job(&state, &user, &job_id).await?;
    Ok(Data::ok(wire::job(&state, &job).await?))
}

async fn events(
    State(state): State<AppState>,
    user: AuthUser,
    Path(job_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let after = sse::last_event_id(&headers)?;
    owned_job(&state, &user, &job_id).await?;
    Ok(sse::stream(state, job_id, after))
}
