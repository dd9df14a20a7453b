-- Sessions, product policies, the test gateway's records, and everything a purchase creates.
-- Portable between SQLite and PostgreSQL (see src/store.rs); flags are BIGINT 0/1.

-- Product policy per organisation (no row: enabled).
CREATE TABLE product_policies (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    product         TEXT NOT NULL,
    value           TEXT NOT NULL
                    CHECK (value IN ('enabled', 'disabled', 'only_trials_without_payment_method')),
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, product)
);

-- Only a SHA-256 of the session id is stored: a copy of the database signs nobody in.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The test gateway. It keeps what Stripe would show a merchant: brand, last four, expiry, and
-- how the test card behaves; never the number, the CVC or the cardholder's name.
CREATE TABLE gateway_tokens (
    id          TEXT PRIMARY KEY,
    brand       TEXT NOT NULL,
    last4       TEXT NOT NULL,
    exp_month   BIGINT NOT NULL,
    exp_year    BIGINT NOT NULL,
    behaviour   TEXT NOT NULL,
    -- 'none' | 'required' | 'approved' | 'failed'
    three_d_secure TEXT NOT NULL,
    challenge_id   TEXT UNIQUE,
    used        BIGINT NOT NULL CHECK (used IN (0, 1)),
    created_at  BIGINT NOT NULL
);

-- Reusable cards on file, made from a token when a purchase succeeds.
CREATE TABLE gateway_payment_methods (
    id          TEXT PRIMARY KEY,
    brand       TEXT NOT NULL,
    last4       TEXT NOT NULL,
    exp_month   BIGINT NOT NULL,
    exp_year    BIGINT NOT NULL,
    behaviour   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Every charge attempt, once per idempotency key: charging the same key again returns this
-- row instead of moving money twice.
CREATE TABLE gateway_charges (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    -- 'succeeded' | 'declined' | 'requires_action'
    outcome         TEXT NOT NULL,
    decline_code    TEXT,
    -- The card saved for later charges when a token's charge succeeded.
    payment_method_id TEXT,
    created_at      BIGINT NOT NULL
);

-- Named counters for human-readable sequences (invoice numbers).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    product              TEXT NOT NULL,
    source               TEXT NOT NULL CHECK (source IN ('self_service', 'central')),
    status               TEXT NOT NULL
                         CHECK (status IN ('active', 'trialing', 'past_due', 'suspended',
                                           'canceled', 'expired')),
    quantity             BIGINT NOT NULL CHECK (quantity >= 1),
    -- Seats from the next renewal when a decrease is scheduled.
    pending_quantity     BIGINT,
    -- Kept equal to the number of assignments; the CHECK is the seat invariant, and every
    -- assignment moves it with one conditional UPDATE, atomic on both engines.
    assigned_count       BIGINT NOT NULL CHECK (assigned_count >= 0 AND assigned_count <= quantity),
    purchaser_id         TEXT NOT NULL REFERENCES users (id),
    unit_amount          BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    tax_rate_bps         BIGINT NOT NULL,
    -- Period ends are computed from the anchor so monthly renewals keep the purchase day.
    billing_anchor       BIGINT NOT NULL,
    periods_elapsed      BIGINT NOT NULL,
    current_period_start BIGINT NOT NULL,
    current_period_end   BIGINT NOT NULL,
    cancel_at_period_end BIGINT NOT NULL CHECK (cancel_at_period_end IN (0, 1)),
    payment_method_id    TEXT REFERENCES gateway_payment_methods (id),
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX subscriptions_by_org ON subscriptions (organization_id, created_at);
CREATE INDEX subscriptions_by_purchaser ON subscriptions (purchaser_id, created_at);
CREATE INDEX subscriptions_by_period_end ON subscriptions (status, current_period_end);

CREATE TABLE assignments (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    assigned_at     BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, user_id)
);
CREATE INDEX assignments_by_user ON assignments (user_id);

-- An order records each phase of moving money, so a crash at any point is finished or rolled
-- back on restart: 'created' (charge not known to have happened) → 'paid' | 'failed'.
CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    purchaser_id    TEXT NOT NULL REFERENCES users (id),
    subscription_id TEXT REFERENCES subscriptions (id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('purchase', 'seat_increase', 'seat_decrease', 'renewal',
                                    'invoice_payment')),
    product         TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    unit_amount     BIGINT NOT NULL,
    subtotal        BIGINT NOT NULL,
    tax             BIGINT NOT NULL,
    tax_rate_bps    BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    period_start    BIGINT NOT NULL,
    period_end      BIGINT NOT NULL,
    phase           TEXT NOT NULL CHECK (phase IN ('created', 'paid', 'failed', 'scheduled')),
    -- The token or card charged; the gateway charge's idempotency key is 'charge_' || id.
    payment_source  TEXT,
    decline_code    TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX orders_by_subscription ON orders (subscription_id, created_at);
CREATE INDEX orders_by_phase ON orders (phase);

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    order_id        TEXT REFERENCES orders (id),
    status          TEXT NOT NULL CHECK (status IN ('paid', 'open', 'past_due', 'void')),
    subtotal        BIGINT NOT NULL,
    tax             BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    period_start    BIGINT NOT NULL,
    period_end      BIGINT NOT NULL,
    card_brand      TEXT,
    card_last4      TEXT,
    card_exp_month  BIGINT,
    card_exp_year   BIGINT,
    created_at      BIGINT NOT NULL,
    paid_at         BIGINT
);
CREATE INDEX invoices_by_subscription ON invoices (subscription_id, created_at);

CREATE TABLE invoice_lines (
    invoice_id  TEXT NOT NULL REFERENCES invoices (id),
    position    BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity    BIGINT NOT NULL,
    unit_amount BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

-- Stripe-style idempotency: the first response to a key is stored and replayed byte for byte.
CREATE TABLE idempotency_keys (
    user_id         TEXT NOT NULL REFERENCES users (id),
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    -- 'in_progress' | 'done'
    state           TEXT NOT NULL,
    response_status BIGINT,
    response_body   TEXT,
    -- The order the request created, for crash recovery.
    order_id        TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
