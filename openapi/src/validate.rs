//! Checks an HTTP response against the spec: the status is declared for the operation,
//! the declared required headers are present, and a JSON body matches the declared
//! schema. Servers run it on every response in their tests, so a mismatch fails a test
//! rather than a user's program.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::spec::openapi_json;

/// One way a response breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{method} {path} -> {status}: {problem}")]
pub struct SpecViolation {
    /// Request method.
    pub method: String,
    /// Request path, as sent.
    pub path: String,
    /// Response status.
    pub status: u16,
    /// What is wrong.
    pub problem: String,
}

struct Operation {
    method: String,
    template: Vec<Segment>,
    pointer: String,
    literal_segments: usize,
}

enum Segment {
    Literal(String),
    Parameter,
}

/// Matches requests to the spec's operations and validates their responses.
pub struct ResponseValidator {
    base_path: String,
    operations: Vec<Operation>,
    compiled: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl std::fmt::Debug for ResponseValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseValidator")
            .field("base_path", &self.base_path)
            .field("operations", &self.operations.len())
            .finish()
    }
}

fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl ResponseValidator {
    /// A validator for the embedded spec, for paths under `base_path` (`/v1`).
    pub fn new(base_path: &str) -> ResponseValidator {
        let spec = openapi_json();
        let mut operations = Vec::new();
        if let Some(paths) = spec["paths"].as_object() {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for method in item.keys() {
                    if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                        continue;
                    }
                    let template: Vec<Segment> = path
                        .trim_start_matches('/')
                        .split('/')
                        .map(|s| {
                            if s.starts_with('{') && s.ends_with('}') {
                                Segment::Parameter
                            } else {
                                Segment::Literal(s.to_owned())
                            }
                        })
                        .collect();
                    let literal_segments = template
                        .iter()
                        .filter(|s| matches!(s, Segment::Literal(_)))
                        .count();
                    operations.push(Operation {
                        method: method.to_uppercase(),
                        template,
                        pointer: format!("/paths/{}/{}", escape_pointer(path), method),
                        literal_segments,
                    });
                }
            }
        }
        ResponseValidator {
            base_path: base_path.trim_end_matches('/').to_owned(),
            operations,
            compiled: Mutex::new(HashMap::new()),
        }
    }

    fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let path = path.split('?').next().unwrap_or(path);
        let relative = path.strip_prefix(&self.base_path)?;
        let segments: Vec<&str> = relative.trim_start_matches('/').split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter(|op| {
                op.template.len() == segments.len()
                    && op.template.iter().zip(&segments).all(|(t, s)| match t {
                        Segment::Literal(l) => l == s,
                        Segment::Parameter => !s.is_empty(),
                    })
            })
            .max_by_key(|op| op.literal_segments)
    }

    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
        let mut cache = self.compiled.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.get(pointer) {
            return Ok(v.clone());
        }
        // The schema is the root, with the spec's components beside it so that
        // `#/components/...` references resolve.
        let spec = openapi_json();
        let schema = spec
            .pointer(pointer)
            .ok_or_else(|| format!("no schema at {pointer}"))?;
        let mut root = schema.clone();
        let Some(object) = root.as_object_mut() else {
            return Err(format!("schema at {pointer} is not an object"));
        };
        object.insert("components".into(), spec["components"].clone());
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .map_err(|e| format!("schema at {pointer} does not compile: {e}"))?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), validator.clone());
        Ok(validator)
    }

    /// Checks one response. `headers` are (lower- or mixed-case name, value) pairs.
    /// Requests outside the base path or to no operation of the spec are violations too.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), SpecViolation> {
        let violation = |problem: String| SpecViolation {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            problem,
        };
        let Some(op) = self.find(method, path) else {
            // Unknown routes answer 404/405 with the error envelope, or are refused
            // before routing (rate limits); there is no operation to match.
            return if matches!(status, 404 | 405 | 429) {
                Ok(())
            } else {
                Err(violation(
                    "no operation in the spec matches this request".into(),
                ))
            };
        };
        let spec = openapi_json();
        let operation = spec.pointer(&op.pointer).unwrap_or(&Value::Null);
        let status_key = status.to_string();
        let Some(response) = operation["responses"].get(&status_key) else {
            return Err(violation(format!("status {status} is not declared")));
        };
        let response = resolve(spec, response);
        let header_value = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };

        if let Some(declared) = response["headers"].as_object() {
            for (name, header) in declared {
                let header = resolve(spec, header);
                if header["required"].as_bool() == Some(true) && header_value(name).is_none() {
                    return Err(violation(format!("required header {name} is missing")));
                }
            }
        }

        let content_type = header_value("content-type").unwrap_or("");
        let Some(content) = response["content"].as_object() else {
            return Ok(());
        };
        if !content_type.starts_with("application/json") {
            let declared = content.keys().any(|k| content_type.starts_with(k.as_str()));
            return if declared || body.is_empty() && content.is_empty() {
                Ok(())
            } else {
                Err(violation(format!(
                    "content type {content_type:?} is not declared"
                )))
            };
        }
        let Some(media) = content.get("application/json") else {
            return Err(violation("a JSON body is not declared".into()));
        };
        let instance: Value = serde_json::from_slice(body)
            .map_err(|e| violation(format!("body is not JSON: {e}")))?;
        let pointer = format!(
            "{}/responses/{}/content/application~1json/schema",
            op.pointer,
            escape_pointer(&status_key)
        );
        if media.get("schema").is_none() && response.get("$ref").is_none() {
            return Ok(());
        }
        // Responses may be `$ref`s to components.responses: point at the resolved one.
        let pointer = match operation["responses"][&status_key]["$ref"].as_str() {
            Some(r) => format!(
                "{}/content/application~1json/schema",
                r.trim_start_matches('#')
            ),
            None => pointer,
        };
        let validator = self.validator(&pointer).map_err(violation)?;
        let problems: Vec<String> = validator
            .iter_errors(&instance)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(violation(format!(
                "body does not match the schema: {}",
                problems.join("; ")
            )))
        }
    }
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => spec.pointer(r.trim_start_matches('#')).unwrap_or(value),
        None => value,
    }
}
