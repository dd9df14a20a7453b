-- Throttle state shared by every server on the database (two instances behave as one).
-- Portable between SQLite and PostgreSQL (see src/store.rs).

-- One row per throttled key (a SHA-256 of the limit's name and the client or account, so a
-- hostile key costs 64 characters however long it was). A bucket is kept as the generic cell
-- rate algorithm's "theoretical arrival time" in milliseconds: a request is allowed when
-- `max(tat, now) + interval - now <= window`, and one conditional upsert both checks and takes,
-- so concurrent requests cannot all pass. A row whose tat is in the past is a full bucket, the
-- same as no row, and is deleted by the periodic sweep.
CREATE TABLE throttle_buckets (
    key_hash TEXT PRIMARY KEY,
    tat_ms   BIGINT NOT NULL
);
CREATE INDEX throttle_buckets_by_tat ON throttle_buckets (tat_ms);

-- Addresses (hashed, IPv6 by /64) from which an account signed in successfully: attempts from
-- them do not drain, and are not refused by, the account's bucket for unknown addresses.
CREATE TABLE sign_in_addresses (
    account_hash    TEXT NOT NULL,
    address_hash    TEXT NOT NULL,
    last_success_at BIGINT NOT NULL,
    PRIMARY KEY (account_hash, address_hash)
);
CREATE INDEX sign_in_addresses_by_time ON sign_in_addresses (last_success_at);

-- Expired sessions are swept by age.
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);
