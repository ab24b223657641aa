//! Scene templates: `/templates`, the engine's catalog as wire types.

use animaforge_api::{Template, TemplateList, TemplateParameter, TemplateParameterType};
use axum::Router;
use axum::routing::get;

use crate::app::AppState;
use crate::generate::{ParameterKind, TemplateSpec, templates};
use crate::http::{Data, MaybeUser};

/// `/templates` (public; a credential, when sent, must be valid).
pub fn router() -> Router<AppState> {
    Router::new().route("/templates", get(list))
}

fn template(spec: &TemplateSpec) -> Template {
    Template {
        id: spec.id.to_owned(),
        name: spec.name.to_owned(),
        description: spec.description.to_owned(),
        parameters: spec
            .parameters
            .iter()
            .map(|p| {
                let (kind, choices) = match p.kind {
                    ParameterKind::Text { .. } => (TemplateParameterType::String, None),
                    ParameterKind::Number { .. } => (TemplateParameterType::Number, None),
                    ParameterKind::Colour => (TemplateParameterType::Color, None),
                    ParameterKind::Choice { options } => (
                        TemplateParameterType::Choice,
                        Some(options.iter().map(|o| (*o).to_owned()).collect()),
                    ),
                };
                TemplateParameter {
                    name: p.name.to_owned(),
                    kind,
                    description: p.description.to_owned(),
                    required: false,
                    default: serde_json::from_str(p.default).ok(),
                    choices,
                }
            })
            .collect(),
    }
}

async fn list(MaybeUser(_user): MaybeUser) -> Data<TemplateList> {
    Data::ok(TemplateList {
        templates: templates().iter().map(template).collect(),
    })
}
