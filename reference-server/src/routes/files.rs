//! Signed file URLs: `GET /files/{object}?expires=<unix>&signature=<hex>`.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::http::{ApiError, ApiResult, Path};
use crate::storage::valid_object_name;

/// `/files/{object}`.
pub fn router() -> Router<AppState> {
    Router::new().route("/files/{object}", get(get_file))
}

#[derive(Debug, Deserialize)]
struct Signature {
    expires: Option<i64>,
    signature: Option<String>,
}

async fn get_file(
    State(state): State<AppState>,
    Path(object): Path<String>,
    query: Result<axum::extract::Query<Signature>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    // A signed URL is all or nothing: a malformed query is a bad signature (403), not
    // a validation error, whatever was mangled.
    let Ok(axum::extract::Query(q)) = query else {
        return Err(ApiError::forbidden(
            "This file URL is invalid or has expired",
        ));
    };
    let (Some(expires), Some(signature)) = (q.expires, q.signature) else {
        return Err(ApiError::forbidden("This file URL is not signed"));
    };
    if !valid_object_name(&object) || !state.storage.verify(&object, expires, &signature) {
        return Err(ApiError::forbidden(
            "This file URL is invalid or has expired",
        ));
    }
    let found = match state.storage.get(&object).await {
        Ok(found) => found,
        Err(object_store::Error::NotFound { .. }) => return Err(ApiError::not_found("File")),
        Err(err) => return Err(err.into()),
    };
    let size = found.meta.size;
    let content_type = match object.rsplit('.').next() {
        Some("mp4") => "video/mp4",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("py") => "text/x-python",
        _ => "application/octet-stream",
    };
    let body = Body::from_stream(found.into_stream());
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CACHE_CONTROL, "private, max-age=300".to_owned()),
        ],
        body,
    )
        .into_response())
}
