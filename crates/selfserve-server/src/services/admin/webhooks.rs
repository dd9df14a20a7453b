//! The organisation's webhook endpoints: listed, added (the secret returned once), removed;
//! global admins only (`access::Action::ManageWebhooks`). Also the command line's.

use super::super::{Caller, Invalid, ServiceError, Services};
use super::scope::scope;
use crate::access::Action;
use crate::admin_webhooks::{check_url, new_secret};
use crate::store::Store;
use crate::store::admin_webhooks::WebhookEndpointRow;
use selfserve_api::admin::{CreatedWebhookEndpoint, WebhookEndpoint};

fn wire(row: WebhookEndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: row.id,
        url: row.url,
        created: row.created_at,
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

/// Registers `url` for an organisation with a new secret (also the command line's).
pub async fn add_to(
    store: &Store,
    organization_id: &str,
    url: &str,
    now: i64,
) -> Result<CreatedWebhookEndpoint, ServiceError> {
    let url = check_url(url).map_err(|r| ServiceError::Invalid(Invalid::WebhookUrl(r)))?;
    let secret = new_secret();
    let row = store
        .add_webhook_endpoint(organization_id, &url, &secret, now)
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
) -> Result<CreatedWebhookEndpoint, ServiceError> {
    let scope = scope(services, caller, organization, Action::ManageWebhooks).await?;
    add_to(
        &services.store,
        &scope.organization.id,
        url,
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
