//! Intents a buyer left waiting for 3-D Secure: passed (or dropped) the bank's check in
//! Stripe.js and never paid again, so no attempt took the intent. The reconciliation ends each
//! at Stripe: canceled if it still waits (nothing moved), refunded in full if it succeeded.

use super::Stripe;
use super::api::Answer;
use super::objects::refused;
use crate::payments::RefundError;
use crate::store::StoreError;
use crate::store::stripe::abandoned::{AbandonedAuthentication, AbandonedOutcome};

/// How long a waiting intent is left for the buyer's next attempt, in billing seconds. Stripe.js
/// shows the bank's page at once and the app pays again as soon as it closes; banks end their
/// challenge within minutes (3-D Secure 2's challenge window is 5 to 10 minutes). An hour is
/// well past any buyer still paying, and short enough that money the buyer did not mean to give
/// is back the same day.
pub const ABANDONED_AFTER_SECONDS: i64 = 3_600;

/// The refund key of an abandoned intent: one refund per intent, whoever sends it, however
/// often.
pub fn abandoned_refund_key(intent_id: &str) -> String {
    format!("refund_auth_{intent_id}")
}

impl Stripe {
    /// Ends an abandoned intent at Stripe. `None`: not settled yet at Stripe (`processing`, or
    /// it moved on between reading and canceling): the next run looks again.
    pub async fn end_abandoned(
        &self,
        abandoned: &AbandonedAuthentication,
    ) -> Result<Option<AbandonedOutcome>, StoreError> {
        let id = &abandoned.intent_id;
        let intent = match self.api.get(&format!("payment_intents/{id}")).await? {
            Answer::Ok(intent) => intent,
            Answer::Refused { status, error } => {
                return Err(refused("reading an intent", status, &error));
            }
        };
        match intent["status"].as_str().unwrap_or_default() {
            "requires_action"
            | "requires_payment_method"
            | "requires_confirmation"
            | "requires_capture" => {
                let path = format!("payment_intents/{id}/cancel");
                match self.api.post(&path, &[], None).await? {
                    Answer::Ok(_) => Ok(Some(AbandonedOutcome::Canceled)),
                    // The buyer finished just now: it is refunded at the next run.
                    Answer::Refused { status: 400, .. } => Ok(None),
                    Answer::Refused { status, error } => {
                        Err(refused("canceling an intent", status, &error))
                    }
                }
            }
            "canceled" => Ok(Some(AbandonedOutcome::Canceled)),
            "succeeded" => {
                let key = abandoned_refund_key(id);
                match self
                    .refund(&abandoned.charge_key, abandoned.amount, &key)
                    .await
                {
                    Ok(refund) => Ok(Some(AbandonedOutcome::Refunded {
                        refund_id: refund.id,
                    })),
                    Err(RefundError::Store(error)) => Err(error),
                    Err(error) => Err(StoreError::ProcessorUnavailable(format!(
                        "refunding abandoned intent {id}: {error:?}"
                    ))),
                }
            }
            _ => Ok(None),
        }
    }
}
