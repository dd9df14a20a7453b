-- Portable between SQLite and PostgreSQL: see src/store.rs for the rules.

-- Mail to send, written in the transaction of the event it tells about (src/notifications.rs
-- decides which event mails whom) and delivered by the server's sender, at least once.
CREATE TABLE outbox (
    -- `msg_…`: also the Message-ID's left part, so every retry carries the same Message-ID.
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    template        TEXT NOT NULL
                    CHECK (template IN ('receipt', 'admin_purchase', 'admin_trial',
                                        'licence_assigned', 'payment_failed',
                                        'cancellation_requested')),
    recipient_id    TEXT NOT NULL REFERENCES users (id),
    -- Copied at the time of the event: the mail tells what was true then.
    recipient_email TEXT NOT NULL,
    recipient_name  TEXT NOT NULL,
    -- The organisation's country (ISO 3166-1 alpha-2): amounts and dates are written for it.
    country         TEXT,
    facts_json      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL CHECK (attempts >= 0),
    -- Real time (unix seconds), not billing time: retries wait for the machine's clock.
    next_attempt_at BIGINT NOT NULL,
    -- A sender owns a message until `lease_until`; a sender that died loses it then.
    lease_owner     TEXT,
    lease_until     BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_event ON outbox (event_id);
