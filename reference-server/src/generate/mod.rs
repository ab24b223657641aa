//! Prompt to Manim source, validation and sandboxed rendering.
//!
//! This module owns everything between a text prompt (or a template with
//! parameters) and a finished MP4 with a thumbnail. It knows nothing about HTTP,
//! the database or the job queue; a worker drives it through [`Pipeline`] or through
//! the individual steps:
//!
//! 1. a [`SceneBackend`] writes Manim source: [`LocalBackend`] (a deterministic
//!    offline prompt compiler), [`GeminiBackend`] or [`OpenAiBackend`]; or
//!    [`render_template`] fills in one of the [`templates`];
//! 2. [`validate_source`] runs a Python AST check that gives early, readable
//!    rejections (it is a lint, not a security boundary);
//! 3. [`Renderer::render`] runs Manim in a bubblewrap sandbox with resource limits,
//!    reports [`RenderEvent`]s and returns the video, a JPEG thumbnail and metadata
//!    measured from the file.

mod backend;
mod error;
mod llm;
mod local;
mod media;
mod pipeline;
mod progress;
mod redact;
mod render;
mod sandbox;
mod settings;
mod templates;
mod validate;

pub use backend::{SceneBackend, SceneFeedback, SceneRequest, SceneSource};
pub use error::{GenerateError, RenderError};
pub use llm::{GeminiBackend, LlmConfig, OpenAiBackend, SYSTEM_PROMPT, extract_code_block};
pub use local::{LocalBackend, compile_prompt};
pub use media::VideoMetadata;
pub use pipeline::{Pipeline, PipelineInput, PipelineOutput};
pub use render::{
    RenderEvent, RenderOutput, Renderer, RendererConfig, RendererStatus, THUMBNAIL_FILE, VIDEO_FILE,
};
pub use sandbox::{ResourceLimits, SandboxMode, SandboxStatus};
pub use settings::{
    DEFAULT_BACKGROUND, DEFAULT_DURATION_SECS, MAX_DURATION_SECS, MIN_DURATION_SECS, Quality,
    RenderSettings, normalise_hex_colour, parse_resolution,
};
pub use templates::{ParameterKind, TemplateParameter, TemplateSpec, render_template, templates};
pub use validate::{MAX_AST_NODES, MAX_SOURCE_BYTES, SourceRejected, validate_source};

/// The file name scene sources are written to inside a job directory.
pub const SCENE_FILE: &str = "scene.py";
