-- Sign-in with an organisation's identity provider (OpenID Connect).
-- Portable between SQLite and PostgreSQL (see src/store.rs).

-- At most one provider per organisation. The client secret is never stored: only where to
-- read it when the server needs it (`file:PATH` or `env:NAME`). Group lists are JSON arrays.
CREATE TABLE organization_sso (
    organization_id      TEXT PRIMARY KEY REFERENCES organizations (id),
    issuer               TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    client_secret_ref    TEXT NOT NULL,
    admin_groups         TEXT NOT NULL,
    billing_admin_groups TEXT NOT NULL,
    updated_at           BIGINT NOT NULL
);

-- A sign-in sent to a provider and not yet back. Kept here, not in a process, so the callback
-- may reach any instance; deleted when the callback takes it (single use) or after 10 minutes.
-- Keyed by a SHA-256 of `state`, so reading this table does not give a usable `state`.
-- `browser_hash` is a SHA-256 of a random value in a cookie of the browser that started it: a
-- callback URL sent to someone else's browser (login CSRF) does not sign them in.
CREATE TABLE sso_pending_logins (
    state_hash      TEXT PRIMARY KEY,
    browser_hash    TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    pkce_verifier   TEXT NOT NULL,
    nonce           TEXT NOT NULL,
    return_to       TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX sso_pending_logins_by_time ON sso_pending_logins (created_at);

-- Who a user is at their organisation's provider (`sub`, unique per issuer): sign-in matches
-- on it, never on the email, which the provider may let people change.
CREATE TABLE user_sso_subjects (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    subject         TEXT NOT NULL,
    user_id         TEXT NOT NULL UNIQUE REFERENCES users (id),
    PRIMARY KEY (organization_id, subject)
);
