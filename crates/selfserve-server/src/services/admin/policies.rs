//! Product policies: who may buy what (the MSCommerce `AllowSelfServicePurchase` setting).

use super::super::{Caller, ServiceError, Services};
use super::scope::scope;
use crate::access::{self, Action, Actor, Target};
use crate::events::Event;
use crate::store::StoreError;
use selfserve_api::admin::{AuditAction, Policy};
use selfserve_api::product::ProductId;
use serde_json::json;

/// Every product's policy in the organisation in scope.
pub async fn list(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
) -> Result<Vec<(ProductId, Policy)>, ServiceError> {
    let scope = scope(services, caller, organization, Action::ReadOrganization).await?;
    Ok(services.store.policies(&scope.organization.id).await?)
}

/// Sets one product's policy in the organisation in scope (global admins only). Takes effect
/// at once, for purchases in progress too.
pub async fn set(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    product: ProductId,
    value: Policy,
) -> Result<Policy, ServiceError> {
    let scope = scope(services, caller, organization, Action::ChangePolicy).await?;
    change(
        services,
        &caller.actor,
        &scope.organization.id,
        product,
        value,
    )
    .await?;
    Ok(value)
}

/// Sets a policy as `actor` (also the command line's way in); returns the one replaced.
pub async fn change(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    product: ProductId,
    value: Policy,
) -> Result<Policy, ServiceError> {
    access::decide(
        actor,
        Action::ChangePolicy,
        Target::organization(organization_id),
    )?;
    let now = services.clock.now();
    let before = services
        .store
        .set_policy(
            organization_id,
            product,
            value,
            |before| {
                Event::new(actor, AuditAction::PolicyChanged, organization_id, now)
                    .product(product)
                    .before(json!({"value": before}))
                    .after(json!({"value": value}))
            },
            now,
        )
        .await
        .map_err(|e: StoreError| ServiceError::Store(e))?;
    Ok(before)
}
