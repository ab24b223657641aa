//! The static check of untrusted scene source.
//!
//! An embedded Python script parses the source with `ast` and walks it against an
//! allowlist. It gives early, readable rejections; the security boundary is the
//! sandbox the render runs in, since Manim's own exports reach `os` without any
//! import statement.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::{GenerateError, RenderError};

/// Largest accepted scene source, in bytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;
/// Largest accepted number of syntax-tree nodes.
pub const MAX_AST_NODES: usize = 20_000;

const CHECKER: &str = include_str!("validate.py");
const CHECK_TIMEOUT: Duration = Duration::from_secs(20);

/// A scene source the validator refused, naming the construct and its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{construct}{}: {message}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
pub struct SourceRejected {
    /// The offending construct, e.g. `call to 'eval'` or `import os`.
    pub construct: String,
    /// The 1-based line of the construct, when it has one.
    pub line: Option<u32>,
    /// A sentence explaining the rejection.
    pub message: String,
}

impl SourceRejected {
    fn new(construct: &str, message: String) -> Self {
        Self {
            construct: construct.to_string(),
            line: None,
            message,
        }
    }
}

#[derive(Debug, Deserialize)]
struct CheckerReply {
    ok: bool,
    scene: Option<String>,
    construct: Option<String>,
    line: Option<u32>,
    message: Option<String>,
}

/// Checks `code` with the Python interpreter at `python` and returns the name of
/// its one `Scene` subclass.
///
/// Rejections come back as [`GenerateError::Rejected`]; an interpreter that cannot
/// run the check comes back as [`RenderError::RendererUnavailable`], so a broken
/// installation is never blamed on the scene.
pub async fn validate_source(python: &Path, code: &str) -> Result<String, GenerateError> {
    if code.len() > MAX_SOURCE_BYTES {
        return Err(SourceRejected::new(
            "size",
            format!("source is larger than {MAX_SOURCE_BYTES} bytes"),
        )
        .into());
    }
    if code.contains('\0') {
        return Err(SourceRejected::new("encoding", "source contains NUL bytes".into()).into());
    }

    let unavailable = |detail: String| {
        GenerateError::Render(RenderError::RendererUnavailable(format!(
            "cannot run the source check with {}: {detail}",
            python.display()
        )))
    };
    let mut child = Command::new(python)
        .arg("-I")
        .arg("-c")
        .arg(CHECKER)
        .arg(MAX_SOURCE_BYTES.to_string())
        .arg(MAX_AST_NODES.to_string())
        .env_clear()
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| unavailable(err.to_string()))?;

    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = code.as_bytes().to_vec();
    let writer = tokio::spawn(async move {
        // The checker may stop reading early; a broken pipe is not an error here.
        let _ = stdin.write_all(&input).await;
        let _ = stdin.shutdown().await;
    });
    let output = tokio::time::timeout(CHECK_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| unavailable("the check timed out".into()))?
        .map_err(|err| unavailable(err.to_string()))?;
    let _ = writer.await;

    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("").to_string();
        return Err(unavailable(format!(
            "exit status {}: {last}",
            output.status
        )));
    }
    let reply: CheckerReply = serde_json::from_slice(&output.stdout)
        .map_err(|err| unavailable(format!("unreadable reply: {err}")))?;
    if reply.ok {
        return reply
            .scene
            .ok_or_else(|| unavailable("reply without a scene name".into()));
    }
    Err(SourceRejected {
        construct: reply.construct.unwrap_or_else(|| "source".into()),
        line: reply.line,
        message: reply.message.unwrap_or_else(|| "rejected".into()),
    }
    .into())
}
