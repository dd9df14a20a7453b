//! Refunds of paid bills by the seller's support staff (`selfserve-server invoice refund`), with
//! either processor: never more than was paid, once per refund even across crashes and retries
//! (see [`crate::store::refunds`]).

use super::{ServiceError, Services};
use crate::access::{Action, Actor};
use crate::events::Event;
use crate::fault::{CrashPoint, crash_point};
use crate::payments::{CardProcessor, RefundError};
use crate::store::refunds::{PendingRefund, RefundSettlement, Reserved};
use crate::store::subscriptions::SubscriptionRow;
use selfserve_api::admin::AuditAction;
use selfserve_api::subscription::Invoice;

/// Why a refund was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRefusal {
    /// The bill was not paid by a card charge.
    NotPaid,
    /// More than is left to refund (which may be nothing).
    TooMuch { refundable: i64 },
    /// An amount of zero or less.
    NotPositive,
    /// Every refund says why.
    NoReason,
    /// The processor turned it down (its code); nothing was refunded.
    ProcessorRefused(String),
}

/// A refund that went through, and the bill as the purchaser now sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    pub amount: i64,
    /// The processor's id of the refund.
    pub refund_id: String,
    pub invoice: Invoice,
    /// Finished from an earlier run that was cut off (the same request, retried).
    pub resumed: bool,
}

/// Refunds `amount` of a paid bill (or, when `None`, all that is left), saying why. A refund an
/// earlier run left unfinished is finished first; when it is this very request (same reason,
/// same amount or none given), it is the answer and nothing more is refunded.
pub async fn refund(
    services: &Services,
    actor: &Actor,
    invoice_id: &str,
    amount: Option<i64>,
    reason: &str,
) -> Result<Refunded, ServiceError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::Refund(RefundRefusal::NoReason));
    }
    if amount.is_some_and(|amount| amount <= 0) {
        return Err(ServiceError::Refund(RefundRefusal::NotPositive));
    }
    let invoice = services
        .store
        .invoice_row(invoice_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let subscription = services
        .subscription_for(actor, Action::RefundInvoice, &invoice.subscription_id)
        .await?;
    for pending in services.store.pending_refunds(invoice_id).await? {
        let same = pending.reason == reason && amount.is_none_or(|amount| amount == pending.amount);
        let refund_id = finish(services, actor, &subscription, &pending).await?;
        if same {
            return refunded(services, &pending, refund_id, true).await;
        }
    }
    let id = crate::ids::new_id("rf");
    let now = services.clock.now();
    let pending = match services
        .store
        .reserve_refund(&id, invoice_id, amount, reason, now)
        .await?
    {
        Reserved::Reserved(pending) => pending,
        Reserved::NoInvoice => return Err(ServiceError::NotFound),
        Reserved::NotPaid => return Err(ServiceError::Refund(RefundRefusal::NotPaid)),
        Reserved::TooMuch { refundable } => {
            return Err(ServiceError::Refund(RefundRefusal::TooMuch { refundable }));
        }
    };
    let refund_id = finish(services, actor, &subscription, &pending).await?;
    refunded(services, &pending, refund_id, false).await
}

/// Finishes every refund left pending for at least `min_age` seconds (a command run or a
/// take-over cut off after recording it), sending its recorded key again so the processor
/// refunds once; the audit entry of one finished here is by the system. Returns how many were
/// settled. A processor that cannot be reached leaves the rest for the next run.
pub async fn recover_refunds(
    services: &Services,
    now: i64,
    min_age: i64,
) -> Result<usize, ServiceError> {
    let pending = services.store.pending_refunds_before(now - min_age).await?;
    let count = pending.len();
    for refund in pending {
        let invoice = services
            .store
            .invoice_row(&refund.invoice_id)
            .await?
            .ok_or_else(|| corrupt(&refund))?;
        let subscription = services
            .store
            .subscription_row(&invoice.subscription_id)
            .await?
            .ok_or_else(|| corrupt(&refund))?;
        match finish(services, &Actor::System, &subscription, &refund).await {
            Ok(processor_refund_id) => tracing::warn!(
                refund = %refund.id, invoice = %refund.invoice_id, %processor_refund_id,
                "finished a refund left pending by the last run"
            ),
            // Settled as refused: the amount is refundable again.
            Err(ServiceError::Refund(refusal)) => tracing::warn!(
                refund = %refund.id, ?refusal, "a refund left pending was refused"
            ),
            Err(error) => return Err(error),
        }
    }
    Ok(count)
}

/// Finishes refunds just recorded by another change (a take-over that cancels now): each is
/// sent to the processor under its key and settled. One the processor cannot be reached for
/// stays pending for the recovery; one it refuses is released. Returns the amount given back
/// or still on its way (all but the refused).
pub(crate) async fn finish_recorded(
    services: &Services,
    actor: &Actor,
    subscription: &SubscriptionRow,
    refunds: &[PendingRefund],
) -> Result<i64, ServiceError> {
    let mut amount = 0;
    for refund in refunds {
        match finish(services, actor, subscription, refund).await {
            Ok(_) => amount += refund.amount,
            Err(ServiceError::Refund(refusal)) => tracing::warn!(
                refund = %refund.id, ?refusal, "the processor refused a take-over's refund"
            ),
            Err(ServiceError::Store(error)) => {
                tracing::warn!(refund = %refund.id, %error, "a refund is left for the recovery");
                amount += refund.amount;
            }
            Err(error) => return Err(error),
        }
    }
    Ok(amount)
}

fn corrupt(refund: &PendingRefund) -> ServiceError {
    crate::store::StoreError::Corrupt(format!("refund {} has no bill", refund.id)).into()
}

async fn refunded(
    services: &Services,
    pending: &PendingRefund,
    refund_id: String,
    resumed: bool,
) -> Result<Refunded, ServiceError> {
    let invoice = services
        .store
        .invoice(&pending.invoice_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Refunded {
        amount: pending.amount,
        refund_id,
        invoice,
        resumed,
    })
}

/// Asks the processor for a recorded refund under its key and settles it with the answer.
/// When the processor cannot be reached the refund stays pending for the next run.
async fn finish(
    services: &Services,
    actor: &Actor,
    subscription: &SubscriptionRow,
    pending: &PendingRefund,
) -> Result<String, ServiceError> {
    let now = services.clock.now();
    let event = Event::new(
        actor,
        AuditAction::Refunded,
        &subscription.organization_id,
        now,
    )
    .subscription(&subscription.id, subscription.product)
    .after(serde_json::json!({
        "invoice_id": pending.invoice_id,
        "amount": pending.amount,
        "currency": subscription.currency.as_str(),
        "reason": pending.reason,
    }));
    let answer = services
        .payments
        .refund(&pending.charge_key, pending.amount, &pending.refund_key)
        .await;
    crash_point(CrashPoint::Refunded);
    let (settlement, outcome) = match answer {
        Ok(refund) => (
            RefundSettlement::Succeeded {
                processor_refund_id: refund.id.clone(),
            },
            Ok(refund.id),
        ),
        Err(RefundError::NoCharge) => (
            RefundSettlement::Refused,
            Err(ServiceError::Refund(RefundRefusal::NotPaid)),
        ),
        Err(RefundError::TooMuch { refundable }) => (
            RefundSettlement::Refused,
            Err(ServiceError::Refund(RefundRefusal::TooMuch { refundable })),
        ),
        Err(RefundError::Refused(code)) => (
            RefundSettlement::Refused,
            Err(ServiceError::Refund(RefundRefusal::ProcessorRefused(code))),
        ),
        Err(RefundError::Store(error)) => return Err(error.into()),
    };
    services
        .store
        .settle_refund(pending, &settlement, &event, now)
        .await?;
    outcome
}
