-- Requests to IT (issue 12): a person who may not buy a product asks the organisation's admins.
-- Portable between SQLite and PostgreSQL (see src/store.rs).
CREATE TABLE it_requests (
    -- `req_…`.
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    requester_id    TEXT NOT NULL REFERENCES users (id),
    product         TEXT NOT NULL,
    -- Why the requester could not buy when they asked (an `IneligibleReason`).
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'answered')),
    outcome         TEXT CHECK (outcome IN ('enabled', 'bought_centrally', 'declined')),
    message         TEXT CHECK (message IS NULL OR LENGTH(message) <= 4000),
    answered_by     TEXT,
    answered_at     BIGINT,
    -- Billing time (the test clock's), as events.
    created_at      BIGINT NOT NULL,
    -- An open request has no answer; an answered one has an outcome, who and when.
    CHECK ((status = 'open' AND outcome IS NULL AND answered_by IS NULL AND answered_at IS NULL
            AND message IS NULL)
        OR (status = 'answered' AND outcome IS NOT NULL AND answered_by IS NOT NULL
            AND answered_at IS NOT NULL))
);
-- One open request per person and product: asking again gives the open one back.
CREATE UNIQUE INDEX it_requests_one_open ON it_requests (requester_id, product)
    WHERE status = 'open';
CREATE INDEX it_requests_by_org ON it_requests (organization_id, status, created_at);

-- The outbox's template list grows with every kind of mail, and SQLite cannot change a CHECK
-- in place: the table is rebuilt once without it. `notifications::Template::from_str` refuses
-- any text it does not know when a mail is read (`Corrupt`), so no unknown template is sent.
CREATE TABLE outbox_rebuilt (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    template        TEXT NOT NULL,
    recipient_id    TEXT NOT NULL REFERENCES users (id),
    recipient_email TEXT NOT NULL,
    recipient_name  TEXT NOT NULL,
    country         TEXT,
    facts_json      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL CHECK (attempts >= 0),
    next_attempt_at BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
INSERT INTO outbox_rebuilt (id, event_id, organization_id, template, recipient_id,
    recipient_email, recipient_name, country, facts_json, status, attempts, next_attempt_at,
    lease_owner, lease_until, last_error, created_at, sent_at)
SELECT id, event_id, organization_id, template, recipient_id, recipient_email, recipient_name,
    country, facts_json, status, attempts, next_attempt_at, lease_owner, lease_until,
    last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_event ON outbox (event_id);
