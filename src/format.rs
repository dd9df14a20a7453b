//! Formatting for the reader's locale with the browser's own `Intl`, instead of shipping
//! locale data in the wasm.

use js_sys::{Array, Intl, Object, Reflect};
use selfserve_api::money::Currency;
use wasm_bindgen::JsValue;

/// `1400` `usd` → `$14.00` (en-US) or `US$ 14,00` (nl-NL): the reader's locale, unless `locale`
/// names one (tests pin it).
pub fn money(amount_minor: i64, currency: Currency, locale: Option<&str>) -> String {
    let options = Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = Reflect::set(&options, &JsValue::from_str(key), value);
    };
    set("style", &JsValue::from_str("currency"));
    set("currency", &JsValue::from_str(&currency.to_uppercase()));
    let locales = Array::new();
    if let Some(locale) = locale {
        locales.push(&JsValue::from_str(locale));
    }
    let formatter = Intl::NumberFormat::new(&locales, &options);
    // Display only: amounts are exact integers far below 2^53, so the division is exact enough
    // for Intl to round to the currency's own digits.
    let major = amount_minor as f64 / 10f64.powi(currency.minor_unit_exponent() as i32);
    formatter
        .format()
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(major))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| {
            selfserve_api::money::Money::new(amount_minor, currency).to_plain_string()
        })
}

/// A date (unix seconds) in the reader's locale, long form: `24 December 2026`.
pub fn date(timestamp: i64, locale: Option<&str>) -> String {
    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &JsValue::from_str("dateStyle"),
        &JsValue::from_str("long"),
    );
    let locales = Array::new();
    if let Some(locale) = locale {
        locales.push(&JsValue::from_str(locale));
    }
    let formatter = Intl::DateTimeFormat::new(&locales, &options);
    let when = js_sys::Date::new(&JsValue::from_f64(timestamp as f64 * 1000.0));
    formatter
        .format()
        .call1(&JsValue::UNDEFINED, &when)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// A rate in basis points as a percentage without trailing zeros: 2100 → `21`, 810 → `8.1`,
/// 2550 → `25.5` (integer arithmetic: no float formatting code in the wasm).
pub fn percent_from_bps(bps: i64) -> String {
    let (whole, fraction) = (bps / 100, bps % 100);
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

/// The market to show prices for before sign-in: the region of the browser's language
/// (`nl-NL` → `NL`), or the United States when the language names no region.
pub fn browser_market() -> String {
    let language = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    market_from_language(&language)
}

/// The region subtag of a BCP 47 language tag, uppercase; `US` when there is none.
pub fn market_from_language(language: &str) -> String {
    language
        .split(['-', '_'])
        .skip(1)
        .find(|part| part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()))
        .map_or_else(|| "US".to_owned(), str::to_ascii_uppercase)
}

/// A card as people recognise it: `Visa •••• 4242`.
pub fn card_short(brand: selfserve_api::card::CardBrand, last4: &str) -> String {
    format!("{} •••• {last4}", brand.display_name())
}

/// The same with its expiry, where a choice between cards is made: `Visa •••• 4242 (12/34)`.
pub fn card(
    brand: selfserve_api::card::CardBrand,
    last4: &str,
    exp_month: u32,
    exp_year: u32,
) -> String {
    format!(
        "{} ({exp_month:02}/{:02})",
        card_short(brand, last4),
        exp_year % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_print_as_short_percentages() {
        assert_eq!(percent_from_bps(2100), "21");
        assert_eq!(percent_from_bps(810), "8.1");
        assert_eq!(percent_from_bps(2550), "25.5");
        assert_eq!(percent_from_bps(0), "0");
        assert_eq!(percent_from_bps(1005), "10.05");
    }

    #[test]
    fn markets_come_from_the_region_subtag() {
        assert_eq!(market_from_language("nl-NL"), "NL");
        assert_eq!(market_from_language("en-gb"), "GB");
        assert_eq!(market_from_language("zh-Hant-TW"), "TW");
        assert_eq!(market_from_language("en"), "US");
        assert_eq!(market_from_language(""), "US");
        assert_eq!(market_from_language("es-419"), "US");
    }
}
