//! Amounts, counts and dates through the browser's `Intl`, with the formatters kept between
//! calls: each locale and currency still gets its own.

#![cfg(target_arch = "wasm32")]

use selfserve::format;
use selfserve_api::money::Currency;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// 24 December 2026, 12:00 UTC.
const CHRISTMAS_EVE: i64 = 1_798_113_600;

#[wasm_bindgen_test]
fn each_locale_and_currency_keeps_a_formatter_of_its_own() {
    for _ in 0..2 {
        let dollars_en = format::money(1400, Currency::USD, Some("en-US"));
        let euros_en = format::money(1400, Currency::EUR, Some("en-US"));
        let dollars_nl = format::money(1400, Currency::USD, Some("nl-NL"));
        let euros_nl = format::money(1400, Currency::EUR, Some("nl-NL"));
        assert_eq!(dollars_en, "$14.00");
        assert!(
            euros_en.contains('€') && euros_en.contains("14.00"),
            "{euros_en}"
        );
        assert!(
            dollars_nl.contains('$') && dollars_nl.contains("14,00"),
            "{dollars_nl}"
        );
        assert!(
            euros_nl.contains('€') && euros_nl.contains("14,00"),
            "{euros_nl}"
        );
        // A currency without minor units.
        assert!(
            format::money(1400, Currency::JPY, Some("en-US")).contains("1,400"),
            "{}",
            format::money(1400, Currency::JPY, Some("en-US"))
        );

        assert_eq!(
            format::date(CHRISTMAS_EVE, Some("en-US")),
            "December 24, 2026"
        );
        assert_eq!(
            format::date(CHRISTMAS_EVE, Some("nl-NL")),
            "24 december 2026"
        );
    }
}
