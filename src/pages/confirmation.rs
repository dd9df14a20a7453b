//! `/confirmation/{subscription}`: what was bought, what was paid, when it renews, and where to
//! manage it.

use crate::api;
use crate::components::loaded::{Loaded, Query};
use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ConfirmationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let subscription = Query::new(move || {
        let id = id();
        async move { api::subscription(&id).await }
    });
    view! {
        <section class="page page-narrow" aria-labelledby="confirmation-heading">
            <Loaded read=subscription view=move |sub| {
                let money = move |amount: i64| format::money(amount, sub.currency, None);
                let invoice = sub.latest_invoice.clone();
                let seats = fill(
                    t(Msg::SeatsAssignedOf),
                    &[&sub.assigned_users.len().to_string(), &sub.quantity.to_string()],
                );
                view! {
                    <div class="confirmation-banner" role="status" data-testid="confirmation">
                        <h1 id="confirmation-heading" tabindex="-1">{t(Msg::ConfirmationHeading)}</h1>
                        <p>{fill(t(Msg::ConfirmationBody), &[&sub.product_name])}</p>
                    </div>
                    <div class="panel">
                        <dl class="review-list">
                            <div><dt>{t(Msg::Product)}</dt><dd data-testid="confirmation-product">{sub.product_name.clone()}</dd></div>
                            <div><dt>{t(Msg::Licences)}</dt><dd data-testid="confirmation-seats">{seats}</dd></div>
                            <div><dt>{t(Msg::YourLicence)}</dt><dd data-testid="confirmation-assigned">{sub.assigned_users.iter().map(|u| u.name.clone()).collect::<Vec<_>>().join(", ")}</dd></div>
                            <div><dt>{t(Msg::PricePerLicence)}</dt><dd>{money(sub.unit_amount)}</dd></div>
                            {invoice.map(|invoice| view! {
                                <div><dt>{t(Msg::AmountPaid)}</dt><dd data-testid="confirmation-paid">{money(invoice.total)}</dd></div>
                                <div><dt>{t(Msg::Invoice)}</dt><dd data-testid="confirmation-invoice">{format!("{} · {}", invoice.number, t(Msg::InvoicePaid))}</dd></div>
                            })}
                            <div><dt>{t(Msg::Order)}</dt><dd data-testid="confirmation-order">{sub.orders.first().map(|o| o.id.clone())}</dd></div>
                            <div><dt>{t(Msg::Renewal)}</dt><dd data-testid="confirmation-renewal">{fill(t(Msg::RenewsMonthlyOn), &[&format::date(sub.current_period_end, None)])}</dd></div>
                            {sub.payment_method.map(|card| view! {
                                <div><dt>{t(Msg::PaymentMethod)}</dt><dd>{format::card_short(card.brand, &card.last4)}</dd></div>
                            })}
                        </dl>
                        <p class="actions">
                            <A href=format!("/manage/{}", sub.id) attr:class="button" attr:data-testid="manage-link">{t(Msg::ManageSubscription)}</A>
                            <A href="/" attr:class="button button-secondary">{t(Msg::BackToProducts)}</A>
                        </p>
                    </div>
                }.into_any()
            } />
        </section>
    }
}
