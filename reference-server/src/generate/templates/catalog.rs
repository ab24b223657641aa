//! The template catalog: each template's id, description and typed parameters.

use serde::Serialize;

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
