//! The purchaser's view: licences, seat changes, the card on file, bills, the test clock.

use crate::money::Currency;
use serde::{Deserialize, Serialize};

/// Body of `POST /subscriptions/{id}/assignments`: users by id and/or by email (a pasted list).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignRequest {
    /// Users to give a seat, by id (`usr_…`).
    #[serde(default)]
    pub user_ids: Vec<String>,
    /// Users to give a seat, by email address.
    #[serde(default)]
    pub emails: Vec<String>,
}

/// Body of `POST /subscriptions/{id}/seats` and `…/seats/quote`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatChangeRequest {
    /// The new number of seats.
    #[serde(deserialize_with = "crate::integer::integer")]
    pub quantity: i64,
    /// A new card's token to pay an increase with; the card on file otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_token: Option<String>,
}

/// When a seat change takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Effective {
    /// Now, charged prorated to the end of the period.
    Now,
    /// At the next renewal, nothing charged now.
    Renewal,
}

/// What a seat change would cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatChangeQuote {
    /// Seats now.
    pub current_quantity: u32,
    /// Seats after the change.
    pub quantity: u32,
    /// When it takes effect.
    pub effective: Effective,
    /// Charged now, before tax (0 for a decrease).
    pub subtotal: i64,
    /// Tax on the subtotal.
    pub tax: i64,
    /// Charged now.
    pub total: i64,
    /// Currency.
    pub currency: Currency,
    /// End of the current period (the proration's end, or when a decrease applies).
    pub period_end: i64,
    /// What each renewal will cost from the next one, tax included.
    pub next_renewal_total: i64,
}

/// Body of `PUT /subscriptions/{id}/payment-method`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentMethodRequest {
    /// The new card's token (`tok_…`).
    pub payment_token: String,
}

/// Body of `POST /invoices/{id}/pay`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayInvoiceRequest {
    /// A new card's token; the card on file otherwise. A new card becomes the card on file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_token: Option<String>,
}

/// Body of `POST /test-clock/advance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvanceClock {
    /// Whole days to move the server's clock forward (1 to 3650).
    pub days: i64,
}
