//! Running Manim on a scene: sandboxed subprocess, progress, output collection.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;
use tokio::sync::{OnceCell, mpsc};
use tokio_util::sync::CancellationToken;

use super::backend::SceneSource;
use super::media::{VideoMetadata, extract_thumbnail, probe_video};
use super::progress::{FrameCounter, is_combining, split_segments};
use super::redact::redact_log;
use super::sandbox::{
    PidsCgroup, PythonRoots, ResourceLimits, SandboxMode, SandboxSpec, SandboxStatus, kill_group,
};
use super::settings::RenderSettings;
use super::{RenderError, SCENE_FILE};

/// Something that happened during a render, for job progress and logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RenderEvent {
    /// Overall completion from 0 to 1; never decreases within one render.
    Progress {
        /// Fraction done.
        fraction: f64,
    },
    /// A human-readable step, e.g. `Rendering frame 390/600` or `Encoding video`.
    Log(String),
}

/// A finished render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderOutput {
    /// The MP4, inside the job directory.
    pub video: PathBuf,
    /// A JPEG frame of the video, inside the job directory.
    pub thumbnail: PathBuf,
    /// Facts measured from the video file.
    pub metadata: VideoMetadata,
}

/// Health of the renderer, for the health endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RendererStatus {
    /// Whether renders can run (Manim importable and the sandbox usable or disabled).
    pub available: bool,
    /// Installed Manim version, when found.
    pub manim_version: Option<String>,
    /// State of the sandbox.
    pub sandbox: SandboxStatus,
    /// Why the renderer is unavailable, when it is.
    pub detail: Option<String>,
}

/// How renders run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RendererConfig {
    /// Interpreter of the Python environment that has Manim installed.
    pub python: PathBuf,
    /// Isolation mode; [`SandboxMode::Bubblewrap`] unless an operator opts out.
    pub sandbox: SandboxMode,
    /// Wall-clock limit for the Manim process.
    pub timeout: Duration,
    /// CPU, memory, file-size and process limits.
    pub limits: ResourceLimits,
    /// Random seed passed to Manim, for reproducible renders.
    pub seed: Option<u64>,
    /// Path of `bwrap`.
    pub bwrap: PathBuf,
    /// Path of `prlimit` (util-linux).
    pub prlimit: PathBuf,
    /// Path of `ffmpeg`.
    pub ffmpeg: PathBuf,
    /// Path of `ffprobe`.
    pub ffprobe: PathBuf,
}

impl RendererConfig {
    /// Defaults for the interpreter at `python`: bubblewrap, 5 minute timeout.
    pub fn new(python: impl Into<PathBuf>) -> Self {
        Self {
            python: python.into(),
            sandbox: SandboxMode::Bubblewrap,
            timeout: Duration::from_secs(300),
            limits: ResourceLimits::default(),
            seed: Some(0),
            bwrap: PathBuf::from("/usr/bin/bwrap"),
            prlimit: PathBuf::from("/usr/bin/prlimit"),
            ffmpeg: PathBuf::from("/usr/bin/ffmpeg"),
            ffprobe: PathBuf::from("/usr/bin/ffprobe"),
        }
    }

    /// Sets the wall-clock limit.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the sandbox mode.
    pub fn with_sandbox(mut self, sandbox: SandboxMode) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// Sets the resource limits.
    pub fn with_limits(mut self, limits: ResourceLimits) -> Self {
        self.limits = limits;
        self
    }
}

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

enum Ending {
    Exited(ExitStatus),
    Cancelled,
    TimedOut,
    ProcessLimit,
}

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

    /// Checks that Manim is installed and the sandbox starts, by asking the
    /// interpreter for Manim's version inside the sandbox (well under a second).
    pub async fn probe(&self) -> RendererStatus {
        let unavailable = |detail: String, sandbox| RendererStatus {
            available: false,
            manim_version: None,
            sandbox,
            detail: Some(detail),
        };
        let roots = match self.python_roots().await {
            Ok(roots) => roots,
            Err(err) => {
                return unavailable(
                    err.to_string(),
                    SandboxStatus::Unavailable("no Python environment".into()),
                );
            }
        };
        let dir = match tempfile::Builder::new()
            .prefix("animaforge-probe-")
            .tempdir()
        {
            Ok(dir) => dir,
            Err(err) => {
                return unavailable(
                    format!("no temporary directory: {err}"),
                    SandboxStatus::Unavailable(err.to_string()),
                );
            }
        };
        let settings = RenderSettings::default();
        let spec = self.spec(dir.path(), roots, &settings, None);
        let args: Vec<OsString> = vec![
            "-I".into(),
            "-c".into(),
            "import importlib.metadata as m; print(m.version('manim'))".into(),
        ];
        let result = tokio::time::timeout(
            Duration::from_secs(30),
            spec.command(&self.python, &args).output(),
        )
        .await;
        let sandbox_ok = || match self.config.sandbox {
            SandboxMode::Bubblewrap => SandboxStatus::Ok,
            SandboxMode::Unsandboxed => SandboxStatus::Disabled,
        };
        match result {
            Ok(Ok(output)) if output.status.success() => RendererStatus {
                available: true,
                manim_version: Some(String::from_utf8_lossy(&output.stdout).trim().to_string()),
                sandbox: sandbox_ok(),
                detail: None,
            },
            Ok(Ok(output)) => {
                let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
                if stderr.contains("bwrap") {
                    unavailable(
                        format!("sandbox cannot start: {stderr}"),
                        SandboxStatus::Unavailable(stderr),
                    )
                } else {
                    let last = stderr.lines().last().unwrap_or_default().to_string();
                    unavailable(format!("manim is not importable: {last}"), sandbox_ok())
                }
            }
            Ok(Err(err)) => {
                let what = match self.config.sandbox {
                    SandboxMode::Bubblewrap => self.config.bwrap.display().to_string(),
                    SandboxMode::Unsandboxed => self.config.prlimit.display().to_string(),
                };
                unavailable(
                    format!("cannot run {what}: {err}"),
                    SandboxStatus::Unavailable(err.to_string()),
                )
            }
            Err(_) => unavailable(
                "probe timed out".into(),
                SandboxStatus::Unavailable("timed out".into()),
            ),
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

    async fn run_manim(
        &self,
        spec: &SandboxSpec<'_>,
        source: &SceneSource,
        settings: &RenderSettings,
        reporter: &mut Reporter,
        cancel: &CancellationToken,
        cgroup: Option<&PidsCgroup>,
    ) -> Result<(), RenderError> {
        let mut args: Vec<OsString> = vec![
            "-I".into(),
            "-m".into(),
            "manim".into(),
            "render".into(),
            settings.quality.manim_flag().into(),
            "-r".into(),
            format!("{},{}", settings.width, settings.height).into(),
            "--fps".into(),
            settings.fps.to_string().into(),
            "--media_dir".into(),
            "media".into(),
            "-o".into(),
            OUTPUT_NAME.into(),
            "--disable_caching".into(),
            "--progress_bar".into(),
            "display".into(),
        ];
        if let Some(seed) = self.config.seed {
            args.extend(["--seed".into(), seed.to_string().into()]);
        }
        args.extend([SCENE_FILE.into(), source.scene_name.clone().into()]);

        let mut child =
            spec.command(&self.python, &args)
                .spawn()
                .map_err(|err| match spec.mode {
                    SandboxMode::Bubblewrap => RenderError::SandboxUnavailable(format!(
                        "cannot start {}: {err}",
                        spec.bwrap.display()
                    )),
                    SandboxMode::Unsandboxed => RenderError::RendererUnavailable(err.to_string()),
                })?;
        let pgid = child.id().unwrap_or_default();
        let (tx, mut rx) = mpsc::channel::<(bool, Vec<u8>)>(64);
        let mut readers = Vec::new();
        if let Some(mut out) = child.stdout.take() {
            let tx = tx.clone();
            readers.push(tokio::spawn(async move { pump(&mut out, true, tx).await }));
        }
        if let Some(mut err) = child.stderr.take() {
            let tx = tx.clone();
            readers.push(tokio::spawn(async move { pump(&mut err, false, tx).await }));
        }
        drop(tx);

        let mut streams = Streams {
            counter: FrameCounter::new(settings.expected_frames()),
            stdout: Vec::new(),
            stderr: Vec::new(),
            tail: Tail::new(16 * 1024),
        };
        let deadline = tokio::time::sleep(self.config.timeout);
        tokio::pin!(deadline);
        let mut streams_open = true;
        // A scene never needs hundreds of tasks: a full pids cgroup means a fork
        // bomb, which is stopped at once rather than left running to the timeout.
        let mut watch = tokio::time::interval(Duration::from_millis(250));

        let ending = loop {
            tokio::select! {
                chunk = rx.recv(), if streams_open => match chunk {
                    Some((is_stdout, bytes)) => streams.feed(is_stdout, &bytes, reporter).await,
                    None => streams_open = false,
                },
                status = child.wait() => break Ending::Exited(status?),
                () = cancel.cancelled() => break Ending::Cancelled,
                () = &mut deadline => break Ending::TimedOut,
                _ = watch.tick(), if cgroup.is_some() => {
                    if cgroup.is_some_and(PidsCgroup::hit_limit) {
                        break Ending::ProcessLimit;
                    }
                }
            }
        };

        // Whatever happened, nothing of the render may outlive this call.
        kill_group(pgid);
        let _ = child.kill().await;
        if let Some(cgroup) = cgroup {
            for _ in 0..100 {
                if cgroup.tasks() == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        // The pipes close once every process is gone; read what is left (the
        // traceback, the final log lines), but never wait long.
        let drain = async {
            while let Some((is_stdout, bytes)) = rx.recv().await {
                streams.feed(is_stdout, &bytes, reporter).await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
        for reader in readers {
            reader.abort();
        }
        streams.stderr.push(b'\n');
        for segment in split_segments(&mut streams.stderr) {
            streams.tail.push(&segment);
        }

        match ending {
            Ending::Cancelled => Err(RenderError::Cancelled),
            Ending::TimedOut => Err(RenderError::Timeout(self.config.timeout.as_secs())),
            Ending::ProcessLimit => Err(RenderError::ResourceLimit(format!(
                "process limit ({} tasks) reached",
                self.config.limits.processes
            ))),
            Ending::Exited(status) if status.success() => Ok(()),
            Ending::Exited(status) => Err(self.classify_failure(
                status,
                &streams.tail.text(),
                spec,
                cgroup.is_some_and(PidsCgroup::hit_limit),
            )),
        }
    }

    fn classify_failure(
        &self,
        status: ExitStatus,
        stderr: &str,
        spec: &SandboxSpec<'_>,
        pids_exhausted: bool,
    ) -> RenderError {
        let signal = status
            .signal()
            .or_else(|| status.code().filter(|c| *c > 128).map(|c| c - 128));
        let limits = &self.config.limits;
        let tail = redact_log(stderr, spec.job_dir, spec.python_roots);
        if spec.mode == SandboxMode::Bubblewrap && stderr.trim_start().starts_with("bwrap:") {
            return RenderError::SandboxUnavailable(tail);
        }
        if pids_exhausted
            || stderr.contains("BlockingIOError")
            || stderr.contains("Resource temporarily unavailable")
        {
            return RenderError::ResourceLimit(format!(
                "process limit ({} tasks) reached",
                limits.processes
            ));
        }
        if stderr.contains("MemoryError")
            || stderr.contains("Cannot allocate memory")
            || stderr.contains("bad_alloc")
        {
            return RenderError::ResourceLimit(format!(
                "memory limit ({} MiB) exceeded",
                spec.address_space / (1024 * 1024)
            ));
        }
        match signal {
            Some(24) | Some(9) => {
                return RenderError::ResourceLimit(format!(
                    "killed by signal {} (CPU limit {} s or memory)",
                    signal.unwrap_or_default(),
                    limits.cpu_secs
                ));
            }
            Some(25) => {
                return RenderError::ResourceLimit(format!(
                    "file size limit ({} MiB) exceeded",
                    limits.file_size_bytes / (1024 * 1024)
                ));
            }
            _ => {}
        }
        if stderr.contains("File too large") {
            return RenderError::ResourceLimit("file size limit exceeded".into());
        }
        RenderError::SceneError {
            stderr_tail: if tail.is_empty() {
                format!("manim exited with {status}")
            } else {
                tail
            },
        }
    }

    /// Moves the video into place, checks it, measures it and takes a thumbnail.
    async fn collect(
        &self,
        spec: &SandboxSpec<'_>,
        job_dir: &Path,
        settings: &RenderSettings,
        reporter: &mut Reporter,
    ) -> Result<RenderOutput, RenderError> {
        let produced = job_dir.join(MANIM_VIDEO);
        // The scene could have replaced directories with symlinks: the file must
        // resolve to exactly where it is expected and be a regular file.
        let resolved = tokio::fs::canonicalize(&produced).await.map_err(|_| {
            RenderError::OutputMissing(format!("Manim finished but wrote no {MANIM_VIDEO}"))
        })?;
        let meta = tokio::fs::symlink_metadata(&resolved).await?;
        if resolved != produced || !meta.is_file() {
            return Err(RenderError::OutputMissing(
                "the rendered video is not a regular file inside the job directory".into(),
            ));
        }
        let video = job_dir.join(VIDEO_FILE);
        tokio::fs::rename(&resolved, &video).await?;
        let _ = tokio::fs::remove_dir_all(job_dir.join("media")).await;
        reporter.progress(0.95).await;

        let file_size = tokio::fs::symlink_metadata(&video).await?.len();
        let metadata = probe_video(spec, &self.config.ffprobe, VIDEO_FILE, file_size).await?;
        reporter.log("Generating thumbnail".into()).await;
        let thumbnail = job_dir.join(THUMBNAIL_FILE);
        let _ = tokio::fs::remove_file(&thumbnail).await;
        let at = (metadata.duration_secs * 0.5).max(0.0);
        extract_thumbnail(spec, &self.config.ffmpeg, VIDEO_FILE, THUMBNAIL_FILE, at).await?;
        let thumb_meta = tokio::fs::symlink_metadata(&thumbnail)
            .await
            .map_err(|_| RenderError::OutputMissing("no thumbnail was written".into()))?;
        if !thumb_meta.is_file() || thumb_meta.len() == 0 {
            return Err(RenderError::OutputMissing("the thumbnail is empty".into()));
        }
        if (metadata.width, metadata.height) != (settings.width, settings.height) {
            tracing::warn!(
                width = metadata.width,
                height = metadata.height,
                "video size differs from the requested size"
            );
        }
        Ok(RenderOutput {
            video,
            thumbnail,
            metadata,
        })
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

async fn pump(
    reader: &mut (impl tokio::io::AsyncRead + Unpin),
    is_stdout: bool,
    tx: mpsc::Sender<(bool, Vec<u8>)>,
) {
    let mut buf = vec![0u8; 8192];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx.send((is_stdout, buf[..n].to_vec())).await.is_err() {
                    break;
                }
            }
        }
    }
}

/// Output parsing state of one Manim process.
struct Streams {
    counter: FrameCounter,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    tail: Tail,
}

impl Streams {
    async fn feed(&mut self, is_stdout: bool, bytes: &[u8], reporter: &mut Reporter) {
        let buf = if is_stdout {
            &mut self.stdout
        } else {
            &mut self.stderr
        };
        buf.extend_from_slice(bytes);
        for segment in split_segments(buf) {
            if is_stdout {
                if is_combining(&segment) {
                    reporter.log("Encoding video".into()).await;
                    reporter.progress(0.92).await;
                } else if let Some(p) = self.counter.feed_stdout(&segment) {
                    reporter.frames(p.done, p.total).await;
                }
            } else {
                self.tail.push(&segment);
                if let Some(p) = self.counter.feed_stderr(&segment) {
                    reporter.frames(p.done, p.total).await;
                }
            }
        }
    }
}

/// The last few kilobytes of a stream.
struct Tail {
    text: std::collections::VecDeque<String>,
    bytes: usize,
    cap: usize,
}

impl Tail {
    fn new(cap: usize) -> Self {
        Self {
            text: std::collections::VecDeque::new(),
            bytes: 0,
            cap,
        }
    }

    fn push(&mut self, segment: &str) {
        // Progress-bar redraws are noise in an error report.
        if segment.trim().is_empty() || segment.contains("it/s]") || segment.contains("?it/s") {
            return;
        }
        self.bytes += segment.len();
        self.text.push_back(segment.to_string());
        while self.bytes > self.cap {
            match self.text.pop_front() {
                Some(old) => self.bytes -= old.len(),
                None => break,
            }
        }
    }

    fn text(&self) -> String {
        self.text.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// Sends events with monotone progress and frame log lines every tenth.
struct Reporter {
    events: mpsc::Sender<RenderEvent>,
    fraction: f64,
    frame_bucket: Option<u64>,
}

impl Reporter {
    fn new(events: mpsc::Sender<RenderEvent>) -> Self {
        Self {
            events,
            fraction: 0.0,
            frame_bucket: None,
        }
    }

    async fn log(&mut self, line: String) {
        let _ = self.events.send(RenderEvent::Log(line)).await;
    }

    async fn progress(&mut self, fraction: f64) {
        let fraction = fraction.clamp(0.0, 1.0);
        if fraction > self.fraction {
            self.fraction = fraction;
            let _ = self.events.send(RenderEvent::Progress { fraction }).await;
        }
    }

    async fn frames(&mut self, done: u64, total: u64) {
        let total = total.max(1);
        let bucket = done * 10 / total;
        if self.frame_bucket != Some(bucket) {
            self.frame_bucket = Some(bucket);
            self.log(format!("Rendering frame {done}/{total}")).await;
        }
        self.progress(0.9 * done as f64 / total as f64).await;
    }
}
