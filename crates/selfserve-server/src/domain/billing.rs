//! Billing arithmetic: prorated charges for seats added mid-period, renewal amounts, and the
//! grace period before an unpaid subscription is suspended.

use super::tax::tax_on;

/// How long an unpaid subscription stays usable (past due) before it is suspended.
pub const GRACE_PERIOD_SECONDS: i64 = 30 * 86_400;

/// The amounts of one charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amounts {
    /// Before tax.
    pub subtotal: i64,
    /// Tax on the subtotal.
    pub tax: i64,
    /// `subtotal + tax`.
    pub total: i64,
}

/// `subtotal` with tax at `tax_rate_bps`.
pub fn with_tax(subtotal: i64, tax_rate_bps: i64) -> Amounts {
    let tax = tax_on(subtotal, tax_rate_bps);
    Amounts {
        subtotal,
        tax,
        total: subtotal + tax,
    }
}

/// What adding `added` seats costs for the rest of the period `[start, end)` at `now`: the
/// full price times the fraction of the period left, by the second, rounded half up once
/// (Stripe's proration).
pub fn prorated_subtotal(unit_amount: i64, added: u32, now: i64, start: i64, end: i64) -> i64 {
    let length = i128::from((end - start).max(1));
    let left = i128::from((end - now).clamp(0, end - start));
    let full = i128::from(unit_amount) * i128::from(added);
    ((full * left * 2 + length) / (length * 2)) as i64
}

/// What is given back of `paid` for a period `[start, end)` ended at `now`: the fraction of
/// the period left, by the second, rounded up to the minor unit (the buyer's favour), never
/// more than `paid` and never below 0.
pub fn unused_refund(paid: i64, now: i64, start: i64, end: i64) -> i64 {
    let length = i128::from((end - start).max(1));
    let left = i128::from((end - now).clamp(0, end - start));
    let paid = i128::from(paid.max(0));
    ((paid * left + length - 1) / length) as i64
}

/// Whether a subscription past due since `since` is suspended at `now`.
pub fn grace_expired(since: i64, now: i64) -> bool {
    now - since >= GRACE_PERIOD_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn the_unused_refund_rounds_up_for_the_buyer_and_never_passes_what_was_paid() {
        let (start, end) = (0, 30 * DAY);
        assert_eq!(unused_refund(3_000, start, start, end), 3_000, "all of it");
        assert_eq!(unused_refund(3_000, 10 * DAY, start, end), 2_000);
        // 1000 × 1/3 = 333.33…: 334, the buyer's favour.
        assert_eq!(unused_refund(1_000, 20 * DAY, start, end), 334);
        // One second used of 1 minor unit: still 1.
        assert_eq!(unused_refund(1, 1, start, end), 1);
        assert_eq!(unused_refund(3_000, end, start, end), 0, "nothing left");
        assert_eq!(
            unused_refund(3_000, end + DAY, start, end),
            0,
            "after the end"
        );
        assert_eq!(
            unused_refund(3_000, start - DAY, start, end),
            3_000,
            "never more"
        );
        assert_eq!(unused_refund(0, 10 * DAY, start, end), 0);
    }

    #[test]
    fn proration_is_the_fraction_of_the_period_left() {
        let (start, end) = (0, 30 * DAY);
        assert_eq!(
            prorated_subtotal(1_400, 2, start, start, end),
            2_800,
            "whole period"
        );
        assert_eq!(
            prorated_subtotal(1_400, 2, 15 * DAY, start, end),
            1_400,
            "half"
        );
        assert_eq!(
            prorated_subtotal(1_400, 1, 10 * DAY, start, end),
            933,
            "2/3 of 14.00"
        );
        assert_eq!(
            prorated_subtotal(1_400, 1, 20 * DAY, start, end),
            467,
            "1/3, rounded up"
        );
        assert_eq!(
            prorated_subtotal(1_400, 3, end, start, end),
            0,
            "nothing left"
        );
        assert_eq!(
            prorated_subtotal(1_400, 3, end + DAY, start, end),
            0,
            "past the end"
        );
        assert_eq!(
            prorated_subtotal(1_400, 3, start - DAY, start, end),
            4_200,
            "not before"
        );
    }

    #[test]
    fn proration_does_not_overflow_at_the_limits() {
        let year = 366 * DAY;
        assert_eq!(
            prorated_subtotal(i64::from(u32::MAX), 2_500, year / 2, 0, year),
            i64::from(u32::MAX) * 1_250
        );
    }

    #[test]
    fn tax_is_added_once_on_the_subtotal() {
        assert_eq!(
            with_tax(7_050, 2_100),
            Amounts {
                subtotal: 7_050,
                tax: 1_481,
                total: 8_531
            }
        );
    }

    #[test]
    fn the_grace_period_is_thirty_days() {
        assert!(!grace_expired(0, 30 * DAY - 1));
        assert!(grace_expired(0, 30 * DAY));
    }
}
