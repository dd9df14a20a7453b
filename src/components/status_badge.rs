//! A subscription's status as a small coloured label (with text: colour is never the only cue).

use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::subscription::{Subscription, SubscriptionStatus};

/// Over: cancelled at the end of its period, or a trial that ran out (or was bought). History.
pub fn has_ended(status: SubscriptionStatus) -> bool {
    matches!(
        status,
        SubscriptionStatus::Canceled | SubscriptionStatus::Expired
    )
}

/// Ended, or will end at the end of its period.
pub fn is_ending(subscription: &Subscription) -> bool {
    subscription.cancel_at_period_end || has_ended(subscription.status)
}

/// The label for `status`.
pub fn status_text(status: SubscriptionStatus) -> &'static str {
    t(match status {
        SubscriptionStatus::Active => Msg::StatusActive,
        SubscriptionStatus::Trialing => Msg::StatusTrialing,
        SubscriptionStatus::PastDue => Msg::StatusPastDue,
        SubscriptionStatus::Suspended => Msg::StatusSuspended,
        SubscriptionStatus::Canceled => Msg::StatusCanceled,
        SubscriptionStatus::Expired => Msg::StatusExpired,
    })
}

#[component]
pub fn StatusBadge(status: SubscriptionStatus) -> impl IntoView {
    let tone = match status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing => "badge-ok",
        SubscriptionStatus::PastDue => "badge-warn",
        SubscriptionStatus::Suspended => "badge-bad",
        // Ended: history, neither good nor alarming.
        SubscriptionStatus::Canceled | SubscriptionStatus::Expired => "badge-muted",
    };
    view! { <span class=format!("badge {tone}") data-testid="status">{status_text(status)}</span> }
}
