//! Running Manim on a scene: sandboxed subprocess, progress, output collection.
//!
//! This module owns the [`Renderer`] and the order of a render: write the scene and
//! its configuration, run Manim, collect the output. The parts live in submodules:
//! [`config`] (how renders run), [`probe`] (the health check), [`process`] (running,
//! stopping and judging the Manim process), [`streams`] (reading its output),
//! [`events`] (progress and log events) and [`output`] (moving, checking and
//! measuring the video and its thumbnail).

mod config;
mod events;
mod output;
mod probe;
mod process;
mod streams;

use std::path::{Path, PathBuf};

use tokio::sync::{OnceCell, mpsc};
use tokio_util::sync::CancellationToken;

use super::backend::SceneSource;
use super::sandbox::{PidsCgroup, PythonRoots, SandboxMode, SandboxSpec};
use super::settings::RenderSettings;
use super::{RenderError, SCENE_FILE};
use events::Reporter;

pub use config::RendererConfig;
pub use events::RenderEvent;
pub use output::RenderOutput;
pub use probe::RendererStatus;

/// Renders scenes with Manim in a sandbox. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Renderer {
    config: RendererConfig,
    /// The interpreter path with `..` and directory symlinks resolved (the file
    /// itself stays a symlink, which is how a virtual environment is recognised).
    python: PathBuf,
    roots: OnceCell<Result<PythonRoots, String>>,
}

/// Paths inside the job directory.
const CONFIG_FILE: &str = "manim.cfg";
const OUTPUT_NAME: &str = "render";
const MANIM_VIDEO: &str = "media/out/render.mp4";
/// The final video's name inside the job directory.
pub const VIDEO_FILE: &str = "animation.mp4";
/// The thumbnail's name inside the job directory.
pub const THUMBNAIL_FILE: &str = "thumbnail.jpg";

impl Renderer {
    /// A renderer with `config`. Nothing is checked until [`Renderer::probe`] or
    /// the first render.
    pub fn new(config: RendererConfig) -> Self {
        if config.sandbox == SandboxMode::Unsandboxed {
            tracing::warn!(
                "UNSANDBOXED RENDERING ENABLED: scene code runs with the server's privileges \
                 (only resource limits apply); use only for trusted scenes"
            );
        }
        let python = resolve_parent(&config.python);
        Self {
            config,
            python,
            roots: OnceCell::new(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &RendererConfig {
        &self.config
    }

    /// The interpreter renders use, with its directory resolved.
    pub fn python(&self) -> &Path {
        &self.python
    }

    async fn python_roots(&self) -> Result<&PythonRoots, RenderError> {
        self.roots
            .get_or_init(|| PythonRoots::discover(&self.python))
            .await
            .as_ref()
            .map_err(|err| RenderError::RendererUnavailable(err.clone()))
    }

    fn spec<'a>(
        &'a self,
        job_dir: &'a Path,
        roots: &'a PythonRoots,
        settings: &RenderSettings,
        cgroup: Option<&PidsCgroup>,
    ) -> SandboxSpec<'a> {
        SandboxSpec {
            mode: self.config.sandbox,
            bwrap: &self.config.bwrap,
            prlimit: &self.config.prlimit,
            job_dir,
            python_roots: &roots.roots,
            limits: &self.config.limits,
            address_space: self
                .config
                .limits
                .address_space_bytes
                .unwrap_or_else(|| settings.memory_budget_bytes()),
            cgroup_procs: cgroup.map(PidsCgroup::procs_file),
        }
    }

    /// Renders `source` into `job_dir` (created if missing; it should be empty and
    /// dedicated to this job: it is the only place the scene can write).
    ///
    /// Progress and log events go to `events`; a closed receiver is ignored.
    /// Cancelling `cancel` kills the whole process tree and returns
    /// [`RenderError::Cancelled`].
    pub async fn render(
        &self,
        job_dir: &Path,
        source: &SceneSource,
        settings: &RenderSettings,
        events: mpsc::Sender<RenderEvent>,
        cancel: CancellationToken,
    ) -> Result<RenderOutput, RenderError> {
        let mut reporter = Reporter::new(events);
        if cancel.is_cancelled() {
            return Err(RenderError::Cancelled);
        }
        if !is_identifier(&source.scene_name) {
            return Err(RenderError::SceneError {
                stderr_tail: format!("invalid scene name '{}'", source.scene_name),
            });
        }
        if self.config.sandbox == SandboxMode::Unsandboxed {
            tracing::warn!(job_dir = %job_dir.display(), "rendering WITHOUT a sandbox");
        }
        let roots = self.python_roots().await?;

        tokio::fs::create_dir_all(job_dir).await?;
        let job_dir = tokio::fs::canonicalize(job_dir).await?;
        tokio::fs::write(job_dir.join(SCENE_FILE), &source.code).await?;
        tokio::fs::write(job_dir.join(CONFIG_FILE), manim_config(settings)).await?;

        let cgroup = match self.config.sandbox {
            SandboxMode::Bubblewrap => PidsCgroup::create(
                &format!("animaforge-render-{}", uuid::Uuid::new_v4()),
                self.config.limits.processes,
            ),
            SandboxMode::Unsandboxed => None,
        };
        let spec = self.spec(&job_dir, roots, settings, cgroup.as_ref());
        let started = std::time::Instant::now();
        reporter
            .log(format!(
                "Rendering with Manim ({}, {}x{} at {} fps)",
                settings.quality, settings.width, settings.height, settings.fps
            ))
            .await;
        let result = async {
            self.run_manim(
                &spec,
                source,
                settings,
                &mut reporter,
                &cancel,
                cgroup.as_ref(),
            )
            .await?;
            tracing::info!(
                job_dir = %job_dir.display(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "manim finished"
            );
            self.collect(&spec, &job_dir, settings, &mut reporter).await
        }
        .await;
        if let Some(cgroup) = cgroup {
            cgroup.remove().await;
        }
        let output = result?;
        reporter.progress(1.0).await;
        Ok(output)
    }
}

/// Manim's per-job configuration: background, caching, output folder.
fn manim_config(settings: &RenderSettings) -> String {
    format!(
        "[CLI]\nbackground_color = {}\ndisable_caching = True\nvideo_dir = {{media_dir}}/out\n\
         images_dir = {{media_dir}}/images\nlog_to_file = False\n",
        settings.background
    )
}

fn resolve_parent(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            std::fs::canonicalize(parent)
                .map(|p| p.join(name))
                .unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 100
}
