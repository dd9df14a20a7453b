//! Tax estimates: one rate per country, in basis points (1/100 of a percent), applied to the
//! subtotal and rounded half up to the minor unit. An estimate: a real deployment replaces this
//! table with its tax provider.

use super::market::CountryCode;

/// The rate for `country` in basis points (2100 = 21%).
pub fn rate_bps(country: CountryCode) -> i64 {
    match country.as_str() {
        "HU" => 2_700,
        "DK" | "HR" | "NO" | "SE" => 2_500,
        "FI" => 2_550,
        "GR" => 2_400,
        "IS" | "PL" | "PT" => 2_300,
        "IE" | "IT" | "SI" | "UY" => 2_200,
        "BE" | "CZ" | "ES" | "LT" | "LV" | "NL" => 2_100,
        "AT" | "BG" | "EE" | "FR" | "GB" | "GG" | "IM" | "JE" | "SK" | "UA" | "RU" | "MA" => 2_000,
        "CY" | "DE" | "RO" => 1_900,
        "MT" | "TR" | "MX" => 1_800,
        "LU" => 1_700,
        "ZA" | "NZ" => 1_500,
        "CN" => 600,
        "AU" | "JP" | "KR" => 1_000,
        "CH" | "LI" => 810,
        "SG" => 900,
        "CA" => 500,
        _ => 0,
    }
}

/// Tax on `subtotal` at `rate_bps`, rounded half up.
pub fn tax_on(subtotal: i64, rate_bps: i64) -> i64 {
    (subtotal * rate_bps + 5_000).div_euclid(10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_by_country() {
        let rate = |c: &str| rate_bps(CountryCode::parse(c).unwrap());
        assert_eq!(rate("NL"), 2_100);
        assert_eq!(rate("GB"), 2_000);
        assert_eq!(rate("JP"), 1_000);
        assert_eq!(rate("US"), 0);
    }

    #[test]
    fn tax_rounds_half_up_to_the_minor_unit() {
        assert_eq!(tax_on(1_410, 2_100), 296); // 296.1
        assert_eq!(tax_on(7_050, 2_100), 1_481); // 1480.5 → 1481
        assert_eq!(tax_on(1_000, 0), 0);
        assert_eq!(tax_on(2_098, 1_000), 210); // 209.8 yen
    }
}
