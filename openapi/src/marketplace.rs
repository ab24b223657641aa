//! Featured and trending lists, purchases.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::animations::AnimationSummary;
use crate::common::{Pagination, wire_enum};
use crate::money::Money;

/// `data` of `GET /marketplace/featured`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeaturedList {
    /// Animations picked by the operators, most recently featured first.
    pub featured: Vec<AnimationSummary>,
}

wire_enum! {
    /// Windows of trending.
    pub enum Timeframe {
        /// The last 24 hours.
        Day = "day",
        /// The last 7 days (the default).
        Week = "week",
        /// The last 30 days.
        Month = "month",
        /// All time.
        All = "all",
    }
}

/// Query of `GET /marketplace/trending`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendingQuery {
    /// Window (default `week`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeframe: Option<Timeframe>,
    /// At most this many, 1 to 50 (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 50))]
    pub limit: Option<u32>,
}

/// `data` of `GET /marketplace/trending`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendingList {
    /// Animations ranked by recent activity, hottest first.
    pub trending: Vec<AnimationSummary>,
}

/// `POST /marketplace/purchase`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchaseRequest {
    /// `anim_...` of a priced animation that is not the caller's.
    #[schemars(length(min = 1, max = 64))]
    pub animation_id: String,
    /// A payment method. The built-in test provider takes `card_declined` (declined),
    /// `card_processing_error` (a transient provider failure) and any other `card_...`
    /// (succeeds).
    #[schemars(length(min = 1, max = 64))]
    pub payment_method: String,
}

wire_enum! {
    /// States of a purchase.
    pub enum PurchaseStatus {
        /// Paid.
        Completed = "completed",
        /// Paid back.
        Refunded = "refunded",
    }
}

/// A purchase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Purchase {
    /// `purchase_...`.
    pub id: String,
    /// What was bought.
    pub animation_id: String,
    /// What was paid.
    pub amount: Money,
    /// ISO 4217 code, `USD`.
    pub currency: String,
    /// State.
    pub status: PurchaseStatus,
    /// The receipt page, a signed link that needs no credentials.
    pub receipt_url: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// `data` of `POST /marketplace/purchase`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchaseResponse {
    /// The purchase (the existing one when the caller already owns the animation).
    pub purchase: Purchase,
}

/// The animation in a purchase list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchasedAnimation {
    /// `anim_...`.
    pub id: String,
    /// Title.
    pub title: String,
    /// JPEG thumbnail, if any.
    pub thumbnail_url: Option<String>,
    /// The creator's username.
    pub creator_username: String,
}

/// One of the caller's purchases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchaseListItem {
    /// `purchase_...`.
    pub id: String,
    /// What was bought.
    pub animation: PurchasedAnimation,
    /// What was paid.
    pub amount: Money,
    /// ISO 4217 code.
    pub currency: String,
    /// State.
    pub status: PurchaseStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Query of `GET /marketplace/purchases`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchasesQuery {
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub per_page: Option<u32>,
}

/// `data` of `GET /marketplace/purchases`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchaseList {
    /// The caller's purchases, newest first.
    pub purchases: Vec<PurchaseListItem>,
    /// Where the page sits.
    pub pagination: Pagination,
}
