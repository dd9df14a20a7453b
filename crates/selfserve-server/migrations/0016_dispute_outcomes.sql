-- How a dispute ended (`charge.dispute.closed`): `won` (the charge stands) or `lost` (the
-- money went back to the cardholder); NULL while it is open. Portable between SQLite and
-- PostgreSQL (see src/store.rs).
ALTER TABLE stripe_disputes ADD COLUMN outcome TEXT CHECK (outcome IN ('won', 'lost'));
ALTER TABLE stripe_disputes ADD COLUMN closed_at BIGINT;
