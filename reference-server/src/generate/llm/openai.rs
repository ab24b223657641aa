//! Any OpenAI-compatible `/chat/completions` endpoint (OpenAI, or local model
//! servers that speak the same protocol).

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{
    LlmConfig, SYSTEM_PROMPT, feedback_message, http_client, http_error, previous_answer,
    reply_to_source, transport_error, user_message,
};
use crate::generate::GenerateError;
use crate::generate::backend::{SceneBackend, SceneFeedback, SceneRequest, SceneSource};

const NAME: &str = "openai";
const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// Writes scenes with a chat-completions model.
#[derive(Debug, Clone)]
pub struct OpenAiBackend {
    config: LlmConfig,
    client: reqwest::Client,
}

impl OpenAiBackend {
    /// The public endpoint.
    pub const DEFAULT_BASE_URL: &str = DEFAULT_BASE_URL;
    /// The model used when none is configured.
    pub const DEFAULT_MODEL: &str = DEFAULT_MODEL;

    /// A backend with an explicit configuration.
    pub fn new(config: LlmConfig) -> Self {
        let client = http_client(&config);
        Self { config, client }
    }

    /// A backend configured from `OPENAI_API_KEY`, `OPENAI_MODEL` and
    /// `OPENAI_BASE_URL` (all optional; local servers often need no key).
    pub fn from_env() -> Self {
        Self::new(LlmConfig::from_env(
            "OPENAI",
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
        let mut messages = vec![
            json!({"role": "system", "content": SYSTEM_PROMPT}),
            json!({"role": "user", "content": user_message(request)}),
        ];
        if let Some(feedback) = feedback {
            messages.push(json!({"role": "assistant", "content": previous_answer(feedback)}));
            messages.push(json!({"role": "user", "content": feedback_message(feedback)}));
        }
        let body = json!({
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
        });
        let url = format!("{}/chat/completions", self.config.base_url);
        tracing::info!(backend = NAME, model = %self.config.model, retry = feedback.is_some(), "requesting scene");
        let mut builder = self.client.post(&url).json(&body);
        if let Some(key) = &self.config.api_key {
            builder = builder.bearer_auth(key);
        }
        let response = builder
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
        let answer = reply["choices"][0]["message"]["content"]
            .as_str()
            .unwrap_or_default();
        if answer.trim().is_empty() {
            return Err(GenerateError::Backend {
                backend: NAME,
                message: "the model returned no text".into(),
            });
        }
        reply_to_source(NAME, answer)
    }
}

impl SceneBackend for OpenAiBackend {
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
