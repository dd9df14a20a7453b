//! `/buy/{product}?step=…`: the purchase, one step per screen, with the order summary beside
//! it. The step is in the URL (back button, refresh, deep links) and everything entered so far
//! is in `sessionStorage` (never card details: see [`crate::checkout`]).

pub mod ask_admin;
mod email;
mod payment;
mod review;
mod seats;
mod sign_in;
mod summary;

pub use email::reason_text;

use crate::api::{self, ApiFailure};
use crate::checkout::{Checkout, Step};
use crate::components::loaded::Query;
use crate::components::mutation::Mutation;
use crate::components::step_indicator::StepIndicator;
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::not_found::NotFound;
use crate::session::use_session;
use crate::storage;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::product::{Product, ProductId};
use selfserve_api::purchase::Quote;

/// What every step of one checkout shares.
#[derive(Clone, Copy)]
pub struct CheckoutContext {
    /// The product being bought.
    pub product: ProductId,
    /// What the buyer has done so far (saved to `sessionStorage` on every change).
    pub state: RwSignal<Checkout>,
    /// A message for the top of the current step (a decline, an expired session).
    pub notice: RwSignal<Option<String>>,
    /// The product as listed for the browser's market (before sign-in).
    pub listing: Query<Option<Product>>,
    /// The server's price for the organisation, once signed in (keyed on the quantity).
    pub quote: Query<Option<Quote>>,
    /// The cardholder's name as typed, in memory only (not in `sessionStorage`, with the rest
    /// of the card): kept for a second card after a decline.
    pub cardholder: RwSignal<String>,
    /// Why the email step said this address cannot buy here (cleared when it is edited).
    pub refused_at_email: RwSignal<Option<IneligibleReason>>,
    go_to: StoredValue<Callback<Step>>,
}

impl CheckoutContext {
    /// Moves to `step` (a new history entry, so the back button returns here).
    pub fn go(&self, step: Step) {
        self.go_to.get_value().run(step);
    }

    /// The latest price the server gave, if any.
    pub fn latest_quote(&self) -> Option<Quote> {
        self.quote.latest().flatten()
    }

    /// The product's name, once listed.
    pub fn product_name(&self) -> Option<String> {
        self.listing.with(|listed| {
            listed
                .and_then(Result::ok)
                .and_then(Option::as_ref)
                .map(|p| p.name.clone())
        })
    }
}

/// Starts a free trial of the checkout's product instead of buying, and opens it.
pub fn start_trial(ctx: CheckoutContext) -> Mutation<(), Result<(), ApiFailure>> {
    let navigate = use_navigate();
    Mutation::new(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            let sub = api::start_trial(ctx.product.as_str()).await?;
            navigate(&format!("/manage/{}", sub.id), NavigateOptions::default());
            Ok(())
        }
    })
}

/// Why the signed-in person may not buy `product`, from `GET /session`'s `can_buy` (`None`
/// when nobody is signed in or they may). Both ways of signing in end here: a password
/// sign-in's answer and the session an SSO return finds.
pub fn refusal(session: crate::session::Session, product: ProductId) -> Option<IneligibleReason> {
    session.with_user(|user| {
        user.and_then(|u| u.can_buy.get(&product).copied())
            .and_then(|answer| answer.reason())
    })
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
    // Priced only for someone signed in who may buy (the server refuses the others' quotes);
    // a new quantity asks again.
    let priced = Memo::new(move |_| {
        let may_buy = refusal(session, product).is_none();
        state.with(|s| (s.signed_in_as.is_some() && may_buy).then_some(s.quantity))
    });
    let ctx = CheckoutContext {
        product,
        state,
        notice: RwSignal::new(None),
        refused_at_email: RwSignal::new(None),
        cardholder: RwSignal::new(String::new()),
        listing: Query::new(move || async move {
            api::products(&format::browser_market())
                .await
                .map(|list| list.data.into_iter().find(|p| p.id == product))
        }),
        quote: Query::new(move || {
            let quantity = priced.get();
            async move {
                let Some(quantity) = quantity else {
                    return Ok(None);
                };
                let quote = api::quote(product.as_str(), quantity).await;
                if quote.as_ref().is_err_and(|f| f.status() == Some(401)) {
                    // The server's session ended: back to signing in, the rest is kept.
                    state.update(Checkout::signed_out);
                }
                quote.map(Some)
            }
        }),
        go_to: StoredValue::new(Callback::new(move |step: Step| {
            go_navigate(
                &format!("/buy/{product}?step={}", step.slug()),
                NavigateOptions::default(),
            );
        })),
    };
    provide_context(ctx);

    // Keep "signed in for this checkout" true to the server's session.
    Effect::new(move |_| {
        if !session.checked() {
            return;
        }
        let user_email = session.with_user(|u| u.map(|u| u.email.clone()));
        let current = state.get_untracked();
        let mut next = current.clone();
        next.session_is(user_email.as_deref());
        if next != current {
            state.set(next);
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
        if session.checked() && wanted.get() != Some(shown) {
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

    let product_name = move || ctx.product_name();
    // Someone told they cannot buy here (at the email step, or signed in) is shown why and
    // whom to ask, not a price or the steps of a purchase they cannot make.
    let stopped =
        move || ctx.refused_at_email.with(Option::is_some) || refusal(session, product).is_some();
    view! {
        <div class="checkout" data-testid="checkout">
            <p class="eyebrow">{t(Msg::CheckoutEyebrow)}</p>
            <h1 class="checkout-title">{product_name}</h1>
            <Show when=move || !stopped()>
                <StepIndicator current=step state=state on_select=Callback::new(move |s| ctx.go(s)) />
            </Show>
            <div class="checkout-layout" class:checkout-stopped=stopped>
                <section class="checkout-main panel" aria-labelledby="step-heading">
                    {move || ctx.notice.get().map(|notice| view! {
                        <div class="notice notice-error" role="alert" data-testid="checkout-notice">{notice}</div>
                    })}
                    <Show
                        when=move || session.checked()
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
                <Show when=move || !stopped()>
                    <aside class="checkout-summary" aria-label=t(Msg::OrderSummary)>
                        <summary::OrderSummary />
                    </aside>
                </Show>
            </div>
        </div>
    }
}
