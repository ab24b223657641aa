//! Public profiles and following.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Counters on a public profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserStats {
    /// Published animations.
    pub animations: u64,
    /// Downloads of them.
    pub downloads: u64,
    /// Likes they received.
    pub likes_received: u64,
    /// Followers.
    pub followers: u64,
    /// Users this user follows.
    pub following: u64,
}

/// A public profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UserProfile {
    /// `user_...`.
    pub id: String,
    /// Unique handle.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Short biography, if any.
    pub bio: Option<String>,
    /// Avatar image, if any.
    pub avatar_url: Option<String>,
    /// Counters.
    pub stats: UserStats,
    /// Earned badges: `early_adopter` (among the first 1,000 accounts), `top_creator`
    /// (100 or more likes received), `prolific` (10 or more animations).
    pub badges: Vec<String>,
    /// When the account was created.
    pub joined_at: DateTime<Utc>,
}

/// `data` of `GET /users/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UserProfileResponse {
    /// The profile.
    pub user: UserProfile,
}

/// `data` of follow and unfollow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FollowState {
    /// Whether the caller now follows the user.
    pub following: bool,
    /// The user's follower count after the change.
    pub follower_count: u64,
}
