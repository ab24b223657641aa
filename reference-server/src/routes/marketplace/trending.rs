//! Trending: activity within the timeframe, each event weighted by its kind and
//! decayed exponentially with its age, so newer activity weighs more.

use std::collections::HashMap;

use animaforge_api::Timeframe;

use crate::store::analytics::ActivityBucket;

/// The window in seconds (`None`: all time) and the half-life of an event's weight in
/// hours.
pub(crate) fn window(timeframe: Timeframe) -> (Option<i64>, f64) {
    match timeframe {
        Timeframe::Day => (Some(86_400), 6.0),
        Timeframe::Week => (Some(7 * 86_400), 48.0),
        Timeframe::Month => (Some(30 * 86_400), 7.0 * 24.0),
        Timeframe::All => (None, 30.0 * 24.0),
    }
}

/// What an event of `kind` is worth when new.
fn weight(kind: &str) -> f64 {
    match kind {
        "view" => 1.0,
        "like" => 3.0,
        "unlike" => -3.0,
        "download" => 4.0,
        "purchase" => 10.0,
        _ => 0.0,
    }
}

/// Animation ids by score, hottest first (ties by id), positive scores only.
pub(crate) fn rank(
    buckets: &[ActivityBucket],
    now_epoch: i64,
    half_life_hours: f64,
) -> Vec<String> {
    let now_hours = now_epoch as f64 / 3600.0;
    let mut scores: HashMap<&str, f64> = HashMap::new();
    for b in buckets {
        // The bucket's middle, never in the future.
        let age = (now_hours - (b.hour as f64 + 0.5)).max(0.0);
        let decay = (-age * std::f64::consts::LN_2 / half_life_hours).exp();
        *scores.entry(b.animation_id.as_str()).or_default() += weight(&b.kind) * b.n as f64 * decay;
    }
    let mut ranked: Vec<(&str, f64)> = scores.into_iter().filter(|(_, s)| *s > 1e-9).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(a.0)));
    ranked.into_iter().map(|(id, _)| id.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(id: &str, kind: &str, hour: i64, n: i64) -> ActivityBucket {
        ActivityBucket {
            animation_id: id.into(),
            kind: kind.into(),
            hour,
            n,
        }
    }

    #[test]
    fn newer_activity_weighs_more() {
        let now = 1_000 * 3600;
        let ranked = rank(
            &[
                bucket("old", "view", 1_000 - 100, 10),
                bucket("new", "view", 999, 5),
            ],
            now,
            48.0,
        );
        assert_eq!(ranked, ["new", "old"]);
    }

    #[test]
    fn kinds_are_weighted_and_unlikes_cancel_likes() {
        let now = 10 * 3600;
        let ranked = rank(
            &[
                bucket("a", "view", 9, 3),
                bucket("b", "purchase", 9, 1),
                bucket("c", "like", 9, 1),
                bucket("c", "unlike", 9, 1),
            ],
            now,
            48.0,
        );
        assert_eq!(ranked, ["b", "a"]);
    }
}
