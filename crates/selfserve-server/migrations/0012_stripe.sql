-- Stripe as the card processor (`--payments stripe`). Only Stripe's ids and what a merchant
-- sees of a card (brand, last four, expiry) are kept; card numbers never reach the server.
-- Portable between SQLite and PostgreSQL (see src/store.rs).

-- One Stripe Customer per purchaser, so every card they save is reusable off session.
CREATE TABLE stripe_customers (
    purchaser_id TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL
);

-- PaymentMethods attached to a purchaser's Customer: the cards on file.
CREATE TABLE stripe_cards (
    payment_method_id TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL,
    brand             TEXT NOT NULL,
    last4             TEXT NOT NULL,
    exp_month         BIGINT NOT NULL,
    exp_year          BIGINT NOT NULL,
    created_at        BIGINT NOT NULL
);

-- One row per charge key (`charge_<order id>`): the PaymentIntent request exactly as first
-- sent, so a retry or the recovery sends the same request under the same Idempotency-Key, and
-- the intent Stripe made. `closed`: given up with nothing charged; a late charge is refused.
CREATE TABLE stripe_charges (
    charge_key        TEXT PRIMARY KEY,
    state             TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    customer_id       TEXT,
    payment_method_id TEXT,
    off_session       BIGINT NOT NULL CHECK (off_session IN (0, 1)),
    amount            BIGINT NOT NULL CHECK (amount >= 0),
    currency          TEXT NOT NULL,
    intent_id         TEXT,
    refunded          BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    created_at        BIGINT NOT NULL
);

-- Refunds by our refund key, so the same key refunds once.
CREATE TABLE stripe_refunds (
    refund_key TEXT PRIMARY KEY,
    charge_key TEXT NOT NULL REFERENCES stripe_charges (charge_key),
    refund_id  TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    created_at BIGINT NOT NULL
);

-- Webhook events, each stored once by Stripe's event id.
CREATE TABLE stripe_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

-- A subscription's card on file was a built-in gateway card by foreign key; a Stripe
-- PaymentMethod is one too. SQLite can drop neither that reference nor a column that has one,
-- so the old column is renamed and left empty, and a new one without the reference takes its
-- values (the processor that made a card is the one that knows it).
ALTER TABLE subscriptions RENAME COLUMN payment_method_id TO builtin_payment_method_id;
ALTER TABLE subscriptions ADD COLUMN payment_method_id TEXT;
UPDATE subscriptions SET payment_method_id = builtin_payment_method_id;
UPDATE subscriptions SET builtin_payment_method_id = NULL;
