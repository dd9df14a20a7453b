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
}

impl Template {
    /// Every template.
    pub const ALL: [Self; 13] = [
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
    ];

    /// Whether the mail tells about a request to IT ([`RequestFacts`]) rather than a
    /// subscription ([`Facts`]).
    pub fn about_a_request(self) -> bool {
        match self {
            Self::AdminRequest | Self::RequestAnswered => true,
            Self::Receipt
            | Self::AdminPurchase
            | Self::AdminTrial
            | Self::LicenceAssigned
            | Self::PaymentFailed
            | Self::CancellationRequested
            | Self::RenewalUpcoming
            | Self::TrialEnding
            | Self::Suspended
            | Self::TakenOver => false,
            Self::AdminDigest => false,
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
            let names = |state: &Option<serde_json::Value>| -> Vec<String> {
                state
                    .as_ref()
                    .and_then(|s| s.get("assigned"))
                    .and_then(|a| a.as_array())
                    .map(|list| {
                        list.iter()
                            .filter_map(|e| e.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let before = names(&event.before);
            let added: Vec<String> = names(&event.after)
                .into_iter()
                .filter(|email| !before.contains(email))
                .collect();
            if added.is_empty() {
                Vec::new()
            } else {
                vec![(Template::LicenceAssigned, Audience::People(added))]
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
        // Not mailed yet (issue 12's later steps): the audit log still has them.
        AuditAction::SeatsChanged
        | AuditAction::SeatsChangeScheduled
        | AuditAction::LicenceRemoved
        | AuditAction::PolicyChanged
        | AuditAction::Cancelled
        | AuditAction::CancellationUndone
        | AuditAction::Expired
        | AuditAction::CentralPurchase
        | AuditAction::Renewed
        | AuditAction::Refunded
        | AuditAction::Disputed => Vec::new(),
    }
}

impl Template {
    /// Whether it is an admin notice (one an admin may opt out of; it carries
    /// `List-Unsubscribe`).
    pub fn is_admin_notice(self) -> bool {
        match self {
            Self::AdminPurchase | Self::AdminTrial | Self::AdminRequest | Self::AdminDigest => true,
            Self::Receipt
            | Self::RequestAnswered
            | Self::LicenceAssigned
            | Self::PaymentFailed
            | Self::CancellationRequested
            | Self::RenewalUpcoming
            | Self::TrialEnding
            | Self::Suspended
            | Self::TakenOver => false,
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

/// A planned mail's facts: about a subscription or about a request to IT (which one follows
/// from its template, [`Template::about_a_request`]).
#[derive(Debug, Clone, PartialEq)]
pub enum MailFacts {
    Subscription(Facts),
    Request(RequestFacts),
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
                    // A digest never lists a digest (only admin notices are held).
                    MailFacts::Digest(_) => serde_json::Value::Null,
                };
                Ok(serde_json::json!({"template": item.template.as_str(), "facts": facts}))
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()?;
        serde_json::to_string(&serde_json::json!({"day_start": self.day_start, "items": items}))
    }
}
