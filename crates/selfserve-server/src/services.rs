//! What the server does, below HTTP: each service function takes the acting [`Actor`] and
//! parsed input, asks [`access`](crate::access) whether the actor may, applies the rules of
//! `domain`, changes the store (with its events) and moves money through the processor. It
//! returns values or a [`ServiceError`]; nothing here knows about HTTP, so the command line
//! and the HTTP handlers call the same functions.
//!
//! # Layout
//! - [`checkout`]: the email step, quotes, purchases (and trials in [`trials`]).
//! - [`guardrails`]: the admins' limits on seats and spend, checked before paying.
//! - [`payments`]: settling an order through the processor, and recovery after a crash.
//! - [`billing`]: renewals, ends of periods, suspensions; the test clock.
//! - [`subscriptions`]: reading subscriptions, cancelling, undoing, replacing the card.
//! - [`licences`]: colleague search, giving and taking back licences.
//! - [`notices`]: admins' choice about admin notices; the unsubscribe link's opt-out.
//! - [`seats`]: quoting and changing the number of licences.
//! - [`bills`]: reading and paying bills; [`refunds`]: giving money back (the command line).
//! - [`scim`]: provisioning by the organisation's identity provider (users, groups → roles).
//! - [`admin`]: the organisation's admins and partners: scope, purchases, central purchases,
//!   take-overs, policies, capacity, the audit log.

pub mod admin;
pub mod authentications;
pub mod billing;
pub mod bills;
pub mod checkout;
pub mod guardrails;
pub mod licences;
pub mod notices;
pub mod pages;
pub mod payments;
pub mod refunds;
pub mod requests;
pub mod retention;
pub mod scim;
pub mod seats;
pub mod subscriptions;
pub mod trials;
pub mod webhooks;

use crate::access::{self, Action, Actor, Denied, Principal, Target};
use crate::clock::Clock;
use crate::payments::{Challenge, Payments};
use crate::store::directory::{OrganizationRow, UserRow};
use crate::store::subscriptions::SubscriptionRow;
use crate::store::{Store, StoreError};
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::session::OrganizationKind;

/// What every service works with.
#[derive(Debug, Clone)]
pub struct Services {
    pub store: Store,
    pub payments: Payments,
    /// Billing time (movable with `--test-clock`).
    pub clock: Clock,
    /// `--allow-private-webhook-targets`: where admin webhooks may point.
    pub webhook_targets: crate::admin_webhooks::WebhookTargets,
    /// `--seller-name`, `--terms-url`, `--privacy-url`.
    pub seller: crate::seller::Seller,
}

/// A signed-in person calling a service: the account, its organisation now, and the actor
/// rights are decided for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRow,
    pub organization: OrganizationRow,
    pub actor: Actor,
}

impl Caller {
    /// Whether the caller belongs to a partner organisation.
    pub fn is_partner(&self) -> bool {
        self.organization.kind == OrganizationKind::Partner
    }
}

/// Why a service refused or failed. The HTTP layer turns each into a status, a code and
/// words; nothing here is worded for a person.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such thing, or not the actor's to see (never confirm it exists).
    #[error("not found")]
    NotFound,
    #[error("admin rights required: {0:?}")]
    AdminRequired(AdminRefusal),
    #[error("not eligible: {0:?}")]
    NotEligible(IneligibleReason),
    /// A guardrail leaves no room for this (403 `not_eligible`, `cap_reached`).
    #[error("guardrail reached: {0:?}")]
    CapReached(selfserve_api::guardrails::ReachedLimit),
    #[error("payment failed: {0:?}")]
    Payment(PaymentFailure),
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("not enough seats: {0:?}")]
    NoSeats(NoSeats),
    /// People asked for who are not enabled members of the organisation.
    #[error("not in the organisation: {missing:?}")]
    UsersNotFound {
        missing: Vec<String>,
        /// Whether they were named by email (else by id).
        by_email: bool,
    },
    /// The person holds no licence of the subscription.
    #[error("no licence held")]
    NoLicenceHeld,
    #[error("invalid request: {0:?}")]
    Invalid(Invalid),
    #[error("refund refused: {0:?}")]
    Refund(refunds::RefundRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why organisation-wide rights are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRefusal {
    /// Neither an admin nor a delegated partner.
    NotAnAdmin,
    /// An admin naming another organisation.
    OwnOrganizationOnly,
    /// A partner without a delegation for the customer named.
    NoDelegationForCustomer,
    /// A partner without any delegation.
    NoDelegation,
    /// Changing policy takes a global admin.
    GlobalAdminOnly,
    /// Webhook endpoints take a global admin.
    WebhooksGlobalAdminOnly,
}

/// Why a payment did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentFailure {
    /// The issuer refused, with its decline code.
    Declined(String),
    /// This attempt stalled and was given up; nothing was charged.
    Abandoned,
    /// The buyer must pass 3-D Secure first.
    AuthenticationRequired(Challenge),
    InvalidToken,
    TokenAlreadyUsed,
    /// No card given and none on file.
    NoCardOnFile,
}

/// A request that is fine but meets a state that does not allow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// Seats change only on an active or past-due subscription.
    SeatsNotChangeable,
    /// Seats do not change while a cancellation is pending.
    SeatsWhileEnding,
    /// The seat count changed since it was read, or another increase is in flight.
    SeatsChangedMeanwhile,
    /// Fewer seats than are assigned.
    BelowAssigned {
        assigned: i64,
        wanted: i64,
    },
    BillAlreadyPaid,
    /// The bill was voided (its subscription ended now): nothing to pay.
    BillVoid,
    /// A payment of the subscription is in flight; it must settle before it ends now.
    PaymentInFlight,
    /// Already paid, or a payment of it is in flight.
    BillPaidOrPaying,
    /// Licences cannot be given out (suspended, ended).
    NotAssignable,
    AlreadyCancelledOrEnded,
    NothingToUndo,
    /// Only a self-service subscription can be taken over or asked to cancel.
    NotSelfService,
    /// The central subscription cannot take licences now.
    CentralNotAssignable,
    /// One trial per person and product.
    HadTrial,
    /// A trial takes no card: it becomes paid only by a purchase.
    NoCardOnTrial,
    /// An ended subscription takes no card.
    CardNotReplaceable,
    /// A request to IT for a product the caller may buy now.
    MayBuyAlready,
    /// A request to IT answered already (by another admin).
    RequestAlreadyAnswered,
}

/// Not enough seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoSeats {
    /// Giving out licences: nobody was assigned.
    Assign { free: i64 },
    /// A take-over: nobody was moved.
    TakeOver { free: i64, people: usize },
    /// No central subscription of the product to move people to.
    NoCentralSubscription,
}

/// Input that breaks a rule only the service can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// `convert_trial` names no trial of this product the buyer may buy.
    NotATrialToConvert,
    /// A trial conversion must buy a licence for everyone on the trial, and the buyer.
    TooFewForTrial {
        users: usize,
        needed: usize,
        buyer_included: bool,
    },
    /// `central_subscription_id` names no central subscription of the product.
    NoSuchCentralSubscription,
    /// Between 1 and 1,000 people per assignment.
    AssignmentSize,
    /// An answer's message is longer than `requests::MAX_ANSWER_MESSAGE` characters.
    AnswerMessageTooLong,
    /// A webhook endpoint URL that may not be used.
    WebhookUrl(crate::admin_webhooks::UrlRefusal),
    /// An unsubscribe link whose HMAC does not hold.
    UnsubscribeLink,
    /// `events` names no kind (leave it out for every event).
    WebhookEvents,
}

impl From<selfserve_api::guardrails::ReachedLimit> for ServiceError {
    fn from(reached: selfserve_api::guardrails::ReachedLimit) -> Self {
        Self::CapReached(reached)
    }
}

impl From<Denied> for ServiceError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Hidden => Self::NotFound,
            Denied::AdminRequired => Self::AdminRequired(AdminRefusal::NotAnAdmin),
        }
    }
}

/// The rights-relevant view of a signed-in user: their current organisation, roles and
/// (for partners) the delegations in force now.
pub async fn principal(
    store: &Store,
    user: &UserRow,
    organization: &OrganizationRow,
) -> Result<Principal, StoreError> {
    let delegated_customers = if organization.kind == OrganizationKind::Partner {
        store
            .delegated_customers(&organization.id)
            .await?
            .into_iter()
            .map(|customer| customer.id)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Principal {
        user_id: user.id.clone(),
        name: user.name.clone(),
        organization_id: user.organization_id.clone(),
        active: user.enabled && user.in_directory,
        global_admin: user.global_admin,
        billing_admin: user.billing_admin,
        delegated_customers,
    })
}

impl Services {
    /// Services for the command line, which changes settings but never charges a card: the
    /// built-in gateway stands in as the processor, unreachable by any browser.
    pub fn offline(store: Store) -> Self {
        let clock = Clock::system();
        Self {
            payments: Payments::Builtin(crate::gateway::Gateway::new(
                store.clone(),
                clock.clone(),
                "",
            )),
            store,
            clock,
            // The command line's webhook commands take the flag themselves.
            webhook_targets: crate::admin_webhooks::WebhookTargets::PublicOnly,
            // The command line prints no invoice.
            seller: crate::seller::Seller::default(),
        }
    }

    /// The subscription if `actor` may do `action` to it; [`ServiceError::NotFound`] if it
    /// does not exist or the actor may not (the two look the same).
    pub async fn subscription_for(
        &self,
        actor: &Actor,
        action: Action,
        id: &str,
    ) -> Result<SubscriptionRow, ServiceError> {
        let row = self
            .store
            .subscription_row(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        access::decide(
            actor,
            action,
            Target::subscription(&row.organization_id, &row.purchaser_id),
        )
        .map_err(|_| ServiceError::NotFound)?;
        Ok(row)
    }
}
