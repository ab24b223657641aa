//! Extractors whose rejections are envelopes: [`Json`], [`Query`], [`Path`].
//!
//! Use these instead of axum's: a malformed body, a wrong content type or a bad
//! query value becomes `VALIDATION_ERROR` (or 413 / 415) naming the field.

use animaforge_api::{ErrorCode, ErrorDetails};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON request body (`Content-Type: application/json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Expected a request with `Content-Type: application/json`",
            )
            .with_details(ErrorDetails {
                field: Some("Content-Type".into()),
                constraint: Some("must be application/json".into()),
                ..ErrorDetails::default()
            }));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        parse_json(&bytes).map(Json)
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Ok(mime) = value.parse::<mime::Mime>() else {
        return false;
    };
    mime.type_() == "application"
        && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
}

/// The rejection of reading a body: 413 past the limit, otherwise a bad request.
pub fn body_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large")
    } else {
        ApiError::validation("body", "could not be read")
    }
}

/// Request members whose schema is an object. Serde's derived structs also take a JSON
/// array (fields by position), which the contract does not allow.
const OBJECT_MEMBERS: [&str; 1] = ["config"];

/// What the contract asks of every JSON body before its fields are read: valid JSON,
/// an object at the top and where [`OBJECT_MEMBERS`] are, and no NUL characters in
/// strings (PostgreSQL cannot store them, and no field has a use for them).
fn check_shape(bytes: &[u8]) -> Result<(), ApiError> {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        // Valid JSON with a number no field can hold: the typed pass names the field.
        Err(e) if e.to_string().starts_with("number out of range") => return Ok(()),
        Err(_) => return Err(ApiError::validation("body", "must be valid JSON")),
    };
    if !value.is_object() {
        return Err(ApiError::validation("body", "must be a JSON object"));
    }
    walk(&value, "")
}

fn walk(value: &serde_json::Value, path: &str) -> Result<(), ApiError> {
    let field = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::String(text) if text.contains('\0') => Err(ApiError::validation(
            if path.is_empty() { "body" } else { path },
            "must not contain NUL characters",
        )),
        serde_json::Value::Object(members) => {
            for (key, member) in members {
                if key.contains('\0') {
                    return Err(ApiError::validation(
                        if path.is_empty() { "body" } else { path },
                        "must not contain NUL characters",
                    ));
                }
                if OBJECT_MEMBERS.contains(&key.as_str())
                    && !(member.is_object() || member.is_null())
                {
                    return Err(ApiError::validation(field(key), "must be an object"));
                }
                walk(member, &field(key))?;
            }
            Ok(())
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Parses JSON text into `T`, naming the offending field on failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    check_shape(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => {
            if de.end().is_err() {
                return Err(ApiError::validation("body", "must be a single JSON value"));
            }
            Ok(value)
        }
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            // The text is valid JSON (checked above), so even serde_json's "syntax"
            // errors here are about a value: a number for a choice, a number out of
            // range. Only without a path do they concern the body.
            if (inner.is_syntax() || inner.is_eof()) && (path.is_empty() || path == ".") {
                return Err(ApiError::validation("body", "must be valid JSON"));
            }
            Err(data_error(&path, &inner.to_string()))
        }
    }
}

/// A field-level deserialisation error: the path, and the message without serde's
/// position suffix. A missing field is reported as that field.
fn data_error(path: &str, message: &str) -> ApiError {
    let message = message.split(" at line ").next().unwrap_or(message);
    let mut field = if path == "." || path.is_empty() {
        String::new()
    } else {
        path.to_owned()
    };
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        field = if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        };
        return ApiError::validation(field, "is required");
    }
    if field.is_empty() {
        field = "body".into();
    }
    ApiError::validation(field, friendly_body_constraint(message))
}

/// Serde's wording (`invalid type: string "x", expected u32`) in the contract's terms.
fn friendly_body_constraint(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        return match rest.split_once(", expected one of ") {
            Some((_, values)) => format!("must be one of {}", values.replace('`', "")),
            None => "is not an allowed value".to_owned(),
        };
    }
    match message {
        // serde_json's words for a number given where a name is expected.
        "expected value" => return "must be one of the allowed names (a string)".to_owned(),
        "number out of range" => return "must be a number in range".to_owned(),
        _ => {}
    }
    let Some((_, expected)) = message.rsplit_once(", expected ") else {
        return message.to_owned();
    };
    let wanted = match expected.trim() {
        "f32" | "f64" => "a number".to_owned(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a non-negative integer".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "an integer".to_owned(),
        "a boolean" => "true or false".to_owned(),
        other if other.starts_with("struct ") || other.starts_with("a map") => {
            "an object".to_owned()
        }
        other if other.starts_with("a sequence") => "an array".to_owned(),
        other if other.starts_with("a JSON ") => format!("a {}", &other["a JSON ".len()..]),
        other => other.to_owned(),
    };
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        format!("must be {wanted}")
    } else {
        message.to_owned()
    }
}

/// A query string deserialised into `T`; errors name the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        for (name, value) in form_urlencoded_parse(query) {
            if value.contains('\0') {
                return Err(ApiError::validation(
                    name.into_owned(),
                    "must not contain NUL characters",
                ));
            }
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(Query)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                let constraint = friendly_query_constraint(&message);
                if let Some(rest) = message.strip_prefix("missing field `") {
                    return ApiError::validation(rest.trim_end_matches('`'), "is required");
                }
                let field = if path == "." {
                    "query".to_owned()
                } else {
                    path
                };
                // Pages count from 1: say so rather than "non-negative".
                let constraint = match field.as_str() {
                    "page" if constraint.starts_with("must be a non-negative") => {
                        "must be an integer of at least 1".to_owned()
                    }
                    "per_page" if constraint.starts_with("must be a non-negative") => {
                        "must be an integer between 1 and 100".to_owned()
                    }
                    _ => constraint,
                };
                ApiError::validation(field, constraint)
            })
    }
}

fn form_urlencoded_parse(query: &str) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(query.as_bytes())
}

fn friendly_query_constraint(message: &str) -> String {
    if message.contains("invalid digit") || message.contains("number too large") {
        "must be a non-negative integer".into()
    } else if message.contains("provided string was not `true` or `false`") {
        "must be true or false".into()
    } else if message.contains("invalid float literal") {
        "must be a number".into()
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        match rest.split_once(", expected ") {
            Some((_, expected)) => format!(
                "must be one of {}",
                expected.replace("one of ", "").replace('`', "")
            ),
            None => message.to_owned(),
        }
    } else if matches!(
        message,
        "input is out of range"
            | "premature end of input"
            | "trailing input"
            | "input contains invalid characters"
            | "input is not enough for unique date and time"
            | "no possible date and time matching input"
            | "bad or unsupported format string"
    ) {
        // chrono's parser.
        "must be a valid date (YYYY-MM-DD) or date-time (RFC 3339)".into()
    } else if message.starts_with("duplicate field") {
        "must be given once".into()
    } else {
        message.to_owned()
    }
}

/// Path parameters that are ids, and their longest allowed value.
const ID_PARAMS: [&str; 2] = ["id", "job_id"];
const MAX_ID_CHARS: usize = 64;

/// Path parameters; a rejection is a validation error. An id longer than 64
/// characters is one too.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Ids in paths have the spec's bound (`maxLength: 64`): longer is a bad request,
        // not an unknown resource.
        let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::validation("path", "must be valid UTF-8"))?;
        for (name, value) in &raw {
            if value.contains('\0') {
                return Err(ApiError::validation(
                    name,
                    "must not contain NUL characters",
                ));
            }
            if ID_PARAMS.contains(&name) && value.chars().count() > MAX_ID_CHARS {
                return Err(ApiError::validation(
                    name,
                    format!("must be at most {MAX_ID_CHARS} characters"),
                ));
            }
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                Err(ApiError::validation("path", e.body_text()))
            }
            Err(other) => Err(ApiError::validation("path", other.body_text())),
        }
    }
}

/// The client's address, when the server was started with connect info.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddr(addr))
    }
}
