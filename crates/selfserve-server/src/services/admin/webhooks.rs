//! The organisation's webhook endpoints: listed, added (the secret returned once), removed;
//! global admins only (`access::Action::ManageWebhooks`). Also the command line's.

use super::super::{Caller, Invalid, ServiceError, Services};
use super::scope::scope;
use crate::access::Action;
use crate::admin_webhooks::{WebhookTargets, check_target, new_secret};
use crate::store::Store;
use crate::store::admin_webhooks::{EventFilter, WebhookEndpointRow};
use selfserve_api::admin::{AuditAction, CreatedWebhookEndpoint, WebhookEndpoint};

fn wire(row: WebhookEndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: row.id,
        url: row.url,
        events: match row.events {
            EventFilter::All => None,
            EventFilter::Only(kinds) => Some(kinds),
        },
        created: row.created_at,
        last_delivery: row.last_delivery,
    }
}

/// What a new endpoint receives: everything when no kinds are named; a named set must not be
/// empty (an endpoint that receives nothing is a mistake, not a choice). Repeats count once.
pub fn event_filter(events: Option<Vec<AuditAction>>) -> Result<EventFilter, ServiceError> {
    match events {
        None => Ok(EventFilter::All),
        Some(mut kinds) => {
            kinds.sort();
            kinds.dedup();
            if kinds.is_empty() {
                Err(ServiceError::Invalid(Invalid::WebhookEvents))
            } else {
                Ok(EventFilter::Only(kinds))
            }
        }
    }
}

/// The endpoints of the organisation in scope.
pub async fn list(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
) -> Result<Vec<WebhookEndpoint>, ServiceError> {
    let scope = scope(services, caller, organization, Action::ManageWebhooks).await?;
    endpoints(&services.store, &scope.organization.id).await
}

/// The endpoints of an organisation (also the command line's).
pub async fn endpoints(
    store: &Store,
    organization_id: &str,
) -> Result<Vec<WebhookEndpoint>, ServiceError> {
    let rows = store.webhook_endpoints(organization_id).await?;
    Ok(rows.into_iter().map(wire).collect())
}

/// What to register: where, and which events.
#[derive(Debug, Clone)]
pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub events: Option<Vec<AuditAction>>,
    /// The deployment's `--allow-private-webhook-targets`.
    pub targets: WebhookTargets,
}

/// Registers an endpoint for an organisation with a new secret (also the command line's).
/// The URL's host is resolved and every address checked now; deliveries check again.
pub async fn add_to(
    store: &Store,
    organization_id: &str,
    new: NewEndpoint<'_>,
    now: i64,
) -> Result<CreatedWebhookEndpoint, ServiceError> {
    let events = event_filter(new.events)?;
    let url = check_target(new.url, new.targets)
        .await
        .map_err(|r| ServiceError::Invalid(Invalid::WebhookUrl(r)))?;
    let secret = new_secret();
    let row = store
        .add_webhook_endpoint(organization_id, &url, &events, &secret, now)
        .await?;
    Ok(CreatedWebhookEndpoint {
        endpoint: wire(row),
        secret,
    })
}

/// Removes an endpoint of an organisation (also the command line's).
pub async fn remove_from(
    store: &Store,
    organization_id: &str,
    endpoint_id: &str,
    now: i64,
) -> Result<(), ServiceError> {
    if store
        .remove_webhook_endpoint(organization_id, endpoint_id, now)
        .await?
    {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Registers `url` for the organisation in scope; the answer carries the signing secret.
pub async fn add(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    url: &str,
    events: Option<Vec<AuditAction>>,
) -> Result<CreatedWebhookEndpoint, ServiceError> {
    let scope = scope(services, caller, organization, Action::ManageWebhooks).await?;
    add_to(
        &services.store,
        &scope.organization.id,
        NewEndpoint {
            url,
            events,
            targets: services.webhook_targets,
        },
        services.clock.real_now(),
    )
    .await
}

/// Removes one endpoint of the organisation in scope; another organisation's id is not found.
pub async fn remove(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    endpoint_id: &str,
) -> Result<(), ServiceError> {
    let scope = scope(services, caller, organization, Action::ManageWebhooks).await?;
    remove_from(
        &services.store,
        &scope.organization.id,
        endpoint_id,
        services.clock.real_now(),
    )
    .await
}
