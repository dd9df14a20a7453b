-- Admins and partners: the audit log, cancellation requests, trials. Portable (see store.rs).

-- Every purchase, seat change, assignment, policy change, cancellation and take-over, with who
-- did it, when, and what was there before and after (JSON). `seq` orders events that share a
-- second.
CREATE TABLE audit_events (
    id              TEXT PRIMARY KEY,
    seq             BIGINT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    at              BIGINT NOT NULL,
    -- NULL when the server itself acted (renewals) or the CLI did.
    actor_id        TEXT,
    actor_name      TEXT NOT NULL,
    action          TEXT NOT NULL,
    subscription_id TEXT,
    product         TEXT,
    before_json     TEXT,
    after_json      TEXT
);
CREATE INDEX audit_events_by_org ON audit_events (organization_id, seq);

-- An admin asked the purchaser to cancel (after moving its users to central licences).
ALTER TABLE subscriptions ADD COLUMN cancel_requested_at BIGINT;
ALTER TABLE subscriptions ADD COLUMN cancel_requested_by TEXT;
-- A trial that was bought: the subscription that replaced it.
ALTER TABLE subscriptions ADD COLUMN converted_to TEXT;
-- A purchase that converts a trial.
ALTER TABLE orders ADD COLUMN converts_subscription_id TEXT;
