//! JSON numbers as integers: `5` and `5.0` are the same JSON number, so both are accepted
//! where the schema says `integer`; `5.5` and numbers beyond `i64` are refused.

use serde::{Deserialize, Deserializer, de::Error};

/// 2^50: from here on a parsed float's fraction is parsing noise, not the sender's.
const WHOLE_BEYOND: f64 = 1_125_899_906_842_624.0;

/// 2^63, exact as f64: the first float past `i64::MAX`.
const I64_END: f64 = 9_223_372_036_854_775_808.0;

/// Deserialises an `i64` from any JSON number with no fractional part.
pub fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(i64),
        Float(f64),
    }
    match Number::deserialize(deserializer)? {
        Number::Int(n) => Ok(n),
        // Past 2^50 serde_json's (not round-trip exact) float parsing can be a quarter off, so
        // `1803716796526747.0` may arrive as `…747.25`: such numbers are whole as written.
        Number::Float(f) if (WHOLE_BEYOND..I64_END).contains(&f.abs()) =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Ok(f.round() as i64)
        }
        // 2^63 is exact as f64; anything at or past it does not fit.
        Number::Float(f) if f.fract() == 0.0 && (-I64_END..I64_END).contains(&f) =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Ok(f as i64)
        }
        Number::Float(f) => Err(D::Error::custom(format!(
            "invalid type: `{f}`, expected a whole number"
        ))),
    }
}

/// [`integer`] for an optional field (with `#[serde(default)]`).
pub fn optional_integer<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "integer")] i64);
    Ok(Option::<Whole>::deserialize(deserializer)?.map(|Whole(n)| n))
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::integer")]
        n: i64,
    }

    fn parse(json: &str) -> Option<i64> {
        serde_json::from_str::<Body>(json).ok().map(|b| b.n)
    }

    #[test]
    fn whole_numbers_in_any_notation_are_integers() {
        assert_eq!(parse(r#"{"n": 5}"#), Some(5));
        assert_eq!(parse(r#"{"n": -90.0}"#), Some(-90));
        assert_eq!(parse(r#"{"n": 1e3}"#), Some(1000));
        assert_eq!(parse(r#"{"n": 5.5}"#), None);
        assert_eq!(parse(r#"{"n": 1e19}"#), None);
        assert_eq!(
            parse(r#"{"n": 1803716796526747.0}"#),
            Some(1_803_716_796_526_747)
        );
        assert_eq!(parse(r#"{"n": "5"}"#), None);
    }
}
