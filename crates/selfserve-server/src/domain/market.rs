//! Markets: which countries self-service purchase is offered in, and which currency each one is
//! priced in.
//!
//! The allow-list is the product FAQ's list of 243 countries and regions
//! (`allowed-countries.tsv`, copied from the mission documents and embedded at compile time, so
//! a running server can never disagree with the list it was built with).

use selfserve_api::money::Currency;
use std::fmt;

const ALLOWED_COUNTRIES_TSV: &str = include_str!("allowed-countries.tsv");

/// An ISO 3166-1 alpha-2 country code, uppercase (`XK` for Kosovo is accepted as the FAQ lists it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

/// A text that is not two ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCountryCode;

impl CountryCode {
    /// The United States, the fallback market when a client states none.
    pub const US: Self = Self(*b"US");

    /// Parses two ASCII letters, in either case.
    pub fn parse(text: &str) -> Result<Self, InvalidCountryCode> {
        match text.trim().as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(InvalidCountryCode),
        }
    }

    /// The code, uppercase.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether self-service purchase is offered to organisations in `country`.
pub fn is_allowed_market(country: CountryCode) -> bool {
    allowed_countries().any(|(code, _)| code == country.as_str())
}

/// The allow-list as `(code, name)` pairs, in the file's order.
pub fn allowed_countries() -> impl Iterator<Item = (&'static str, &'static str)> {
    ALLOWED_COUNTRIES_TSV
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t'))
        .map(|(code, name)| (code.trim(), name.trim()))
}

/// The currency a market is priced in. Markets without a price list of their own pay in US
/// dollars, as the price book's fallback.
pub fn currency_for(country: CountryCode) -> Currency {
    const EURO: &[&str] = &[
        "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
        "MT", "NL", "PT", "SI", "SK", // euro area
        "AD", "MC", "SM", "VA", "ME", "XK", // use the euro by agreement or in practice
        "AX", "BL", "GF", "GP", "MF", "MQ", "PM", "RE", "TF", "YT", // territories
    ];
    const POUND: &[&str] = &["GB", "GG", "JE", "IM"];
    const AUSTRALIAN_DOLLAR: &[&str] = &["AU", "CX", "CC", "NF", "NR", "KI", "TV"];
    let code = country.as_str();
    if EURO.contains(&code) {
        Currency::EUR
    } else if POUND.contains(&code) {
        Currency::GBP
    } else if AUSTRALIAN_DOLLAR.contains(&code) {
        Currency::AUD
    } else if code == "CA" {
        Currency::CAD
    } else if code == "JP" {
        Currency::JPY
    } else {
        Currency::USD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_has_the_faqs_243_markets() {
        assert_eq!(allowed_countries().count(), 243);
        for (code, name) in allowed_countries() {
            assert!(CountryCode::parse(code).is_ok(), "{code} {name}");
            assert!(!name.is_empty());
        }
    }

    #[test]
    fn markets_in_and_out_of_the_list() {
        let allowed = |code: &str| is_allowed_market(CountryCode::parse(code).unwrap());
        for code in ["US", "NL", "GB", "JP", "XK", "AX", "us"] {
            assert!(allowed(code), "{code}");
        }
        // India, Cuba, Iran and North Korea are not in the FAQ's list.
        for code in ["IN", "CU", "IR", "KP", "ZZ"] {
            assert!(!allowed(code), "{code}");
        }
    }

    #[test]
    fn country_codes_are_two_letters() {
        assert_eq!(CountryCode::parse(" nl ").unwrap().as_str(), "NL");
        for bad in ["", "N", "NLD", "1A", "é1"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn currencies_by_market() {
        let currency = |code: &str| currency_for(CountryCode::parse(code).unwrap());
        assert_eq!(currency("NL"), Currency::EUR);
        assert_eq!(currency("GB"), Currency::GBP);
        assert_eq!(currency("JE"), Currency::GBP);
        assert_eq!(currency("CA"), Currency::CAD);
        assert_eq!(currency("AU"), Currency::AUD);
        assert_eq!(currency("JP"), Currency::JPY);
        assert_eq!(currency("US"), Currency::USD);
        assert_eq!(currency("BR"), Currency::USD, "fallback");
    }
}
