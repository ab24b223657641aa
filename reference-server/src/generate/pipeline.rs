//! The whole job: write the scene, check it, render it, with one corrective retry
//! for model backends.
//!
//! Progress over the job: 0-10 % writing and checking the scene, 10-100 % the
//! render (frames up to 91 %, encoding, measuring, thumbnail). Progress never goes
//! backwards, even across a retry.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::backend::{SceneBackend, SceneFeedback, SceneRequest, SceneSource};
use super::render::{RenderEvent, RenderOutput, Renderer};
use super::templates::render_template;
use super::validate::validate_source;
use super::{GenerateError, RenderError, RenderSettings};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PipelineInput {
    /// A free-text prompt for the pipeline's backend.
    Prompt(String),
    /// A catalog template with parameters (the backend is not used).
    Template {
        /// Template id, e.g. `title-card`.
        id: String,
        /// Parameter values; missing ones take defaults.
        parameters: Map<String, Value>,
    },
}

/// A finished job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineOutput {
    /// The source that was rendered (store it with the animation).
    pub source: SceneSource,
    /// Video, thumbnail and measured metadata.
    pub render: RenderOutput,
    /// How many scenes were written (2 after a corrective retry).
    pub attempts: u32,
}

/// Backend, validator and renderer wired together for a job worker.
#[derive(Debug, Clone)]
pub struct Pipeline {
    backend: Arc<dyn SceneBackend>,
    renderer: Arc<Renderer>,
}

/// Sends pipeline events with progress kept monotone.
struct Events {
    tx: mpsc::Sender<RenderEvent>,
    fraction: f64,
}

impl Events {
    async fn log(&self, line: impl Into<String>) {
        let _ = self.tx.send(RenderEvent::Log(line.into())).await;
    }

    async fn progress(&mut self, fraction: f64) {
        if fraction > self.fraction {
            self.fraction = fraction.min(1.0);
            let _ = self
                .tx
                .send(RenderEvent::Progress {
                    fraction: self.fraction,
                })
                .await;
        }
    }
}

const SCENE_READY: f64 = 0.1;

impl Pipeline {
    /// A pipeline writing scenes with `backend` and rendering with `renderer`.
    pub fn new(backend: Arc<dyn SceneBackend>, renderer: Arc<Renderer>) -> Self {
        Self { backend, renderer }
    }

    /// The backend's name.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// Runs a job into `job_dir` (the only directory the scene may write; the
    /// caller creates and later removes it).
    ///
    /// Events: `Starting generation...`, the backend's step (`LLM processing
    /// complete` or `Scene compiled by local backend`), the backend's notes, then
    /// the renderer's `Rendering frame N/M`, `Encoding video`, `Generating
    /// thumbnail`, and progress from 0 to 1.
    pub async fn run(
        &self,
        input: &PipelineInput,
        settings: &RenderSettings,
        job_dir: &Path,
        events: mpsc::Sender<RenderEvent>,
        cancel: CancellationToken,
    ) -> Result<PipelineOutput, GenerateError> {
        let mut events = Events {
            tx: events,
            fraction: 0.0,
        };
        events.log("Starting generation...").await;
        events.progress(0.01).await;

        let max_attempts = match input {
            PipelineInput::Prompt(_) if self.backend.accepts_feedback() => 2,
            _ => 1,
        };
        let mut feedback: Option<SceneFeedback> = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if cancel.is_cancelled() {
                return Err(RenderError::Cancelled.into());
            }
            let mut source = tokio::select! {
                source = self.write(input, settings, feedback.as_ref(), &events) => source?,
                () = cancel.cancelled() => return Err(RenderError::Cancelled.into()),
            };
            for note in &source.notes {
                events.log(note.clone()).await;
            }
            events.progress(SCENE_READY * 0.6).await;

            let retry_left = attempt < max_attempts;
            match validate_source(self.renderer.python(), &source.code).await {
                Ok(scene_name) => source.scene_name = scene_name,
                Err(GenerateError::Rejected(rejection)) if retry_left => {
                    events
                        .log(format!(
                            "Scene rejected ({rejection}); asking the model for a fix"
                        ))
                        .await;
                    feedback = Some(SceneFeedback {
                        previous_code: source.code,
                        error: format!("The scene was rejected by the safety check: {rejection}"),
                    });
                    continue;
                }
                Err(err) => return Err(err),
            }
            events.progress(SCENE_READY).await;

            match self
                .render(job_dir, &source, settings, &mut events, &cancel)
                .await
            {
                Ok(render) => {
                    events.log("Generation complete").await;
                    events.progress(1.0).await;
                    return Ok(PipelineOutput {
                        source,
                        render,
                        attempts: attempt,
                    });
                }
                Err(err) if retry_left && retryable(&err) => {
                    let error = err.feedback().unwrap_or_else(|| err.to_string());
                    events
                        .log("Render failed; asking the model for a fix")
                        .await;
                    feedback = Some(SceneFeedback {
                        previous_code: source.code,
                        error: format!("Rendering the scene failed:\n{error}"),
                    });
                }
                Err(err) => return Err(err.into()),
            }
        }
    }

    async fn write(
        &self,
        input: &PipelineInput,
        settings: &RenderSettings,
        feedback: Option<&SceneFeedback>,
        events: &Events,
    ) -> Result<SceneSource, GenerateError> {
        match input {
            PipelineInput::Template { id, parameters } => {
                let source = render_template(id, parameters, settings)?;
                events
                    .log(format!("Scene built from template '{id}'"))
                    .await;
                Ok(source)
            }
            PipelineInput::Prompt(prompt) => {
                let request = SceneRequest::new(prompt.clone(), settings.clone());
                let source = self.backend.write_scene(&request, feedback).await?;
                let line = if self.backend.accepts_feedback() {
                    "LLM processing complete".to_string()
                } else {
                    format!("Scene compiled by {} backend", self.backend.name())
                };
                events.log(line).await;
                Ok(source)
            }
        }
    }

    async fn render(
        &self,
        job_dir: &Path,
        source: &SceneSource,
        settings: &RenderSettings,
        events: &mut Events,
        cancel: &CancellationToken,
    ) -> Result<RenderOutput, RenderError> {
        // Start a retry from a clean directory: the failed attempt left files.
        if tokio::fs::symlink_metadata(job_dir).await.is_ok() {
            let _ = tokio::fs::remove_dir_all(job_dir.join("media")).await;
        }
        let (tx, mut rx) = mpsc::channel(64);
        let render = self
            .renderer
            .render(job_dir, source, settings, tx, cancel.clone());
        let forward = async {
            while let Some(event) = rx.recv().await {
                match event {
                    RenderEvent::Progress { fraction } => {
                        events
                            .progress(SCENE_READY + (1.0 - SCENE_READY) * fraction)
                            .await
                    }
                    RenderEvent::Log(line) => events.log(line).await,
                }
            }
        };
        let (result, ()) = tokio::join!(render, forward);
        result
    }
}

fn retryable(err: &RenderError) -> bool {
    matches!(
        err,
        RenderError::SceneError { .. }
            | RenderError::OutputMissing(_)
            | RenderError::ResourceLimit(_)
    )
}
