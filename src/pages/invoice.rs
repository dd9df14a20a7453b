//! `/invoices/{id}`: one bill with its lines, tax, total, status and period.

use crate::api;
use crate::components::loaded::{Loaded, Query};
use crate::components::sign_in_gate::SignInGate;
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::subscription::bills::invoice_status;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvoicePage() -> impl IntoView {
    view! {
        <SignInGate heading=t(Msg::Bills)>
            <InvoiceDetail />
        </SignInGate>
    }
}

#[component]
fn InvoiceDetail() -> impl IntoView {
    let params = use_params_map();
    let invoice = Query::new(move || {
        let id = params.read().get("id").unwrap_or_default();
        async move { api::invoice(&id).await }
    });
    view! {
        <section class="page page-narrow" aria-labelledby="invoice-heading">
            <Loaded read=invoice view=move |bill| {
                let money = move |amount: i64| format::money(amount, bill.currency, None);
                view! {
                    <p><A href=format!("/manage/{}", bill.subscription_id)>{t(Msg::BackToSubscription)}</A></p>
                    <h1 id="invoice-heading">{format!("{} {}", t(Msg::Invoice), bill.number)}</h1>
                    <dl class="facts" data-testid="invoice-facts">
                        <div><dt>{t(Msg::Status)}</dt><dd data-testid="invoice-status">{invoice_status(bill.status)}</dd></div>
                        <div><dt>{t(Msg::Date)}</dt><dd>{format::date(bill.created, None)}</dd></div>
                        <div><dt>{t(Msg::Period)}</dt><dd>{format!("{} – {}", format::date(bill.period_start, None), format::date(bill.period_end, None))}</dd></div>
                        {bill.card.clone().map(|c| view! {
                            <div><dt>{t(Msg::PaymentMethod)}</dt><dd>{format::card_short(c.brand, &c.last4)}</dd></div>
                        })}
                    </dl>
                    <div class="table-wrap">
                        <table class="data-table" data-testid="invoice-lines">
                            <thead><tr>
                                <th scope="col">{t(Msg::Description)}</th>
                                <th scope="col" class="numeric">{t(Msg::Licences)}</th>
                                <th scope="col" class="numeric">{t(Msg::Amount)}</th>
                            </tr></thead>
                            <tbody>
                                {bill.lines.iter().map(|line| view! {
                                    <tr>
                                        <th scope="row">{line.description.clone()}</th>
                                        <td class="numeric">{line.quantity}</td>
                                        <td class="numeric">{money(line.amount)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                            <tfoot>
                                <tr><th scope="row" colspan="2">{t(Msg::Subtotal)}</th><td class="numeric">{money(bill.subtotal)}</td></tr>
                                <tr><th scope="row" colspan="2">{t(Msg::Tax)}</th><td class="numeric">{money(bill.tax)}</td></tr>
                                <tr class="total-row"><th scope="row" colspan="2">{t(Msg::Total)}</th><td class="numeric" data-testid="invoice-total">{money(bill.total)}</td></tr>
                            </tfoot>
                        </table>
                    </div>
                }.into_any()
            } />
        </section>
    }
}
