//! The card processor seam: everything the server asks of whoever moves the money.
//!
//! The server never sees a card number. The browser turns a card into a processor token (the
//! built-in gateway's `tok_…`, or Stripe.js's PaymentMethod `pm_…`) and the server asks the
//! processor to charge it, under an idempotency key derived from our order, so a charge
//! repeated with the same key can only give the recorded outcome. [`Payments`] is the one the
//! server runs with; the built-in test gateway is its first implementation.

use crate::store::StoreError;
use crate::store::orders::PaymentSource;
use selfserve_api::money::Currency;
use selfserve_api::subscription::CardSummary;
use std::future::Future;

/// The decline a closed key gives a charge that comes too late (see
/// [`CardProcessor::resolve`]).
pub const ABANDONED: &str = "abandoned";

/// A card as the processor knows it: never the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The processor's id: a reusable card on file, or the single-use token it came from.
    pub id: String,
    pub summary: CardSummary,
    /// A card on file that may be charged again without the buyer (`off_session`).
    pub saved: bool,
}

/// A 3-D Secure check the buyer must pass before the charge can go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: String,
    /// Where the buyer answers it (the processor's origin).
    pub url: String,
}

/// What a charge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Money moved; a new card was saved for later charges.
    Succeeded { charge_id: String, card: Card },
    /// The issuer refused (`insufficient_funds`, `authentication_failed`, [`ABANDONED`], …).
    Declined { decline_code: String },
    /// Nothing moved yet: the buyer must pass 3-D Secure first.
    RequiresAction(Challenge),
}

/// What saving a card without a charge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved(Card),
    /// The card's bank confirms every use: the buyer must pass 3-D Secure before the card is
    /// saved (then the same token is saved again).
    RequiresAction(Challenge),
    /// The buyer failed the challenge; a new attempt gets a new one.
    Declined {
        decline_code: String,
    },
}

/// The decline a saved card gets when its bank confirms every payment (3-D Secure) and
/// nobody can answer the challenge: the buyer pays with the card again, on session.
pub const AUTHENTICATION_REQUIRED: &str = "authentication_required";

/// Why a charge could not even be attempted.
#[derive(Debug, thiserror::Error)]
pub enum ChargeError {
    #[error("unknown payment token")]
    InvalidToken,
    #[error("payment token already used")]
    TokenAlreadyUsed,
    /// The processor's records could not be read or written: the outcome is unknown.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a refund did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    /// Refunded of the charge so far, this refund included.
    pub refunded_total: i64,
}

/// Why a refund was refused.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("no successful charge under that key")]
    NoCharge,
    #[error("only {refundable} of the charge is left to refund")]
    TooMuch { refundable: i64 },
    /// The processor turned the request down and kept nothing of it (Stripe's 400, e.g.
    /// `charge_already_refunded` after a refund made in its dashboard), with its code.
    #[error("the processor refused the refund ({0})")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One charge to make.
#[derive(Debug, Clone, Copy)]
pub struct ChargeRequest<'a> {
    pub source: &'a PaymentSource,
    pub amount: i64,
    pub currency: Currency,
    /// Derived from our order: the same key never moves money twice.
    pub key: &'a str,
    /// Who pays: a processor with customers keeps one per purchaser.
    pub purchaser_id: &'a str,
    /// What is paid for (see [`charge_target`]): an intent waiting for 3-D Secure is settled
    /// only by the next attempt for the same thing.
    pub target: &'a str,
}

/// A card processor. Every method may be called again after a crash with the same arguments.
pub trait CardProcessor {
    /// Charges a new card (saving it for later charges when it succeeds) or the card on file.
    fn charge(
        &self,
        request: ChargeRequest<'_>,
    ) -> impl Future<Output = Result<ChargeOutcome, ChargeError>> + Send;

    /// What happened under `key`; if nothing did, closes the key so that a charge arriving
    /// later with it is declined [`ABANDONED`] (a request that only stalled must not charge
    /// after its order was given up). `None`: closed with nothing charged.
    fn resolve(
        &self,
        key: &str,
        currency: Currency,
    ) -> impl Future<Output = Result<Option<ChargeOutcome>, ChargeError>> + Send;

    /// Saves a new card as a card on file without charging it, after the buyer passed 3-D
    /// Secure where the card's bank asks for it.
    fn save_card(
        &self,
        token: &str,
        purchaser_id: &str,
    ) -> impl Future<Output = Result<SaveOutcome, ChargeError>> + Send;

    /// The card behind a source, if the processor knows it.
    fn card(
        &self,
        source: &PaymentSource,
    ) -> impl Future<Output = Result<Option<Card>, ChargeError>> + Send;

    /// Gives back `amount` of the successful charge made under `charge_key`; never more than
    /// was charged in all. The same `refund_key` refunds once.
    fn refund(
        &self,
        charge_key: &str,
        amount: i64,
        refund_key: &str,
    ) -> impl Future<Output = Result<Refund, RefundError>> + Send;
}

/// Which processor `serve` runs with (`--payments`).
#[derive(Debug, Clone)]
pub enum ProcessorOptions {
    Builtin,
    Stripe(crate::stripe::StripeOptions),
}

/// The processor this server runs with.
#[derive(Debug, Clone)]
pub enum Payments {
    /// The built-in test gateway: test cards only, for demos and tests.
    Builtin(crate::gateway::Gateway),
    /// Stripe (`--payments stripe`).
    Stripe(crate::stripe::Stripe),
}

impl CardProcessor for Payments {
    async fn charge(&self, request: ChargeRequest<'_>) -> Result<ChargeOutcome, ChargeError> {
        match self {
            Self::Builtin(gateway) => gateway.charge(request).await,
            Self::Stripe(stripe) => stripe.charge(request).await,
        }
    }

    async fn resolve(
        &self,
        key: &str,
        currency: Currency,
    ) -> Result<Option<ChargeOutcome>, ChargeError> {
        match self {
            Self::Builtin(gateway) => gateway.resolve(key, currency).await,
            Self::Stripe(stripe) => stripe.resolve(key, currency).await,
        }
    }

    async fn save_card(&self, token: &str, purchaser_id: &str) -> Result<SaveOutcome, ChargeError> {
        match self {
            Self::Builtin(gateway) => gateway.save_card(token).await,
            Self::Stripe(stripe) => stripe.save_card(token, purchaser_id).await,
        }
    }

    async fn card(&self, source: &PaymentSource) -> Result<Option<Card>, ChargeError> {
        match self {
            Self::Builtin(gateway) => gateway.card(source).await,
            Self::Stripe(stripe) => stripe.card(source).await,
        }
    }

    async fn refund(
        &self,
        charge_key: &str,
        amount: i64,
        refund_key: &str,
    ) -> Result<Refund, RefundError> {
        match self {
            Self::Builtin(gateway) => gateway.refund(charge_key, amount, refund_key).await,
            Self::Stripe(stripe) => stripe.refund(charge_key, amount, refund_key).await,
        }
    }
}

/// The processor's idempotency key of an order's charge.
/// What an order pays for, the same across the buyer's attempts: its subscription (a seat
/// increase, a renewal, a bill), or for a purchase the organisation, product and purchaser.
pub fn charge_target(order: &crate::store::orders::OrderRow) -> String {
    match &order.subscription_id {
        Some(subscription) => format!("subscription:{subscription}"),
        None => format!(
            "purchase:{}:{}:{}",
            order.organization_id,
            order.product.as_str(),
            order.purchaser_id
        ),
    }
}

pub fn charge_key(order_id: &str) -> String {
    format!("charge_{order_id}")
}
