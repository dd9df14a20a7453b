//! Card rules: brand detection, live formatting, Luhn, expiry and CVC length.
//!
//! One implementation serves the card form (as the buyer types) and the test gateway (when it
//! tokenises), so the form never accepts a number the gateway refuses or the other way round.
//! A [`CardNumber`] never prints its digits: its `Debug` shows the brand and last four only.

use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

wire_enum! {
    /// Card networks recognised from the number's first digits.
    pub enum CardBrand {
        /// Visa.
        Visa => "visa",
        /// Mastercard.
        Mastercard => "mastercard",
        /// American Express.
        Amex => "amex",
        /// Discover.
        Discover => "discover",
        /// Diners Club.
        Diners => "diners",
        /// JCB.
        Jcb => "jcb",
        /// UnionPay.
        Unionpay => "unionpay",
        /// Not recognised (yet): the number may still be valid.
        Unknown => "unknown",
    }
}

impl CardBrand {
    /// Recognises the brand from the digits typed so far (non-digits are ignored).
    pub fn detect(number: &str) -> Self {
        let digits: String = number
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let prefix = |len: usize| -> u32 {
            digits
                .get(..len.min(digits.len()))
                .and_then(|p| p.parse().ok())
                .unwrap_or(0)
        };
        let (p1, p2, p3, p4) = (prefix(1), prefix(2), prefix(3), prefix(4));
        let has = |len: usize| digits.len() >= len;
        if has(1) && p1 == 4 {
            Self::Visa
        } else if has(2) && (51..=55).contains(&p2) || has(4) && (2221..=2720).contains(&p4) {
            Self::Mastercard
        } else if has(2) && (p2 == 34 || p2 == 37) {
            Self::Amex
        } else if has(4) && p4 == 6011 || has(3) && (644..=649).contains(&p3) || has(2) && p2 == 65
        {
            Self::Discover
        } else if has(4) && (3528..=3589).contains(&p4) {
            Self::Jcb
        } else if has(3) && (300..=305).contains(&p3) || has(2) && matches!(p2, 36 | 38 | 39) {
            Self::Diners
        } else if has(2) && p2 == 62 {
            Self::Unionpay
        } else {
            Self::Unknown
        }
    }

    /// The lengths a complete number of this brand may have.
    pub fn valid_lengths(self) -> &'static [usize] {
        match self {
            Self::Visa => &[13, 16, 19],
            Self::Mastercard => &[16],
            Self::Amex => &[15],
            Self::Diners => &[14, 16, 17, 18, 19],
            Self::Discover | Self::Jcb | Self::Unionpay => &[16, 17, 18, 19],
            Self::Unknown => &[12, 13, 14, 15, 16, 17, 18, 19],
        }
    }

    /// How many digits the security code has.
    pub fn cvc_length(self) -> usize {
        match self {
            Self::Amex => 4,
            _ => 3,
        }
    }

    /// How the digits are grouped for display (`4242 4242 4242 4242`, `3782 822463 10005`).
    pub fn groups(self) -> &'static [usize] {
        match self {
            Self::Amex => &[4, 6, 5],
            Self::Diners => &[4, 6, 4, 5],
            _ => &[4, 4, 4, 4, 3],
        }
    }

    /// The longest number of this brand.
    pub fn max_length(self) -> usize {
        self.valid_lengths().iter().copied().max().unwrap_or(19)
    }

    /// The name printed on receipts.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Visa => "Visa",
            Self::Mastercard => "Mastercard",
            Self::Amex => "American Express",
            Self::Discover => "Discover",
            Self::Diners => "Diners Club",
            Self::Jcb => "JCB",
            Self::Unionpay => "UnionPay",
            Self::Unknown => "Card",
        }
    }
}

/// Formats what the buyer typed as they type it: digits only, grouped by brand, cut at the
/// brand's longest length.
pub fn format_number(input: &str) -> String {
    let brand = CardBrand::detect(input);
    let digits: Vec<char> = input
        .chars()
        .filter(char::is_ascii_digit)
        .take(brand.max_length())
        .collect();
    let mut out = String::with_capacity(digits.len() + 4);
    let mut rest = digits.as_slice();
    for &group in brand.groups() {
        if rest.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let (head, tail) = rest.split_at(group.min(rest.len()));
        out.extend(head);
        rest = tail;
    }
    out.extend(rest);
    out
}

/// The Luhn (mod 10) checksum over the digits of `number`.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A complete card number that passed the brand's length rule and Luhn.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber {
    digits: String,
    brand: CardBrand,
}

/// Why a card field was refused. The codes match the gateway's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardError {
    /// The number is incomplete, too long or fails Luhn (`incorrect_number`).
    IncorrectNumber,
    /// The month is not 1–12 (`invalid_expiry_month`).
    InvalidExpiryMonth,
    /// The year is not a plausible year (`invalid_expiry_year`).
    InvalidExpiryYear,
    /// The card expired before this month (`expired_card`).
    Expired,
    /// The security code does not have the brand's length (`invalid_cvc`).
    InvalidCvc,
}

impl CardError {
    /// The code the gateway answers with.
    pub fn code(self) -> &'static str {
        match self {
            Self::IncorrectNumber => "incorrect_number",
            Self::InvalidExpiryMonth => "invalid_expiry_month",
            Self::InvalidExpiryYear => "invalid_expiry_year",
            Self::Expired => "expired_card",
            Self::InvalidCvc => "invalid_cvc",
        }
    }

    /// The form field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            Self::IncorrectNumber => "number",
            Self::InvalidExpiryMonth | Self::InvalidExpiryYear | Self::Expired => "exp",
            Self::InvalidCvc => "cvc",
        }
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IncorrectNumber => "Your card number is incomplete or incorrect.",
            Self::InvalidExpiryMonth => "The expiry month must be between 01 and 12.",
            Self::InvalidExpiryYear => "The expiry year is not valid.",
            Self::Expired => "Your card has expired.",
            Self::InvalidCvc => "Your card's security code is incomplete.",
        })
    }
}

impl CardNumber {
    /// Parses a number, ignoring spaces and dashes.
    pub fn parse(input: &str) -> Result<Self, CardError> {
        if !input
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        {
            return Err(CardError::IncorrectNumber);
        }
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        let brand = CardBrand::detect(&digits);
        if !brand.valid_lengths().contains(&digits.len()) || !luhn_valid(&digits) {
            return Err(CardError::IncorrectNumber);
        }
        Ok(Self { digits, brand })
    }

    /// The card network.
    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    /// The last four digits, the only part ever stored or shown.
    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// The digits. Only the gateway, at tokenisation, has a reason to call this.
    pub fn digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({:?} …{})", self.brand, self.last4())
    }
}

/// A card's expiry month and four-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expiry {
    /// 1–12.
    pub month: u32,
    /// Four-digit year.
    pub year: u32,
}

impl Expiry {
    /// Validates an expiry against the current month: a card is valid through the last day of
    /// its expiry month. Two-digit years mean 20xx.
    pub fn new(month: u32, year: u32, today: (u32, u32)) -> Result<Self, CardError> {
        if !(1..=12).contains(&month) {
            return Err(CardError::InvalidExpiryMonth);
        }
        let year = if year < 100 { 2000 + year } else { year };
        let (this_year, this_month) = today;
        if !(2000..=this_year + 50).contains(&year) {
            return Err(CardError::InvalidExpiryYear);
        }
        if (year, month) < (this_year, this_month) {
            return Err(CardError::Expired);
        }
        Ok(Self { month, year })
    }

    /// Parses the form's `MM / YY` field.
    pub fn parse(input: &str, today: (u32, u32)) -> Result<Self, CardError> {
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 4 && digits.len() != 6 {
            return Err(CardError::InvalidExpiryYear);
        }
        let month = digits[..2]
            .parse()
            .map_err(|_| CardError::InvalidExpiryMonth)?;
        let year = digits[2..]
            .parse()
            .map_err(|_| CardError::InvalidExpiryYear)?;
        Self::new(month, year, today)
    }
}

/// Formats the expiry field as typed: `1` → `1`, `12` → `12 / `, `1228` → `12 / 28`.
pub fn format_expiry(input: &str) -> String {
    let mut digits: String = input.chars().filter(char::is_ascii_digit).take(4).collect();
    // A first digit above 1 can only be a single-digit month.
    if digits.len() == 1 && digits.as_bytes()[0] > b'1' {
        digits.insert(0, '0');
    }
    match digits.len() {
        0..=1 => digits,
        2 => format!("{digits} / "),
        _ => format!("{} / {}", &digits[..2], &digits[2..]),
    }
}

/// Checks a security code against the brand's length.
pub fn validate_cvc(cvc: &str, brand: CardBrand) -> Result<(), CardError> {
    if cvc.len() == brand.cvc_length() && cvc.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CardError::InvalidCvc)
    }
}

/// What the app posts to the gateway's `POST /v1/tokens` (and only there).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// The card number as typed (spaces allowed).
    pub number: String,
    /// Expiry month, 1–12.
    pub exp_month: u32,
    /// Expiry year, two or four digits.
    pub exp_year: u32,
    /// The security code.
    pub cvc: String,
    /// The cardholder's name.
    pub name: String,
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenRequest { .. }")
    }
}

/// The gateway's answer: a single-use token plus what may be shown and stored of the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardToken {
    /// Single-use token (`tok_…`) to pass to the API in place of the card.
    pub token: String,
    /// The card network.
    pub brand: CardBrand,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: u32,
    /// Four-digit expiry year.
    pub exp_year: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (u32, u32) = (2026, 11);

    #[test]
    fn detects_brands_from_their_prefixes() {
        let cases = [
            ("4242", CardBrand::Visa),
            ("5555 5555", CardBrand::Mastercard),
            ("2223 0031", CardBrand::Mastercard),
            ("3782", CardBrand::Amex),
            ("3400", CardBrand::Amex),
            ("6011 1111", CardBrand::Discover),
            ("6445", CardBrand::Discover),
            ("3056 9309", CardBrand::Diners),
            ("3566 0020", CardBrand::Jcb),
            ("6200 0000", CardBrand::Unionpay),
            ("9999", CardBrand::Unknown),
            ("", CardBrand::Unknown),
        ];
        for (input, brand) in cases {
            assert_eq!(CardBrand::detect(input), brand, "{input}");
        }
    }

    #[test]
    fn formats_numbers_by_brand_as_typed() {
        assert_eq!(format_number("4242424242424242"), "4242 4242 4242 4242");
        assert_eq!(format_number("42424"), "4242 4");
        assert_eq!(format_number("378282246310005"), "3782 822463 10005");
        assert_eq!(format_number("3782822463100059999"), "3782 822463 10005");
        assert_eq!(format_number("4242-42a42"), "4242 4242");
        assert_eq!(
            format_number("4242424242424242424"),
            "4242 4242 4242 4242 424"
        );
    }

    #[test]
    fn luhn_and_length_decide_validity() {
        assert!(CardNumber::parse("4242 4242 4242 4242").is_ok());
        assert!(CardNumber::parse("4000-0000-0000-0002").is_ok());
        assert!(CardNumber::parse("378282246310005").is_ok());
        assert_eq!(
            CardNumber::parse("4242 4242 4242 4241"),
            Err(CardError::IncorrectNumber)
        );
        assert_eq!(
            CardNumber::parse("4242 4242 4242"),
            Err(CardError::IncorrectNumber)
        );
        assert_eq!(
            CardNumber::parse("4242x4242x4242x4242"),
            Err(CardError::IncorrectNumber)
        );
        let number = CardNumber::parse("5555555555554444").unwrap();
        assert_eq!(number.brand(), CardBrand::Mastercard);
        assert_eq!(number.last4(), "4444");
    }

    #[test]
    fn debug_never_shows_the_number() {
        let number = CardNumber::parse("4242424242424242").unwrap();
        let shown = format!("{number:?}");
        assert!(!shown.contains("42424242"), "{shown}");
        assert!(shown.contains("4242"));
        let request = TokenRequest {
            number: "4242424242424242".into(),
            exp_month: 12,
            exp_year: 30,
            cvc: "123".into(),
            name: "A".into(),
        };
        assert!(!format!("{request:?}").contains("4242"));
    }

    #[test]
    fn expiry_is_valid_through_its_month() {
        assert_eq!(
            Expiry::new(11, 26, TODAY),
            Ok(Expiry {
                month: 11,
                year: 2026
            })
        );
        assert_eq!(Expiry::new(10, 2026, TODAY), Err(CardError::Expired));
        assert_eq!(
            Expiry::new(13, 2027, TODAY),
            Err(CardError::InvalidExpiryMonth)
        );
        assert_eq!(
            Expiry::new(0, 2027, TODAY),
            Err(CardError::InvalidExpiryMonth)
        );
        assert_eq!(
            Expiry::new(1, 2099, TODAY),
            Err(CardError::InvalidExpiryYear)
        );
        assert_eq!(Expiry::parse("12 / 30", TODAY).unwrap().year, 2030);
        assert_eq!(Expiry::parse("1", TODAY), Err(CardError::InvalidExpiryYear));
    }

    #[test]
    fn expiry_field_formats_as_typed() {
        assert_eq!(format_expiry("1"), "1");
        assert_eq!(format_expiry("4"), "04 / ");
        assert_eq!(format_expiry("12"), "12 / ");
        assert_eq!(format_expiry("12 / 3"), "12 / 3");
        assert_eq!(format_expiry("123045"), "12 / 30");
    }

    #[test]
    fn cvc_length_follows_the_brand() {
        assert!(validate_cvc("123", CardBrand::Visa).is_ok());
        assert!(validate_cvc("1234", CardBrand::Amex).is_ok());
        assert_eq!(
            validate_cvc("123", CardBrand::Amex),
            Err(CardError::InvalidCvc)
        );
        assert_eq!(
            validate_cvc("12a", CardBrand::Visa),
            Err(CardError::InvalidCvc)
        );
    }
}
