//! The order summary beside every step: product, price per licence, licences, tax, total, and
//! when it renews. Before sign-in it shows the list price for the browser's market; after,
//! the server's quote for the organisation, which is exactly what will be charged.

use super::use_checkout;
use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;

#[component]
pub fn OrderSummary() -> impl IntoView {
    let ctx = use_checkout();
    let name = move || ctx.listing.with(|l| l.as_ref().map(|p| p.name.clone()));
    view! {
        <div class="summary panel" data-testid="order-summary" aria-busy=move || ctx.quoting.get().then_some("true")>
            <h2 class="summary-title">{t(Msg::OrderSummary)}</h2>
            <p class="summary-product">{name}</p>
            {move || match ctx.quote.get() {
                Some(quote) => {
                    let money = move |amount: i64| format::money(amount, quote.currency, None);
                    view! {
                        <dl class="summary-lines">
                            <div><dt>{t(Msg::PricePerLicence)}</dt><dd data-testid="summary-unit">{money(quote.unit_amount)}</dd></div>
                            <div><dt>{t(Msg::Licences)}</dt><dd data-testid="summary-quantity">{quote.quantity}</dd></div>
                            <div><dt>{t(Msg::Subtotal)}</dt><dd>{money(quote.subtotal)}</dd></div>
                            <div><dt>{fill(t(Msg::TaxAt), &[&format::percent_from_bps(quote.tax_rate_bps)])}</dt><dd data-testid="summary-tax">{money(quote.tax)}</dd></div>
                            <div class="summary-total"><dt>{t(Msg::TotalToday)}</dt><dd data-testid="summary-total">{money(quote.total)}</dd></div>
                        </dl>
                        <p class="fine-print" data-testid="summary-renewal">
                            {fill(t(Msg::RenewsOn), &[&format::date(quote.period_end, None)])}
                        </p>
                    }.into_any()
                }
                None => {
                    let listed = ctx.listing.get();
                    let quantity = ctx.state.with(|s| s.quantity);
                    view! {
                        <dl class="summary-lines">
                            {listed.map(|p| view! {
                                <div>
                                    <dt>{t(Msg::PricePerLicence)}</dt>
                                    <dd data-testid="summary-unit">{format::money(p.unit_amount, p.currency, None)}</dd>
                                </div>
                            })}
                            <div><dt>{t(Msg::Licences)}</dt><dd data-testid="summary-quantity">{quantity}</dd></div>
                        </dl>
                        <p class="fine-print">{t(Msg::PriceAfterSignIn)}</p>
                    }.into_any()
                }
            }}
        </div>
    }
}
