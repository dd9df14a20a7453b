//! Product policies: who may buy what (the MSCommerce `AllowSelfServicePurchase` setting), and
//! the guardrails between "on" and "off" (limits on seats and monthly spend).

use super::super::{Caller, ServiceError, Services};
use super::scope::scope;
use crate::access::{self, Action, Actor, Target};
use crate::events::Event;
use selfserve_api::admin::{AuditAction, Policy, PolicyEntry, PolicyUpdate};
use selfserve_api::guardrails::Guardrails;
use selfserve_api::product::ProductId;
use serde_json::json;

/// Every product's policy and guardrails in the organisation in scope.
pub async fn list(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
) -> Result<Vec<PolicyEntry>, ServiceError> {
    let scope = scope(services, caller, organization, Action::ReadOrganization).await?;
    entries(services, &scope.organization.id).await
}

/// Every product's policy and guardrails of an organisation (also the command line's).
pub async fn entries(
    services: &Services,
    organization_id: &str,
) -> Result<Vec<PolicyEntry>, ServiceError> {
    let currency = currency_of(services, organization_id).await?;
    let policies = services.store.policies(organization_id).await?;
    let limits = services.store.all_guardrails(organization_id).await?;
    Ok(policies
        .into_iter()
        .zip(limits)
        .map(|((product, value), (_, guardrails))| PolicyEntry {
            product,
            value,
            guardrails,
            currency,
        })
        .collect())
}

/// The currency the organisation buys in (its monthly caps are in it).
async fn currency_of(
    services: &Services,
    organization_id: &str,
) -> Result<selfserve_api::money::Currency, ServiceError> {
    let org = services
        .store
        .organization(organization_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(crate::domain::market::currency_for(
        crate::services::checkout::country_of(&org)?,
    ))
}

/// Changes one product's policy and guardrails in the organisation in scope (global admins
/// only). Takes effect at once, for purchases in progress too.
pub async fn set(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    product: ProductId,
    update: &PolicyUpdate,
) -> Result<PolicyEntry, ServiceError> {
    let scope = scope(services, caller, organization, Action::ChangePolicy).await?;
    update_as(
        services,
        &caller.actor,
        &scope.organization.id,
        product,
        update,
    )
    .await
}

/// Sets a policy as `actor`; returns the one replaced.
pub async fn change(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    product: ProductId,
    value: Policy,
) -> Result<Policy, ServiceError> {
    let before_entry = entries(services, organization_id)
        .await?
        .into_iter()
        .find(|e| e.product == product)
        .map(|e| e.value);
    update_as(
        services,
        actor,
        organization_id,
        product,
        &PolicyUpdate {
            value: Some(value),
            ..PolicyUpdate::default()
        },
    )
    .await?;
    Ok(before_entry.unwrap_or_default())
}

/// Applies `update` as `actor` (also the command line's way in) in one transaction, with one
/// `policy_changed` event holding the policy and limits before and after; returns the result.
pub async fn update_as(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    product: ProductId,
    update: &PolicyUpdate,
) -> Result<PolicyEntry, ServiceError> {
    access::decide(
        actor,
        Action::ChangePolicy,
        Target::organization(organization_id),
    )?;
    let now = services.clock.now();
    let currency = currency_of(services, organization_id).await?;
    let (_, (value, guardrails)) = services
        .store
        .set_policy_and_guardrails(
            organization_id,
            product,
            update.value,
            |before| update.apply(before),
            |before, after| {
                Event::new(actor, AuditAction::PolicyChanged, organization_id, now)
                    .product(product)
                    .before(described(before, currency))
                    .after(described(after, currency))
            },
            now,
        )
        .await?;
    Ok(PolicyEntry {
        product,
        value,
        guardrails,
        currency,
    })
}

/// A policy and its limits as the audit entry records them (the currency names the cap's).
pub(crate) fn described(
    (value, limits): (Policy, Guardrails),
    currency: selfserve_api::money::Currency,
) -> serde_json::Value {
    json!({
        "value": value,
        "currency": currency,
        "max_seats_per_purchase": limits.max_seats_per_purchase,
        "max_seats": limits.max_seats,
        "monthly_cap": limits.monthly_cap,
    })
}
