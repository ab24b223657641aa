//! The backend abstraction: something that turns a prompt into Manim source.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::GenerateError;
use super::settings::RenderSettings;

/// What a backend is asked to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneRequest {
    /// The user's description of the animation.
    pub prompt: String,
    /// Output settings; backends use the duration (and may use the background).
    pub settings: RenderSettings,
}

impl SceneRequest {
    /// A request for `prompt` at `settings`.
    pub fn new(prompt: impl Into<String>, settings: RenderSettings) -> Self {
        Self {
            prompt: prompt.into(),
            settings,
        }
    }
}

/// Manim source written by a backend or a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneSource {
    /// The complete Python module.
    pub code: String,
    /// The name of the one `Scene` subclass to render.
    pub scene_name: String,
    /// Remarks for the job's logs, e.g. `ignored: 'sparkly'` or `fallback: title card`.
    pub notes: Vec<String>,
    /// Whether the backend understood nothing and fell back to a generic scene.
    pub fallback: bool,
}

/// Why a previous answer was not usable, for the retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SceneFeedback {
    /// The code that failed.
    pub previous_code: String,
    /// The validation or render error, redacted and truncated.
    pub error: String,
}

/// Writes Manim source for a request.
///
/// Implementations must be cheap to share between workers (`Send + Sync`); the
/// trait is object safe so a worker can hold an `Arc<dyn SceneBackend>`.
pub trait SceneBackend: Send + Sync + std::fmt::Debug {
    /// Writes a scene for `request`.
    ///
    /// `feedback` is set on the single retry after a first answer failed
    /// validation or rendering: it carries that answer and the (redacted) error so
    /// that a model can correct itself. Deterministic backends may ignore it.
    fn write_scene<'a>(
        &'a self,
        request: &'a SceneRequest,
        feedback: Option<&'a SceneFeedback>,
    ) -> BoxFuture<'a, Result<SceneSource, GenerateError>>;

    /// The backend's name as the API spells it (`local`, `gemini`, `openai`).
    fn name(&self) -> &'static str;

    /// Whether a retry with feedback can produce a different answer.
    fn accepts_feedback(&self) -> bool {
        false
    }
}
