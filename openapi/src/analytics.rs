//! Creator analytics.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// Query of the analytics operations. Both dates are inclusive; at most 366 days apart;
/// the default is the last 30 days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DateRangeQuery {
    /// First day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// Last day, `YYYY-MM-DD`, not before `start_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
}

/// Totals over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DashboardOverview {
    /// Views of the caller's animations.
    pub total_views: u64,
    /// Downloads of them.
    pub total_downloads: u64,
    /// Revenue from their sales.
    pub total_revenue: Money,
    /// Likes they received.
    pub total_likes: u64,
}

/// One of the caller's best animations in the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TopAnimation {
    /// `anim_...`.
    pub animation_id: String,
    /// Title.
    pub title: String,
    /// Views in the range.
    pub views: u64,
    /// Downloads in the range.
    pub downloads: u64,
}

/// One day of the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DashboardDay {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Views.
    pub views: u64,
    /// Downloads.
    pub downloads: u64,
    /// Revenue.
    pub revenue: Money,
}

/// `data` of `GET /analytics/dashboard`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Dashboard {
    /// Totals.
    pub overview: DashboardOverview,
    /// Up to 10 animations with the most views in the range.
    pub top_animations: Vec<TopAnimation>,
    /// Every day of the range, oldest first.
    pub timeline: Vec<DashboardDay>,
}

/// Totals of one animation over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationMetrics {
    /// Views.
    pub total_views: u64,
    /// Distinct viewers (accounts, or client addresses for anonymous views).
    pub unique_viewers: u64,
    /// Downloads.
    pub total_downloads: u64,
    /// Likes.
    pub likes: u64,
    /// Shares (always 0: sharing is not part of this API version).
    pub shares: u64,
}

/// Where viewers are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Demographics {
    /// Views per ISO 3166 country code, from the operator's trusted header; `unknown`
    /// when absent.
    pub countries: BTreeMap<String, u64>,
}

/// One day of an animation's analytics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationDay {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Views.
    pub views: u64,
    /// Downloads.
    pub downloads: u64,
    /// Likes.
    pub likes: u64,
    /// Purchases.
    pub purchases: u64,
    /// Revenue.
    pub revenue: Money,
}

/// `data` of `GET /analytics/animations/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationAnalytics {
    /// `anim_...`.
    pub animation_id: String,
    /// Totals.
    pub metrics: AnimationMetrics,
    /// Where viewers are.
    pub demographics: Demographics,
    /// Views per referrer group: `direct`, `google`, `bing`, `duckduckgo`, `twitter`,
    /// `facebook`, `reddit`, `youtube`, `linkedin`, `other`.
    pub referrers: BTreeMap<String, u64>,
    /// Every day of the range, oldest first.
    pub timeline: Vec<AnimationDay>,
}
