//! Centralising a self-service purchase: its users move to a central subscription, and its
//! purchaser is asked to cancel, or it is cancelled at its period's end, or now with the unused
//! part of the period refunded.

use super::super::subscriptions::view;
use super::super::{Caller, Conflict, Invalid, NoSeats, ServiceError, Services};
use crate::access::Action;
use crate::domain::lifecycle::LIVE;
use crate::events::Event;
use crate::services::refunds::finish_recorded;
use crate::store::central::{TakeOverEnd, TakenOver};
use crate::store::subscriptions::{Owner, SubscriptionRow};
use selfserve_api::admin::{AuditAction, TakeOverCancel};
use selfserve_api::subscription::{Source, Subscription};
use serde_json::json;

/// What a take-over did.
pub struct TakenOverView {
    pub self_service: Subscription,
    pub central: Subscription,
    /// With [`TakeOverCancel::NowWithRefund`]: the amount given back (or on its way).
    pub refunded: Option<i64>,
}

/// Moves a self-service subscription's users to a central subscription of the same product
/// (the one named, or the first with room for everyone) and ends the self-service one as
/// `cancel` says, all or nothing (the refunds of a cancellation now recorded in the same
/// transaction, then sent to the processor; the recovery finishes any that are cut off).
pub async fn take_over(
    services: &Services,
    caller: &Caller,
    id: &str,
    central_id: Option<&str>,
    cancel: TakeOverCancel,
) -> Result<TakenOverView, ServiceError> {
    let sub = services
        .subscription_for(&caller.actor, Action::AdministerSubscription, id)
        .await?;
    if sub.source != Source::SelfService {
        return Err(ServiceError::Conflict(Conflict::NotSelfService));
    }
    let users = services.store.assigned_user_ids(&sub.id).await?;
    let emails = services.store.assigned_emails(&sub.id).await?;
    let central = match central_id {
        Some(central_id) => services
            .store
            .subscription_row(central_id)
            .await?
            .filter(|c| {
                c.organization_id == sub.organization_id
                    && c.source == Source::Central
                    && c.product == sub.product
            })
            .ok_or(ServiceError::Invalid(Invalid::NoSuchCentralSubscription))?,
        None => room_for(services, &sub, &users).await?,
    };
    let now = services.clock.now();
    let event = Event::new(
        &caller.actor,
        AuditAction::TakeOver,
        &sub.organization_id,
        now,
    )
    .subscription(&sub.id, sub.product)
    .before(json!({"self_service": sub.id, "users": emails}))
    .after(json!({
        "central": central.id,
        "cancellation_requested": cancel == TakeOverCancel::AskPurchaser,
        "cancel": cancel.as_str(),
    }));
    let reason = format!(
        "Cancelled now when {} moved its users to central licences",
        caller.user.name
    );
    let end = match cancel {
        TakeOverCancel::AskPurchaser => TakeOverEnd::AskPurchaser {
            requested_by: &caller.user.name,
        },
        TakeOverCancel::AtPeriodEnd => TakeOverEnd::AtPeriodEnd,
        TakeOverCancel::NowWithRefund => TakeOverEnd::NowWithRefund { reason: &reason },
    };
    let refunds = match services
        .store
        .take_over(&sub.id, &central.id, &users, &end, &event, now)
        .await?
    {
        TakenOver::Done { refunds } => refunds,
        TakenOver::NoSeats { free } => {
            return Err(ServiceError::NoSeats(NoSeats::TakeOver {
                free,
                people: users.len(),
            }));
        }
        TakenOver::Ended => return Err(ServiceError::Conflict(Conflict::AlreadyCancelledOrEnded)),
        TakenOver::Paying => return Err(ServiceError::Conflict(Conflict::PaymentInFlight)),
    };
    let refunded = match cancel {
        TakeOverCancel::NowWithRefund => {
            Some(finish_recorded(services, &caller.actor, &sub, &refunds).await?)
        }
        TakeOverCancel::AskPurchaser | TakeOverCancel::AtPeriodEnd => None,
    };
    Ok(TakenOverView {
        self_service: view(services, &sub.id).await?,
        central: view(services, &central.id).await?,
        refunded,
    })
}

/// The first central subscription of the product with room for everyone not already on it,
/// else the first of the product at all (whose refusal then says how many seats it has).
async fn room_for(
    services: &Services,
    sub: &SubscriptionRow,
    users: &[String],
) -> Result<SubscriptionRow, ServiceError> {
    let centrals = services
        .store
        .subscription_rows(
            Owner::Organization(&sub.organization_id),
            Some(Source::Central),
            Some(sub.product),
        )
        .await?;
    let mut first = None;
    for central in centrals {
        let already = services.store.holding_licences(&central.id, users).await?;
        if central.free_seats() >= (users.len() - already) as i64 {
            return Ok(central);
        }
        first.get_or_insert(central);
    }
    first.ok_or(ServiceError::NoSeats(NoSeats::NoCentralSubscription))
}

/// Asks a self-service purchaser to cancel (shown in their view).
pub async fn request_cancellation(
    services: &Services,
    caller: &Caller,
    id: &str,
) -> Result<Subscription, ServiceError> {
    let sub = services
        .subscription_for(&caller.actor, Action::AdministerSubscription, id)
        .await?;
    let now = services.clock.now();
    let event = Event::new(
        &caller.actor,
        AuditAction::CancellationRequested,
        &sub.organization_id,
        now,
    )
    .subscription(&sub.id, sub.product);
    if sub.source != Source::SelfService {
        return Err(ServiceError::Conflict(Conflict::NotSelfService));
    }
    if !services
        .store
        .request_cancellation(&sub.id, &caller.user.name, &event, now)
        .await?
    {
        // Read again: it may have ended since.
        let ended = services
            .store
            .subscription_row(&sub.id)
            .await?
            .is_none_or(|row| !LIVE.contains(&row.status));
        return Err(ServiceError::Conflict(if ended {
            Conflict::AlreadyCancelledOrEnded
        } else {
            Conflict::NotSelfService
        }));
    }
    view(services, &sub.id).await
}
