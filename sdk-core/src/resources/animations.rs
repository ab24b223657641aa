//! Animations: generate, list, get, upload, update, delete, download, like, source.

use animaforge_api::{
    Animation, AnimationList, AnimationResponse, AnimationSummary, GenerateAccepted,
    GenerateConfig, GenerateRequest, LikeState, ListAnimationsQuery, SourceCode,
    UpdateAnimationRequest, UploadMetadata,
};
use http::Method;
use serde::de::IgnoredAny;

use super::new_idempotency_key;
use crate::call::Call;
use crate::client::AnimaForge;
use crate::job::Job;
use crate::pagination::PageCall;
use crate::transfer::{Download, Upload, UploadSource};
use crate::transport::{RequestSpec, Target, decode_envelope};

/// Animations. Get it from [`AnimaForge::animations`].
#[derive(Debug, Clone)]
pub struct Animations {
    pub(crate) client: AnimaForge,
}

impl Animations {
    /// Starts generating an animation from a prompt (`POST /animations/generate`).
    ///
    /// An `Idempotency-Key` is minted for the call and sent on every attempt, so a retry
    /// after a lost response never starts a second job; set your own with
    /// [`Call::idempotency_key`].
    pub fn generate(&self, prompt: impl Into<String>, config: GenerateConfig) -> Call<Job> {
        self.generate_with(GenerateRequest {
            config: Some(config),
            ..GenerateRequest::new(prompt)
        })
    }

    /// [`Animations::generate`] with every field of the request (backend, template,
    /// callback).
    pub fn generate_with(&self, request: GenerateRequest) -> Call<Job> {
        let spec = RequestSpec::post_json(&["animations", "generate"], &request).map(|mut spec| {
            spec.idempotency_key = Some(new_idempotency_key());
            spec
        });
        Call::try_new(&self.client, spec, |client, raw| {
            Ok(decode_envelope::<GenerateAccepted>(raw)?.map(|a| Job::from_accepted(client, a)))
        })
    }

    /// One page of the catalogue (`GET /animations`); `.stream()` pages through all.
    pub fn list(&self, query: ListAnimationsQuery) -> PageCall<AnimationSummary> {
        PageCall::new::<AnimationList>(
            &self.client,
            RequestSpec::get(&["animations"]).query(&query),
        )
    }

    /// An animation (`GET /animations/{id}`).
    pub fn get(&self, id: &str) -> Call<Animation> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["animations", id]),
            |d: AnimationResponse| d.animation,
        )
    }

    /// Uploads a video with its metadata (`POST /animations`, multipart), streamed.
    pub fn upload(&self, source: UploadSource, metadata: UploadMetadata) -> Upload {
        Upload::new(&self.client, source, metadata)
    }

    /// Changes an animation (`PUT /animations/{id}`).
    pub fn update(&self, id: &str, changes: UpdateAnimationRequest) -> Call<Animation> {
        let spec = RequestSpec::new(Method::PUT, &["animations", id]).json(&changes);
        Call::try_mapped(&self.client, spec, |d: AnimationResponse| d.animation)
    }

    /// Deletes an animation (`DELETE /animations/{id}`).
    pub fn delete(&self, id: &str) -> Call<()> {
        Call::mapped(
            &self.client,
            RequestSpec::new(Method::DELETE, &["animations", id]),
            |_: IgnoredAny| (),
        )
    }

    /// Downloads the video (`GET /animations/{id}/download`, then its signed URL).
    pub fn download(&self, id: &str) -> Download {
        Download::new(
            &self.client,
            Ok(Target::Api(vec![
                "animations".into(),
                id.into(),
                "download".into(),
            ])),
        )
    }

    /// Likes an animation (`POST /animations/{id}/like`).
    pub fn like(&self, id: &str) -> Call<LikeState> {
        Call::mapped(
            &self.client,
            RequestSpec::new(Method::POST, &["animations", id, "like"]),
            |d: LikeState| d,
        )
    }

    /// Takes a like back (`DELETE /animations/{id}/like`).
    pub fn unlike(&self, id: &str) -> Call<LikeState> {
        Call::mapped(
            &self.client,
            RequestSpec::new(Method::DELETE, &["animations", id, "like"]),
            |d: LikeState| d,
        )
    }

    /// The Manim source of a generated animation (`GET /animations/{id}/source`).
    pub fn source(&self, id: &str) -> Call<SourceCode> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["animations", id, "source"]),
            |d: SourceCode| d,
        )
    }
}
