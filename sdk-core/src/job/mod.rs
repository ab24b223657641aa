//! Generation jobs: the [`Job`] handle, its progress stream and the wait loop.

mod sse;
mod state;
mod watch;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use animaforge_api::{GeneratedAnimation, JobStatus};
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::client::AnimaForge;
use crate::error::{Error, Result};
use state::JobState;
use watch::{WatchConfig, watch};

/// A change in a job, from its event stream or from polling. Each change is reported
/// once; progress never goes backwards.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobUpdate {
    /// Progress moved forward.
    Progress {
        /// 0 to 100.
        progress: u8,
        /// Seconds left by the server's estimate.
        estimated_remaining: Option<u64>,
    },
    /// A log line.
    Log {
        /// The line.
        message: String,
    },
    /// The status changed; the last update of a job has a terminal status.
    Status {
        /// The new status.
        status: JobStatus,
        /// Progress at that moment.
        progress: u8,
    },
}

/// What [`Job::wait_with`] does when its timeout passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnTimeout {
    /// Leave the job running; it can be attached again later by its id.
    #[default]
    Detach,
    /// Cancel the job on the server.
    Cancel,
}

/// A callback for each [`JobUpdate`] while waiting.
pub type UpdateCallback = Arc<dyn Fn(&JobUpdate) + Send + Sync>;

/// Options of [`Job::wait_with`].
#[derive(Clone)]
pub struct WaitOptions {
    /// How long to wait in all; `None` waits as long as the job runs. Default 10 minutes.
    pub timeout: Option<Duration>,
    /// What to do with the job when the timeout passes. Default [`OnTimeout::Detach`].
    pub on_timeout: OnTimeout,
    /// The longest pause between polls when the event stream is unavailable. Default 5 s.
    pub poll_interval_cap: Duration,
    /// Follow the event stream (default); `false` polls only.
    pub use_events: bool,
    /// Stops waiting (with [`Error::Cancelled`]) when cancelled; the job keeps running.
    pub cancel: Option<CancellationToken>,
    /// Called with each update while waiting.
    pub on_update: Option<UpdateCallback>,
}

impl Default for WaitOptions {
    fn default() -> WaitOptions {
        WaitOptions {
            timeout: Some(Duration::from_secs(600)),
            on_timeout: OnTimeout::Detach,
            poll_interval_cap: Duration::from_secs(5),
            use_events: true,
            cancel: None,
            on_update: None,
        }
    }
}

impl std::fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitOptions")
            .field("timeout", &self.timeout)
            .field("on_timeout", &self.on_timeout)
            .field("poll_interval_cap", &self.poll_interval_cap)
            .field("use_events", &self.use_events)
            .field("cancel", &self.cancel.is_some())
            .field("on_update", &self.on_update.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// Sets the timeout.
    pub fn timeout(mut self, timeout: Option<Duration>) -> WaitOptions {
        self.timeout = timeout;
        self
    }

    /// Sets what happens on timeout.
    pub fn on_timeout(mut self, on_timeout: OnTimeout) -> WaitOptions {
        self.on_timeout = on_timeout;
        self
    }

    /// Sets the longest pause between polls.
    pub fn poll_interval_cap(mut self, cap: Duration) -> WaitOptions {
        self.poll_interval_cap = cap;
        self
    }

    /// Follows the event stream (`true`) or polls only (`false`).
    pub fn use_events(mut self, use_events: bool) -> WaitOptions {
        self.use_events = use_events;
        self
    }

    /// Sets the cancellation token.
    pub fn cancel_on(mut self, token: CancellationToken) -> WaitOptions {
        self.cancel = Some(token);
        self
    }

    /// Sets the update callback.
    pub fn on_update(mut self, f: impl Fn(&JobUpdate) + Send + Sync + 'static) -> WaitOptions {
        self.on_update = Some(Arc::new(f));
        self
    }
}

/// A generation job. Cheap to clone; clones share what is known about the job.
/// Re-attach to a job from its id with [`crate::Jobs::attach`].
#[derive(Clone)]
pub struct Job {
    pub(crate) client: AnimaForge,
    id: Arc<str>,
    state: Arc<Mutex<JobState>>,
    accepted: Option<Arc<animaforge_api::GenerateAccepted>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.id)
            .field("status", &self.status())
            .finish()
    }
}

impl Job {
    pub(crate) fn new(client: &AnimaForge, id: &str, status: JobStatus) -> Job {
        Job {
            client: client.clone(),
            id: id.into(),
            state: Arc::new(Mutex::new(JobState::new(status))),
            accepted: None,
        }
    }

    /// The job that `generate` answered with.
    pub(crate) fn from_accepted(
        client: &AnimaForge,
        accepted: animaforge_api::GenerateAccepted,
    ) -> Job {
        let mut job = Job::new(client, &accepted.job_id, accepted.status);
        job.accepted = Some(Arc::new(accepted));
        job
    }

    /// What `generate` answered (estimated time, status and events URLs, callback),
    /// for a job this client submitted; `None` for one attached by id.
    pub fn accepted(&self) -> Option<&animaforge_api::GenerateAccepted> {
        self.accepted.as_deref()
    }

    /// `job_...`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The last status seen (no request).
    pub fn status(&self) -> JobStatus {
        self.lock().status
    }

    /// The last progress seen, 0 to 100 (no request).
    pub fn last_progress(&self) -> u8 {
        self.lock().progress
    }

    /// The log lines seen so far, oldest first (at most the last 200).
    pub fn last_logs(&self) -> Vec<String> {
        self.lock().logs.iter().cloned().collect()
    }

    fn last_sequence(&self) -> Option<u64> {
        self.lock().last_sequence
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, JobState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn apply<R>(&self, f: impl FnOnce(&mut JobState) -> R) -> R {
        f(&mut self.lock())
    }

    /// Fetches the job's current state (`GET /animations/jobs/{id}`).
    pub async fn refresh(&self) -> Result<animaforge_api::Job> {
        let job = self.client.jobs().get(self.id()).await?;
        self.apply(|state| state.apply_snapshot(&job));
        Ok(job)
    }

    /// Cancels the job (`POST /animations/jobs/{id}/cancel`).
    pub async fn cancel(&self) -> Result<animaforge_api::Job> {
        let job = self.client.jobs().cancel(self.id()).await?;
        self.apply(|state| state.apply_snapshot(&job));
        Ok(job)
    }

    /// The job's progress, log and status updates until it ends, from its event stream
    /// (resumed with `Last-Event-ID` when the connection drops) or, where the stream is
    /// unavailable, from polling. Drop the stream to stop following.
    pub fn progress(&self) -> BoxStream<'static, Result<JobUpdate>> {
        self.updates(&WaitOptions::default().timeout(None))
    }

    /// [`Job::progress`] with the options' timeout, cancellation and polling cap.
    pub fn updates(&self, options: &WaitOptions) -> BoxStream<'static, Result<JobUpdate>> {
        watch(
            self.clone(),
            WatchConfig {
                deadline: options.timeout.map(|t| Instant::now() + t),
                cancel: options.cancel.clone(),
                poll_interval_cap: options.poll_interval_cap,
                use_events: options.use_events,
            },
        )
    }

    /// Waits for the job with [`WaitOptions::default`]: up to 10 minutes, then detach.
    pub async fn wait(&self) -> Result<GeneratedAnimation> {
        self.wait_with(WaitOptions::default()).await
    }

    /// Waits until the job ends and returns the animation it made.
    ///
    /// A `failed` or `cancelled` job is [`Error::JobFailed`] with its last logs. When the
    /// timeout passes the job is cancelled or left running as `on_timeout` says, and the
    /// result is [`Error::JobTimeout`]. This is the only wait loop of the client; the
    /// language bindings use it too.
    pub async fn wait_with(&self, options: WaitOptions) -> Result<GeneratedAnimation> {
        let deadline = options.timeout.map(|t| Instant::now() + t);
        let config = WatchConfig {
            deadline,
            cancel: options.cancel.clone(),
            poll_interval_cap: options.poll_interval_cap,
            use_events: options.use_events,
        };
        for _ in 0..3 {
            let mut updates = watch(self.clone(), config.clone());
            while let Some(update) = updates.next().await {
                match update {
                    Ok(update) => {
                        if let Some(callback) = &options.on_update {
                            callback(&update);
                        }
                    }
                    Err(e) => {
                        let passed = deadline.is_some_and(|d| Instant::now() >= d);
                        if passed && matches!(e, Error::Timeout { .. }) {
                            return Err(self.timed_out(options.on_timeout).await);
                        }
                        return Err(e);
                    }
                }
            }
            drop(updates);

            let mut spec = crate::transport::RequestSpec::get(&["animations", "jobs", self.id()]);
            spec.cancel = options.cancel.clone();
            let job = self
                .client
                .execute_json::<animaforge_api::Job>(spec)
                .await?
                .data;
            self.apply(|state| state.apply_snapshot(&job));
            match job.status {
                JobStatus::Completed => {
                    // A completed job without its animation: the animation was deleted
                    // since (what a GET of it would answer is 404).
                    return job.animation.ok_or_else(|| {
                        Error::NotFound(Box::new(crate::error::ErrorInfo {
                            status: 404,
                            code: "NOT_FOUND".into(),
                            message: format!(
                                "Job {} completed, but its animation has since been deleted",
                                job.job_id
                            ),
                            details: None,
                            request_id: None,
                        }))
                    });
                }
                JobStatus::Failed | JobStatus::Cancelled => {
                    return Err(Error::JobFailed {
                        job_id: job.job_id,
                        status: job.status,
                        last_logs: job.logs,
                        error: job.error,
                    });
                }
                JobStatus::Queued | JobStatus::Processing => {
                    // The stream said the job ended but the status read lags behind.
                    let mut state = self.lock();
                    state.status = job.status;
                }
            }
        }
        Err(Error::decode(
            "the job's status keeps disagreeing with its event stream",
            None,
            None,
        ))
    }

    async fn timed_out(&self, on_timeout: OnTimeout) -> Error {
        let cancelled = match on_timeout {
            OnTimeout::Detach => false,
            OnTimeout::Cancel => match self
                .client
                .jobs()
                .cancel(self.id())
                .timeout(Duration::from_secs(15))
                .await
            {
                Ok(_) => true,
                Err(e) => {
                    tracing::warn!(
                        job_id = self.id(),
                        code = e.code(),
                        "could not cancel the job after the wait timed out"
                    );
                    false
                }
            },
        };
        Error::JobTimeout {
            job_id: self.id().to_owned(),
            last_status: self.status(),
            cancelled,
        }
    }
}
