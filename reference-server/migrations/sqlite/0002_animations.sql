-- The catalogue: animations, their versions, likes and follows.
CREATE TABLE animations (
    id               TEXT PRIMARY KEY,
    owner_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    title_lower      TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '[]',
    category         TEXT NOT NULL DEFAULT 'other',
    license          TEXT NOT NULL DEFAULT 'MIT',
    price_cents      INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'processing',
    video_object     TEXT,
    thumbnail_object TEXT,
    duration         REAL,
    fps              REAL,
    width            INTEGER,
    height           INTEGER,
    file_size        INTEGER,
    format           TEXT,
    source_code      TEXT,
    manim_version    TEXT,
    job_id           TEXT,
    views            INTEGER NOT NULL DEFAULT 0,
    downloads        INTEGER NOT NULL DEFAULT 0,
    likes            INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX animations_owner ON animations (owner_id, status);
CREATE INDEX animations_status_created ON animations (status, created_at, id);

CREATE TABLE animation_versions (
    animation_id TEXT NOT NULL REFERENCES animations (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    changelog    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (animation_id, version)
);

CREATE TABLE likes (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    animation_id TEXT NOT NULL REFERENCES animations (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, animation_id)
);
CREATE INDEX likes_animation ON likes (animation_id);

CREATE TABLE follows (
    follower_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id);
