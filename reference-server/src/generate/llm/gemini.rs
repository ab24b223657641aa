//! Google Gemini's `generateContent` REST API.

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{
    LlmConfig, SYSTEM_PROMPT, feedback_message, http_client, http_error, previous_answer,
    reply_to_source, transport_error, user_message,
};
use crate::generate::GenerateError;
use crate::generate::backend::{SceneBackend, SceneFeedback, SceneRequest, SceneSource};

const NAME: &str = "gemini";
const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";
const DEFAULT_MODEL: &str = "gemini-2.5-flash";

/// Writes scenes with a Gemini model.
#[derive(Debug, Clone)]
pub struct GeminiBackend {
    config: LlmConfig,
    client: reqwest::Client,
}

impl GeminiBackend {
    /// The public endpoint.
    pub const DEFAULT_BASE_URL: &str = DEFAULT_BASE_URL;
    /// The model used when none is configured.
    pub const DEFAULT_MODEL: &str = DEFAULT_MODEL;

    /// A backend with an explicit configuration.
    pub fn new(config: LlmConfig) -> Self {
        let client = http_client(&config);
        Self { config, client }
    }

    /// A backend configured from `GEMINI_API_KEY`, `GEMINI_MODEL` and
    /// `GEMINI_BASE_URL` (the last two optional).
    pub fn from_env() -> Self {
        Self::new(LlmConfig::from_env(
            "GEMINI",
            DEFAULT_BASE_URL,
            DEFAULT_MODEL,
        ))
    }

    /// The configuration in use.
    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    async fn call(
        &self,
        request: &SceneRequest,
        feedback: Option<&SceneFeedback>,
    ) -> Result<SceneSource, GenerateError> {
        let key = self
            .config
            .api_key
            .as_deref()
            .ok_or(GenerateError::BackendUnavailable {
                backend: NAME,
                message: "no API key configured (set GEMINI_API_KEY)".into(),
            })?;
        let mut contents =
            vec![json!({"role": "user", "parts": [{"text": user_message(request)}]})];
        if let Some(feedback) = feedback {
            contents.push(json!({"role": "model", "parts": [{"text": previous_answer(feedback)}]}));
            contents.push(json!({"role": "user", "parts": [{"text": feedback_message(feedback)}]}));
        }
        let body = json!({
            "systemInstruction": {"parts": [{"text": SYSTEM_PROMPT}]},
            "contents": contents,
            "generationConfig": {"temperature": self.config.temperature},
        });
        let url = format!(
            "{}/models/{}:generateContent",
            self.config.base_url, self.config.model
        );
        tracing::info!(backend = NAME, model = %self.config.model, retry = feedback.is_some(), "requesting scene");
        let response = self
            .client
            .post(&url)
            .header("x-goog-api-key", key)
            .json(&body)
            .send()
            .await
            .map_err(|err| transport_error(NAME, err))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|err| transport_error(NAME, err))?;
        if !status.is_success() {
            return Err(http_error(NAME, status, &text));
        }
        let reply: Value = serde_json::from_str(&text).map_err(|err| GenerateError::Backend {
            backend: NAME,
            message: format!("unreadable response: {err}"),
        })?;
        let answer: String = reply["candidates"][0]["content"]["parts"]
            .as_array()
            .map(|parts| {
                parts
                    .iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join("")
            })
            .unwrap_or_default();
        if answer.trim().is_empty() {
            let reason = reply["candidates"][0]["finishReason"]
                .as_str()
                .or(reply["promptFeedback"]["blockReason"].as_str())
                .unwrap_or("empty reply");
            return Err(GenerateError::Backend {
                backend: NAME,
                message: format!("the model returned no text ({reason})"),
            });
        }
        reply_to_source(NAME, &answer)
    }
}

impl SceneBackend for GeminiBackend {
    fn write_scene<'a>(
        &'a self,
        request: &'a SceneRequest,
        feedback: Option<&'a SceneFeedback>,
    ) -> BoxFuture<'a, Result<SceneSource, GenerateError>> {
        Box::pin(self.call(request, feedback))
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn accepts_feedback(&self) -> bool {
        true
    }
}
