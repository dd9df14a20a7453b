//! Changing the number of licences: more now (charged prorated to the card on file or a new
//! one), fewer from the next renewal. The price is the server's quote, shown before confirming.

use super::{failure_text, use_subscription};
use crate::api::{self, ApiFailure};
use crate::components::card_form::CardForm;
use crate::components::three_d_secure::ThreeDSecureDialog;
use crate::format;
use crate::i18n::{Msg, fill, t};
use crate::storage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::ErrorCode;
use selfserve_api::card::CardToken;
use selfserve_api::manage::{Effective, SeatChangeQuote, SeatChangeRequest};
use selfserve_api::product::{SeatCount, SeatLimits};

#[component]
pub fn Seats() -> impl IntoView {
    let ctx = use_subscription();
    let current = move || {
        ctx.subscription
            .with(|s| s.as_ref().map_or(1, |s| s.quantity))
    };
    let card_on_file = move || {
        ctx.subscription.with(|s| {
            s.as_ref()
                .and_then(|s| s.payment_method.as_ref())
                .map(|c| format::card(c.brand, &c.last4, c.exp_month, c.exp_year))
        })
    };
    let text = RwSignal::new(current().to_string());
    let quote = RwSignal::new(None::<SeatChangeQuote>);
    let error = RwSignal::new(None::<String>);
    // A new card's refusal, shown with that card's form rather than at the quantity.
    let card_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // One key per attempt, kept for a retry after a network error so nothing is bought twice.
    let attempt = StoredValue::new(None::<(u32, String)>);
    let limits = move || {
        ctx.subscription
            .with_untracked(|s| s.as_ref().map(|s| s.product.seat_limits()))
            .unwrap_or(SeatLimits { min: 1, max: 2500 })
    };
    let chose_new_card = RwSignal::new(false);
    // Without a card on file, a new card is the only way to pay.
    let new_card = move || chose_new_card.get() || card_on_file().is_none();
    // The new card's token, kept for the retry after its bank's 3-D Secure challenge.
    let new_card_token = StoredValue::new(None::<String>);
    let challenge = RwSignal::new(None::<String>);

    let changed = move |value: String| {
        text.set(value.clone());
        quote.set(None);
        match SeatCount::parse(&value, limits()) {
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
    // Pays with the card on file (`None`) or a new card's token.
    let submit = Callback::new(move |payment_token: Option<String>| {
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
        card_error.set(None);
        let with_new_card = payment_token.is_some();
        spawn_local(async move {
            let request = SeatChangeRequest {
                quantity: i64::from(q.quantity),
                payment_token,
            };
            let result = api::change_seats(&ctx.id.get_value(), &request, &key).await;
            pending.set(false);
            match result {
                Ok(sub) => {
                    attempt.set_value(None);
                    new_card_token.set_value(None);
                    chose_new_card.set(false);
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
                // The new card's bank asks the buyer to confirm; paying again (a new key: this
                // one has its answer) completes it or brings back the refusal.
                Err(ApiFailure::Api { error: body, .. })
                    if body.code == ErrorCode::AuthenticationRequired =>
                {
                    attempt.set_value(None);
                    challenge.set(body.next_action.map(|action| action.url));
                }
                Err(failure) => {
                    attempt.set_value(None);
                    new_card_token.set_value(None);
                    let shown = if with_new_card { card_error } else { error };
                    shown.set(Some(failure_text(&failure)));
                }
            }
        });
    });
    let paying_now = move || {
        quote
            .read()
            .as_ref()
            .is_some_and(|q| q.effective == Effective::Now)
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Enter in the quantity field must not pay with the card on file once a new card
        // was chosen: that card's own form pays.
        if !(paying_now() && new_card()) {
            submit.run(None);
        }
    };
    let on_tokenized = Callback::new(move |card: CardToken| {
        new_card_token.set_value(Some(card.token.clone()));
        submit.run(Some(card.token));
    });
    let on_answered = Callback::new(move |_approved: bool| {
        if let Some(token) = new_card_token.get_value() {
            submit.run(Some(token));
        }
    });
    let total_text = Signal::derive(move || {
        quote
            .get()
            .map(|q| format::money(q.total, q.currency, None))
            .unwrap_or_default()
    });

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
                    let now = q.effective == Effective::Now;
                    view! {
                        <p class="quote" data-testid="seats-quote">{explain}</p>
                        {move || (now && card_on_file().is_some()).then(|| view! {
                            <fieldset class="field choices" data-testid="seats-card-choice">
                                <legend>{t(Msg::PayWith)}</legend>
                                <label class="choice">
                                    <input type="radio" name="seats-card" value="on-file"
                                        prop:checked=move || !chose_new_card.get()
                                        on:change=move |_| chose_new_card.set(false) />
                                    {fill(t(Msg::CardOnFile), &[&card_on_file().unwrap_or_default()])}
                                </label>
                                <label class="choice">
                                    <input type="radio" name="seats-card" value="new" data-testid="seats-new-card"
                                        prop:checked=move || chose_new_card.get()
                                        on:change=move |_| chose_new_card.set(true) />
                                    {t(Msg::ANewCard)}
                                </label>
                            </fieldset>
                        })}
                        {move || (!now || !new_card()).then(|| {
                            let button = button.clone();
                            view! {
                                <button type="submit" class="button" data-testid="seats-confirm"
                                    aria-disabled=move || pending.get().then_some("true")>
                                    {move || if pending.get() { t(Msg::Paying).to_owned() } else { button.clone() }}
                                </button>
                            }
                        })}
                    }
                })}
            </form>
            // Outside the quantity's form: the card form is a form of its own.
            {move || (paying_now() && new_card()).then(|| view! {
                <div class="new-card" data-testid="seats-card-form">
                    {move || card_error.get().map(|message| view! {
                        <p class="field-error" role="alert" data-testid="seats-card-error">{message}</p>
                    })}
                    <CardForm gateway_url=ctx.gateway_url.into() on_tokenized submit_label=t(Msg::PayWithThisCard) />
                    {move || pending.get().then(|| view! { <p class="hint" role="status">{t(Msg::Paying)}</p> })}
                </div>
            })}
            <ThreeDSecureDialog challenge amount=total_text on_answered />
        </section>
    }
}
