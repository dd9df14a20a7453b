-- SCIM 2.0 provisioning (RFC 7643/7644): an organisation's identity provider (Entra ID, Okta)
-- pushes its users and groups. Portable between SQLite and PostgreSQL (see src/store.rs).

-- At most one bearer token per organisation; only its SHA-256 is kept, so reading this table
-- gives nobody a usable token. `org scim-token create` replaces it, `revoke` deletes it.
CREATE TABLE scim_tokens (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL
);

-- Who created the account. A directory re-import makes leavers only of the users it governs:
-- people created by a first SSO sign-in or by SCIM are not in the file, and are not leavers
-- for that reason.
ALTER TABLE users ADD COLUMN provisioned_by TEXT NOT NULL DEFAULT 'directory'
    CHECK (provisioned_by IN ('directory', 'sso', 'scim'));
-- The provider's own id for the user (SCIM `externalId`), echoed back as it was sent.
ALTER TABLE users ADD COLUMN scim_external_id TEXT;
-- 1 after a SCIM DELETE: the row stays (subscriptions and history refer to it) as a leaver,
-- but SCIM answers 404 for it, as RFC 7644 §3.6 asks; a later POST of the same userName
-- brings the account back.
ALTER TABLE users ADD COLUMN scim_deleted BIGINT NOT NULL DEFAULT 0
    CHECK (scim_deleted IN (0, 1));

-- Groups the provider pushes. Only their names matter here: a group named in the
-- organisation's `admin_groups` / `billing_admin_groups` (organization_sso) gives its members
-- that role, as the `groups` claim does at an SSO sign-in.
CREATE TABLE scim_groups (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    display_name    TEXT NOT NULL,
    external_id     TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (organization_id, display_name)
);

CREATE TABLE scim_group_members (
    group_id TEXT NOT NULL REFERENCES scim_groups (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scim_group_members_by_user ON scim_group_members (user_id);
