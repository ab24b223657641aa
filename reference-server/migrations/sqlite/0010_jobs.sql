-- Generation jobs and their event log.
CREATE TABLE jobs (
    id                  TEXT PRIMARY KEY,
    owner_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status              TEXT NOT NULL DEFAULT 'queued',
    prompt              TEXT NOT NULL,
    backend             TEXT NOT NULL,
    template            TEXT,
    template_params     TEXT,
    settings            TEXT NOT NULL,
    callback_url        TEXT,
    callback_secret     TEXT,
    idempotency_key     TEXT,
    request_hash        TEXT,
    progress            INTEGER NOT NULL DEFAULT 0,
    estimated_time      INTEGER NOT NULL,
    estimated_remaining INTEGER,
    attempts            INTEGER NOT NULL DEFAULT 0,
    max_attempts        INTEGER NOT NULL,
    lease_owner         TEXT,
    lease_expires_ms    INTEGER,
    animation_id        TEXT,
    error_code          TEXT,
    error_message       TEXT,
    event_seq           INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    started_at          TEXT,
    finished_at         TEXT
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (owner_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_queue ON jobs (status, created_at, id);
CREATE INDEX jobs_owner ON jobs (owner_id, created_at);

CREATE TABLE job_events (
    job_id              TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    sequence            INTEGER NOT NULL,
    kind                TEXT NOT NULL,
    status              TEXT NOT NULL,
    progress            INTEGER NOT NULL,
    message             TEXT,
    estimated_remaining INTEGER,
    created_at          TEXT NOT NULL,
    PRIMARY KEY (job_id, sequence)
);
