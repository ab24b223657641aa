//! Running the Manim process: arguments, spawning in the sandbox, streaming its
//! output, stopping it (cancel, timeout, process limit) and classifying failures.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::events::Reporter;
use super::streams::{Streams, Tail};
use super::{OUTPUT_NAME, Renderer};
use crate::generate::backend::SceneSource;
use crate::generate::progress::{FrameCounter, split_segments};
use crate::generate::redact::redact_log;
use crate::generate::sandbox::{PidsCgroup, SandboxMode, SandboxSpec, kill_group};
use crate::generate::settings::RenderSettings;
use crate::generate::{RenderError, SCENE_FILE};

enum Ending {
    Exited(ExitStatus),
    Cancelled,
    TimedOut,
    ProcessLimit,
}

impl Renderer {
    pub(super) async fn run_manim(
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
