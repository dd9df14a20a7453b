//! Bills: the list with a way to pay an unpaid one, and the banner when a payment failed.

use super::{SubscriptionContext, use_subscription};
use crate::api::{self, ApiFailure};
use crate::components::error_panel::{InlineError, failure_text};
use crate::components::loaded::Loaded;
use crate::components::mutation::Mutation;
use crate::format;
use crate::i18n::{Msg, fill, t};
use crate::storage;
use leptos::prelude::*;
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

/// "Refunded" when all of the bill was given back, "Refunded X" when part of it was; `None`
/// when nothing was.
pub fn refund_text(invoice: &Invoice) -> Option<String> {
    if invoice.amount_refunded <= 0 {
        None
    } else if invoice.amount_refunded >= invoice.total {
        Some(t(Msg::BillRefunded).to_owned())
    } else {
        Some(fill(
            t(Msg::BillRefundedPartly),
            &[&format::money(
                invoice.amount_refunded,
                invoice.currency,
                None,
            )],
        ))
    }
}

/// Still to be paid: open, or past its due date.
fn payable(invoice: &Invoice) -> bool {
    matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::PastDue)
}

/// Paying a bill with the card on file; on success the whole page is read again.
fn pay_action(ctx: SubscriptionContext) -> Mutation<Invoice, Result<Invoice, ApiFailure>> {
    Mutation::new(move |invoice: &Invoice| {
        // One key per attempt, kept until the server answers: a retry after a lost answer or a
        // server failure reuses it, so the bill cannot be paid twice.
        let slot = format!("selfserve.pay.{}", invoice.id);
        let key = storage::load::<String>(&slot).unwrap_or_else(|| {
            let key = storage::random_key();
            storage::save(&slot, &key);
            key
        });
        let id = invoice.id.clone();
        async move {
            let result = api::pay_invoice(&id, &PayInvoiceRequest::default(), &key).await;
            match &result {
                Ok(paid) => {
                    storage::remove(&slot);
                    ctx.flash.set(Some(fill(t(Msg::BillPaid), &[&paid.number])));
                    ctx.loaded.refetch();
                }
                Err(failure) if unconfirmed(failure) => {}
                Err(_) => storage::remove(&slot),
            }
            result
        }
    })
}

/// No answer, or the server failed: whether the bill was paid is not known.
fn unconfirmed(failure: &ApiFailure) -> bool {
    failure.status().is_none_or(|status| status >= 500)
}

/// What a failed payment says.
fn pay_failure(pay: Mutation<Invoice, Result<Invoice, ApiFailure>>) -> Signal<Option<String>> {
    let pending = pay.pending();
    Signal::derive(move || {
        if pending.get() {
            return None;
        }
        pay.with_value(|last| match last {
            Some(Err(failure)) if unconfirmed(failure) => {
                Some(t(Msg::PaymentUnconfirmed).to_owned())
            }
            Some(Err(failure)) => Some(format!(
                "{} {}",
                failure_text(failure),
                t(Msg::ReplaceCardHint)
            )),
            _ => None,
        })
    })
}

/// "Your payment failed: pay now" while past due or suspended.
#[component]
pub fn PaymentBanner() -> impl IntoView {
    let ctx = use_subscription();
    let pay = pay_action(ctx);
    let pending = pay.pending();
    let error = pay_failure(pay);
    move || {
        let status = ctx.subscription.with(|s| s.status);
        if !matches!(
            status,
            SubscriptionStatus::PastDue | SubscriptionStatus::Suspended
        ) {
            return None;
        }
        let text = if status == SubscriptionStatus::Suspended {
            t(Msg::SuspendedBanner)
        } else {
            t(Msg::PastDueBanner)
        };
        Some(view! {
            <div class="banner banner-error" role="alert" data-testid="payment-banner">
                <p>{text}</p>
                <InlineError message=error />
                {move || match ctx.bills.with(|answer| answer.map(|bills| match bills {
                    Ok(bills) => Ok(bills.iter().find(|b| payable(b)).cloned()),
                    Err(failure) => Err(failure_text(failure)),
                })) {
                    Some(Ok(unpaid)) => unpaid.map(|invoice| {
                        let amount = format::money(invoice.total, invoice.currency, None);
                        view! {
                            <button type="button" class="button" data-testid="pay-now"
                                aria-disabled=move || pending.get().then_some("true")
                                on:click=move |_| pay.submit(invoice.clone())>
                                {fill(t(Msg::PayNowAmount), &[&amount])}
                            </button>
                        }.into_any()
                    }),
                    Some(Err(text)) => Some(view! { <p class="field-error">{text}</p> }.into_any()),
                    None => None,
                }}
            </div>
        })
    }
}

#[component]
pub fn Bills() -> impl IntoView {
    let ctx = use_subscription();
    let pay = pay_action(ctx);
    let pending = pay.pending();
    view! {
        <section class="section" aria-labelledby="bills-heading">
            <h2 id="bills-heading">{t(Msg::Bills)}</h2>
            <InlineError message=pay_failure(pay) />
            <Loaded read=ctx.bills view=move |bills| if bills.is_empty() {
                view! { <p class="empty-state" data-testid="bills-empty">{t(Msg::NoBills)}</p> }.into_any()
            } else { view! {
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
                            {bills.into_iter().map(|bill| {
                                let unpaid = payable(&bill);
                                let target = bill.clone();
                                let refunded = refund_text(&bill);
                                view! {
                                    <tr data-testid="bill-row" data-status=bill.status.as_str()>
                                        <th scope="row"><A href=format!("/invoices/{}", bill.id)>{bill.number.clone()}</A></th>
                                        <td>{format::date(bill.created, None)}</td>
                                        <td>{format!("{} – {}", format::date(bill.period_start, None), format::date(bill.period_end, None))}</td>
                                        <td class="numeric">{format::money(bill.total, bill.currency, None)}</td>
                                        <td>
                                            {invoice_status(bill.status)}
                                            {refunded.map(|text| view! {
                                                <br/><span class="muted" data-testid="bill-refunded">{text}</span>
                                            })}
                                        </td>
                                        <td class="numeric">
                                            {unpaid.then(|| view! {
                                                <button type="button" class="link-button" data-testid="pay-bill"
                                                    aria-disabled=move || pending.get().then_some("true")
                                                    on:click=move |_| pay.submit(target.clone())>{t(Msg::PayNow)}</button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any() } />
        </section>
    }
}
