//! The products on sale and the seat-count rule.

use crate::money::Currency;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One of the three products sold per seat per month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProductId {
    /// Power BI Pro.
    #[serde(rename = "power-bi-pro")]
    PowerBiPro,
    /// Power Apps per user.
    #[serde(rename = "power-apps-per-user")]
    PowerAppsPerUser,
    /// Power Automate per user.
    #[serde(rename = "power-automate-per-user")]
    PowerAutomatePerUser,
}

/// A text that names no product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProduct;

impl ProductId {
    /// Every product, in catalogue order.
    pub const ALL: [Self; 3] = [
        Self::PowerBiPro,
        Self::PowerAppsPerUser,
        Self::PowerAutomatePerUser,
    ];

    /// The id as it appears in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PowerBiPro => "power-bi-pro",
            Self::PowerAppsPerUser => "power-apps-per-user",
            Self::PowerAutomatePerUser => "power-automate-per-user",
        }
    }

    /// Fewest and most seats one subscription may hold.
    pub fn seat_limits(self) -> SeatLimits {
        SeatLimits { min: 1, max: 2500 }
    }
}

impl fmt::Display for ProductId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProductId {
    type Err = UnknownProduct;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|product| product.as_str() == text)
            .ok_or(UnknownProduct)
    }
}

/// The inclusive range of seats a subscription may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatLimits {
    /// Fewest seats.
    pub min: u32,
    /// Most seats.
    pub max: u32,
}

/// A seat count that is within its product's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeatCount(u32);

/// Why a seat count was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidSeatCount {
    /// Not a whole number (empty, decimal, letters).
    NotAWholeNumber,
    /// Fewer than the product's minimum.
    TooFew {
        /// The minimum.
        min: u32,
    },
    /// More than the product's maximum.
    TooMany {
        /// The maximum.
        max: u32,
    },
}

impl fmt::Display for InvalidSeatCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAWholeNumber => f.write_str("Enter the number of licences as a whole number."),
            Self::TooFew { min } => write!(f, "Buy at least {min} licence(s)."),
            Self::TooMany { max } => write!(f, "You can buy at most {max} licences at once."),
        }
    }
}

impl SeatCount {
    /// Checks a count against the limits.
    pub fn new(count: i64, limits: SeatLimits) -> Result<Self, InvalidSeatCount> {
        if count < i64::from(limits.min) {
            Err(InvalidSeatCount::TooFew { min: limits.min })
        } else if count > i64::from(limits.max) {
            Err(InvalidSeatCount::TooMany { max: limits.max })
        } else {
            // In range, so it fits in u32.
            Ok(Self(count as u32))
        }
    }

    /// Parses what a person typed into the quantity field.
    pub fn parse(input: &str, limits: SeatLimits) -> Result<Self, InvalidSeatCount> {
        let trimmed = input.trim();
        if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidSeatCount::NotAWholeNumber);
        }
        // Digits only, so a parse failure can only mean "astronomically many".
        let count = trimmed.parse::<i64>().unwrap_or(i64::MAX);
        Self::new(count, limits)
    }

    /// The number of seats.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// How often a subscription renews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Every calendar month, on the day of purchase.
    Month,
}

/// A product as sold in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// Stable id, used in URLs (`/buy/power-bi-pro`).
    pub id: ProductId,
    /// Display name.
    pub name: String,
    /// One sentence on what the product is for.
    pub description: String,
    /// Price of one seat for one `interval`, in minor units of `currency`, before tax.
    pub unit_amount: i64,
    /// Currency of the market the price was asked for.
    pub currency: Currency,
    /// Billing period of the price.
    pub interval: Interval,
    /// Fewest and most seats per subscription.
    pub seat_limits: SeatLimits,
}

/// The answer of `GET /products`: the market's products plus what market was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductList {
    /// The products, in catalogue order.
    pub data: Vec<Product>,
    /// Always false: the catalogue fits in one page.
    pub has_more: bool,
    /// The ISO 3166-1 alpha-2 country the prices are for.
    pub country: String,
    /// Whether self-service purchase is offered in that country at all.
    pub market_available: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_ids_round_trip() {
        for product in ProductId::ALL {
            assert_eq!(product.as_str().parse::<ProductId>(), Ok(product));
            let json = serde_json::to_string(&product).unwrap();
            assert_eq!(json, format!("\"{product}\""));
        }
        assert!("power-bi".parse::<ProductId>().is_err());
    }

    #[test]
    fn seat_counts_are_whole_numbers_within_limits() {
        let limits = SeatLimits { min: 1, max: 2500 };
        assert_eq!(SeatCount::parse(" 5 ", limits).unwrap().get(), 5);
        assert_eq!(
            SeatCount::parse("0", limits),
            Err(InvalidSeatCount::TooFew { min: 1 })
        );
        assert_eq!(
            SeatCount::parse("2501", limits),
            Err(InvalidSeatCount::TooMany { max: 2500 })
        );
        assert_eq!(
            SeatCount::parse("99999999999999999999999", limits),
            Err(InvalidSeatCount::TooMany { max: 2500 })
        );
        for bad in ["", "2.5", "-1", "five", "1e3"] {
            assert_eq!(
                SeatCount::parse(bad, limits),
                Err(InvalidSeatCount::NotAWholeNumber),
                "{bad:?}"
            );
        }
        assert_eq!(
            SeatCount::new(-3, limits),
            Err(InvalidSeatCount::TooFew { min: 1 })
        );
    }
}
