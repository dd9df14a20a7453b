//! `/buy/{product}?step=…`: the purchase, one step per screen, with the order summary beside
//! it. The step is in the URL (back button, refresh, deep links) and everything entered so far
//! is in `sessionStorage` (never card details: see [`crate::checkout`]).

mod email;
mod payment;
mod review;
mod seats;
mod sign_in;
mod summary;

use crate::api::{self, ApiFailure};
use crate::checkout::{Checkout, Step};
use crate::components::step_indicator::StepIndicator;
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::not_found::NotFound;
use crate::session::use_session;
use crate::storage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use selfserve_api::product::{Product, ProductId};
use selfserve_api::purchase::Quote;

/// What every step of one checkout shares.
#[derive(Debug, Clone, Copy)]
pub struct CheckoutContext {
    /// The product being bought.
    pub product: ProductId,
    /// What the buyer has done so far (saved to `sessionStorage` on every change).
    pub state: RwSignal<Checkout>,
    /// A message for the top of the current step (a decline, an expired session).
    pub notice: RwSignal<Option<String>>,
    /// The product as listed for the browser's market (before sign-in).
    pub listing: RwSignal<Option<Product>>,
    /// The server's price for the organisation (after sign-in).
    pub quote: RwSignal<Option<Quote>>,
    /// True while a quote is being fetched.
    pub quoting: RwSignal<bool>,
    /// Where card details are posted.
    pub gateway_url: RwSignal<Option<String>>,
    go_to: StoredValue<Callback<Step>>,
}

impl CheckoutContext {
    /// Moves to `step` (a new history entry, so the back button returns here).
    pub fn go(&self, step: Step) {
        self.go_to.get_value().run(step);
    }

    /// Fetches the server's price for `quantity` seats.
    pub fn refresh_quote(&self, quantity: u32) {
        let this = *self;
        this.quoting.set(true);
        spawn_local(async move {
            let result = api::quote(this.product.as_str(), quantity).await;
            // A slower answer for an older quantity must not overwrite a newer one.
            if this.state.with_untracked(|s| s.quantity) == quantity
                || !this.state.with_untracked(|s| s.quantity_confirmed)
            {
                match result {
                    Ok(quote) => this.quote.set(Some(quote)),
                    Err(ApiFailure::Api { status: 401, .. }) => {
                        this.state.update(Checkout::signed_out);
                    }
                    Err(_) => {}
                }
            }
            this.quoting.set(false);
        });
    }
}

/// Finds the context (only inside the checkout page).
pub fn use_checkout() -> CheckoutContext {
    expect_context::<CheckoutContext>()
}

fn storage_key(product: ProductId) -> String {
    format!("selfserve.checkout.{product}")
}

/// The checkout page, or "not found" for an unknown product.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let params = use_params_map();
    move || match params
        .read()
        .get("product")
        .and_then(|p| p.parse::<ProductId>().ok())
    {
        Some(product) => view! { <Checkout product /> }.into_any(),
        None => view! { <NotFound /> }.into_any(),
    }
}

#[component]
fn Checkout(product: ProductId) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let mut saved: Checkout = storage::load(&storage_key(product)).unwrap_or_else(Checkout::new);
    // `/buy/{product}?convert={trial}`: buying a trial carries it to the purchase.
    if let Some(trial) = query.read_untracked().get("convert") {
        saved.convert_trial = Some(trial);
    }
    let state = RwSignal::new(saved);
    Effect::new(move |_| state.with(|s| storage::save(&storage_key(product), s)));

    let go_navigate = navigate.clone();
    let ctx = CheckoutContext {
        product,
        state,
        notice: RwSignal::new(None),
        listing: RwSignal::new(None),
        quote: RwSignal::new(None),
        quoting: RwSignal::new(false),
        gateway_url: RwSignal::new(None),
        go_to: StoredValue::new(Callback::new(move |step: Step| {
            go_navigate(
                &format!("/buy/{product}?step={}", step.slug()),
                NavigateOptions::default(),
            );
        })),
    };
    provide_context(ctx);

    spawn_local(async move {
        if let Ok(products) = api::products(&format::browser_market()).await {
            ctx.listing
                .set(products.data.into_iter().find(|p| p.id == product));
        }
    });
    spawn_local(async move {
        if let Ok(config) = api::config().await {
            ctx.gateway_url.set(Some(config.gateway_url));
        }
    });

    // Keep "signed in for this checkout" true to the server's session.
    Effect::new(move |_| {
        if !session.checked.get() {
            return;
        }
        let user_email = session.user.with(|u| u.as_ref().map(|u| u.email.clone()));
        let (email, signed_in_as) =
            state.with_untracked(|s| (s.email.clone(), s.signed_in_as.clone()));
        match (user_email, signed_in_as) {
            (Some(user), Some(checkout_user)) if user != checkout_user => {
                state.update(Checkout::signed_out);
            }
            (None, Some(_)) => state.update(Checkout::signed_out),
            (Some(user), None) if email.as_deref() == Some(user.as_str()) => {
                state.update(|s| s.signed_in(&user));
            }
            _ => {}
        }
    });

    // A quote as soon as there is someone signed in to price it for.
    Effect::new(move |_| {
        let signed_in = state.with(|s| s.signed_in_as.is_some());
        if signed_in && ctx.quote.with_untracked(Option::is_none) {
            ctx.refresh_quote(state.with_untracked(|s| s.quantity));
        }
        if !signed_in {
            ctx.quote.set(None);
        }
    });

    let wanted = Memo::new(move |_| {
        query
            .read()
            .get("step")
            .and_then(|slug| Step::from_slug(&slug))
    });
    let step = Memo::new(move |_| state.with(|s| s.resolve(wanted.get())));
    // The URL always names the step shown, so a refresh or a shared link lands there.
    Effect::new(move |_| {
        let shown = step.get();
        if session.checked.get() && wanted.get() != Some(shown) {
            navigate(
                &format!("/buy/{product}?step={}", shown.slug()),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });
    // Each new step moves focus to its heading, so keyboard and screen reader users start there.
    Effect::new(move |previous: Option<Step>| {
        let current = step.get();
        if previous.is_some_and(|p| p != current) {
            request_animation_frame(|| {
                if let Some(heading) = document().get_element_by_id("step-heading") {
                    let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&heading)
                        .focus();
                }
            });
        }
        current
    });

    let product_name = move || {
        ctx.listing
            .with(|l| l.as_ref().map(|p| p.name.clone()))
            .unwrap_or_default()
    };
    view! {
        <div class="checkout" data-testid="checkout">
            <p class="eyebrow">{t(Msg::CheckoutEyebrow)}</p>
            <h1 class="checkout-title">{product_name}</h1>
            <StepIndicator current=step state=state on_select=Callback::new(move |s| ctx.go(s)) />
            <div class="checkout-layout">
                <section class="checkout-main panel" aria-labelledby="step-heading">
                    {move || ctx.notice.get().map(|notice| view! {
                        <div class="notice notice-error" role="alert" data-testid="checkout-notice">{notice}</div>
                    })}
                    <Show
                        when=move || session.checked.get()
                        fallback=|| view! { <p class="loading" role="status">{t(Msg::Loading)}</p> }
                    >
                        {move || match step.get() {
                            Step::Email => view! { <email::EmailStep /> }.into_any(),
                            Step::SignIn => view! { <sign_in::SignInStep /> }.into_any(),
                            Step::Seats => view! { <seats::SeatsStep /> }.into_any(),
                            Step::Payment => view! { <payment::PaymentStep /> }.into_any(),
                            Step::Review => view! { <review::ReviewStep /> }.into_any(),
                        }}
                    </Show>
                </section>
                <aside class="checkout-summary" aria-label=t(Msg::OrderSummary)>
                    <summary::OrderSummary />
                </aside>
            </div>
        </div>
    }
}
