//! Job rows as wire types: `Job`, `JobEvent`, `GenerateAccepted`, `GeneratedAnimation`,
//! `JobCallback`.

use animaforge_api::{
    Backend, ErrorCode, GenerateAccepted, GeneratedAnimation, GeneratedMetadata, Job, JobCallback,
    JobError, JobEvent, JobEventType, JobStatus,
};

use crate::app::AppState;
use crate::store::StoreResult;
use crate::store::animations::AnimationRow;
use crate::store::jobs::{JobEventRow, JobRow};

/// Log lines a job shows at most.
pub const MAX_LOGS: i64 = 200;

/// A status wire name as the enum (unknown names read as `failed`).
pub fn status(name: &str) -> JobStatus {
    JobStatus::ALL
        .iter()
        .copied()
        .find(|s| s.as_str() == name)
        .unwrap_or(JobStatus::Failed)
}

fn backend(name: &str) -> Backend {
    Backend::ALL
        .iter()
        .copied()
        .find(|b| b.as_str() == name)
        .unwrap_or(Backend::Local)
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The reason a failed job carries.
pub fn job_error(row: &JobRow) -> Option<JobError> {
    if row.status != JobStatus::Failed.as_str() {
        return None;
    }
    let code = row
        .error_code
        .as_deref()
        .and_then(|c| serde_json::from_value(serde_json::Value::String(c.to_owned())).ok())
        .unwrap_or(ErrorCode::InternalError);
    Some(JobError {
        code,
        message: row
            .error_message
            .clone()
            .unwrap_or_else(|| "Generation failed".into()),
    })
}

/// The animation a job made, with a download URL and a signed thumbnail URL.
pub fn generated_animation(state: &AppState, row: &AnimationRow) -> GeneratedAnimation {
    let width = row.width.unwrap_or(0);
    let height = row.height.unwrap_or(0);
    GeneratedAnimation {
        id: row.id.clone(),
        url: state.api_url(&format!("/animations/{}/download", row.id)),
        thumbnail_url: crate::routes::views::thumbnail_url(state, row).unwrap_or_default(),
        source_code: row.source_code.clone().unwrap_or_default(),
        metadata: GeneratedMetadata {
            duration: row.duration.unwrap_or(0.0),
            fps: row.fps.unwrap_or(0.0),
            resolution: format!("{width}x{height}"),
            file_size: count(row.file_size.unwrap_or(0)),
        },
    }
}

async fn animation_of(state: &AppState, row: &JobRow) -> StoreResult<Option<GeneratedAnimation>> {
    let Some(id) = row.animation_id.as_deref() else {
        return Ok(None);
    };
    Ok(state
        .store
        .animation(id)
        .await?
        .map(|a| generated_animation(state, &a)))
}

/// The job as `GET /animations/jobs/{job_id}` shows it.
pub async fn job(state: &AppState, row: &JobRow) -> StoreResult<Job> {
    let status = status(&row.status);
    let logs = state.store.job_logs(&row.id, MAX_LOGS).await?;
    let animation = if status == JobStatus::Completed {
        animation_of(state, row).await?
    } else {
        None
    };
    Ok(Job {
        job_id: row.id.clone(),
        status,
        progress: u8::try_from(row.progress.clamp(0, 100)).unwrap_or(0),
        estimated_remaining: if status.is_terminal() {
            None
        } else {
            Some(count(row.estimated_remaining.unwrap_or(row.estimated_time)))
        },
        logs,
        prompt: row.prompt.clone(),
        backend: backend(&row.backend),
        animation,
        error: job_error(row),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The answer of `POST /animations/generate` for a job.
pub fn accepted(state: &AppState, row: &JobRow) -> GenerateAccepted {
    GenerateAccepted {
        job_id: row.id.clone(),
        status: status(&row.status),
        estimated_time: count(row.estimated_time),
        webhook_url: row.callback_url.clone(),
        status_url: state.api_url(&format!("/animations/jobs/{}", row.id)),
        events_url: state.api_url(&format!("/animations/jobs/{}/events", row.id)),
    }
}

/// One event.
pub fn event(row: &JobEventRow) -> JobEvent {
    let kind = match row.kind.as_str() {
        "log" => JobEventType::Log,
        "status" => JobEventType::Status,
        _ => JobEventType::Progress,
    };
    JobEvent {
        sequence: count(row.sequence),
        kind,
        status: status(&row.status),
        progress: u8::try_from(row.progress.clamp(0, 100)).unwrap_or(0),
        message: row.message.clone(),
        estimated_remaining: row.estimated_remaining.map(count),
        timestamp: row.created_at,
    }
}

/// The completion payload for the job's `callback_url`.
pub fn callback(
    row: &JobRow,
    status: JobStatus,
    animation: Option<GeneratedAnimation>,
    error: Option<JobError>,
) -> JobCallback {
    JobCallback {
        job_id: row.id.clone(),
        status,
        animation,
        error,
    }
}
