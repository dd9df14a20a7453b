//! Requests to IT: "contact your IT admin" as an action. A person who may not buy a product
//! asks the organisation's admins (mailed through the request's event); an admin answers by
//! turning the product on (global admins: a policy change), buying centrally (recorded here;
//! the purchase is made in the admin view), or declining with a message (mailed back).

use super::admin::policies::described;
use super::admin::scope::scope;
use super::{Caller, Conflict, Invalid, ServiceError, Services, checkout};
use crate::access::{self, Action, Target};
use crate::events::Event;
use crate::store::requests::{Answered, PolicyEvent};
use selfserve_api::admin::AuditAction;
use selfserve_api::product::ProductId;
use selfserve_api::requests::{AnswerRequest, ItRequest, MAX_ANSWER_MESSAGE, RequestOutcome};
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
    let enable = match answer.outcome {
        RequestOutcome::Enabled => {
            let actor = caller.actor.clone();
            let organization_id = organization_id.to_owned();
            let event: PolicyEvent = Box::new(move |product, before, after| {
                Event::new(&actor, AuditAction::PolicyChanged, &organization_id, now)
                    .product(product)
                    .before(described(before, currency))
                    .after(described(after, currency))
            });
            Some(event)
        }
        RequestOutcome::BoughtCentrally | RequestOutcome::Declined => None,
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
            enable,
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
