//! Requests to IT: "contact your IT admin" as an action. A person who may not buy a product
//! asks the organisation's admins (mailed through the request's event); an admin answers by
//! turning the product on (global admins: a policy change), buying centrally (the requester
//! gets a central licence in the answer's transaction: a free central seat, else a new
//! one-seat central subscription at the list price), or declining with a message (mailed
//! back).

use super::admin::policies::described;
use super::admin::scope::scope;
use super::{Caller, Conflict, Invalid, ServiceError, Services, checkout};
use crate::access::Actor;
use crate::access::{self, Action, Target};
use crate::domain::calendar::add_months;
use crate::domain::price_book;
use crate::events::Event;
use crate::ids::new_id;
use crate::store::central::NewUnbilled;
use crate::store::orders::OrderRow;
use crate::store::requests::{AnswerEffect, Answered, NewCentral, PolicyEvent};
use selfserve_api::admin::AuditAction;
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::requests::{AnswerRequest, ItRequest, MAX_ANSWER_MESSAGE, RequestOutcome};
use selfserve_api::subscription::{OrderKind, OrderPhase, Source, SubscriptionStatus};
use serde_json::json;

/// Asks the caller's admins for `product`, with the reason the caller may not buy it; `false`
/// when the caller's open request for it is returned instead (nobody is mailed twice).
pub async fn ask(
    services: &Services,
    caller: &Caller,
    product: ProductId,
) -> Result<(ItRequest, bool), ServiceError> {
    access::decide(
        &caller.actor,
        Action::AskAdmins,
        Target::organization(&caller.organization.id),
    )?;
    let reason = checkout::cannot_buy(services, caller, product)
        .await?
        .ok_or(ServiceError::Conflict(Conflict::MayBuyAlready))?;
    let now = services.clock.now();
    let organization_id = caller.organization.id.as_str();
    Ok(services
        .store
        .open_request(
            organization_id,
            &caller.user.id,
            product,
            reason,
            now,
            |id| {
                Event::new(
                    &caller.actor,
                    AuditAction::RequestOpened,
                    organization_id,
                    now,
                )
                .product(product)
                .after(json!({ "request": id, "reason": reason }))
            },
        )
        .await?)
}

/// The requests of the organisation in scope, open ones first.
pub async fn list(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
) -> Result<Vec<ItRequest>, ServiceError> {
    let scope = scope(services, caller, organization, Action::ReadOrganization).await?;
    Ok(services.store.requests(&scope.organization.id).await?)
}

/// Answers request `id` of the organisation in scope; `enabled` turns the product's policy on
/// in the same transaction. Another organisation's request is "not found".
pub async fn answer(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    id: &str,
    answer: &AnswerRequest,
) -> Result<ItRequest, ServiceError> {
    let message = answer
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    if message.is_some_and(|m| m.chars().count() > MAX_ANSWER_MESSAGE) {
        return Err(ServiceError::Invalid(Invalid::AnswerMessageTooLong));
    }
    let scope = scope(
        services,
        caller,
        organization,
        access::answering(answer.outcome),
    )
    .await?;
    let organization_id = scope.organization.id.as_str();
    let now = services.clock.now();
    let currency = crate::domain::market::currency_for(checkout::country_of(&scope.organization)?);
    let effect = match answer.outcome {
        RequestOutcome::Enabled => {
            let actor = caller.actor.clone();
            let organization_id = organization_id.to_owned();
            let event: PolicyEvent = Box::new(move |product, before, after| {
                Event::new(&actor, AuditAction::PolicyChanged, &organization_id, now)
                    .product(product)
                    .before(described(before, currency))
                    .after(described(after, currency))
            });
            AnswerEffect::Enable(event)
        }
        RequestOutcome::BoughtCentrally => {
            let actor = caller.actor.clone();
            let organization_id = organization_id.to_owned();
            let admin_id = caller.user.id.clone();
            let new: NewCentral = Box::new(move |product| {
                one_seat(&actor, &organization_id, &admin_id, product, currency, now)
            });
            AnswerEffect::CentralLicence(new)
        }
        RequestOutcome::Declined => AnswerEffect::Nothing,
    };
    let answered = services
        .store
        .answer_request(
            organization_id,
            id,
            answer.outcome,
            message,
            &caller.user.name,
            now,
            effect,
            |product| {
                Event::new(
                    &caller.actor,
                    AuditAction::RequestAnswered,
                    organization_id,
                    now,
                )
                .product(product)
                .after(json!({
                    "request": id,
                    "outcome": answer.outcome,
                    "message": message,
                }))
            },
        )
        .await?;
    match answered {
        Answered::Done(request) => Ok(request),
        Answered::NotFound => Err(ServiceError::NotFound),
        Answered::AlreadyAnswered(_) => {
            Err(ServiceError::Conflict(Conflict::RequestAlreadyAnswered))
        }
    }
}

/// A central subscription of one seat of `product` at its list price, recorded by the admin
/// answering (billed through the agreement, like [`super::admin::central::record`]), and its
/// `central_purchase` event.
fn one_seat(
    actor: &Actor,
    organization_id: &str,
    admin_id: &str,
    product: ProductId,
    currency: Currency,
    now: i64,
) -> (NewUnbilled, Event) {
    let id = new_id("sub");
    let unit_amount = price_book::unit_price(product, currency).amount;
    let period_end = add_months(now, 1);
    let order = OrderRow {
        id: new_id("ord"),
        organization_id: organization_id.to_owned(),
        purchaser_id: admin_id.to_owned(),
        subscription_id: Some(id.clone()),
        kind: OrderKind::Purchase,
        product,
        quantity: 1,
        unit_amount,
        subtotal: unit_amount,
        tax: 0,
        tax_rate_bps: 0,
        amount: unit_amount,
        currency,
        period_start: now,
        period_end,
        phase: OrderPhase::Paid,
        payment_source: None,
        decline_code: None,
        created_at: now,
        invoice_id: None,
        converts_subscription_id: None,
    };
    let event = Event::new(actor, AuditAction::CentralPurchase, organization_id, now)
        .subscription(&id, product)
        .after(json!({"quantity": 1, "unit_amount": unit_amount, "currency": currency}));
    let new = NewUnbilled {
        id,
        organization_id: organization_id.to_owned(),
        product,
        source: Source::Central,
        status: SubscriptionStatus::Active,
        quantity: 1,
        purchaser_id: admin_id.to_owned(),
        unit_amount,
        currency,
        period_start: now,
        period_end,
        assign_purchaser: false,
        order: Some(order),
    };
    (new, event)
}
