//! `/manage/{id}`: one subscription as its purchaser manages it: licences, the number of
//! licences, the card on file, bills, and cancelling.

pub mod bills;
mod cancel;
mod card;
mod licences;
mod seats;

use crate::api::{self, ApiFailure};
use crate::components::error_panel::ErrorPanel;
use crate::components::sign_in_gate::SignInGate;
use crate::components::status_badge::{StatusBadge, has_ended, is_ending};
use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use selfserve_api::subscription::{Invoice, Subscription, SubscriptionStatus};

/// What the sections of the page share.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionContext {
    /// The subscription's id.
    pub id: StoredValue<String>,
    /// The subscription, as last loaded or returned by an action.
    pub subscription: RwSignal<Option<Subscription>>,
    /// Its bills, newest first.
    pub bills: RwSignal<Vec<Invoice>>,
    /// Where card details go.
    pub gateway_url: RwSignal<Option<String>>,
    /// The last action's result, announced politely.
    pub flash: RwSignal<Option<String>>,
}

impl SubscriptionContext {
    /// Reloads the subscription and its bills.
    pub fn reload(self) {
        let id = self.id.get_value();
        spawn_local(async move {
            if let Ok(subscription) = api::subscription(&id).await {
                self.subscription.set(Some(subscription));
            }
            self.load_bills().await;
        });
    }

    async fn load_bills(self) {
        if let Ok(bills) = api::invoices(&self.id.get_value()).await {
            self.bills.set(bills.data);
        }
    }

    /// Shows an action's result and the subscription it returned (no need to fetch it again),
    /// and refreshes the bills.
    pub fn updated(self, subscription: Subscription, message: String) {
        self.subscription.set(Some(subscription));
        self.flash.set(Some(message));
        spawn_local(self.load_bills());
    }
}

/// The page's context.
pub fn use_subscription() -> SubscriptionContext {
    expect_context::<SubscriptionContext>()
}

pub use crate::components::error_panel::failure_text;

#[component]
pub fn SubscriptionPage() -> impl IntoView {
    view! {
        <SignInGate heading=t(Msg::MySubscriptions)>
            <SubscriptionDetail />
        </SignInGate>
    }
}

#[component]
fn SubscriptionDetail() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let ctx = SubscriptionContext {
        id: StoredValue::new(id.clone()),
        subscription: RwSignal::new(None),
        bills: RwSignal::new(Vec::new()),
        gateway_url: RwSignal::new(None),
        flash: RwSignal::new(None),
    };
    provide_context(ctx);
    let load_failure = RwSignal::new(None::<ApiFailure>);
    let load = move || {
        let id = ctx.id.get_value();
        spawn_local(async move {
            match api::subscription(&id).await {
                Ok(subscription) => {
                    load_failure.set(None);
                    ctx.subscription.set(Some(subscription));
                }
                Err(failure) => load_failure.set(Some(failure)),
            }
            ctx.load_bills().await;
        });
    };
    load();
    spawn_local(async move {
        if let Ok(config) = api::config().await {
            ctx.gateway_url.set(Some(config.gateway_url));
        }
    });

    view! {
        <section class="page" aria-labelledby="subscription-heading" data-testid="subscription-page">
            <p><A href="/manage">{t(Msg::BackToSubscriptions)}</A></p>
            {move || load_failure.get().map(|failure| view! {
                <ErrorPanel failure on_retry=Callback::new(move |()| load()) />
            })}
            // Rendered once the subscription is known; after that its parts follow the signal,
            // so a change never re-creates a form someone is typing in.
            <Show
                when=move || ctx.subscription.read().is_some()
                fallback=move || load_failure.read().is_none().then(|| view! {
                    <p class="loading" role="status">{t(Msg::Loading)}</p>
                })
            >
                <Overview />
            </Show>
        </section>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let ctx = use_subscription();
    let session = crate::session::use_session();
    let read = move |f: fn(&Subscription) -> String| {
        move || {
            ctx.subscription
                .with(|s| s.as_ref().map(f).unwrap_or_default())
        }
    };
    let status = move || ctx.subscription.with(|s| s.as_ref().map(|s| s.status));
    // A subscription that has ended (cancelled at period end, or an expired trial) is history.
    let usable = move || !status().is_some_and(has_ended);
    // Seats, card, bills and cancelling belong to the purchaser of a card subscription; a
    // central one is billed through the agreement, and admins only hand out its licences.
    let purchaser_view = move || {
        let me = session.user.with(|u| u.as_ref().map(|u| u.id.clone()));
        ctx.subscription.with(|s| {
            s.as_ref().is_some_and(|s| {
                s.source == selfserve_api::subscription::Source::SelfService
                    && Some(&s.purchaser.id) == me.as_ref()
                    && s.status != SubscriptionStatus::Trialing
            })
        })
    };
    let ending = move || ctx.subscription.with(|s| s.as_ref().is_some_and(is_ending));
    view! {
        <header class="subscription-header">
            <h1 id="subscription-heading">{read(|s| s.product_name.clone())}</h1>
            {move || status().map(|status| view! { <StatusBadge status /> })}
        </header>
        <div class="visually-hidden" role="status" aria-live="polite">{move || ctx.flash.get()}</div>
        {move || ctx.flash.get().map(|message| view! {
            <div class="notice notice-ok" data-testid="flash">{message}</div>
        })}
        <bills::PaymentBanner />
        <cancel::CancelRequest />
        <cancel::CancelNotice />
        <TrialNotice />
        <dl class="facts" data-testid="facts">
            <div><dt>{t(Msg::Licences)}</dt><dd data-testid="fact-seats">
                {read(|s| fill(t(Msg::SeatsAssignedOf), &[&s.assigned_users.len().to_string(), &s.quantity.to_string()]))}
            </dd></div>
            {move || ctx.subscription.with(|s| s.as_ref().and_then(|s| s.pending_quantity)).map(|pending| view! {
                <div><dt>{t(Msg::FromNextRenewal)}</dt><dd data-testid="fact-pending">{pending}</dd></div>
            })}
            <div><dt>{move || if ending() { t(Msg::Ends) } else { t(Msg::Renewal) }}</dt>
                <dd data-testid="fact-renewal">{read(|s| format::date(s.current_period_end, None))}</dd></div>
            <div><dt>{t(Msg::PricePerLicence)}</dt><dd>{read(|s| format::money(s.unit_amount, s.currency, None))}</dd></div>
            <div><dt>{t(Msg::PaymentMethod)}</dt><dd data-testid="fact-card">
                {read(|s| s.payment_method.as_ref().map(|c| format::card(c.brand, &c.last4, c.exp_month, c.exp_year)).unwrap_or_default())}
            </dd></div>
        </dl>
        <licences::Licences />
        // Buying seats for a subscription about to end is never what was meant: undo first.
        <Show when=move || usable() && purchaser_view() && !ending()>
            <seats::Seats />
        </Show>
        <Show when=move || usable() && purchaser_view()>
            <card::ReplaceCard />
        </Show>
        <Show when=purchaser_view>
            <bills::Bills />
        </Show>
        <Show when=move || usable() && purchaser_view()>
            <cancel::CancelSection />
        </Show>
    }
}

/// A trial: when it ends, and a way to buy it (its users move to the purchase).
#[component]
fn TrialNotice() -> impl IntoView {
    let ctx = use_subscription();
    move || {
        ctx.subscription
            .get()
            .filter(|s| s.status == SubscriptionStatus::Trialing)
            .map(|sub| {
                let ends = format::date(sub.current_period_end, None);
                let href = format!("/buy/{}?convert={}", sub.product, sub.id);
                view! {
                    <div class="banner banner-info" role="note" data-testid="trial-notice">
                        <p>{fill(t(Msg::TrialEnds), &[&ends])}</p>
                        <A href=href attr:class="button" attr:data-testid="convert-trial">{t(Msg::BuyAfterTrial)}</A>
                    </div>
                }
            })
    }
}
