-- The redesign's seams. Portable between SQLite and PostgreSQL (see src/store.rs).

-- Domain events, written in the same transaction as the change they describe (the outbox);
-- the audit log reads them. They replace `audit_events`, whose entries were written after the
-- change committed (a crash in between lost one) and numbered through one counter row that
-- every write had to lock.
CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    -- Billing time (moves with --test-clock), shown to people.
    at              BIGINT NOT NULL,
    -- Real time in microseconds when recorded: orders events, newest first.
    recorded_us     BIGINT NOT NULL,
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('user', 'system', 'operator')),
    actor_id        TEXT,
    actor_name      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subscription_id TEXT,
    product         TEXT,
    before_json     TEXT,
    after_json      TEXT
);
CREATE INDEX events_by_org ON events (organization_id, recorded_us);
CREATE INDEX events_by_org_kind ON events (organization_id, kind, recorded_us);

INSERT INTO events (id, organization_id, at, recorded_us, actor_kind, actor_id, actor_name,
                    kind, subscription_id, product, before_json, after_json)
SELECT id, organization_id, at, seq,
       CASE WHEN actor_id IS NOT NULL THEN 'user'
            WHEN actor_name = 'CLI' THEN 'operator'
            ELSE 'system' END,
       actor_id, actor_name, action, subscription_id, product, before_json, after_json
FROM audit_events;
DROP TABLE audit_events;
DELETE FROM counters WHERE name = 'audit';

-- Whether an order charges a card the buyer just entered (and may save) or the card on file.
-- Told apart by the id's prefix until now, which only the built-in gateway's ids allow.
ALTER TABLE orders ADD COLUMN payment_source_kind TEXT
    CHECK (payment_source_kind IN ('new_card', 'saved_card'));
UPDATE orders SET payment_source_kind = CASE
    WHEN payment_source LIKE 'tok%' THEN 'new_card' ELSE 'saved_card' END
    WHERE payment_source IS NOT NULL;

-- Money given back by the built-in gateway, per charge: never more than was charged.
CREATE TABLE gateway_refunds (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    charge_id       TEXT NOT NULL REFERENCES gateway_charges (id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    created_at      BIGINT NOT NULL
);
CREATE INDEX gateway_refunds_by_charge ON gateway_refunds (charge_id);
