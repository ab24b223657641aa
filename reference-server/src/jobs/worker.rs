//! The worker loop: claim a job under a lease, keep the lease alive with heartbeats
//! (which also notice cancellation from other processes), run the engine's pipeline
//! in a per-job directory, and end the claim.
//!
//! A process runs `concurrency` jobs at once. An idle worker looks for work every
//! poll interval, or at once when a job is queued in the same process. On shutdown
//! running renders are stopped and their jobs handed back to the queue.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::finish;
use super::recorder::Recorder;
use crate::app::AppState;
use crate::config::Config;
use crate::generate::{
    GenerateError, Pipeline, PipelineInput, PipelineOutput, RenderError, RenderSettings,
};
use crate::store::jobs::JobRow;
use crate::store::jobs::lease::{Ending, epoch_ms};
use crate::store::new_id;
use animaforge_api::{Backend, ErrorCode, JobError};

/// Starts this process's workers in the background of `state` (nothing when the
/// configured concurrency is 0). They stop with the server.
pub fn spawn_workers(state: &AppState) {
    let count = state.generation.config().worker_count();
    if count == 0 {
        tracing::info!("no in-process workers; jobs wait for worker processes");
        return;
    }
    tracing::info!(workers = count, "in-process workers started");
    let run_state = state.clone();
    state.tasks.spawn(run_workers(run_state, count));
}

/// `animaforge-server worker`: runs workers against the configured database and
/// storage until SIGTERM or SIGINT, then hands running jobs back to the queue.
pub async fn run_worker_process(config: Config) -> anyhow::Result<()> {
    let state = AppState::from_config(config).await?;
    let count = state.generation.config().worker_count().max(1);
    let shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        crate::server::shutdown_signal().await;
        tracing::info!("shutting down: handing running jobs back");
        shutdown.cancel();
    });
    tracing::info!(
        workers = count,
        engine = state.store.engine().as_str(),
        "worker started"
    );
    run_workers(state.clone(), count).await;
    state.store.close().await;
    tracing::info!("worker stopped");
    Ok(())
}

async fn run_workers(state: AppState, concurrency: usize) {
    let slots = Arc::new(Semaphore::new(concurrency));
    let running = TaskTracker::new();
    running.spawn(sweep_periodically(state.clone()));
    let poll = state.generation.config().poll();
    let lease_ms = state.generation.config().lease().as_millis() as i64;
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = state.shutdown.cancelled() => break,
        };
        match state.store.reap_expired_jobs().await {
            Ok(reaped) if !reaped.is_empty() => {
                tracing::warn!(jobs = ?reaped, "failed jobs whose workers stopped responding");
                state.generation.job_event();
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "reaping expired jobs failed"),
        }
        let lease = new_id("lease");
        match state.store.claim_job(&lease, epoch_ms() + lease_ms).await {
            Ok(Some(job)) => {
                running.spawn(run_job(state.clone(), job, lease, permit));
                continue;
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "claiming a job failed"),
        }
        drop(permit);
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            () = state.generation.wait_job_queued() => {}
            () = state.shutdown.cancelled() => break,
        }
    }
    running.close();
    running.wait().await;
}

/// Sweeps the work directory at start and every ten minutes until shutdown.
async fn sweep_periodically(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            _ = tick.tick() => {
                sweep_work_dir(&state).await;
            }
        }
    }
}

/// Removes job directories left behind by a worker that stopped without cleaning up
/// (killed, or the machine went down): those of jobs that have ended or no longer
/// exist. A directory of a job that may still run (queued again or processing, here
/// or in another process sharing the directory) is left alone; the worker that claims
/// a job starts from an empty directory anyway. Returns how many were removed.
pub async fn sweep_work_dir(state: &AppState) -> usize {
    let dir = state.generation.work_dir().to_path_buf();
    let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
        return 0;
    };
    let mut removed = 0;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name();
        let Some(id) = name.to_str().filter(|n| n.starts_with("job_")) else {
            continue;
        };
        let ended = match state.store.job(id).await {
            Ok(Some(job)) => job
                .status
                .parse::<animaforge_api::JobStatus>()
                .is_ok_and(animaforge_api::JobStatus::is_terminal),
            Ok(None) => true,
            Err(err) => {
                tracing::warn!(error = %err, "sweeping job directories failed");
                return removed;
            }
        };
        if !ended || state.generation.is_running(id) {
            continue;
        }
        match tokio::fs::remove_dir_all(entry.path()).await {
            Ok(()) => removed += 1,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                tracing::warn!(job_id = id, error = %err, "removing a stale job directory failed")
            }
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed job directories left by stopped workers");
    }
    removed
}

/// How a run ended, before the claim is ended.
enum Outcome {
    Done(Box<PipelineOutput>),
    Failed(JobError),
    Stopped,
}

async fn run_job(state: AppState, job: JobRow, lease: String, _permit: OwnedSemaphorePermit) {
    let generation = state.generation.clone();
    let token = generation.register_running(&job.id);
    let shutdown = state.shutdown.clone();
    let link = token.clone();
    let linker = tokio::spawn(async move {
        tokio::select! {
            () = shutdown.cancelled() => link.cancel(),
            () = link.cancelled() => {}
        }
    });
    let heartbeat = tokio::spawn(heartbeat(
        state.clone(),
        job.id.clone(),
        lease.clone(),
        token.clone(),
    ));
    tracing::info!(job_id = %job.id, attempt = job.attempts, "job claimed");
    let started = Instant::now();
    let job_dir = generation.job_dir(&job.id);

    let outcome = execute(&state, &job, &lease, token.clone()).await;
    let status = match outcome {
        Outcome::Done(output) => {
            let version = generation.renderer_status().await.manim_version;
            match finish::complete(&state, &job, &lease, &output, version).await {
                Ok(true) => "completed",
                Ok(false) => "lost",
                Err(err) => {
                    tracing::error!(job_id = %job.id, error = format!("{err:#}"), "storing the result failed");
                    let error = JobError {
                        code: ErrorCode::InternalError,
                        message: "Storing the rendered video failed".into(),
                    };
                    end_failed(&state, &job, &lease, &error).await
                }
            }
        }
        Outcome::Failed(error) => end_failed(&state, &job, &lease, &error).await,
        Outcome::Stopped if state.shutdown.is_cancelled() => {
            match state
                .store
                .end_job_claim(&job.id, &lease, Ending::Requeued)
                .await
            {
                Ok(true) => "requeued",
                Ok(false) => "lost",
                Err(err) => {
                    tracing::warn!(job_id = %job.id, error = %err, "requeueing failed");
                    "lost"
                }
            }
        }
        Outcome::Stopped => "stopped",
    };

    heartbeat.abort();
    linker.abort();
    generation.unregister_running(&job.id);
    generation.job_event();
    if let Err(err) = tokio::fs::remove_dir_all(&job_dir).await
        && err.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(job_id = %job.id, error = %err, "removing the job directory failed");
    }
    tracing::info!(
        job_id = %job.id,
        outcome = status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "job finished"
    );
}

async fn end_failed(state: &AppState, job: &JobRow, lease: &str, error: &JobError) -> &'static str {
    match finish::fail(state, job, lease, error).await {
        Ok(true) => "failed",
        Ok(false) => "lost",
        Err(err) => {
            tracing::error!(job_id = %job.id, error = format!("{err:#}"), "failing the job failed");
            "lost"
        }
    }
}

/// Extends the lease until the run ends; cancels `token` when the claim is gone.
async fn heartbeat(state: AppState, job_id: String, lease: String, token: CancellationToken) {
    let config = state.generation.config();
    let every = config.heartbeat();
    let lease_ms = config.lease().as_millis() as i64;
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = token.cancelled() => return,
        }
        match state
            .store
            .heartbeat_job(&job_id, &lease, epoch_ms() + lease_ms)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(%job_id, "job cancelled or claim lost; stopping");
                token.cancel();
                return;
            }
            Err(err) => tracing::warn!(%job_id, error = %err, "heartbeat failed"),
        }
    }
}

fn internal(message: &str) -> Outcome {
    Outcome::Failed(JobError {
        code: ErrorCode::InternalError,
        message: message.to_owned(),
    })
}

async fn execute(state: &AppState, job: &JobRow, lease: &str, token: CancellationToken) -> Outcome {
    let generation = &state.generation;
    let mut recorder = Recorder::new(
        state.store.clone(),
        generation.clone(),
        &job.id,
        lease,
        u64::try_from(job.estimated_time).unwrap_or(0),
        u8::try_from(job.progress.clamp(0, 99)).unwrap_or(0),
        token.clone(),
    );
    if job.attempts > 1 {
        recorder
            .log(&format!(
                "Retrying after a worker stopped responding (attempt {} of {})",
                job.attempts, job.max_attempts
            ))
            .await;
    }

    let Ok(settings) = serde_json::from_str::<RenderSettings>(&job.settings) else {
        return internal("The job's render settings are unreadable");
    };
    let input = match &job.template {
        Some(id) => PipelineInput::Template {
            id: id.clone(),
            parameters: job
                .template_params
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or_default(),
        },
        None => PipelineInput::Prompt(job.prompt.clone()),
    };
    let wanted = Backend::ALL
        .iter()
        .copied()
        .find(|b| b.as_str() == job.backend)
        .unwrap_or(Backend::Local);
    let Some(backend) = generation.backend(wanted) else {
        return Outcome::Failed(JobError {
            code: ErrorCode::ServiceUnavailable,
            message: format!(
                "The {} backend is not configured on this worker",
                job.backend
            ),
        });
    };
    let renderer = generation.renderer_status().await;
    if !renderer.available {
        return Outcome::Failed(JobError {
            code: ErrorCode::ServiceUnavailable,
            message: format!(
                "No renderer is available: {}",
                renderer.detail.as_deref().unwrap_or("Manim cannot run")
            ),
        });
    }

    let job_dir = generation.job_dir(&job.id);
    let _ = tokio::fs::remove_dir_all(&job_dir).await;
    if let Err(err) = tokio::fs::create_dir_all(&job_dir).await {
        tracing::error!(job_id = %job.id, error = %err, "cannot create the job directory");
        return internal("The job directory could not be created");
    }
    let pipeline = Pipeline::new(backend, generation.renderer());
    let (tx, rx) = mpsc::channel(256);
    let recording = tokio::spawn(recorder.run(rx));
    let result = pipeline
        .run(&input, &settings, &job_dir, tx, token.clone())
        .await;
    let _ = recording.await;

    match result {
        Ok(output) => Outcome::Done(Box::new(output)),
        Err(GenerateError::Render(RenderError::Cancelled)) => Outcome::Stopped,
        Err(_) if token.is_cancelled() => Outcome::Stopped,
        Err(err) => {
            tracing::info!(job_id = %job.id, code = err.code(), error = %err, "generation failed");
            Outcome::Failed(finish::job_error(&err))
        }
    }
}
