//! Telling people: which event mails whom (this file, the one place), what the mail says
//! ([`render`]), and how it leaves ([`sender`]).
//!
//! The mails are planned inside the transaction of the event ([`crate::store::outbox`] writes
//! one outbox row per recipient next to the event), so a change and its mails commit together;
//! the sender delivers them later, at least once, each with a Message-ID fixed when it was
//! planned.

pub mod format;
pub mod render;
pub mod sender;
pub mod unsubscribe;

use crate::events::Event;
use selfserve_api::admin::AuditAction;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::product::ProductId;
use selfserve_api::requests::RequestOutcome;
use selfserve_api::wire_enum::UnknownValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a mail is about, as stored in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Template {
    /// The purchaser's receipt for a new subscription.
    Receipt,
    /// An admin is told of a new self-service purchase.
    AdminPurchase,
    /// An admin is told of a new trial.
    AdminTrial,
    /// A colleague was given a licence.
    LicenceAssigned,
    /// A renewal could not be charged: the purchaser is asked to pay.
    PaymentFailed,
    /// An admin asked the purchaser to cancel.
    CancellationRequested,
    /// An admin is told of a new request to IT.
    AdminRequest,
    /// The requester is told how an admin answered.
    RequestAnswered,
    /// The subscription renews in 7 days: what will be charged.
    RenewalUpcoming,
    /// The trial ends in 3 days: buy to keep it.
    TrialEnding,
    /// The bill stayed unpaid past the grace period: licences suspended until it is paid.
    Suspended,
    /// An admin moved the subscription's users to central licences: what becomes of it.
    TakenOver,
    /// An admin on `daily` is told of a billing day's admin notices in one mail.
    AdminDigest,
    /// The purchaser's receipt for a renewal that was charged.
    RenewalReceipt,
    /// The purchaser's receipt for seats added now, charged for the rest of the period.
    SeatsAddedReceipt,
    /// The purchaser's confirmation of fewer seats from the renewal on.
    SeatsDecreaseScheduled,
    /// The purchaser cancelled: it ends with the period, undoable until then.
    Cancelled,
    /// The purchaser undid the cancellation: it continues.
    CancellationUndone,
    /// A colleague's licence was taken back.
    LicenceRemoved,
    /// A global admin is told that another one changed a product's policy or limits.
    AdminPolicyChanged,
}

/// What a template's facts are about, as stored in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsKind {
    Subscription,
    Request,
    Policy,
    Digest,
}

impl Template {
    /// Every template.
    pub const ALL: [Self; 20] = [
        Self::Receipt,
        Self::AdminPurchase,
        Self::AdminTrial,
        Self::LicenceAssigned,
        Self::PaymentFailed,
        Self::CancellationRequested,
        Self::AdminRequest,
        Self::RequestAnswered,
        Self::RenewalUpcoming,
        Self::TrialEnding,
        Self::Suspended,
        Self::TakenOver,
        Self::AdminDigest,
        Self::RenewalReceipt,
        Self::SeatsAddedReceipt,
        Self::SeatsDecreaseScheduled,
        Self::Cancelled,
        Self::CancellationUndone,
        Self::LicenceRemoved,
        Self::AdminPolicyChanged,
    ];

    /// What the mail's facts are about: a subscription ([`Facts`]), a request to IT
    /// ([`RequestFacts`]), a policy ([`PolicyFacts`]) or a day of notices ([`DigestFacts`]).
    pub fn facts_kind(self) -> FactsKind {
        match self {
            Self::AdminRequest | Self::RequestAnswered => FactsKind::Request,
            Self::AdminPolicyChanged => FactsKind::Policy,
            Self::AdminDigest => FactsKind::Digest,
            Self::Receipt
            | Self::AdminPurchase
            | Self::AdminTrial
            | Self::LicenceAssigned
            | Self::PaymentFailed
            | Self::CancellationRequested
            | Self::RenewalUpcoming
            | Self::TrialEnding
            | Self::Suspended
            | Self::TakenOver
            | Self::RenewalReceipt
            | Self::SeatsAddedReceipt
            | Self::SeatsDecreaseScheduled
            | Self::Cancelled
            | Self::CancellationUndone
            | Self::LicenceRemoved => FactsKind::Subscription,
        }
    }

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::AdminPurchase => "admin_purchase",
            Self::AdminTrial => "admin_trial",
            Self::LicenceAssigned => "licence_assigned",
            Self::PaymentFailed => "payment_failed",
            Self::CancellationRequested => "cancellation_requested",
            Self::AdminRequest => "admin_request",
            Self::RequestAnswered => "request_answered",
            Self::RenewalUpcoming => "renewal_upcoming",
            Self::TrialEnding => "trial_ending",
            Self::Suspended => "suspended",
            Self::TakenOver => "taken_over",
            Self::AdminDigest => "admin_digest",
            Self::RenewalReceipt => "renewal_receipt",
            Self::SeatsAddedReceipt => "seats_added_receipt",
            Self::SeatsDecreaseScheduled => "seats_decrease_scheduled",
            Self::Cancelled => "cancelled",
            Self::CancellationUndone => "cancellation_undone",
            Self::LicenceRemoved => "licence_removed",
            Self::AdminPolicyChanged => "admin_policy_changed",
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Template {
    type Err = UnknownValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| UnknownValue {
                kind: "mail template",
                text: text.to_owned(),
            })
    }
}

/// Who a planned mail goes to; the store turns it into people inside the event's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The subscription's purchaser.
    Purchaser,
    /// Who made the request to IT.
    Requester,
    /// The organisation's enabled global and billing admins, except whoever acted (they know)
    /// and those who opted out of admin notices.
    Admins,
    /// Like [`Audience::Admins`], global admins only (those who may change policies).
    GlobalAdmins,
    /// These people (by email, as the event names them), except whoever acted.
    People(Vec<String>),
}

/// The mails `event` causes: the event × recipient table of ARCHITECTURE.md.
pub fn plan(event: &Event) -> Vec<(Template, Audience)> {
    match event.kind {
        AuditAction::Purchase => vec![
            (Template::Receipt, Audience::Purchaser),
            (Template::AdminPurchase, Audience::Admins),
        ],
        AuditAction::TrialStarted => vec![(Template::AdminTrial, Audience::Admins)],
        AuditAction::LicencesAssigned => {
            let before = emails(&event.before, "assigned");
            let added: Vec<String> = emails(&event.after, "assigned")
                .into_iter()
                .filter(|email| !before.contains(email))
                .collect();
            if added.is_empty() {
                Vec::new()
            } else {
                vec![(Template::LicenceAssigned, Audience::People(added))]
            }
        }
        AuditAction::LicenceRemoved => {
            let removed = emails(&event.before, "user");
            if removed.is_empty() {
                Vec::new()
            } else {
                vec![(Template::LicenceRemoved, Audience::People(removed))]
            }
        }
        AuditAction::RenewalFailed => vec![(Template::PaymentFailed, Audience::Purchaser)],
        AuditAction::CancellationRequested => {
            vec![(Template::CancellationRequested, Audience::Purchaser)]
        }
        AuditAction::RequestOpened => vec![(Template::AdminRequest, Audience::Admins)],
        AuditAction::RequestAnswered => vec![(Template::RequestAnswered, Audience::Requester)],
        AuditAction::RenewalUpcoming => vec![(Template::RenewalUpcoming, Audience::Purchaser)],
        AuditAction::TrialEnding => vec![(Template::TrialEnding, Audience::Purchaser)],
        AuditAction::Suspended => vec![(Template::Suspended, Audience::Purchaser)],
        AuditAction::TakeOver => vec![(Template::TakenOver, Audience::Purchaser)],
        AuditAction::Renewed => vec![(Template::RenewalReceipt, Audience::Purchaser)],
        AuditAction::SeatsChanged => vec![(Template::SeatsAddedReceipt, Audience::Purchaser)],
        // Setting the same number again only drops a scheduled decrease: nothing to confirm.
        AuditAction::SeatsChangeScheduled => {
            let quantity = |state: &Option<serde_json::Value>| {
                state
                    .as_ref()
                    .and_then(|s| s.get("quantity"))
                    .and_then(serde_json::Value::as_i64)
            };
            match (quantity(&event.before), quantity(&event.after)) {
                (Some(before), Some(after)) if after < before => {
                    vec![(Template::SeatsDecreaseScheduled, Audience::Purchaser)]
                }
                _ => Vec::new(),
            }
        }
        AuditAction::Cancelled => vec![(Template::Cancelled, Audience::Purchaser)],
        AuditAction::CancellationUndone => {
            vec![(Template::CancellationUndone, Audience::Purchaser)]
        }
        AuditAction::PolicyChanged => {
            vec![(Template::AdminPolicyChanged, Audience::GlobalAdmins)]
        }
        // Admin webhooks only: an expiry follows a cancellation the purchaser was told of, a
        // central purchase is the admin's own act, refunds and disputes are the operator's.
        AuditAction::Expired
        | AuditAction::CentralPurchase
        | AuditAction::Refunded
        | AuditAction::Disputed => Vec::new(),
    }
}

/// The email addresses under `key` of an event's state: a list, or one address.
fn emails(state: &Option<serde_json::Value>, key: &str) -> Vec<String> {
    match state.as_ref().and_then(|s| s.get(key)) {
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|e| e.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(email)) => vec![email.clone()],
        _ => Vec::new(),
    }
}

impl Template {
    /// Whether it is an admin notice (one an admin may opt out of; it carries
    /// `List-Unsubscribe`).
    pub fn is_admin_notice(self) -> bool {
        match self {
            Self::AdminPurchase
            | Self::AdminTrial
            | Self::AdminRequest
            | Self::AdminDigest
            | Self::AdminPolicyChanged => true,
            Self::Receipt
            | Self::RequestAnswered
            | Self::LicenceAssigned
            | Self::PaymentFailed
            | Self::CancellationRequested
            | Self::RenewalUpcoming
            | Self::TrialEnding
            | Self::Suspended
            | Self::TakenOver
            | Self::RenewalReceipt
            | Self::SeatsAddedReceipt
            | Self::SeatsDecreaseScheduled
            | Self::Cancelled
            | Self::CancellationUndone
            | Self::LicenceRemoved => false,
        }
    }
}

/// What a mail tells, gathered when it is planned (so a retry days later says the same).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub organization_name: String,
    /// Who acted, as the event names them.
    pub actor_name: String,
    pub product: ProductId,
    pub subscription_id: String,
    pub purchaser_name: String,
    pub quantity: i64,
    /// What was paid, in minor units of `currency` (purchases only).
    pub total: Option<i64>,
    pub currency: String,
    /// Billing time (unix seconds): the current period, or the trial.
    pub period_start: i64,
    pub period_end: i64,
    /// What a take-over did to the subscription (take-over mails only; absent in mails
    /// planned before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_over: Option<TakeOverOutcome>,
    /// The bill a receipt is for (`in_…`, linked as the printable invoice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// The seats before a seat change (seat-change mails only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_quantity: Option<i64>,
}

/// What a mail about a changed policy tells: the product's policy and limits before and
/// after, as the `policy_changed` event recorded them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyFacts {
    pub organization_name: String,
    pub actor_name: String,
    pub product: ProductId,
    pub before: PolicyState,
    pub after: PolicyState,
}

/// A product's policy and limits in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyState {
    pub value: selfserve_api::admin::Policy,
    pub currency: selfserve_api::money::Currency,
    #[serde(flatten)]
    pub limits: selfserve_api::guardrails::Guardrails,
}

/// What became of a self-service subscription whose users an admin moved to central licences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TakeOverOutcome {
    /// It runs on; the purchaser is asked to cancel it.
    LeftRunning,
    /// It ends when the period already paid for does.
    EndsAtPeriodEnd,
    /// It ended now; `refunded` (minor units, reserved in the take-over's transaction) is on
    /// its way back.
    EndedNow { refunded: i64 },
}

/// What a mail about a request to IT tells, gathered when it is planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestFacts {
    pub organization_name: String,
    /// Who acted (the requester, or the admin who answered).
    pub actor_name: String,
    pub product: ProductId,
    pub request_id: String,
    pub requester_name: String,
    pub requester_email: String,
    pub reason: IneligibleReason,
    /// The answer (answer mails only).
    pub outcome: Option<RequestOutcome>,
    pub message: Option<String>,
}

/// A planned mail's facts: which kind follows from its template ([`Template::facts_kind`]).
#[derive(Debug, Clone, PartialEq)]
pub enum MailFacts {
    Subscription(Facts),
    Request(RequestFacts),
    Policy(PolicyFacts),
    Digest(DigestFacts),
}

/// One admin notice listed in a digest: what its own mail would have said.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestItem {
    pub template: Template,
    pub facts: MailFacts,
}

/// What a daily digest tells: the billing day (its start, unix seconds) and its notices in
/// the order they happened.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestFacts {
    pub day_start: i64,
    pub items: Vec<DigestItem>,
}

impl DigestFacts {
    /// As stored in the outbox: each item's template and its own mail's facts.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let items = self
            .items
            .iter()
            .map(|item| {
                let facts = match &item.facts {
                    MailFacts::Subscription(facts) => serde_json::to_value(facts)?,
                    MailFacts::Request(facts) => serde_json::to_value(facts)?,
                    MailFacts::Policy(facts) => serde_json::to_value(facts)?,
                    // A digest never lists a digest (only admin notices are held).
                    MailFacts::Digest(_) => serde_json::Value::Null,
                };
                Ok(serde_json::json!({"template": item.template.as_str(), "facts": facts}))
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()?;
        serde_json::to_string(&serde_json::json!({"day_start": self.day_start, "items": items}))
    }
}
