//! Events Stripe sends to `POST /webhooks/stripe`, once their signature was verified. Each is
//! acted on, then stored by id; a repeat is answered without acting again, and acting is
//! itself safe to repeat (two deliveries at once).

use super::{ServiceError, Services};
use crate::access::Actor;
use crate::events::Event;
use crate::store::stripe::StripeDispute;
use crate::stripe::events::StripeEvent;
use selfserve_api::admin::AuditAction;
use selfserve_api::subscription::OrderPhase;

/// Whether an event was new or a repeat Stripe sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    New,
    Repeat,
}

/// Acts on a verified event and records it once by id. A failure to act (the database or
/// Stripe unavailable) records nothing, so Stripe's retry acts again.
pub async fn receive_stripe_event(
    services: &Services,
    id: &str,
    kind: &str,
    event: &StripeEvent,
) -> Result<Received, ServiceError> {
    if services.store.stripe_event_seen(id).await? {
        return Ok(Received::Repeat);
    }
    act(services, event).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    if services.store.record_stripe_event(id, kind, now).await? {
        tracing::info!(event = id, kind, "Stripe event received");
        Ok(Received::New)
    } else {
        Ok(Received::Repeat)
    }
}

async fn act(services: &Services, event: &StripeEvent) -> Result<(), ServiceError> {
    let now = services.clock.now();
    match event {
        StripeEvent::Other => Ok(()),
        StripeEvent::DisputeClosed {
            dispute_id,
            intent_id,
            amount,
            outcome,
        } => {
            // Stripe does not order its deliveries: a close that arrives before its `created`
            // opens the dispute first, or the later `created` would leave it open for good.
            // Not ours, or closed already: nothing to change; the event is stored.
            open_dispute(services, dispute_id, intent_id, *amount, now).await?;
            if services
                .store
                .close_stripe_dispute(dispute_id, *outcome, now)
                .await?
            {
                tracing::warn!(dispute = %dispute_id, %outcome, "a dispute was decided");
            }
            Ok(())
        }
        StripeEvent::IntentOutcome {
            intent_id,
            charge_key,
        } => {
            // The metadata names the key even when the intent's id was never recorded here
            // (a crash between Stripe's answer and recording it).
            let key = match charge_key {
                Some(key) => Some(key.clone()),
                None => {
                    services
                        .store
                        .stripe_charge_key_of_intent(intent_id)
                        .await?
                }
            };
            let Some(order_id) = key.as_deref().and_then(|key| key.strip_prefix("charge_")) else {
                return Ok(());
            };
            let Some(order) = services.store.order(order_id).await? else {
                return Ok(());
            };
            if order.phase == OrderPhase::Created {
                // The recovery that settles orders at start-up and on the billing loop: it asks
                // Stripe for the intent's outcome rather than believing the event.
                super::payments::recover_order(services, &order, now).await?;
            }
            Ok(())
        }
        StripeEvent::ChargeRefunded {
            intent_id,
            amount_refunded,
        } => {
            let Some((key, subscription)) = charge_of(services, intent_id).await? else {
                return Ok(());
            };
            let recorded = services
                .store
                .record_processor_refunded(
                    &key,
                    *amount_refunded,
                    "refunded in Stripe's dashboard",
                    |amount| {
                        Event::new(
                            &Actor::System,
                            AuditAction::Refunded,
                            &subscription.organization_id,
                            now,
                        )
                        .subscription(&subscription.id, subscription.product)
                        .after(serde_json::json!({
                            "amount": amount,
                            "currency": subscription.currency.as_str(),
                            "reason": "refunded in Stripe's dashboard",
                        }))
                    },
                    now,
                )
                .await?;
            if recorded > 0 {
                tracing::warn!(intent = %intent_id, amount = recorded, "recorded a refund made at Stripe");
            }
            Ok(())
        }
        StripeEvent::DisputeCreated {
            dispute_id,
            intent_id,
            amount,
        } => open_dispute(services, dispute_id, intent_id, *amount, now).await,
    }
}

/// Records a dispute of one of our charges once, with its audit entry; a no-op for a charge
/// that is not ours or a dispute recorded already.
async fn open_dispute(
    services: &Services,
    dispute_id: &str,
    intent_id: &str,
    amount: i64,
    now: i64,
) -> Result<(), ServiceError> {
    let Some((_, subscription)) = charge_of(services, intent_id).await? else {
        return Ok(());
    };
    let event = Event::new(
        &Actor::System,
        AuditAction::Disputed,
        &subscription.organization_id,
        now,
    )
    .subscription(&subscription.id, subscription.product)
    .after(serde_json::json!({
        "amount": amount,
        "currency": subscription.currency.as_str(),
    }));
    let dispute = StripeDispute {
        id: dispute_id.to_owned(),
        subscription_id: subscription.id.clone(),
        intent_id: intent_id.to_owned(),
        amount,
        currency: subscription.currency,
        opened_at: now,
    };
    if services
        .store
        .record_stripe_dispute(&dispute, &event)
        .await?
    {
        tracing::warn!(subscription = %subscription.id, dispute = %dispute_id, "a charge is disputed");
    }
    Ok(())
}

/// Our charge key of an intent and the subscription its order concerns, if it is ours.
async fn charge_of(
    services: &Services,
    intent_id: &str,
) -> Result<Option<(String, crate::store::subscriptions::SubscriptionRow)>, ServiceError> {
    let Some(key) = services
        .store
        .stripe_charge_key_of_intent(intent_id)
        .await?
    else {
        return Ok(None);
    };
    let Some(order) = services
        .store
        .order(key.strip_prefix("charge_").unwrap_or_default())
        .await?
    else {
        return Ok(None);
    };
    let Some(subscription_id) = order.subscription_id else {
        return Ok(None);
    };
    let subscription = services.store.subscription_row(&subscription_id).await?;
    Ok(subscription.map(|subscription| (key, subscription)))
}
