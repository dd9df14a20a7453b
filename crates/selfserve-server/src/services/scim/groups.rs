//! Groups the provider pushes: only their names matter, mapped to roles by the
//! organisation's SSO configuration exactly as the `groups` claim is at sign-in.

use super::{ScimError, authorize};
use crate::access::Actor;
use crate::ids::new_id;
use crate::services::Services;
use crate::store::StoreError;
use crate::store::scim::ScimGroup;

/// One change of a group PATCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    DisplayName(String),
    AddMembers(Vec<String>),
    RemoveMembers(Vec<String>),
    /// `remove` of `members` without a filter, or `replace` of `members`.
    ReplaceMembers(Vec<String>),
}

/// Creates a group; its members get the roles its name maps to.
pub async fn create_group(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    display_name: String,
    external_id: Option<String>,
    members: Vec<String>,
) -> Result<ScimGroup, ScimError> {
    authorize(actor, organization_id)?;
    let store = &services.store;
    if !store
        .scim_groups(organization_id, Some(&display_name))
        .await?
        .is_empty()
    {
        return Err(ScimError::Uniqueness(
            "a group with this displayName exists",
        ));
    }
    let group = ScimGroup {
        id: new_id("grp"),
        organization_id: organization_id.to_owned(),
        display_name,
        external_id,
        members: members_of(services, organization_id, members).await?,
    };
    match store
        .insert_scim_group(&group, services.clock.real_now())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Database(sqlx::Error::Database(error))) if error.is_unique_violation() => {
            return Err(ScimError::Uniqueness(
                "a group with this displayName exists",
            ));
        }
        Err(error) => return Err(error.into()),
    }
    refresh_roles(services, organization_id, &group.members).await?;
    Ok(group)
}

/// The organisation's groups, or the one with this name.
pub async fn list_groups(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    display_name: Option<&str>,
) -> Result<Vec<ScimGroup>, ScimError> {
    authorize(actor, organization_id)?;
    Ok(services
        .store
        .scim_groups(organization_id, display_name)
        .await?)
}

/// One group of the organisation.
pub async fn get_group(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    id: &str,
) -> Result<ScimGroup, ScimError> {
    authorize(actor, organization_id)?;
    services
        .store
        .scim_group(organization_id, id)
        .await?
        .ok_or(ScimError::NotFound)
}

/// PATCH (and PUT, as one `ReplaceMembers` and a `DisplayName`): members and name change;
/// everyone who joined or left has their roles worked out again.
pub async fn patch_group(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    id: &str,
    changes: Vec<GroupChange>,
) -> Result<ScimGroup, ScimError> {
    let before = get_group(services, actor, organization_id, id).await?;
    let mut group = before.clone();
    for change in changes {
        match change {
            GroupChange::DisplayName(name) => group.display_name = name,
            GroupChange::AddMembers(ids) => {
                group
                    .members
                    .extend(members_of(services, organization_id, ids).await?);
            }
            GroupChange::RemoveMembers(ids) => group.members.retain(|m| !ids.contains(m)),
            GroupChange::ReplaceMembers(ids) => {
                group.members = members_of(services, organization_id, ids).await?;
            }
        }
    }
    group.members.sort();
    group.members.dedup();
    if group.display_name != before.display_name
        && !services
            .store
            .scim_groups(organization_id, Some(&group.display_name))
            .await?
            .is_empty()
    {
        return Err(ScimError::Uniqueness(
            "a group with this displayName exists",
        ));
    }
    services.store.replace_scim_group(&group).await?;
    let mut touched = before.members;
    touched.extend(group.members.iter().cloned());
    refresh_roles(services, organization_id, &touched).await?;
    Ok(group)
}

/// Deletes a group; its former members lose the roles it gave.
pub async fn delete_group(
    services: &Services,
    actor: &Actor,
    organization_id: &str,
    id: &str,
) -> Result<(), ScimError> {
    let group = get_group(services, actor, organization_id, id).await?;
    services
        .store
        .delete_scim_group(organization_id, id)
        .await?;
    refresh_roles(services, organization_id, &group.members).await
}

/// Member ids must be users of the organisation (RFC 7644 §3.5.2: `invalidValue`).
async fn members_of(
    services: &Services,
    organization_id: &str,
    ids: Vec<String>,
) -> Result<Vec<String>, ScimError> {
    for id in &ids {
        if services
            .store
            .scim_user(organization_id, id)
            .await?
            .is_none()
        {
            return Err(ScimError::InvalidValue(format!(
                "member {id:?} is no user of this organisation"
            )));
        }
    }
    Ok(ids)
}

/// Roles from group names, mapped by the organisation's SSO configuration exactly as the
/// `groups` claim is at sign-in. Without SSO no group names are configured, and the
/// directory's roles stand.
async fn refresh_roles(
    services: &Services,
    organization_id: &str,
    user_ids: &[String],
) -> Result<(), ScimError> {
    let store = &services.store;
    let Some(config) = store.sso_config(organization_id).await? else {
        return Ok(());
    };
    let now = services.clock.real_now();
    for user_id in user_ids {
        let names = store.scim_group_names_of(user_id).await?;
        let (global_admin, billing_admin) = config.roles_for_groups(&names);
        store
            .set_sso_roles(user_id, global_admin, billing_admin, now)
            .await?;
    }
    Ok(())
}
