-- Portable between SQLite and PostgreSQL: see src/store.rs for the rules.

-- Reminders the billing job sent: one per subscription, kind and period (its end), so two
-- servers or two runs never remind twice. Written in the reminder event's transaction.
CREATE TABLE billing_reminders (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    kind            TEXT NOT NULL CHECK (kind IN ('renewal_upcoming', 'trial_ending')),
    period_end      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, kind, period_end)
);

-- An admin's choice about admin notices (no row: every notice, as before).
CREATE TABLE admin_notice_preferences (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    notices    TEXT NOT NULL CHECK (notices IN ('each', 'none')),
    updated_at BIGINT NOT NULL
);

-- Keys the server made for itself (the unsubscribe links' HMAC key), made once by whichever
-- server needs one first (INSERT … ON CONFLICT DO NOTHING, then read back).
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY CHECK (name IN ('unsubscribe')),
    key_hex    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The outbox again, with the new templates in its CHECK (neither engine can change a CHECK in
-- place portably, so the table is copied).
CREATE TABLE outbox_0020 (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    template        TEXT NOT NULL
                    CHECK (template IN ('receipt', 'admin_purchase', 'admin_trial',
                                        'licence_assigned', 'payment_failed',
                                        'cancellation_requested', 'renewal_upcoming',
                                        'trial_ending', 'suspended')),
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
INSERT INTO outbox_0020 (id, event_id, organization_id, template, recipient_id,
                         recipient_email, recipient_name, country, facts_json, status, attempts,
                         next_attempt_at, lease_owner, lease_until, last_error, created_at,
                         sent_at)
SELECT id, event_id, organization_id, template, recipient_id, recipient_email, recipient_name,
       country, facts_json, status, attempts, next_attempt_at, lease_owner, lease_until,
       last_error, created_at, sent_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_0020 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_event ON outbox (event_id);
