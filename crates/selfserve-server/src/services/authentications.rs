//! The reconciliation of 3-D Secure intents nobody took (Stripe only): a buyer who passed the
//! bank's check in Stripe.js and never paid again leaves an intent that succeeded at Stripe for
//! an order that failed here. After [`ABANDONED_AFTER_SECONDS`] of billing time such an intent
//! is taken off the waiting list (one transaction, so no later attempt can settle an order with
//! it), then ended at Stripe (canceled, or refunded in full under its intent's refund key) and
//! settled once, a refund with its audit entry. Runs at start-up and on each billing tick, and
//! when the test clock moves.

use super::Services;
use crate::access::Actor;
use crate::events::Event;
use crate::fault::{CrashPoint, crash_point};
use crate::payments::Payments;
use crate::store::StoreError;
use crate::store::stripe::abandoned::AbandonedOutcome;
use crate::stripe::abandoned::ABANDONED_AFTER_SECONDS;
use selfserve_api::admin::AuditAction;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub canceled: usize,
    pub refunded: usize,
}

/// Takes the waiting intents older than the limit off the waiting list and ends every one
/// taken and not settled yet (those a run cut off too, whatever their age). A Stripe that cannot
/// be reached leaves the rest for the next run.
pub async fn reconcile_abandoned(services: &Services, now: i64) -> Result<Reconciled, StoreError> {
    let Payments::Stripe(stripe) = &services.payments else {
        return Ok(Reconciled::default());
    };
    let store = &services.store;
    for intent in store
        .stale_stripe_authentications(now - ABANDONED_AFTER_SECONDS)
        .await?
    {
        store.abandon_stripe_authentication(&intent, now).await?;
    }
    end_pending(services, stripe, now).await
}

/// Before an attempt for `target` charges: ends at once (as abandoned) the intents waiting for
/// 3-D Secure for the same target that it cannot take (another card, or a price that moved:
/// a seat increase is priced again on every attempt), so that the buyer who passed the check
/// for one of them is never charged for it and for this attempt too.
/// Rejected: settling the order at the waiting intent's amount (the order, its bill and its
/// event would have to be priced again at another instant).
pub async fn end_waiting_not_for(
    services: &Services,
    target: &str,
    payment_method_id: &str,
    amount: i64,
    currency: selfserve_api::money::Currency,
    now: i64,
) -> Result<(), StoreError> {
    let Payments::Stripe(stripe) = &services.payments else {
        return Ok(());
    };
    let store = &services.store;
    let stranded = store
        .stripe_authentications_not_for(target, payment_method_id, amount, currency)
        .await?;
    if stranded.is_empty() {
        return Ok(());
    }
    for intent in stranded {
        store.abandon_stripe_authentication(&intent, now).await?;
    }
    end_pending(services, stripe, now).await?;
    Ok(())
}

/// Ends every abandoned intent not settled yet, each once.
async fn end_pending(
    services: &Services,
    stripe: &crate::stripe::Stripe,
    now: i64,
) -> Result<Reconciled, StoreError> {
    let store = &services.store;
    let mut done = Reconciled::default();
    for abandoned in store.pending_abandoned_authentications().await? {
        let Some(outcome) = stripe.end_abandoned(&abandoned).await? else {
            continue;
        };
        let event = match &outcome {
            AbandonedOutcome::Canceled => None,
            AbandonedOutcome::Refunded { refund_id } => {
                crash_point(CrashPoint::AbandonedRefunded);
                let order_id = abandoned
                    .charge_key
                    .strip_prefix("charge_")
                    .unwrap_or(&abandoned.charge_key);
                let order = store.order(order_id).await?.ok_or_else(|| {
                    StoreError::Corrupt(format!("abandoned intent of no order {order_id}"))
                })?;
                let mut event = Event::new(
                    &Actor::System,
                    AuditAction::Refunded,
                    &order.organization_id,
                    now,
                );
                event = match &order.subscription_id {
                    Some(subscription) => event.subscription(subscription, order.product),
                    None => event.product(order.product),
                };
                Some(event.after(serde_json::json!({
                    "order_id": order.id,
                    "amount": abandoned.amount,
                    "currency": abandoned.currency.as_str(),
                    "refund_id": refund_id,
                    "reason": "3-D Secure was passed but the order was never paid",
                })))
            }
        };
        let settled = store
            .settle_abandoned_authentication(&abandoned.intent_id, &outcome, event.as_ref(), now)
            .await?;
        if settled {
            tracing::warn!(intent = %abandoned.intent_id, ?outcome, "ended a 3-D Secure intent nobody paid with");
            match outcome {
                AbandonedOutcome::Canceled => done.canceled += 1,
                AbandonedOutcome::Refunded { .. } => done.refunded += 1,
            }
        }
    }
    Ok(done)
}
