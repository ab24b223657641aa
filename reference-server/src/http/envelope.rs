//! The success and error envelopes.

use animaforge_api::{ApiError as WireError, ErrorCode, ErrorDetails, ErrorEnvelope, Meta};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `{success: true, data, meta}` with status 200; [`Data::created`] and
/// [`Data::accepted`] for 201 and 202.
#[derive(Debug)]
pub struct Data<T>(pub StatusCode, pub T);

impl<T> Data<T> {
    /// 200 OK.
    pub fn ok(data: T) -> Data<T> {
        Data(StatusCode::OK, data)
    }

    /// 201 Created.
    pub fn created(data: T) -> Data<T> {
        Data(StatusCode::CREATED, data)
    }

    /// 202 Accepted.
    pub fn accepted(data: T) -> Data<T> {
        Data(StatusCode::ACCEPTED, data)
    }
}

/// The `meta` of a response produced now for the current request.
pub fn meta() -> Meta {
    Meta {
        timestamp: chrono::Utc::now(),
        request_id: super::current_request_id(),
    }
}

#[derive(Serialize)]
struct SuccessBody<'a, T> {
    success: bool,
    data: &'a T,
    meta: Meta,
}

impl<T: Serialize> IntoResponse for Data<T> {
    fn into_response(self) -> Response {
        let body = SuccessBody {
            success: true,
            data: &self.1,
            meta: meta(),
        };
        json_response(self.0, &body)
    }
}

/// An error envelope response.
pub fn error_response(
    status: StatusCode,
    code: ErrorCode,
    message: String,
    details: Option<ErrorDetails>,
) -> Response {
    let body = ErrorEnvelope {
        success: false,
        error: WireError {
            code,
            message,
            details,
        },
        meta: meta(),
    };
    json_response(status, &body)
}

fn json_response<B: Serialize>(status: StatusCode, body: &B) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "response serialisation failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
