//! Generation jobs outside HTTP: the shared [`Generation`] runtime (renderer,
//! backends, renderer health, running jobs), the [`worker`] loop that claims jobs
//! under a lease and drives the engine's pipeline, the [`recorder`] that turns the
//! pipeline's events into the job's event log, [`finish`] (storing results, the
//! animation row, failures) and [`estimate`] (how long a job should take).
//!
//! Workers run inside `serve` (see [`spawn_workers`]) and in `animaforge-server
//! worker` processes ([`run_worker_process`]); all coordinate through the database
//! only, so any number of processes can share one queue.

pub mod config;
pub mod estimate;
pub mod finish;
pub mod notify;
pub mod recorder;
pub mod wire;
pub mod worker;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use config::JobsConfig;
pub use worker::{run_worker_process, spawn_workers};

use crate::generate::{
    GeminiBackend, LocalBackend, OpenAiBackend, Renderer, RendererConfig, RendererStatus,
    SandboxMode, SceneBackend,
};

/// How long a renderer probe is trusted when it found the renderer working, and when
/// it did not.
const PROBE_TTL_OK: Duration = Duration::from_secs(60);
const PROBE_TTL_UNAVAILABLE: Duration = Duration::from_secs(5);

/// The generation runtime shared by handlers and workers of one process. Cheap to
/// clone.
#[derive(Debug, Clone)]
pub struct Generation {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: JobsConfig,
    renderer: Arc<Renderer>,
    local: Arc<LocalBackend>,
    gemini: Option<Arc<GeminiBackend>>,
    openai: Option<Arc<OpenAiBackend>>,
    probe: tokio::sync::Mutex<Option<(Instant, RendererStatus)>>,
    running: Mutex<HashMap<String, CancellationToken>>,
    work_dir: PathBuf,
    job_queued: Notify,
    job_event: Notify,
}

impl Generation {
    /// The runtime for `config`; job directories go under `data_dir/work` unless the
    /// configuration names another place.
    pub fn new(config: &JobsConfig, data_dir: &std::path::Path) -> Generation {
        let sandbox = if config.unsandboxed_rendering {
            SandboxMode::Unsandboxed
        } else {
            SandboxMode::Bubblewrap
        };
        let renderer = Renderer::new(
            RendererConfig::new(config.python_path())
                .with_sandbox(sandbox)
                .with_timeout(Duration::from_secs(config.render_timeout_secs.max(1))),
        );
        let work_dir = config
            .work_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("work"));
        Generation {
            inner: Arc::new(Inner {
                config: config.clone(),
                renderer: Arc::new(renderer),
                local: Arc::new(LocalBackend::new()),
                gemini: config.gemini().map(Arc::new),
                openai: config.openai().map(Arc::new),
                probe: tokio::sync::Mutex::new(None),
                running: Mutex::new(HashMap::new()),
                work_dir,
                job_queued: Notify::new(),
                job_event: Notify::new(),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &JobsConfig {
        &self.inner.config
    }

    /// The renderer.
    pub fn renderer(&self) -> Arc<Renderer> {
        self.inner.renderer.clone()
    }

    /// Where job directories are made.
    pub fn work_dir(&self) -> &std::path::Path {
        &self.inner.work_dir
    }

    /// The directory of one job.
    pub fn job_dir(&self, job_id: &str) -> PathBuf {
        self.inner.work_dir.join(job_id)
    }

    /// The backend with this wire name, when it is available on this server.
    pub fn backend(&self, name: animaforge_api::Backend) -> Option<Arc<dyn SceneBackend>> {
        match name {
            animaforge_api::Backend::Local => Some(self.inner.local.clone()),
            animaforge_api::Backend::Gemini => self
                .inner
                .gemini
                .clone()
                .map(|b| b as Arc<dyn SceneBackend>),
            animaforge_api::Backend::Openai => self
                .inner
                .openai
                .clone()
                .map(|b| b as Arc<dyn SceneBackend>),
        }
    }

    /// Wire names of the available backends.
    pub fn available_backends(&self) -> Vec<&'static str> {
        animaforge_api::Backend::ALL
            .iter()
            .filter(|b| self.backend(**b).is_some())
            .map(|b| b.as_str())
            .collect()
    }

    /// The renderer's state, probed at most every minute (every few seconds while it
    /// is unavailable).
    pub async fn renderer_status(&self) -> RendererStatus {
        let mut cached = self.inner.probe.lock().await;
        if let Some((at, status)) = cached.as_ref() {
            let ttl = if status.available {
                PROBE_TTL_OK
            } else {
                PROBE_TTL_UNAVAILABLE
            };
            if at.elapsed() < ttl {
                return status.clone();
            }
        }
        let status = self.inner.renderer.probe().await;
        if !status.available {
            tracing::warn!(
                detail = status.detail.as_deref().unwrap_or_default(),
                "renderer unavailable"
            );
        }
        *cached = Some((Instant::now(), status.clone()));
        status
    }

    /// Registers a job this process runs, returning the token that stops it.
    pub(crate) fn register_running(&self, job_id: &str) -> CancellationToken {
        let token = CancellationToken::new();
        self.running().insert(job_id.to_owned(), token.clone());
        token
    }

    /// Forgets a job this process ran.
    pub(crate) fn unregister_running(&self, job_id: &str) {
        self.running().remove(job_id);
    }

    /// Whether this process is running the job.
    pub fn is_running(&self, job_id: &str) -> bool {
        self.running().contains_key(job_id)
    }

    /// Stops the job if this process runs it (other processes notice at their next
    /// heartbeat).
    pub fn cancel_running(&self, job_id: &str) {
        if let Some(token) = self.running().get(job_id) {
            token.cancel();
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.inner
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wakes this process's idle workers (a job was queued).
    pub fn job_queued(&self) {
        self.inner.job_queued.notify_waiters();
    }

    /// Completes when a job is queued in this process (or never; callers also poll).
    pub async fn wait_job_queued(&self) {
        self.inner.job_queued.notified().await;
    }

    /// Wakes this process's event streams (an event was recorded).
    pub fn job_event(&self) {
        self.inner.job_event.notify_waiters();
    }

    /// Signalled when an event is recorded in this process (callers also poll, for
    /// events of other processes).
    pub fn job_event_signal(&self) -> &Notify {
        &self.inner.job_event
    }
}
