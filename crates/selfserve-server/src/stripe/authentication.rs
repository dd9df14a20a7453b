//! 3-D Secure with Stripe: an intent that waits for the buyer is listed as waiting, so that
//! the buyer's next attempt settles it instead of charging again (see `charge`), and the
//! client secret Stripe.js needs is read from Stripe whenever a response shows it.

use super::Stripe;
use super::api::Answer;
use super::objects::refused;
use crate::payments::{ABANDONED, ChargeError, ChargeOutcome};
use crate::store::StoreError;
use crate::store::stripe::{KeyState, StripeCharge};

impl Stripe {
    /// A charge key's outcome; an intent waiting for 3-D Secure is listed as waiting (again,
    /// after a retry too: the buyer's next attempt must find it, or it would charge twice).
    pub(super) async fn settle_key(
        &self,
        row: &StripeCharge,
    ) -> Result<ChargeOutcome, ChargeError> {
        if row.state == KeyState::Closed {
            return Ok(ChargeOutcome::Declined {
                decline_code: ABANDONED.into(),
            });
        }
        let outcome = self.outcome_of(row).await?;
        if let ChargeOutcome::RequiresAction(challenge) = &outcome {
            self.store
                .await_stripe_authentication(row, &challenge.id, self.clock.now())
                .await?;
        }
        Ok(outcome)
    }

    /// The client secret Stripe.js needs to run 3-D Secure for an intent (`pi_…`) or a setup
    /// intent (`seti_…`), read from Stripe each time: it is a secret and is never stored.
    pub async fn client_secret(&self, intent_id: &str) -> Result<String, StoreError> {
        let kind = if intent_id.starts_with("seti_") {
            "setup_intents"
        } else {
            "payment_intents"
        };
        match self.api.get(&format!("{kind}/{intent_id}")).await? {
            Answer::Ok(intent) => intent["client_secret"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| StoreError::Corrupt(format!("intent {intent_id} has no secret"))),
            Answer::Refused { status, error } => Err(refused("reading an intent", status, &error)),
        }
    }
}
