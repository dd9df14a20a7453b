//! Changing the number of licences: more now (charged prorated to the card on file or a new
//! one), fewer from the next renewal. The price is the server's quote, shown before confirming.

use super::use_subscription;
use crate::api::{self, ApiFailure};
use crate::components::card_form::CardForm;
use crate::components::error_panel::failure_text;
use crate::components::loaded::Query;
use crate::components::mutation::Mutation;
use crate::components::three_d_secure::ThreeDSecureDialog;
use crate::format;
use crate::i18n::{Msg, fill, plural, t};
use crate::storage;
use leptos::prelude::*;
use selfserve_api::ErrorCode;
use selfserve_api::card::CardToken;
use selfserve_api::error::NextAction;
use selfserve_api::manage::{Effective, SeatChangeRequest};
use selfserve_api::product::SeatCount;

#[component]
pub fn Seats() -> impl IntoView {
    let ctx = use_subscription();
    let id = ctx.id();
    let current = move || ctx.subscription.with(|s| s.quantity);
    let card_on_file = move || {
        ctx.subscription.with(|s| {
            s.payment_method
                .as_ref()
                .map(|c| format::card(c.brand, &c.last4, c.exp_month, c.exp_year))
        })
    };
    let limits = ctx.subscription.with_untracked(|s| s.product.seat_limits());
    let text = RwSignal::new(current().to_string());
    // The quantity as typed: a number of seats, or why it is not one.
    let typed = Memo::new(move |_| text.with(|t| SeatCount::parse(t, limits).map(SeatCount::get)));
    // A quantity other than today's is priced by the server before anything is confirmed.
    let wanted = Memo::new(move |_| typed.get().ok().filter(|&n| n != current()));
    let priced = Query::new(move || {
        let (quantity, id) = (wanted.get(), id.clone());
        async move {
            match quantity {
                Some(quantity) => api::quote_seats(&id, quantity).await.map(Some),
                None => Ok(None),
            }
        }
    });
    // Only the price of the quantity typed now: while a new one is asked for, there is none.
    let quote = Memo::new(move |_| {
        let wanted = wanted.get()?;
        priced.with(|answer| match answer {
            Some(Ok(Some(q))) if q.quantity == wanted => Some(q.clone()),
            _ => None,
        })
    });
    // One key per attempt, kept for a retry after a network error so nothing is bought twice.
    let attempt = StoredValue::new(None::<(u32, String)>);
    let chose_new_card = RwSignal::new(false);
    // Without a card on file, a new card is the only way to pay.
    let new_card = move || chose_new_card.get() || card_on_file().is_none();
    // The new card's token, kept for the retry after its bank's 3-D Secure challenge.
    let new_card_token = StoredValue::new(None::<String>);
    let challenge = RwSignal::new(None::<NextAction>);

    // Pays with the card on file (`None`) or a new card's token.
    let change = Mutation::new(move |payment_token: &Option<String>| {
        let payment_token = payment_token.clone();
        let q = quote.get_untracked();
        let key = q.as_ref().map(|q| match attempt.get_value() {
            Some((quantity, key)) if quantity == q.quantity => key,
            _ => {
                let key = storage::random_key();
                attempt.set_value(Some((q.quantity, key.clone())));
                key
            }
        });
        let id = ctx.id();
        async move {
            let (Some(q), Some(key)) = (q, key) else {
                return Ok(());
            };
            let request = SeatChangeRequest {
                quantity: i64::from(q.quantity),
                payment_token,
            };
            match api::change_seats(&id, &request, &key).await {
                Ok(sub) => {
                    attempt.set_value(None);
                    new_card_token.set_value(None);
                    chose_new_card.set(false);
                    let message = match q.effective {
                        Effective::Now => fill(
                            plural(Msg::SeatsAddedOne, Msg::SeatsAdded, u64::from(q.quantity)),
                            &[&q.quantity.to_string()],
                        ),
                        Effective::Renewal => fill(
                            plural(
                                Msg::SeatsReducedOne,
                                Msg::SeatsReduced,
                                u64::from(q.quantity),
                            ),
                            &[&q.quantity.to_string()],
                        ),
                    };
                    let quantity = sub.quantity.to_string();
                    // The new quantity first, so the field showing it asks for no price.
                    ctx.updated(sub, message);
                    text.set(quantity);
                    Ok(())
                }
                // No answer, or the server failed: the outcome is unknown, so the retry keeps
                // the key and cannot buy twice.
                Err(failure) if unconfirmed(&failure) => Err(failure),
                // The new card's bank asks the buyer to confirm; paying again (a new key: this
                // one has its answer) completes it or brings back the refusal.
                Err(ApiFailure::Api { error: body, .. })
                    if body.code == ErrorCode::AuthenticationRequired =>
                {
                    attempt.set_value(None);
                    challenge.set(body.next_action);
                    Ok(())
                }
                Err(failure) => {
                    attempt.set_value(None);
                    new_card_token.set_value(None);
                    Err(failure)
                }
            }
        }
    });
    let pending = change.pending();
    let paying_now =
        move || quote.with(|q| q.as_ref().is_some_and(|q| q.effective == Effective::Now));
    // The last attempt's failure: whether its outcome is unknown, and in words.
    let failed = move || {
        if pending.get() {
            return None;
        }
        change.with_value(|last| match last {
            Some(Err(failure)) => Some((unconfirmed(failure), failure_text(failure))),
            _ => None,
        })
    };
    let with_new_card = move || paying_now() && new_card();
    // "Change" pressed with today's number: said at the field, not silently ignored.
    let unchanged = RwSignal::new(false);
    // A refusal of a new card is shown with that card's form; everything else at the quantity.
    let error = Memo::new(move |_| match typed.get() {
        Err(reason) => Some(reason.to_string()),
        Ok(_) if unchanged.get() => Some(fill(
            plural(
                Msg::SeatsUnchangedOne,
                Msg::SeatsUnchanged,
                u64::from(current()),
            ),
            &[&current().to_string()],
        )),
        Ok(_) => priced
            .with(|answer| match answer {
                Some(Err(failure)) if wanted.get().is_some() => Some(failure_text(failure)),
                _ => None,
            })
            .or_else(|| match failed() {
                Some((true, _)) => Some(t(Msg::PaymentUnconfirmed).to_owned()),
                Some((false, text)) if !with_new_card() => Some(text),
                _ => None,
            }),
    });
    let card_error = move || match failed() {
        Some((false, text)) if with_new_card() => Some(text),
        _ => None,
    };
    let changed = move |value: String| {
        change.clear();
        unchanged.set(false);
        text.set(value);
    };
    let submit = Callback::new(move |payment_token: Option<String>| {
        if quote.read_untracked().is_some() && !pending.get_untracked() {
            change.dispatch(payment_token);
        }
    });
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Enter in the quantity field must not pay with the card on file once a new card
        // was chosen: that card's own form pays.
        if typed.get_untracked().is_ok_and(|n| n == current()) {
            change.clear();
            unchanged.set(true);
            focus_quantity();
        } else if !with_new_card() {
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
    let button_text = move || {
        if pending.get() {
            return t(Msg::Paying).to_owned();
        }
        match quote.get() {
            Some(q) if q.effective == Effective::Now => fill(
                t(Msg::PayAmount),
                &[&format::money(q.total, q.currency, None)],
            ),
            Some(_) => t(Msg::ScheduleReduction).to_owned(),
            None => t(Msg::ChangeLicences).to_owned(),
        }
    };
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
                        aria-invalid=move || error.read().is_some().then_some("true")
                        aria-describedby=move || if error.read().is_some() { "seats-quantity-hint seats-quantity-error" } else { "seats-quantity-hint" }
                        data-testid="seats-quantity" />
                </div>
                {move || quote.get().map(|q| {
                    let money = move |amount: i64| format::money(amount, q.currency, None);
                    let date = format::date(q.period_end, None);
                    let explain = match q.effective {
                        Effective::Now => fill(plural(Msg::SeatsIncreaseExplainOne, Msg::SeatsIncreaseExplain, u64::from(q.quantity.saturating_sub(q.current_quantity))), &[
                            &(q.quantity - q.current_quantity).to_string(), &money(q.total), &date, &money(q.next_renewal_total),
                        ]),
                        Effective::Renewal => fill(plural(Msg::SeatsDecreaseExplainOne, Msg::SeatsDecreaseExplain, u64::from(q.quantity)), &[&q.quantity.to_string(), &date, &money(q.next_renewal_total)]),
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
                                    <span>{fill(t(Msg::CardOnFile), &[&card_on_file().unwrap_or_default()])}</span>
                                </label>
                                <label class="choice">
                                    <input type="radio" name="seats-card" value="new" data-testid="seats-new-card"
                                        prop:checked=move || chose_new_card.get()
                                        on:change=move |_| chose_new_card.set(true) />
                                    <span>{t(Msg::ANewCard)}</span>
                                </label>
                            </fieldset>
                        })}
                    }
                })}
                // Always there: with today's number it says so at the field; a new card chosen
                // for paying now has its own form's button instead.
                {move || (!with_new_card()).then(|| view! {
                    <button type="submit" class="button" data-testid="seats-confirm"
                        aria-disabled=move || pending.get().then_some("true")>
                        {button_text}
                    </button>
                })}
            </form>
            // Outside the quantity's form: the card form is a form of its own.
            {move || (paying_now() && new_card()).then(|| view! {
                <div class="new-card" data-testid="seats-card-form">
                    {move || card_error().map(|message| view! {
                        <p class="field-error" role="alert" data-testid="seats-card-error">{message}</p>
                    })}
                    <CardForm on_tokenized submit_label=t(Msg::PayWithThisCard) />
                    {move || pending.get().then(|| view! { <p class="hint" role="status">{t(Msg::Paying)}</p> })}
                </div>
            })}
            <ThreeDSecureDialog challenge amount=total_text on_answered />
        </section>
    }
}

/// Back to the quantity, whose error says what to do.
fn focus_quantity() {
    if let Some(field) = document().get_element_by_id("seats-quantity") {
        let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&field).focus();
    }
}

/// No answer, or the server failed: whether the change was made is not known.
fn unconfirmed(failure: &ApiFailure) -> bool {
    failure.status().is_none_or(|status| status >= 500)
}
