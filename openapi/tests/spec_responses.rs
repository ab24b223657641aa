//! Every response the spec declares keeps the API's promises: the request id and rate-limit
//! headers everywhere, `Retry-After` on 429, error examples whose code goes with the status,
//! success bodies in the envelope, and additions marked as such.

use animaforge_api::ErrorCode;
use animaforge_api::spec::openapi_json;
use serde_json::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

const EVERY_RESPONSE_HEADERS: &[&str] = &[
    "X-Request-Id",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
];

/// Operations the reference documentation does not have.
const ADDITIONS: &[&str] = &[
    "createApiKey",
    "listApiKeys",
    "revokeApiKey",
    "cancelJob",
    "streamJobEvents",
    "unlikeAnimation",
    "listTemplates",
    "listWebhooks",
    "deleteWebhook",
    "getHealth",
    "getOpenApi",
    "getSignedFile",
];

/// Operations whose success body is not the JSON envelope.
const NOT_ENVELOPED: &[&str] = &[
    "getOpenApi",
    "streamJobEvents",
    "downloadAnimation",
    "getSignedFile",
];

/// Follows a local `$ref` (`#/components/...`) to what it points at.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) => {
            let target = spec
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or(&Value::Null);
            resolve(spec, target)
        }
        None => value,
    }
}

/// (operationId, status, resolved response) for every response of every path operation.
fn responses(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for (method, op) in item.as_object().expect("path item") {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                out.push((id.clone(), status.clone(), resolve(spec, response)));
            }
        }
    }
    out
}

#[test]
fn every_response_carries_the_request_id_and_rate_limit_headers() {
    let spec = openapi_json();
    let mut problems = Vec::new();
    for (id, status, response) in responses(spec) {
        let headers = response["headers"].as_object().cloned().unwrap_or_default();
        let mut wanted = EVERY_RESPONSE_HEADERS.to_vec();
        if status == "429" {
            wanted.push("Retry-After");
        }
        for name in wanted {
            match headers.get(name) {
                Some(header) if resolve(spec, header)["required"] == true => {}
                Some(_) => problems.push(format!("{id} {status}: {name} is not required")),
                None => problems.push(format!("{id} {status}: no {name} header")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_error_response_has_examples_whose_code_goes_with_its_status() {
    let spec = openapi_json();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (id, status, response) in responses(spec) {
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        let media = &response["content"]["application/json"];
        let examples = media["examples"].as_object().cloned().unwrap_or_default();
        if examples.is_empty() {
            problems.push(format!("{id} {status}: no example"));
        }
        for (name, example) in examples {
            let code = &resolve(spec, &example)["value"]["error"]["code"];
            match serde_json::from_value::<ErrorCode>(code.clone()) {
                Ok(code) if code.http_status().to_string() == status => checked += 1,
                Ok(code) => problems.push(format!(
                    "{id} {status}: example {name} has {code}, which is {}",
                    code.http_status()
                )),
                Err(_) => problems.push(format!("{id} {status}: example {name} has code {code}")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 100, "only {checked} error examples were checked");
}

#[test]
fn success_bodies_are_enveloped() {
    let spec = openapi_json();
    let mut problems = Vec::new();
    for (id, status, response) in responses(spec) {
        if !status.starts_with('2') || NOT_ENVELOPED.contains(&id.as_str()) {
            continue;
        }
        let schema = &response["content"]["application/json"]["schema"];
        let properties = &schema["properties"];
        let required = schema["required"].to_string();
        let enveloped = properties["success"]["const"] == true
            && properties["data"]["$ref"]
                .as_str()
                .is_some_and(|r| r.starts_with("#/components/schemas/"))
            && properties["meta"]["$ref"] == "#/components/schemas/Meta"
            && ["success", "data", "meta"]
                .iter()
                .all(|k| required.contains(k));
        if !enveloped {
            problems.push(format!(
                "{id} {status}: not {{success: true, data: $ref, meta: Meta}}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn additions_say_so() {
    let spec = openapi_json();
    let mut found = 0;
    for item in spec["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            let id = op["operationId"].as_str().unwrap_or_default();
            let description = op["description"].as_str().unwrap_or_default();
            let says_so = description.contains("Addition to the documented API.");
            if ADDITIONS.contains(&id) {
                found += 1;
                assert!(
                    says_so,
                    "{id} is an addition but its description does not say so"
                );
            } else {
                assert!(
                    !says_so,
                    "{id} is documented but its description calls it an addition"
                );
            }
        }
    }
    assert_eq!(found, ADDITIONS.len());
}

#[test]
fn idempotency_keys_are_bounded() {
    let spec = openapi_json();
    for (path, method) in [
        ("/animations/generate", "post"),
        ("/marketplace/purchase", "post"),
    ] {
        let parameters = spec["paths"][path][method]["parameters"]
            .as_array()
            .expect("parameters");
        let key = parameters
            .iter()
            .map(|p| resolve(spec, p))
            .find(|p| p["name"] == "Idempotency-Key")
            .unwrap_or_else(|| panic!("{method} {path} has no Idempotency-Key"));
        assert_eq!(key["in"], "header");
        assert_eq!(key["schema"]["minLength"], 1);
        assert_eq!(key["schema"]["maxLength"], 255);
    }
}
