//! The contract itself, embedded so the server can serve it at `/v1/openapi.json`.

use std::sync::OnceLock;

/// `openapi/animaforge.yaml`, verbatim.
pub const OPENAPI_YAML: &str = include_str!("../animaforge.yaml");

/// The spec as JSON, parsed once.
pub fn openapi_json() -> &'static serde_json::Value {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_norway::from_str(OPENAPI_YAML).expect("openapi/animaforge.yaml is valid YAML")
    })
}
