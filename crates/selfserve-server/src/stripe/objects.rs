//! Reading Stripe's objects: cards, errors and decline codes as ours.

use super::api::ApiError;
use crate::payments::Card;
use crate::store::StoreError;
use crate::store::stripe::StripeCard;
use selfserve_api::card::CardBrand;
use selfserve_api::subscription::CardSummary;
use serde_json::Value;

/// Why a PaymentMethod cannot be used.
pub(super) enum Unusable {
    Declined(String),
    Invalid,
    AlreadyUsed,
}

/// Stripe's decline and error codes as the decline codes the app words (`http/error.rs`);
/// anything else (including fraud signals, which the buyer is not told) is a plain decline.
pub(super) fn decline_code(error: &ApiError) -> String {
    const OURS: [&str; 5] = [
        "insufficient_funds",
        "expired_card",
        "incorrect_cvc",
        "processing_error",
        crate::payments::AUTHENTICATION_REQUIRED,
    ];
    fn known(code: &Option<String>) -> Option<&str> {
        code.as_deref().filter(|code| OURS.contains(code))
    }
    if let Some(code) = known(&error.decline_code).or_else(|| known(&error.code)) {
        return code.to_owned();
    }
    match error.code.as_deref() {
        Some("payment_intent_authentication_failure" | "setup_intent_authentication_failure") => {
            "authentication_failed".into()
        }
        _ => "generic_decline".into(),
    }
}

/// A Stripe error object (`last_payment_error`, `last_setup_error`) as [`ApiError`].
pub(super) fn error_of(value: &Value) -> ApiError {
    let text = |field: &str| value[field].as_str().map(str::to_owned);
    ApiError {
        code: text("code"),
        decline_code: text("decline_code"),
        intent_id: None,
    }
}

pub(super) fn card_of(payment_method: &Value, customer_id: &str) -> Result<StripeCard, StoreError> {
    let card = &payment_method["card"];
    let text = |field: &str| {
        card[field]
            .as_str()
            .ok_or_else(|| StoreError::ProcessorUnavailable(format!("a card without {field}")))
    };
    let number = |field: &str| {
        card[field]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| StoreError::ProcessorUnavailable(format!("a card without {field}")))
    };
    Ok(StripeCard {
        payment_method_id: text_id(payment_method)?,
        customer_id: customer_id.to_owned(),
        summary: CardSummary {
            // Stripe's brands are ours; one it adds later is shown as a card of unknown brand.
            brand: text("brand")?.parse().unwrap_or(CardBrand::Unknown),
            last4: text("last4")?.to_owned(),
            exp_month: number("exp_month")?,
            exp_year: number("exp_year")?,
        },
    })
}

pub(super) fn text_id(object: &Value) -> Result<String, StoreError> {
    object["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| StoreError::ProcessorUnavailable("an object without an id".into()))
}

pub(super) fn saved(card: StripeCard) -> Card {
    Card {
        id: card.payment_method_id,
        summary: card.summary,
        saved: true,
    }
}

/// A request Stripe refused for a reason that is ours, not the card's.
pub(super) fn refused(what: &str, status: u16, error: &ApiError) -> StoreError {
    StoreError::ProcessorUnavailable(format!(
        "Stripe refused {what} ({status} {})",
        error.code.as_deref().unwrap_or("no code")
    ))
}
