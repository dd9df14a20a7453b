//! SCIM provisioning (RFC 7643/7644) below HTTP: the organisation's identity provider creates,
//! replaces, deactivates and deletes its users and pushes groups that map to roles.
//!
//! Deactivating (`active: false`) or deleting a user makes them a leaver exactly as a directory
//! re-import does: the same [`DirectoryChange::UpdateUser`] write, which also ends all their
//! sessions and drops them from colleague search in its transaction. Their subscriptions follow
//! the FAQ's leaver rule (they keep running until cancelled). Sign-in (password or SSO) already
//! refuses anyone not `enabled && in_directory`.
//!
//! Errors are SCIM's own vocabulary ([`ScimError`], RFC 7644 §3.12), which the handler words
//! as SCIM error bodies; [`groups`] maps pushed groups to roles. Who may provision is decided by `access` (a [`Actor::Provisioner`]
//! holds the relation only to its own organisation).

pub mod groups;

use super::Services;
use crate::access::{self, Action, Actor, Target};
use crate::ids::new_id;
use crate::store::StoreError;
use crate::store::directory::{DirectoryChange, UserRow};
use crate::store::scim::{ScimUser, UserLookup};
use selfserve_api::email::EmailAddress;

/// Why a SCIM request failed (RFC 7644 §3.12).
#[derive(Debug, thiserror::Error)]
pub enum ScimError {
    /// No such resource in the caller's organisation (or not the caller's to see).
    #[error("not found")]
    NotFound,
    /// `userName` or a group's `displayName` is taken (409 `uniqueness`).
    #[error("{0}")]
    Uniqueness(&'static str),
    /// A value the server cannot accept (400 `invalidValue`).
    #[error("{0}")]
    InvalidValue(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a POST or PUT of a User says (the attributes this server keeps).
#[derive(Debug, Clone)]
pub struct UserInput {
    /// `userName`: the person's email address in one of the organisation's domains.
    pub user_name: String,
    /// `displayName`, else `name.formatted`, else given and family name.
    pub display_name: Option<String>,
    pub external_id: Option<String>,
    /// `active` (absent: true).
    pub active: bool,
}

/// One change of a PATCH (the attributes this server keeps; others are ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    Active(bool),
    UserName(String),
    DisplayName(String),
    ExternalId(Option<String>),
}

pub(crate) fn authorize(actor: &Actor, organization_id: &str) -> Result<(), ScimError> {
    access::decide(
        actor,
        Action::ProvisionUsers,
        Target::organization(organization_id),
    )
    .map(|_| ())
    .map_err(|_| ScimError::NotFound)
}

/// The email a `userName` names, if it is one of the organisation's domains.
async fn email_of_organization(
    services: &Services,
    organization_id: &str,
    user_name: &str,
) -> Result<EmailAddress, ScimError> {
    let email = EmailAddress::parse(user_name)
        .map_err(|_| ScimError::InvalidValue("userName must be an email address".into()))?;
    let organization = services
        .store
        .organization(organization_id)
        .await?
        .ok_or(ScimError::NotFound)?;
    if !organization.domains.iter().any(|d| d == email.domain()) {
        return Err(ScimError::InvalidValue(format!(
            "userName must be in one of the organisation's domains ({})",
            organization.domains.join(", ")
        )));
    }
    Ok(email)
}

fn name_or_local_part(display_name: Option<String>, email: &EmailAddress) -> String {
    display_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
}

/// Creates a user (or brings back one SCIM deleted).
pub async fn create_user(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    input: UserInput,
) -> Result<ScimUser, ScimError> {
    authorize(actor, organization_id)?;
    let email = email_of_organization(services, organization_id, &input.user_name).await?;
    let store = &services.store;
    let now = services.clock.real_now();
    if let Some(existing) = store.user_by_email(email.as_str()).await? {
        let deleted_here = existing.organization_id == organization_id
            && store
                .scim_user(organization_id, &existing.id)
                .await?
                .is_none();
        if !deleted_here {
            return Err(ScimError::Uniqueness("a user with this userName exists"));
        }
        store
            .set_scim_state(&existing.id, input.external_id.as_deref(), false)
            .await?;
        return write_user(services, organization_id, &existing.id, input, email).await;
    }
    let user = ScimUser {
        user: UserRow {
            id: new_id("usr"),
            organization_id: organization_id.to_owned(),
            email: email.as_str().to_owned(),
            name: name_or_local_part(input.display_name, &email),
            password_hash: None,
            guest: false,
            enabled: true,
            in_directory: input.active,
            global_admin: false,
            billing_admin: false,
        },
        external_id: input.external_id,
    };
    match store.insert_scim_user(&user, now).await {
        Ok(()) => Ok(user),
        // Two creates of one userName at once: the loser meets the unique email.
        Err(StoreError::Database(sqlx::Error::Database(error))) if error.is_unique_violation() => {
            Err(ScimError::Uniqueness("a user with this userName exists"))
        }
        Err(error) => Err(error.into()),
    }
}

/// Which users a list asks for (`filter=userName eq "…"` or `externalId eq "…"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    UserName(String),
    ExternalId(String),
}

/// One page of the organisation's users: `start_index` counts from 1 (RFC 7644 §3.4.2.4).
pub async fn list_users(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    filter: Option<UserFilter>,
    start_index: i64,
    count: i64,
) -> Result<(i64, Vec<ScimUser>), ScimError> {
    authorize(actor, organization_id)?;
    // userName is case-insensitive (RFC 7643 §4.1.1) and emails are stored lowercased;
    // externalId is case-exact.
    let email;
    let lookup = match &filter {
        Some(UserFilter::UserName(name)) => {
            email = name.trim().to_ascii_lowercase();
            Some(UserLookup::Email(&email))
        }
        Some(UserFilter::ExternalId(id)) => Some(UserLookup::ExternalId(id)),
        None => None,
    };
    Ok(services
        .store
        .scim_users(organization_id, lookup, start_index - 1, count)
        .await?)
}

/// One user of the organisation.
pub async fn get_user(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    id: &str,
) -> Result<ScimUser, ScimError> {
    authorize(actor, organization_id)?;
    services
        .store
        .scim_user(organization_id, id)
        .await?
        .ok_or(ScimError::NotFound)
}

/// PUT: the user becomes what `input` says.
pub async fn replace_user(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    id: &str,
    input: UserInput,
) -> Result<ScimUser, ScimError> {
    let current = get_user(services, actor, organization_id, id).await?;
    let email = email_of_organization(services, organization_id, &input.user_name).await?;
    if email.as_str() != current.user.email
        && services
            .store
            .user_by_email(email.as_str())
            .await?
            .is_some()
    {
        return Err(ScimError::Uniqueness("a user with this userName exists"));
    }
    services
        .store
        .set_scim_state(id, input.external_id.as_deref(), false)
        .await?;
    write_user(services, organization_id, id, input, email).await
}

/// PATCH: applies each change in order to the user as it is now.
pub async fn patch_user(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    id: &str,
    changes: Vec<UserChange>,
) -> Result<ScimUser, ScimError> {
    let current = get_user(services, actor, organization_id, id).await?;
    let mut input = UserInput {
        user_name: current.user.email.clone(),
        display_name: Some(current.user.name.clone()),
        external_id: current.external_id.clone(),
        active: current.user.in_directory,
    };
    for change in changes {
        match change {
            UserChange::Active(active) => input.active = active,
            UserChange::UserName(name) => input.user_name = name,
            UserChange::DisplayName(name) => input.display_name = Some(name),
            UserChange::ExternalId(external) => input.external_id = external,
        }
    }
    replace_user(services, actor, organization_id, id, input).await
}

/// DELETE: a leaver (as `active: false`) that SCIM no longer shows.
pub async fn delete_user(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    id: &str,
) -> Result<(), ScimError> {
    let current = get_user(services, actor, organization_id, id).await?;
    leave_or_rejoin(services, current.user, false).await?;
    services
        .store
        .set_scim_state(id, current.external_id.as_deref(), true)
        .await?;
    Ok(())
}

async fn write_user(
    services: &Services,
    organization_id: &str,
    id: &str,
    input: UserInput,
    email: EmailAddress,
) -> Result<ScimUser, ScimError> {
    let store = &services.store;
    let stored = store.user_by_id(id).await?.ok_or(ScimError::NotFound)?;
    let user = UserRow {
        email: email.as_str().to_owned(),
        name: name_or_local_part(input.display_name, &email),
        ..stored
    };
    leave_or_rejoin(services, user, input.active).await?;
    store
        .scim_user(organization_id, id)
        .await?
        .ok_or(ScimError::NotFound)
}

/// The directory re-import's own write: `in_directory` false makes a leaver (sessions ended,
/// out of colleague search, in one transaction), true brings them back.
async fn leave_or_rejoin(
    services: &Services,
    user: UserRow,
    active: bool,
) -> Result<(), ScimError> {
    let user = UserRow {
        in_directory: active,
        ..user
    };
    services
        .store
        .apply_directory_changes(
            &[DirectoryChange::UpdateUser(user)],
            services.clock.real_now(),
        )
        .await?;
    Ok(())
}
