//! Settings of generation: the renderer, the model backends and the workers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::generate::{GeminiBackend, LlmConfig, OpenAiBackend};

/// Renderer, backend and worker settings; part of the server's `Config`. Keys are
/// redacted from `Debug`.
#[derive(Clone, Args)]
pub struct JobsConfig {
    /// Python interpreter of the environment with Manim; default: the first
    /// `.venv/bin/python` in the working directory or above it.
    #[arg(long, env = "ANIMAFORGE_PYTHON", global = true)]
    pub python: Option<PathBuf>,

    /// Render without the bubblewrap sandbox (only resource limits apply). Only for
    /// trusted scenes on hosts without user namespaces.
    #[arg(long, env = "ANIMAFORGE_UNSANDBOXED_RENDERING", global = true)]
    pub unsandboxed_rendering: bool,

    /// Wall-clock limit of one render, in seconds.
    #[arg(
        long,
        env = "ANIMAFORGE_RENDER_TIMEOUT",
        default_value_t = 300,
        global = true
    )]
    pub render_timeout_secs: u64,

    /// Jobs rendered at once by this process (`serve` and `worker`); default the
    /// number of cores. `0` in `serve` leaves rendering to `worker` processes.
    #[arg(long, env = "ANIMAFORGE_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// How often an idle worker looks for queued jobs, in milliseconds.
    #[arg(
        long,
        env = "ANIMAFORGE_JOB_POLL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub job_poll_ms: u64,

    /// How long a claim stays valid without a heartbeat, in seconds. A worker that
    /// dies leaves its job to others once this passes.
    #[arg(
        long,
        env = "ANIMAFORGE_JOB_LEASE_SECS",
        default_value_t = 30,
        global = true
    )]
    pub job_lease_secs: u64,

    /// How often a worker extends its lease and checks for cancellation, in
    /// milliseconds (must be well under the lease).
    #[arg(
        long,
        env = "ANIMAFORGE_JOB_HEARTBEAT_MS",
        default_value_t = 2000,
        global = true
    )]
    pub job_heartbeat_ms: u64,

    /// Claims of one job before it is failed when its workers keep vanishing.
    #[arg(
        long,
        env = "ANIMAFORGE_JOB_MAX_ATTEMPTS",
        default_value_t = 3,
        global = true
    )]
    pub job_max_attempts: u32,

    /// Where job directories are made; default `<data-dir>/work`.
    #[arg(long, env = "ANIMAFORGE_WORK_DIR", global = true)]
    pub work_dir: Option<PathBuf>,

    /// How often an event stream looks for new events, in milliseconds.
    #[arg(
        long,
        env = "ANIMAFORGE_EVENTS_POLL_MS",
        default_value_t = 250,
        global = true
    )]
    pub events_poll_ms: u64,

    /// Gemini API key; the `gemini` backend is available only with one.
    #[arg(long, env = "GEMINI_API_KEY", global = true, hide_env_values = true)]
    pub gemini_api_key: Option<String>,

    /// Gemini model.
    #[arg(long, env = "GEMINI_MODEL", global = true)]
    pub gemini_model: Option<String>,

    /// Gemini API base URL.
    #[arg(long, env = "GEMINI_BASE_URL", global = true)]
    pub gemini_base_url: Option<String>,

    /// OpenAI-compatible API key; with it or a base URL the `openai` backend is
    /// available.
    #[arg(long, env = "OPENAI_API_KEY", global = true, hide_env_values = true)]
    pub openai_api_key: Option<String>,

    /// OpenAI-compatible model.
    #[arg(long, env = "OPENAI_MODEL", global = true)]
    pub openai_model: Option<String>,

    /// OpenAI-compatible base URL (for example a local model server's `/v1`).
    #[arg(long, env = "OPENAI_BASE_URL", global = true)]
    pub openai_base_url: Option<String>,
}

impl std::fmt::Debug for JobsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |s: &Option<String>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("JobsConfig")
            .field("python", &self.python)
            .field("unsandboxed_rendering", &self.unsandboxed_rendering)
            .field("render_timeout_secs", &self.render_timeout_secs)
            .field("workers", &self.workers)
            .field("job_poll_ms", &self.job_poll_ms)
            .field("job_lease_secs", &self.job_lease_secs)
            .field("job_heartbeat_ms", &self.job_heartbeat_ms)
            .field("job_max_attempts", &self.job_max_attempts)
            .field("work_dir", &self.work_dir)
            .field("gemini_api_key", &redacted(&self.gemini_api_key))
            .field("gemini_model", &self.gemini_model)
            .field("gemini_base_url", &self.gemini_base_url)
            .field("openai_api_key", &redacted(&self.openai_api_key))
            .field("openai_model", &self.openai_model)
            .field("openai_base_url", &self.openai_base_url)
            .finish()
    }
}

impl JobsConfig {
    /// The interpreter renders use.
    pub fn python_path(&self) -> PathBuf {
        if let Some(path) = &self.python {
            return path.clone();
        }
        let venv = Path::new(".venv/bin/python");
        if let Ok(cwd) = std::env::current_dir() {
            for dir in cwd.ancestors() {
                if dir.join(venv).exists() {
                    return dir.join(venv);
                }
            }
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(venv)
    }

    /// Workers per process.
    pub fn worker_count(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1)
        })
    }

    /// The lease length.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.job_lease_secs.max(1))
    }

    /// The heartbeat interval (at most a third of the lease).
    pub fn heartbeat(&self) -> Duration {
        let ms = self.job_heartbeat_ms.max(50);
        Duration::from_millis(ms).min(self.lease() / 3)
    }

    /// The idle poll interval.
    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.job_poll_ms.max(10))
    }

    /// The event stream poll interval.
    pub fn events_poll(&self) -> Duration {
        Duration::from_millis(self.events_poll_ms.max(10))
    }

    /// The Gemini backend, when a key is configured.
    pub fn gemini(&self) -> Option<GeminiBackend> {
        let key = self
            .gemini_api_key
            .clone()
            .filter(|k| !k.trim().is_empty())?;
        Some(GeminiBackend::new(LlmConfig::new(
            self.gemini_base_url
                .clone()
                .unwrap_or_else(|| GeminiBackend::DEFAULT_BASE_URL.into()),
            Some(key),
            self.gemini_model
                .clone()
                .unwrap_or_else(|| GeminiBackend::DEFAULT_MODEL.into()),
        )))
    }

    /// The OpenAI-compatible backend, when a key or a base URL is configured.
    pub fn openai(&self) -> Option<OpenAiBackend> {
        let key = self.openai_api_key.clone().filter(|k| !k.trim().is_empty());
        let base = self
            .openai_base_url
            .clone()
            .filter(|u| !u.trim().is_empty());
        if key.is_none() && base.is_none() {
            return None;
        }
        Some(OpenAiBackend::new(LlmConfig::new(
            base.unwrap_or_else(|| OpenAiBackend::DEFAULT_BASE_URL.into()),
            key,
            self.openai_model
                .clone()
                .unwrap_or_else(|| OpenAiBackend::DEFAULT_MODEL.into()),
        )))
    }
}
