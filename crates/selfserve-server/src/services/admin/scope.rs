//! Which organisation an admin request is about, and how the caller stands to it.

use super::super::{AdminRefusal, Caller, ServiceError, Services};
use crate::access::{self, Action, Relation, Target};
use crate::store::directory::OrganizationRow;
use selfserve_api::admin::OrganizationSignIn;

/// The organisation in scope and the caller's relation to it.
#[derive(Debug, Clone)]
pub struct Scope {
    pub organization: OrganizationRow,
    pub relation: Relation,
}

/// Whether `org` has `domain` (any of its domains, any case).
fn has_domain(org: &OrganizationRow, domain: &str) -> bool {
    org.domains
        .iter()
        .any(|d| d.eq_ignore_ascii_case(domain.trim()))
}

/// The organisation a request is about, if the caller may do `action` there: a partner names
/// a customer by domain (by default its first by name); an admin may only name their own.
pub async fn scope(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    action: Action,
) -> Result<Scope, ServiceError> {
    if caller.is_partner() {
        let customers = services
            .store
            .delegated_customers(&caller.organization.id)
            .await?;
        let chosen = match organization {
            Some(domain) => customers.into_iter().find(|c| has_domain(c, domain)),
            None => customers.into_iter().next(),
        };
        let organization = chosen.ok_or(ServiceError::AdminRequired(
            AdminRefusal::NoDelegationForCustomer,
        ))?;
        return decide(caller, organization, action);
    }
    let own = caller.organization.clone();
    // Rights first, so that someone without them is told so whatever they name.
    access::decide(
        &caller.actor,
        Action::ReadOrganization,
        Target::organization(&own.id),
    )
    .map_err(|_| ServiceError::AdminRequired(AdminRefusal::NotAnAdmin))?;
    if organization.is_some_and(|domain| !has_domain(&own, domain)) {
        return Err(ServiceError::AdminRequired(
            AdminRefusal::OwnOrganizationOnly,
        ));
    }
    decide(caller, own, action)
}

fn decide(
    caller: &Caller,
    organization: OrganizationRow,
    action: Action,
) -> Result<Scope, ServiceError> {
    let relation = access::decide(
        &caller.actor,
        action,
        Target::organization(&organization.id),
    )
    .map_err(|_| {
        ServiceError::AdminRequired(match action {
            Action::ChangePolicy => AdminRefusal::GlobalAdminOnly,
            Action::ManageWebhooks => AdminRefusal::WebhooksGlobalAdminOnly,
            _ => AdminRefusal::NotAnAdmin,
        })
    })?;
    Ok(Scope {
        organization,
        relation,
    })
}

/// Every organisation the caller administers, with how (a partner's customers; an admin's
/// own), and whether they may change its policies.
pub async fn organizations(
    services: &Services,
    caller: &Caller,
) -> Result<Vec<(Scope, bool)>, ServiceError> {
    let candidates = if caller.is_partner() {
        let customers = services
            .store
            .delegated_customers(&caller.organization.id)
            .await?;
        if customers.is_empty() {
            return Err(ServiceError::AdminRequired(AdminRefusal::NoDelegation));
        }
        customers
    } else {
        vec![caller.organization.clone()]
    };
    let mut out = Vec::with_capacity(candidates.len());
    for organization in candidates {
        let scope = decide(caller, organization, Action::ReadOrganization)?;
        let may_change_policy = access::decide(
            &caller.actor,
            Action::ChangePolicy,
            Target::organization(&scope.organization.id),
        )
        .is_ok();
        out.push((scope, may_change_policy));
    }
    Ok(out)
}

/// How the people of an organisation in scope sign in (taking a [`Scope`] means the caller was
/// authorised to read it). Only the issuer is told, never the client secret or its reference.
pub async fn sign_in_of(
    services: &Services,
    scope: &Scope,
) -> Result<OrganizationSignIn, ServiceError> {
    Ok(
        match services.store.sso_config(&scope.organization.id).await? {
            Some(config) => OrganizationSignIn::Sso {
                issuer: config.issuer,
            },
            None => OrganizationSignIn::Password,
        },
    )
}
