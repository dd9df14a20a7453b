//! `/manage/{id}`: one subscription as its purchaser manages it: licences, the number of
//! licences, the card on file, bills, and cancelling.

pub mod bills;
mod cancel;
mod card;
pub mod licences;
mod seats;

use crate::api;
use crate::components::after_paint::{AfterPaint, next_paint};
use crate::components::card_mark::CardLabel;
use crate::components::dispute_notice::DisputeNotice;
use crate::components::loaded::{Loaded, Query};
use crate::components::mutation::Outcomes;
use crate::components::sign_in_gate::SignInGate;
use crate::components::status_badge::{StatusBadge, has_ended, is_ending};
use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use selfserve_api::subscription::{Invoice, Source, Subscription, SubscriptionStatus};

/// What the sections of the page share.
#[derive(Clone, Copy)]
pub struct SubscriptionContext {
    /// The read of the subscription; refetched only to reload the whole page (after a bill is
    /// paid, which changes more than the payment's answer says).
    pub loaded: Query<Subscription>,
    /// The subscription as loaded, then as each change returned it: a change updates the page
    /// in place, so it never re-creates a form someone is typing in.
    pub subscription: RwSignal<Subscription>,
    /// Its bills, newest first, read again whenever the subscription changes.
    pub bills: Query<Vec<Invoice>>,
    /// The last change's result, announced politely (kept across a reload).
    pub flash: RwSignal<Option<String>>,
}

impl SubscriptionContext {
    /// The subscription's id.
    pub fn id(self) -> String {
        self.subscription.with_untracked(|s| s.id.clone())
    }

    /// Shows a change's result and the subscription it returned (no need to fetch it again).
    pub fn updated(self, subscription: Subscription, message: String) {
        self.subscription.set(subscription);
        self.flash.set(Some(message));
    }
}

/// The page's context.
pub fn use_subscription() -> SubscriptionContext {
    expect_context::<SubscriptionContext>()
}

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
    let loaded = Query::new(move || {
        let id = params.read().get("id").unwrap_or_default();
        async move { api::subscription(&id, Some(licences::HOLDERS_AT_ONCE)).await }
    });
    // Before the sections' writes are made: each one starting clears the others' outcomes.
    let flash = Outcomes::provide().flash;
    let show = move |subscription: Subscription| {
        let subscription = RwSignal::new(subscription);
        let bills = Query::new(move || {
            let id = subscription.with(|s| s.id.clone());
            // Only an unpaid bill's banner is on the first screen: the read waits for its paint.
            async move {
                next_paint().await;
                api::invoices(&id).await.map(|list| list.data)
            }
        });
        provide_context(SubscriptionContext {
            loaded,
            subscription,
            bills,
            flash,
        });
        view! { <Overview /> }.into_any()
    };
    view! {
        <section class="page" aria-labelledby="subscription-heading" data-testid="subscription-page">
            // A plain link (the router still handles it): `<A>` would mark it `aria-current="page"`,
            // as /manage/… starts with /manage.
            <p><a href="/manage" data-testid="back-to-subscriptions">{t(Msg::BackToSubscriptions)}</a></p>
            <Loaded read=loaded view=show />
        </section>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let ctx = use_subscription();
    let session = crate::session::use_session();
    let read = move |f: fn(&Subscription) -> String| move || ctx.subscription.with(f);
    let status = move || ctx.subscription.with(|s| s.status);
    // A subscription that has ended (cancelled at period end, or an expired trial) is history.
    let usable = move || !has_ended(status());
    // Seats, card, bills and cancelling belong to the purchaser of a card subscription; a
    // central one is billed through the agreement, and admins only hand out its licences.
    let purchaser_view = move || {
        let me = session.with_user(|u| u.map(|u| u.id.clone()));
        ctx.subscription.with(|s| {
            s.source == Source::SelfService
                && Some(&s.purchaser.id) == me.as_ref()
                && s.status != SubscriptionStatus::Trialing
        })
    };
    let ending = move || ctx.subscription.with(is_ending);
    view! {
        <header class="subscription-header">
            <h1 id="subscription-heading">{read(|s| s.product_name.clone())}</h1>
            {move || view! { <StatusBadge status=status() /> }}
        </header>
        <div class="visually-hidden" role="status" aria-live="polite" data-testid="flash-status">{move || ctx.flash.get()}</div>
        {move || ctx.flash.get().map(|message| view! {
            <div class="notice notice-ok" data-testid="flash">{message}</div>
        })}
        <bills::PaymentBanner />
        <cancel::CancelRequest />
        <cancel::CancelNotice />
        <TrialNotice />
        <DisputeNotice dispute=Signal::derive(move || ctx.subscription.with(|s| s.dispute.clone())) />
        <dl class="facts" data-testid="facts">
            <div><dt>{t(Msg::Licences)}</dt><dd data-testid="fact-seats">
                {read(|s| fill(t(Msg::SeatsAssignedOf), &[&format::count(s.assigned_count.into()), &format::count(s.quantity.into())]))}
            </dd></div>
            {move || ctx.subscription.with(|s| s.pending_quantity).map(|pending| view! {
                <div><dt>{t(Msg::FromNextRenewal)}</dt><dd data-testid="fact-pending">{pending}</dd></div>
            })}
            <div><dt>{move || if ending() { t(Msg::Ends) } else { t(Msg::Renewal) }}</dt>
                <dd data-testid="fact-renewal">{read(|s| format::date(s.current_period_end, None))}</dd></div>
            <div><dt>{t(Msg::PricePerLicence)}</dt><dd data-testid="fact-price">{read(crate::components::price::per_licence)}</dd></div>
            <div><dt>{t(Msg::PaymentMethod)}</dt><dd data-testid="fact-card">
                {move || ctx.subscription.with(|s| s.payment_method.clone()).map(|c| view! {
                    <CardLabel brand=c.brand last4=c.last4 expiry=(c.exp_month, c.exp_year) />
                })}
            </dd></div>
        </dl>
        <licences::Licences />
        // Below the fold: drawn once the first screen has been painted.
        <AfterPaint>
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
        </AfterPaint>
    }
}

/// A trial: when it ends, and a way to buy it (its users move to the purchase).
#[component]
fn TrialNotice() -> impl IntoView {
    let ctx = use_subscription();
    move || {
        // What the banner shows, not the whole subscription (a change's answer lists every
        // licence holder: 10,000 of them to copy on each change otherwise).
        ctx.subscription
            .with(|s| {
                (s.status == SubscriptionStatus::Trialing)
                    .then(|| (s.current_period_end, s.product, s.id.clone()))
            })
            .map(|(end, product, id)| {
                let ends = format::date(end, None);
                let href = format!("/buy/{product}?convert={id}");
                view! {
                    <div class="banner banner-info" role="note" data-testid="trial-notice">
                        <p>{fill(t(Msg::TrialEnds), &[&ends])}</p>
                        <A href=href attr:class="button" attr:data-testid="convert-trial">{t(Msg::BuyAfterTrial)}</A>
                    </div>
                }
            })
    }
}
