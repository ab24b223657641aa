//! The response validator accepts what the spec declares and refuses what it doesn't.

use animaforge_api::validate::ResponseValidator;

fn headers() -> Vec<(String, String)> {
    [
        ("content-type", "application/json"),
        ("x-request-id", "req_1"),
        ("x-ratelimit-limit", "100"),
        ("x-ratelimit-remaining", "99"),
        ("x-ratelimit-reset", "1700000000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

const META: &str = r#"{"timestamp":"2025-01-15T10:30:00Z","request_id":"req_1"}"#;

#[test]
fn accepts_a_valid_like_response() {
    let v = ResponseValidator::new("/v1");
    let body =
        format!(r#"{{"success":true,"data":{{"liked":true,"like_count":43}},"meta":{META}}}"#);
    v.check(
        "POST",
        "/v1/animations/anim_1/like",
        200,
        &headers(),
        body.as_bytes(),
    )
    .unwrap();
}

#[test]
fn refuses_a_body_that_breaks_the_schema() {
    let v = ResponseValidator::new("/v1");
    let body = format!(r#"{{"success":true,"data":{{"liked":"yes"}},"meta":{META}}}"#);
    let err = v.check(
        "POST",
        "/v1/animations/anim_1/like",
        200,
        &headers(),
        body.as_bytes(),
    );
    assert!(err.unwrap_err().problem.contains("schema"));
}

#[test]
fn refuses_an_undeclared_status_and_a_missing_header() {
    let v = ResponseValidator::new("/v1");
    let body =
        format!(r#"{{"success":true,"data":{{"liked":true,"like_count":1}},"meta":{META}}}"#);
    let err = v.check(
        "POST",
        "/v1/animations/anim_1/like",
        418,
        &headers(),
        body.as_bytes(),
    );
    assert!(err.unwrap_err().problem.contains("not declared"));

    let mut without_id = headers();
    without_id.retain(|(k, _)| k != "x-request-id");
    let err = v.check(
        "POST",
        "/v1/animations/anim_1/like",
        200,
        &without_id,
        body.as_bytes(),
    );
    assert!(
        err.unwrap_err()
            .problem
            .to_lowercase()
            .contains("x-request-id")
    );
}

#[test]
fn error_envelopes_are_checked_too() {
    let v = ResponseValidator::new("/v1");
    let good = format!(
        r#"{{"success":false,"error":{{"code":"NOT_FOUND","message":"no","details":null}},"meta":{META}}}"#
    );
    v.check(
        "GET",
        "/v1/animations/anim_x",
        404,
        &headers(),
        good.as_bytes(),
    )
    .unwrap();
    let bad =
        format!(r#"{{"success":false,"error":{{"code":"NOPE","message":"no"}},"meta":{META}}}"#);
    assert!(
        v.check(
            "GET",
            "/v1/animations/anim_x",
            404,
            &headers(),
            bad.as_bytes()
        )
        .is_err()
    );
}

#[test]
fn literal_paths_win_over_templates() {
    let v = ResponseValidator::new("/v1");
    // `/animations/generate` is its own operation, not `/animations/{id}` with id=generate.
    let body = format!(
        r#"{{"success":true,"data":{{"job_id":"job_1","status":"queued","estimated_time":30,"webhook_url":null,"status_url":"http://x/v1/animations/jobs/job_1","events_url":"http://x/v1/animations/jobs/job_1/events"}},"meta":{META}}}"#
    );
    v.check(
        "POST",
        "/v1/animations/generate",
        202,
        &headers(),
        body.as_bytes(),
    )
    .unwrap();
}
