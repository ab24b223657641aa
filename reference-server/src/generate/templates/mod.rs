//! A small catalog of parameterised scenes.
//!
//! Parameters are validated against their declared kind and only ever reach the
//! Python source as validated numbers, fixed choices, colour expressions or
//! escaped string literals.
//!
//! The catalog's entries and their parameter types are in [`catalog`], parameter
//! validation in [`values`], and the Python each template produces in [`scenes`];
//! this module looks a template up and wraps its body in a scene class.

mod catalog;
mod scenes;
mod values;

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::backend::SceneSource;
use super::{GenerateError, RenderSettings};
use values::Values;

pub use catalog::{ParameterKind, TemplateParameter, TemplateSpec, templates};

/// Builds the scene of template `id` with `params` (missing ones take defaults).
pub fn render_template(
    id: &str,
    params: &Map<String, Value>,
    settings: &RenderSettings,
) -> Result<SceneSource, GenerateError> {
    let spec = templates()
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| GenerateError::UnknownTemplate(id.to_string()))?;
    if let Some(unknown) = params
        .keys()
        .find(|k| !spec.parameters.iter().any(|p| p.name == *k))
    {
        let names: Vec<&str> = spec.parameters.iter().map(|p| p.name).collect();
        return Err(GenerateError::bad_parameter(
            unknown,
            format!("unknown parameter (expected {})", names.join(", ")),
        ));
    }
    let values = Values { spec, params };
    let body = match id {
        "title-card" => scenes::title_card(&values, settings)?,
        "function-plot" => scenes::function_plot(&values, settings)?,
        "shape-morph" => scenes::shape_morph(&values, settings)?,
        _ => scenes::pythagorean(&values, settings)?,
    };
    let mut code = String::from(
        "from manim import *\n\n\nclass TemplateScene(Scene):\n    def construct(self):\n",
    );
    for line in body.lines() {
        let _ = writeln!(code, "        {line}");
    }
    Ok(SceneSource {
        code,
        scene_name: "TemplateScene".into(),
        notes: vec![format!("template: {id}")],
        fallback: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_work_for_every_template() {
        let settings = RenderSettings::default();
        for spec in templates() {
            let scene = render_template(spec.id, &Map::new(), &settings).unwrap();
            assert!(
                scene.code.contains("class TemplateScene(Scene)"),
                "{}",
                spec.id
            );
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        let settings = RenderSettings::default();
        let params = |v: Value| v.as_object().unwrap().clone();
        let err = render_template(
            "pythagorean-proof",
            &params(serde_json::json!({"a": 99})),
            &settings,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("'a'") && err.to_string().contains("between"),
            "{err}"
        );
        let err = render_template(
            "title-card",
            &params(serde_json::json!({"colour": "red"})),
            &settings,
        )
        .unwrap_err();
        assert!(err.to_string().contains("'colour'"), "{err}");
        let err = render_template(
            "title-card",
            &params(serde_json::json!({"color": "sparkly"})),
            &settings,
        )
        .unwrap_err();
        assert!(err.to_string().contains("'color'"), "{err}");
        let err = render_template(
            "function-plot",
            &params(serde_json::json!({"function": "tan"})),
            &settings,
        )
        .unwrap_err();
        assert!(err.to_string().contains("one of"), "{err}");
        let err = render_template(
            "title-card",
            &params(serde_json::json!({"title": 5})),
            &settings,
        )
        .unwrap_err();
        assert!(err.to_string().contains("'title'"), "{err}");
        assert!(matches!(
            render_template("nope", &Map::new(), &settings),
            Err(GenerateError::UnknownTemplate(_))
        ));
    }
}
