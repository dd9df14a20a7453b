//! `/invoices/{id}`: one bill as an invoice a person can print: seller, organisation and
//! purchaser, number, dates, lines, tax, total and status, and a print button (the print
//! stylesheet in `style/main.css` leaves the app's header and buttons out).

use crate::api;
use crate::components::card_mark::CardLabel;
use crate::components::loaded::{Loaded, Query};
use crate::components::sign_in_gate::SignInGate;
use crate::config::use_config;
use crate::format;
use crate::i18n::{Language, Msg, current_language, t};
use crate::pages::subscription::bills::invoice_status;
use crate::session::use_session;
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
    let session = use_session();
    let config = use_config();
    // The purchaser and product are the subscription's: read with the bill, shown together.
    let invoice = Query::new(move || {
        let id = params.read().get("id").unwrap_or_default();
        async move {
            let bill = api::invoice(&id).await?;
            let subscription = api::subscription(&bill.subscription_id, Some(0)).await?;
            Ok((bill, subscription))
        }
    });
    view! {
        <section class="page page-narrow" aria-labelledby="invoice-heading">
            <Loaded read=invoice view=move |(bill, subscription)| {
                let money = move |amount: i64| format::money(amount, bill.currency, None);
                let organization = session.with_user(|user| user.map(|u| u.organization.name.clone()));
                view! {
                    <p class="no-print"><A href=format!("/manage/{}", bill.subscription_id)>{t(Msg::BackToSubscription)}</A></p>
                    <h1 id="invoice-heading">{format!("{} {}", t(Msg::Invoice), bill.number)}</h1>
                    <div class="invoice-parties">
                        // The seller only when the deployment names one (`--seller-name`).
                        {move || config.and_then(|c| c.seller().name).map(|name| view! {
                            <div>
                                <h2 class="invoice-party-heading">{t(Msg::InvoiceSeller)}</h2>
                                <p data-testid="invoice-seller">{name}</p>
                            </div>
                        })}
                        <div>
                            <h2 class="invoice-party-heading">{t(Msg::InvoiceBilledTo)}</h2>
                            <p data-testid="invoice-billed-to">
                                {organization.map(|name| view! { <strong>{name}</strong><br /> })}
                                {subscription.purchaser.name.clone()}<br />
                                {subscription.purchaser.email.clone()}
                            </p>
                        </div>
                    </div>
                    <dl class="facts" data-testid="invoice-facts">
                        <div><dt>{t(Msg::Status)}</dt><dd data-testid="invoice-status">{invoice_status(bill.status)}</dd></div>
                        <div><dt>{t(Msg::InvoiceProduct)}</dt><dd>{subscription.product_name.clone()}</dd></div>
                        <div><dt>{t(Msg::Date)}</dt><dd>{format::date(bill.created, None)}</dd></div>
                        {bill.paid_at.map(|paid| view! {
                            <div><dt>{t(Msg::InvoicePaidOn)}</dt><dd>{format::date(paid, None)}</dd></div>
                        })}
                        <div><dt>{t(Msg::Period)}</dt><dd>{format!("{} – {}", format::date(bill.period_start, None), format::date(bill.period_end, None))}</dd></div>
                        {bill.card.clone().map(|c| view! {
                            <div><dt>{t(Msg::PaymentMethod)}</dt><dd><CardLabel brand=c.brand last4=c.last4 /></dd></div>
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
                                {(bill.amount_refunded > 0).then(|| view! {
                                    <tr><th scope="row" colspan="2">{t(Msg::InvoiceRefunded)}</th><td class="numeric">{money(bill.amount_refunded)}</td></tr>
                                })}
                            </tfoot>
                        </table>
                    </div>
                    <p class="no-print">
                        <button type="button" class="button" data-testid="print-invoice"
                            on:click=move |_| {
                                if let Some(window) = web_sys::window() {
                                    // Nothing to tell when the browser refuses to print.
                                    let _ = window.print();
                                }
                            }>
                            {t(Msg::PrintInvoice)}
                        </button>
                        " "
                        // The server's PDF (a download, not a route of the app).
                        <a class="button button-secondary" data-testid="download-invoice-pdf"
                            href=pdf_href(&bill.id, current_language()) download="" rel="external">
                            {t(Msg::DownloadInvoicePdf)}
                        </a>
                    </p>
                }.into_any()
            } />
        </section>
    }
}

/// The PDF in the language chosen in the app: a link cannot set `Accept-Language`, which is
/// the browser's, so the choice travels as `?language=` (the server prefers it).
pub fn pdf_href(invoice: &str, language: Language) -> String {
    format!(
        "/api/v1/invoices/{invoice}/pdf?language={}",
        language.code()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_link_carries_the_chosen_language() {
        assert_eq!(
            pdf_href("in_1", Language::Dutch),
            "/api/v1/invoices/in_1/pdf?language=nl"
        );
        assert_eq!(
            pdf_href("in_1", Language::English),
            "/api/v1/invoices/in_1/pdf?language=en"
        );
    }
}
