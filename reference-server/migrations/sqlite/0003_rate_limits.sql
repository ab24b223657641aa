-- Rate-limit counters: one row per caller and fixed window, shared by every
-- server process on the database.
CREATE TABLE rate_limit_counters (
    bucket       TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_start);
