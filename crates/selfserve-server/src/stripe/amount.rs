//! Amounts as Stripe's API takes them. Ours are in the currency's ISO 4217 minor unit
//! ([`Currency::minor_unit_exponent`]); Stripe's differ for a few currencies
//! (<https://docs.stripe.com/currencies>, "Zero-decimal", "Three-decimal" and "Special cases"):
//!
//! - zero-decimal (BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF): whole units;
//!   MGA has a minor unit in ISO 4217 (2 decimals), so only whole ariary can be sent.
//! - ISK: zero-decimal for ISO, but Stripe keeps two decimals for backwards compatibility and
//!   takes only multiples of 100 (whole krónur).
//! - HUF and TWD: two decimals in charges (whole units only for payouts, which we never make).
//! - three-decimal (BHD JOD KWD OMR TND): three decimals whose last digit must be 0.
//! - every other currency: two decimals.
//!
//! An amount Stripe cannot take exactly is refused before anything is sent: charging a
//! rounded amount would make the bill and the charge disagree.

use selfserve_api::money::Currency;

/// An amount with a fraction Stripe does not accept in its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{amount} minor units of {currency} cannot be sent to Stripe exactly")]
pub struct NotExact {
    pub amount: i64,
    pub currency: Currency,
}

/// How many decimals Stripe's API amounts have in `currency`.
pub fn stripe_exponent(currency: Currency) -> u32 {
    match currency.as_str() {
        "bif" | "clp" | "djf" | "gnf" | "jpy" | "kmf" | "krw" | "mga" | "pyg" | "rwf" | "ugx"
        | "vnd" | "vuv" | "xaf" | "xof" | "xpf" => 0,
        "bhd" | "jod" | "kwd" | "omr" | "tnd" => 3,
        _ => 2,
    }
}

/// The multiple Stripe requires of an amount in its own unit (1: any).
fn stripe_step(currency: Currency) -> i64 {
    match currency.as_str() {
        "isk" => 100,
        "bhd" | "jod" | "kwd" | "omr" | "tnd" => 10,
        _ => 1,
    }
}

/// Our amount in `currency` as Stripe's API takes it.
pub fn to_stripe(amount: i64, currency: Currency) -> Result<i64, NotExact> {
    let ours = currency.minor_unit_exponent();
    let theirs = stripe_exponent(currency);
    let not_exact = NotExact { amount, currency };
    let converted = if theirs >= ours {
        amount
            .checked_mul(10_i64.pow(theirs - ours))
            .ok_or(not_exact)?
    } else {
        let divisor = 10_i64.pow(ours - theirs);
        if amount % divisor != 0 {
            return Err(not_exact);
        }
        amount / divisor
    };
    if converted % stripe_step(currency) != 0 {
        return Err(not_exact);
    }
    Ok(converted)
}

/// An amount Stripe reports (a refund, a dispute) in our minor units, rounded down where
/// Stripe's unit is finer than ours (never: the currencies of the table are exact).
pub fn from_stripe(amount: i64, currency: Currency) -> i64 {
    let ours = currency.minor_unit_exponent();
    let theirs = stripe_exponent(currency);
    if ours >= theirs {
        amount.saturating_mul(10_i64.pow(ours - theirs))
    } else {
        amount / 10_i64.pow(theirs - ours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn every_market_currency_and_each_special_case_is_sent_as_stripe_expects() {
        // (currency, our minor units, what Stripe gets, or None: refused)
        let table: &[(&str, i64, Option<i64>)] = &[
            // The markets' currencies (domain::market::currency_for).
            ("usd", 1_400, Some(1_400)),
            ("eur", 1_299, Some(1_299)),
            ("gbp", 1_099, Some(1_099)),
            ("aud", 2_100, Some(2_100)),
            ("cad", 1_900, Some(1_900)),
            ("jpy", 2_100, Some(2_100)),
            // Zero-decimal at both.
            ("krw", 15_000, Some(15_000)),
            ("ugx", 5, Some(5)),
            // ISK: zero-decimal for us, two decimals in multiples of 100 at Stripe.
            ("isk", 5, Some(500)),
            // HUF and TWD: two decimals in charges.
            ("huf", 1_050, Some(1_050)),
            ("twd", 9_999, Some(9_999)),
            // MGA: ISO has two decimals, Stripe none: whole ariary only.
            ("mga", 12_300, Some(123)),
            ("mga", 12_345, None),
            // Three decimals, the last one 0.
            ("kwd", 5_120, Some(5_120)),
            ("kwd", 5_124, None),
            // ISO three decimals, Stripe two: whole fils tenths only.
            ("iqd", 1_230, Some(123)),
            ("iqd", 1_234, None),
        ];
        for &(code, ours, expected) in table {
            let sent = to_stripe(ours, currency(code)).ok();
            assert_eq!(sent, expected, "{code} {ours}");
            if let Some(sent) = sent {
                assert_eq!(from_stripe(sent, currency(code)), ours, "{code} back");
            }
        }
    }
}
