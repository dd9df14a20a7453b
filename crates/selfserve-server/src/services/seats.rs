//! Changing the number of licences: more now, charged prorated to the end of the period;
//! fewer from the next renewal, never below the licences given out.

use super::billing::order_for;
use super::payments::{Settled, settle};
use super::{Caller, Conflict, PaymentFailure, ServiceError, Services};
use crate::access::Action;
use crate::domain::billing::{prorated_subtotal, with_tax};
use crate::domain::guardrails::Request;
use crate::domain::lifecycle::may_change_seats;
use crate::events::Event;
use crate::store::orders::{OrderRow, PaymentSource};
use crate::store::subscriptions::SubscriptionRow;
use selfserve_api::admin::AuditAction;
use selfserve_api::manage::{Effective, SeatChangeQuote};
use selfserve_api::product::SeatCount;
use selfserve_api::subscription::{OrderKind, OrderPhase, Subscription};
use serde_json::json;

/// What changing `subscription` to `quantity` seats costs now (prorated) and per renewal.
pub fn quote_for(subscription: &SubscriptionRow, quantity: u32, now: i64) -> SeatChangeQuote {
    let current = subscription.quantity as u32;
    let added = quantity.saturating_sub(current);
    let subtotal = prorated_subtotal(
        subscription.unit_amount,
        added,
        now,
        subscription.current_period_start,
        subscription.current_period_end,
    );
    let now_amounts = with_tax(subtotal, subscription.tax_rate_bps);
    let renewal = with_tax(
        subscription.unit_amount * i64::from(quantity),
        subscription.tax_rate_bps,
    );
    SeatChangeQuote {
        current_quantity: current,
        quantity,
        effective: if quantity > current {
            Effective::Now
        } else {
            Effective::Renewal
        },
        subtotal: now_amounts.subtotal,
        tax: now_amounts.tax,
        total: now_amounts.total,
        currency: subscription.currency,
        period_end: subscription.current_period_end,
        next_renewal_total: renewal.total,
    }
}

/// The caller's quote for changing their subscription's seats.
pub async fn quote(
    services: &Services,
    caller: &Caller,
    subscription_id: &str,
    quantity: SeatCount,
) -> Result<SeatChangeQuote, ServiceError> {
    let subscription = services
        .subscription_for(&caller.actor, Action::ActAsPurchaser, subscription_id)
        .await?;
    Ok(quote_for(
        &subscription,
        quantity.get(),
        services.clock.now(),
    ))
}

/// The order for adding `added` seats now, prorated to the end of the current period.
pub fn seat_increase_order(
    subscription: &SubscriptionRow,
    added: u32,
    payment_source: PaymentSource,
    now: i64,
) -> OrderRow {
    let subtotal = prorated_subtotal(
        subscription.unit_amount,
        added,
        now,
        subscription.current_period_start,
        subscription.current_period_end,
    );
    let amounts = with_tax(subtotal, subscription.tax_rate_bps);
    OrderRow {
        quantity: i64::from(added),
        subtotal: amounts.subtotal,
        tax: amounts.tax,
        amount: amounts.total,
        ..order_for(
            subscription,
            OrderKind::SeatIncrease,
            Some(payment_source),
            now,
        )
    }
}

/// Changes the caller's subscription to `quantity` seats. An increase is charged now to
/// `new_card_token` or the card on file; `idempotency` is the request's key, tied to the
/// increase's order.
pub async fn change(
    services: &Services,
    caller: &Caller,
    subscription_id: &str,
    quantity: SeatCount,
    new_card_token: Option<&str>,
    idempotency: (&str, &str),
) -> Result<Subscription, ServiceError> {
    let now = services.clock.now();
    let subscription = services
        .subscription_for(&caller.actor, Action::ActAsPurchaser, subscription_id)
        .await?;
    if !may_change_seats(subscription.status, false) {
        return Err(ServiceError::Conflict(Conflict::SeatsNotChangeable));
    }
    if subscription.cancel_at_period_end {
        return Err(ServiceError::Conflict(Conflict::SeatsWhileEnding));
    }
    let quantity = quantity.get();
    let current = subscription.quantity as u32;
    if quantity > current {
        let source = match new_card_token {
            Some(token) => super::checkout::new_card(services, token).await?,
            None => PaymentSource::SavedCard(
                subscription
                    .payment_method_id
                    .clone()
                    .ok_or(ServiceError::Payment(PaymentFailure::NoCardOnFile))?,
            ),
        };
        let order = seat_increase_order(&subscription, quantity - current, source, now);
        let guard = super::guardrails::guard(
            &subscription.organization_id,
            subscription.product,
            now,
            None,
            Request {
                seats_in_purchase: i64::from(quantity),
                seats_added: order.quantity,
                amount: order.amount,
                currency: order.currency,
            },
        );
        if !services
            .store
            .insert_seat_increase(&order, subscription.quantity, idempotency, Some(&guard))
            .await??
        {
            return Err(ServiceError::Conflict(Conflict::SeatsChangedMeanwhile));
        }
        if let Settled::Failed(failure) = settle(services, &order, &caller.actor, now).await? {
            return Err(ServiceError::Payment(failure));
        }
    } else {
        let event = Event::new(
            &caller.actor,
            AuditAction::SeatsChangeScheduled,
            &subscription.organization_id,
            now,
        )
        .subscription(&subscription.id, subscription.product)
        .before(json!({"quantity": current, "pending_quantity": subscription.pending_quantity}))
        .after(json!({"quantity": quantity}));
        let pending = (quantity < current).then_some(i64::from(quantity));
        let order = pending.map(|quantity| OrderRow {
            quantity,
            phase: OrderPhase::Scheduled,
            ..order_for(&subscription, OrderKind::SeatDecrease, None, now)
        });
        if !services
            .store
            .set_pending_quantity(&subscription.id, pending, order.as_ref(), &event, now)
            .await?
        {
            return Err(ServiceError::Conflict(Conflict::BelowAssigned {
                assigned: subscription.assigned_count,
                wanted: i64::from(quantity),
            }));
        }
    }
    services
        .store
        .subscription(&subscription.id)
        .await?
        .ok_or_else(|| super::checkout::vanished(&subscription.id))
}
