//! What a subscription, an order and a bill may do in each state.
//!
//! Each rule is a set of states, used twice: as a predicate by the services, and as the SQL
//! list (`status IN (…)`) by the conditional UPDATEs that make the rule atomic in the store.
//! One list, so the check before a change and the guard inside it cannot drift apart.

use selfserve_api::subscription::{InvoiceStatus, OrderKind, SubscriptionStatus};

use SubscriptionStatus::{Active, Canceled, Expired, PastDue, Suspended, Trialing};

/// Still running: renews, ends, or is suspended at its period's end; counts in capacity.
pub const LIVE: &[SubscriptionStatus] = &[Active, Trialing, PastDue, Suspended];

/// Licences may be given out (a suspended subscription keeps its licences but takes no more).
pub const ASSIGNABLE: &[SubscriptionStatus] = &[Active, PastDue, Trialing];

/// A central subscription may receive a take-over's users.
pub const TAKES_OVER: &[SubscriptionStatus] = &[Active, PastDue];

/// A freshly bought subscription may receive a converted trial's users.
pub const RECEIVES_TRIAL_USERS: &[SubscriptionStatus] = &[Active];

/// The number of licences may change (more now, fewer from the renewal).
pub const SEATS_CHANGEABLE: &[SubscriptionStatus] = &[Active, PastDue];

/// A renewal charges the card and moves the period on.
pub const RENEWS: &[SubscriptionStatus] = &[Active, PastDue, Suspended];

/// Paying every bill makes the subscription active again.
pub const RESTORED_BY_PAYMENT: &[SubscriptionStatus] = &[PastDue, Suspended];

/// A card may be put on file: a paid subscription still running. Never a trial: it becomes
/// paid only by a purchase, and a card on it must not hide that it was a trial.
pub const TAKES_A_CARD: &[SubscriptionStatus] = &[Active, PastDue, Suspended];

/// Ended for good: licences released, nothing more to do.
pub const ENDED: &[SubscriptionStatus] = &[Canceled, Expired];

/// Bills still to be paid.
pub const PAYABLE: &[InvoiceStatus] = &[InvoiceStatus::Open, InvoiceStatus::PastDue];

/// Whether licences may be given out now.
pub fn may_assign(status: SubscriptionStatus) -> bool {
    ASSIGNABLE.contains(&status)
}

/// Whether the purchaser may change the number of licences now. Paying for licences of a
/// subscription that is about to end is never what was meant, so a pending cancellation
/// blocks it too.
pub fn may_change_seats(status: SubscriptionStatus, cancel_at_period_end: bool) -> bool {
    SEATS_CHANGEABLE.contains(&status) && !cancel_at_period_end
}

/// Whether the purchaser may cancel (at the period's end).
pub fn may_cancel(status: SubscriptionStatus, cancel_at_period_end: bool) -> bool {
    LIVE.contains(&status) && !cancel_at_period_end
}

/// Whether a pending cancellation may still be undone at `now`.
pub fn may_reactivate(
    status: SubscriptionStatus,
    cancel_at_period_end: bool,
    current_period_end: i64,
    now: i64,
) -> bool {
    cancel_at_period_end && !has_ended(status) && current_period_end > now
}

/// Whether the purchaser may replace the card on file now.
pub fn may_replace_card(status: SubscriptionStatus) -> bool {
    TAKES_A_CARD.contains(&status)
}

/// Whether it is over (licences released).
pub fn has_ended(status: SubscriptionStatus) -> bool {
    ENDED.contains(&status)
}

/// Whether a bill may be paid.
pub fn is_payable(status: InvoiceStatus) -> bool {
    PAYABLE.contains(&status)
}

/// What a subscription whose period is over becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtPeriodEnd {
    /// Cancelled or a trial: it ends, as `canceled` or `expired`.
    Ends(SubscriptionStatus),
    /// It renews: charged (self-service) or moved on (central).
    Renews,
    /// Nothing: it has already ended.
    Nothing,
}

/// The transition at the end of a period.
pub fn at_period_end(status: SubscriptionStatus, cancel_at_period_end: bool) -> AtPeriodEnd {
    match status {
        Canceled | Expired => AtPeriodEnd::Nothing,
        // A trial that was cancelled ends like any cancelled subscription; one left alone
        // runs out.
        Trialing if cancel_at_period_end => AtPeriodEnd::Ends(Canceled),
        Trialing => AtPeriodEnd::Ends(Expired),
        Active | PastDue | Suspended if cancel_at_period_end => AtPeriodEnd::Ends(Canceled),
        Active | PastDue | Suspended => AtPeriodEnd::Renews,
    }
}

/// Whether a failed payment of an order of this kind makes its bill past due (the renewal's
/// own bill); a failed attempt to pay an existing bill leaves it as it was.
pub fn failure_makes_past_due(kind: OrderKind) -> bool {
    match kind {
        OrderKind::Renewal => true,
        OrderKind::InvoicePayment
        | OrderKind::Purchase
        | OrderKind::SeatIncrease
        | OrderKind::SeatDecrease => false,
    }
}

/// A set of states as a SQL list for `IN (…)`: `'active', 'past_due'`. The texts are the
/// enums' own constants, never input, so they are safe to splice into a query.
pub fn sql_list<T: Copy + WireText>(states: &[T]) -> String {
    states
        .iter()
        .map(|state| format!("'{}'", state.wire_text()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A state's stored text.
pub trait WireText {
    /// As stored in the database.
    fn wire_text(self) -> &'static str;
}

impl WireText for SubscriptionStatus {
    fn wire_text(self) -> &'static str {
        self.as_str()
    }
}

impl WireText for InvoiceStatus {
    fn wire_text(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_has_its_rights() {
        for &status in SubscriptionStatus::ALL {
            let ended = has_ended(status);
            assert_eq!(LIVE.contains(&status), !ended, "{status}");
            // Nothing that has ended takes licences, changes seats or can be cancelled.
            if ended {
                assert!(!may_assign(status) && !may_change_seats(status, false));
                assert!(!may_cancel(status, false));
                assert!(!may_reactivate(status, true, i64::MAX, 0));
            }
        }
        assert!(may_assign(Trialing) && !may_assign(Suspended));
        assert!(may_change_seats(PastDue, false) && !may_change_seats(Active, true));
        assert!(!may_change_seats(Trialing, false) && !may_change_seats(Suspended, false));
        assert!(may_cancel(Suspended, false) && !may_cancel(Active, true));
        assert!(may_reactivate(Active, true, 100, 99) && !may_reactivate(Active, true, 100, 100));
        assert!(!may_reactivate(Active, false, 100, 0));
    }

    #[test]
    fn periods_end_as_the_flags_say() {
        assert_eq!(at_period_end(Active, false), AtPeriodEnd::Renews);
        assert_eq!(at_period_end(Suspended, false), AtPeriodEnd::Renews);
        assert_eq!(at_period_end(PastDue, true), AtPeriodEnd::Ends(Canceled));
        assert_eq!(at_period_end(Trialing, false), AtPeriodEnd::Ends(Expired));
        assert_eq!(at_period_end(Trialing, true), AtPeriodEnd::Ends(Canceled));
        assert_eq!(at_period_end(Canceled, false), AtPeriodEnd::Nothing);
        assert_eq!(at_period_end(Expired, true), AtPeriodEnd::Nothing);
        assert!(
            RENEWS
                .iter()
                .all(|&s| at_period_end(s, false) == AtPeriodEnd::Renews)
        );
    }

    #[test]
    fn sql_lists_are_the_wire_texts() {
        assert_eq!(sql_list(SEATS_CHANGEABLE), "'active', 'past_due'");
        assert_eq!(sql_list(PAYABLE), "'open', 'past_due'");
        assert!(is_payable(InvoiceStatus::PastDue) && !is_payable(InvoiceStatus::Paid));
        assert!(failure_makes_past_due(OrderKind::Renewal));
        assert!(!failure_makes_past_due(OrderKind::InvoicePayment));
    }
}
