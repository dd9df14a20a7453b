//! Amounts and dates written for the recipient's market (the organisation's country), as the
//! app's `Intl` formatting writes them for a browser in that country: a mail has no browser.

use crate::domain::calendar::date_of;
use crate::http::language::Language;
use selfserve_api::money::Currency;

/// How a market writes numbers and where the currency goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Style {
    group: &'static str,
    decimal: char,
    symbol_after: bool,
    /// A space between a leading symbol and the number (`€ 1.234,50` in the Netherlands).
    spaced: bool,
}

fn style(country: Option<&str>) -> Style {
    const SYMBOL_AFTER_COMMA: &[&str] = &[
        "DE", "AT", "ES", "IT", "PT", "GR", "SK", "SI", "LT", "LV", "EE", "LU", "HR", "CY", "MT",
        "FI", "FR", "MC", "AD", "SM", "VA", "ME", "XK", "RE", "GP", "MQ", "GF", "YT",
    ];
    const SYMBOL_BEFORE_COMMA: &[&str] = &["NL", "BE"];
    const SPACE_GROUPED: &[&str] = &["FR", "FI", "LT", "LV", "EE", "SK", "MC"];
    let code = country.unwrap_or("US");
    let group = if SPACE_GROUPED.contains(&code) {
        "\u{202f}"
    } else if SYMBOL_AFTER_COMMA.contains(&code) || SYMBOL_BEFORE_COMMA.contains(&code) {
        "."
    } else {
        ","
    };
    if SYMBOL_AFTER_COMMA.contains(&code) {
        Style {
            group,
            decimal: ',',
            symbol_after: true,
            spaced: true,
        }
    } else if SYMBOL_BEFORE_COMMA.contains(&code) {
        Style {
            group,
            decimal: ',',
            symbol_after: false,
            spaced: true,
        }
    } else {
        Style {
            group,
            decimal: '.',
            symbol_after: false,
            spaced: false,
        }
    }
}

/// The currency's sign as people in `country` know it: `$` at home, `US$` abroad.
fn symbol(currency: Currency, country: Option<&str>) -> String {
    let home = |codes: &[&str]| country.is_some_and(|c| codes.contains(&c));
    match currency.as_str() {
        "eur" => "€".to_owned(),
        "gbp" => "£".to_owned(),
        "usd"
            if home(&[
                "US", "PR", "EC", "SV", "PA", "TL", "FM", "MH", "PW", "AS", "GU", "VI",
            ]) =>
        {
            "$".to_owned()
        }
        "usd" => "US$".to_owned(),
        "aud" if home(&["AU"]) => "$".to_owned(),
        "aud" => "A$".to_owned(),
        "cad" if home(&["CA"]) => "$".to_owned(),
        "cad" => "CA$".to_owned(),
        "jpy" if home(&["JP"]) => "￥".to_owned(),
        "jpy" => "JP¥".to_owned(),
        _ => currency.to_uppercase(),
    }
}

/// `1400` `usd` for the US → `$14.00`; `123450` `eur` for Germany → `1.234,50 €`.
pub fn money(amount_minor: i64, currency: Currency, country: Option<&str>) -> String {
    let style = style(country);
    let exponent = currency.minor_unit_exponent();
    let magnitude = amount_minor.unsigned_abs();
    let scale = 10u64.pow(exponent);
    let whole = (magnitude / scale).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push_str(style.group);
        }
        grouped.push(digit);
    }
    if exponent > 0 {
        let fraction = magnitude % scale;
        grouped.push(style.decimal);
        grouped.push_str(&format!("{fraction:0width$}", width = exponent as usize));
    }
    let sign = if amount_minor < 0 { "-" } else { "" };
    let symbol = symbol(currency, country);
    let space = if style.spaced { "\u{a0}" } else { "" };
    if style.symbol_after {
        format!("{sign}{grouped}\u{a0}{symbol}")
    } else {
        format!("{sign}{symbol}{space}{grouped}")
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Dutch month names, lowercase as Dutch writes them.
const MAANDEN: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A billing date in words, month first in the US: `December 24, 2026` / `24 December 2026`;
/// in Dutch `24 december 2026`.
pub fn date(timestamp: i64, country: Option<&str>, language: Language) -> String {
    let date = date_of(timestamp);
    let index = (date.month as usize).saturating_sub(1).min(11);
    match language {
        Language::Dutch => format!("{} {} {}", date.day, MAANDEN[index], date.year),
        Language::English if matches!(country, Some("US") | None) => {
            format!("{} {}, {}", MONTHS[index], date.day, date.year)
        }
        Language::English => format!("{} {} {}", date.day, MONTHS[index], date.year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_as_each_market_writes_them() {
        assert_eq!(money(1400, Currency::USD, Some("US")), "$14.00");
        assert_eq!(money(123_450, Currency::USD, Some("BR")), "US$1,234.50");
        assert_eq!(money(123_450, Currency::EUR, Some("DE")), "1.234,50\u{a0}€");
        assert_eq!(money(123_450, Currency::EUR, Some("NL")), "€\u{a0}1.234,50");
        assert_eq!(
            money(123_450, Currency::EUR, Some("FR")),
            "1\u{202f}234,50\u{a0}€"
        );
        assert_eq!(money(99, Currency::GBP, Some("GB")), "£0.99");
        assert_eq!(money(12_000, Currency::JPY, Some("JP")), "￥12,000");
        assert_eq!(money(-500, Currency::CAD, Some("CA")), "-$5.00");
    }

    #[test]
    fn dates_are_written_in_words() {
        // 2026-12-24 00:00 UTC.
        let at = 1_798_070_400;
        assert_eq!(date(at, Some("US"), Language::English), "December 24, 2026");
        assert_eq!(date(at, Some("NL"), Language::English), "24 December 2026");
        assert_eq!(date(at, Some("US"), Language::Dutch), "24 december 2026");
    }
}
