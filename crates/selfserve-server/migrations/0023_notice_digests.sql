-- Portable between SQLite and PostgreSQL: see src/store.rs for the rules.

-- Admin notices gain a third choice, `daily` (a digest). SQLite cannot change a CHECK in place:
-- the table is rebuilt with the new list and its rows kept.
CREATE TABLE admin_notice_preferences_rebuilt (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    notices    TEXT NOT NULL CHECK (notices IN ('each', 'daily', 'none')),
    updated_at BIGINT NOT NULL
);
INSERT INTO admin_notice_preferences_rebuilt (user_id, notices, updated_at)
SELECT user_id, notices, updated_at FROM admin_notice_preferences;
DROP TABLE admin_notice_preferences;
ALTER TABLE admin_notice_preferences_rebuilt RENAME TO admin_notice_preferences;

-- An admin notice held for a `daily` admin's digest instead of mailed: written in its event's
-- transaction, with the facts its own mail would have told. `day` is the event's UTC day of
-- billing time (unix seconds / 86400).
CREATE TABLE admin_digest_entries (
    user_id    TEXT NOT NULL REFERENCES users (id),
    event_id   TEXT NOT NULL REFERENCES events (id),
    day        BIGINT NOT NULL,
    template   TEXT NOT NULL,
    country    TEXT,
    facts_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX admin_digest_entries_by_day ON admin_digest_entries (day, user_id);

-- One digest per admin per day, ever: the row is inserted in the transaction that plans the
-- digest's mail in the outbox, so two servers or a crash never plan it twice.
CREATE TABLE admin_digests (
    user_id    TEXT NOT NULL REFERENCES users (id),
    day        BIGINT NOT NULL,
    -- The planned mail (NULL: nothing to send, e.g. the admin since opted out or left).
    outbox_id  TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
