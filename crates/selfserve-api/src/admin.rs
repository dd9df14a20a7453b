//! What admins and partners see and do: purchases across the organisation, central purchases,
//! take-overs, policies, capacity, the audit log; and trials.

use crate::product::ProductId;
use crate::subscription::Subscription;
use serde::{Deserialize, Serialize};

/// An organisation the caller administers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminOrganization {
    /// `org_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its domains, primary first (`?organization=` takes any of them).
    pub domains: Vec<String>,
    /// How the caller administers it: `global_admin`, `billing_admin` or `partner`.
    pub role: String,
    /// Whether the caller may change product policies (global admins only).
    pub can_change_policy: bool,
}

/// One product's self-service purchase policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyEntry {
    /// The product.
    pub product: ProductId,
    /// `enabled`, `disabled` or `only_trials_without_payment_method`.
    pub value: String,
}

/// Body of `PUT /admin/policies/{product}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyUpdate {
    /// `enabled`, `disabled` or `only_trials_without_payment_method`.
    pub value: String,
}

/// Body of `POST /admin/subscriptions`: a subscription bought centrally, through the
/// organisation's agreement (no card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CentralPurchaseRequest {
    /// The product.
    pub product: String,
    /// Seats.
    pub quantity: i64,
    /// The agreement's price per seat and month, in minor units of the organisation's currency.
    pub unit_amount: i64,
}

/// Body of `POST /admin/subscriptions/{id}/take-over`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TakeOverRequest {
    /// The central subscription to move the users to; by default the first central
    /// subscription of the same product with enough free seats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub central_subscription_id: Option<String>,
}

/// What a take-over did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TakeOverResult {
    /// The self-service subscription, now with a cancellation request.
    pub self_service: Subscription,
    /// The central subscription, now holding the users.
    pub central: Subscription,
}

/// Seats of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatCounts {
    /// Paid for.
    pub seats: i64,
    /// Given to users.
    pub assigned: i64,
    /// `seats - assigned`.
    pub free: i64,
}

/// An organisation's capacity for one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityEntry {
    /// The product.
    pub product: ProductId,
    /// Its name.
    pub product_name: String,
    /// Seats bought self-service (trials included).
    pub self_service: SeatCounts,
    /// Seats bought centrally.
    pub central: SeatCounts,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// `evt_…`.
    pub id: String,
    /// When (unix seconds).
    pub at: i64,
    /// Who: a person's name, `Billing` or `CLI`.
    pub actor: String,
    /// What: `purchase`, `trial_started`, `seats_changed`, `licences_assigned`,
    /// `licence_removed`, `policy_changed`, `cancelled`, `cancellation_undone`, `expired`,
    /// `take_over`, `cancellation_requested`, `central_purchase`, `renewed`, `renewal_failed`.
    pub action: String,
    /// The subscription concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// The product concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The state before.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// The state after.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
}

/// Body of `POST /trials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrialRequest {
    /// The product to try.
    pub product: String,
    /// Seats for the trial (1–25, default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
}
