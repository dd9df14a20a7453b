//! The SetupIntent of each new card on file (see migration 0018 and `Stripe::save_card`).

use crate::store::WriteStatement;
use crate::store::{Store, StoreError};

impl Store {
    /// The SetupIntent made for a new card, if one was.
    pub async fn stripe_setup(
        &self,
        payment_method_id: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT setup_intent_id FROM stripe_setups WHERE payment_method_id = $1",
        )
        .bind(payment_method_id)
        .fetch_optional(self.writer())
        .await?)
    }

    /// Records a new card's SetupIntent unless one was recorded first; returns the one kept.
    pub async fn keep_stripe_setup(
        &self,
        payment_method_id: &str,
        setup_intent_id: &str,
        now: i64,
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO stripe_setups (payment_method_id, setup_intent_id, created_at) \
             VALUES ($1, $2, $3) ON CONFLICT (payment_method_id) DO NOTHING",
        )
        .bind(payment_method_id)
        .bind(setup_intent_id)
        .bind(now)
        .write(self)
        .await?;
        self.stripe_setup(payment_method_id).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("no setup intent kept for {payment_method_id}"))
        })
    }
}
