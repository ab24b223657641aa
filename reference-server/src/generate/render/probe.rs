//! The renderer's health check: is Manim importable inside a working sandbox.

use std::ffi::OsString;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Renderer;
use crate::generate::sandbox::{SandboxMode, SandboxStatus};
use crate::generate::settings::RenderSettings;

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

impl Renderer {
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
}
