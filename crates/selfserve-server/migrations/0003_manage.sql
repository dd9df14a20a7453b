-- The purchaser's view: user search, renewals, paying bills. Portable (see src/store.rs).

-- Words people search colleagues by (each word of the name, the email and its local part),
-- lowercased. A prefix search is a range scan of this index, fast at 100,000 users.
CREATE TABLE user_search_terms (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    term            TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (organization_id, term, user_id)
);
CREATE INDEX user_search_terms_by_user ON user_search_terms (user_id);

-- When a renewal payment first failed; 30 days later an unpaid subscription is suspended.
ALTER TABLE subscriptions ADD COLUMN past_due_since BIGINT;

-- The invoice an order pays (renewals and "pay now"); at most one payment in flight per
-- invoice, so two clicks on "Pay" cannot both charge.
ALTER TABLE orders ADD COLUMN invoice_id TEXT REFERENCES invoices (id);
CREATE UNIQUE INDEX orders_one_payment_in_flight ON orders (invoice_id)
    WHERE phase = 'created';
