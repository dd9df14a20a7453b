//! Guardrails: whether a purchase, seat increase or trial fits under an organisation's limits
//! for the product, given what is already bought. Pure: the store counts, this decides.

use super::calendar::{Date, add_months, date_of, days_from_civil};
use selfserve_api::guardrails::{Guardrails, LimitKind, ReachedLimit};
use selfserve_api::money::Currency;

/// What the organisation already has of the product, counted under the guardrail's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Seats of live self-service subscriptions (trials included) and of purchases and seat
    /// increases still being charged.
    pub seats: i64,
    /// Charged (or being charged) for self-service purchases and seat increases this month.
    pub spent: i64,
}

/// What is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Seats the purchase (or the subscription after the increase, or the trial) will have.
    pub seats_in_purchase: i64,
    /// Seats it adds to the organisation's count.
    pub seats_added: i64,
    /// What it charges now (zero for a trial, which charges nothing and so spends nothing).
    pub amount: i64,
    /// The organisation's currency, named in a reached `monthly_cap`.
    pub currency: Currency,
}

/// The calendar month (UTC) holding `now`: `[start, end)` in unix seconds. The monthly cap
/// counts what was charged in it, by the server's clock (the test clock moves it too).
pub fn month_of(now: i64) -> (i64, i64) {
    let date = date_of(now);
    let start = days_from_civil(Date {
        year: date.year,
        month: date.month,
        day: 1,
    }) * 86_400;
    (start, add_months(start, 1))
}

/// `Ok` when `request` fits under every limit, else the first limit it goes past (per
/// purchase, then the organisation's seats, then the month's spend).
pub fn check(limits: &Guardrails, usage: Usage, request: Request) -> Result<(), ReachedLimit> {
    if let Some(max) = limits.max_seats_per_purchase {
        let max = i64::from(max.get());
        if request.seats_in_purchase > max {
            let already = request.seats_in_purchase - request.seats_added;
            return Err(seats(LimitKind::MaxSeatsPerPurchase, max, max - already));
        }
    }
    if let Some(max) = limits.max_seats {
        let max = i64::from(max.get());
        if usage.seats.saturating_add(request.seats_added) > max {
            return Err(seats(LimitKind::MaxSeats, max, max - usage.seats));
        }
    }
    if let Some(cap) = limits.monthly_cap
        && request.amount > 0
        && usage.spent.saturating_add(request.amount) > cap.get()
    {
        return Err(ReachedLimit {
            kind: LimitKind::MonthlyCap,
            value: cap.get(),
            available: (cap.get() - usage.spent).max(0),
            currency: Some(request.currency),
        });
    }
    Ok(())
}

fn seats(kind: LimitKind, value: i64, available: i64) -> ReachedLimit {
    ReachedLimit {
        kind,
        value,
        available: available.max(0),
        currency: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selfserve_api::guardrails::{SeatLimit, SpendCap};

    fn eur() -> Currency {
        Currency::parse("eur").unwrap()
    }

    fn limits() -> Guardrails {
        Guardrails {
            max_seats_per_purchase: Some(
                SeatLimit::new(10, LimitKind::MaxSeatsPerPurchase).unwrap(),
            ),
            max_seats: Some(SeatLimit::new(25, LimitKind::MaxSeats).unwrap()),
            monthly_cap: Some(SpendCap::new(100_000).unwrap()),
        }
    }

    fn buy(seats: i64, amount: i64) -> Request {
        Request {
            seats_in_purchase: seats,
            seats_added: seats,
            amount,
            currency: eur(),
        }
    }

    #[test]
    fn each_limit_refuses_one_past_it_and_says_what_is_left() {
        let used = Usage {
            seats: 20,
            spent: 90_000,
        };
        assert_eq!(check(&limits(), used, buy(5, 10_000)), Ok(()));
        assert_eq!(
            check(&limits(), used, buy(11, 0)).unwrap_err().kind,
            LimitKind::MaxSeatsPerPurchase
        );
        let org = check(&limits(), used, buy(6, 0)).unwrap_err();
        assert_eq!(
            (org.kind, org.value, org.available),
            (LimitKind::MaxSeats, 25, 5)
        );
        let spend = check(&limits(), used, buy(1, 10_001)).unwrap_err();
        assert_eq!(
            (spend.kind, spend.available, spend.currency),
            (LimitKind::MonthlyCap, 10_000, Some(eur()))
        );
    }

    #[test]
    fn a_spend_or_seat_count_near_the_integer_limit_is_refused_not_overflowed() {
        let huge = Usage {
            seats: 0,
            spent: i64::MAX - 5,
        };
        let refused = check(&limits(), huge, buy(1, 10)).unwrap_err();
        assert_eq!(
            (refused.kind, refused.available),
            (LimitKind::MonthlyCap, 0)
        );
        let crowded = Usage {
            seats: i64::MAX - 1,
            spent: 0,
        };
        let refused = check(&limits(), crowded, buy(5, 10)).unwrap_err();
        assert_eq!(refused.kind, LimitKind::MaxSeats);
    }

    #[test]
    fn no_limits_allow_anything_and_trials_spend_nothing() {
        let big = Usage {
            seats: 1_000_000,
            spent: i64::MAX / 2,
        };
        assert_eq!(
            check(&Guardrails::default(), big, buy(2500, 1_000_000)),
            Ok(())
        );
        assert_eq!(
            check(
                &limits(),
                Usage {
                    seats: 0,
                    spent: 100_000
                },
                buy(3, 0)
            ),
            Ok(())
        );
    }

    #[test]
    fn a_seat_increase_counts_the_subscription_against_the_per_purchase_limit() {
        let increase = Request {
            seats_in_purchase: 12,
            seats_added: 4,
            amount: 0,
            currency: eur(),
        };
        let reached = check(&limits(), Usage::default(), increase).unwrap_err();
        assert_eq!(
            (reached.kind, reached.available),
            (LimitKind::MaxSeatsPerPurchase, 2)
        );
    }

    #[test]
    fn months_are_calendar_months_in_utc() {
        // 2027-02-14T12:00:00Z
        let (start, end) = month_of(1_802_606_400);
        assert_eq!(crate::domain::calendar::iso_date(start), "2027-02-01");
        assert_eq!(crate::domain::calendar::iso_date(end), "2027-03-01");
        assert_eq!(start % 86_400, 0);
    }
}
