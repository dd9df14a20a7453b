//! The admins' guardrails on self-service buying (seats per purchase, seats in the
//! organisation, spend per calendar month), asked before paying and enforced under the
//! guardrail's lock in the transaction that records the purchase, seat increase or trial.

use super::{ServiceError, Services};
use crate::domain::guardrails::{Request, month_of};
use crate::store::guardrails::{Guard, Scope};
use selfserve_api::guardrails::ReachedLimit;
use selfserve_api::product::ProductId;

/// The guard for `request` in the organisation's product this month (by the server's clock).
pub(crate) fn guard<'a>(
    organization_id: &'a str,
    product: ProductId,
    now: i64,
    replaces_subscription: Option<&'a str>,
    request: Request,
) -> Guard<'a> {
    Guard {
        scope: Scope {
            organization_id,
            product,
            month: month_of(now),
            replaces_subscription,
        },
        request,
    }
}

/// Whether `guard`'s request fits now, without the lock: the answer shown before paying (a
/// quote, `can_buy`). The purchase asks again under the lock.
pub(crate) async fn check_now(services: &Services, guard: &Guard<'_>) -> Result<(), ServiceError> {
    Ok(limit_reached(services, guard).await?.map_or(Ok(()), Err)?)
}

/// The limit `guard`'s request would go past now, if any.
pub(crate) async fn limit_reached(
    services: &Services,
    guard: &Guard<'_>,
) -> Result<Option<ReachedLimit>, ServiceError> {
    let (limits, usage) = services.store.guardrails_and_usage(&guard.scope).await?;
    Ok(crate::domain::guardrails::check(&limits, usage, guard.request).err())
}
