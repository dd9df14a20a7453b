//! A subscription's price as the reader should see it: a trial costs nothing, so it says until
//! when it is free instead of the price it would have after buying.

use crate::format;
use crate::i18n::{Msg, fill, t};
use selfserve_api::subscription::{Subscription, SubscriptionStatus};

/// "Free trial until 4 January 2027" for a trial (running or run out), else `None`: the
/// caller shows its own price.
pub fn trial_text(sub: &Subscription) -> Option<String> {
    let until = || format::date(sub.current_period_end, None);
    match sub.status {
        SubscriptionStatus::Trialing => Some(fill(t(Msg::FreeTrialUntil), &[&until()])),
        // `expired` is only ever a trial's end (ran out, or bought instead).
        SubscriptionStatus::Expired => Some(fill(t(Msg::FreeTrialEnded), &[&until()])),
        SubscriptionStatus::Active
        | SubscriptionStatus::PastDue
        | SubscriptionStatus::Suspended
        | SubscriptionStatus::Canceled => None,
    }
}

/// The price of one licence, or the trial's words.
pub fn per_licence(sub: &Subscription) -> String {
    trial_text(sub).unwrap_or_else(|| format::money(sub.unit_amount, sub.currency, None))
}
