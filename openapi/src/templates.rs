//! Scene templates. Addition to the documented API.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::wire_enum;

wire_enum! {
    /// Types of template parameters.
    pub enum TemplateParameterType {
        /// Text.
        String = "string",
        /// A number.
        Number = "number",
        /// A whole number.
        Integer = "integer",
        /// A colour, `#rrggbb` or a Manim colour name.
        Color = "color",
        /// One of `choices`.
        Choice = "choice",
    }
}

/// One parameter of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TemplateParameter {
    /// Key in `template_params`.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: TemplateParameterType,
    /// What it controls.
    pub description: String,
    /// Whether it must be given.
    pub required: bool,
    /// The value used when it is omitted.
    pub default: Option<serde_json::Value>,
    /// Allowed values, for `choice`.
    pub choices: Option<Vec<String>>,
}

/// A parameterised scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Template {
    /// Id to pass as `template`.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Its parameters.
    pub parameters: Vec<TemplateParameter>,
}

/// `data` of `GET /templates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TemplateList {
    /// Every template.
    pub templates: Vec<Template>,
}
