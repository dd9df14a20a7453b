//! What a purchase costs: the quote is computed here once, shown to the buyer, and charged as
//! is. Amounts are integer minor units; tax is rounded once, on the subtotal.

use super::calendar::add_months;
use super::market::{CountryCode, currency_for};
use super::price_book::unit_price;
use super::tax::{rate_bps, tax_on};
use selfserve_api::product::{Interval, ProductId, SeatCount};
use selfserve_api::purchase::Quote;

/// The price of `quantity` seats of `product` for an organisation in `country`, for one month
/// starting `now`.
pub fn quote(product: ProductId, country: CountryCode, quantity: SeatCount, now: i64) -> Quote {
    let unit = unit_price(product, currency_for(country));
    let quantity = quantity.get();
    let subtotal = unit.amount * i64::from(quantity);
    let tax_rate_bps = rate_bps(country);
    let tax = tax_on(subtotal, tax_rate_bps);
    Quote {
        product,
        unit_amount: unit.amount,
        quantity,
        subtotal,
        tax,
        tax_rate_bps,
        total: subtotal + tax,
        currency: unit.currency,
        interval: Interval::Month,
        period_start: now,
        period_end: add_months(now, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selfserve_api::money::Currency;

    fn seats(n: i64) -> SeatCount {
        SeatCount::new(n, ProductId::PowerBiPro.seat_limits()).unwrap()
    }

    #[test]
    fn a_dutch_quote_has_euro_prices_and_21_percent_vat() {
        let country = CountryCode::parse("NL").unwrap();
        let q = quote(ProductId::PowerBiPro, country, seats(5), 1_764_000_000);
        assert_eq!(q.currency, Currency::EUR);
        assert_eq!(q.unit_amount, 1_410);
        assert_eq!(q.subtotal, 7_050);
        assert_eq!(q.tax, 1_481);
        assert_eq!(q.total, 8_531);
        assert_eq!(q.period_start, 1_764_000_000);
        assert_eq!(q.period_end, add_months(1_764_000_000, 1));
    }

    #[test]
    fn totals_are_always_the_sum_of_their_parts() {
        for country in ["US", "GB", "JP", "NL", "BR"] {
            let country = CountryCode::parse(country).unwrap();
            for product in ProductId::ALL {
                for n in [1, 2, 7, 99, 2_500] {
                    let q = quote(product, country, seats(n), 0);
                    assert_eq!(q.subtotal, q.unit_amount * n);
                    assert_eq!(q.total, q.subtotal + q.tax);
                    assert!(q.tax >= 0);
                }
            }
        }
    }
}
