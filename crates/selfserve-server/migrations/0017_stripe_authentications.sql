-- PaymentIntents waiting for the buyer's 3-D Secure (Stripe answered `requires_action`). The
-- buyer authenticates in Stripe.js and pays again with a new Idempotency-Key, so a new order
-- and charge key: that key takes the waiting intent (once, by deleting its row) instead of
-- making a second one, which could charge the card twice. The client_secret Stripe.js needs is
-- not kept: it is read from Stripe whenever a response shows it.
-- Portable between SQLite and PostgreSQL (see src/store.rs).
CREATE TABLE stripe_authentications (
    intent_id         TEXT PRIMARY KEY,
    payment_method_id TEXT NOT NULL,
    amount            BIGINT NOT NULL CHECK (amount > 0),
    currency          TEXT NOT NULL,
    charge_key        TEXT NOT NULL REFERENCES stripe_charges (charge_key),
    created_at        BIGINT NOT NULL
);
CREATE INDEX stripe_authentications_by_card ON stripe_authentications (payment_method_id);
