//! Reading subscriptions, and what their purchaser does to them besides seats and bills:
//! cancelling at the period's end, undoing that, replacing the card on file.

use super::admin::scope::{Scope, scope};
use super::pages::{self, PageRequest};
use super::{Caller, Conflict, PaymentFailure, ServiceError, Services};
use crate::access::{self, Action, Target};
use crate::domain::lifecycle::may_replace_card;
use crate::events::Event;
use crate::payments::{CardProcessor, SaveOutcome};
use crate::store::subscriptions::{HoldersListed, ListFilter, ListOrder, Owner, SubscriptionRow};
use selfserve_api::List;
use selfserve_api::admin::AuditAction;
use selfserve_api::subscription::{Source, Subscription, SubscriptionStatus};
use serde_json::json;

/// One subscription, if the caller may see it, listing `holders` of its licence holders.
pub async fn get(
    services: &Services,
    caller: &Caller,
    id: &str,
    holders: HoldersListed,
) -> Result<Subscription, ServiceError> {
    let row = services
        .subscription_for(&caller.actor, Action::ViewSubscription, id)
        .await?;
    services
        .store
        .subscription_listing(&row.id, holders)
        .await?
        .ok_or_else(|| super::checkout::vanished(&row.id))
}

/// Which subscriptions a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// Every one the caller may see: an admin's organisation's, a partner's customer's.
    Visible,
    /// Only what the caller bought.
    BoughtByCaller,
}

/// A page of the subscriptions the caller sees, newest first: an admin's organisation's, a
/// partner's customer's (named by domain, by default its first), anyone else's own purchases;
/// with [`Whose::BoughtByCaller`], everyone's own purchases.
/// `None`: `starting_after` is not in that list.
pub async fn page(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    whose: Whose,
    source: Option<Source>,
    request: &PageRequest,
) -> Result<Option<List<Subscription>>, ServiceError> {
    if whose == Whose::BoughtByCaller {
        return bought_by_caller(services, caller, source, request).await;
    }
    // Admins see their own organisation whatever they name; only partners choose.
    let named = if caller.is_partner() {
        organization
    } else {
        None
    };
    match scope(services, caller, named, Action::ReadOrganization).await {
        Ok(Scope { organization, .. }) => {
            let filter = ListFilter {
                owner: Owner::Organization(&organization.id),
                source,
                words: &[],
            };
            pages::page(services, &filter, ListOrder::Newest, request, |_| true).await
        }
        // A partner naming no customer it administers sees nothing.
        Err(_) if caller.is_partner() => Ok(request.starting_after.is_none().then_some(List {
            data: Vec::new(),
            has_more: false,
        })),
        Err(_) => bought_by_caller(services, caller, source, request).await,
    }
}

/// What the caller bought, each only while the matrix still lets them see it: a purchaser who
/// moved to another organisation no longer lists the old one's licence holders.
async fn bought_by_caller(
    services: &Services,
    caller: &Caller,
    source: Option<Source>,
    request: &PageRequest,
) -> Result<Option<List<Subscription>>, ServiceError> {
    let filter = ListFilter {
        owner: Owner::Purchaser(&caller.user.id),
        source,
        words: &[],
    };
    pages::page(services, &filter, ListOrder::Newest, request, |row| {
        access::decide(
            &caller.actor,
            Action::ViewSubscription,
            Target::subscription(&row.organization_id, &row.purchaser_id),
        )
        .is_ok()
    })
    .await
}

/// Cancels the caller's subscription at the end of its period.
pub async fn cancel(
    services: &Services,
    caller: &Caller,
    id: &str,
) -> Result<Subscription, ServiceError> {
    let row = services
        .subscription_for(&caller.actor, Action::ActAsPurchaser, id)
        .await?;
    let now = services.clock.now();
    let event = status_event(caller, &row, AuditAction::Cancelled, true, now);
    if !services.store.cancel(&row.id, &event, now).await? {
        return Err(ServiceError::Conflict(Conflict::AlreadyCancelledOrEnded));
    }
    view(services, &row.id).await
}

/// Undoes a cancellation before the period ends.
pub async fn reactivate(
    services: &Services,
    caller: &Caller,
    id: &str,
) -> Result<Subscription, ServiceError> {
    let row = services
        .subscription_for(&caller.actor, Action::ActAsPurchaser, id)
        .await?;
    let now = services.clock.now();
    let event = status_event(caller, &row, AuditAction::CancellationUndone, false, now);
    if !services.store.reactivate(&row.id, &event, now).await? {
        return Err(ServiceError::Conflict(Conflict::NothingToUndo));
    }
    view(services, &row.id).await
}

/// The event of a cancellation or its undoing: the status stays, the flag flips.
fn status_event(
    caller: &Caller,
    row: &SubscriptionRow,
    kind: AuditAction,
    cancelling: bool,
    now: i64,
) -> Event {
    Event::new(&caller.actor, kind, &row.organization_id, now)
        .subscription(&row.id, row.product)
        .before(json!({"status": row.status, "cancel_at_period_end": row.cancel_at_period_end}))
        .after(json!({"status": row.status, "cancel_at_period_end": cancelling}))
}

/// Replaces the card on file with a newly tokenised one, once its bank confirmed it (3-D
/// Secure) where it asks to. A trial has no card: it becomes paid only by a purchase.
pub async fn replace_card(
    services: &Services,
    caller: &Caller,
    id: &str,
    token: &str,
) -> Result<Subscription, ServiceError> {
    let row = services
        .subscription_for(&caller.actor, Action::ActAsPurchaser, id)
        .await?;
    card_replaceable(row.status)?;
    let card = match services
        .payments
        .save_card(token, &row.purchaser_id)
        .await
        .map_err(super::checkout::charge_store_error)?
    {
        SaveOutcome::Saved(card) => card,
        SaveOutcome::RequiresAction(challenge) => {
            return Err(ServiceError::Payment(
                PaymentFailure::AuthenticationRequired(challenge),
            ));
        }
        SaveOutcome::Declined { decline_code } => {
            return Err(ServiceError::Payment(PaymentFailure::Declined(
                decline_code,
            )));
        }
    };
    // The guard again, atomically: the status may have changed since it was read.
    if !services
        .store
        .set_payment_method(&row.id, &card.id, services.clock.now())
        .await?
    {
        let now = services.store.subscription_row(&row.id).await?;
        card_replaceable(now.map_or(row.status, |r| r.status))?;
        return Err(ServiceError::Conflict(Conflict::CardNotReplaceable));
    }
    view(services, &row.id).await
}

fn card_replaceable(status: SubscriptionStatus) -> Result<(), ServiceError> {
    if status == SubscriptionStatus::Trialing {
        Err(ServiceError::Conflict(Conflict::NoCardOnTrial))
    } else if !may_replace_card(status) {
        Err(ServiceError::Conflict(Conflict::CardNotReplaceable))
    } else {
        Ok(())
    }
}

pub(crate) async fn view(services: &Services, id: &str) -> Result<Subscription, ServiceError> {
    services
        .store
        .subscription(id)
        .await?
        .ok_or_else(|| super::checkout::vanished(id))
}
