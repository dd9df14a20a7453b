//! Properties of the single-value rules the app and the server share, over generated input:
//! card numbers (Luhn, brand, formatting), expiry and security codes, email addresses and
//! amounts of money. Each rule must never panic, whatever is typed.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use selfserve_api::card::{
    CardBrand, CardNumber, Expiry, format_expiry, format_number, luhn_valid, validate_cvc,
};
use selfserve_api::email::EmailAddress;
use selfserve_api::money::{Currency, InvalidAmount, Money};

/// The digit that makes `body` pass Luhn.
fn check_digit(body: &str) -> char {
    (b'0'..=b'9')
        .map(char::from)
        .find(|d| luhn_valid(&format!("{body}{d}")))
        .expect("one of ten digits completes any number")
}

fn digits(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, len)
        .prop_map(|ds| ds.into_iter().map(|d| char::from(b'0' + d)).collect())
}

const BRANDS: [CardBrand; 8] = [
    CardBrand::Visa,
    CardBrand::Mastercard,
    CardBrand::Amex,
    CardBrand::Discover,
    CardBrand::Diners,
    CardBrand::Jcb,
    CardBrand::Unionpay,
    CardBrand::Unknown,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_typed_makes_a_card_rule_panic(input in ".{0,40}", cvc in ".{0,6}") {
        let brand = CardBrand::detect(&input);
        let _ = format_number(&input);
        let _ = format_expiry(&input);
        let _ = luhn_valid(&input);
        let _ = CardNumber::parse(&input);
        let _ = Expiry::parse(&input, (2026, 12));
        let _ = validate_cvc(&cvc, brand);
    }

    #[test]
    fn the_check_digit_makes_luhn_pass_and_any_single_change_breaks_it(
        body in digits(11..=18),
        position in any::<prop::sample::Index>(),
        delta in 1u8..10,
    ) {
        let number = format!("{body}{}", check_digit(&body));
        prop_assert!(luhn_valid(&number));
        let mut changed = number.clone().into_bytes();
        let at = position.index(changed.len());
        changed[at] = b'0' + (changed[at] - b'0' + delta) % 10;
        prop_assert!(!luhn_valid(std::str::from_utf8(&changed).unwrap()), "{}", number);
    }

    #[test]
    fn a_valid_number_parses_with_its_brand_and_never_shows_its_digits(
        body in digits(11..=18),
        separator in prop::sample::select(vec!["", " ", "-"]),
    ) {
        let number = format!("{body}{}", check_digit(&body));
        let brand = CardBrand::detect(&number);
        let typed: String = number
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let sep = if i > 0 && i % 4 == 0 { separator } else { "" };
                sep.chars().chain(std::iter::once(c))
            })
            .collect();
        match CardNumber::parse(&typed) {
            Ok(card) => {
                prop_assert!(brand.valid_lengths().contains(&number.len()));
                prop_assert_eq!(card.brand(), brand);
                prop_assert_eq!(card.digits(), number.as_str());
                prop_assert_eq!(card.last4(), &number[number.len() - 4..]);
                let debug = format!("{card:?}");
                prop_assert!(!debug.contains(&number[..number.len() - 4]), "{}", debug);
            }
            Err(_) => prop_assert!(!brand.valid_lengths().contains(&number.len())),
        }
    }

    #[test]
    fn formatting_keeps_the_digits_in_order_and_is_stable(input in "[0-9 a-z-]{0,30}") {
        let formatted = format_number(&input);
        let brand = CardBrand::detect(&input);
        let typed: String = input.chars().filter(char::is_ascii_digit).collect();
        let kept: String = formatted.chars().filter(|c| *c != ' ').collect();
        prop_assert!(kept.chars().all(|c| c.is_ascii_digit()));
        prop_assert_eq!(&kept, &typed[..typed.len().min(brand.max_length())]);
        prop_assert_eq!(format_number(&formatted), formatted.clone());
        // Groups as the brand prints them: no group longer than the brand's.
        let longest = *brand.groups().iter().max().unwrap();
        prop_assert!(formatted.split(' ').all(|g| !g.is_empty() && g.len() <= longest)
            || formatted.is_empty());
    }

    #[test]
    fn every_brand_has_a_cvc_of_its_length_only(brand in prop::sample::select(BRANDS.to_vec()),
                                                  cvc in "[0-9]{0,6}") {
        prop_assert_eq!(validate_cvc(&cvc, brand).is_ok(), cvc.len() == brand.cvc_length());
        let longer = format!("{cvc}a");
        prop_assert!(validate_cvc(&longer, brand).is_err());
    }

    #[test]
    fn an_expiry_is_valid_exactly_from_this_month_for_fifty_years(
        month in 0u32..14, year in 2000u32..2100,
        this_month in 1u32..=12, this_year in 2020u32..2040,
    ) {
        let today = (this_year, this_month);
        let result = Expiry::new(month, year, today);
        let expected = (1..=12).contains(&month)
            && year <= this_year + 50
            && (year, month) >= (this_year, this_month);
        prop_assert_eq!(result.is_ok(), expected, "{:?}", result);
        if (1..=12).contains(&month) {
            let typed = format!("{month:02} / {:02}", year % 100);
            // Years are drawn within 2000–2099, which the form's two digits name.
            prop_assert_eq!(Expiry::parse(&typed, today), result);
            prop_assert_eq!(format_expiry(&typed), format!("{month:02} / {:02}", year % 100));
        }
    }

    #[test]
    fn an_email_parses_to_one_lowercase_form_that_parses_to_itself(input in ".{0,80}") {
        if let Ok(email) = EmailAddress::parse(&input) {
            prop_assert_eq!(email.as_str(), email.as_str().to_ascii_lowercase());
            prop_assert!(email.as_str().len() <= 254);
            prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()));
            prop_assert!(email.domain().contains('.'));
            prop_assert_eq!(email.as_str().matches('@').count(), 1);
        }
    }

    #[test]
    fn a_plain_address_is_accepted_whatever_its_case(
        local in "[a-zA-Z0-9][a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9]",
        domain in "[a-zA-Z0-9]{1,10}(\\.[a-zA-Z0-9]{1,10}){0,2}\\.[a-zA-Z]{2,6}",
    ) {
        prop_assume!(!local.contains(".."));
        let typed = format!("  {local}@{domain} ");
        let email = EmailAddress::parse(&typed);
        prop_assert!(email.is_ok(), "{:?}: {:?}", typed, email);
        let email = email.unwrap();
        prop_assert_eq!(email.as_str(), format!("{local}@{domain}").to_ascii_lowercase());
        prop_assert_eq!(email.domain(), domain.to_ascii_lowercase());
    }

    #[test]
    fn nothing_typed_makes_money_panic(text in ".{0,30}", code in "[a-z]{3}") {
        let currency = Currency::parse(&code).unwrap();
        if let Ok(money) = Money::parse(&text, currency) {
            prop_assert!(money.amount >= 0);
            prop_assert!(money.amount <= 100_000_000 * 10i64.pow(currency.minor_unit_exponent()) + 999);
        }
    }

    #[test]
    fn money_round_trips_through_its_plain_form_in_every_minor_unit(
        major in 0i64..=100_000_000,
        minor in any::<u32>(),
        code in prop::sample::select(vec!["usd", "eur", "jpy", "krw", "bhd", "kwd", "gbp", "inr"]),
        comma in any::<bool>(),
    ) {
        let currency = Currency::parse(code).unwrap();
        let exponent = currency.minor_unit_exponent();
        let scale = 10i64.pow(exponent);
        let amount = major * scale + i64::from(minor) % scale;
        let money = Money::new(amount, currency);
        let plain = money.to_plain_string();
        let (shown_code, number) = plain.split_once(' ').unwrap();
        prop_assert_eq!(shown_code, code.to_ascii_uppercase());
        // Exactly the currency's decimals.
        let decimals = number.split_once('.').map_or(0, |(_, f)| f.len());
        prop_assert_eq!(decimals as u32, exponent);
        let typed = if comma { number.replace('.', ",") } else { number.to_owned() };
        prop_assert_eq!(Money::parse(&typed, currency), Ok(money));
        // One decimal too many is refused, never rounded.
        prop_assert_eq!(
            Money::parse(&format!("{typed}{}", if exponent == 0 { ".5" } else { "5" }), currency),
            Err(InvalidAmount::TooManyDecimals { allowed: exponent })
        );
    }
}
