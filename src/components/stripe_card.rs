//! The card step with Stripe: Stripe.js (loaded from the configured URL, only in Stripe mode)
//! mounts its card Element, and `stripe.createPaymentMethod` turns the card into a `pm_…` id,
//! which is all our server ever sees. The number lives in Stripe's Element only.
//!
//! Stripe.js also runs the bank's check (3-D Secure) of a payment the server could not finish
//! without it, or of a replaced card: [`confirm_payment`], with the client secret the server's
//! 402 carries.
//!
//! Stripe.js is reached through a small `extern` block rather than a crate of bindings: six
//! calls are all we need, and every buyer downloads the app.

use crate::api::StripeKeys;
use crate::components::card_form::focus_summary;
use crate::components::mutation::Mutation;
use crate::i18n::{Msg, t};
use leptos::html;
use leptos::prelude::*;
use selfserve_api::card::{CardBrand, CardToken};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `Stripe(publishableKey)`'s instance.
    #[derive(Clone)]
    type StripeJs;
    #[wasm_bindgen(catch, js_name = Stripe)]
    fn new_stripe(publishable_key: &str) -> Result<StripeJs, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn elements(this: &StripeJs) -> Result<Elements, JsValue>;
    #[wasm_bindgen(method, catch, js_name = createPaymentMethod)]
    fn create_payment_method(this: &StripeJs, options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = confirmCardPayment)]
    fn confirm_card_payment(this: &StripeJs, client_secret: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = confirmCardSetup)]
    fn confirm_card_setup(this: &StripeJs, client_secret: &str) -> Result<JsValue, JsValue>;

    type Elements;

    #[wasm_bindgen(method, catch)]
    fn create(this: &Elements, kind: &str) -> Result<CardElement, JsValue>;

    /// The card Element: Stripe's own inputs, where the number is typed.
    #[derive(Clone)]
    type CardElement;
    #[wasm_bindgen(method, catch)]
    fn mount(this: &CardElement, node: &web_sys::HtmlElement) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    fn destroy(this: &CardElement);
}

/// What `createPaymentMethod` resolves to (Stripe.js: `{paymentMethod}` or `{error}`).
#[derive(serde::Deserialize)]
struct Created {
    #[serde(rename = "paymentMethod")]
    payment_method: Option<PaymentMethod>,
    error: Option<StripeError>,
}

#[derive(serde::Deserialize)]
struct PaymentMethod {
    id: String,
    card: PaymentCard,
}

#[derive(serde::Deserialize)]
struct PaymentCard {
    brand: String,
    last4: String,
    exp_month: u32,
    exp_year: u32,
}

#[derive(serde::Deserialize)]
struct StripeError {
    /// Stripe.js's message, already in the buyer's language.
    message: Option<String>,
}

impl PaymentMethod {
    fn into_token(self) -> CardToken {
        // Stripe knows brands we don't draw (e.g. Cartes Bancaires): shown without a brand.
        let brand = crate::json::from_wire_text(&self.card.brand).unwrap_or(CardBrand::Unknown);
        CardToken {
            token: self.id,
            brand,
            last4: self.card.last4,
            exp_month: self.card.exp_month,
            exp_year: self.card.exp_year,
        }
    }
}

/// The mounted Element and the Stripe instance that made it (createPaymentMethod needs both).
#[derive(Clone)]
struct Mounted {
    stripe: StripeJs,
    card: CardElement,
}

/// Adds Stripe.js's `<script>` once (Stripe asks that it be loaded from its own origin, never
/// bundled) and waits until `window.Stripe` exists.
async fn load_stripe_js(url: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    if js_sys::Reflect::get(&window, &JsValue::from_str("Stripe"))?.is_function() {
        return Ok(());
    }
    let document = window.document().ok_or(JsValue::NULL)?;
    let script: web_sys::HtmlElement = match document.get_element_by_id("stripe-js") {
        Some(existing) => existing.dyn_into()?,
        None => {
            let script: web_sys::HtmlElement = document.create_element("script")?.dyn_into()?;
            script.set_id("stripe-js");
            script.set_attribute("src", url)?;
            // In <head>: <body> holds the app's own nodes and markers, which Leptos owns.
            document
                .query_selector("head")?
                .ok_or(JsValue::NULL)?
                .append_child(&script)?;
            script
        }
    };
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    JsFuture::from(loaded).await?;
    Ok(())
}

async fn mount(keys: &StripeKeys, node: &web_sys::HtmlElement) -> Result<Mounted, JsValue> {
    load_stripe_js(&keys.js_url).await?;
    let stripe = new_stripe(&keys.publishable_key)?;
    let card = stripe.elements()?.create("card")?;
    // Stripe.js fills a node of its own, never one whose children Leptos keeps track of.
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(JsValue::NULL)?;
    let own: web_sys::HtmlElement = document.create_element("div")?.dyn_into()?;
    node.append_child(&own)?;
    card.mount(&own)?;
    Ok(Mounted { stripe, card })
}

/// Runs the bank's check (3-D Secure) of a PaymentIntent (`confirmCardPayment`) or, for a
/// replaced card, a SetupIntent (`confirmCardSetup`, its secret `seti_…`) in Stripe.js, which
/// shows the bank's page itself. Whether the buyer passed is for the server to say when the app
/// sends the request again (that attempt settles the same intent); `Err` only when Stripe.js
/// could not run the check.
pub async fn confirm_payment(keys: &StripeKeys, client_secret: &str) -> Result<(), String> {
    let unavailable = |_| t(Msg::GatewayUnavailable).to_owned();
    load_stripe_js(&keys.js_url).await.map_err(unavailable)?;
    let stripe = new_stripe(&keys.publishable_key).map_err(unavailable)?;
    let confirmed = if client_secret.starts_with("seti_") {
        stripe.confirm_card_setup(client_secret)
    } else {
        stripe.confirm_card_payment(client_secret)
    };
    let promise: js_sys::Promise = confirmed
        .map_err(unavailable)?
        .dyn_into()
        .map_err(unavailable)?;
    // Resolves to `{paymentIntent}` or `{error}`: a failed check is the server's to report.
    JsFuture::from(promise).await.map_err(unavailable)?;
    Ok(())
}

async fn create(mounted: Mounted) -> Result<CardToken, String> {
    let unavailable = || t(Msg::GatewayUnavailable).to_owned();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"type".into(), &"card".into()).map_err(|_| unavailable())?;
    js_sys::Reflect::set(&options, &"card".into(), &mounted.card).map_err(|_| unavailable())?;
    let promise: js_sys::Promise = mounted
        .stripe
        .create_payment_method(&options)
        .map_err(|_| unavailable())?
        .dyn_into()
        .map_err(|_| unavailable())?;
    let answer = JsFuture::from(promise).await.map_err(|_| unavailable())?;
    let created: Created = crate::json::from_value(answer).ok_or_else(unavailable)?;
    match (created.payment_method, created.error) {
        (Some(method), None) => Ok(method.into_token()),
        (_, Some(StripeError { message: Some(m) })) => Err(m),
        _ => Err(unavailable()),
    }
}

/// The card step with Stripe's card Element.
#[component]
pub fn StripeCardForm(
    keys: StripeKeys,
    /// Receives `pm_…` and the card's brand, last four and expiry.
    on_tokenized: Callback<CardToken>,
    /// The submit button's text.
    submit_label: &'static str,
) -> impl IntoView {
    let host = NodeRef::<html::Div>::new();
    let summary_ref = NodeRef::<html::Div>::new();
    let mounted = StoredValue::new_local(None::<Mounted>);
    // None while Stripe.js loads; then whether it could be mounted.
    let ready = RwSignal::new(None::<bool>);

    Effect::new(move |_| {
        let Some(node) = host.get() else { return };
        let keys = keys.clone();
        leptos::task::spawn_local(async move {
            let node: web_sys::HtmlElement = node.into();
            match mount(&keys, &node).await {
                Ok(done) => {
                    mounted.set_value(Some(done));
                    ready.set(Some(true));
                }
                Err(_) => ready.set(Some(false)),
            }
        });
    });

    // Stripe's Element goes with the form: its listeners (and, with Stripe's own Stripe.js, its
    // frame) are released, and the next card step mounts a new one.
    on_cleanup(move || {
        if let Some(Some(done)) = mounted.try_get_value() {
            done.card.destroy();
        }
    });

    let pay = Mutation::new(move |_: &()| {
        let current = mounted.get_value();
        async move {
            let result = match current {
                Some(done) => create(done).await,
                None => Err(t(Msg::GatewayUnavailable).to_owned()),
            };
            match &result {
                Ok(token) => on_tokenized.run(token.clone()),
                Err(_) => focus_summary(summary_ref),
            }
            result
        }
    });
    let pending = pay.pending();
    let problem = Memo::new(move |_| match pay.with_value(|v| v.cloned()) {
        Some(Err(message)) => Some(message),
        _ if ready.get() == Some(false) => Some(t(Msg::GatewayUnavailable).to_owned()),
        _ => None,
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ready.get_untracked() == Some(true) {
            pay.submit(());
        }
    };

    view! {
        <form class="card-form" novalidate on:submit=submit data-testid="card-form" data-processor="stripe">
            <div
                class="error-summary"
                role="alert"
                tabindex="-1"
                node_ref=summary_ref
                hidden=move || problem.with(Option::is_none)
                data-testid="card-errors"
            >
                <h2 class="error-summary-title">{t(Msg::ThereIsAProblem)}</h2>
                <ul>
                    <li><a href="#stripe-card">{move || problem.get()}</a></li>
                </ul>
            </div>
            <fieldset
                class="field"
                class:field-invalid=move || problem.with(Option::is_some)
                aria-describedby=move || problem.with(Option::is_some).then_some("stripe-card-error")
            >
                <legend>{t(Msg::CardDetails)}</legend>
                {move || problem.get().map(|message| view! {
                    <p class="field-error" id="stripe-card-error">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>
                        {message}
                    </p>
                })}
                <p class="hint" role="status" hidden=move || ready.get().is_some()>
                    {t(Msg::LoadingCardForm)}
                </p>
                <div
                    id="stripe-card"
                    class="stripe-card"
                    node_ref=host
                    aria-busy=move || ready.get().is_none().then_some("true")
                    data-testid="stripe-card"
                ></div>
            </fieldset>
            <button
                type="submit"
                class="button"
                aria-disabled=move || (pending.get() || ready.get() != Some(true)).then_some("true")
                data-testid="card-submit"
            >
                {move || if pending.get() { t(Msg::CheckingCard) } else { submit_label }}
            </button>
        </form>
    }
}
