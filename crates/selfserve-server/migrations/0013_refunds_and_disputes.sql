-- Refunds of paid invoices (`selfserve-server invoice refund`), with either processor.
-- Portable between SQLite and PostgreSQL (see src/store.rs).

-- What has been given back of the bill, reserved before the processor is asked: the CHECK
-- keeps the sum of refunds within what was paid whatever runs concurrently.
ALTER TABLE invoices ADD COLUMN amount_refunded BIGINT NOT NULL DEFAULT 0
    CHECK (amount_refunded >= 0 AND amount_refunded <= total);

-- One row per refund of a bill, recorded (`pending`) before the processor is asked under
-- `refund_key` (the invoice and the refund's sequence), so a crash or a retry refunds once.
-- `refused`: the processor said no; its amount went back to `invoices.amount_refunded`.
CREATE TABLE invoice_refunds (
    id                  TEXT PRIMARY KEY,
    invoice_id          TEXT NOT NULL REFERENCES invoices (id),
    sequence            BIGINT NOT NULL CHECK (sequence > 0),
    refund_key          TEXT NOT NULL UNIQUE,
    charge_key          TEXT NOT NULL,
    amount              BIGINT NOT NULL CHECK (amount > 0),
    reason              TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'refused')),
    processor_refund_id TEXT,
    created_at          BIGINT NOT NULL,
    settled_at          BIGINT,
    UNIQUE (invoice_id, sequence)
);

-- Disputes (chargebacks) Stripe reported on a subscription's charges (`charge.dispute.created`),
-- once each; the subscription shows the latest to its purchaser and admins.
CREATE TABLE stripe_disputes (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    intent_id       TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    currency        TEXT NOT NULL,
    opened_at       BIGINT NOT NULL
);
CREATE INDEX stripe_disputes_by_subscription ON stripe_disputes (subscription_id, opened_at);
