-- The marketplace: featured animations, purchases, the revenue ledger, idempotency
-- keys of purchase requests and the built-in test payment provider's charges.
CREATE TABLE featured (
    animation_id TEXT PRIMARY KEY REFERENCES animations (id) ON DELETE CASCADE,
    featured_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX featured_by_time ON featured (featured_at);

-- Purchases outlive their animation (no foreign key on it): title and seller are kept.
CREATE TABLE purchases (
    id           TEXT PRIMARY KEY,
    buyer_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    animation_id TEXT NOT NULL,
    seller_id    TEXT NOT NULL,
    title        TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL,
    provider     TEXT NOT NULL,
    charge_id    TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (buyer_id, animation_id)
);
CREATE INDEX purchases_buyer_created ON purchases (buyer_id, created_at, id);

-- Money movements: a sale credits the seller with the amount paid.
CREATE TABLE ledger_entries (
    id           TEXT PRIMARY KEY,
    purchase_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    seller_id    TEXT NOT NULL,
    buyer_id     TEXT NOT NULL,
    animation_id TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    day          TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_entries_seller_day ON ledger_entries (seller_id, day);
CREATE INDEX ledger_entries_animation_day ON ledger_entries (animation_id, day);

CREATE TABLE purchase_idempotency (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL,
    status_code  BIGINT,
    response     TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- The books of the built-in test payment provider: one row per successful charge.
CREATE TABLE test_payment_charges (
    id             TEXT PRIMARY KEY,
    payment_method TEXT NOT NULL,
    reference      TEXT NOT NULL,
    amount_cents   BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    refunded       BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX test_payment_charges_reference ON test_payment_charges (reference);
