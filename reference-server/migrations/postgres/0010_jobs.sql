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
    progress            BIGINT NOT NULL DEFAULT 0,
    estimated_time      BIGINT NOT NULL,
    estimated_remaining BIGINT,
    attempts            BIGINT NOT NULL DEFAULT 0,
    max_attempts        BIGINT NOT NULL,
    lease_owner         TEXT,
    lease_expires_ms    BIGINT,
    animation_id        TEXT,
    error_code          TEXT,
    error_message       TEXT,
    event_seq           BIGINT NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    started_at          TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (owner_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_queue ON jobs (status, created_at, id);
CREATE INDEX jobs_owner ON jobs (owner_id, created_at);

CREATE TABLE job_events (
    job_id              TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    sequence            BIGINT NOT NULL,
    kind                TEXT NOT NULL,
    status              TEXT NOT NULL,
    progress            BIGINT NOT NULL,
    message             TEXT,
    estimated_remaining BIGINT,
    created_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (job_id, sequence)
);
