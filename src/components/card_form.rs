//! The card form: live formatting by brand, brand detection, and the shared card rules of
//! `selfserve-api`; the details go to the gateway's origin and come back as a token.
//!
//! The number and CVC are never held in a signal or any other app state: they live in the
//! input elements only, are read once when the form is submitted, posted to the gateway, and
//! the inputs are cleared as soon as the token arrives.

use crate::api::{self, ApiFailure, CardProcessor};
use crate::components::card_mark::CardMark;
use crate::components::error_panel::failure_text;
use crate::components::mutation::Mutation;
use crate::components::stripe_card::StripeCardForm;
use crate::config::{Config, use_config};
use crate::i18n::{Msg, t};
use leptos::html;
use leptos::prelude::*;
use selfserve_api::ErrorCode;
use selfserve_api::card::{
    CardBrand, CardError, CardNumber, CardToken, Expiry, TokenRequest, format_expiry,
    format_number, validate_cvc,
};

#[derive(Debug, Clone, Default, PartialEq)]
struct CardErrors {
    name: Option<String>,
    number: Option<String>,
    exp: Option<String>,
    cvc: Option<String>,
    /// A problem with no field to blame (the gateway is unreachable).
    problem: Option<String>,
}

impl CardErrors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.number.is_some()
            || self.exp.is_some()
            || self.cvc.is_some()
            || self.problem.is_some()
    }

    /// Puts a gateway's refusal on the field it is about.
    fn from_failure(failure: &ApiFailure) -> Self {
        let mut found = Self::default();
        let message = failure.message().map(str::to_owned);
        match failure.code() {
            Some(ErrorCode::IncorrectNumber) => found.number = message,
            Some(ErrorCode::InvalidExpiryMonth | ErrorCode::InvalidExpiryYear) => {
                found.exp = message;
            }
            Some(ErrorCode::InvalidCvc) => found.cvc = message,
            _ => {
                found.problem = Some(match failure {
                    ApiFailure::Network => t(Msg::GatewayUnavailable).to_owned(),
                    other => failure_text(other),
                });
            }
        }
        found
    }
}

/// (year, month) today, in the browser's time zone.
fn this_month() -> (u32, u32) {
    let now = js_sys::Date::new_0();
    (now.get_full_year(), now.get_month() + 1)
}

/// The card step: Stripe's card Element when Stripe takes the card, our own form for the
/// built-in gateway (also while the configuration is unknown: it asks again on submit).
#[component]
pub fn CardForm(
    /// Receives the token (`tok_…`, or Stripe's `pm_…`) once the card was accepted.
    on_tokenized: Callback<CardToken>,
    /// The submit button's text.
    submit_label: &'static str,
    /// The cardholder's name as last typed, kept while the page lives (never stored): a
    /// declined card brings the buyer back to an empty number, not an empty name.
    #[prop(optional)]
    cardholder: Option<RwSignal<String>>,
) -> impl IntoView {
    let config = use_config();
    let cardholder = cardholder.unwrap_or_else(|| RwSignal::new(String::new()));
    move || match config.and_then(Config::processor) {
        Some(CardProcessor::Stripe(keys)) => {
            view! { <StripeCardForm keys on_tokenized submit_label /> }.into_any()
        }
        _ => view! { <BuiltinCardForm on_tokenized submit_label cardholder /> }.into_any(),
    }
}

/// A card form that turns card details into a gateway token.
#[component]
fn BuiltinCardForm(
    /// Receives the token once the gateway accepted the card.
    on_tokenized: Callback<CardToken>,
    /// The submit button's text.
    submit_label: &'static str,
    /// The name as last typed (see [`CardForm`]).
    cardholder: RwSignal<String>,
) -> impl IntoView {
    let config = use_config();
    let name_ref = NodeRef::<html::Input>::new();
    let number_ref = NodeRef::<html::Input>::new();
    let exp_ref = NodeRef::<html::Input>::new();
    let cvc_ref = NodeRef::<html::Input>::new();
    let summary_ref = NodeRef::<html::Div>::new();
    let brand = RwSignal::new(CardBrand::Unknown);
    let last_expiry = StoredValue::new(String::new());

    let on_number = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let formatted = format_number(&input.value());
        input.set_value(&formatted);
        brand.set(CardBrand::detect(&formatted));
    };
    let on_expiry = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let raw = input.value();
        // Deleting must not put back the separator it just removed.
        let deleting = raw.len() < last_expiry.get_value().len();
        let formatted = if deleting && !raw.ends_with(" / ") {
            raw.trim_end_matches([' ', '/']).to_owned()
        } else if deleting {
            raw
        } else {
            format_expiry(&raw)
        };
        input.set_value(&formatted);
        last_expiry.set_value(formatted);
    };

    // The action's input is nothing: the details are read from the inputs when it starts and
    // live only in its request, never in a signal.
    let tokenize = Mutation::new(move |_: &()| {
        let request = read_card(
            [name_ref, number_ref, exp_ref, cvc_ref],
            config.and_then(Config::gateway_url),
        );
        async move {
            let result = match request {
                Ok((gateway, request)) => api::tokenize(&gateway, &request)
                    .await
                    .map_err(|failure| CardErrors::from_failure(&failure)),
                Err(found) => Err(found),
            };
            match &result {
                Ok(token) => {
                    for input in [number_ref, cvc_ref] {
                        if let Some(input) = input.get_untracked() {
                            input.set_value("");
                        }
                    }
                    on_tokenized.run(token.clone());
                }
                Err(_) => focus_summary(summary_ref),
            }
            result
        }
    });
    let pending = tokenize.pending();
    let errors = Memo::new(move |_| match tokenize.with_value(|v| v.cloned()) {
        Some(Err(found)) => found,
        _ => CardErrors::default(),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tokenize.submit(());
    };

    let field_error = move |id: &'static str, pick: fn(&CardErrors) -> Option<String>| {
        move || {
            errors.with(pick).map(|message| {
                view! {
                    <p class="field-error" id=id>
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>
                        {message}
                    </p>
                }
            })
        }
    };
    let invalid = move |pick: fn(&CardErrors) -> Option<String>| {
        move || errors.with(|e| pick(e).is_some()).then_some("true")
    };
    let described =
        move |hint: &'static str, error: &'static str, pick: fn(&CardErrors) -> Option<String>| {
            move || {
                if errors.with(|e| pick(e).is_some()) {
                    format!("{hint} {error}")
                } else {
                    hint.to_owned()
                }
            }
        };

    view! {
        <form class="card-form" novalidate on:submit=submit data-testid="card-form">
            <div
                class="error-summary"
                role="alert"
                tabindex="-1"
                node_ref=summary_ref
                hidden=move || !errors.with(CardErrors::any)
                data-testid="card-errors"
            >
                <h2 class="error-summary-title">{t(Msg::ThereIsAProblem)}</h2>
                <ul>
                    {move || errors.get().problem.map(|p| view! { <li>{p}</li> })}
                    {move || errors.get().name.map(|e| view! { <li><a href="#card-name">{e}</a></li> })}
                    {move || errors.get().number.map(|e| view! { <li><a href="#card-number">{e}</a></li> })}
                    {move || errors.get().exp.map(|e| view! { <li><a href="#card-exp">{e}</a></li> })}
                    {move || errors.get().cvc.map(|e| view! { <li><a href="#card-cvc">{e}</a></li> })}
                </ul>
            </div>

            <div class="field" class:field-invalid=move || errors.read().name.is_some()>
                <label for="card-name">{t(Msg::CardName)}</label>
                {field_error("card-name-error", |e| e.name.clone())}
                <input
                    id="card-name"
                    name="cc-name"
                    type="text"
                    autocomplete="cc-name"
                    spellcheck="false"
                    node_ref=name_ref
                    prop:value=move || cardholder.get_untracked()
                    on:input:target=move |ev| cardholder.set(ev.target().value())
                    aria-invalid=invalid(|e| e.name.clone())
                    aria-describedby=move || errors.read().name.is_some().then_some("card-name-error")
                />
            </div>

            <div class="field" class:field-invalid=move || errors.read().number.is_some()>
                <label for="card-number">{t(Msg::CardNumber)}</label>
                <p class="hint" id="card-number-hint">{t(Msg::CardNumberHint)}</p>
                {field_error("card-number-error", |e| e.number.clone())}
                <div class="input-with-badge">
                    <input
                        id="card-number"
                        name="cc-number"
                        type="text"
                        inputmode="numeric"
                        autocomplete="cc-number"
                        spellcheck="false"
                        maxlength="23"
                        node_ref=number_ref
                        on:input=on_number
                        aria-invalid=invalid(|e| e.number.clone())
                        aria-describedby=described("card-number-hint", "card-number-error", |e| e.number.clone())
                        data-testid="card-number"
                    />
                    <span
                        class="card-brand"
                        data-brand=move || format!("{:?}", brand.get()).to_lowercase()
                        data-testid="card-brand"
                        aria-live="polite"
                    >
                        <CardMark brand=brand />
                        // The mark says it to the eye; the name, to screen readers.
                        <span class="visually-hidden">{move || match brand.get() {
                            CardBrand::Unknown => String::new(),
                            known => known.display_name().to_owned(),
                        }}</span>
                    </span>
                </div>
            </div>

            <div class="field-row">
                <div class="field" class:field-invalid=move || errors.read().exp.is_some()>
                    <label for="card-exp">{t(Msg::CardExpiry)}</label>
                    <p class="hint" id="card-exp-hint">{t(Msg::CardExpiryHint)}</p>
                    {field_error("card-exp-error", |e| e.exp.clone())}
                    <input
                        id="card-exp"
                        name="cc-exp"
                        type="text"
                        inputmode="numeric"
                        autocomplete="cc-exp"
                        placeholder="MM / YY"
                        maxlength="7"
                        class="input-short"
                        node_ref=exp_ref
                        on:input=on_expiry
                        aria-invalid=invalid(|e| e.exp.clone())
                        aria-describedby=described("card-exp-hint", "card-exp-error", |e| e.exp.clone())
                        data-testid="card-exp"
                    />
                </div>
                <div class="field" class:field-invalid=move || errors.read().cvc.is_some()>
                    <label for="card-cvc">{t(Msg::CardCvc)}</label>
                    <p class="hint" id="card-cvc-hint">
                        {move || if brand.get() == CardBrand::Amex { t(Msg::CardCvcHintAmex) } else { t(Msg::CardCvcHint) }}
                    </p>
                    {field_error("card-cvc-error", |e| e.cvc.clone())}
                    <input
                        id="card-cvc"
                        name="cc-csc"
                        type="text"
                        inputmode="numeric"
                        autocomplete="cc-csc"
                        maxlength="4"
                        class="input-short"
                        node_ref=cvc_ref
                        aria-invalid=invalid(|e| e.cvc.clone())
                        aria-describedby=described("card-cvc-hint", "card-cvc-error", |e| e.cvc.clone())
                        data-testid="card-cvc"
                    />
                </div>
            </div>

            <button
                type="submit"
                class="button"
                aria-disabled=move || pending.get().then_some("true")
                data-testid="card-submit"
            >
                {move || if pending.get() { t(Msg::CheckingCard) } else { submit_label }}
            </button>
        </form>
    }
}

/// A card rule's refusal in the reader's language (the rules' own `Display` is English).
fn card_error_text(error: CardError) -> &'static str {
    t(match error {
        CardError::IncorrectNumber => Msg::CardNumberIncorrect,
        CardError::InvalidExpiryMonth => Msg::CardExpiryMonthInvalid,
        CardError::InvalidExpiryYear => Msg::CardExpiryInvalid,
        CardError::Expired => Msg::CardExpired,
        CardError::InvalidCvc => Msg::CardCvcIncomplete,
    })
}

/// The gateway and the card as typed, or what is wrong with them.
fn read_card(
    inputs: [NodeRef<html::Input>; 4],
    gateway: Option<String>,
) -> Result<(String, TokenRequest), CardErrors> {
    let [name, number, expiry, cvc] =
        inputs.map(|input| input.get().map(|i| i.value()).unwrap_or_default());
    let (name, cvc) = (name.trim().to_owned(), cvc.trim().to_owned());
    let mut found = CardErrors::default();
    if name.is_empty() {
        found.name = Some(t(Msg::CardNameMissing).to_owned());
    }
    let parsed_number = CardNumber::parse(&number);
    if number.trim().is_empty() {
        found.number = Some(t(Msg::CardNumberMissing).to_owned());
    } else if let Err(error) = &parsed_number {
        found.number = Some(card_error_text(*error).to_owned());
    }
    let parsed_expiry = Expiry::parse(&expiry, this_month());
    if expiry.trim().is_empty() {
        // Nothing typed is not an invalid year: ask for the date.
        found.exp = Some(t(Msg::CardExpiryMissing).to_owned());
    } else if let Err(error) = &parsed_expiry {
        found.exp = Some(card_error_text(*error).to_owned());
    }
    let card_brand = parsed_number
        .as_ref()
        .map_or(CardBrand::detect(&number), CardNumber::brand);
    if cvc.is_empty() {
        found.cvc = Some(t(Msg::CardCvcMissing).to_owned());
    } else if let Err(error) = validate_cvc(&cvc, card_brand) {
        found.cvc = Some(card_error_text(error).to_owned());
    }
    match (parsed_expiry, gateway) {
        (Ok(expiry), Some(gateway)) if !found.any() => Ok((
            gateway,
            TokenRequest {
                number,
                exp_month: expiry.month,
                exp_year: expiry.year,
                cvc,
                name,
            },
        )),
        _ if found.any() => Err(found),
        _ => Err(CardErrors {
            problem: Some(t(Msg::GatewayUnavailable).to_owned()),
            ..CardErrors::default()
        }),
    }
}

pub(crate) fn focus_summary(summary: NodeRef<html::Div>) {
    // After the summary is shown (next frame), move focus to it so screen readers read it.
    request_animation_frame(move || {
        if let Some(element) = summary.get_untracked() {
            let _ = element.focus();
        }
    });
}
