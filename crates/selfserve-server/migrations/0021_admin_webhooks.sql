-- Portable between SQLite and PostgreSQL: see src/store.rs for the rules.

-- An organisation's HTTPS endpoints that receive every event as signed JSON (issue 12).
CREATE TABLE webhook_endpoints (
    -- `whe_…`
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    url             TEXT NOT NULL,
    -- `whsec_…`, the HMAC key. Kept (not hashed) because the server signs with it; forgotten
    -- on removal. See ARCHITECTURE.md ("Webhook secrets are kept").
    secret          TEXT,
    created_at      BIGINT NOT NULL,
    -- A removal is a mark, not a DELETE: an event's transaction planning a delivery to the
    -- endpoint at that moment must never fail on a vanished foreign key.
    removed_at      BIGINT,
    CHECK ((removed_at IS NULL) = (secret IS NOT NULL))
);
CREATE INDEX webhook_endpoints_by_organization ON webhook_endpoints (organization_id);

-- One delivery per event and endpoint, planned in the event's transaction and sent by the
-- server's webhook sender, at least once.
CREATE TABLE webhook_deliveries (
    -- `whd_…`
    id              TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event_id        TEXT NOT NULL REFERENCES events (id),
    -- The JSON sent, fixed when planned: every retry sends the same bytes.
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts        BIGINT NOT NULL CHECK (attempts >= 0),
    -- Real time (unix seconds), not billing time.
    next_attempt_at BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT,
    -- The last failure, for the operator: an HTTP status or a transport error.
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
