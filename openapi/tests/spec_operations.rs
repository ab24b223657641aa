//! The spec has every operation of the API, each complete.

use std::collections::BTreeSet;

use animaforge_api::spec::openapi_json;
use serde_json::Value;

/// Every operation: (operationId, method, path). The documented API plus the additions
/// (API keys, job cancel and events, unlike, webhook list and delete, templates, health,
/// the spec itself, signed files).
const OPERATIONS: &[(&str, &str, &str)] = &[
    ("registerUser", "post", "/auth/register"),
    ("loginUser", "post", "/auth/login"),
    ("refreshToken", "post", "/auth/refresh"),
    ("getCurrentUser", "get", "/auth/me"),
    ("createApiKey", "post", "/api-keys"),
    ("listApiKeys", "get", "/api-keys"),
    ("revokeApiKey", "delete", "/api-keys/{id}"),
    ("generateAnimation", "post", "/animations/generate"),
    ("getJob", "get", "/animations/jobs/{job_id}"),
    ("cancelJob", "post", "/animations/jobs/{job_id}/cancel"),
    ("streamJobEvents", "get", "/animations/jobs/{job_id}/events"),
    ("listAnimations", "get", "/animations"),
    ("uploadAnimation", "post", "/animations"),
    ("getAnimation", "get", "/animations/{id}"),
    ("updateAnimation", "put", "/animations/{id}"),
    ("deleteAnimation", "delete", "/animations/{id}"),
    ("downloadAnimation", "get", "/animations/{id}/download"),
    ("likeAnimation", "post", "/animations/{id}/like"),
    ("unlikeAnimation", "delete", "/animations/{id}/like"),
    ("getAnimationSource", "get", "/animations/{id}/source"),
    ("listTemplates", "get", "/templates"),
    ("searchAnimations", "get", "/search"),
    ("autocomplete", "get", "/search/autocomplete"),
    ("getUser", "get", "/users/{id}"),
    ("listUserAnimations", "get", "/users/{id}/animations"),
    ("followUser", "post", "/users/{id}/follow"),
    ("unfollowUser", "delete", "/users/{id}/follow"),
    ("getFeatured", "get", "/marketplace/featured"),
    ("getTrending", "get", "/marketplace/trending"),
    ("purchaseAnimation", "post", "/marketplace/purchase"),
    ("listPurchases", "get", "/marketplace/purchases"),
    ("getDashboard", "get", "/analytics/dashboard"),
    ("getAnimationAnalytics", "get", "/analytics/animations/{id}"),
    ("createWebhook", "post", "/webhooks"),
    ("listWebhooks", "get", "/webhooks"),
    ("deleteWebhook", "delete", "/webhooks/{id}"),
    ("getHealth", "get", "/health"),
    ("getOpenApi", "get", "/openapi.json"),
    ("getSignedFile", "get", "/files/{object}"),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn operations(spec: &Value) -> Vec<(String, String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                let id = op["operationId"].as_str().unwrap_or_default().to_owned();
                out.push((id, method.clone(), path.clone(), op));
            }
        }
    }
    out
}

#[test]
fn the_spec_has_exactly_the_listed_operations() {
    let spec = openapi_json();
    let found: BTreeSet<(String, String, String)> = operations(spec)
        .into_iter()
        .map(|(id, m, p, _)| (id, m, p))
        .collect();
    let wanted: BTreeSet<(String, String, String)> = OPERATIONS
        .iter()
        .map(|(id, m, p)| (id.to_string(), m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = wanted.difference(&found).collect();
    let extra: Vec<_> = found.difference(&wanted).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(found.len(), 39);
}

#[test]
fn every_operation_is_complete() {
    let spec = openapi_json();
    let mut problems = Vec::new();
    for (id, method, path, op) in operations(spec) {
        let name = format!("{method} {path} ({id})");
        if op["tags"].as_array().is_none_or(|t| t.is_empty()) {
            problems.push(format!("{name}: no tag"));
        }
        if op.get("security").is_none() {
            problems.push(format!("{name}: no explicit security"));
        }
        let responses = op["responses"].as_object().cloned().unwrap_or_default();
        if !responses
            .keys()
            .any(|k| k.starts_with('2') || k.starts_with('3'))
        {
            problems.push(format!("{name}: no success response"));
        }
        for status in ["429", "500"] {
            if !responses.contains_key(status) {
                problems.push(format!("{name}: no {status} response"));
            }
        }
        let needs_auth = op["security"].as_array().is_some_and(|s| {
            !s.is_empty()
                && s.iter()
                    .all(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        });
        if needs_auth && !responses.contains_key("401") {
            problems.push(format!("{name}: requires auth but declares no 401"));
        }
        if (op.get("requestBody").is_some() || op.get("parameters").is_some())
            && !responses.contains_key("400")
            && id != "getSignedFile"
        {
            problems.push(format!("{name}: takes input but declares no 400"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn idempotency_keys_are_accepted_where_charges_or_jobs_are_created() {
    let spec = openapi_json();
    for (id, _, _, op) in operations(spec) {
        if id == "generateAnimation" || id == "purchaseAnimation" {
            let text = op["parameters"].to_string();
            assert!(
                text.contains("Idempotency-Key"),
                "{id} does not take an Idempotency-Key"
            );
        }
    }
}
