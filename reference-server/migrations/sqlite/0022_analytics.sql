-- Analytics: one row per view, download, like, unlike and purchase, with the viewer's
-- key, referrer group and country; `day` (UTC, YYYY-MM-DD) and `at_epoch` (seconds)
-- serve the daily timelines and the trending window.
CREATE TABLE analytics_events (
    id           INTEGER PRIMARY KEY,
    animation_id TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    viewer_key   TEXT,
    referrer     TEXT NOT NULL DEFAULT 'direct',
    country      TEXT NOT NULL DEFAULT 'unknown',
    amount_cents INTEGER NOT NULL DEFAULT 0,
    at_epoch     INTEGER NOT NULL,
    day          TEXT NOT NULL
);
CREATE INDEX analytics_events_animation_day ON analytics_events (animation_id, day);
CREATE INDEX analytics_events_owner_day ON analytics_events (owner_id, day);
CREATE INDEX analytics_events_at ON analytics_events (at_epoch, animation_id);
