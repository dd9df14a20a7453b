//! Quotes (`POST /quotes`) and purchases (`POST /purchases`).

use crate::money::Currency;
use crate::product::{Interval, ProductId};
use serde::{Deserialize, Serialize};

/// Body of `POST /quotes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteRequest {
    /// The product.
    pub product: String,
    /// Seats wanted.
    #[serde(deserialize_with = "crate::integer::integer")]
    pub quantity: i64,
}

/// The server's price for a purchase: what is shown is what is charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    /// The product.
    pub product: ProductId,
    /// Price of one seat for one period, before tax, in minor units.
    pub unit_amount: i64,
    /// Seats.
    pub quantity: u32,
    /// `unit_amount × quantity`.
    pub subtotal: i64,
    /// Estimated tax on the subtotal.
    pub tax: i64,
    /// The tax rate in basis points (2100 = 21%).
    pub tax_rate_bps: i64,
    /// `subtotal + tax`: the amount charged now.
    pub total: i64,
    /// Currency of every amount.
    pub currency: Currency,
    /// How often it renews.
    pub interval: Interval,
    /// Start of the first period (unix seconds).
    pub period_start: i64,
    /// End of the first period, when it first renews (unix seconds).
    pub period_end: i64,
}

/// Body of `POST /purchases` (with an `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseRequest {
    /// The product.
    pub product: String,
    /// Seats to buy.
    #[serde(deserialize_with = "crate::integer::integer")]
    pub quantity: i64,
    /// The gateway's single-use card token (`tok_…`).
    pub payment_token: String,
    /// A trial of the same product this purchase replaces (its users move to the purchase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convert_trial: Option<String>,
}
