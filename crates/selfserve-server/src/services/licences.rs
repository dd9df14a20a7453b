//! Licences: finding colleagues, giving them licences (all or nothing), taking licences back.

use super::{Caller, Conflict, Invalid, NoSeats, ServiceError, Services};
use crate::access::Action;
use crate::events::Event;
use crate::store::assignments::Assigned;
use crate::store::directory::UserRow;
use crate::store::subscriptions::filter_words;
use selfserve_api::admin::AuditAction;
use selfserve_api::subscription::{Holders, Subscription, UserRef};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The most people one request may give licences to.
pub const MAX_PER_REQUEST: usize = 1_000;

/// Enabled members of the caller's own organisation matching `query`, by name; at most
/// `limit`, and whether there are more.
pub async fn search_colleagues(
    services: &Services,
    caller: &Caller,
    query: &str,
    limit: i64,
) -> Result<(Vec<UserRef>, bool), ServiceError> {
    let mut users = services
        .store
        .search_users(&caller.user.organization_id, query, limit + 1)
        .await?;
    let has_more = users.len() as i64 > limit;
    users.truncate(limit as usize);
    Ok((
        users
            .into_iter()
            .map(|u| UserRef {
                id: u.id,
                email: u.email,
                name: u.name,
            })
            .collect(),
        has_more,
    ))
}

/// The first `limit` holders of a subscription the caller may see whose name or email
/// contains every word of `filter`, by name then email, and how many match.
pub async fn holders(
    services: &Services,
    caller: &Caller,
    subscription_id: &str,
    filter: &str,
    limit: u32,
) -> Result<Holders, ServiceError> {
    let subscription = services
        .subscription_for(&caller.actor, Action::ViewSubscription, subscription_id)
        .await?;
    let (data, total_count) = services
        .store
        .holders_matching(&subscription.id, &filter_words(filter), limit)
        .await?;
    Ok(Holders {
        has_more: data.len() < total_count as usize,
        data,
        total_count,
    })
}

/// Gives licences of a subscription to people named by id and/or email: all of them, or
/// nobody if one is not an enabled member of its organisation or there are too few seats.
pub async fn assign(
    services: &Services,
    caller: &Caller,
    subscription_id: &str,
    user_ids: &[String],
    emails: &[String],
) -> Result<Subscription, ServiceError> {
    let subscription = services
        .subscription_for(&caller.actor, Action::ManageLicences, subscription_id)
        .await?;
    let wanted = user_ids.len() + emails.len();
    let by_email_field = !emails.is_empty();
    if wanted == 0 || wanted > MAX_PER_REQUEST {
        return Err(ServiceError::Invalid(Invalid::AssignmentSize));
    }
    // Resolve everyone first (two queries however many): one unknown person and nobody is
    // assigned.
    let emails: Vec<String> = emails
        .iter()
        .map(|email| email.trim().to_ascii_lowercase())
        .filter(|email| !email.is_empty())
        .collect();
    let by_id: HashMap<String, UserRow> = services
        .store
        .users_among(user_ids, false)
        .await?
        .into_iter()
        .map(|user| (user.id.clone(), user))
        .collect();
    let by_email: HashMap<String, UserRow> = services
        .store
        .users_among(&emails, true)
        .await?
        .into_iter()
        .map(|user| (user.email.clone(), user))
        .collect();
    let member = |user: &&UserRow| {
        user.organization_id == subscription.organization_id && user.enabled && user.in_directory
    };
    // By id: sorted and without repeats.
    let mut chosen: BTreeMap<&str, &UserRow> = BTreeMap::new();
    let mut missing = Vec::new();
    let requested = user_ids
        .iter()
        .map(|id| (id, by_id.get(id)))
        .chain(emails.iter().map(|email| (email, by_email.get(email))));
    for (asked, found) in requested {
        match found.filter(member) {
            Some(user) => {
                chosen.insert(&user.id, user);
            }
            None => missing.push(asked.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(ServiceError::UsersNotFound {
            missing,
            by_email: by_email_field,
        });
    }
    let before = services.store.assigned_emails(&subscription.id).await?;
    let mut after: Vec<String> = before.clone();
    for user in chosen.values() {
        if !after.contains(&user.email) {
            after.push(user.email.clone());
        }
    }
    after.sort();
    let now = services.clock.now();
    let event = Event::new(
        &caller.actor,
        AuditAction::LicencesAssigned,
        &subscription.organization_id,
        now,
    )
    .subscription(&subscription.id, subscription.product)
    .before(json!({"assigned": before}))
    .after(json!({"assigned": after}));
    let ids: Vec<String> = chosen.keys().map(|id| (*id).to_owned()).collect();
    match services
        .store
        .assign(&subscription.id, &ids, &event, now)
        .await?
    {
        Assigned::Added(_) => view(services, &subscription.id).await,
        Assigned::NoSeats { free } => Err(ServiceError::NoSeats(NoSeats::Assign { free })),
        Assigned::NotAssignable => Err(ServiceError::Conflict(Conflict::NotAssignable)),
    }
}

/// Takes a licence back.
pub async fn unassign(
    services: &Services,
    caller: &Caller,
    subscription_id: &str,
    user_id: &str,
) -> Result<Subscription, ServiceError> {
    let subscription = services
        .subscription_for(&caller.actor, Action::ManageLicences, subscription_id)
        .await?;
    let now = services.clock.now();
    let email = services
        .store
        .user_by_id(user_id)
        .await?
        .map(|user| user.email);
    let event = Event::new(
        &caller.actor,
        AuditAction::LicenceRemoved,
        &subscription.organization_id,
        now,
    )
    .subscription(&subscription.id, subscription.product)
    .before(json!({"user": email}));
    if !services
        .store
        .unassign(&subscription.id, user_id, &event, now)
        .await?
    {
        return Err(ServiceError::NoLicenceHeld);
    }
    view(services, &subscription.id).await
}

async fn view(services: &Services, id: &str) -> Result<Subscription, ServiceError> {
    services
        .store
        .subscription(id)
        .await?
        .ok_or_else(|| super::checkout::vanished(id))
}
