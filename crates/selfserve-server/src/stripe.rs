//! Stripe as the card processor (`--payments stripe`), behind [`crate::payments`]'s seam.
//!
//! The browser's Stripe.js makes a PaymentMethod (`pm_…`) from the card; the server attaches it
//! to the purchaser's Customer (one per purchaser) and creates and confirms a PaymentIntent with
//! the order's amount and currency under `Idempotency-Key: charge_<order id>`. The request is
//! recorded (`stripe_charges`) before it is sent, so a retry and the recovery send exactly the
//! same request under the same key and Stripe answers with the first outcome: a key with a
//! recorded request is settled, never given up. A key with no request yet is closed by
//! `resolve`, and a late charge with it is declined `abandoned` without reaching Stripe.

pub mod abandoned;
pub mod amount;
pub mod api;
mod authentication;
pub mod events;
mod objects;
pub mod webhook;

use crate::clock::Clock;
use crate::payments::{
    ABANDONED, Card, Challenge, ChargeError, ChargeOutcome, ChargeRequest, Refund, RefundError,
    SaveOutcome,
};
use crate::store::orders::PaymentSource;
use crate::store::stripe::{KeyState, StripeCard, StripeCharge};
use crate::store::{Store, StoreError};
use api::{Answer, Api, id_of};
use objects::{Unusable, card_of, decline_code, error_of, refused, saved, text_id};
use selfserve_api::money::Currency;
use serde_json::Value;
use std::sync::Arc;

/// How a challenge's URL says that Stripe.js answers it: `stripe-js:<intent id>`.
pub const STRIPE_JS_CHALLENGE: &str = "stripe-js:";

/// A secret read from a file: never printed, not even by `{:?}`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// How to reach the Stripe account.
#[derive(Debug, Clone)]
pub struct StripeOptions {
    pub secret_key: Secret,
    /// `pk_…`: the only key the browser gets.
    pub publishable_key: String,
    /// Verifies `Stripe-Signature` on `POST /webhooks/stripe`.
    pub webhook_secret: Option<Secret>,
    /// `https://api.stripe.com`, or a local Stripe server in tests.
    pub api_base: String,
    /// Where the browser loads Stripe.js from; the page's CSP opens its origin.
    pub js_url: String,
}

/// The Stripe processor; cheap to clone.
#[derive(Debug, Clone)]
pub struct Stripe {
    api: Arc<Api>,
    store: Store,
    clock: Clock,
}

impl Stripe {
    pub fn new(options: &StripeOptions, store: Store, clock: Clock) -> Self {
        Self::with_key(&options.api_base, options.secret_key.clone(), store, clock)
    }

    /// Stripe's API alone, for the command line (which shows no browser a key).
    pub fn with_key(api_base: &str, secret_key: Secret, store: Store, clock: Clock) -> Self {
        Self {
            api: Arc::new(Api::new(api_base, secret_key)),
            store,
            clock,
        }
    }

    /// The purchaser's Customer, made at the first card they use.
    async fn customer_for(&self, purchaser_id: &str) -> Result<String, StoreError> {
        if let Some(customer) = self.store.stripe_customer(purchaser_id).await? {
            return Ok(customer);
        }
        let form = [("metadata[purchaser_id]", purchaser_id.to_owned())];
        let key = format!("customer_{purchaser_id}");
        let customer = match self.api.post("customers", &form, Some(&key)).await? {
            Answer::Ok(customer) => text_id(&customer)?,
            Answer::Refused { status, error } => {
                return Err(refused("a new customer", status, &error));
            }
        };
        self.store
            .keep_stripe_customer(purchaser_id, &customer, self.clock.now())
            .await
    }

    /// Attaches a new PaymentMethod to the purchaser's Customer (once), so it can be charged
    /// again off session.
    async fn attach(
        &self,
        payment_method_id: &str,
        customer_id: &str,
    ) -> Result<Result<StripeCard, Unusable>, StoreError> {
        let found = match self
            .api
            .get(&format!("payment_methods/{payment_method_id}"))
            .await?
        {
            Answer::Ok(found) => found,
            Answer::Refused { .. } => return Ok(Err(Unusable::Invalid)),
        };
        match found["customer"].as_str() {
            Some(owner) if owner == customer_id => return card_of(&found, customer_id).map(Ok),
            Some(_) => return Ok(Err(Unusable::AlreadyUsed)),
            None => {}
        }
        let form = [("customer", customer_id.to_owned())];
        let path = format!("payment_methods/{payment_method_id}/attach");
        match self.api.post(&path, &form, None).await? {
            Answer::Ok(attached) => card_of(&attached, customer_id).map(Ok),
            Answer::Refused { status: 402, error } => {
                Ok(Err(Unusable::Declined(decline_code(&error))))
            }
            Answer::Refused { .. } => Ok(Err(Unusable::Invalid)),
        }
    }

    /// What Stripe did with a key's recorded request: the intent it made, asked for again, or
    /// the request sent (again) under the same Idempotency-Key.
    async fn outcome_of(&self, row: &StripeCharge) -> Result<ChargeOutcome, ChargeError> {
        let intent = match &row.intent_id {
            Some(id) => match self.api.get(&format!("payment_intents/{id}")).await? {
                Answer::Ok(intent) => intent,
                Answer::Refused { status, error } => {
                    return Err(refused("reading an intent", status, &error).into());
                }
            },
            None => match self.send_intent(row).await? {
                Ok(intent) => intent,
                Err(outcome) => return Ok(outcome),
            },
        };
        self.intent_outcome(&intent).await
    }

    /// Creates and confirms the key's PaymentIntent; a decline is `Err(outcome)`.
    async fn send_intent(
        &self,
        row: &StripeCharge,
    ) -> Result<Result<Value, ChargeOutcome>, ChargeError> {
        let (Some(customer), Some(payment_method)) = (&row.customer_id, &row.payment_method_id)
        else {
            return Err(
                StoreError::Corrupt(format!("open charge key {} has no card", row.key)).into(),
            );
        };
        let amount = match amount::to_stripe(row.amount, row.currency) {
            Ok(amount) => amount,
            Err(error) => {
                tracing::error!(key = %row.key, %error, "a charge Stripe cannot take exactly");
                return Ok(Err(ChargeOutcome::Declined {
                    decline_code: "processing_error".into(),
                }));
            }
        };
        let mut form = vec![
            ("amount", amount.to_string()),
            ("currency", row.currency.as_str().to_ascii_lowercase()),
            ("customer", customer.clone()),
            ("payment_method", payment_method.clone()),
            ("payment_method_types[]", "card".to_owned()),
            ("confirm", "true".to_owned()),
            ("metadata[charge_key]", row.key.clone()),
        ];
        if row.off_session {
            form.push(("off_session", "true".to_owned()));
        }
        match self
            .api
            .post("payment_intents", &form, Some(&row.key))
            .await?
        {
            Answer::Ok(intent) => {
                self.store
                    .set_stripe_intent(&row.key, &text_id(&intent)?)
                    .await?;
                Ok(Ok(intent))
            }
            Answer::Refused { status: 402, error } => {
                if let Some(intent) = &error.intent_id {
                    self.store.set_stripe_intent(&row.key, intent).await?;
                }
                Ok(Err(ChargeOutcome::Declined {
                    decline_code: decline_code(&error),
                }))
            }
            Answer::Refused { status: 404, .. } => Err(ChargeError::InvalidToken),
            Answer::Refused { status, error } => {
                tracing::error!(key = %row.key, status, code = ?error.code, "Stripe refused a charge request");
                Ok(Err(ChargeOutcome::Declined {
                    decline_code: "processing_error".into(),
                }))
            }
        }
    }

    async fn intent_outcome(&self, intent: &Value) -> Result<ChargeOutcome, ChargeError> {
        let id = text_id(intent)?;
        match intent["status"].as_str().unwrap_or_default() {
            "succeeded" => {
                let payment_method = id_of(&intent["payment_method"]).unwrap_or_default();
                let card = match self.store.stripe_card(payment_method).await? {
                    Some(card) => card,
                    None => {
                        let customer = id_of(&intent["customer"]).unwrap_or_default();
                        let card = match self
                            .api
                            .get(&format!("payment_methods/{payment_method}"))
                            .await?
                        {
                            Answer::Ok(found) => card_of(&found, customer)?,
                            Answer::Refused { status, error } => {
                                return Err(refused("reading a card", status, &error).into());
                            }
                        };
                        self.store.keep_stripe_card(&card, self.clock.now()).await?;
                        card
                    }
                };
                Ok(ChargeOutcome::Succeeded {
                    charge_id: id_of(&intent["latest_charge"]).unwrap_or(&id).to_owned(),
                    card: saved(card),
                })
            }
            "requires_action" => Ok(ChargeOutcome::RequiresAction(Challenge {
                // Stripe.js answers it in the browser with the intent's client secret, which
                // each response reads from Stripe (see `http::three_d_secure`).
                url: format!("{STRIPE_JS_CHALLENGE}{id}"),
                id,
            })),
            "requires_payment_method" => Ok(ChargeOutcome::Declined {
                decline_code: decline_code(&error_of(&intent["last_payment_error"])),
            }),
            "canceled" => Ok(ChargeOutcome::Declined {
                decline_code: ABANDONED.into(),
            }),
            // processing, requires_confirmation, requires_capture: not settled yet.
            other => {
                Err(StoreError::ProcessorUnavailable(format!("intent {id} is {other}")).into())
            }
        }
    }

    pub async fn charge(&self, request: ChargeRequest<'_>) -> Result<ChargeOutcome, ChargeError> {
        if let Some(row) = self.store.stripe_charge(request.key).await? {
            return self.settle_key(&row, request.target).await;
        }
        let (card, off_session) = match request.source {
            PaymentSource::NewCard(id) => {
                let customer = self.customer_for(request.purchaser_id).await?;
                match self.attach(id, &customer).await? {
                    Ok(card) => (card, false),
                    Err(Unusable::Declined(decline_code)) => {
                        return Ok(ChargeOutcome::Declined { decline_code });
                    }
                    Err(Unusable::Invalid) => return Err(ChargeError::InvalidToken),
                    Err(Unusable::AlreadyUsed) => return Err(ChargeError::TokenAlreadyUsed),
                }
            }
            PaymentSource::SavedCard(id) => (
                self.store
                    .stripe_card(id)
                    .await?
                    .ok_or(ChargeError::InvalidToken)?,
                true,
            ),
        };
        let row = StripeCharge {
            key: request.key.to_owned(),
            state: KeyState::Open,
            customer_id: Some(card.customer_id.clone()),
            payment_method_id: Some(card.payment_method_id.clone()),
            off_session,
            amount: request.amount,
            currency: request.currency,
            intent_id: None,
            refunded: 0,
        };
        // The buyer passed (or failed) 3-D Secure in Stripe.js for an intent of an earlier
        // attempt: this attempt settles that intent, so the card is never charged twice.
        let now = self.clock.now();
        let row = match self
            .store
            .open_stripe_charge_on_waiting(&row, request.target, now)
            .await?
        {
            Some(taken) => taken,
            None => self.store.open_stripe_charge(&row, now).await?,
        };
        self.settle_key(&row, request.target).await
    }

    /// See [`crate::payments::CardProcessor::resolve`]: a key whose request was recorded is
    /// settled from Stripe (the request sent again under its key if need be); an intent that
    /// waits for the buyer is canceled and the key closed.
    pub async fn resolve(
        &self,
        key: &str,
        currency: Currency,
    ) -> Result<Option<ChargeOutcome>, ChargeError> {
        let closing = StripeCharge {
            key: key.to_owned(),
            state: KeyState::Closed,
            customer_id: None,
            payment_method_id: None,
            off_session: false,
            amount: 0,
            currency,
            intent_id: None,
            refunded: 0,
        };
        let row = match self.store.stripe_charge(key).await? {
            Some(row) => row,
            None => {
                self.store
                    .open_stripe_charge(&closing, self.clock.now())
                    .await?
            }
        };
        if row.state == KeyState::Closed {
            return Ok(None);
        }
        match self.outcome_of(&row).await? {
            ChargeOutcome::RequiresAction(challenge) => {
                let path = format!("payment_intents/{}/cancel", challenge.id);
                match self.api.post(&path, &[], None).await? {
                    Answer::Ok(_) => {}
                    Answer::Refused { status, error } => {
                        return Err(refused("canceling an intent", status, &error).into());
                    }
                }
                self.store
                    .forget_stripe_authentication(&challenge.id)
                    .await?;
                self.store.close_stripe_charge(key).await?;
                Ok(None)
            }
            ChargeOutcome::Declined { decline_code } if decline_code == ABANDONED => Ok(None),
            outcome => Ok(Some(outcome)),
        }
    }

    /// Saves a new card on file: attached to the purchaser's Customer and confirmed for later
    /// off-session use with a SetupIntent (where its bank asks, after 3-D Secure).
    pub async fn save_card(
        &self,
        token: &str,
        purchaser_id: &str,
    ) -> Result<SaveOutcome, ChargeError> {
        let customer = self.customer_for(purchaser_id).await?;
        let card = match self.attach(token, &customer).await? {
            Ok(card) => card,
            Err(Unusable::Declined(decline_code)) => {
                return Ok(SaveOutcome::Declined { decline_code });
            }
            Err(Unusable::Invalid) => return Err(ChargeError::InvalidToken),
            Err(Unusable::AlreadyUsed) => return Err(ChargeError::TokenAlreadyUsed),
        };
        let form = [
            ("customer", customer.clone()),
            ("usage", "off_session".to_owned()),
            ("payment_method_types[]", "card".to_owned()),
        ];
        // One SetupIntent per card, recorded: the same card sent again (after the buyer's 3-D
        // Secure in Stripe.js) reads the intent's state rather than confirming again (Stripe
        // refuses to confirm a settled one).
        let setup = match self.store.stripe_setup(token).await? {
            Some(setup) => setup,
            None => {
                let made = match self
                    .api
                    .post("setup_intents", &form, Some(&format!("setup_{token}")))
                    .await?
                {
                    Answer::Ok(setup) => text_id(&setup)?,
                    Answer::Refused { status, error } => {
                        return Err(refused("a setup intent", status, &error).into());
                    }
                };
                self.store
                    .keep_stripe_setup(token, &made, self.clock.now())
                    .await?
            }
        };
        let current = match self.api.get(&format!("setup_intents/{setup}")).await? {
            Answer::Ok(current) => current,
            Answer::Refused { status, error } => {
                return Err(refused("reading a setup intent", status, &error).into());
            }
        };
        let first =
            current["status"] == "requires_payment_method" && current["last_setup_error"].is_null();
        let confirmed = if first {
            let form = [("payment_method", token.to_owned())];
            match self
                .api
                .post(&format!("setup_intents/{setup}/confirm"), &form, None)
                .await?
            {
                Answer::Ok(confirmed) => confirmed,
                Answer::Refused { status: 402, error } => {
                    return Ok(SaveOutcome::Declined {
                        decline_code: decline_code(&error),
                    });
                }
                Answer::Refused { status, error } => {
                    return Err(refused("confirming a setup intent", status, &error).into());
                }
            }
        } else {
            current
        };
        self.setup_outcome(card, &setup, &confirmed).await
    }

    pub async fn card(&self, source: &PaymentSource) -> Result<Option<Card>, ChargeError> {
        match source {
            PaymentSource::SavedCard(id) => Ok(self.store.stripe_card(id).await?.map(saved)),
            PaymentSource::NewCard(id) => {
                match self.api.get(&format!("payment_methods/{id}")).await? {
                    Answer::Ok(found) => {
                        let card = card_of(&found, id_of(&found["customer"]).unwrap_or_default())?;
                        Ok(Some(Card {
                            id: card.payment_method_id,
                            summary: card.summary,
                            saved: false,
                        }))
                    }
                    Answer::Refused { .. } => Ok(None),
                }
            }
        }
    }

    pub async fn refund(
        &self,
        charge_key: &str,
        amount: i64,
        refund_key: &str,
    ) -> Result<Refund, RefundError> {
        let row = self.store.stripe_charge(charge_key).await?;
        let Some(row) = row else {
            return Err(RefundError::NoCharge);
        };
        if let Some((id, amount)) = self.store.stripe_refund(refund_key).await? {
            return Ok(Refund {
                id,
                amount,
                refunded_total: row.refunded,
            });
        }
        let Some(intent) = &row.intent_id else {
            return Err(RefundError::NoCharge);
        };
        match self.outcome_of(&row).await {
            Ok(ChargeOutcome::Succeeded { .. }) => {}
            Ok(_) | Err(ChargeError::InvalidToken | ChargeError::TokenAlreadyUsed) => {
                return Err(RefundError::NoCharge);
            }
            Err(ChargeError::Store(error)) => return Err(error.into()),
        }
        let refundable = row.amount - row.refunded;
        if amount > refundable {
            return Err(RefundError::TooMuch { refundable });
        }
        let Ok(sent) = amount::to_stripe(amount, row.currency) else {
            return Err(RefundError::Refused("amount_not_exact".into()));
        };
        let form = [
            ("payment_intent", intent.clone()),
            ("amount", sent.to_string()),
            ("metadata[refund_key]", refund_key.to_owned()),
        ];
        let refund = match self.api.post("refunds", &form, Some(refund_key)).await? {
            Answer::Ok(refund) => text_id(&refund)?,
            // A 400 stores no idempotent result at Stripe: nothing happened, the refund may be
            // released. Anything else leaves its outcome unknown.
            Answer::Refused { status: 400, error } => {
                return Err(RefundError::Refused(
                    error.code.unwrap_or_else(|| "invalid_request".into()),
                ));
            }
            Answer::Refused { status, error } => {
                return Err(refused("a refund", status, &error).into());
            }
        };
        let total = self
            .store
            .record_stripe_refund(refund_key, charge_key, &refund, amount, self.clock.now())
            .await?;
        Ok(Refund {
            id: refund,
            amount,
            refunded_total: total,
        })
    }
}
