//! 3-D Secure with Stripe: an intent that waits for the buyer is listed as waiting, so that
//! the buyer's next attempt settles it instead of charging again (see `charge`), and the
//! client secret Stripe.js needs is read from Stripe whenever a response shows it.

use super::STRIPE_JS_CHALLENGE;
use super::Stripe;
use super::api::Answer;
use super::objects::refused;
use super::objects::{decline_code, error_of, saved};
use crate::payments::{ABANDONED, Challenge, ChargeError, ChargeOutcome, SaveOutcome};
use crate::store::StoreError;
use crate::store::stripe::{KeyState, StripeCard, StripeCharge};
use serde_json::Value;

impl Stripe {
    /// A charge key's outcome; an intent waiting for 3-D Secure is listed as waiting (again,
    /// after a retry too: the buyer's next attempt must find it, or it would charge twice).
    pub(super) async fn settle_key(
        &self,
        row: &StripeCharge,
        target: &str,
    ) -> Result<ChargeOutcome, ChargeError> {
        if row.state == KeyState::Closed {
            return Ok(ChargeOutcome::Declined {
                decline_code: ABANDONED.into(),
            });
        }
        let outcome = self.outcome_of(row).await?;
        if let ChargeOutcome::RequiresAction(challenge) = &outcome {
            self.store
                .await_stripe_authentication(row, &challenge.id, target, self.clock.now())
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

    /// A new card's SetupIntent as the card's fate: kept once it succeeded; waiting for the
    /// buyer's 3-D Secure (Stripe.js's `confirmCardSetup` with the client secret the 402 gets,
    /// then the same card again); declined when the bank or the buyer turned it down.
    pub(super) async fn setup_outcome(
        &self,
        card: StripeCard,
        setup: &str,
        intent: &Value,
    ) -> Result<SaveOutcome, ChargeError> {
        match intent["status"].as_str().unwrap_or_default() {
            "succeeded" => {
                self.store.keep_stripe_card(&card, self.clock.now()).await?;
                Ok(SaveOutcome::Saved(saved(card)))
            }
            "requires_action" => Ok(SaveOutcome::RequiresAction(Challenge {
                url: format!("{STRIPE_JS_CHALLENGE}{setup}"),
                id: setup.to_owned(),
            })),
            // Stripe: the bank's check failed (back to `requires_payment_method` with the
            // error); localstripe's Stripe.js cancels it instead.
            "canceled" => Ok(SaveOutcome::Declined {
                decline_code: "authentication_failed".into(),
            }),
            _ => Ok(SaveOutcome::Declined {
                decline_code: decline_code(&error_of(&intent["last_setup_error"])),
            }),
        }
    }
}
