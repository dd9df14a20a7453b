//! [`wire_enum!`]: a closed set of values that travel as snake_case text.
//!
//! States and kinds (a subscription's status, an order's kind, a policy) are written once here
//! and shared by the app, the server's handlers and its database rows. A text outside the set
//! is an error wherever it is read, never a default: an unknown status in the database must not
//! become "active".

/// A text that is not one of an enum's wire values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// The enum's name, for the error message.
    pub kind: &'static str,
    /// The text that was read.
    pub text: String,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not a {}", self.text, self.kind)
    }
}

impl std::error::Error for UnknownValue {}

/// Defines `pub enum $name` whose variants (de)serialise as the given texts, with `ALL`,
/// `as_str`, `Display` and a strict `FromStr`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$doc:meta])* $variant:ident => $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)*
        }

        // By hand: utoipa's derive does not see a `serde(rename)` whose text comes through a
        // macro, and described the Rust names (`GlobalAdmin`) instead of the wire's.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text,)*]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The wire (and database) text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::wire_enum::UnknownValue;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == text)
                    .ok_or_else(|| $crate::wire_enum::UnknownValue {
                        kind: stringify!($name),
                        text: text.to_owned(),
                    })
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    wire_enum! {
        /// A test set.
        pub enum Colour {
            /// Red.
            Red => "red",
            /// Dark blue.
            DarkBlue => "dark_blue",
        }
    }

    #[test]
    fn values_round_trip_through_text_and_json_and_unknown_text_is_an_error() {
        for colour in Colour::ALL {
            assert_eq!(colour.as_str().parse::<Colour>(), Ok(*colour));
            let json = serde_json::to_string(colour).unwrap();
            assert_eq!(json, format!("\"{colour}\""));
        }
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        let error = "green".parse::<Colour>().unwrap_err();
        assert_eq!(error.to_string(), "\"green\" is not a Colour");
        assert!(serde_json::from_str::<Colour>("\"green\"").is_err());
    }
}
