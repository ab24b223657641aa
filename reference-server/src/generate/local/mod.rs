//! The local backend: a deterministic, offline prompt compiler.
//!
//! A prompt is normalised into tokens ([`tokens`]), read into a plan of objects
//! and steps ([`parse`]) using a fixed vocabulary ([`lexicon`]), and emitted as
//! Python from fixed templates ([`emit`]). Because the compiler knows every
//! animation it emits, run times are quantised to whole frames and the video lasts
//! exactly the requested duration. Words it does not understand are reported in
//! the scene's notes; a prompt with no recognisable object becomes a title card.

mod emit;
mod lexicon;
mod parse;
mod plan;
mod tokens;

#[cfg(test)]
mod tests;

use futures::future::BoxFuture;

use super::backend::{SceneBackend, SceneFeedback, SceneRequest, SceneSource};
use super::{GenerateError, RenderSettings};

pub(crate) use emit::{py_string, timeline};

/// A Python colour expression for `#rrggbb`, `#rgb` or a colour name such as
/// `blue` or `dark red`; `None` if unrecognised.
pub(crate) fn colour_expression(value: &str) -> Option<String> {
    if let Some(hex) = super::normalise_hex_colour(value).filter(|_| value.trim().starts_with('#'))
    {
        return Some(format!("ManimColor(\"{hex}\")"));
    }
    let words: Vec<String> = value.split_whitespace().map(str::to_lowercase).collect();
    match words.as_slice() {
        [name] => lexicon::colour_word(name, None),
        [shade, name] => lexicon::colour_word(name, Some(lexicon::shade_word(shade)?)),
        _ => None,
    }
}

/// Compiles a prompt into a scene; deterministic and infallible.
pub fn compile_prompt(prompt: &str, settings: &RenderSettings) -> SceneSource {
    let plan = parse::parse(prompt);
    let code = emit::emit(&plan, settings);
    SceneSource {
        code,
        scene_name: emit::SCENE_NAME.to_string(),
        notes: plan.notes.clone(),
        fallback: plan.fallback,
    }
}

/// The default backend: compiles prompts locally with no model and no network.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalBackend;

impl LocalBackend {
    /// A new local backend.
    pub fn new() -> Self {
        Self
    }
}

impl SceneBackend for LocalBackend {
    fn write_scene<'a>(
        &'a self,
        request: &'a SceneRequest,
        _feedback: Option<&'a SceneFeedback>,
    ) -> BoxFuture<'a, Result<SceneSource, GenerateError>> {
        Box::pin(async move { Ok(compile_prompt(&request.prompt, &request.settings)) })
    }

    fn name(&self) -> &'static str {
        "local"
    }
}
