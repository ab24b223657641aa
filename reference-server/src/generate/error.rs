//! Errors of generation and rendering, each with a stable machine-readable code.

use super::validate::SourceRejected;

/// Why a scene could not be written or a request was not acceptable.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A render setting (quality, resolution, fps, duration, background) is invalid.
    #[error("invalid {field}: {message}")]
    InvalidSetting {
        /// The request field at fault.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// No template has this id.
    #[error("unknown template '{0}'")]
    UnknownTemplate(String),
    /// A template parameter is missing, unknown or has a bad value.
    #[error("invalid template parameter '{parameter}': {message}")]
    InvalidTemplateParameter {
        /// The parameter at fault.
        parameter: String,
        /// What is wrong with it.
        message: String,
    },
    /// A backend is not usable as configured (for example no API key).
    #[error("{backend} backend unavailable: {message}")]
    BackendUnavailable {
        /// The backend's name.
        backend: &'static str,
        /// Why it is unavailable.
        message: String,
    },
    /// A backend failed to produce a scene (HTTP error, empty or unusable reply).
    #[error("{backend} backend failed: {message}")]
    Backend {
        /// The backend's name.
        backend: &'static str,
        /// What went wrong, with secrets removed.
        message: String,
    },
    /// The scene source failed validation.
    #[error(transparent)]
    Rejected(#[from] SourceRejected),
    /// The scene was written but could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl GenerateError {
    pub(crate) fn invalid_setting(field: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidSetting {
            field,
            message: message.into(),
        }
    }

    pub(crate) fn bad_parameter(parameter: &str, message: impl Into<String>) -> Self {
        Self::InvalidTemplateParameter {
            parameter: parameter.to_string(),
            message: message.into(),
        }
    }

    /// A stable code for API error bodies and job records.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidSetting { .. } => "invalid_settings",
            Self::UnknownTemplate(_) => "template_not_found",
            Self::InvalidTemplateParameter { .. } => "invalid_template_parameters",
            Self::BackendUnavailable { .. } => "backend_unavailable",
            Self::Backend { .. } => "backend_error",
            Self::Rejected(_) => "source_rejected",
            Self::Render(err) => err.code(),
        }
    }

    /// Whether the request itself was at fault (as opposed to the service).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Self::InvalidSetting { .. }
                | Self::UnknownTemplate(_)
                | Self::InvalidTemplateParameter { .. }
        )
    }
}

/// Why a render failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The sandbox could not be started and unsandboxed rendering was not allowed.
    #[error("render sandbox unavailable: {0}")]
    SandboxUnavailable(String),
    /// Manim (or the Python environment, or ffmpeg) is not installed or broken.
    #[error("renderer unavailable: {0}")]
    RendererUnavailable(String),
    /// The render ran past its wall-clock limit and was killed.
    #[error("render timed out after {0} s")]
    Timeout(u64),
    /// The render was cancelled and its processes were killed.
    #[error("render cancelled")]
    Cancelled,
    /// Manim failed on the scene; `stderr_tail` is truncated and redacted.
    #[error("scene failed to render: {stderr_tail}")]
    SceneError {
        /// The end of Manim's error output.
        stderr_tail: String,
    },
    /// The render hit a CPU, memory, file-size or process limit.
    #[error("render exceeded a resource limit: {0}")]
    ResourceLimit(String),
    /// Manim exited successfully but the expected video is not there.
    #[error("render produced no video: {0}")]
    OutputMissing(String),
    /// A local I/O failure around the render (job directory, pipes).
    #[error("render I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl RenderError {
    /// A stable code for API error bodies and job records.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SandboxUnavailable(_) => "sandbox_unavailable",
            Self::RendererUnavailable(_) => "renderer_unavailable",
            Self::Timeout(_) => "render_timeout",
            Self::Cancelled => "cancelled",
            Self::SceneError { .. } => "scene_error",
            Self::ResourceLimit(_) => "resource_limit",
            Self::OutputMissing(_) => "output_missing",
            Self::Io(_) => "render_io_error",
        }
    }

    /// Text worth showing to a model on a retry: only scene errors carry any.
    pub fn feedback(&self) -> Option<String> {
        match self {
            Self::SceneError { stderr_tail } => Some(stderr_tail.clone()),
            Self::ResourceLimit(msg) => Some(format!("the scene exceeded a resource limit: {msg}")),
            Self::Timeout(secs) => Some(format!("the scene did not finish within {secs} s")),
            Self::OutputMissing(msg) => Some(msg.clone()),
            _ => None,
        }
    }
}
