//! Creator analytics: `/analytics/dashboard`, `/analytics/animations/{id}`.

use std::collections::{BTreeMap, HashMap};

use animaforge_api::{
    AnimationAnalytics, AnimationDay, AnimationMetrics, Dashboard, DashboardDay, DashboardOverview,
    DateRangeQuery, Demographics, Money, TopAnimation,
};
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use chrono::{Days, NaiveDate, Utc};

use crate::app::AppState;
use crate::http::{ApiError, ApiResult, AuthUser, Data, Path, Query};
use crate::store::analytics::{self, DayCounts};

/// Longest range: `end_date - start_date` in days.
const MAX_RANGE_DAYS: i64 = 366;

/// `/analytics/...`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/analytics/dashboard", get(dashboard))
        .route("/analytics/animations/{id}", get(animation))
}

/// The validated range: the last 30 days by default, `end >= start`, at most 366 days
/// apart.
fn range(q: &DateRangeQuery, raw_query: Option<&str>) -> ApiResult<(NaiveDate, NaiveDate)> {
    // Calendar dates are exactly `YYYY-MM-DD` (chrono also reads `2025-1-1`, a sign or
    // spaces around).
    let strict = |text: &str| {
        text.len() == 10
            && text.char_indices().all(|(i, c)| match i {
                4 | 7 => c == '-',
                _ => c.is_ascii_digit(),
            })
    };
    for (name, value) in url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
        if matches!(name.as_ref(), "start_date" | "end_date") && !strict(&value) {
            return Err(ApiError::validation(name, "must be a date YYYY-MM-DD"));
        }
    }
    for (field, date) in [("start_date", q.start_date), ("end_date", q.end_date)] {
        if date.is_some_and(|d| !(1..=9999).contains(&chrono::Datelike::year(&d))) {
            return Err(ApiError::validation(field, "must be a date YYYY-MM-DD"));
        }
    }
    let today = Utc::now().date_naive();
    let end = q.end_date.unwrap_or_else(|| match q.start_date {
        Some(start) => start
            .checked_add_days(Days::new(29))
            .map_or(today, |d| d.min(today).max(start)),
        None => today,
    });
    let start = q
        .start_date
        .unwrap_or_else(|| end.checked_sub_days(Days::new(29)).unwrap_or(end));
    if end < start {
        return Err(ApiError::validation(
            "end_date",
            "must not be before start_date",
        ));
    }
    if (end - start).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::validation(
            "end_date",
            "must be at most 366 days after start_date",
        ));
    }
    Ok((start, end))
}

fn days(start: NaiveDate, end: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    start.iter_days().take_while(move |d| *d <= end)
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn by_day<T, K>(rows: Vec<T>, key: K) -> HashMap<String, T>
where
    K: Fn(&T) -> String,
{
    rows.into_iter().map(|r| (key(&r), r)).collect()
}

async fn dashboard(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<DateRangeQuery>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Data<Dashboard>> {
    let (start, end) = range(&q, raw.as_deref())?;
    let counts = analytics::owner_days(&state.store, &user.id, start, end).await?;
    let revenue = analytics::revenue_days(&state.store, &user.id, false, start, end).await?;
    let top = analytics::top_animations(&state.store, &user.id, start, end).await?;

    let total = |f: fn(&DayCounts) -> i64| count(counts.iter().map(f).sum());
    let overview = DashboardOverview {
        total_views: total(|d| d.views),
        total_downloads: total(|d| d.downloads),
        total_revenue: Money::from_cents(revenue.iter().map(|r| r.cents).sum()),
        total_likes: total(|d| d.likes),
    };
    let counts = by_day(counts, |d| d.day.clone());
    let revenue = by_day(revenue, |r| r.day.clone());
    let timeline = days(start, end)
        .map(|date| {
            let key = date.format("%Y-%m-%d").to_string();
            let c = counts.get(&key).cloned().unwrap_or_default();
            DashboardDay {
                date,
                views: count(c.views),
                downloads: count(c.downloads),
                revenue: Money::from_cents(revenue.get(&key).map_or(0, |r| r.cents)),
            }
        })
        .collect();
    Ok(Data::ok(Dashboard {
        overview,
        top_animations: top
            .into_iter()
            .map(|t| TopAnimation {
                animation_id: t.animation_id,
                title: t.title,
                views: count(t.views),
                downloads: count(t.downloads),
            })
            .collect(),
        timeline,
    }))
}

async fn animation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<DateRangeQuery>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Data<AnimationAnalytics>> {
    let row = state
        .store
        .animation(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("Animation"))?;
    if row.owner_id != user.id {
        if row.status != "ready" {
            return Err(ApiError::not_found("Animation"));
        }
        return Err(ApiError::forbidden(
            "Only the animation's creator may see its analytics",
        ));
    }
    let (start, end) = range(&q, raw.as_deref())?;
    let store = &state.store;
    let counts = analytics::animation_days(store, &id, start, end).await?;
    let revenue = analytics::revenue_days(store, &id, true, start, end).await?;
    let unique = analytics::unique_viewers(store, &id, start, end).await?;
    let countries = analytics::views_by(store, &id, "country", start, end).await?;
    let referrers = analytics::views_by(store, &id, "referrer", start, end).await?;

    let total = |f: fn(&DayCounts) -> i64| count(counts.iter().map(f).sum());
    let metrics = AnimationMetrics {
        total_views: total(|d| d.views),
        unique_viewers: count(unique),
        total_downloads: total(|d| d.downloads),
        likes: total(|d| d.likes),
        shares: 0,
    };
    let to_map = |rows: Vec<analytics::KeyCount>| -> BTreeMap<String, u64> {
        rows.into_iter().map(|r| (r.key, count(r.n))).collect()
    };
    let counts = by_day(counts, |d| d.day.clone());
    let revenue = by_day(revenue, |r| r.day.clone());
    let timeline = days(start, end)
        .map(|date| {
            let key = date.format("%Y-%m-%d").to_string();
            let c = counts.get(&key).cloned().unwrap_or_default();
            AnimationDay {
                date,
                views: count(c.views),
                downloads: count(c.downloads),
                likes: count(c.likes),
                purchases: count(c.purchases),
                revenue: Money::from_cents(revenue.get(&key).map_or(0, |r| r.cents)),
            }
        })
        .collect();
    Ok(Data::ok(AnimationAnalytics {
        animation_id: id,
        metrics,
        demographics: Demographics {
            countries: to_map(countries),
        },
        referrers: to_map(referrers),
        timeline,
    }))
}
