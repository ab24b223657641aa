//! Points where catalogue events reach analytics. The counters shown on animations are
//! kept by the catalogue itself; these functions record the detailed events
//! (per-day timelines, unique viewers, referrers) and currently do nothing.

use clap::Args;

use crate::app::AppState;

/// Settings of analytics.
#[derive(Debug, Clone, Default, Args)]
pub struct AnalyticsConfig {
    /// A request header set by a trusted proxy with the client's ISO 3166 country code
    /// (e.g. `CF-IPCountry`); without it every country is `unknown`.
    #[arg(long, env = "ANIMAFORGE_COUNTRY_HEADER", global = true)]
    pub country_header: Option<String>,
}

/// What is known about a request that viewed or downloaded something.
#[derive(Debug, Clone, Default)]
pub struct Visit {
    /// The signed-in viewer, if any.
    pub user_id: Option<String>,
    /// Client address.
    pub client_ip: Option<String>,
    /// `Referer` header.
    pub referrer: Option<String>,
}

/// An animation's page was viewed (called after the view counter was incremented).
pub async fn animation_viewed(_state: &AppState, _animation_id: &str, _visit: &Visit) {}

/// An animation was downloaded (called after the download counter was incremented).
pub async fn animation_downloaded(_state: &AppState, _animation_id: &str, _visit: &Visit) {}

/// A like was added (`liked = true`) or removed.
pub async fn animation_liked(_state: &AppState, _animation_id: &str, _user_id: &str, _liked: bool) {
}
