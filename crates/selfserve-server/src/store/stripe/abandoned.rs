//! Waiting intents nobody took: taken off the waiting list, then settled once (see migration
//! 0018 and `stripe/abandoned.rs`).

use crate::store::{Store, StoreError};
use selfserve_api::money::Currency;
use sqlx::Row;

/// A waiting intent taken off the waiting list, not settled yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbandonedAuthentication {
    pub intent_id: String,
    /// The key whose request made the intent (its order failed `authentication_required`).
    pub charge_key: String,
    pub amount: i64,
    pub currency: Currency,
}

/// How an abandoned intent ended at Stripe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbandonedOutcome {
    /// Canceled before any money moved.
    Canceled,
    /// It had succeeded: refunded in full.
    Refunded { refund_id: String },
}

impl Store {
    /// Waiting intents listed at or before `before` (billing time).
    pub async fn stale_stripe_authentications(
        &self,
        before: i64,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT intent_id FROM stripe_authentications WHERE created_at <= $1 \
             ORDER BY created_at, intent_id",
        )
        .bind(before)
        .fetch_all(self.writer())
        .await?)
    }

    /// Takes a waiting intent off the waiting list and records it as abandoned, in one
    /// transaction: false when an attempt took it first. An intent that some other key settles
    /// too (never expected: taking it deletes its row) is only taken off the list.
    pub async fn abandon_stripe_authentication(
        &self,
        intent_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "SELECT charge_key, amount, currency FROM stripe_authentications WHERE intent_id = $1",
        )
        .bind(intent_id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            tx.rollback().await?;
            return Ok(false);
        };
        let taken = sqlx::query("DELETE FROM stripe_authentications WHERE intent_id = $1")
            .bind(intent_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let keys: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM stripe_charges WHERE intent_id = $1")
                .bind(intent_id)
                .fetch_one(&mut *tx)
                .await?;
        if keys == 1 {
            sqlx::query(
                "INSERT INTO stripe_abandoned_authentications (intent_id, charge_key, amount, \
                 currency, phase, refund_id, taken_at, settled_at) \
                 VALUES ($1, $2, $3, $4, 'pending', NULL, $5, NULL) \
                 ON CONFLICT (intent_id) DO NOTHING",
            )
            .bind(intent_id)
            .bind(row.try_get::<String, _>("charge_key")?)
            .bind(row.try_get::<i64, _>("amount")?)
            .bind(row.try_get::<String, _>("currency")?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            tracing::error!(intent = %intent_id, keys, "a waiting intent settles another key: not abandoned");
        }
        tx.commit().await?;
        Ok(keys == 1)
    }

    /// Abandoned intents not settled yet, oldest first.
    pub async fn pending_abandoned_authentications(
        &self,
    ) -> Result<Vec<AbandonedAuthentication>, StoreError> {
        let rows = sqlx::query(
            "SELECT intent_id, charge_key, amount, currency FROM stripe_abandoned_authentications \
             WHERE phase = 'pending' ORDER BY taken_at, intent_id",
        )
        .fetch_all(self.writer())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AbandonedAuthentication {
                    intent_id: row.try_get("intent_id")?,
                    charge_key: row.try_get("charge_key")?,
                    amount: row.try_get("amount")?,
                    currency: crate::store::decode_currency(row, "currency")?,
                })
            })
            .collect()
    }

    /// Settles an abandoned intent once, with `event` (a refund's audit entry) in the same
    /// transaction; false when it was settled already (another server, or a resumed run).
    pub async fn settle_abandoned_authentication(
        &self,
        intent_id: &str,
        outcome: &AbandonedOutcome,
        event: Option<&crate::events::Event>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (phase, refund_id) = match outcome {
            AbandonedOutcome::Canceled => ("canceled", None),
            AbandonedOutcome::Refunded { refund_id } => ("refunded", Some(refund_id.as_str())),
        };
        let mut tx = self.begin_write().await?;
        let settled = sqlx::query(
            "UPDATE stripe_abandoned_authentications SET phase = $2, refund_id = $3, \
             settled_at = $4 WHERE intent_id = $1 AND phase = 'pending'",
        )
        .bind(intent_id)
        .bind(phase)
        .bind(refund_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if settled && let Some(event) = event {
            crate::store::events::insert_event(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(settled)
    }
}
