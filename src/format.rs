//! Formatting for the reader's locale with the browser's own `Intl`, instead of shipping
//! locale data in the wasm.

use js_sys::{Array, Intl, Object, Reflect};
use selfserve_api::money::Currency;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// `1400` `usd` → `$14.00` (en-US) or `US$ 14,00` (nl-NL): the reader's locale, unless `locale`
/// names one (tests pin it).
pub fn money(amount_minor: i64, currency: Currency, locale: Option<&str>) -> String {
    let locale = locale.map_or_else(reader_locale, str::to_owned);
    let code = currency.to_uppercase();
    let formatter = kept(format!("money {locale} {code}"), || {
        let options = Object::new();
        let _ = Reflect::set(&options, &"style".into(), &"currency".into());
        let _ = Reflect::set(&options, &"currency".into(), &JsValue::from_str(&code));
        Intl::NumberFormat::new(&locales(&locale), &options).into()
    });
    // Display only: amounts are exact integers far below 2^53, so the division is exact enough
    // for Intl to round to the currency's own digits.
    let major = amount_minor as f64 / 10f64.powi(currency.minor_unit_exponent() as i32);
    formatted(&formatter, &JsValue::from_f64(major)).unwrap_or_else(|| {
        selfserve_api::money::Money::new(amount_minor, currency).to_plain_string()
    })
}

/// A count in the reader's locale: `10,000` (en), `10.000` (nl).
pub fn count(n: u64) -> String {
    let locale = reader_locale();
    let formatter = kept(format!("count {locale}"), || {
        Intl::NumberFormat::new(&locales(&locale), &Object::new()).into()
    });
    formatted(&formatter, &JsValue::from_f64(n as f64)).unwrap_or_else(|| n.to_string())
}

/// A date (unix seconds) in the reader's locale, long form: `24 December 2026`.
pub fn date(timestamp: i64, locale: Option<&str>) -> String {
    let locale = locale.map_or_else(reader_locale, str::to_owned);
    let formatter = kept(format!("date {locale}"), || {
        let options = Object::new();
        let _ = Reflect::set(&options, &"dateStyle".into(), &"long".into());
        Intl::DateTimeFormat::new(&locales(&locale), &options).into()
    });
    let when = js_sys::Date::new(&JsValue::from_f64(timestamp as f64 * 1000.0));
    formatted(&formatter, &when).unwrap_or_default()
}

/// The formatter built for `key` (what it formats, the locale, the currency), built by
/// `build` the first time.
///
/// Why: building an `Intl` formatter costs 28 µs (currency) to 59 µs (long date) in
/// Chromium, against 3 µs to format with one kept, and a table formats an amount and a date
/// or more per row. The keys are few: the locales and currencies a reader sees.
fn kept(key: String, build: impl FnOnce() -> JsValue) -> JsValue {
    // A list, not a map: a handful of keys, and a map's code costs the checkout's download.
    thread_local! {
        static KEPT: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
    }
    KEPT.with(|kept| {
        if let Some((_, formatter)) = kept.borrow().iter().find(|(known, _)| *known == key) {
            return formatter.clone();
        }
        let formatter = build();
        kept.borrow_mut().push((key, formatter.clone()));
        formatter
    })
}

/// `value` through an `Intl` formatter's `format`.
fn formatted(formatter: &JsValue, value: &JsValue) -> Option<String> {
    Reflect::get(formatter, &"format".into())
        .ok()
        .and_then(|format| format.dyn_into::<js_sys::Function>().ok())
        .and_then(|format| format.call1(&JsValue::UNDEFINED, value).ok())
        .and_then(|text| text.as_string())
}

fn locales(locale: &str) -> Array {
    Array::of1(&JsValue::from_str(locale))
}

/// The chosen language with the region of the browser's own language: `nl` chosen in an
/// `en-GB` browser formats as `nl-GB`, English in an `nl-NL` browser as `en-NL`.
pub fn reader_locale() -> String {
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    locale_for(crate::i18n::current_language(), &browser)
}

/// The language's code with the region of `browser_tag`, or alone when that names no region.
pub fn locale_for(language: crate::i18n::Language, browser_tag: &str) -> String {
    match region(browser_tag) {
        Some(region) => language.locale(&region),
        None => language.code().to_owned(),
    }
}

/// A tax rate for the reader: `8.1` in English, `8,1` in Dutch.
pub fn percent(bps: i64) -> String {
    let text = percent_from_bps(bps);
    match crate::i18n::current_language() {
        crate::i18n::Language::English => text,
        crate::i18n::Language::Dutch => text.replace('.', ","),
    }
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
    region(language).unwrap_or_else(|| "US".to_owned())
}

fn region(language: &str) -> Option<String> {
    language
        .split(['-', '_'])
        .skip(1)
        .find(|part| part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
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
        "{} {}",
        card_short(brand, last4),
        card_expiry(exp_month, exp_year)
    )
}

/// A card's expiry as printed on it: `(12/34)`.
pub fn card_expiry(exp_month: u32, exp_year: u32) -> String {
    format!("({exp_month:02}/{:02})", exp_year % 100)
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

    #[test]
    fn the_chosen_language_keeps_the_browser_region() {
        use crate::i18n::Language;
        assert_eq!(locale_for(Language::Dutch, "nl-NL"), "nl-NL");
        assert_eq!(locale_for(Language::English, "nl-NL"), "en-NL");
        assert_eq!(locale_for(Language::English, "en-GB"), "en-GB");
        assert_eq!(locale_for(Language::Dutch, "en-US"), "nl-US");
        assert_eq!(locale_for(Language::Dutch, "nl"), "nl");
    }
}
