-- A PaymentIntent waiting for 3-D Secure is taken by the buyer's next attempt for the same
-- thing (`target`: the subscription a seat increase or bill payment is for, or the
-- organisation + product + purchaser of a purchase) with the same card, not by any attempt of
-- the same amount: a seat increase is priced again on every attempt, so its amount drifts, and
-- a waiting intent of another amount for the target is ended at once (canceled, or refunded
-- if the buyer passed the check) through `stripe_abandoned_authentications`. Rows listed
-- before this migration have no target: no attempt takes them, the hourly reconciliation ends
-- them.
-- One intent settles one key: the key that takes a waiting intent closes the key that made it
-- (same transaction), so a webhook's intent names one key. Keys that shared an intent before
-- this migration keep only the latest one's.
-- Portable between SQLite and PostgreSQL (see src/store.rs).
ALTER TABLE stripe_authentications ADD COLUMN target TEXT;
CREATE INDEX stripe_authentications_by_target ON stripe_authentications (target);
UPDATE stripe_charges SET state = 'closed', intent_id = NULL
WHERE intent_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM stripe_charges later
    WHERE later.intent_id = stripe_charges.intent_id
      AND (later.created_at > stripe_charges.created_at
           OR (later.created_at = stripe_charges.created_at
               AND later.charge_key > stripe_charges.charge_key))
);
CREATE UNIQUE INDEX stripe_charges_by_intent ON stripe_charges (intent_id);
