//! Money in integer minor units (cents, pence, yen). Never a float: a total must equal the sum of
//! its lines to the last unit, on the server, in the database and in the app.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code, stored lowercase as Stripe writes it (`usd`, `eur`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// Why a text is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCurrency;

impl Currency {
    /// United States dollar.
    pub const USD: Self = Self(*b"usd");
    /// Euro.
    pub const EUR: Self = Self(*b"eur");
    /// Pound sterling.
    pub const GBP: Self = Self(*b"gbp");
    /// Japanese yen (no minor unit).
    pub const JPY: Self = Self(*b"jpy");
    /// Canadian dollar.
    pub const CAD: Self = Self(*b"cad");
    /// Australian dollar.
    pub const AUD: Self = Self(*b"aud");

    /// Parses three ASCII letters, in either case.
    pub fn parse(code: &str) -> Result<Self, InvalidCurrency> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(InvalidCurrency);
        }
        Ok(Self([
            bytes[0].to_ascii_lowercase(),
            bytes[1].to_ascii_lowercase(),
            bytes[2].to_ascii_lowercase(),
        ]))
    }

    /// The lowercase code.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("xxx")
    }

    /// The uppercase code, as `Intl.NumberFormat` and invoices print it.
    pub fn to_uppercase(&self) -> String {
        self.as_str().to_ascii_uppercase()
    }

    /// How many decimal places the minor unit has (ISO 4217 exponent).
    pub fn minor_unit_exponent(&self) -> u32 {
        match self.as_str() {
            "bif" | "clp" | "djf" | "gnf" | "isk" | "jpy" | "kmf" | "krw" | "pyg" | "rwf"
            | "ugx" | "vnd" | "vuv" | "xaf" | "xof" | "xpf" => 0,
            "bhd" | "iqd" | "jod" | "kwd" | "lyd" | "omr" | "tnd" => 3,
            _ => 2,
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text)
            .map_err(|_| serde::de::Error::custom("expected a 3-letter currency code"))
    }
}

/// Why a typed amount is not a price in its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidAmount {
    /// Nothing was typed.
    Empty,
    /// Not a plain number (letters, signs, several separators).
    NotANumber,
    /// More decimals than the currency has (any for yen).
    TooManyDecimals {
        /// The currency's decimals.
        allowed: u32,
    },
    /// Larger than any price this system takes.
    TooLarge,
}

impl fmt::Display for InvalidAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Enter an amount."),
            Self::NotANumber => f.write_str("Enter the amount as a number, such as 9.90."),
            Self::TooManyDecimals { allowed: 0 } => {
                f.write_str("This currency has no decimals: enter a whole number.")
            }
            Self::TooManyDecimals { allowed } => {
                write!(f, "Enter at most {allowed} decimals.")
            }
            Self::TooLarge => f.write_str("The amount is too large."),
        }
    }
}

/// An amount in a currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Amount in minor units (cents for `usd`, yen for `jpy`).
    pub amount: i64,
    /// The currency of `amount`.
    pub currency: Currency,
}

impl Money {
    /// An amount in minor units.
    pub fn new(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Parses an amount a person typed (`9.90`, `9,90`, `990` for yen) into minor units of
    /// `currency`, exactly: never through a float, and never assuming two decimals.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, InvalidAmount> {
        /// A hundred million major units: far above any seat price.
        const MAX_MAJOR: u64 = 100_000_000;
        let text = text.trim();
        if text.is_empty() {
            return Err(InvalidAmount::Empty);
        }
        let (whole, fraction) = match text.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
            return Err(InvalidAmount::NotANumber);
        }
        let exponent = currency.minor_unit_exponent();
        let fraction = fraction.unwrap_or("");
        if fraction.len() > exponent as usize {
            return Err(InvalidAmount::TooManyDecimals { allowed: exponent });
        }
        let whole: u64 = whole.parse().map_err(|_| InvalidAmount::TooLarge)?;
        if whole > MAX_MAJOR {
            return Err(InvalidAmount::TooLarge);
        }
        let scale = 10u64.pow(exponent);
        let padded = format!("{fraction:0<width$}", width = exponent as usize);
        let minor = if exponent == 0 {
            0
        } else {
            padded
                .parse::<u64>()
                .map_err(|_| InvalidAmount::NotANumber)?
        };
        Ok(Self::new((whole * scale + minor) as i64, currency))
    }

    /// A plain, locale-independent rendering (`USD 14.00`), for logs, CSV and tests; the app
    /// formats for the reader's locale with `Intl.NumberFormat` instead.
    pub fn to_plain_string(&self) -> String {
        let exponent = self.currency.minor_unit_exponent();
        let sign = if self.amount < 0 { "-" } else { "" };
        let magnitude = self.amount.unsigned_abs();
        let code = self.currency.to_uppercase();
        if exponent == 0 {
            return format!("{code} {sign}{magnitude}");
        }
        let scale = 10u64.pow(exponent);
        let whole = magnitude / scale;
        let fraction = magnitude % scale;
        format!(
            "{code} {sign}{whole}.{fraction:0width$}",
            width = exponent as usize
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("ISO 4217 currency code, lowercase"))
            .pattern(Some("^[a-z]{3}$"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Currency {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_normalised_and_validated() {
        assert_eq!(Currency::parse("EUR"), Ok(Currency::EUR));
        assert_eq!(Currency::parse("eur").unwrap().as_str(), "eur");
        assert!(Currency::parse("eu").is_err());
        assert!(Currency::parse("e1r").is_err());
        assert!(Currency::parse("euro").is_err());
    }

    #[test]
    fn plain_rendering_respects_the_minor_unit() {
        assert_eq!(
            Money::new(1400, Currency::USD).to_plain_string(),
            "USD 14.00"
        );
        assert_eq!(Money::new(5, Currency::EUR).to_plain_string(), "EUR 0.05");
        assert_eq!(
            Money::new(-250, Currency::GBP).to_plain_string(),
            "GBP -2.50"
        );
        assert_eq!(
            Money::new(2100, Currency::JPY).to_plain_string(),
            "JPY 2100"
        );
        let dinar = Currency::parse("kwd").unwrap();
        assert_eq!(Money::new(4250, dinar).to_plain_string(), "KWD 4.250");
    }

    #[test]
    fn typed_amounts_parse_in_the_currencys_minor_unit() {
        assert_eq!(
            Money::parse("9.90", Currency::USD),
            Ok(Money::new(990, Currency::USD))
        );
        assert_eq!(
            Money::parse(" 9,9 ", Currency::EUR),
            Ok(Money::new(990, Currency::EUR))
        );
        assert_eq!(
            Money::parse("12", Currency::GBP),
            Ok(Money::new(1200, Currency::GBP))
        );
        // A yen price is whole yen, not hundredths of one.
        assert_eq!(
            Money::parse("990", Currency::JPY),
            Ok(Money::new(990, Currency::JPY))
        );
        assert_eq!(
            Money::parse("990.5", Currency::JPY),
            Err(InvalidAmount::TooManyDecimals { allowed: 0 })
        );
        let dinar = Currency::parse("kwd").unwrap();
        assert_eq!(Money::parse("4.25", dinar), Ok(Money::new(4250, dinar)));
        assert_eq!(
            Money::parse("1.999", Currency::USD),
            Err(InvalidAmount::TooManyDecimals { allowed: 2 })
        );
        for bad in ["-1", "1.2.3", "abc", "1e3", ".5", "5.", "1 000"] {
            assert_eq!(
                Money::parse(bad, Currency::USD),
                Err(InvalidAmount::NotANumber),
                "{bad}"
            );
        }
        assert_eq!(Money::parse("", Currency::USD), Err(InvalidAmount::Empty));
        assert_eq!(
            Money::parse("100000001", Currency::USD),
            Err(InvalidAmount::TooLarge)
        );
        assert_eq!(
            Money::parse("99999999999999999999999", Currency::USD),
            Err(InvalidAmount::TooLarge)
        );
    }

    #[test]
    fn currency_round_trips_through_json_lowercase() {
        let json = serde_json::to_string(&Money::new(1, Currency::GBP)).unwrap();
        assert_eq!(json, r#"{"amount":1,"currency":"gbp"}"#);
        let back: Money = serde_json::from_str(r#"{"amount":1,"currency":"GBP"}"#).unwrap();
        assert_eq!(back.currency, Currency::GBP);
    }
}
