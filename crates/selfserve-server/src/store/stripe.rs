//! What the Stripe processor keeps: the Customer of each purchaser, the cards on file (brand,
//! last four, expiry; never a number), each charge key's request and PaymentIntent, refunds
//! and webhook events seen.

pub mod abandoned;
pub mod setups;

use super::WriteStatement;
use super::{Store, StoreError, flag, from_flag};
use selfserve_api::money::Currency;
use selfserve_api::subscription::CardSummary;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A PaymentMethod attached to a purchaser's Customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeCard {
    pub payment_method_id: String,
    pub customer_id: String,
    pub summary: CardSummary,
}

/// Whether a charge key may still charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Open,
    /// Given up with nothing charged: a late charge with the key is declined `abandoned`.
    Closed,
}

/// A charge key's PaymentIntent request as first sent, and the intent Stripe made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeCharge {
    pub key: String,
    pub state: KeyState,
    pub customer_id: Option<String>,
    pub payment_method_id: Option<String>,
    pub off_session: bool,
    pub amount: i64,
    pub currency: Currency,
    pub intent_id: Option<String>,
    pub refunded: i64,
}

const CHARGE_COLUMNS: &str = "charge_key, state, customer_id, payment_method_id, off_session, \
    amount, currency, intent_id, refunded";

fn charge_from_row(row: &AnyRow) -> Result<StripeCharge, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(StripeCharge {
        key: row.try_get("charge_key")?,
        state: match state.as_str() {
            "open" => KeyState::Open,
            "closed" => KeyState::Closed,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "stripe charge state {other:?}"
                )));
            }
        },
        customer_id: row.try_get("customer_id")?,
        payment_method_id: row.try_get("payment_method_id")?,
        off_session: from_flag(row.try_get("off_session")?),
        amount: row.try_get("amount")?,
        currency: super::decode_currency(row, "currency")?,
        intent_id: row.try_get("intent_id")?,
        refunded: row.try_get("refunded")?,
    })
}

impl Store {
    /// The Stripe Customer of a purchaser, if one was made.
    pub async fn stripe_customer(&self, purchaser_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT customer_id FROM stripe_customers WHERE purchaser_id = $1")
            .bind(purchaser_id)
            .fetch_optional(self.writer())
            .await?;
        Ok(row.map(|row| row.try_get("customer_id")).transpose()?)
    }

    /// Records a purchaser's Customer unless one was recorded first; returns the one kept (two
    /// racing requests both made a Customer at Stripe: one stays unused).
    pub async fn keep_stripe_customer(
        &self,
        purchaser_id: &str,
        customer_id: &str,
        now: i64,
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO stripe_customers (purchaser_id, customer_id, created_at) \
             VALUES ($1, $2, $3) ON CONFLICT (purchaser_id) DO NOTHING",
        )
        .bind(purchaser_id)
        .bind(customer_id)
        .bind(now)
        .write(self)
        .await?;
        self.stripe_customer(purchaser_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("no customer kept for {purchaser_id}")))
    }

    /// A card on file by PaymentMethod id.
    pub async fn stripe_card(
        &self,
        payment_method_id: &str,
    ) -> Result<Option<StripeCard>, StoreError> {
        let row = sqlx::query(
            "SELECT payment_method_id, customer_id, brand, last4, exp_month, exp_year \
             FROM stripe_cards WHERE payment_method_id = $1",
        )
        .bind(payment_method_id)
        .fetch_optional(self.writer())
        .await?;
        row.map(|row| {
            Ok(StripeCard {
                payment_method_id: row.try_get("payment_method_id")?,
                customer_id: row.try_get("customer_id")?,
                summary: CardSummary {
                    brand: super::decode(&row, "brand")?,
                    last4: row.try_get("last4")?,
                    exp_month: row.try_get::<i64, _>("exp_month")? as u32,
                    exp_year: row.try_get::<i64, _>("exp_year")? as u32,
                },
            })
        })
        .transpose()
    }

    /// Records a card on file (once).
    pub async fn keep_stripe_card(&self, card: &StripeCard, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO stripe_cards (payment_method_id, customer_id, brand, last4, exp_month, \
             exp_year, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (payment_method_id) DO NOTHING",
        )
        .bind(&card.payment_method_id)
        .bind(&card.customer_id)
        .bind(card.summary.brand.as_str())
        .bind(&card.summary.last4)
        .bind(i64::from(card.summary.exp_month))
        .bind(i64::from(card.summary.exp_year))
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }

    /// A charge key's row.
    pub async fn stripe_charge(&self, key: &str) -> Result<Option<StripeCharge>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CHARGE_COLUMNS} FROM stripe_charges WHERE charge_key = $1"
        ))
        .bind(key)
        .fetch_optional(self.writer())
        .await?;
        row.map(|row| charge_from_row(&row)).transpose()
    }

    /// Records a charge key's request unless the key has a row already (an earlier attempt's
    /// request, or closed); returns the row kept.
    pub async fn open_stripe_charge(
        &self,
        charge: &StripeCharge,
        now: i64,
    ) -> Result<StripeCharge, StoreError> {
        sqlx::query(
            "INSERT INTO stripe_charges (charge_key, state, customer_id, payment_method_id, \
             off_session, amount, currency, intent_id, refunded, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0, $8) ON CONFLICT (charge_key) DO NOTHING",
        )
        .bind(&charge.key)
        .bind(match charge.state {
            KeyState::Open => "open",
            KeyState::Closed => "closed",
        })
        .bind(&charge.customer_id)
        .bind(&charge.payment_method_id)
        .bind(flag(charge.off_session))
        .bind(charge.amount)
        .bind(charge.currency.as_str())
        .bind(now)
        .write(self)
        .await?;
        self.stripe_charge(&charge.key)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("charge key {} vanished", charge.key)))
    }

    /// Notes that `charge`'s intent waits for the buyer's 3-D Secure, so that the buyer's next
    /// attempt for the same `target` with the same card takes it (see
    /// [`Self::open_stripe_charge_on_waiting`]).
    pub async fn await_stripe_authentication(
        &self,
        charge: &StripeCharge,
        intent_id: &str,
        target: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let Some(payment_method) = &charge.payment_method_id else {
            return Ok(());
        };
        sqlx::query(
            "INSERT INTO stripe_authentications (intent_id, payment_method_id, amount, currency, \
             charge_key, created_at, target) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (intent_id) DO NOTHING",
        )
        .bind(intent_id)
        .bind(payment_method)
        .bind(charge.amount)
        .bind(charge.currency.as_str())
        .bind(&charge.key)
        .bind(now)
        .bind(target)
        .write(self)
        .await?;
        Ok(())
    }

    /// Forgets a waiting intent (it was canceled).
    pub async fn forget_stripe_authentication(&self, intent_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM stripe_authentications WHERE intent_id = $1")
            .bind(intent_id)
            .write(self)
            .await?;
        Ok(())
    }

    /// The intents waiting for 3-D Secure for `target` that an attempt with this card, amount
    /// and currency cannot take: another card, or a price that moved (a seat increase is
    /// priced again on every attempt). They must be ended before this attempt charges.
    pub async fn stripe_authentications_not_for(
        &self,
        target: &str,
        payment_method_id: &str,
        amount: i64,
        currency: Currency,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT intent_id FROM stripe_authentications WHERE target = $1 \
             AND NOT (payment_method_id = $2 AND amount = $3 AND currency = $4) \
             ORDER BY created_at, intent_id",
        )
        .bind(target)
        .bind(payment_method_id)
        .bind(amount)
        .bind(currency.as_str())
        .fetch_all(self.writer())
        .await?)
    }

    /// Records `charge` (a new key) on the intent that waits for 3-D Secure for the same
    /// `target` and card (and amount and currency: one of another price is ended first, see
    /// [`Self::stripe_authentications_not_for`]), taking that intent from the waiting list and
    /// closing the key that made it in the same transaction, so one intent serves one key.
    /// `None`: no intent waits (or the key has a row already).
    pub async fn open_stripe_charge_on_waiting(
        &self,
        charge: &StripeCharge,
        target: &str,
        now: i64,
    ) -> Result<Option<StripeCharge>, StoreError> {
        let Some(payment_method) = &charge.payment_method_id else {
            return Ok(None);
        };
        let mut tx = self.begin_write().await?;
        let waiting = sqlx::query(
            "SELECT intent_id, charge_key FROM stripe_authentications WHERE target = $1 \
             AND payment_method_id = $2 AND amount = $3 AND currency = $4 \
             ORDER BY created_at, intent_id LIMIT 1",
        )
        .bind(target)
        .bind(payment_method)
        .bind(charge.amount)
        .bind(charge.currency.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(waiting) = waiting else {
            tx.rollback().await?;
            return Ok(None);
        };
        let intent: String = waiting.try_get("intent_id")?;
        let first_key: String = waiting.try_get("charge_key")?;
        let taken = sqlx::query("DELETE FROM stripe_authentications WHERE intent_id = $1")
            .bind(&intent)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // The first key's order failed `authentication_required` (or died before): it must
        // not settle from this intent too (recovery), nor be the key a webhook finds.
        sqlx::query(
            "UPDATE stripe_charges SET state = 'closed', intent_id = NULL WHERE charge_key = $1",
        )
        .bind(&first_key)
        .execute(&mut *tx)
        .await?;
        let opened = sqlx::query(
            "INSERT INTO stripe_charges (charge_key, state, customer_id, payment_method_id, \
             off_session, amount, currency, intent_id, refunded, created_at) \
             VALUES ($1, 'open', $2, $3, $4, $5, $6, $7, 0, $8) ON CONFLICT (charge_key) DO NOTHING",
        )
        .bind(&charge.key)
        .bind(&charge.customer_id)
        .bind(payment_method)
        .bind(flag(charge.off_session))
        .bind(charge.amount)
        .bind(charge.currency.as_str())
        .bind(&intent)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken != 1 || opened != 1 {
            // Another request took it first, or this key was recorded meanwhile.
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        self.stripe_charge(&charge.key).await
    }

    /// Ties a charge key to the PaymentIntent Stripe made for it.
    pub async fn set_stripe_intent(&self, key: &str, intent_id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE stripe_charges SET intent_id = $2 WHERE charge_key = $1")
            .bind(key)
            .bind(intent_id)
            .write(self)
            .await?;
        Ok(())
    }

    /// Closes a charge key after its intent was canceled (nothing charged).
    pub async fn close_stripe_charge(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE stripe_charges SET state = 'closed' WHERE charge_key = $1")
            .bind(key)
            .write(self)
            .await?;
        Ok(())
    }

    /// A refund made under our refund key: its Stripe id and amount.
    pub async fn stripe_refund(
        &self,
        refund_key: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query("SELECT refund_id, amount FROM stripe_refunds WHERE refund_key = $1")
            .bind(refund_key)
            .fetch_optional(self.writer())
            .await?;
        row.map(|row| Ok((row.try_get("refund_id")?, row.try_get("amount")?)))
            .transpose()
    }

    /// Records a refund Stripe made (once per refund key) and adds it to its charge's
    /// refunded total; returns that total.
    pub async fn record_stripe_refund(
        &self,
        refund_key: &str,
        charge_key: &str,
        refund_id: &str,
        amount: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO stripe_refunds (refund_key, charge_key, refund_id, amount, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (refund_key) DO NOTHING",
        )
        .bind(refund_key)
        .bind(charge_key)
        .bind(refund_id)
        .bind(amount)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            sqlx::query("UPDATE stripe_charges SET refunded = refunded + $2 WHERE charge_key = $1")
                .bind(charge_key)
                .bind(amount)
                .execute(&mut *tx)
                .await?;
        }
        let total: i64 = sqlx::query("SELECT refunded FROM stripe_charges WHERE charge_key = $1")
            .bind(charge_key)
            .fetch_one(&mut *tx)
            .await?
            .try_get("refunded")?;
        tx.commit().await?;
        Ok(total)
    }

    /// Records a webhook event id; false when it was recorded before (a replay).
    pub async fn record_stripe_event(
        &self,
        id: &str,
        kind: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO stripe_events (id, type, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(kind)
        .bind(now)
        .write(self)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Whether a webhook event was stored already.
    pub async fn stripe_event_seen(&self, id: &str) -> Result<bool, StoreError> {
        let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stripe_events WHERE id = $1")
            .bind(id)
            .fetch_one(self.writer())
            .await?;
        Ok(seen > 0)
    }

    /// The charge key whose request made the PaymentIntent `intent_id`, if ours.
    pub async fn stripe_charge_key_of_intent(
        &self,
        intent_id: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT charge_key FROM stripe_charges WHERE intent_id = $1")
                .bind(intent_id)
                .fetch_optional(self.writer())
                .await?,
        )
    }

    /// Records a dispute of a subscription's charge once by id, with its event in the same
    /// transaction; false if it was recorded already.
    pub async fn record_stripe_dispute(
        &self,
        dispute: &StripeDispute,
        event: &crate::events::Event,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO stripe_disputes (id, subscription_id, intent_id, amount, currency, \
             opened_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&dispute.id)
        .bind(&dispute.subscription_id)
        .bind(&dispute.intent_id)
        .bind(dispute.amount)
        .bind(dispute.currency.as_str())
        .bind(dispute.opened_at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            super::events::insert_event(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }
}

impl Store {
    /// Records how a dispute ended, once; false if it is unknown or was closed already.
    pub async fn close_stripe_dispute(
        &self,
        dispute_id: &str,
        outcome: selfserve_api::subscription::DisputeOutcome,
        now: i64,
    ) -> Result<bool, StoreError> {
        let closed = sqlx::query(
            "UPDATE stripe_disputes SET outcome = $2, closed_at = $3 \
             WHERE id = $1 AND outcome IS NULL",
        )
        .bind(dispute_id)
        .bind(outcome.as_str())
        .bind(now)
        .write(self)
        .await?
        .rows_affected();
        Ok(closed == 1)
    }
}

/// A dispute (chargeback) of a subscription's charge, as Stripe reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeDispute {
    pub id: String,
    pub subscription_id: String,
    pub intent_id: String,
    pub amount: i64,
    pub currency: Currency,
    pub opened_at: i64,
}
