//! The animation catalogue: list, get, upload, update, delete, like, source.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::{Category, License, Pagination, Resolution, SortOrder, wire_enum};
use crate::money::Money;

wire_enum! {
    /// Sort keys of animation lists.
    pub enum AnimationSort {
        /// Creation time (the default).
        CreatedAt = "created_at",
        /// Last update.
        UpdatedAt = "updated_at",
        /// Title, case-insensitive.
        Title = "title",
        /// View count.
        Views = "views",
        /// Download count.
        Downloads = "downloads",
        /// Like count.
        Likes = "likes",
        /// Price.
        Price = "price",
        /// Duration.
        Duration = "duration",
    }
}

wire_enum! {
    /// Where an animation is in its life.
    pub enum AnimationStatus {
        /// Uploaded; thumbnail and metadata are being produced. Not listed yet.
        Processing = "processing",
        /// Listed and downloadable.
        Ready = "ready",
        /// The file could not be processed.
        Failed = "failed",
    }
}

/// Query of `GET /animations` and `GET /users/{id}/animations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ListAnimationsQuery {
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub per_page: Option<u32>,
    /// Sort key (default `created_at`). Ties are broken by id, so pages are stable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<AnimationSort>,
    /// Sort order (default `desc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    /// Only this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Only this licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    /// `true`: only free (price 0); `false`: only priced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<bool>,
    /// Only animations whose title, description or tags contain these words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200))]
    pub search: Option<String>,
}

/// The creator as shown in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreatorSummary {
    /// `user_...`.
    pub id: String,
    /// Unique handle.
    pub username: String,
    /// Avatar image, if any.
    pub avatar_url: Option<String>,
}

/// The creator as shown on an animation's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Creator {
    /// `user_...`.
    pub id: String,
    /// Unique handle.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Avatar image, if any.
    pub avatar_url: Option<String>,
    /// Short biography, if any.
    pub bio: Option<String>,
}

/// Counters shown in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationStats {
    /// Views of the animation's page.
    pub views: u64,
    /// Downloads.
    pub downloads: u64,
    /// Likes.
    pub likes: u64,
}

/// Counters shown on an animation's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationDetailStats {
    /// Views of the animation's page.
    pub views: u64,
    /// Downloads.
    pub downloads: u64,
    /// Likes.
    pub likes: u64,
    /// Comments (always 0: comments are not part of this API version).
    pub comments: u64,
}

/// An animation as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationSummary {
    /// `anim_...`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// JPEG thumbnail, if produced.
    pub thumbnail_url: Option<String>,
    /// Who made it.
    pub creator: CreatorSummary,
    /// Counters.
    pub stats: AnimationStats,
    /// Length in seconds, if known.
    pub duration: Option<f64>,
    /// Resolution preset nearest to the video's height, if known.
    pub resolution: Option<Resolution>,
    /// Licence.
    pub license: License,
    /// Price; 0 is free.
    pub price: Money,
    /// Tags.
    pub tags: Vec<String>,
    /// Category. Addition to the documented shape.
    pub category: Category,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Facts measured from the video file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationMetadata {
    /// Length in seconds.
    pub duration: f64,
    /// Frames per second.
    pub fps: f64,
    /// `WIDTHxHEIGHT`, for example `1920x1080`.
    pub resolution: String,
    /// Size in bytes.
    pub file_size: u64,
    /// Container format, `mp4`.
    pub format: String,
}

/// One published version of an animation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationVersion {
    /// From 1, increasing.
    pub version: u32,
    /// When it was published.
    pub created_at: DateTime<Utc>,
    /// What changed.
    pub changelog: String,
}

/// An animation with everything about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Animation {
    /// `anim_...`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where the video can be fetched: the download operation's URL, which redirects to
    /// a signed file URL. `null` until the video is ready.
    pub video_url: Option<String>,
    /// JPEG thumbnail, if produced.
    pub thumbnail_url: Option<String>,
    /// Who made it.
    pub creator: Creator,
    /// Counters.
    pub stats: AnimationDetailStats,
    /// Facts measured from the file; `null` while processing.
    pub metadata: Option<AnimationMetadata>,
    /// Licence.
    pub license: License,
    /// Price; 0 is free.
    pub price: Money,
    /// Tags.
    pub tags: Vec<String>,
    /// Category. Addition to the documented shape.
    pub category: Category,
    /// Processing state. Addition to the documented shape.
    pub status: AnimationStatus,
    /// Versions, newest first.
    pub versions: Vec<AnimationVersion>,
    /// The source operation's URL, when the animation has Manim source (generated ones).
    pub source_code_url: Option<String>,
    /// The job that generated it, if it was generated. Addition to the documented shape.
    pub job_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// `data` of get and update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationResponse {
    /// The animation.
    pub animation: Animation,
}

/// `data` of `GET /animations` and `GET /users/{id}/animations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationList {
    /// One page of animations.
    pub animations: Vec<AnimationSummary>,
    /// Where the page sits.
    pub pagination: Pagination,
}

/// The `metadata` part of an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadMetadata {
    /// 1 to 200 characters.
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    /// Up to 5,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 5000))]
    pub description: Option<String>,
    /// Up to 20 tags of 1 to 32 characters; letters, digits, spaces, `-` and `_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 20), inner(length(min = 1, max = 32)))]
    pub tags: Option<Vec<String>>,
    /// Licence (default `MIT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    /// Price, 0 to 100000 with at most two decimals (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Category (default `other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
}

impl UploadMetadata {
    /// Metadata with a title and every optional field left out.
    pub fn new(title: impl Into<String>) -> UploadMetadata {
        UploadMetadata {
            title: title.into(),
            description: None,
            tags: None,
            license: None,
            price: None,
            category: None,
        }
    }
}

/// The just-uploaded animation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadedAnimation {
    /// `anim_...`.
    pub id: String,
    /// `processing` until the thumbnail and metadata are ready.
    pub status: AnimationStatus,
    /// What happens next.
    pub message: String,
}

/// `data` of `POST /animations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadResponse {
    /// The new animation.
    pub animation: UploadedAnimation,
}

/// `PUT /animations/{id}`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UpdateAnimationRequest {
    /// 1 to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 200))]
    pub title: Option<String>,
    /// Up to 5,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 5000))]
    pub description: Option<String>,
    /// Replaces the tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 20), inner(length(min = 1, max = 32)))]
    pub tags: Option<Vec<String>>,
    /// New price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// New licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// When given, the update is published as a new version with this changelog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 500))]
    pub changelog: Option<String>,
}

/// `data` of like and unlike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LikeState {
    /// Whether the caller now likes the animation.
    pub liked: bool,
    /// Likes after the change.
    pub like_count: u64,
}

/// `data` of `GET /animations/{id}/source`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SourceCode {
    /// The scene's Python source.
    pub source_code: String,
    /// Always `python`.
    pub language: String,
    /// Always `manim-community`.
    pub framework: String,
    /// The Manim Community version it was rendered with.
    pub version: String,
}
