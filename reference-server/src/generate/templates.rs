//! A small catalog of parameterised scenes.
//!
//! Parameters are validated against their declared kind and only ever reach the
//! Python source as validated numbers, fixed choices, colour expressions or
//! escaped string literals.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use super::backend::SceneSource;
use super::local::{colour_expression, py_string, timeline};
use super::{GenerateError, RenderSettings};

/// The kind and constraints of a template parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParameterKind {
    /// A string of at most `max_len` characters.
    Text {
        /// Longest accepted value.
        max_len: usize,
    },
    /// A number within `min..=max`.
    Number {
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// A colour: `#rrggbb`, `#rgb` or a name such as `blue` or `light green`.
    Colour,
    /// One of a fixed list of values.
    Choice {
        /// The accepted values.
        options: &'static [&'static str],
    },
}

/// One parameter of a template.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TemplateParameter {
    /// Name as used in the request's `parameters` object.
    pub name: &'static str,
    /// Type and constraints.
    #[serde(flatten)]
    pub kind: ParameterKind,
    /// Default value, as JSON text.
    pub default: &'static str,
    /// What the parameter does.
    pub description: &'static str,
}

/// A template in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TemplateSpec {
    /// Stable identifier, e.g. `title-card`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// What the scene shows.
    pub description: &'static str,
    /// Accepted parameters.
    pub parameters: &'static [TemplateParameter],
}

const SHAPES: &[&str] = &["circle", "square", "triangle", "star", "hexagon"];
const FUNCTIONS: &[&str] = &[
    "sine",
    "cosine",
    "parabola",
    "cubic",
    "exponential",
    "logarithm",
    "linear",
    "absolute",
];

const fn text(
    name: &'static str,
    default: &'static str,
    description: &'static str,
) -> TemplateParameter {
    TemplateParameter {
        name,
        kind: ParameterKind::Text { max_len: 80 },
        default,
        description,
    }
}

const fn colour(
    name: &'static str,
    default: &'static str,
    description: &'static str,
) -> TemplateParameter {
    TemplateParameter {
        name,
        kind: ParameterKind::Colour,
        default,
        description,
    }
}

const fn choice(
    name: &'static str,
    options: &'static [&'static str],
    default: &'static str,
    description: &'static str,
) -> TemplateParameter {
    TemplateParameter {
        name,
        kind: ParameterKind::Choice { options },
        default,
        description,
    }
}

static TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        id: "title-card",
        name: "Title card",
        description: "A title and optional subtitle are written, with a shape growing beneath.",
        parameters: &[
            text("title", "\"AnimaForge\"", "The title text."),
            text("subtitle", "\"\"", "An optional second line."),
            colour(
                "color",
                "\"#58c4dd\"",
                "Colour of the shape and the title underline.",
            ),
            choice(
                "shape",
                &["circle", "square", "triangle", "star", "hexagon", "none"],
                "\"circle\"",
                "The shape under the title.",
            ),
        ],
    },
    TemplateSpec {
        id: "function-plot",
        name: "Function plot",
        description: "Axes are drawn, then the graph of a function is traced with its label.",
        parameters: &[
            choice("function", FUNCTIONS, "\"sine\"", "The function to plot."),
            colour("color", "\"#ffff00\"", "Colour of the graph."),
            text("title", "\"\"", "An optional title above the axes."),
        ],
    },
    TemplateSpec {
        id: "shape-morph",
        name: "Shape morph",
        description: "One shape is drawn, then morphs into another shape and colour.",
        parameters: &[
            choice("from", SHAPES, "\"circle\"", "The starting shape."),
            choice("to", SHAPES, "\"square\"", "The final shape."),
            colour("from_color", "\"#58c4dd\"", "Colour of the starting shape."),
            colour("to_color", "\"#fc6255\"", "Colour of the final shape."),
        ],
    },
    TemplateSpec {
        id: "pythagorean-proof",
        name: "Pythagorean theorem",
        description: "A right triangle with squares on its sides, labelled a², b² and c², \
                      ending with a² + b² = c².",
        parameters: &[
            TemplateParameter {
                name: "a",
                kind: ParameterKind::Number {
                    min: 1.0,
                    max: 10.0,
                },
                default: "3",
                description: "Length of the first leg.",
            },
            TemplateParameter {
                name: "b",
                kind: ParameterKind::Number {
                    min: 1.0,
                    max: 10.0,
                },
                default: "4",
                description: "Length of the second leg.",
            },
            colour("color_a", "\"#58c4dd\"", "Colour of the square on a."),
            colour("color_b", "\"#83c167\"", "Colour of the square on b."),
            colour("color_c", "\"#fc6255\"", "Colour of the square on c."),
        ],
    },
];

/// The template catalog.
pub fn templates() -> &'static [TemplateSpec] {
    TEMPLATES
}

/// Validated parameter values of one request.
struct Values<'a> {
    spec: &'a TemplateSpec,
    params: &'a Map<String, Value>,
}

impl Values<'_> {
    fn raw(&self, name: &str) -> Result<(Value, &TemplateParameter), GenerateError> {
        let param = self
            .spec
            .parameters
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                GenerateError::bad_parameter(name, "not a parameter of this template")
            })?;
        let value = match self.params.get(name) {
            Some(Value::Null) | None => serde_json::from_str(param.default)
                .map_err(|_| GenerateError::bad_parameter(name, "invalid default"))?,
            Some(value) => value.clone(),
        };
        Ok((value, param))
    }

    fn text(&self, name: &str) -> Result<String, GenerateError> {
        let (value, param) = self.raw(name)?;
        let ParameterKind::Text { max_len } = param.kind else {
            return Err(GenerateError::bad_parameter(name, "not a text parameter"));
        };
        let text = value
            .as_str()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a string"))?;
        if text.chars().count() > max_len {
            return Err(GenerateError::bad_parameter(
                name,
                format!("must be at most {max_len} characters"),
            ));
        }
        Ok(text.to_string())
    }

    fn number(&self, name: &str) -> Result<f64, GenerateError> {
        let (value, param) = self.raw(name)?;
        let ParameterKind::Number { min, max } = param.kind else {
            return Err(GenerateError::bad_parameter(name, "not a number parameter"));
        };
        let n = value
            .as_f64()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a number"))?;
        if !(min..=max).contains(&n) {
            return Err(GenerateError::bad_parameter(
                name,
                format!("must be between {min} and {max}, got {n}"),
            ));
        }
        Ok(n)
    }

    fn colour(&self, name: &str) -> Result<String, GenerateError> {
        let (value, _) = self.raw(name)?;
        let text = value
            .as_str()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a colour string"))?;
        colour_expression(text).ok_or_else(|| {
            GenerateError::bad_parameter(
                name,
                format!("'{text}' is not a colour (use #rrggbb or a name like 'blue')"),
            )
        })
    }

    fn choice(&self, name: &str) -> Result<&'static str, GenerateError> {
        let (value, param) = self.raw(name)?;
        let ParameterKind::Choice { options } = param.kind else {
            return Err(GenerateError::bad_parameter(name, "not a choice parameter"));
        };
        let text = value
            .as_str()
            .ok_or_else(|| GenerateError::bad_parameter(name, "must be a string"))?;
        options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(text))
            .copied()
            .ok_or_else(|| {
                GenerateError::bad_parameter(
                    name,
                    format!("must be one of {}, got '{text}'", options.join(", ")),
                )
            })
    }
}

/// Builds the scene of template `id` with `params` (missing ones take defaults).
pub fn render_template(
    id: &str,
    params: &Map<String, Value>,
    settings: &RenderSettings,
) -> Result<SceneSource, GenerateError> {
    let spec = TEMPLATES
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
        "title-card" => title_card(&values, settings)?,
        "function-plot" => function_plot(&values, settings)?,
        "shape-morph" => shape_morph(&values, settings)?,
        _ => pythagorean(&values, settings)?,
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

fn foreground(settings: &RenderSettings) -> &'static str {
    let hex = settings.background.trim_start_matches('#');
    let g = u8::from_str_radix(hex.get(2..4).unwrap_or("00"), 16).unwrap_or(0);
    if g > 160 { "BLACK" } else { "WHITE" }
}

fn shape_expression(shape: &str, colour: &str) -> String {
    match shape {
        "square" => format!("Square(side_length=2.0, color={colour}, fill_opacity=0.6)"),
        "triangle" => format!("Triangle(color={colour}, fill_opacity=0.6).scale(1.3)"),
        "star" => format!("Star(n=5, outer_radius=1.3, color={colour}, fill_opacity=0.6)"),
        "hexagon" => format!("RegularPolygon(n=6, color={colour}, fill_opacity=0.6).scale(1.3)"),
        _ => format!("Circle(radius=1.1, color={colour}, fill_opacity=0.6)"),
    }
}

/// Appends `self.play(...)` lines with run times from `timeline`, then the wait.
fn plays(body: &mut String, plays: &[(&str, f64)], settings: &RenderSettings) {
    let weights: Vec<f64> = plays.iter().map(|(_, w)| *w).collect();
    let (times, wait) = timeline(&weights, settings);
    for ((animations, _), time) in plays.iter().zip(times) {
        let _ = writeln!(body, "self.play({animations}, run_time={time})");
    }
    if let Some(wait) = wait {
        let _ = writeln!(body, "self.wait({wait}, frozen_frame=False)");
    }
}

fn title_card(v: &Values<'_>, settings: &RenderSettings) -> Result<String, GenerateError> {
    let title = v.text("title")?;
    let subtitle = v.text("subtitle")?;
    let colour = v.colour("color")?;
    let shape = v.choice("shape")?;
    let fg = foreground(settings);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "title = Text({}, font_size=60, color={fg})",
        py_string(&title)
    );
    let _ = writeln!(body, "title.scale_to_fit_width(min(title.width, 12))");
    let _ = writeln!(body, "underline = Underline(title, color={colour})");
    let _ = writeln!(
        body,
        "heading = VGroup(title, underline).to_edge(UP, buff=1.0)"
    );
    let mut steps: Vec<(String, f64)> = vec![("Write(title), Create(underline)".into(), 1.5)];
    if !subtitle.is_empty() {
        let _ = writeln!(
            body,
            "subtitle = Text({}, font_size=36, color={fg}).next_to(heading, DOWN)",
            py_string(&subtitle)
        );
        steps.push(("FadeIn(subtitle, shift=UP * 0.3)".into(), 1.0));
    }
    if shape != "none" {
        let _ = writeln!(
            body,
            "shape = {}.shift(DOWN * 1.2)",
            shape_expression(shape, &colour)
        );
        steps.push(("GrowFromCenter(shape)".into(), 1.0));
        steps.push(("Rotate(shape, angle=PI / 2)".into(), 1.0));
    }
    let steps: Vec<(&str, f64)> = steps.iter().map(|(a, w)| (a.as_str(), *w)).collect();
    plays(&mut body, &steps, settings);
    Ok(body)
}

fn function_plot(v: &Values<'_>, settings: &RenderSettings) -> Result<String, GenerateError> {
    let function = v.choice("function")?;
    let colour = v.colour("color")?;
    let title = v.text("title")?;
    let fg = foreground(settings);
    let (expr, x, y, label, start) = match function {
        "cosine" => (
            "np.cos(x)",
            "[-7, 7, 1]",
            "[-1.5, 1.5, 0.5]",
            "y = cos(x)",
            None,
        ),
        "parabola" => ("x ** 2", "[-3, 3, 1]", "[-1, 9, 1]", "y = x²", None),
        "cubic" => ("x ** 3", "[-2.2, 2.2, 1]", "[-10, 10, 2]", "y = x³", None),
        "exponential" => ("np.exp(x)", "[-3, 2.4, 1]", "[-1, 11, 2]", "y = eˣ", None),
        "logarithm" => (
            "np.log(x)",
            "[0, 10, 1]",
            "[-3, 3, 1]",
            "y = ln(x)",
            Some("[0.05, 10]"),
        ),
        "linear" => ("x", "[-5, 5, 1]", "[-5, 5, 1]", "y = x", None),
        "absolute" => ("np.abs(x)", "[-4, 4, 1]", "[-1, 5, 1]", "y = |x|", None),
        _ => (
            "np.sin(x)",
            "[-7, 7, 1]",
            "[-1.5, 1.5, 0.5]",
            "y = sin(x)",
            None,
        ),
    };
    let mut body = String::new();
    let _ = writeln!(
        body,
        "axes = Axes(x_range={x}, y_range={y}, x_length=10, y_length=5.5, axis_config={{\"color\": {fg}}})"
    );
    let _ = writeln!(
        body,
        "labels = axes.get_axis_labels(Text(\"x\", font_size=28, color={fg}), Text(\"y\", font_size=28, color={fg}))"
    );
    let range = start.map(|s| format!(", x_range={s}")).unwrap_or_default();
    let _ = writeln!(
        body,
        "graph = axes.plot(lambda x: {expr}, color={colour}{range})"
    );
    let _ = writeln!(
        body,
        "label = Text({}, font_size=32, color={colour}).to_corner(UR)",
        py_string(label)
    );
    let mut steps: Vec<(String, f64)> = Vec::new();
    if !title.is_empty() {
        let _ = writeln!(
            body,
            "heading = Text({}, font_size=40, color={fg}).to_edge(UP)",
            py_string(&title)
        );
        let _ = writeln!(body, "VGroup(axes, labels).next_to(heading, DOWN)");
        steps.push(("Write(heading)".into(), 1.0));
    }
    steps.push(("Create(axes), FadeIn(labels)".into(), 1.0));
    steps.push(("Create(graph)".into(), 2.0));
    steps.push(("Write(label)".into(), 0.8));
    let steps: Vec<(&str, f64)> = steps.iter().map(|(a, w)| (a.as_str(), *w)).collect();
    plays(&mut body, &steps, settings);
    Ok(body)
}

fn shape_morph(v: &Values<'_>, settings: &RenderSettings) -> Result<String, GenerateError> {
    let from = v.choice("from")?;
    let to = v.choice("to")?;
    let from_colour = v.colour("from_color")?;
    let to_colour = v.colour("to_color")?;
    let mut body = String::new();
    let _ = writeln!(body, "start = {}", shape_expression(from, &from_colour));
    let _ = writeln!(body, "end = {}", shape_expression(to, &to_colour));
    plays(
        &mut body,
        &[
            ("Create(start)", 1.0),
            ("Transform(start, end)", 1.5),
            ("Rotate(start, angle=PI / 2)", 1.0),
        ],
        settings,
    );
    Ok(body)
}

fn pythagorean(v: &Values<'_>, settings: &RenderSettings) -> Result<String, GenerateError> {
    let a = v.number("a")?;
    let b = v.number("b")?;
    let (ca, cb, cc) = (
        v.colour("color_a")?,
        v.colour("color_b")?,
        v.colour("color_c")?,
    );
    let c = (a * a + b * b).sqrt();
    let fg = foreground(settings);
    let fmt = |n: f64| {
        let s = format!("{n:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let mut body = String::new();
    let _ = writeln!(body, "a, b = {a:?}, {b:?}");
    let _ = writeln!(body, "p0, p1, p2 = ORIGIN, RIGHT * a, UP * b");
    let _ = writeln!(body, "normal = np.array([b, a, 0.0])");
    let _ = writeln!(
        body,
        "triangle = Polygon(p0, p1, p2, color={fg}, fill_opacity=0.2)"
    );
    let _ = writeln!(
        body,
        "square_a = Polygon(p0, p1, p1 + DOWN * a, p0 + DOWN * a, color={ca}, fill_opacity=0.5)"
    );
    let _ = writeln!(
        body,
        "square_b = Polygon(p0, p2, p2 + LEFT * b, p0 + LEFT * b, color={cb}, fill_opacity=0.5)"
    );
    let _ = writeln!(
        body,
        "square_c = Polygon(p1, p2, p2 + normal, p1 + normal, color={cc}, fill_opacity=0.5)"
    );
    let _ = writeln!(
        body,
        "figure = VGroup(triangle, square_a, square_b, square_c)"
    );
    let _ = writeln!(body, "figure.scale_to_fit_height(5.2).move_to(LEFT * 2.2)");
    let _ = writeln!(
        body,
        "label_a = Text(\"a²\", font_size=36, color={fg}).move_to(square_a)"
    );
    let _ = writeln!(
        body,
        "label_b = Text(\"b²\", font_size=36, color={fg}).move_to(square_b)"
    );
    let _ = writeln!(
        body,
        "label_c = Text(\"c²\", font_size=36, color={fg}).move_to(square_c)"
    );
    let _ = writeln!(
        body,
        "law = Text(\"a² + b² = c²\", font_size=44, color={fg}).to_edge(RIGHT, buff=0.8).shift(UP * 0.5)"
    );
    let numbers = format!("{}² + {}² = {}²", fmt(a), fmt(b), fmt(c));
    let _ = writeln!(
        body,
        "numbers = Text({}, font_size=32, color={fg}).next_to(law, DOWN)",
        py_string(&numbers)
    );
    plays(
        &mut body,
        &[
            ("Create(triangle)", 1.0),
            ("FadeIn(square_a), Write(label_a)", 1.0),
            ("FadeIn(square_b), Write(label_b)", 1.0),
            ("FadeIn(square_c), Write(label_c)", 1.0),
            ("Write(law)", 1.2),
            ("FadeIn(numbers), Indicate(law)", 1.0),
        ],
        settings,
    );
    Ok(body)
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
