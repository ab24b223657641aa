//! The model backends against local stand-in servers: request shape, code
//! extraction, and the single retry with feedback through the real pipeline.

mod generate_support;

use std::sync::Arc;
use std::time::Duration;

use animaforge_server::generate::{
    GeminiBackend, GenerateError, LlmConfig, OpenAiBackend, Pipeline, PipelineInput, Quality,
    RenderSettings, SceneBackend, SceneRequest,
};
use generate_support::{drain, logs, renderer};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GOOD: &str = "from manim import *\n\nclass Good(Scene):\n    def construct(self):\n        self.play(Create(Circle(color=BLUE)), run_time=1)\n";
const UNSAFE: &str = "from manim import *\nimport os\n\nclass Bad(Scene):\n    def construct(self):\n        os.system('id')\n";
const BROKEN: &str = "from manim import *\n\nclass Old(Scene):\n    def construct(self):\n        self.play(ShowCreation(Circle()))\n";

fn fenced(code: &str) -> String {
    format!("Sure! Here is the scene:\n\n```python\n{code}```\n\nIt draws a circle.")
}

fn gemini_reply(code: &str) -> Value {
    json!({"candidates": [{"content": {"role": "model", "parts": [{"text": fenced(code)}]}, "finishReason": "STOP"}]})
}

fn openai_reply(code: &str) -> Value {
    json!({"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": fenced(code)}, "finish_reason": "stop"}]})
}

fn settings() -> RenderSettings {
    RenderSettings::new(Quality::Low, None, None, Some(1.0), None).unwrap()
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn gemini_request_shape_and_code_extraction() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-test:generateContent"))
        .and(header("x-goog-api-key", "test-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gemini_reply(GOOD)))
        .expect(1)
        .mount(&server)
        .await;
    let backend = GeminiBackend::new(LlmConfig::new(
        format!("{}/v1beta", server.uri()),
        Some("test-key".into()),
        "gemini-test",
    ));
    let request = SceneRequest::new("a blue circle", settings());
    let source = backend.write_scene(&request, None).await.unwrap();
    assert_eq!(source.scene_name, "Good");
    assert_eq!(source.code.trim(), GOOD.trim());

    let body = &bodies(&server).await[0];
    let system = body["systemInstruction"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    assert!(system.contains("exactly one") && system.contains("LaTeX"));
    let user = body["contents"][0]["parts"][0]["text"].as_str().unwrap();
    assert!(
        user.contains("a blue circle") && user.contains("1 seconds"),
        "{user}"
    );
    assert_eq!(body["contents"][0]["role"], "user");
    // The key travels in a header, never in the URL.
    let requests = server.received_requests().await.unwrap();
    assert!(!requests[0].url.as_str().contains("test-key"));
}

#[tokio::test]
async fn openai_request_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(openai_reply(GOOD)))
        .expect(1)
        .mount(&server)
        .await;
    let backend = OpenAiBackend::new(LlmConfig::new(
        format!("{}/v1", server.uri()),
        Some("sk-test".into()),
        "local-model",
    ));
    let source = backend
        .write_scene(&SceneRequest::new("a circle", settings()), None)
        .await
        .unwrap();
    assert_eq!(source.scene_name, "Good");
    let body = &bodies(&server).await[0];
    assert_eq!(body["model"], "local-model");
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("from manim import *")
    );
    assert_eq!(body["messages"][1]["role"], "user");
}

#[tokio::test]
async fn backend_errors_are_clear_and_keep_keys_out() {
    let backend = GeminiBackend::new(LlmConfig::new("http://127.0.0.1:9", None, "m"));
    let err = backend
        .write_scene(&SceneRequest::new("x", settings()), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, GenerateError::BackendUnavailable { .. }),
        "{err}"
    );
    assert_eq!(err.code(), "backend_unavailable");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string("invalid key sk-live-ABCDEFGHIJKLMNOP"),
        )
        .mount(&server)
        .await;
    let backend = OpenAiBackend::new(LlmConfig::new(
        server.uri(),
        Some("sk-live-ABCDEFGHIJKLMNOP".into()),
        "m",
    ));
    let err = backend
        .write_scene(&SceneRequest::new("x", settings()), None)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("401"), "{message}");
    assert!(!message.contains("ABCDEFGHIJ"), "{message}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"choices": [{"message": {"content": "I cannot help with that."}}]}),
        ))
        .mount(&server)
        .await;
    let backend = OpenAiBackend::new(LlmConfig::new(server.uri(), None, "m"));
    let err = backend
        .write_scene(&SceneRequest::new("x", settings()), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no Python code block"), "{err}");
}

async fn pipeline_with(
    backend: Arc<dyn SceneBackend>,
) -> (
    Result<animaforge_server::generate::PipelineOutput, GenerateError>,
    Vec<String>,
) {
    let pipeline = Pipeline::new(backend, Arc::new(renderer(Duration::from_secs(120))));
    let dir = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel(64);
    let collector = tokio::spawn(drain(rx));
    let result = pipeline
        .run(
            &PipelineInput::Prompt("a blue circle".into()),
            &settings(),
            &dir.path().join("job"),
            tx,
            CancellationToken::new(),
        )
        .await;
    let events = collector.await.unwrap();
    (result, logs(&events))
}

#[tokio::test]
async fn unsafe_code_is_rejected_and_the_retry_carries_the_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(openai_reply(UNSAFE)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(openai_reply(GOOD)))
        .mount(&server)
        .await;
    let backend = Arc::new(OpenAiBackend::new(LlmConfig::new(server.uri(), None, "m")));
    let (result, lines) = pipeline_with(backend).await;
    let output = result.expect("the corrected answer renders");
    assert_eq!(output.attempts, 2);
    assert_eq!(output.source.scene_name, "Good");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Scene rejected") && l.contains("import os")),
        "{lines:?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| *l == "LLM processing complete")
            .count(),
        2,
        "{lines:?}"
    );

    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let messages = bodies[1]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[2]["role"], "assistant");
    assert!(
        messages[2]["content"]
            .as_str()
            .unwrap()
            .contains("os.system")
    );
    let feedback = messages[3]["content"].as_str().unwrap();
    assert!(feedback.contains("import os"), "{feedback}");
}

#[tokio::test]
async fn unsafe_code_twice_fails_the_job_clearly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(openai_reply(UNSAFE)))
        .mount(&server)
        .await;
    let backend = Arc::new(OpenAiBackend::new(LlmConfig::new(server.uri(), None, "m")));
    let (result, _) = pipeline_with(backend).await;
    match result {
        Err(GenerateError::Rejected(rejection)) => {
            assert_eq!(rejection.construct, "import os");
            assert_eq!(rejection.line, Some(2));
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(bodies(&server).await.len(), 2, "exactly one retry");
}

#[tokio::test]
async fn broken_code_first_sends_the_render_error_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/g:generateContent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gemini_reply(BROKEN)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/g:generateContent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gemini_reply(GOOD)))
        .mount(&server)
        .await;
    let backend = Arc::new(GeminiBackend::new(LlmConfig::new(
        format!("{}/v1beta", server.uri()),
        Some("k".into()),
        "g",
    )));
    let (result, lines) = pipeline_with(backend).await;
    let output = result.expect("the second answer renders");
    assert_eq!(output.attempts, 2);
    assert!(
        lines.iter().any(|l| l.starts_with("Render failed")),
        "{lines:?}"
    );

    let bodies = bodies(&server).await;
    let contents = bodies[1]["contents"].as_array().unwrap();
    assert_eq!(contents.len(), 3);
    assert_eq!(contents[1]["role"], "model");
    let feedback = contents[2]["parts"][0]["text"].as_str().unwrap();
    assert!(feedback.contains("ShowCreation"), "{feedback}");
    assert!(feedback.contains("NameError"), "{feedback}");
    // Host paths are redacted from what the model sees.
    assert!(!feedback.contains("/tmp/"), "{feedback}");
}
