//! What happens as time passes: periods end (renewed and charged, moved on for central
//! subscriptions, or ended), unpaid subscriptions are suspended after the grace period. A
//! background task runs it every 30 s; `POST /test-clock/advance` runs it at once.

mod digests;
mod reminders;

use super::Services;
use super::payments::{Settled, settle};
use crate::access::Actor;
use crate::domain::billing::{GRACE_PERIOD_SECONDS, with_tax};
use crate::domain::calendar::{add_months, iso_date};
use crate::domain::lifecycle::{AtPeriodEnd, at_period_end};
use crate::domain::price_book;
use crate::events::Event;
use crate::ids::new_id;
use crate::store::StoreError;
use crate::store::lifecycle::Renewal;
use crate::store::orders::{OrderRow, PaymentSource};
use crate::store::subscriptions::SubscriptionRow;
use selfserve_api::admin::AuditAction;
use selfserve_api::subscription::{OrderKind, OrderPhase, Source};
use serde_json::json;

/// What a billing run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BillingReport {
    /// Renewals paid.
    pub renewed: u32,
    /// Renewals whose payment failed (now past due).
    pub failed: u32,
    /// Cancelled subscriptions and trials that ended, licences released.
    pub expired: u32,
    /// Past-due subscriptions suspended after the grace period.
    pub suspended: u32,
    /// Reminders written (renewal in 7 days, trial ending in 3 days).
    pub reminded: u32,
    /// Daily digests of admin notices planned (the billing day before ended).
    pub digests: u32,
}

/// Renews what is due, ends what was cancelled, suspends what stayed unpaid too long.
pub async fn run_due(services: &Services, now: i64) -> Result<BillingReport, StoreError> {
    let store = &services.store;
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
            match at_period_end(subscription.status, subscription.cancel_at_period_end) {
                AtPeriodEnd::Nothing => {
                    waiting.insert(subscription.id);
                }
                AtPeriodEnd::Ends(_) => {
                    let event = Event::new(
                        &Actor::System,
                        AuditAction::Expired,
                        &subscription.organization_id,
                        now,
                    )
                    .subscription(&subscription.id, subscription.product)
                    .before(json!({"status": subscription.status}));
                    if store.expire(&subscription.id, &event, now).await? {
                        report.expired += 1;
                    } else {
                        waiting.insert(subscription.id);
                    }
                }
                AtPeriodEnd::Renews => match renew(services, &subscription, now).await? {
                    Renewed::Paid => report.renewed += 1,
                    Renewed::Failed => report.failed += 1,
                    // Central: on to the next period if it is behind by more than one.
                    Renewed::Advanced => {}
                    Renewed::NotNow => {
                        waiting.insert(subscription.id);
                    }
                },
            }
        }
    }
    for subscription in store.overdue(now - GRACE_PERIOD_SECONDS).await? {
        let event = Event::new(
            &Actor::System,
            AuditAction::Suspended,
            &subscription.organization_id,
            now,
        )
        .subscription(&subscription.id, subscription.product)
        .before(json!({"status": subscription.status}));
        if store
            .suspend(&subscription.id, now - GRACE_PERIOD_SECONDS, &event, now)
            .await?
        {
            report.suspended += 1;
        }
    }
    report.reminded = reminders::send_due(services, now).await?;
    report.digests = digests::send_due(services, now).await?;
    Ok(report)
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
    services: &Services,
    subscription: &SubscriptionRow,
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
    match subscription.source {
        // Billed through the organisation's agreement: the period moves on, nothing is charged.
        Source::Central => {
            return Ok(
                if services
                    .store
                    .advance_period(subscription, start, end, now)
                    .await?
                {
                    Renewed::Advanced
                } else {
                    Renewed::NotNow
                },
            );
        }
        Source::SelfService => {}
    }
    let amounts = with_tax(
        subscription.unit_amount * quantity,
        subscription.tax_rate_bps,
    );
    let invoice_id = new_id("in");
    let order = OrderRow {
        quantity,
        subtotal: amounts.subtotal,
        tax: amounts.tax,
        amount: amounts.total,
        period_start: start,
        period_end: end,
        invoice_id: Some(invoice_id.clone()),
        ..order_for(
            subscription,
            OrderKind::Renewal,
            subscription
                .payment_method_id
                .clone()
                .map(PaymentSource::SavedCard),
            now,
        )
    };
    let renewal = Renewal {
        invoice_id,
        line_description: format!(
            "{quantity} × {}, {} – {}",
            price_book::entry(subscription.product).name,
            iso_date(start),
            iso_date(end)
        ),
        from_period: subscription.periods_elapsed,
        from_quantity: subscription.quantity,
        from_pending: subscription.pending_quantity,
        order,
    };
    if !services.store.start_renewal(&renewal, now).await? {
        return Ok(Renewed::NotNow);
    }
    Ok(
        match settle(services, &renewal.order, &Actor::System, now).await? {
            Settled::Paid { .. } => Renewed::Paid,
            Settled::Failed(_) => Renewed::Failed,
        },
    )
}

/// A new order of `kind` for `subscription`, for the rest of its current period, charging
/// nothing yet: callers set quantity and amounts.
pub fn order_for(
    subscription: &SubscriptionRow,
    kind: OrderKind,
    payment_source: Option<PaymentSource>,
    now: i64,
) -> OrderRow {
    OrderRow {
        id: new_id("ord"),
        organization_id: subscription.organization_id.clone(),
        purchaser_id: subscription.purchaser_id.clone(),
        subscription_id: Some(subscription.id.clone()),
        kind,
        product: subscription.product,
        quantity: 0,
        unit_amount: subscription.unit_amount,
        subtotal: 0,
        tax: 0,
        tax_rate_bps: subscription.tax_rate_bps,
        amount: 0,
        currency: subscription.currency,
        period_start: now.max(subscription.current_period_start),
        period_end: subscription.current_period_end,
        phase: OrderPhase::Created,
        payment_source,
        decline_code: None,
        created_at: now,
        invoice_id: None,
        converts_subscription_id: None,
    }
}

/// What moving the test clock did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ClockMoved {
    /// Billing time now.
    pub now: i64,
    pub offset_seconds: i64,
    pub billing: BillingReport,
}

/// Moves billing time forward by `days` (only ever with `--test-clock`) and runs what
/// became due.
pub async fn advance_clock(services: &Services, days: i64) -> Result<ClockMoved, StoreError> {
    let offset = services.clock.advance(days * 86_400).await?;
    let now = services.clock.now();
    let billing = run_due(services, now).await?;
    // 3-D Secure intents left waiting past their limit by the move end now, as on a tick.
    super::authentications::reconcile_abandoned(services, now).await?;
    Ok(ClockMoved {
        now,
        offset_seconds: offset,
        billing,
    })
}
