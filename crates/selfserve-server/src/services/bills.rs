//! Bills: listing, reading and paying them.

use super::billing::order_for;
use super::payments::{Settled, settle};
use super::{Caller, Conflict, PaymentFailure, ServiceError, Services};
use crate::access::Action;
use crate::domain::lifecycle::is_payable;
use crate::http::language::Language;
use crate::invoice_pdf::Parties;
use crate::store::invoices::InvoiceRow;
use crate::store::orders::{OrderRow, PaymentSource};
use crate::store::subscriptions::SubscriptionRow;
use selfserve_api::subscription::{Invoice, InvoiceStatus, OrderKind};

/// The most bills one list shows.
const MAX_BILLS: i64 = 1_000;

/// A subscription's bills, newest first.
pub async fn list(
    services: &Services,
    caller: &Caller,
    subscription_id: &str,
) -> Result<Vec<Invoice>, ServiceError> {
    let subscription = services
        .subscription_for(&caller.actor, Action::ViewSubscription, subscription_id)
        .await?;
    Ok(services
        .store
        .invoices_of(&subscription.id, MAX_BILLS)
        .await?)
}

/// A bill of the caller's, with its subscription.
async fn owned(
    services: &Services,
    caller: &Caller,
    invoice_id: &str,
) -> Result<(InvoiceRow, SubscriptionRow), ServiceError> {
    let invoice = services
        .store
        .invoice_row(invoice_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let subscription = services
        .subscription_for(
            &caller.actor,
            Action::ActAsPurchaser,
            &invoice.subscription_id,
        )
        .await?;
    Ok((invoice, subscription))
}

/// One bill with its lines.
pub async fn get(
    services: &Services,
    caller: &Caller,
    invoice_id: &str,
) -> Result<Invoice, ServiceError> {
    owned(services, caller, invoice_id).await?;
    services
        .store
        .invoice(invoice_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// One bill as a PDF in `language`, with its number.
pub async fn pdf(
    services: &Services,
    caller: &Caller,
    invoice_id: &str,
    language: Language,
) -> Result<(String, Vec<u8>), ServiceError> {
    let (_, subscription) = owned(services, caller, invoice_id).await?;
    let invoice = services
        .store
        .invoice(invoice_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let parties = parties_of(services, &subscription).await?;
    Ok((
        invoice.number.clone(),
        crate::invoice_pdf::render(&invoice, &parties, language),
    ))
}

/// Who a subscription's bills are between: the seller, its organisation and purchaser.
pub async fn parties_of(
    services: &Services,
    subscription: &SubscriptionRow,
) -> Result<Parties, ServiceError> {
    let organization = services
        .store
        .organization(&subscription.organization_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let purchaser = services
        .store
        .user_by_id(&subscription.purchaser_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Parties {
        seller: services.seller.name.clone(),
        organization: organization.name,
        country: organization.country.map(|c| c.to_string()),
        purchaser_name: purchaser.name,
        purchaser_email: purchaser.email,
    })
}

/// Pays an open or past-due bill with `new_card_token` (which becomes the card on file) or
/// the card on file. A suspended or past-due subscription is active again once nothing is
/// unpaid. `idempotency`, if the request has a key, is tied to the payment's order.
pub async fn pay(
    services: &Services,
    caller: &Caller,
    invoice_id: &str,
    new_card_token: Option<&str>,
    idempotency: Option<(&str, &str)>,
) -> Result<Invoice, ServiceError> {
    let now = services.clock.now();
    let (invoice, subscription) = owned(services, caller, invoice_id).await?;
    if invoice.status == InvoiceStatus::Void {
        return Err(ServiceError::Conflict(Conflict::BillVoid));
    }
    if !is_payable(invoice.status) {
        return Err(ServiceError::Conflict(Conflict::BillAlreadyPaid));
    }
    let source = match new_card_token {
        Some(token) => super::checkout::new_card(services, token).await?,
        None => PaymentSource::SavedCard(
            subscription
                .payment_method_id
                .clone()
                .ok_or(ServiceError::Payment(PaymentFailure::NoCardOnFile))?,
        ),
    };
    let order = OrderRow {
        subtotal: invoice.subtotal,
        tax: invoice.tax,
        amount: invoice.total,
        currency: invoice.currency,
        period_start: invoice.period_start,
        period_end: invoice.period_end,
        invoice_id: Some(invoice.id.clone()),
        ..order_for(&subscription, OrderKind::InvoicePayment, Some(source), now)
    };
    // Without a key, the one-payment-in-flight rule and the unpaid check under the bill's lock
    // still prevent paying twice.
    if !services
        .store
        .insert_invoice_payment(&order, idempotency)
        .await?
    {
        return Err(ServiceError::Conflict(Conflict::BillPaidOrPaying));
    }
    if let Settled::Failed(failure) = settle(services, &order, &caller.actor, now).await? {
        return Err(ServiceError::Payment(failure));
    }
    services
        .store
        .invoice(&invoice.id)
        .await?
        .ok_or(ServiceError::NotFound)
}
