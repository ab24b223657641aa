//! Points where catalogue events reach analytics. The counters shown on animations are
//! kept by the catalogue itself; these functions record the detailed events (per-day
//! timelines, unique viewers, referrers, countries) behind the creator analytics and
//! trending. Recording never fails the request: errors are logged.

use axum::http::HeaderMap;
use clap::Args;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::store::analytics::{self, EventKind, NewEvent};

/// Settings of analytics.
#[derive(Debug, Clone, Default, Args)]
pub struct AnalyticsConfig {
    /// A request header set by a trusted proxy with the client's ISO 3166 country code
    /// (e.g. `CF-IPCountry`); without it every country is `unknown`.
    #[arg(long, env = "ANIMAFORGE_COUNTRY_HEADER", global = true)]
    pub country_header: Option<String>,
}

/// What is known about a request that viewed or downloaded something.
#[derive(Clone, Default)]
pub struct Visit {
    /// The signed-in viewer, if any.
    pub user_id: Option<String>,
    /// Client address.
    pub client_ip: Option<String>,
    /// `Referer` header.
    pub referrer: Option<String>,
    /// The request's headers (the operator's trusted country header is read from them).
    pub headers: HeaderMap,
}

impl std::fmt::Debug for Visit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Visit")
            .field("user_id", &self.user_id)
            .field("client_ip", &self.client_ip)
            .field("referrer", &self.referrer)
            .finish_non_exhaustive()
    }
}

/// An animation's page was viewed (called after the view counter was incremented).
pub async fn animation_viewed(state: &AppState, animation_id: &str, visit: &Visit) {
    record(state, animation_id, EventKind::View, visit, 0).await;
}

/// An animation was downloaded (called after the download counter was incremented).
pub async fn animation_downloaded(state: &AppState, animation_id: &str, visit: &Visit) {
    record(state, animation_id, EventKind::Download, visit, 0).await;
}

/// A like was added (`liked = true`) or removed.
pub async fn animation_liked(state: &AppState, animation_id: &str, user_id: &str, liked: bool) {
    let visit = Visit {
        user_id: Some(user_id.to_owned()),
        ..Visit::default()
    };
    let kind = if liked {
        EventKind::Like
    } else {
        EventKind::Unlike
    };
    record(state, animation_id, kind, &visit, 0).await;
}

/// An animation was sold for `amount_cents` (called after the purchase was committed).
pub async fn animation_purchased(
    state: &AppState,
    animation_id: &str,
    visit: &Visit,
    amount_cents: i64,
) {
    record(
        state,
        animation_id,
        EventKind::Purchase,
        visit,
        amount_cents,
    )
    .await;
}

async fn record(
    state: &AppState,
    animation_id: &str,
    kind: EventKind,
    visit: &Visit,
    amount_cents: i64,
) {
    let event = NewEvent {
        animation_id: animation_id.to_owned(),
        kind,
        viewer_key: viewer_key(visit),
        referrer: referrer_group(visit.referrer.as_deref(), &state.public_base).to_owned(),
        country: country(
            state.config.analytics.country_header.as_deref(),
            &visit.headers,
        ),
        amount_cents,
        at: crate::store::now(),
    };
    if let Err(err) = analytics::record(&state.store, &event).await {
        tracing::warn!(animation_id, kind = kind.as_str(), error = %err, "analytics event lost");
    }
}

/// `user:<id>` for accounts, `ip:<hash>` for anonymous clients (the address itself is
/// not stored).
fn viewer_key(visit: &Visit) -> Option<String> {
    if let Some(user) = &visit.user_id {
        return Some(format!("user:{user}"));
    }
    let ip = visit.client_ip.as_deref()?;
    let digest = Sha256::digest(ip.as_bytes());
    Some(format!("ip:{}", hex::encode(&digest[..12])))
}

/// The ISO code in the trusted header (two letters or digits, upper-cased), else
/// `unknown`.
pub fn country(header: Option<&str>, headers: &HeaderMap) -> String {
    header
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_uppercase())
        .filter(|v| v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The referrer group of a `Referer` value: `direct` (none, or this site), a search
/// engine or social site by name, or `other`.
pub fn referrer_group(referrer: Option<&str>, own_base: &str) -> &'static str {
    let Some(text) = referrer.map(str::trim).filter(|r| !r.is_empty()) else {
        return "direct";
    };
    let Some(host) = url::Url::parse(text)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    else {
        return "other";
    };
    let own = url::Url::parse(own_base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    if own.as_deref() == Some(host.as_str()) {
        return "direct";
    }
    let labels: Vec<&str> = host.split('.').collect();
    let has = |name: &str| labels.iter().rev().skip(1).any(|l| *l == name);
    let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if has("google") {
        "google"
    } else if is("bing.com") {
        "bing"
    } else if is("duckduckgo.com") {
        "duckduckgo"
    } else if is("twitter.com") || is("x.com") || is("t.co") {
        "twitter"
    } else if is("facebook.com") || is("fb.com") || is("fb.me") {
        "facebook"
    } else if is("reddit.com") || is("redd.it") {
        "reddit"
    } else if is("youtube.com") || is("youtu.be") {
        "youtube"
    } else if is("linkedin.com") || is("lnkd.in") {
        "linkedin"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrers_are_grouped() {
        let base = "http://127.0.0.1:8080";
        let cases = [
            (None, "direct"),
            (Some(""), "direct"),
            (Some("http://127.0.0.1:8080/anything"), "direct"),
            (Some("https://www.google.com/search?q=x"), "google"),
            (Some("https://google.co.uk/"), "google"),
            (Some("https://www.bing.com/"), "bing"),
            (Some("https://duckduckgo.com/"), "duckduckgo"),
            (Some("https://t.co/abc"), "twitter"),
            (Some("https://x.com/someone"), "twitter"),
            (Some("https://m.facebook.com/"), "facebook"),
            (Some("https://old.reddit.com/r/math"), "reddit"),
            (Some("https://youtu.be/x"), "youtube"),
            (Some("https://www.linkedin.com/feed"), "linkedin"),
            (Some("https://example.org/"), "other"),
            (Some("https://notgoogle.example/"), "other"),
            (Some("garbage"), "other"),
        ];
        for (referrer, group) in cases {
            assert_eq!(referrer_group(referrer, base), group, "{referrer:?}");
        }
    }

    #[test]
    fn countries_come_only_from_the_trusted_header() {
        let mut headers = HeaderMap::new();
        headers.insert("cf-ipcountry", "de".parse().unwrap());
        assert_eq!(country(Some("CF-IPCountry"), &headers), "DE");
        assert_eq!(country(None, &headers), "unknown");
        headers.insert("cf-ipcountry", "<script>".parse().unwrap());
        assert_eq!(country(Some("CF-IPCountry"), &headers), "unknown");
    }
}
