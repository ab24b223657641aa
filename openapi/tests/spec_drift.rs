//! The spec and the wire types say the same thing.
//!
//! Descriptions, titles and examples may differ; everything else (property names, types,
//! formats, required-ness, constraints, enum values, references) must be equal.

use std::collections::BTreeSet;

use animaforge_api::schema;
use animaforge_api::spec::openapi_json;
use serde_json::{Map, Value};

/// Keys that document rather than constrain.
const DOCUMENTATION_KEYS: &[&str] = &["description", "title", "example", "examples", "deprecated"];

fn normalise(value: &Value) -> Value {
    normalise_in(value, false)
}

/// Normalises `value`; `keys_are_names` says that its keys are property names (it is the map
/// under `properties`), so a property called `title` or `description` is kept, not taken for
/// documentation.
fn normalise_in(value: &Value, keys_are_names: bool) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, inner) in map {
                let documents = DOCUMENTATION_KEYS.contains(&key.as_str()) || key.starts_with("x-");
                if documents && !keys_are_names {
                    continue;
                }
                let names_below = !keys_are_names && key == "properties";
                out.insert(key.clone(), normalise_in(inner, names_below));
            }
            if keys_are_names {
                return Value::Object(out);
            }
            // `type: [string, "null"]` and `type: ["null", string]` are the same.
            if let Some(Value::Array(types)) = out.get_mut("type") {
                types.sort_by_key(|t| t.to_string());
            }
            if let Some(Value::Array(required)) = out.get_mut("required") {
                required.sort_by_key(|t| t.to_string());
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        // 1 and 1.0 are the same bound.
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Value::from(f as i64),
            _ => value.clone(),
        },
        other => other.clone(),
    }
}

fn spec_components() -> Map<String, Value> {
    openapi_json()["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// Lists every difference between two normalised schemas, with its JSON path.
fn differences(path: &str, spec: &Value, types: &Value, out: &mut Vec<String>) {
    match (spec, types) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let child = format!("{path}/{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(&child, x, y, out),
                    (Some(x), None) => out.push(format!("{child}: only in the spec: {x}")),
                    (None, Some(y)) => out.push(format!("{child}: only in the types: {y}")),
                    (None, None) => {}
                }
            }
        }
        (a, b) if a != b => out.push(format!("{path}: spec has {a}, types have {b}")),
        _ => {}
    }
}

#[test]
fn every_component_matches_its_wire_type() {
    let spec = spec_components();
    let types = schema::components();

    let spec_names: BTreeSet<&String> = spec.keys().collect();
    let type_names: BTreeSet<&String> = types.keys().collect();
    let mut problems = Vec::new();
    for name in spec_names.difference(&type_names) {
        problems.push(format!(
            "component {name} is in the spec but no wire type has it"
        ));
    }
    for name in type_names.difference(&spec_names) {
        problems.push(format!(
            "wire type {name} is missing from the spec's components"
        ));
    }
    for (name, type_schema) in &types {
        if let Some(spec_schema) = spec.get(name) {
            differences(
                name,
                &normalise(spec_schema),
                &normalise(type_schema),
                &mut problems,
            );
        }
    }
    assert!(
        problems.is_empty(),
        "spec and wire types disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_query_matches_its_wire_type() {
    let spec = openapi_json();
    let mut problems = Vec::new();
    for (operation_id, query) in schema::query_parameters() {
        let Some(operation) = find_operation(spec, operation_id) else {
            problems.push(format!("operation {operation_id} is missing from the spec"));
            continue;
        };
        let declared: Vec<&Value> = operation["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == "query").collect())
            .unwrap_or_default();
        let properties = query["properties"].as_object().cloned().unwrap_or_default();
        let required: BTreeSet<String> = query["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();

        let declared_names: BTreeSet<String> = declared
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        let type_names: BTreeSet<String> = properties.keys().cloned().collect();
        if declared_names != type_names {
            problems.push(format!(
                "{operation_id}: query parameters {declared_names:?} != wire type {type_names:?}"
            ));
            continue;
        }
        for parameter in declared {
            let name = parameter["name"].as_str().unwrap_or_default();
            let is_required = parameter["required"].as_bool().unwrap_or(false);
            if is_required != required.contains(name) {
                problems.push(format!("{operation_id}.{name}: required differs"));
            }
            // A query parameter is never null on the wire, so the spec states the bare
            // type; strip the "null" alternative of the Option before comparing.
            let type_schema = non_null(&properties[name]);
            differences(
                &format!("{operation_id}.{name}"),
                &normalise(&parameter["schema"]),
                &normalise(&type_schema),
                &mut problems,
            );
        }
    }
    assert!(
        problems.is_empty(),
        "query parameters disagree:\n{}",
        problems.join("\n")
    );
}

/// The schema of an `Option<T>` without its `null` alternative.
fn non_null(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            schema["type"] = only;
        }
    }
    if let Some(Value::Array(any_of)) = schema.get("anyOf").cloned() {
        let rest: Vec<Value> = any_of.into_iter().filter(|s| s["type"] != "null").collect();
        if rest.len() == 1 {
            let mut merged = schema.as_object().cloned().unwrap_or_default();
            merged.remove("anyOf");
            for (k, v) in rest[0].as_object().cloned().unwrap_or_default() {
                merged.insert(k, v);
            }
            schema = Value::Object(merged);
        }
    }
    schema
}

fn find_operation<'a>(spec: &'a Value, operation_id: &str) -> Option<&'a Value> {
    spec["paths"].as_object()?.values().find_map(|item| {
        item.as_object()?
            .values()
            .find(|op| op["operationId"] == operation_id)
    })
}

#[test]
fn the_drift_check_notices_a_field_removed_from_the_spec_only() {
    let mut spec = spec_components();
    let types = schema::components();
    let job = spec
        .get_mut("Job")
        .and_then(Value::as_object_mut)
        .expect("Job in the spec");
    job["properties"]
        .as_object_mut()
        .expect("Job has properties")
        .remove("progress");

    let mut problems = Vec::new();
    differences(
        "Job",
        &normalise(&spec["Job"]),
        &normalise(&types["Job"]),
        &mut problems,
    );
    assert!(
        problems.iter().any(|p| p.contains("progress")),
        "removing Job.progress from the spec went unnoticed: {problems:?}"
    );
}

#[test]
fn the_drift_check_notices_a_property_named_like_a_documentation_key() {
    let mut spec = spec_components();
    let types = schema::components();
    let animation = spec
        .get_mut("Animation")
        .and_then(Value::as_object_mut)
        .expect("Animation in the spec");
    animation["properties"]
        .as_object_mut()
        .expect("Animation has properties")
        .remove("title");

    let mut problems = Vec::new();
    differences(
        "Animation",
        &normalise(&spec["Animation"]),
        &normalise(&types["Animation"]),
        &mut problems,
    );
    assert!(
        problems.iter().any(|p| p.contains("/properties/title")),
        "removing Animation.title from the spec went unnoticed: {problems:?}"
    );
}
