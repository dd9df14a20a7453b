//! Bills: the list with a way to pay an unpaid one, and the banner when a payment failed.

use super::{failure_text, use_subscription};
use crate::api;
use crate::format;
use crate::i18n::{Msg, fill, t};
use crate::storage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use selfserve_api::manage::PayInvoiceRequest;
use selfserve_api::subscription::{Invoice, InvoiceStatus, SubscriptionStatus};

/// The text for an invoice status.
pub fn invoice_status(status: InvoiceStatus) -> &'static str {
    t(match status {
        InvoiceStatus::Paid => Msg::InvoiceStatusPaid,
        InvoiceStatus::Open => Msg::InvoiceStatusOpen,
        InvoiceStatus::PastDue => Msg::InvoiceStatusPastDue,
        InvoiceStatus::Void => Msg::InvoiceStatusVoid,
    })
}

/// Still to be paid: open, or past its due date.
fn payable(invoice: &Invoice) -> bool {
    matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::PastDue)
}

/// Pays `invoice` with the card on file, then reloads the page's data.
pub fn pay(
    ctx: super::SubscriptionContext,
    invoice: Invoice,
    pending: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) {
    pending.set(true);
    error.set(None);
    // One key per attempt, kept until the server answers: a retry after a lost answer or a
    // server failure reuses it, so the bill cannot be paid twice.
    let slot = format!("selfserve.pay.{}", invoice.id);
    let key = storage::load::<String>(&slot).unwrap_or_else(|| {
        let key = storage::random_key();
        storage::save(&slot, &key);
        key
    });
    spawn_local(async move {
        let result = api::pay_invoice(&invoice.id, &PayInvoiceRequest::default(), &key).await;
        pending.set(false);
        match result {
            Ok(paid) => {
                storage::remove(&slot);
                ctx.flash.set(Some(fill(t(Msg::BillPaid), &[&paid.number])));
                ctx.reload();
            }
            Err(failure) if failure.status().is_none_or(|status| status >= 500) => {
                error.set(Some(t(Msg::PaymentUnconfirmed).to_owned()));
            }
            Err(failure) => {
                storage::remove(&slot);
                error.set(Some(format!(
                    "{} {}",
                    failure_text(&failure),
                    t(Msg::ReplaceCardHint)
                )));
            }
        }
    });
}

/// "Your payment failed: pay now" while past due or suspended.
#[component]
pub fn PaymentBanner() -> impl IntoView {
    let ctx = use_subscription();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    move || {
        let status = ctx.subscription.with(|s| s.as_ref().map(|s| s.status))?;
        if !matches!(
            status,
            SubscriptionStatus::PastDue | SubscriptionStatus::Suspended
        ) {
            return None;
        }
        let unpaid = ctx
            .bills
            .with(|bills| bills.iter().find(|bill| payable(bill)).cloned());
        let text = if status == SubscriptionStatus::Suspended {
            t(Msg::SuspendedBanner)
        } else {
            t(Msg::PastDueBanner)
        };
        Some(view! {
            <div class="banner banner-error" role="alert" data-testid="payment-banner">
                <p>{text}</p>
                {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                {unpaid.map(|invoice| {
                    let amount = format::money(invoice.total, invoice.currency, None);
                    view! {
                        <button type="button" class="button" data-testid="pay-now"
                            aria-disabled=move || pending.get().then_some("true")
                            on:click=move |_| pay(ctx, invoice.clone(), pending, error)>
                            {fill(t(Msg::PayNowAmount), &[&amount])}
                        </button>
                    }
                })}
            </div>
        })
    }
}

#[component]
pub fn Bills() -> impl IntoView {
    let ctx = use_subscription();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="section" aria-labelledby="bills-heading">
            <h2 id="bills-heading">{t(Msg::Bills)}</h2>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <div class="table-wrap">
                <table class="data-table" data-testid="bills">
                    <caption class="visually-hidden">{t(Msg::Bills)}</caption>
                    <thead><tr>
                        <th scope="col">{t(Msg::Invoice)}</th>
                        <th scope="col">{t(Msg::Date)}</th>
                        <th scope="col">{t(Msg::Period)}</th>
                        <th scope="col" class="numeric">{t(Msg::Total)}</th>
                        <th scope="col">{t(Msg::Status)}</th>
                        <th scope="col"><span class="visually-hidden">{t(Msg::Actions)}</span></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || ctx.bills.get() key=|b| (b.id.clone(), b.status) let:bill>
                            {
                                let unpaid = payable(&bill);
                                let target = bill.clone();
                                view! {
                                    <tr data-testid="bill-row" data-status=bill.status.as_str()>
                                        <th scope="row"><A href=format!("/invoices/{}", bill.id)>{bill.number.clone()}</A></th>
                                        <td>{format::date(bill.created, None)}</td>
                                        <td>{format!("{} – {}", format::date(bill.period_start, None), format::date(bill.period_end, None))}</td>
                                        <td class="numeric">{format::money(bill.total, bill.currency, None)}</td>
                                        <td>{invoice_status(bill.status)}</td>
                                        <td class="numeric">
                                            {unpaid.then(|| view! {
                                                <button type="button" class="link-button" data-testid="pay-bill"
                                                    aria-disabled=move || pending.get().then_some("true")
                                                    on:click=move |_| pay(ctx, target.clone(), pending, error)>{t(Msg::PayNow)}</button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}
