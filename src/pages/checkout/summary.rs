//! The order summary beside every step: product, price per licence, licences, tax, total, and
//! when it renews. Before sign-in it shows the list price for the browser's market; after,
//! the server's quote for the organisation, which is exactly what will be charged.
//!
//! On a narrow screen the summary sits above the step, so in full it would push the step's
//! form below the fold: there it is one line (a button with the total, as Stripe's checkout
//! does) that opens the lines. Wide screens show the lines beside the step and no button.

use super::use_checkout;
use crate::components::loaded::Loaded;
use crate::format;
use crate::i18n::{Msg, fill, plural, t};
use leptos::prelude::*;
use selfserve_api::product::Product;

#[component]
pub fn OrderSummary() -> impl IntoView {
    let ctx = use_checkout();
    // Busy from a change of quantity until its price is in (or has failed).
    let busy = move || {
        let wanted = ctx
            .state
            .with(|s| s.signed_in_as.is_some().then_some(s.quantity));
        wanted.is_some_and(|quantity| {
            !ctx.quote.with(|answer| match answer {
                Some(Ok(Some(quote))) => quote.quantity == quantity,
                Some(Err(_)) => true,
                _ => false,
            })
        })
    };
    let open = RwSignal::new(false);
    view! {
        <div class="summary panel" data-testid="order-summary" aria-busy=move || busy().then_some("true")>
            <button
                type="button"
                class="summary-toggle"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="summary-details"
                data-testid="summary-toggle"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="summary-toggle-name">{t(Msg::OrderSummary)}</span>
                <span class="summary-toggle-total" data-testid="summary-toggle-total">{move || headline(ctx)}</span>
                <span class="summary-toggle-mark" aria-hidden="true"></span>
            </button>
            <div id="summary-details" class="summary-details" class:summary-open=move || open.get()>
                <h2 class="summary-title">{t(Msg::OrderSummary)}</h2>
                <Loaded read=ctx.listing view=move |listed| view! { <Lines listed /> }.into_any() />
            </div>
        </div>
    }
}

/// The one line the collapsed summary shows: the quoted total, or before a quote the
/// licences at the list price.
fn headline(ctx: super::CheckoutContext) -> String {
    if let Some(quote) = ctx.latest_quote() {
        return format::money(quote.total, quote.currency, None);
    }
    let quantity = ctx.state.with(|s| s.quantity);
    ctx.listing.with(|listed| {
        listed
            .and_then(Result::ok)
            .and_then(Option::as_ref)
            .map(|p| {
                fill(
                    plural(
                        Msg::SummaryListPriceOne,
                        Msg::SummaryListPriceOther,
                        u64::from(quantity),
                    ),
                    &[
                        &quantity.to_string(),
                        &format::money(p.unit_amount, p.currency, None),
                    ],
                )
            })
            .unwrap_or_default()
    })
}

#[component]
fn Lines(listed: Option<Product>) -> impl IntoView {
    let ctx = use_checkout();
    let name = listed.as_ref().map(|p| p.name.clone());
    let failure = move || ctx.quote.failure_text();
    view! {
        <p class="summary-product">{name}</p>
        {move || match ctx.latest_quote() {
            Some(quote) => {
                let money = move |amount: i64| format::money(amount, quote.currency, None);
                view! {
                    <dl class="summary-lines">
                        <div><dt>{t(Msg::PricePerLicence)}</dt><dd data-testid="summary-unit">{money(quote.unit_amount)}</dd></div>
                        <div><dt>{t(Msg::Licences)}</dt><dd data-testid="summary-quantity">{quote.quantity}</dd></div>
                        <div><dt>{t(Msg::Subtotal)}</dt><dd>{money(quote.subtotal)}</dd></div>
                        <div><dt>{fill(t(Msg::TaxAt), &[&format::percent(quote.tax_rate_bps)])}</dt><dd data-testid="summary-tax">{money(quote.tax)}</dd></div>
                        <div class="summary-total"><dt>{t(Msg::TotalToday)}</dt><dd data-testid="summary-total">{money(quote.total)}</dd></div>
                    </dl>
                    <p class="fine-print" data-testid="summary-renewal">
                        {fill(t(Msg::RenewsOn), &[&format::date(quote.period_end, None)])}
                    </p>
                }.into_any()
            }
            None => {
                let quantity = ctx.state.with(|s| s.quantity);
                view! {
                    <dl class="summary-lines">
                        {listed.clone().map(|p| view! {
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
        {move || failure().map(|text| view! { <p class="field-error" role="alert" data-testid="quote-error">{text}</p> })}
    }
}
