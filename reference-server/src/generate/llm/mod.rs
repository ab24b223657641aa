//! Model-backed backends: Google Gemini and any OpenAI-compatible endpoint.
//!
//! Both share the system prompt, the request wording, code-block extraction and
//! the feedback turn of the single retry. Keys are never logged: [`LlmConfig`]'s
//! `Debug` hides them and error messages are passed through the redactor.

mod gemini;
mod openai;

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;

use super::backend::{SceneFeedback, SceneRequest};
use super::redact::{redact_secrets, truncate_tail};
use super::{GenerateError, SceneSource};

pub use gemini::GeminiBackend;
pub use openai::OpenAiBackend;

/// The instructions every model gets.
pub const SYSTEM_PROMPT: &str = "\
You write Manim Community Edition (v0.18+) Python scenes from a description.
Reply with exactly one ```python code block and nothing else. The code must:
- start with `from manim import *`; the only other allowed imports are `math`, `random`, `numpy` (as `np` or plain);
- define exactly one class deriving from Scene (or ThreeDScene / MovingCameraScene for 3D or camera moves) with a `construct(self)` method;
- not use LaTeX: MathTex, Tex, Title, Integer/DecimalNumber and axes with numbers are unavailable; use Text (unicode like x² is fine) and Axes without numbers, with axis labels made by Text;
- not use removed APIs such as GraphScene, ShowCreation (use Create), get_graph (use axes.plot), TextMobject, TexMobject;
- rotate with Rotate(mobject, angle=...), not `.animate.rotate(TAU)` (a full turn shows nothing);
- make the sum of all run_time values and waits equal the requested duration;
- never touch files, processes, the network, the environment or interpreter internals: no open, eval, exec, getattr, __import__, os, sys, subprocess, dunder names or attributes.";

/// Endpoint, credentials and model of a model-backed backend.
#[derive(Clone)]
pub struct LlmConfig {
    /// API base URL, e.g. `https://generativelanguage.googleapis.com/v1beta` or
    /// `https://api.openai.com/v1`.
    pub base_url: String,
    /// API key; optional for local OpenAI-compatible servers.
    pub api_key: Option<String>,
    /// Model name.
    pub model: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Sampling temperature.
    pub temperature: f32,
}

impl LlmConfig {
    /// A configuration with a 120 s timeout and temperature 0.4.
    pub fn new(
        base_url: impl Into<String>,
        api_key: Option<String>,
        model: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            api_key: api_key.filter(|k| !k.trim().is_empty()),
            model: model.into(),
            timeout: Duration::from_secs(120),
            temperature: 0.4,
        }
    }

    /// A configuration from `{PREFIX}_BASE_URL`, `{PREFIX}_API_KEY` and `{PREFIX}_MODEL`;
    /// unset or blank variables fall back to the defaults (no key).
    pub fn from_env(prefix: &str, default_base_url: &str, default_model: &str) -> Self {
        let var = |name: &str| {
            std::env::var(format!("{prefix}_{name}"))
                .ok()
                .filter(|v| !v.trim().is_empty())
        };
        Self::new(
            var("BASE_URL").unwrap_or_else(|| default_base_url.into()),
            var("API_KEY"),
            var("MODEL").unwrap_or_else(|| default_model.into()),
        )
    }
}

impl fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("temperature", &self.temperature)
            .finish()
    }
}

/// The user turn describing the request.
pub(crate) fn user_message(request: &SceneRequest) -> String {
    let s = &request.settings;
    format!(
        "Animation description: {}\n\nTotal duration: exactly {} seconds. Background colour: {} \
         (set by the renderer; do not set it). Frame: {}x{} at {} fps.",
        request.prompt.trim(),
        s.duration_secs,
        s.background,
        s.width,
        s.height,
        s.fps
    )
}

/// The user turn of the retry, after the failed answer.
pub(crate) fn feedback_message(feedback: &SceneFeedback) -> String {
    format!(
        "That scene could not be used. The error was:\n\n{}\n\nFix the problem and reply with \
         the complete corrected scene in one ```python code block.",
        truncate_tail(&redact_secrets(&feedback.error))
    )
}

/// The failed answer, replayed as the assistant's turn.
pub(crate) fn previous_answer(feedback: &SceneFeedback) -> String {
    format!("```python\n{}\n```", feedback.previous_code)
}

static FENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\r?\n(.*?)```").expect("valid fence regex")
});
static SCENE_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^class\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*[A-Za-z_.]*Scene\s*\)")
        .expect("valid class regex")
});

/// Extracts the Python code from a model reply: the fenced block that defines a
/// scene (preferring `python`-tagged blocks), or the whole reply if it is bare code.
pub fn extract_code_block(reply: &str) -> Option<String> {
    let blocks: Vec<(String, String)> = FENCE
        .captures_iter(reply)
        .map(|c| (c[1].to_ascii_lowercase(), c[2].to_string()))
        .collect();
    let pick = blocks
        .iter()
        .filter(|(_, code)| SCENE_CLASS.is_match(code))
        .max_by_key(|(lang, _)| matches!(lang.as_str(), "python" | "py" | "python3"))
        .or_else(|| {
            blocks
                .iter()
                .find(|(lang, _)| matches!(lang.as_str(), "python" | "py"))
        })
        .map(|(_, code)| code.clone());
    let code = match pick {
        Some(code) => code,
        None if blocks.is_empty() && reply.contains("from manim import") => reply.to_string(),
        None => return None,
    };
    let code = code.trim().to_string();
    if code.is_empty() {
        return None;
    }
    if code.contains("from manim import *") {
        Some(code)
    } else {
        Some(format!("from manim import *\n\n{code}"))
    }
}

/// Turns a model reply into a scene source.
pub(crate) fn reply_to_source(
    backend: &'static str,
    reply: &str,
) -> Result<SceneSource, GenerateError> {
    let code = extract_code_block(reply).ok_or_else(|| GenerateError::Backend {
        backend,
        message: "the model's reply contained no Python code block".into(),
    })?;
    let scene_name = SCENE_CLASS
        .captures(&code)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| "GeneratedScene".into());
    Ok(SceneSource {
        code,
        scene_name,
        notes: Vec::new(),
        fallback: false,
    })
}

/// Describes an HTTP failure without leaking credentials.
pub(crate) fn http_error(
    backend: &'static str,
    status: reqwest::StatusCode,
    body: &str,
) -> GenerateError {
    let body: String = redact_secrets(body).chars().take(500).collect();
    GenerateError::Backend {
        backend,
        message: format!("HTTP {status}: {}", body.trim()),
    }
}

/// Describes a transport failure without the URL's query (which may hold a key).
pub(crate) fn transport_error(backend: &'static str, err: reqwest::Error) -> GenerateError {
    let kind = if err.is_timeout() {
        "request timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_decode() {
        "unreadable response"
    } else {
        "request failed"
    };
    GenerateError::Backend {
        backend,
        message: format!("{kind}: {}", redact_secrets(&err.without_url().to_string())),
    }
}

pub(crate) fn http_client(config: &LlmConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(config.timeout)
        .build()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_the_scene_block() {
        let reply = "Here you go:\n```\npip install manim\n```\n```python\nfrom manim import *\n\nclass A(Scene):\n    def construct(self):\n        pass\n```\nEnjoy";
        let code = extract_code_block(reply).unwrap();
        assert!(code.starts_with("from manim import *"));
        assert!(code.contains("class A(Scene)"));
        let bare = "class B(ThreeDScene):\n    def construct(self):\n        pass";
        assert!(
            extract_code_block(&format!("```py\n{bare}\n```"))
                .unwrap()
                .starts_with("from manim import *")
        );
        assert!(extract_code_block("no code here").is_none());
        let source = reply_to_source("openai", reply).unwrap();
        assert_eq!(source.scene_name, "A");
    }

    #[test]
    fn debug_hides_the_key() {
        let config = LlmConfig::new("http://x", Some("sk-secret-value".into()), "m");
        assert!(!format!("{config:?}").contains("sk-secret"));
    }
}
