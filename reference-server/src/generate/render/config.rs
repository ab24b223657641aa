//! How renders run: interpreter, sandbox mode, timeout, limits and tool paths.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::generate::sandbox::{ResourceLimits, SandboxMode};

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
