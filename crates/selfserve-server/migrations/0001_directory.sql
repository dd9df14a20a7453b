-- Portable between SQLite and PostgreSQL: see src/store.rs for the rules (flags are BIGINT 0/1).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Customer organisations ("tenants") and partners share one table: both have domains and users
-- who sign in; only customers buy.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL
               CHECK (kind IN ('commercial', 'government', 'nonprofit', 'education', 'partner')),
    -- ISO 3166-1 alpha-2; NULL for partners.
    country    TEXT,
    managed    BIGINT NOT NULL CHECK (managed IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE organization_domains (
    domain          TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    -- 0 for the primary domain, then file order.
    position        BIGINT NOT NULL
);
CREATE INDEX organization_domains_by_org ON organization_domains (organization_id);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    -- Lowercased name, for case-insensitive search.
    name_search     TEXT NOT NULL,
    -- argon2id PHC string; NULL when the account has no password.
    password_hash   TEXT,
    guest           BIGINT NOT NULL CHECK (guest IN (0, 1)),
    enabled         BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    -- False once a re-import no longer lists the user (a leaver); the row stays because
    -- subscriptions and history refer to it.
    in_directory    BIGINT NOT NULL CHECK (in_directory IN (0, 1)),
    global_admin    BIGINT NOT NULL CHECK (global_admin IN (0, 1)),
    billing_admin   BIGINT NOT NULL CHECK (billing_admin IN (0, 1)),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX users_by_org_email ON users (organization_id, email);
CREATE INDEX users_by_org_name ON users (organization_id, name_search);

CREATE TABLE partner_delegations (
    partner_id  TEXT NOT NULL REFERENCES organizations (id),
    customer_id TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (partner_id, customer_id)
);
