//! Store rows as wire types.

use animaforge_api::{
    Animation, AnimationDetailStats, AnimationMetadata, AnimationStats, AnimationStatus,
    AnimationSummary, AnimationVersion, Category, Creator, CreatorSummary, License, Money,
    Resolution,
};

use crate::app::AppState;
use crate::store::animations::{AnimationRow, VersionRow};

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn tags(row: &AnimationRow) -> Vec<String> {
    serde_json::from_str(&row.tags).unwrap_or_default()
}

/// A signed URL of the thumbnail, if there is one.
pub fn thumbnail_url(state: &AppState, row: &AnimationRow) -> Option<String> {
    let object = row.thumbnail_object.as_deref()?;
    Some(
        state
            .storage
            .signed_url(&state.public_base, object, state.config.signed_url_ttl_secs),
    )
}

/// The animation as listed.
pub fn summary(state: &AppState, row: &AnimationRow) -> AnimationSummary {
    AnimationSummary {
        id: row.id.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        thumbnail_url: thumbnail_url(state, row),
        creator: CreatorSummary {
            id: row.owner_id.clone(),
            username: row.creator_username.clone(),
            avatar_url: row.creator_avatar_url.clone(),
        },
        stats: AnimationStats {
            views: count(row.views),
            downloads: count(row.downloads),
            likes: count(row.likes),
        },
        duration: row.duration,
        resolution: row
            .height
            .and_then(|h| u32::try_from(h).ok())
            .and_then(Resolution::from_height),
        license: row.license.parse().unwrap_or(License::Mit),
        price: Money::from_cents(row.price_cents),
        tags: tags(row),
        category: row.category.parse().unwrap_or(Category::Other),
        created_at: row.created_at,
    }
}

/// The animation with everything about it.
pub fn detail(state: &AppState, row: &AnimationRow, versions: &[VersionRow]) -> Animation {
    let status: AnimationStatus = row.status.parse().unwrap_or(AnimationStatus::Processing);
    let metadata = match (row.duration, row.fps, row.width, row.height, row.file_size) {
        (Some(duration), Some(fps), Some(w), Some(h), Some(size)) => Some(AnimationMetadata {
            duration,
            fps,
            resolution: format!("{w}x{h}"),
            file_size: count(size),
            format: row.format.clone().unwrap_or_else(|| "mp4".into()),
        }),
        _ => None,
    };
    let ready = status == AnimationStatus::Ready && row.video_object.is_some();
    Animation {
        id: row.id.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        video_url: ready.then(|| state.api_url(&format!("/animations/{}/download", row.id))),
        thumbnail_url: thumbnail_url(state, row),
        creator: Creator {
            id: row.owner_id.clone(),
            username: row.creator_username.clone(),
            display_name: row
                .creator_display_name
                .clone()
                .unwrap_or_else(|| row.creator_username.clone()),
            avatar_url: row.creator_avatar_url.clone(),
            bio: row.creator_bio.clone(),
        },
        stats: AnimationDetailStats {
            views: count(row.views),
            downloads: count(row.downloads),
            likes: count(row.likes),
            comments: 0,
        },
        metadata,
        license: row.license.parse().unwrap_or(License::Mit),
        price: Money::from_cents(row.price_cents),
        tags: tags(row),
        category: row.category.parse().unwrap_or(Category::Other),
        status,
        versions: versions
            .iter()
            .map(|v| AnimationVersion {
                version: u32::try_from(v.version).unwrap_or(0),
                created_at: v.created_at,
                changelog: v.changelog.clone(),
            })
            .collect(),
        source_code_url: row
            .source_code
            .as_ref()
            .map(|_| state.api_url(&format!("/animations/{}/source", row.id))),
        job_id: row.job_id.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
