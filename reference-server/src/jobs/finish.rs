//! Ending a claim: storing a finished render as the requester's animation, or failing
//! the job with a code that says whose fault it was.

use animaforge_api::{AnimationStatus, Category, ErrorCode, JobError, JobStatus, License};

use super::{notify, wire};
use crate::app::AppState;
use crate::generate::{GenerateError, PipelineOutput, RenderError};
use crate::store::animations::{self, MediaFacts, NewAnimation};
use crate::store::jobs::lease::{Ending, end_claim};
use crate::store::jobs::{Guard, JobRow};
use crate::store::{self, new_id};

/// Longest title taken from a prompt, in characters.
const TITLE_CHARS: usize = 100;
/// Longest error message kept, in characters.
const MESSAGE_CHARS: usize = 600;

/// The title of an animation made from `prompt`: its first line, shortened on a word
/// boundary with an ellipsis.
pub fn title_from_prompt(prompt: &str) -> String {
    let line = prompt.trim().lines().next().unwrap_or_default().trim();
    if line.chars().count() <= TITLE_CHARS {
        return if line.is_empty() {
            "Generated animation".into()
        } else {
            line.to_owned()
        };
    }
    let cut: String = line.chars().take(TITLE_CHARS - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > TITLE_CHARS / 2 => cut[..i].to_owned(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

/// Stores the video and thumbnail, creates the animation and completes the job, with
/// its `animation.generated` event and callback, in one transaction. `false` when
/// the claim was lost meanwhile (nothing is kept then).
pub async fn complete(
    state: &AppState,
    job: &JobRow,
    lease: &str,
    output: &PipelineOutput,
    manim_version: Option<String>,
) -> anyhow::Result<bool> {
    let animation_id = new_id("anim");
    let video_object = format!("{animation_id}.mp4");
    let thumbnail_object = format!("{animation_id}.jpg");
    state
        .storage
        .put_file(&video_object, &output.render.video)
        .await?;
    state
        .storage
        .put_file(&thumbnail_object, &output.render.thumbnail)
        .await?;

    let meta = &output.render.metadata;
    let new = NewAnimation {
        id: animation_id.clone(),
        owner_id: job.owner_id.clone(),
        title: title_from_prompt(&job.prompt),
        description: job.prompt.clone(),
        tags: vec![],
        category: Category::Other.as_str().to_owned(),
        license: License::Mit.as_str().to_owned(),
        price_cents: 0,
        status: AnimationStatus::Ready.as_str().to_owned(),
        video_object: Some(video_object.clone()),
        thumbnail_object: Some(thumbnail_object.clone()),
        media: Some(MediaFacts {
            duration: meta.duration_secs,
            fps: meta.fps,
            width: i64::from(meta.width),
            height: i64::from(meta.height),
            file_size: i64::try_from(meta.file_size).unwrap_or(i64::MAX),
            format: meta.format.clone(),
        }),
        source_code: Some(output.source.code.clone()),
        manim_version,
        job_id: Some(job.id.clone()),
        created_at: store::now(),
    };

    let mut tx = state.store.begin().await?;
    let ended = end_claim(
        &mut tx,
        &job.id,
        Guard::Lease(lease),
        Ending::Completed {
            animation_id: &animation_id,
        },
    )
    .await?;
    if !ended {
        drop(tx);
        let _ = state.storage.delete(&video_object).await;
        let _ = state.storage.delete(&thumbnail_object).await;
        return Ok(false);
    }
    animations::insert(&mut tx, &new).await?;
    notify::animation_generated(&mut tx, &job.owner_id, &animation_id, &job.id).await?;
    if job.callback_url.is_some() {
        let animation = Some(generated_without_row(state, &new));
        let body = wire::callback(job, JobStatus::Completed, animation, None);
        notify::job_callback(&mut tx, job, &body).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The callback's animation built from the row being inserted (the transaction is
/// not committed, so other connections cannot read it yet).
fn generated_without_row(
    state: &AppState,
    new: &NewAnimation,
) -> animaforge_api::GeneratedAnimation {
    let media = new.media.clone().unwrap_or(MediaFacts {
        duration: 0.0,
        fps: 0.0,
        width: 0,
        height: 0,
        file_size: 0,
        format: "mp4".into(),
    });
    animaforge_api::GeneratedAnimation {
        id: new.id.clone(),
        url: state.api_url(&format!("/animations/{}/download", new.id)),
        thumbnail_url: new
            .thumbnail_object
            .as_deref()
            .map(|o| {
                state
                    .storage
                    .signed_url(&state.public_base, o, state.config.signed_url_ttl_secs)
            })
            .unwrap_or_default(),
        source_code: new.source_code.clone().unwrap_or_default(),
        metadata: animaforge_api::GeneratedMetadata {
            duration: media.duration,
            fps: media.fps,
            resolution: format!("{}x{}", media.width, media.height),
            file_size: u64::try_from(media.file_size).unwrap_or(0),
        },
    }
}

/// Fails the job with `error` (its log line, status event and callback). `false`
/// when the claim was lost meanwhile.
pub async fn fail(
    state: &AppState,
    job: &JobRow,
    lease: &str,
    error: &JobError,
) -> anyhow::Result<bool> {
    let mut tx = state.store.begin().await?;
    let ended = end_claim(
        &mut tx,
        &job.id,
        Guard::Lease(lease),
        Ending::Failed {
            code: error.code.as_str(),
            message: &error.message,
        },
    )
    .await?;
    if !ended {
        return Ok(false);
    }
    let body = wire::callback(job, JobStatus::Failed, None, Some(error.clone()));
    notify::job_callback(&mut tx, job, &body).await?;
    tx.commit().await?;
    Ok(true)
}

/// The job error for a pipeline failure: `VALIDATION_ERROR` for a scene the checks
/// rejected (naming the construct), `SERVICE_UNAVAILABLE` when the renderer, its
/// sandbox or the backend cannot run, `INTERNAL_ERROR` otherwise.
pub fn job_error(err: &GenerateError) -> JobError {
    let (code, message) = match err {
        GenerateError::Rejected(rejection) => (
            ErrorCode::ValidationError,
            format!(
                "The scene was rejected ({}): {rejection}",
                rejection.construct
            ),
        ),
        GenerateError::InvalidSetting { .. }
        | GenerateError::UnknownTemplate(_)
        | GenerateError::InvalidTemplateParameter { .. } => {
            (ErrorCode::ValidationError, err.to_string())
        }
        GenerateError::BackendUnavailable { .. } => {
            (ErrorCode::ServiceUnavailable, err.to_string())
        }
        GenerateError::Render(
            RenderError::SandboxUnavailable(_) | RenderError::RendererUnavailable(_),
        ) => (ErrorCode::ServiceUnavailable, err.to_string()),
        GenerateError::Render(RenderError::Timeout(secs)) => (
            ErrorCode::InternalError,
            format!("The render took longer than {secs} s and was stopped"),
        ),
        GenerateError::Render(RenderError::Io(_)) => (
            ErrorCode::InternalError,
            "The render failed on the server".into(),
        ),
        other => (ErrorCode::InternalError, other.to_string()),
    };
    JobError {
        code,
        message: shorten(&message),
    }
}

fn shorten(message: &str) -> String {
    if message.chars().count() <= MESSAGE_CHARS {
        return message.to_owned();
    }
    let cut: String = message.chars().take(MESSAGE_CHARS - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_short_first_lines() {
        assert_eq!(title_from_prompt("  A blue sphere\nmore"), "A blue sphere");
        assert_eq!(title_from_prompt(""), "Generated animation");
        let long = "word ".repeat(60);
        let title = title_from_prompt(&long);
        assert!(title.chars().count() <= TITLE_CHARS);
        assert!(title.ends_with('…'));
    }
}
