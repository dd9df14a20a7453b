-- One trial per person and product, ever: the claim is written in the trial's own transaction,
-- so two concurrent starts cannot both commit, and it outlives the trial (expired, converted or
-- cancelled) because nothing ever deletes it.
CREATE TABLE trial_claims (
    user_id         TEXT NOT NULL REFERENCES users (id),
    product         TEXT NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    claimed_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, product)
);

-- The trials started before this table: a self-service subscription that is trialing, or that
-- never had a card (every purchase keeps its card). The earliest one per person and product.
INSERT INTO trial_claims (user_id, product, subscription_id, claimed_at)
SELECT s.purchaser_id, s.product, MIN(s.id), MIN(s.created_at)
FROM subscriptions s
WHERE s.source = 'self_service' AND (s.status = 'trialing' OR s.payment_method_id IS NULL)
GROUP BY s.purchaser_id, s.product;

-- Recovery and replays look bills and keys up by their order.
CREATE INDEX invoices_by_order ON invoices (order_id);
CREATE INDEX idempotency_keys_by_order ON idempotency_keys (order_id);

-- Retention: finished keys and spent or stale gateway tokens are deleted by age.
CREATE INDEX idempotency_keys_by_state ON idempotency_keys (state, created_at);
CREATE INDEX gateway_tokens_by_created ON gateway_tokens (created_at);
