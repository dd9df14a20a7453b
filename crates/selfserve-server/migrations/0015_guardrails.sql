-- Guardrails: an organisation's limits on self-service buying of one product (issue 12).
-- Portable between SQLite and PostgreSQL (see src/store.rs). A NULL limit is no limit; a row
-- with all three NULL is the same as no row.
--
-- The row is also the lock that serialises the checks: a purchase, seat increase or trial of
-- the product in the organisation takes it (`UPDATE … SET updated_at = updated_at`) before it
-- counts what is already bought, so two of them cannot both fit under a limit together.
CREATE TABLE product_guardrails (
    organization_id        TEXT NOT NULL REFERENCES organizations (id),
    product                TEXT NOT NULL,
    max_seats_per_purchase BIGINT CHECK (max_seats_per_purchase BETWEEN 1 AND 1000000),
    max_seats              BIGINT CHECK (max_seats BETWEEN 1 AND 1000000),
    monthly_cap            BIGINT CHECK (monthly_cap BETWEEN 1 AND 1000000000000),
    updated_at             BIGINT NOT NULL,
    PRIMARY KEY (organization_id, product)
);
