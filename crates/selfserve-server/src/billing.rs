//! Everything that charges a card after the purchase: renewals, seats added mid-period, and
//! paying a bill. Each is an order recorded in phase `created` before the gateway is charged
//! with the key `charge_<order id>`, then settled by [`settle`].
//!
//! [`settle`] can be called any number of times for the same order: the gateway returns the
//! outcome it recorded for the key instead of charging again, and every completion is guarded
//! by the order's phase. That makes crash recovery simple: call it again.

use crate::domain::billing::{GRACE_PERIOD_SECONDS, prorated_subtotal, with_tax};
use crate::domain::calendar::{add_months, iso_date};
use crate::domain::price_book;
use crate::gateway::{ChargeError, ChargeOutcome, Gateway};
use crate::ids::new_id;
use crate::purchases::charge_key;
use crate::store::billing::{BillingRow, Renewal};
use crate::store::purchases::OrderRow;
use crate::store::{Store, StoreError};
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;

/// What a billing run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BillingReport {
    /// Renewals paid.
    pub renewed: u32,
    /// Renewals whose payment failed (now past due).
    pub failed: u32,
    /// Cancelled subscriptions that ended, licences released.
    pub expired: u32,
    /// Past-due subscriptions suspended after the grace period.
    pub suspended: u32,
}

/// How settling an order ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Paid.
    Paid,
    /// Declined, with the issuer's code.
    Declined(String),
    /// The buyer must pass 3-D Secure first (a new card for a bill or more seats).
    RequiresAction {
        /// The challenge.
        challenge_id: String,
        /// Where to answer it.
        url: String,
    },
    /// The token is unknown, or spent (`already_used`).
    BadToken {
        /// The token was charged before.
        already_used: bool,
    },
}

fn product_name(product: &str) -> &'static str {
    product
        .parse::<ProductId>()
        .map(|p| price_book::entry(p).name)
        .unwrap_or("Subscription")
}

/// Charges an order's payment source and records the outcome (see the module docs: safe to
/// repeat). A store failure leaves the order `created` for recovery.
pub async fn settle(
    store: &Store,
    gateway: &Gateway,
    order: &OrderRow,
    now: i64,
) -> Result<Settled, StoreError> {
    let Some(source) = order.payment_source.clone() else {
        record_failure(store, order, "no_payment_method", now).await?;
        return Ok(Settled::Declined("no_payment_method".into()));
    };
    let currency = Currency::parse(&order.currency).unwrap_or(Currency::USD);
    let outcome = gateway
        .charge(
            &source,
            order.amount,
            currency,
            &charge_key(&order.id),
            source.starts_with("tok_"),
        )
        .await;
    match outcome {
        Ok(ChargeOutcome::Succeeded { saved_card, .. }) => {
            let card = match saved_card {
                Some(card) => card,
                None => gateway
                    .card(&source)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt(format!("card {source} vanished")))?,
            };
            let claimed = match order.kind.as_str() {
                "seat_increase" => {
                    let line = format!(
                        "{} × {}, prorated {} – {}",
                        order.quantity,
                        product_name(&order.product),
                        iso_date(order.period_start),
                        iso_date(order.period_end)
                    );
                    store
                        .complete_seat_increase(order, &card, &new_id("in"), &line, now)
                        .await?
                }
                _ => store.complete_invoice_payment(order, &card, now).await?,
            };
            if !claimed
                && let Some(settled) = store.order(&order.id).await?
                && settled.phase != "paid"
            {
                // The charge went through but the order was settled otherwise (only possible
                // if something other than this server settled it): never silent.
                tracing::error!(
                    order = %order.id,
                    phase = %settled.phase,
                    "a charged order was not recorded as paid: reconcile it by hand"
                );
            }
            Ok(Settled::Paid)
        }
        Ok(ChargeOutcome::Declined { decline_code }) => {
            record_failure(store, order, &decline_code, now).await?;
            Ok(Settled::Declined(decline_code))
        }
        Ok(ChargeOutcome::RequiresAction { challenge_id, url }) => {
            record_failure(store, order, "authentication_required", now).await?;
            Ok(Settled::RequiresAction { challenge_id, url })
        }
        Err(ChargeError::Store(error)) => Err(error),
        Err(error) => {
            record_failure(store, order, "invalid_token", now).await?;
            Ok(Settled::BadToken {
                already_used: matches!(error, ChargeError::TokenAlreadyUsed),
            })
        }
    }
}

async fn record_failure(
    store: &Store,
    order: &OrderRow,
    code: &str,
    now: i64,
) -> Result<(), StoreError> {
    match order.kind.as_str() {
        "renewal" | "invoice_payment" => store.fail_invoice_payment(order, code, now).await,
        _ => store.fail_order(&order.id, code, now).await,
    }
}

/// Renews what is due, ends what was cancelled, suspends what stayed unpaid too long.
pub async fn run_due(
    store: &Store,
    gateway: &Gateway,
    now: i64,
) -> Result<BillingReport, StoreError> {
    let mut report = BillingReport::default();
    // Due but left for a later run (a seat increase in flight); not looked at again in this one.
    let mut waiting = std::collections::HashSet::new();
    // A subscription many periods behind (the clock jumped) renews once per period.
    for _ in 0..240 {
        let mut due = store.due_subscriptions(now).await?;
        due.retain(|subscription| !waiting.contains(&subscription.id));
        if due.is_empty() {
            break;
        }
        for subscription in due {
            // Subscriptions cancelled at period end end now; trials end too: they never
            // renew by themselves.
            if subscription.cancel_at_period_end || subscription.status == "trialing" {
                if store.expire(&subscription.id, now).await? {
                    report.expired += 1;
                    log(store, &subscription, "expired", None, now).await;
                } else {
                    waiting.insert(subscription.id);
                }
                continue;
            }
            match renew(store, gateway, &subscription, now).await? {
                Renewed::Paid => {
                    report.renewed += 1;
                    log(store, &subscription, "renewed", None, now).await;
                }
                Renewed::Failed => {
                    report.failed += 1;
                    log(store, &subscription, "renewal_failed", None, now).await;
                }
                // Central: on to the next period if it is behind by more than one.
                Renewed::Advanced => {}
                Renewed::NotNow => {
                    waiting.insert(subscription.id);
                }
            }
        }
    }
    report.suspended = store
        .suspend_overdue(now - GRACE_PERIOD_SECONDS, now)
        .await? as u32;
    Ok(report)
}

async fn log(
    store: &Store,
    subscription: &BillingRow,
    action: &str,
    after: Option<serde_json::Value>,
    now: i64,
) {
    crate::audit::record(
        store,
        &subscription.organization_id,
        &crate::audit::Actor::Billing,
        crate::audit::Change {
            action,
            subscription_id: Some(&subscription.id),
            product: Some(&subscription.product),
            before: Some(serde_json::json!({"status": subscription.status})),
            after,
        },
        now,
    )
    .await;
}

/// What renewing one subscription did.
enum Renewed {
    /// The next period is paid.
    Paid,
    /// The card failed: the subscription is past due.
    Failed,
    /// Billed centrally: the period moved on without a charge.
    Advanced,
    /// Not renewed by this run: another run did, it was cancelled meanwhile, or a seat increase
    /// is in flight.
    NotNow,
}

/// Moves one subscription into its next period and charges for it.
async fn renew(
    store: &Store,
    gateway: &Gateway,
    subscription: &BillingRow,
    now: i64,
) -> Result<Renewed, StoreError> {
    let quantity = subscription
        .pending_quantity
        .unwrap_or(subscription.quantity);
    let start = subscription.current_period_end;
    let end = add_months(
        subscription.billing_anchor,
        (subscription.periods_elapsed + 2) as u32,
    );
    if subscription.source == "central" {
        // Billed through the organisation's agreement: the period moves on, nothing is charged.
        return Ok(
            if store.advance_period(subscription, start, end, now).await? {
                Renewed::Advanced
            } else {
                Renewed::NotNow
            },
        );
    }
    let amounts = with_tax(
        subscription.unit_amount * quantity,
        subscription.tax_rate_bps,
    );
    let order = OrderRow {
        quantity,
        subtotal: amounts.subtotal,
        tax: amounts.tax,
        amount: amounts.total,
        period_start: start,
        period_end: end,
        ..order_for(
            subscription,
            "renewal",
            subscription.payment_method_id.clone(),
            now,
        )
    };
    let renewal = Renewal {
        invoice_id: new_id("in"),
        line_description: format!(
            "{quantity} × {}, {} – {}",
            product_name(&subscription.product),
            iso_date(start),
            iso_date(end)
        ),
        from_period: subscription.periods_elapsed,
        from_quantity: subscription.quantity,
        from_pending: subscription.pending_quantity,
        order,
    };
    if !store.start_renewal(&renewal, now).await? {
        return Ok(Renewed::NotNow);
    }
    Ok(match settle(store, gateway, &renewal.order, now).await? {
        Settled::Paid => Renewed::Paid,
        _ => Renewed::Failed,
    })
}

/// A new order of `kind` for `subscription`, for the rest of its current period, charging
/// nothing yet: callers set quantity and amounts.
pub fn order_for(
    subscription: &BillingRow,
    kind: &str,
    payment_source: Option<String>,
    now: i64,
) -> OrderRow {
    OrderRow {
        id: new_id("ord"),
        organization_id: subscription.organization_id.clone(),
        purchaser_id: subscription.purchaser_id.clone(),
        subscription_id: Some(subscription.id.clone()),
        kind: kind.into(),
        product: subscription.product.clone(),
        quantity: 0,
        unit_amount: subscription.unit_amount,
        subtotal: 0,
        tax: 0,
        tax_rate_bps: subscription.tax_rate_bps,
        amount: 0,
        currency: subscription.currency.clone(),
        period_start: now.max(subscription.current_period_start),
        period_end: subscription.current_period_end,
        phase: "created".into(),
        payment_source,
        decline_code: None,
        created_at: now,
    }
}

/// The order for adding `added` seats now, prorated to the end of the current period.
pub fn seat_increase_order(
    subscription: &BillingRow,
    added: u32,
    payment_source: String,
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
        ..order_for(subscription, "seat_increase", Some(payment_source), now)
    }
}

/// Settles a billing order found unfinished after a restart. A renewal is charged (the buyer
/// agreed to be billed each period); a bill payment or seat increase that never reached the
/// gateway is rolled back and its idempotency key released.
pub async fn recover_order(
    store: &Store,
    gateway: &Gateway,
    order: &OrderRow,
    now: i64,
) -> Result<(), StoreError> {
    // A renewal is charged whatever happened; anything else is given up unless the gateway
    // already has its charge, and its key is closed first so a stalled request cannot charge
    // after that.
    let charged = order.kind == "renewal"
        || match gateway
            .close_key(&charge_key(&order.id), &order.currency)
            .await
        {
            Ok(recorded) => recorded.is_some(),
            Err(ChargeError::Store(error)) => return Err(error),
            Err(_) => false,
        };
    if charged {
        let outcome = settle(store, gateway, order, now).await?;
        tracing::warn!(order = %order.id, kind = %order.kind, ?outcome, "recovered a billing order");
    } else {
        store
            .fail_order(&order.id, crate::gateway::ABANDONED, now)
            .await?;
        store.abandon_idempotent_for_order(&order.id).await?;
        tracing::warn!(order = %order.id, kind = %order.kind, "rolled back a payment that never charged");
    }
    Ok(())
}
