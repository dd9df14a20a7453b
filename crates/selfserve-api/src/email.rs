//! Email addresses, parsed once at the edge and normalised so that the same mailbox always
//! compares equal (`Megan@Contoso.COM` is `megan@contoso.com`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid, lowercased email address with a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

/// Why a text is not an email address, phrased for the person who typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidEmail {
    /// Nothing was entered.
    Empty,
    /// No `@`, or more than one.
    MissingAt,
    /// The part before `@` is empty, too long or has characters mail systems refuse.
    BadLocalPart,
    /// The part after `@` is not a domain name such as `contoso.com`.
    BadDomain,
    /// Longer than the 254 characters mail systems accept.
    TooLong,
}

impl fmt::Display for InvalidEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "Enter your work email address.",
            Self::MissingAt => "Enter an email address in the form name@example.com.",
            Self::BadLocalPart => "The part before the @ is not valid.",
            Self::BadDomain => "The part after the @ must be a domain such as example.com.",
            Self::TooLong => "That email address is too long.",
        })
    }
}

impl EmailAddress {
    /// Parses and normalises an address; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidEmail::Empty);
        }
        if trimmed.len() > 254 {
            return Err(InvalidEmail::TooLong);
        }
        let (local, domain) = match trimmed.split_once('@') {
            Some((local, domain)) if !domain.contains('@') => (local, domain),
            _ => return Err(InvalidEmail::MissingAt),
        };
        if !is_valid_local_part(local) {
            return Err(InvalidEmail::BadLocalPart);
        }
        if !is_valid_domain(domain) {
            return Err(InvalidEmail::BadDomain);
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    /// The whole address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`: what decides the organisation.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// A domain name as organisations register them: dotted labels of letters, digits and hyphens.
pub fn is_valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 || !domain.contains('.') {
        return false;
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }) && !domain
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}

fn is_valid_local_part(local: &str) -> bool {
    const ALLOWED_PUNCTUATION: &[u8] = b"!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || ALLOWED_PUNCTUATION.contains(&b))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for EmailAddress {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom("email".into())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for EmailAddress {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_ordinary_addresses() {
        let email = EmailAddress::parse("  Megan.Bowen+bi@Contoso.COM ").unwrap();
        assert_eq!(email.as_str(), "megan.bowen+bi@contoso.com");
        assert_eq!(email.domain(), "contoso.com");
        assert!(EmailAddress::parse("a@sub.example.co.uk").is_ok());
    }

    #[test]
    fn rejects_each_kind_of_bad_address_with_its_reason() {
        let cases = [
            ("", InvalidEmail::Empty),
            ("   ", InvalidEmail::Empty),
            ("megan", InvalidEmail::MissingAt),
            ("a@b@c.com", InvalidEmail::MissingAt),
            ("@contoso.com", InvalidEmail::BadLocalPart),
            (".megan@contoso.com", InvalidEmail::BadLocalPart),
            ("me..gan@contoso.com", InvalidEmail::BadLocalPart),
            ("me gan@contoso.com", InvalidEmail::BadLocalPart),
            ("megan@", InvalidEmail::BadDomain),
            ("megan@localhost", InvalidEmail::BadDomain),
            ("megan@-contoso.com", InvalidEmail::BadDomain),
            ("megan@contoso..com", InvalidEmail::BadDomain),
            ("megan@10.0.0.1", InvalidEmail::BadDomain),
            ("megan@contoso_corp.com", InvalidEmail::BadDomain),
        ];
        for (input, expected) in cases {
            assert_eq!(EmailAddress::parse(input), Err(expected), "input {input:?}");
        }
        let long = format!("{}@contoso.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(InvalidEmail::TooLong));
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<EmailAddress>(r#""x@y.io""#).is_ok());
        assert!(serde_json::from_str::<EmailAddress>(r#""not-an-email""#).is_err());
    }
}
