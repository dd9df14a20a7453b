-- Portable between SQLite and PostgreSQL: see src/store.rs for the rules.

-- Which events an endpoint receives (issue 12): every event ('all', what endpoints registered
-- before this migration got, so they keep getting it), or only the kinds listed in
-- webhook_endpoint_events ('selected', at least one, written in the endpoint's transaction).
ALTER TABLE webhook_endpoints
    ADD COLUMN events TEXT NOT NULL DEFAULT 'all' CHECK (events IN ('all', 'selected'));

CREATE TABLE webhook_endpoint_events (
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    -- An audit action (`purchase`, `seats_changed`, …): the body's `type`.
    kind        TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, kind)
);
