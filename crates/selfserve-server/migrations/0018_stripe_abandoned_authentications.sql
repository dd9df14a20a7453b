-- PaymentIntents that waited for the buyer's 3-D Secure (`stripe_authentications`) and that no
-- attempt took within the reconciliation's limit: the buyer passed (or dropped) the bank's check
-- in Stripe.js and never paid again, so the intent may hold money no paid order stands for.
-- Moving a row here from the waiting list is one transaction (no later attempt can take it);
-- then the intent is canceled at Stripe if it still waits, or refunded in full under
-- `refund_auth_<intent id>` if it succeeded, and the row is settled once (with its audit event
-- for a refund). A run cut off between the two finishes the `pending` rows at the next start.
-- Portable between SQLite and PostgreSQL (see src/store.rs).
CREATE TABLE stripe_abandoned_authentications (
    intent_id  TEXT PRIMARY KEY,
    charge_key TEXT NOT NULL REFERENCES stripe_charges (charge_key),
    amount     BIGINT NOT NULL CHECK (amount > 0),
    currency   TEXT NOT NULL,
    phase      TEXT NOT NULL CHECK (phase IN ('pending', 'canceled', 'refunded')),
    refund_id  TEXT,
    taken_at   BIGINT NOT NULL,
    settled_at BIGINT
);
CREATE INDEX stripe_abandoned_authentications_by_phase ON stripe_abandoned_authentications (phase);

-- The SetupIntent made for each new card on file (replacing a subscription's card), so the
-- same card sent again after the buyer's 3-D Secure in Stripe.js finds the intent the buyer
-- confirmed rather than making another (Stripe's Idempotency-Key alone is not kept forever,
-- and not every Stripe server honours it). Ids only; the client secret is never kept.
CREATE TABLE stripe_setups (
    payment_method_id TEXT PRIMARY KEY,
    setup_intent_id   TEXT NOT NULL UNIQUE,
    created_at        BIGINT NOT NULL
);
