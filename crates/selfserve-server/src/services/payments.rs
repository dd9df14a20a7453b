//! Settling orders through the card processor, so that money moves exactly once.
//!
//! Every charge goes through recorded phases:
//! 1. the order is recorded in phase `created` (tied to the request's idempotency key);
//! 2. the processor is charged with the key `charge_<order id>`: charging that key again can
//!    only return the same outcome, never move money twice;
//! 3. on success one transaction completes what the order pays for (a new subscription, more
//!    seats, a paid bill) with its event and marks the order `paid`; on a decline the order is
//!    `failed` (a renewal's bill and subscription become past due).
//!
//! [`settle`] may be called any number of times for one order: the processor answers a key
//! with what it recorded, and completing is guarded by the order's phase. If the process stops
//! anywhere in between, [`recover`] (at start-up, from the billing loop, and for a retry that
//! finds its key stuck) settles each `created` order from what the processor recorded.

use super::{PaymentFailure, Services};
use crate::access::Actor;
use crate::domain::calendar::iso_date;
use crate::domain::price_book;
use crate::events::Event;
use crate::fault::{CrashPoint, crash_point};
use crate::ids::new_id;
use crate::payments::{
    ABANDONED, Card, CardProcessor, ChargeError, ChargeOutcome, ChargeRequest, charge_key,
    charge_target,
};
use crate::store::StoreError;
use crate::store::orders::{OrderRow, PaymentSource};
use crate::store::payments::NewSubscription;
use selfserve_api::admin::AuditAction;
use selfserve_api::subscription::OrderKind;
use serde_json::json;

/// Set in the environment by crash-recovery tests only: the process aborts right after a
/// charge is recorded by the processor, before the order is completed. The same as
/// `SELFSERVE_TEST_CRASH_AT=charged` (see [`crate::fault`]).
pub const CRASH_AFTER_CHARGE_ENV: &str = "SELFSERVE_TEST_CRASH_AFTER_CHARGE";

/// How long an order may stay `created` before another server may settle it (PostgreSQL,
/// where several servers share the database): far longer than any request takes.
pub const RECOVERY_LEASE_SECONDS: i64 = 120;

/// How settling an order ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Paid; for a purchase, the new subscription.
    Paid {
        subscription_id: String,
    },
    Failed(PaymentFailure),
}

/// Charges an order and records the outcome, with its events by `actor` (see the module
/// docs: safe to repeat). A store failure leaves the order `created` for recovery.
pub async fn settle(
    services: &Services,
    order: &OrderRow,
    actor: &Actor,
    now: i64,
) -> Result<Settled, StoreError> {
    let Some(source) = &order.payment_source else {
        record_failure(services, order, actor, "no_payment_method", now).await?;
        return Ok(Settled::Failed(PaymentFailure::NoCardOnFile));
    };
    crash_point(CrashPoint::OrderRecorded);
    let key = charge_key(&order.id);
    let target = charge_target(order);
    let (PaymentSource::NewCard(card) | PaymentSource::SavedCard(card)) = source;
    super::authentications::end_waiting_not_for(
        services,
        &target,
        card,
        order.amount,
        order.currency,
        now,
    )
    .await?;
    let outcome = services
        .payments
        .charge(ChargeRequest {
            source,
            amount: order.amount,
            currency: order.currency,
            key: &key,
            purchaser_id: &order.purchaser_id,
            target: &target,
        })
        .await;
    crash_point(CrashPoint::Charged);
    let failure = match outcome {
        Ok(ChargeOutcome::Succeeded { card, .. }) => {
            let subscription_id = complete(services, order, &card, actor, now).await?;
            crash_point(CrashPoint::Settled);
            return Ok(Settled::Paid { subscription_id });
        }
        Ok(ChargeOutcome::Declined { decline_code }) if decline_code == ABANDONED => {
            record_failure(services, order, actor, ABANDONED, now).await?;
            PaymentFailure::Abandoned
        }
        Ok(ChargeOutcome::Declined { decline_code }) => {
            record_failure(services, order, actor, &decline_code, now).await?;
            PaymentFailure::Declined(decline_code)
        }
        Ok(ChargeOutcome::RequiresAction(challenge)) => {
            record_failure(services, order, actor, "authentication_required", now).await?;
            PaymentFailure::AuthenticationRequired(challenge)
        }
        Err(ChargeError::TokenAlreadyUsed) => {
            record_failure(services, order, actor, "token_already_used", now).await?;
            PaymentFailure::TokenAlreadyUsed
        }
        Err(ChargeError::InvalidToken) => {
            record_failure(services, order, actor, "invalid_token", now).await?;
            PaymentFailure::InvalidToken
        }
        // The charge's outcome is unknown: the order stays `created` for recovery.
        Err(ChargeError::Store(error)) => return Err(error),
    };
    crash_point(CrashPoint::Settled);
    Ok(Settled::Failed(failure))
}

/// Completes a paid order: what it pays for, its event, the order `paid`. Returns the
/// subscription it concerns.
async fn complete(
    services: &Services,
    order: &OrderRow,
    card: &Card,
    actor: &Actor,
    now: i64,
) -> Result<String, StoreError> {
    let store = &services.store;
    let name = price_book::entry(order.product).name;
    let period = format!(
        "{} – {}",
        iso_date(order.period_start),
        iso_date(order.period_end)
    );
    let event = |kind| Event::new(actor, kind, &order.organization_id, now);
    match order.kind {
        OrderKind::Purchase => {
            let new = NewSubscription {
                id: new_id("sub"),
                invoice_id: new_id("in"),
                line_description: format!("{} × {name}, {period}", order.quantity),
            };
            let event = event(AuditAction::Purchase)
                .subscription(&new.id, order.product)
                .after(json!({
                    "quantity": order.quantity,
                    "total": order.amount,
                    "currency": order.currency,
                    "invoice": new.invoice_id,
                }));
            store
                .complete_purchase(order, &new, card, &event, now)
                .await
        }
        OrderKind::SeatIncrease => {
            let subscription_id = subscription_of(order)?;
            let before = store.subscription_row(subscription_id).await?;
            let (quantity, pending) = before
                .map(|row| (row.quantity, row.pending_quantity))
                .unwrap_or_default();
            let invoice_id = new_id("in");
            let event = event(AuditAction::SeatsChanged)
                .subscription(subscription_id, order.product)
                .before(json!({"quantity": quantity, "pending_quantity": pending}))
                .after(json!({
                    "quantity": quantity + order.quantity,
                    "total": order.amount,
                    "invoice": invoice_id,
                }));
            let line = format!("{} × {name}, prorated {period}", order.quantity);
            let done = store
                .complete_seat_increase(order, card, &invoice_id, &line, &event, now)
                .await?;
            warn_if_not_paid(services, order, done).await?;
            Ok(subscription_id.to_owned())
        }
        OrderKind::Renewal | OrderKind::InvoicePayment => {
            let subscription_id = subscription_of(order)?;
            let event = if order.kind == OrderKind::Renewal {
                // What the purchaser's receipt tells: the new period's seats, charge and bill.
                let event =
                    renewal_event(services, order, actor, AuditAction::Renewed, now).await?;
                Some(event.after(json!({
                    "quantity": order.quantity,
                    "total": order.amount,
                    "invoice": order.invoice_id,
                })))
            } else {
                None
            };
            let done = store
                .complete_invoice_payment(order, card, event.as_ref(), now)
                .await?;
            warn_if_not_paid(services, order, done).await?;
            Ok(subscription_id.to_owned())
        }
        OrderKind::SeatDecrease => Err(StoreError::Corrupt(format!(
            "order {} of a scheduled decrease was charged",
            order.id
        ))),
    }
}

/// A charged order that this call could not complete was settled by someone else: fine if
/// paid, never silent otherwise.
async fn warn_if_not_paid(
    services: &Services,
    order: &OrderRow,
    completed_now: bool,
) -> Result<(), StoreError> {
    if !completed_now
        && let Some(settled) = services.store.order(&order.id).await?
        && settled.phase != selfserve_api::subscription::OrderPhase::Paid
    {
        tracing::error!(
            order = %order.id,
            phase = %settled.phase,
            "a charged order was not recorded as paid: reconcile it by hand"
        );
    }
    Ok(())
}

fn subscription_of(order: &OrderRow) -> Result<&str, StoreError> {
    order
        .subscription_id
        .as_deref()
        .ok_or_else(|| StoreError::Corrupt(format!("order {} has no subscription", order.id)))
}

async fn renewal_event(
    services: &Services,
    order: &OrderRow,
    actor: &Actor,
    kind: AuditAction,
    now: i64,
) -> Result<Event, StoreError> {
    let subscription_id = subscription_of(order)?;
    let status = services
        .store
        .subscription_row(subscription_id)
        .await?
        .map(|row| row.status);
    Ok(Event::new(actor, kind, &order.organization_id, now)
        .subscription(subscription_id, order.product)
        .before(json!({"status": status})))
}

async fn record_failure(
    services: &Services,
    order: &OrderRow,
    actor: &Actor,
    code: &str,
    now: i64,
) -> Result<(), StoreError> {
    match order.kind {
        OrderKind::Renewal => {
            let event =
                renewal_event(services, order, actor, AuditAction::RenewalFailed, now).await?;
            services
                .store
                .fail_invoice_payment(order, code, Some(&event), now)
                .await
        }
        OrderKind::InvoicePayment => {
            services
                .store
                .fail_invoice_payment(order, code, None, now)
                .await
        }
        OrderKind::Purchase | OrderKind::SeatIncrease | OrderKind::SeatDecrease => {
            services.store.fail_order(&order.id, code, now).await
        }
    }
}

/// Settles every order whose outcome is unknown and that is older than `min_age` seconds.
/// Returns how many it settled.
pub async fn recover(services: &Services, now: i64, min_age: i64) -> Result<usize, StoreError> {
    let orders = services.store.unfinished_orders(now - min_age).await?;
    let count = orders.len();
    for order in orders {
        recover_order(services, &order, now).await?;
    }
    Ok(count)
}

/// Settles one `created` order from what the processor recorded. A renewal is charged
/// whatever happened (the buyer agreed to be billed each period); anything else is given up
/// unless the processor already has its charge, and its key is closed first, so a request
/// that only stalled cannot charge after that. A given-up order's idempotency key is released
/// for a clean retry.
pub async fn recover_order(
    services: &Services,
    order: &OrderRow,
    now: i64,
) -> Result<(), StoreError> {
    let charged = order.kind == OrderKind::Renewal
        || match services
            .payments
            .resolve(&charge_key(&order.id), order.currency)
            .await
        {
            Ok(recorded) => recorded.is_some(),
            Err(ChargeError::Store(error)) => return Err(error),
            Err(ChargeError::InvalidToken | ChargeError::TokenAlreadyUsed) => false,
        };
    if charged {
        match settle(services, order, &Actor::System, now).await? {
            Settled::Paid { subscription_id } => tracing::warn!(
                order = %order.id, subscription = %subscription_id,
                "recovered a paid {}", order.kind
            ),
            Settled::Failed(failure) => tracing::warn!(
                order = %order.id, ?failure, "recovered a declined {}", order.kind
            ),
        }
    } else {
        services.store.fail_order(&order.id, ABANDONED, now).await?;
        services
            .store
            .abandon_idempotent_for_order(&order.id)
            .await?;
        tracing::warn!(order = %order.id, kind = %order.kind, "rolled back an order that never charged");
    }
    Ok(())
}
