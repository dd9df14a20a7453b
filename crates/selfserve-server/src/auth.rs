//! Signing in, sessions, and what a signed-in user may do.
//!
//! - One answer (`invalid_credentials`) for an unknown user, a wrong password and a disabled
//!   or departed account, and the same argon2 work in each case, so neither the answer nor its
//!   timing tells which accounts exist.
//! - A new random session id at every sign-in (the old one, if any, is ended), stored only as
//!   its SHA-256; idle and absolute timeouts.

use crate::domain::directory::{OrganizationKind, Role};
use crate::domain::eligibility::{Policy, Tenant, check_purchase};
use crate::domain::market::CountryCode;
use crate::ids::new_secret;
use crate::password;
use crate::store::directory::{OrganizationRow, UserRow};
use crate::store::{Store, StoreError};
use selfserve_api::eligibility::{CanBuy, CanBuyMap};
use selfserve_api::email::EmailAddress;
use selfserve_api::product::ProductId;
use selfserve_api::session::{Organization, SessionUser};
use sha2::{Digest, Sha256};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The new session id, for the cookie (only its hash is stored).
    pub session_id: String,
    /// Who signed in.
    pub user: UserRow,
}

/// Why sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user, wrong password, disabled or departed account: deliberately one case.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a password and opens a session.
pub async fn sign_in(
    store: &Store,
    email: &str,
    password: &str,
    now: i64,
) -> Result<SignedIn, SignInError> {
    let normalised = EmailAddress::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| email.trim().to_ascii_lowercase());
    let user = store.user_by_email(&normalised).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let attempt = password.to_owned();
    let verified = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => password::verify(&attempt, &hash),
        None => {
            password::verify_against_nothing(&attempt);
            false
        }
    })
    .await
    .unwrap_or(false);
    let user = match user {
        Some(user) if verified && user.enabled && user.in_directory => user,
        _ => return Err(SignInError::InvalidCredentials),
    };
    let session_id = new_secret();
    store
        .insert_session(&hash_session_id(&session_id), &user.id, now)
        .await?;
    Ok(SignedIn { session_id, user })
}

/// What is stored of a session id.
pub fn hash_session_id(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a session of these times is still valid at `now`.
pub fn session_is_live(created_at: i64, last_seen_at: i64, now: i64) -> bool {
    now - created_at < ABSOLUTE_TIMEOUT_SECONDS && now - last_seen_at < IDLE_TIMEOUT_SECONDS
}

/// Where an organisation is billed from (prices, currency, tax); the US when its country is
/// missing or unknown.
pub fn country_of(org: &OrganizationRow) -> CountryCode {
    org.country
        .as_deref()
        .and_then(|c| CountryCode::parse(c).ok())
        .unwrap_or(CountryCode::US)
}

/// The eligibility view of an organisation.
pub fn tenant_of(org: &OrganizationRow) -> Tenant {
    match (org.kind, org.country.as_deref().map(CountryCode::parse)) {
        (kind, Some(Ok(country))) if kind != OrganizationKind::Partner => Tenant::Customer {
            kind,
            managed: org.managed,
            country,
        },
        _ => Tenant::Partner,
    }
}

/// An organisation's policy for every product, in `ProductId::ALL` order (one query).
pub async fn policies_of(
    store: &Store,
    organization_id: &str,
) -> Result<Vec<(ProductId, Policy)>, StoreError> {
    let stored = store.policies(organization_id).await?;
    ProductId::ALL
        .into_iter()
        .map(|product| {
            let policy = match stored.iter().find(|(p, _)| p == product.as_str()) {
                Some((_, value)) => value
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("policy of {product}: {e}")))?,
                None => Policy::default(),
            };
            Ok((product, policy))
        })
        .collect()
}

/// An organisation's policy for one product.
pub async fn policy_for(
    store: &Store,
    organization_id: &str,
    product: ProductId,
) -> Result<Policy, StoreError> {
    Ok(policies_of(store, organization_id)
        .await?
        .into_iter()
        .find(|(p, _)| *p == product)
        .map(|(_, policy)| policy)
        .unwrap_or_default())
}

/// The organisation as the API shows it.
pub fn organization_view(org: &OrganizationRow) -> Organization {
    Organization {
        id: org.id.clone(),
        name: org.name.clone(),
        domains: org.domains.clone(),
        country: org.country.clone(),
        kind: org.kind,
    }
}

/// The signed-in user as `GET /session` shows them, with what they may buy.
pub async fn session_user(
    store: &Store,
    user: &UserRow,
    org: &OrganizationRow,
) -> Result<SessionUser, StoreError> {
    let tenant = tenant_of(org);
    let can_buy: CanBuyMap = policies_of(store, &org.id)
        .await?
        .into_iter()
        .map(|(product, policy)| {
            let answer = match check_purchase(tenant, policy, user.guest, true) {
                Ok(()) => CanBuy::Yes(true),
                Err(reason) => CanBuy::No(reason),
            };
            (product, answer)
        })
        .collect();
    let mut roles = Vec::new();
    if user.global_admin {
        roles.push(Role::GlobalAdmin);
    }
    if user.billing_admin {
        roles.push(Role::BillingAdmin);
    }
    let delegated_organizations = if org.kind == OrganizationKind::Partner {
        store
            .delegated_customers(&org.id)
            .await?
            .iter()
            .map(organization_view)
            .collect()
    } else {
        Vec::new()
    };
    Ok(SessionUser {
        id: user.id.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        roles,
        guest: user.guest,
        organization: organization_view(org),
        can_buy,
        delegated_organizations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let start = 1_000_000;
        assert!(session_is_live(start, start, start + 60));
        assert!(session_is_live(start, start + 29 * 60, start + 30 * 60));
        assert!(!session_is_live(start, start, start + IDLE_TIMEOUT_SECONDS));
        assert!(!session_is_live(
            start,
            start + ABSOLUTE_TIMEOUT_SECONDS - 10,
            start + ABSOLUTE_TIMEOUT_SECONDS
        ));
    }

    #[test]
    fn session_ids_are_stored_hashed() {
        let hash = hash_session_id("abc");
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, "abc");
        assert_eq!(hash, hash_session_id("abc"));
    }
}
