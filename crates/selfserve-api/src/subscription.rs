//! Subscriptions, their orders and invoices.

use crate::card::CardBrand;
use crate::money::Currency;
use crate::product::ProductId;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};

/// A user as listed on a subscription.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    /// `usr_…`.
    pub id: String,
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
}

wire_enum! {
    /// How a subscription was bought.
    pub enum Source {
        /// Bought by a user with a card.
        SelfService => "self_service",
        /// Recorded by an admin, billed through the organisation's agreement.
        Central => "central",
    }
}

wire_enum! {
    /// Where a subscription is in its life.
    pub enum SubscriptionStatus {
        /// Paid and usable.
        Active => "active",
        /// A free trial.
        Trialing => "trialing",
        /// A renewal payment failed; usable during the grace period.
        PastDue => "past_due",
        /// Unpaid after the grace period: licences inactive but kept.
        Suspended => "suspended",
        /// Ended after a cancellation at period end; licences released. Until the period ends a
        /// cancelled subscription keeps its status and says `cancel_at_period_end: true`.
        Canceled => "canceled",
        /// A trial that ran out (or was converted into a purchase); licences released.
        Expired => "expired",
    }
}

wire_enum! {
    /// What an order pays for.
    pub enum OrderKind {
        /// A new subscription (self-service with a card, or recorded centrally).
        Purchase => "purchase",
        /// Seats added mid-period, charged prorated.
        SeatIncrease => "seat_increase",
        /// Fewer seats from the next renewal; charges nothing.
        SeatDecrease => "seat_decrease",
        /// The next period.
        Renewal => "renewal",
        /// Paying an open or past-due bill.
        InvoicePayment => "invoice_payment",
    }
}

wire_enum! {
    /// Where an order is in moving money (the API's `status` of an order).
    pub enum OrderPhase {
        /// Recorded before the charge: its outcome is not known yet.
        Created => "created",
        /// Charged (or, for a central purchase, recorded as billed elsewhere).
        Paid => "paid",
        /// Declined, or given up before any charge.
        Failed => "failed",
        /// A change that takes effect at the next renewal.
        Scheduled => "scheduled",
    }
}

wire_enum! {
    /// Whether a bill is settled.
    pub enum InvoiceStatus {
        /// Paid.
        Paid => "paid",
        /// Issued, payment not yet attempted or in progress.
        Open => "open",
        /// Its payment failed; the subscription is past due.
        PastDue => "past_due",
        /// Cancelled: nothing to pay.
        Void => "void",
    }
}

/// A card as shown and stored: never the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardSummary {
    /// Card network.
    pub brand: CardBrand,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: u32,
    /// Expiry year.
    pub exp_year: u32,
}

/// One purchase or change of a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// `ord_…`.
    pub id: String,
    pub kind: OrderKind,
    /// Seats the order was for: all of them for a purchase or renewal, the seats added for an
    /// increase, the new total for a scheduled decrease.
    pub quantity: u32,
    /// What was charged, tax included (0 for changes that charge nothing now).
    pub amount: i64,
    /// Currency of `amount`.
    pub currency: Currency,
    pub status: OrderPhase,
    /// When (unix seconds).
    pub created: i64,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLine {
    /// What the line is for.
    pub description: String,
    /// Seats.
    pub quantity: u32,
    /// Price per seat for the line's period.
    pub unit_amount: i64,
    /// `unit_amount × quantity`.
    pub amount: i64,
}

/// A bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invoice {
    /// `in_…`.
    pub id: String,
    /// Human-friendly number, e.g. `SS-2026-000042`.
    pub number: String,
    /// The subscription billed.
    pub subscription_id: String,
    pub status: InvoiceStatus,
    /// The lines.
    pub lines: Vec<InvoiceLine>,
    /// Sum of the lines.
    pub subtotal: i64,
    /// Tax on the subtotal.
    pub tax: i64,
    /// `subtotal + tax`.
    pub total: i64,
    /// Currency of every amount.
    pub currency: Currency,
    /// Period billed: start (unix seconds).
    pub period_start: i64,
    /// Period billed: end (unix seconds).
    pub period_end: i64,
    /// When issued (unix seconds).
    pub created: i64,
    /// When paid, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<i64>,
    /// The card charged, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardSummary>,
    /// Given back of `total` so far (refunds), in the same currency.
    #[serde(default)]
    pub amount_refunded: i64,
}

/// A subscription with everything the purchaser and admins see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    /// `sub_…`.
    pub id: String,
    /// The product.
    pub product: ProductId,
    /// The product's display name.
    pub product_name: String,
    /// Self-service or central.
    pub source: Source,
    /// Where it is in its life.
    pub status: SubscriptionStatus,
    /// Seats paid for this period.
    pub quantity: u32,
    /// Seats from the next renewal, if a decrease is scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_quantity: Option<u32>,
    /// Users holding a seat (the purchaser holds one from the start), by name then email:
    /// all of them, unless the request asked for the first few (`assigned_users_limit`).
    pub assigned_users: Vec<UserRef>,
    /// How many hold a seat, however many `assigned_users` lists.
    pub assigned_count: u32,
    /// Who bought it and is billed.
    pub purchaser: UserRef,
    /// Start of the current period (unix seconds).
    pub current_period_start: i64,
    /// End of the current period: the renewal or expiry date (unix seconds).
    pub current_period_end: i64,
    /// True when cancelled: it ends at `current_period_end` instead of renewing.
    pub cancel_at_period_end: bool,
    /// Price of one seat per period, before tax.
    pub unit_amount: i64,
    /// Currency of the price.
    pub currency: Currency,
    /// The card on file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<CardSummary>,
    /// Every order, newest first.
    pub orders: Vec<Order>,
    /// The most recent invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_invoice: Option<Invoice>,
    /// When it was created (unix seconds).
    pub created: i64,
    /// When an admin asked the purchaser to cancel, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_requested_at: Option<i64>,
    /// Who asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_requested_by: Option<String>,
    /// For a trial that was bought: the subscription that replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted_to: Option<String>,
    /// The latest dispute (chargeback) of one of its charges, if the cardholder's bank opened
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute: Option<Dispute>,
}

impl Subscription {
    /// Whether `assigned_users` is every holder, not the first few of them.
    pub fn lists_every_holder(&self) -> bool {
        self.assigned_users.len() as u64 == u64::from(self.assigned_count)
    }
}

/// A page of a subscription's licence holders (`GET /subscriptions/{id}/assignments`), by
/// name then email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holders {
    pub data: Vec<UserRef>,
    /// Whether more holders match than `data` lists.
    pub has_more: bool,
    /// How many holders match the filter (all of them without one).
    pub total_count: u32,
}

/// A cardholder's bank disputing a charge of the subscription (a chargeback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispute {
    /// When it was reported (unix seconds).
    pub opened: i64,
    /// The amount disputed.
    pub amount: i64,
    pub currency: Currency,
    /// How the bank decided it; absent while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<DisputeOutcome>,
}

wire_enum! {
    /// How a dispute ended.
    pub enum DisputeOutcome {
        /// The charge stands.
        Won => "won",
        /// The amount went back to the cardholder.
        Lost => "lost",
    }
}
