//! `/confirmation/{subscription}`: a receipt — what was bought, the invoice's number, date and
//! amounts, the card charged, when it renews, a link to the printable invoice, and where to
//! manage it.

use crate::api;
use crate::components::card_mark::CardLabel;
use crate::components::loaded::{Loaded, Query};
use crate::components::price;
use crate::format;
use crate::i18n::{Msg, fill, plural, t};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use selfserve_api::subscription::Subscription;

#[component]
pub fn ConfirmationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let subscription = Query::new(move || {
        let id = id();
        async move { api::subscription(&id, None).await }
    });
    view! {
        <section class="page page-narrow" aria-labelledby="confirmation-heading">
            <Loaded read=subscription view=move |sub| view! { <Receipt sub /> }.into_any() />
        </section>
    }
}

/// The receipt of a subscription just bought, from the subscription as the server returns it
/// (its latest invoice is the purchase's).
#[component]
pub fn Receipt(sub: Subscription) -> impl IntoView {
    let money = move |amount: i64| format::money(amount, sub.currency, None);
    let seats = fill(
        t(Msg::SeatsAssignedOf),
        &[
            &format::count(sub.assigned_count.into()),
            &format::count(sub.quantity.into()),
        ],
    );
    let assigned = sub
        .assigned_users
        .iter()
        .map(|u| u.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    // The card charged for this bill, else the card on file.
    let card = sub
        .latest_invoice
        .as_ref()
        .and_then(|i| i.card.clone())
        .or_else(|| sub.payment_method.clone());
    let trial = price::trial_text(&sub);
    // A trial ends by itself: it has no renewal to state.
    let renews = trial.is_none();
    let renewal = fill(
        t(Msg::RenewsMonthlyOn),
        &[&format::date(sub.current_period_end, None)],
    );
    let line = fill(
        plural(
            Msg::SummaryListPriceOne,
            Msg::SummaryListPriceOther,
            u64::from(sub.quantity),
        ),
        &[&sub.quantity.to_string(), &money(sub.unit_amount)],
    );
    view! {
        <div class="confirmation-banner" role="status" data-testid="confirmation">
            <h1 id="confirmation-heading" tabindex="-1">{t(Msg::ConfirmationHeading)}</h1>
            <p>{fill(t(Msg::ConfirmationBody), &[&sub.product_name])}</p>
        </div>
        <div class="panel" data-testid="receipt">
            <h2>{t(Msg::Receipt)}</h2>
            <dl class="review-list">
                {sub.latest_invoice.as_ref().map(|invoice| view! {
                    <div><dt>{t(Msg::Invoice)}</dt><dd data-testid="confirmation-invoice">{format!("{} · {}", invoice.number, t(Msg::InvoicePaid))}</dd></div>
                    <div><dt>{t(Msg::Date)}</dt><dd data-testid="confirmation-date">{format::date(invoice.paid_at.unwrap_or(invoice.created), None)}</dd></div>
                })}
                <div><dt>{t(Msg::Product)}</dt><dd data-testid="confirmation-product">{sub.product_name.clone()}</dd></div>
                <div><dt>{t(Msg::Licences)}</dt><dd data-testid="confirmation-seats">{seats}</dd></div>
                <div><dt>{t(Msg::YourLicence)}</dt><dd data-testid="confirmation-assigned">{assigned}</dd></div>
                {match (trial, sub.latest_invoice.as_ref()) {
                    (Some(trial), _) => view! {
                        <div><dt>{t(Msg::PricePerLicence)}</dt><dd data-testid="confirmation-price">{trial}</dd></div>
                    }.into_any(),
                    (None, Some(invoice)) => view! {
                        <div><dt>{t(Msg::PricePerLicence)}</dt><dd data-testid="confirmation-line">{line}</dd></div>
                        <div><dt>{t(Msg::Subtotal)}</dt><dd data-testid="confirmation-subtotal">{money(invoice.subtotal)}</dd></div>
                        <div><dt>{t(Msg::Tax)}</dt><dd data-testid="confirmation-tax">{money(invoice.tax)}</dd></div>
                        <div class="receipt-total"><dt>{t(Msg::AmountPaid)}</dt><dd data-testid="confirmation-paid">{money(invoice.total)}</dd></div>
                    }.into_any(),
                    (None, None) => view! {
                        <div><dt>{t(Msg::PricePerLicence)}</dt><dd data-testid="confirmation-price">{money(sub.unit_amount)}</dd></div>
                    }.into_any(),
                }}
                {card.map(|card| view! {
                    <div><dt>{t(Msg::PaymentMethod)}</dt><dd data-testid="confirmation-card"><CardLabel brand=card.brand last4=card.last4 /></dd></div>
                })}
                {renews.then(|| view! {
                    <div><dt>{t(Msg::Renewal)}</dt><dd data-testid="confirmation-renewal">{renewal}</dd></div>
                })}
            </dl>
            <p class="actions">
                {sub.latest_invoice.as_ref().map(|invoice| view! {
                    <A href=format!("/invoices/{}", invoice.id) attr:class="button button-secondary" attr:data-testid="confirmation-invoice-link">{t(Msg::ViewInvoice)}</A>
                })}
                <A href=format!("/manage/{}", sub.id) attr:class="button" attr:data-testid="manage-link">{t(Msg::ManageSubscription)}</A>
                <A href="/" attr:class="button button-secondary">{t(Msg::BackToProducts)}</A>
            </p>
        </div>
    }
}
