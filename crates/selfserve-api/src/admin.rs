//! What admins and partners see and do: purchases across the organisation, central purchases,
//! take-overs, policies, capacity, the audit log; and trials.

use crate::guardrails::{Guardrails, LimitChange, SeatLimit, SpendCap};
use crate::product::ProductId;
use crate::subscription::Subscription;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// An admin's setting for one product in one organisation (the MSCommerce
    /// `AllowSelfServicePurchase` policy). Without a setting a product is `enabled`.
    pub enum Policy {
        /// Users may buy and start trials.
        Enabled => "enabled",
        /// Users may not buy or start trials.
        Disabled => "disabled",
        /// Users may start trials without a card, but not buy.
        OnlyTrialsWithoutPaymentMethod => "only_trials_without_payment_method",
    }
}

/// A product without a setting is on, as in the MSCommerce module.
impl Default for Policy {
    fn default() -> Self {
        Self::Enabled
    }
}

wire_enum! {
    /// How the caller administers an organisation.
    pub enum AdminRole {
        /// A global admin of it: everything, including product policies.
        GlobalAdmin => "global_admin",
        /// A billing admin of it: every purchase and bill, not policies.
        BillingAdmin => "billing_admin",
        /// A partner with delegated admin rights: like a billing admin.
        Partner => "partner",
    }
}

wire_enum! {
    /// What an audit entry records.
    pub enum AuditAction {
        /// A self-service purchase.
        Purchase => "purchase",
        /// A free trial started.
        TrialStarted => "trial_started",
        /// Seats added now.
        SeatsChanged => "seats_changed",
        /// Fewer seats from the next renewal.
        SeatsChangeScheduled => "seats_change_scheduled",
        /// Licences given to people.
        LicencesAssigned => "licences_assigned",
        /// A licence taken back.
        LicenceRemoved => "licence_removed",
        /// A product's policy changed.
        PolicyChanged => "policy_changed",
        /// The purchaser cancelled at period end.
        Cancelled => "cancelled",
        /// The purchaser undid a cancellation.
        CancellationUndone => "cancellation_undone",
        /// A cancelled subscription or a trial ended; licences released.
        Expired => "expired",
        /// An admin moved the users to central licences.
        TakeOver => "take_over",
        /// An admin asked the purchaser to cancel.
        CancellationRequested => "cancellation_requested",
        /// An admin recorded a central purchase.
        CentralPurchase => "central_purchase",
        /// A period renewed and was paid.
        Renewed => "renewed",
        /// A renewal's payment failed.
        RenewalFailed => "renewal_failed",
        /// Money paid for a bill was given back.
        Refunded => "refunded",
        /// The cardholder's bank disputed a charge (a chargeback).
        Disputed => "disputed",
        /// A person asked the admins for a product they may not buy.
        RequestOpened => "request_opened",
        /// An admin answered a request.
        RequestAnswered => "request_answered",
        /// The purchaser was reminded that the subscription renews in 7 days.
        RenewalUpcoming => "renewal_upcoming",
        /// The purchaser was reminded that the trial ends in 3 days.
        TrialEnding => "trial_ending",
        /// A past-due subscription was suspended after the grace period.
        Suspended => "suspended",
    }
}

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
    /// How the caller administers it.
    pub role: AdminRole,
    /// Whether the caller may change product policies (global admins only).
    pub can_change_policy: bool,
    /// How its people sign in.
    pub sign_in: OrganizationSignIn,
}

/// How an organisation's people sign in, as its admins see it. The client secret, or where it
/// is kept, is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum OrganizationSignIn {
    /// At the organisation's OpenID Provider.
    Sso {
        /// The provider's issuer URL.
        issuer: String,
    },
    /// With passwords kept by this server.
    Password,
}

/// One product's self-service purchase policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyEntry {
    /// The product.
    pub product: ProductId,
    /// The policy.
    pub value: Policy,
    /// The guardrails (each `null` when there is no such limit).
    #[serde(flatten)]
    pub guardrails: Guardrails,
    /// The organisation's currency: `monthly_cap` is in its minor units.
    pub currency: crate::money::Currency,
}

/// Body of `PUT /admin/policies/{product}`: any of the policy and the three limits. A limit
/// left out stays as it is; `null` removes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyUpdate {
    /// The new policy; left out: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Policy>,
    /// Most seats in one purchase; `null` removes the limit.
    #[serde(default, skip_serializing_if = "LimitChange::is_keep")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 1, maximum = 1000000))]
    pub max_seats_per_purchase: LimitChange<SeatLimit>,
    /// Most self-service seats in the organisation; `null` removes the limit.
    #[serde(default, skip_serializing_if = "LimitChange::is_keep")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 1, maximum = 1000000))]
    pub max_seats: LimitChange<SeatLimit>,
    /// Most charged per calendar month in minor units; `null` removes the limit.
    #[serde(default, skip_serializing_if = "LimitChange::is_keep")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 1, maximum = 1000000000000i64))]
    pub monthly_cap: LimitChange<SpendCap>,
}

impl PolicyUpdate {
    /// The guardrails after this update, from those before.
    pub fn apply(&self, before: Guardrails) -> Guardrails {
        Guardrails {
            max_seats_per_purchase: self
                .max_seats_per_purchase
                .apply(before.max_seats_per_purchase),
            max_seats: self.max_seats.apply(before.max_seats),
            monthly_cap: self.monthly_cap.apply(before.monthly_cap),
        }
    }
}

/// Body of `POST /admin/subscriptions`: a subscription bought centrally, through the
/// organisation's agreement (no card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CentralPurchaseRequest {
    /// The product.
    pub product: String,
    /// Seats.
    #[serde(deserialize_with = "crate::integer::integer")]
    pub quantity: i64,
    /// The agreement's price per seat and month, in minor units of the organisation's currency.
    #[serde(deserialize_with = "crate::integer::integer")]
    pub unit_amount: i64,
}

wire_enum! {
    /// What a take-over does to the purchaser's own subscription.
    pub enum TakeOverCancel {
        /// It runs on; the purchaser is asked to cancel it (what a take-over did before the
        /// choice existed, and what a request without `cancel` does).
        AskPurchaser => "ask_purchaser",
        /// It is cancelled at the end of the period already paid for.
        AtPeriodEnd => "at_period_end",
        /// It ends now and the unused part of the current period's paid bill is refunded
        /// (the seconds left over the period's length, rounded up to the minor unit in the
        /// buyer's favour, never more than is left to refund of that bill).
        NowWithRefund => "now_with_refund",
    }
}

/// Body of `POST /admin/subscriptions/{id}/take-over`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TakeOverRequest {
    /// The central subscription to move the users to; by default the first central
    /// subscription of the same product with enough free seats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub central_subscription_id: Option<String>,
    /// What happens to the purchaser's subscription; absent: `ask_purchaser`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<TakeOverCancel>,
}

/// What a take-over did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TakeOverResult {
    /// The self-service subscription, now with a cancellation request.
    pub self_service: Subscription,
    /// The central subscription, now holding the users.
    pub central: Subscription,
    /// With `now_with_refund`: what is given back of the bill, in its currency's minor units
    /// (0 when nothing was paid for the period or nothing is left to refund).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<i64>,
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
    /// What happened.
    pub action: AuditAction,
    /// The subscription concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// The product concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductId>,
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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::optional_integer"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 25))]
    pub quantity: Option<i64>,
}

wire_enum! {
    /// Where a delivery to a webhook endpoint stands.
    pub enum WebhookDeliveryStatus {
        /// Not taken yet: waiting for its first attempt or a retry.
        Pending => "pending",
        /// The endpoint answered 2xx.
        Delivered => "delivered",
        /// Given up after every attempt failed.
        Failed => "failed",
        /// The endpoint was removed before it took it.
        Cancelled => "cancelled",
    }
}

/// The latest delivery planned for an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub status: WebhookDeliveryStatus,
    /// When it was planned (unix seconds).
    pub created: i64,
    /// Attempts made so far.
    pub attempts: i64,
    /// The last failure (`HTTP 500`, `could not connect`, …), when the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// One of the organisation's webhook endpoints, which receive its events as JSON signed with
/// HMAC-SHA256 (`Selfserve-Signature: t=…,v1=…` over `"{t}.{body}"`). Never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// `whe_…`.
    pub id: String,
    /// Where events are posted: `https://` to a public host.
    pub url: String,
    /// The event kinds it receives (`type` of the body), or `null`: every event, including
    /// kinds added later.
    pub events: Option<Vec<AuditAction>>,
    /// Unix seconds.
    pub created: i64,
    /// The latest delivery planned for it; `null` before its first event.
    #[serde(default)]
    pub last_delivery: Option<WebhookDelivery>,
}

/// Body of `POST /admin/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    /// `https://…` to a public host (loopback and private addresses only on a server started
    /// with `--allow-private-webhook-targets`). The schema's pattern is a subset of what the
    /// server takes (it also takes upper case, queries, IP hosts), so a client generating URLs
    /// from the document only makes ones the server accepts.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^https://([a-z0-9-]+\.)*[a-z]+(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*$",
            max_length = 2048
        )
    )]
    pub url: String,
    /// The event kinds to receive (at least one; an unknown kind is refused). Left out: every
    /// event, including kinds added later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<AuditAction>>,
}

/// A new endpoint with its signing secret: shown in this answer only, never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhookEndpoint {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: the HMAC-SHA256 key the signatures are made with.
    pub secret: String,
}

wire_enum! {
    /// How an admin gets admin notices (new self-service purchases and trials, requests to IT).
    pub enum NoticePreference {
        /// A mail per event (what an admin who never chose gets).
        Each => "each",
        /// One digest a day (by the billing clock's UTC day) listing the day's events; none
        /// on a day without any.
        Daily => "daily",
        /// No admin notices; the admin pages still list everything.
        Off => "none",
    }
}

/// `GET`/`PUT /admin/notice-preferences`: the signed-in admin's own choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticePreferences {
    pub notices: NoticePreference,
}
