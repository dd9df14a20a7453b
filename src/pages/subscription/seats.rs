//! Changing the number of licences: more now (charged prorated to the card on file), fewer
//! from the next renewal. The price is the server's quote, shown before confirming.

use super::{failure_text, use_subscription};
use crate::api;
use crate::format;
use crate::i18n::{Msg, fill, t};
use crate::storage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::manage::{Effective, SeatChangeQuote, SeatChangeRequest};
use selfserve_api::product::{SeatCount, SeatLimits};

#[component]
pub fn Seats() -> impl IntoView {
    let ctx = use_subscription();
    let current = move || {
        ctx.subscription
            .with(|s| s.as_ref().map_or(1, |s| s.quantity))
    };
    let text = RwSignal::new(current().to_string());
    let quote = RwSignal::new(None::<SeatChangeQuote>);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // One key per attempt, kept for a retry after a network error so nothing is bought twice.
    let attempt = StoredValue::new(None::<(u32, String)>);
    let limits = SeatLimits { min: 1, max: 2500 };

    let changed = move |value: String| {
        text.set(value.clone());
        quote.set(None);
        match SeatCount::parse(&value, limits) {
            Ok(seats) if seats.get() != current() => {
                error.set(None);
                let wanted = seats.get();
                spawn_local(async move {
                    match api::quote_seats(&ctx.id.get_value(), wanted).await {
                        Ok(q) if text.get_untracked().trim() == wanted.to_string() => {
                            quote.set(Some(q))
                        }
                        Ok(_) => {}
                        Err(failure) => error.set(Some(failure_text(&failure))),
                    }
                });
            }
            Ok(_) => error.set(None),
            Err(reason) => error.set(Some(reason.to_string())),
        }
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(q) = quote.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        let key = match attempt.get_value() {
            Some((quantity, key)) if quantity == q.quantity => key,
            _ => {
                let key = storage::random_key();
                attempt.set_value(Some((q.quantity, key.clone())));
                key
            }
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let request = SeatChangeRequest {
                quantity: i64::from(q.quantity),
                payment_token: None,
            };
            let result = api::change_seats(&ctx.id.get_value(), &request, &key).await;
            pending.set(false);
            match result {
                Ok(sub) => {
                    attempt.set_value(None);
                    quote.set(None);
                    text.set(sub.quantity.to_string());
                    let message = match q.effective {
                        Effective::Now => fill(t(Msg::SeatsAdded), &[&q.quantity.to_string()]),
                        Effective::Renewal => {
                            fill(t(Msg::SeatsReduced), &[&q.quantity.to_string()])
                        }
                    };
                    ctx.updated(sub, message);
                }
                // No answer, or the server failed: the outcome is unknown, so the retry keeps
                // the key and cannot buy twice.
                Err(failure) if failure.status().is_none_or(|status| status >= 500) => {
                    error.set(Some(t(Msg::PaymentUnconfirmed).to_owned()));
                }
                Err(failure) => {
                    attempt.set_value(None);
                    error.set(Some(failure_text(&failure)));
                }
            }
        });
    };

    view! {
        <section class="section" aria-labelledby="seats-heading">
            <h2 id="seats-heading">{t(Msg::NumberOfLicences)}</h2>
            <form novalidate on:submit=confirm data-testid="seats-change">
                <div class="field" class:field-invalid=move || error.read().is_some()>
                    <label for="seats-quantity">{t(Msg::NewNumberOfLicences)}</label>
                    <p class="hint" id="seats-quantity-hint">{t(Msg::SeatsChangeHint)}</p>
                    {move || error.get().map(|message| view! {
                        <p class="field-error" id="seats-quantity-error" role="alert">{message}</p>
                    })}
                    <input id="seats-quantity" type="text" inputmode="numeric" class="input-short"
                        prop:value=move || text.get()
                        on:input:target=move |ev| changed(ev.target().value())
                        aria-describedby=move || if error.read().is_some() { "seats-quantity-hint seats-quantity-error" } else { "seats-quantity-hint" }
                        data-testid="seats-quantity" />
                </div>
                {move || quote.get().map(|q| {
                    let money = move |amount: i64| format::money(amount, q.currency, None);
                    let date = format::date(q.period_end, None);
                    let (explain, button) = match q.effective {
                        Effective::Now => (
                            fill(t(Msg::SeatsIncreaseExplain), &[
                                &(q.quantity - q.current_quantity).to_string(), &money(q.total), &date, &money(q.next_renewal_total),
                            ]),
                            fill(t(Msg::PayAmount), &[&money(q.total)]),
                        ),
                        Effective::Renewal => (
                            fill(t(Msg::SeatsDecreaseExplain), &[&q.quantity.to_string(), &date, &money(q.next_renewal_total)]),
                            t(Msg::ScheduleReduction).to_owned(),
                        ),
                    };
                    view! {
                        <p class="quote" data-testid="seats-quote">{explain}</p>
                        <button type="submit" class="button" data-testid="seats-confirm"
                            aria-disabled=move || pending.get().then_some("true")>
                            {move || if pending.get() { t(Msg::Paying).to_owned() } else { button.clone() }}
                        </button>
                    }
                })}
            </form>
        </section>
    }
}
