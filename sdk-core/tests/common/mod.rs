//! Shared helpers: a client pointed at a scripted server, envelopes, fixtures.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use animaforge_core::{AnimaForge, RetryPolicy};
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

pub const KEY: &str = "af_live_test_key_0123456789";

/// Fast retries without jitter and without a budget, so tests are quick and exact.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .jitter(false)
        .budget(None)
}

pub fn client(uri: &str) -> AnimaForge {
    AnimaForge::builder()
        .base_url(format!("{uri}/v1"))
        .api_key(KEY)
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

pub fn envelope(data: Value) -> Value {
    json!({
        "success": true,
        "data": data,
        "meta": {"timestamp": "2025-01-15T10:30:00Z", "request_id": "req_test"}
    })
}

pub fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(envelope(data))
}

pub fn api_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "success": false,
        "error": {"code": code, "message": message, "details": null},
        "meta": {"timestamp": "2025-01-15T10:30:00Z", "request_id": "req_err"}
    }))
}

pub fn generated_animation(id: &str) -> Value {
    json!({
        "id": id,
        "url": format!("http://localhost/v1/animations/{id}/download"),
        "thumbnail_url": format!("http://localhost/v1/files/{id}.jpg"),
        "source_code": "from manim import *",
        "metadata": {"duration": 5.0, "fps": 60.0, "resolution": "1920x1080", "file_size": 2048}
    })
}

pub fn job(id: &str, status: &str, progress: u8, logs: &[&str]) -> Value {
    let animation = if status == "completed" {
        generated_animation("anim_1")
    } else {
        Value::Null
    };
    let error = if status == "failed" {
        json!({"code": "VALIDATION_ERROR", "message": "the scene was rejected"})
    } else {
        Value::Null
    };
    json!({
        "job_id": id,
        "status": status,
        "progress": progress,
        "estimated_remaining": if status == "completed" { Value::Null } else { json!(0) },
        "logs": logs,
        "prompt": "rotating cube",
        "backend": "local",
        "animation": animation,
        "error": error,
        "created_at": "2025-01-15T10:30:00Z",
        "updated_at": "2025-01-15T10:30:05Z"
    })
}

pub fn accepted(job_id: &str) -> Value {
    json!({
        "job_id": job_id,
        "status": "queued",
        "estimated_time": 30,
        "webhook_url": null,
        "status_url": format!("/v1/animations/jobs/{job_id}"),
        "events_url": format!("/v1/animations/jobs/{job_id}/events")
    })
}

pub fn summary(id: &str) -> Value {
    json!({
        "id": id,
        "title": format!("Animation {id}"),
        "description": "",
        "thumbnail_url": null,
        "creator": {"id": "user_1", "username": "maker", "avatar_url": null},
        "stats": {"views": 0, "downloads": 0, "likes": 0},
        "duration": 5.0,
        "resolution": "1080p",
        "license": "MIT",
        "price": 0.0,
        "tags": [],
        "category": "math",
        "created_at": "2025-01-10T15:00:00Z"
    })
}

pub fn page(ids: &[&str], page: u32, pages: u64) -> Value {
    json!({
        "animations": ids.iter().map(|id| summary(id)).collect::<Vec<_>>(),
        "pagination": {"page": page, "per_page": 2, "total": pages * 2, "pages": pages}
    })
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
