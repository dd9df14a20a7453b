//! Guardrails: an organisation's limits on self-service buying of one product, between the
//! policy's "on" and "off". An absent limit is no limit (`None`), never a magic number.

use crate::money::Currency;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The largest seat limit an admin can set: more than any product sells at once.
pub const MAX_SEAT_LIMIT: u32 = 1_000_000;
/// The largest monthly cap, in minor units: far above any organisation's spend and far below
/// where sums of orders could overflow.
pub const MAX_SPEND_CAP: i64 = 1_000_000_000_000;

/// A seat limit: a whole number from 1 to [`MAX_SEAT_LIMIT`]. "No purchases at all" is the
/// `disabled` policy, not a limit of zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SeatLimit(u32);

/// A monthly spend cap in the organisation's currency's minor units: 1 to [`MAX_SPEND_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SpendCap(i64);

/// A limit value outside its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidLimit {
    /// Which limit.
    pub kind: LimitKind,
}

impl fmt::Display for InvalidLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            LimitKind::MonthlyCap => write!(
                f,
                "The monthly cap must be a whole number of minor units from 1 to {MAX_SPEND_CAP}."
            ),
            _ => write!(
                f,
                "A seat limit must be a whole number from 1 to {MAX_SEAT_LIMIT}."
            ),
        }
    }
}

impl std::error::Error for InvalidLimit {}

impl SeatLimit {
    /// Checks a seat limit for `kind` (one of the two seat limits).
    pub fn new(value: i64, kind: LimitKind) -> Result<Self, InvalidLimit> {
        if (1..=i64::from(MAX_SEAT_LIMIT)).contains(&value) {
            Ok(Self(value as u32))
        } else {
            Err(InvalidLimit { kind })
        }
    }

    /// The number of seats.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl SpendCap {
    /// Checks a cap.
    pub fn new(value: i64) -> Result<Self, InvalidLimit> {
        if (1..=MAX_SPEND_CAP).contains(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidLimit {
                kind: LimitKind::MonthlyCap,
            })
        }
    }

    /// The cap in minor units.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for SeatLimit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = crate::integer::integer(d)?;
        // Which of the two seat limits is named by the field the error reports.
        Self::new(value, LimitKind::MaxSeats).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for SpendCap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = crate::integer::integer(d)?;
        Self::new(value).map_err(serde::de::Error::custom)
    }
}

wire_enum! {
    /// Which guardrail.
    pub enum LimitKind {
        /// Seats in one self-service purchase (or one subscription after a seat increase, or
        /// one trial).
        MaxSeatsPerPurchase => "max_seats_per_purchase",
        /// Seats of all live self-service subscriptions (trials included) of the product in
        /// the organisation.
        MaxSeats => "max_seats",
        /// What self-service purchases and seat increases of the product were charged in the
        /// calendar month.
        MonthlyCap => "monthly_cap",
    }
}

/// One organisation's guardrails for one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guardrails {
    /// Most seats in one purchase; `null`: no limit.
    pub max_seats_per_purchase: Option<SeatLimit>,
    /// Most self-service seats in the organisation; `null`: no limit.
    pub max_seats: Option<SeatLimit>,
    /// Most charged per calendar month, in minor units of the organisation's currency;
    /// `null`: no limit.
    pub monthly_cap: Option<SpendCap>,
}

/// The limit a refused quote, purchase or seat increase ran into (403 `not_eligible`,
/// `reason: "cap_reached"`, as `error.limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReachedLimit {
    /// Which limit.
    pub kind: LimitKind,
    /// The limit: seats, or minor units for `monthly_cap`.
    pub value: i64,
    /// What is left under it now (seats, or minor units), never negative.
    pub available: i64,
    /// The currency of a `monthly_cap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

/// A change to one limit in `PUT /admin/policies/{product}`: absent keeps it, `null` clears
/// it, a number sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LimitChange<T> {
    /// Leave as it is.
    #[default]
    Keep,
    /// No limit any more.
    Clear,
    /// This limit.
    Set(T),
}

impl<T> LimitChange<T> {
    /// The limit after the change, from the one before.
    pub fn apply(self, before: Option<T>) -> Option<T> {
        match self {
            Self::Keep => before,
            Self::Clear => None,
            Self::Set(value) => Some(value),
        }
    }

    /// Whether the request left it alone.
    pub fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }
}

impl<T: Serialize> Serialize for LimitChange<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Skipped by the field's `skip_serializing_if`.
            Self::Keep | Self::Clear => s.serialize_none(),
            Self::Set(value) => value.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LimitChange<T> {
    // Only called for a field that is present (absent is `#[serde(default)]`: Keep).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Self::Clear,
            Some(value) => Self::Set(value),
        })
    }
}

/// An integer schema within `1..=max`.
#[cfg(feature = "openapi")]
fn whole_number_schema(
    max: f64,
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .minimum(Some(1.0))
        .maximum(Some(max))
        .description(Some(description))
        .into()
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SeatLimit {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        whole_number_schema(f64::from(MAX_SEAT_LIMIT), "A number of seats")
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SeatLimit {}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SpendCap {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        whole_number_schema(
            MAX_SPEND_CAP as f64,
            "Minor units of the organisation's currency",
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SpendCap {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::PolicyUpdate;

    #[test]
    fn an_update_keeps_clears_or_sets_each_limit() {
        let update: PolicyUpdate =
            serde_json::from_str(r#"{"max_seats": null, "monthly_cap": 5000}"#).unwrap();
        let before = Guardrails {
            max_seats_per_purchase: Some(
                SeatLimit::new(5, LimitKind::MaxSeatsPerPurchase).unwrap(),
            ),
            max_seats: Some(SeatLimit::new(50, LimitKind::MaxSeats).unwrap()),
            monthly_cap: None,
        };
        let after = update.apply(before);
        assert_eq!(after.max_seats_per_purchase, before.max_seats_per_purchase);
        assert_eq!(after.max_seats, None);
        assert_eq!(after.monthly_cap, Some(SpendCap::new(5000).unwrap()));
        assert_eq!(update.value, None);
    }

    #[test]
    fn limits_outside_their_range_are_refused() {
        for body in [
            r#"{"max_seats": 0}"#,
            r#"{"max_seats_per_purchase": -1}"#,
            r#"{"monthly_cap": 0}"#,
            r#"{"max_seats": 2.5}"#,
            r#"{"max_seats": "5"}"#,
        ] {
            assert!(
                serde_json::from_str::<PolicyUpdate>(body).is_err(),
                "{body}"
            );
        }
    }
}
