//! Analytics events and the reports built from them (revenue comes from the ledger).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::{Store, StoreResult, on_pool};

/// Kinds of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A page view.
    View,
    /// A download.
    Download,
    /// A like added.
    Like,
    /// A like removed.
    Unlike,
    /// A sale.
    Purchase,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::Download => "download",
            EventKind::Like => "like",
            EventKind::Unlike => "unlike",
            EventKind::Purchase => "purchase",
        }
    }
}

/// An event to record about an animation (its owner is looked up).
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// `anim_...`.
    pub animation_id: String,
    /// What happened.
    pub kind: EventKind,
    /// `user:<id>` or `ip:<hash>`: who, for unique viewers.
    pub viewer_key: Option<String>,
    /// Referrer group.
    pub referrer: String,
    /// ISO country code or `unknown`.
    pub country: String,
    /// Amount of a purchase.
    pub amount_cents: i64,
    /// When.
    pub at: DateTime<Utc>,
}

/// Records an event; events of animations that no longer exist are dropped.
pub async fn record(store: &Store, e: &NewEvent) -> StoreResult<()> {
    on_pool!(store, pool => sqlx::query(
        "INSERT INTO analytics_events (animation_id, owner_id, kind, viewer_key, referrer,
            country, amount_cents, at_epoch, day)
         SELECT id, owner_id, $2, $3, $4, $5, $6, $7, $8 FROM animations WHERE id = $1",
    )
    .bind(&e.animation_id)
    .bind(e.kind.as_str())
    .bind(&e.viewer_key)
    .bind(&e.referrer)
    .bind(&e.country)
    .bind(e.amount_cents)
    .bind(e.at.timestamp())
    .bind(e.at.format("%Y-%m-%d").to_string())
    .execute(pool)
    .await
    .map(|_| ()))
}

/// Counts of one day (or a whole range when `day` is empty).
#[derive(Debug, Clone, Default, FromRow)]
pub struct DayCounts {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Views.
    pub views: i64,
    /// Downloads.
    pub downloads: i64,
    /// Likes added minus likes removed.
    pub likes: i64,
    /// Purchases.
    pub purchases: i64,
}

/// Revenue of one day.
#[derive(Debug, Clone, FromRow)]
pub struct DayRevenue {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Cents.
    pub cents: i64,
}

/// An animation's counts over a range.
#[derive(Debug, Clone, FromRow)]
pub struct TopRow {
    /// `anim_...`.
    pub animation_id: String,
    /// Title.
    pub title: String,
    /// Views.
    pub views: i64,
    /// Downloads.
    pub downloads: i64,
}

/// A count per key (country, referrer).
#[derive(Debug, Clone, FromRow)]
pub struct KeyCount {
    /// The key.
    pub key: String,
    /// The count.
    pub n: i64,
}

const DAY_COUNTS: &str = "SELECT day,
        CAST(SUM(CASE WHEN kind = 'view' THEN 1 ELSE 0 END) AS BIGINT) AS views,
        CAST(SUM(CASE WHEN kind = 'download' THEN 1 ELSE 0 END) AS BIGINT) AS downloads,
        CAST(SUM(CASE WHEN kind = 'like' THEN 1 WHEN kind = 'unlike' THEN -1 ELSE 0 END)
            AS BIGINT) AS likes,
        CAST(SUM(CASE WHEN kind = 'purchase' THEN 1 ELSE 0 END) AS BIGINT) AS purchases
     FROM analytics_events";

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Daily counts of the owner's animations between two days (inclusive).
pub async fn owner_days(
    store: &Store,
    owner_id: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<Vec<DayCounts>> {
    let sql = format!("{DAY_COUNTS} WHERE owner_id = $1 AND day >= $2 AND day <= $3 GROUP BY day");
    on_pool!(store, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(owner_id).bind(day(start)).bind(day(end)).fetch_all(pool).await)
}

/// Daily counts of one animation between two days (inclusive).
pub async fn animation_days(
    store: &Store,
    animation_id: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<Vec<DayCounts>> {
    let sql =
        format!("{DAY_COUNTS} WHERE animation_id = $1 AND day >= $2 AND day <= $3 GROUP BY day");
    on_pool!(store, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(animation_id).bind(day(start)).bind(day(end)).fetch_all(pool).await)
}

/// Daily revenue of a seller (`by_animation = false`) or an animation, from the ledger.
pub async fn revenue_days(
    store: &Store,
    id: &str,
    by_animation: bool,
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<Vec<DayRevenue>> {
    let column = if by_animation {
        "animation_id"
    } else {
        "seller_id"
    };
    let sql = format!(
        "SELECT day, CAST(SUM(amount_cents) AS BIGINT) AS cents FROM ledger_entries
         WHERE {column} = $1 AND day >= $2 AND day <= $3 GROUP BY day"
    );
    on_pool!(store, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).bind(day(start)).bind(day(end)).fetch_all(pool).await)
}

/// The owner's 10 most viewed animations in the range (existing ones only).
pub async fn top_animations(
    store: &Store,
    owner_id: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<Vec<TopRow>> {
    on_pool!(store, pool => sqlx::query_as(
        "SELECT e.animation_id, a.title,
            CAST(SUM(CASE WHEN e.kind = 'view' THEN 1 ELSE 0 END) AS BIGINT) AS views,
            CAST(SUM(CASE WHEN e.kind = 'download' THEN 1 ELSE 0 END) AS BIGINT) AS downloads
         FROM analytics_events e JOIN animations a ON a.id = e.animation_id
         WHERE e.owner_id = $1 AND e.day >= $2 AND e.day <= $3
         GROUP BY e.animation_id, a.title
         ORDER BY views DESC, downloads DESC, e.animation_id
         LIMIT 10",
    )
    .bind(owner_id).bind(day(start)).bind(day(end)).fetch_all(pool).await)
}

/// Views of an animation per `column` (`country` or `referrer`) in the range.
pub async fn views_by(
    store: &Store,
    animation_id: &str,
    column: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<Vec<KeyCount>> {
    let column = if column == "country" {
        "country"
    } else {
        "referrer"
    };
    let sql = format!(
        "SELECT {column} AS key, COUNT(*) AS n FROM analytics_events
         WHERE animation_id = $1 AND kind = 'view' AND day >= $2 AND day <= $3
         GROUP BY {column}"
    );
    on_pool!(store, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(animation_id).bind(day(start)).bind(day(end)).fetch_all(pool).await)
}

/// Distinct viewers of an animation in the range.
pub async fn unique_viewers(
    store: &Store,
    animation_id: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<i64> {
    on_pool!(store, pool => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT viewer_key) FROM analytics_events
         WHERE animation_id = $1 AND kind = 'view' AND day >= $2 AND day <= $3",
    )
    .bind(animation_id).bind(day(start)).bind(day(end)).fetch_one(pool).await)
}

/// Event counts per (animation, kind, hour) since `since_epoch`, for trending.
#[derive(Debug, Clone, FromRow)]
pub struct ActivityBucket {
    /// `anim_...`.
    pub animation_id: String,
    /// Event kind.
    pub kind: String,
    /// Hours since the Unix epoch.
    pub hour: i64,
    /// Events.
    pub n: i64,
}

/// Activity of ready animations since `since_epoch` (seconds), bucketed by hour.
pub async fn activity_since(store: &Store, since_epoch: i64) -> StoreResult<Vec<ActivityBucket>> {
    on_pool!(store, pool => sqlx::query_as(
        "SELECT e.animation_id, e.kind, e.at_epoch / 3600 AS hour, COUNT(*) AS n
         FROM analytics_events e JOIN animations a ON a.id = e.animation_id
         WHERE e.at_epoch >= $1 AND a.status = 'ready'
         GROUP BY e.animation_id, e.kind, e.at_epoch / 3600",
    )
    .bind(since_epoch)
    .fetch_all(pool)
    .await)
}
