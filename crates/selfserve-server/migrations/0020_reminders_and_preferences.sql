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
