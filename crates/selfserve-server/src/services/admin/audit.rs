//! The audit log: the organisation's events, newest first.

use super::super::{Caller, ServiceError, Services};
use super::scope::scope;
use crate::access::Action;
use crate::store::events::StoredEvent;
use selfserve_api::admin::AuditAction;

/// The organisation's events, only `kinds` if any; at most `limit`.
pub async fn log(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    kinds: &[AuditAction],
    limit: i64,
) -> Result<Vec<StoredEvent>, ServiceError> {
    let scope = scope(services, caller, organization, Action::ReadOrganization).await?;
    Ok(services
        .store
        .events(&scope.organization.id, kinds, limit)
        .await?)
}
