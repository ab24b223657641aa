//! Generation jobs: generate, status, cancel, the event stream, the completion payload.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{Resolution, wire_enum};
use crate::envelope::ErrorCode;

wire_enum! {
    /// Render quality presets.
    pub enum Quality {
        /// 854x480 at 15 fps.
        Low = "low",
        /// 1280x720 at 30 fps.
        Medium = "medium",
        /// 1920x1080 at 60 fps (the default).
        High = "high",
        /// 2560x1440 at 60 fps.
        Production = "production",
    }
}

impl Quality {
    /// The resolution and frame rate the preset renders at.
    pub fn defaults(self) -> (Resolution, u32) {
        match self {
            Quality::Low => (Resolution::P480, 15),
            Quality::Medium => (Resolution::P720, 30),
            Quality::High => (Resolution::P1080, 60),
            Quality::Production => (Resolution::P1440, 60),
        }
    }
}

wire_enum! {
    /// What turns the prompt into Manim source.
    pub enum Backend {
        /// The built-in deterministic prompt compiler (the default; works offline).
        Local = "local",
        /// Google Gemini, where the server operator configured a key.
        Gemini = "gemini",
        /// An OpenAI-compatible chat-completions endpoint configured by the operator.
        Openai = "openai",
    }
}

wire_enum! {
    /// Where a job is.
    pub enum JobStatus {
        /// Waiting in the queue.
        Queued = "queued",
        /// Being generated.
        Processing = "processing",
        /// Finished; the animation exists.
        Completed = "completed",
        /// Ended with an error.
        Failed = "failed",
        /// Cancelled by its owner.
        Cancelled = "cancelled",
    }
}

impl JobStatus {
    /// Whether the job can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// Render settings of a generation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GenerateConfig {
    /// Quality preset (default `high`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
    /// Length in seconds, 1 to 60 (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 60))]
    pub duration: Option<f64>,
    /// Frames per second, 1 to 60 (default: the quality's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 60))]
    pub fps: Option<u32>,
    /// Background colour, `#rrggbb` (default `#000000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^#[0-9a-fA-F]{6}$"))]
    pub background: Option<String>,
    /// Resolution preset (default: the quality's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

impl GenerateConfig {
    /// Sets the quality preset.
    pub fn quality(mut self, quality: Quality) -> GenerateConfig {
        self.quality = Some(quality);
        self
    }

    /// Sets the length in seconds (1 to 60).
    pub fn duration(mut self, seconds: f64) -> GenerateConfig {
        self.duration = Some(seconds);
        self
    }

    /// Sets the frame rate (1 to 60).
    pub fn fps(mut self, fps: u32) -> GenerateConfig {
        self.fps = Some(fps);
        self
    }

    /// Sets the background colour, `#rrggbb`.
    pub fn background(mut self, colour: impl Into<String>) -> GenerateConfig {
        self.background = Some(colour.into());
        self
    }

    /// Sets the resolution preset.
    pub fn resolution(mut self, resolution: Resolution) -> GenerateConfig {
        self.resolution = Some(resolution);
        self
    }
}

/// `POST /animations/generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GenerateRequest {
    /// What to animate, 1 to 2,000 characters.
    #[schemars(length(min = 1, max = 2000))]
    pub prompt: String,
    /// Render settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<GenerateConfig>,
    /// Backend (default `local`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<Backend>,
    /// A template id from `GET /templates`; when set, the template makes the scene and
    /// the prompt becomes the animation's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub template: Option<String>,
    /// The template's parameters. Addition to the documented request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_params: Option<BTreeMap<String, serde_json::Value>>,
    /// An http(s) URL that receives the completion payload, signed like every webhook
    /// with the `callback_secret`. Addition to the documented request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(url, length(max = 2048))]
    pub callback_url: Option<String>,
    /// The secret that signs callbacks to `callback_url`, 16 to 256 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 16, max = 256))]
    pub callback_secret: Option<String>,
}

impl GenerateRequest {
    /// A request for `prompt` with every optional field left out.
    pub fn new(prompt: impl Into<String>) -> GenerateRequest {
        GenerateRequest {
            prompt: prompt.into(),
            config: None,
            backend: None,
            template: None,
            template_params: None,
            callback_url: None,
            callback_secret: None,
        }
    }
}

/// `data` of `POST /animations/generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GenerateAccepted {
    /// `job_...`.
    pub job_id: String,
    /// `queued` (or the current status, when an idempotent repeat finds the job moved on).
    pub status: JobStatus,
    /// Seconds the server expects the job to take.
    pub estimated_time: u64,
    /// The job's `callback_url`, or `null` when none was given.
    pub webhook_url: Option<String>,
    /// The job status URL. Addition to the documented shape.
    pub status_url: String,
    /// The job's event stream URL. Addition to the documented shape.
    pub events_url: String,
}

/// The animation a job produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GeneratedAnimation {
    /// `anim_...`.
    pub id: String,
    /// The video's download URL (redirects to a signed file URL).
    pub url: String,
    /// The JPEG thumbnail URL.
    pub thumbnail_url: String,
    /// The Manim source that made it.
    pub source_code: String,
    /// Facts measured from the file.
    pub metadata: GeneratedMetadata,
}

/// Facts measured from a generated file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GeneratedMetadata {
    /// Length in seconds.
    pub duration: f64,
    /// Frames per second.
    pub fps: f64,
    /// `WIDTHxHEIGHT`.
    pub resolution: String,
    /// Size in bytes.
    pub file_size: u64,
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobError {
    /// A stable code: `VALIDATION_ERROR` for a rejected scene, `SERVICE_UNAVAILABLE` when
    /// no renderer is available, `INTERNAL_ERROR` otherwise.
    pub code: ErrorCode,
    /// What went wrong, without internals.
    pub message: String,
}

/// `data` of `GET /animations/jobs/{job_id}` and of cancel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Job {
    /// `job_...`.
    pub job_id: String,
    /// Where the job is.
    pub status: JobStatus,
    /// 0 to 100; never goes backwards.
    #[schemars(range(min = 0, max = 100))]
    pub progress: u8,
    /// Seconds left by the server's estimate; `null` when finished.
    pub estimated_remaining: Option<u64>,
    /// Log lines so far, oldest first (at most the last 200).
    pub logs: Vec<String>,
    /// The prompt. Addition to the documented shape.
    pub prompt: String,
    /// The backend. Addition to the documented shape.
    pub backend: Backend,
    /// The result, once `completed`. Addition to the documented shape.
    pub animation: Option<GeneratedAnimation>,
    /// The reason, once `failed`. Addition to the documented shape.
    pub error: Option<JobError>,
    /// When the job was created. Addition to the documented shape.
    pub created_at: DateTime<Utc>,
    /// When it last changed. Addition to the documented shape.
    pub updated_at: DateTime<Utc>,
}

/// One event of `GET /animations/jobs/{job_id}/events` (server-sent events).
///
/// The SSE `event:` field is the `type`, `data:` is this object as JSON and `id:` is
/// `sequence`. A client that reconnects with `Last-Event-ID: N` receives the events after
/// `N`. The stream ends after the event that reports a terminal status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobEvent {
    /// Position in the job's event log, from 1.
    pub sequence: u64,
    /// What kind of event.
    #[serde(rename = "type")]
    pub kind: JobEventType,
    /// The job's status after the event.
    pub status: JobStatus,
    /// The job's progress after the event.
    #[schemars(range(min = 0, max = 100))]
    pub progress: u8,
    /// The log line, for `log` events.
    pub message: Option<String>,
    /// Seconds left by the server's estimate.
    pub estimated_remaining: Option<u64>,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
}

wire_enum! {
    /// Kinds of job events.
    pub enum JobEventType {
        /// Progress moved.
        Progress = "progress",
        /// A log line.
        Log = "log",
        /// The status changed.
        Status = "status",
    }
}

/// The body POSTed to a job's `callback_url` when it ends: the documented webhook payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobCallback {
    /// `job_...`.
    pub job_id: String,
    /// `completed`, `failed` or `cancelled`.
    pub status: JobStatus,
    /// The result, when `completed`.
    pub animation: Option<GeneratedAnimation>,
    /// The reason, when `failed`.
    pub error: Option<JobError>,
}
