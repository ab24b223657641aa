//! `POST /animations`: a multipart upload of `file` (an MP4) and `metadata` (JSON).
//!
//! The file is streamed to storage as it arrives, never held whole in memory; its first
//! bytes must be an MP4 `ftyp` box, otherwise nothing is stored. The animation starts
//! `processing`; a background task reads its metadata and makes the thumbnail.

use animaforge_api::{
    AnimationStatus, Category, ErrorCode, License, Money, UploadMetadata, UploadResponse,
    UploadedAnimation,
};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};

use super::validate;
use crate::app::AppState;
use crate::http::extract::parse_json;
use crate::http::{ApiError, ApiResult, AuthUser, Data};
use crate::media;
use crate::storage::ObjectWriter;
use crate::store::animations::NewAnimation;
use crate::store::{self, new_id};

/// The upload route enforces its own limit while streaming.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::disable()
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("The upload is larger than the limit of {limit} bytes"),
    )
}

fn multipart_error(err: &MultipartError, limit: u64) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        ApiError::validation(
            "body",
            format!("must be valid multipart/form-data ({})", err.body_text()),
        )
    }
}

/// Handles the upload. A refused upload closes the connection: the rest of its body
/// is not read, so the connection cannot carry another request.
pub async fn upload(
    State(state): State<AppState>,
    user: AuthUser,
    request: Request,
) -> ApiResult<Data<UploadResponse>> {
    receive(state, user, request)
        .await
        .map_err(|e| e.with_header(header::CONNECTION, HeaderValue::from_static("close")))
}

async fn receive(
    state: AppState,
    user: AuthUser,
    request: Request,
) -> ApiResult<Data<UploadResponse>> {
    let limit = state.config.max_upload_bytes;
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Expected multipart/form-data",
        )
        .with_details(animaforge_api::ErrorDetails {
            field: Some("Content-Type".into()),
            constraint: Some("must be multipart/form-data with parts file and metadata".into()),
            ..Default::default()
        }));
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The multipart framing adds a little; refuse only what cannot fit.
    if declared.is_some_and(|n| n > limit.saturating_add(64 * 1024)) {
        return Err(too_large(limit));
    }
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| ApiError::validation("body", "must be valid multipart/form-data"))?;

    let id = new_id("anim");
    let video_object = format!("{id}.mp4");
    let mut metadata: Option<UploadMetadata> = None;
    let mut stored: Option<u64> = None;
    let result = async {
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| multipart_error(&e, limit))?
        {
            match field.name() {
                Some("metadata") => {
                    let text = read_small(field, limit).await?;
                    metadata = Some(check_metadata(&text)?);
                }
                Some("file") if stored.is_none() => {
                    stored = Some(store_file(&state, field, &video_object, limit).await?);
                }
                Some("file") => return Err(ApiError::validation("file", "must be sent once")),
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    let outcome = result.and_then(|()| match (&metadata, stored) {
        (_, None) => Err(ApiError::validation("file", "is required (an MP4 file)")),
        (None, Some(_)) => Err(ApiError::validation(
            "metadata",
            "is required (a JSON object)",
        )),
        (Some(m), Some(size)) => Ok((m.clone(), size)),
    });
    let (meta, size) = match outcome {
        Ok(v) => v,
        Err(err) => {
            if stored.is_some() {
                let _ = state.storage.delete(&video_object).await;
            }
            return Err(err);
        }
    };

    let new = NewAnimation {
        id: id.clone(),
        owner_id: user.id.clone(),
        title: meta.title,
        description: meta.description.unwrap_or_default(),
        tags: meta.tags.unwrap_or_default(),
        category: meta.category.unwrap_or(Category::Other).as_str().to_owned(),
        license: meta.license.unwrap_or(License::Mit).as_str().to_owned(),
        price_cents: meta.price.unwrap_or(Money::ZERO).cents(),
        status: AnimationStatus::Processing.as_str().to_owned(),
        video_object: Some(video_object.clone()),
        thumbnail_object: None,
        media: None,
        source_code: None,
        manim_version: None,
        job_id: None,
        created_at: store::now(),
    };
    if let Err(err) = state.store.insert_animation(&new).await {
        let _ = state.storage.delete(&video_object).await;
        return Err(err.into());
    }
    tracing::info!(animation_id = %id, user_id = %user.id, bytes = size, "animation uploaded");
    let task_state = state.clone();
    let task_id = id.clone();
    state
        .tasks
        .spawn(async move { media::process_upload(&task_state, &task_id, &video_object).await });

    Ok(Data::accepted(UploadResponse {
        animation: UploadedAnimation {
            id,
            status: AnimationStatus::Processing,
            message: "Animation is being processed. Thumbnail generation in progress.".into(),
        },
    }))
}

/// Largest accepted `metadata` part.
const MAX_METADATA_BYTES: usize = 64 * 1024;

/// Reads a small text part, refusing one past [`MAX_METADATA_BYTES`].
async fn read_small(mut field: Field<'_>, limit: u64) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| multipart_error(&e, limit))?
    {
        if bytes.len() + chunk.len() > MAX_METADATA_BYTES {
            return Err(ApiError::validation(
                "metadata",
                "must be at most 64 KiB of JSON",
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::validation("metadata", "must be UTF-8 JSON"))
}

fn check_metadata(text: &str) -> ApiResult<UploadMetadata> {
    // The part's errors name the part: `metadata`, `metadata.title`, ...
    let meta: UploadMetadata = parse_json(text.as_bytes()).map_err(|e| {
        match e
            .details
            .as_ref()
            .and_then(|d| d.field.clone().zip(d.constraint.clone()))
        {
            Some((field, constraint)) => ApiError::validation(
                if field == "body" {
                    "metadata".to_owned()
                } else {
                    format!("metadata.{field}")
                },
                constraint,
            ),
            None => e,
        }
    })?;
    validate::length("metadata.title", &meta.title, 1, 200)?;
    if let Some(d) = &meta.description {
        validate::length("metadata.description", d, 0, 5000)?;
    }
    if let Some(t) = &meta.tags {
        validate::tags("metadata.tags", t)?;
    }
    if let Some(p) = meta.price {
        validate::price("metadata.price", p)?;
    }
    Ok(meta)
}

/// Streams the file part into storage after checking that it starts like an MP4.
async fn store_file(
    state: &AppState,
    mut field: Field<'_>,
    object: &str,
    limit: u64,
) -> ApiResult<u64> {
    // Gather the first bytes: enough to see the `ftyp` box.
    let mut head = Vec::new();
    while head.len() < media::MP4_SNIFF_BYTES {
        match field
            .chunk()
            .await
            .map_err(|e| multipart_error(&e, limit))?
        {
            Some(chunk) => head.extend_from_slice(&chunk),
            None => break,
        }
    }
    if !media::looks_like_mp4(&head) {
        return Err(ApiError::validation(
            "file",
            "must be an MP4 video (no ftyp box at the start)",
        ));
    }
    if head.len() as u64 > limit {
        return Err(too_large(limit));
    }

    let mut writer = state.storage.writer(object).await?;
    let streamed = stream_rest(&mut writer, head, &mut field, limit).await;
    match streamed {
        Ok(()) => Ok(writer.finish().await?),
        Err(err) => {
            writer.abort().await;
            Err(err)
        }
    }
}

async fn stream_rest(
    writer: &mut ObjectWriter,
    head: Vec<u8>,
    field: &mut Field<'_>,
    limit: u64,
) -> ApiResult<()> {
    writer.write(head.into()).await?;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| multipart_error(&e, limit))?
    {
        if writer.written() + chunk.len() as u64 > limit {
            return Err(too_large(limit));
        }
        writer.write(chunk).await?;
    }
    Ok(())
}
