//! Signing in, and the sessions that follow.
//!
//! How a person proves who they are depends on their organisation ([`SignInMethod`]): today a
//! password checked here; an organisation's identity provider plugs in beside it. Every method
//! ends the same way, in [`sessions::open`]: a new random session id, stored only as its hash.
//!
//! # Layout
//! - [`oidc`]: sign-in at the organisation's OpenID Provider (Authorization Code + PKCE;
//!   pending sign-ins in the database).
//! - [`password`]: password sign-in (one answer and one amount of argon2 work for every
//!   failure, so neither tells which accounts exist).
//! - [`password_hash`]: argon2id hashing.
//! - [`sessions`]: opening, checking and ending sessions (idle and absolute timeouts).

pub mod oidc;
pub mod password;
pub mod password_hash;
pub mod sessions;

use crate::store::directory::{OrganizationRow, UserRow};
use crate::store::{Store, StoreError};

/// How the people of an organisation sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    /// A password kept (as an argon2id hash) by this server.
    Password,
    /// At the organisation's OpenID Provider ([`oidc`]); passwords are refused.
    Sso,
}

impl SignInMethod {
    /// The wire value (`POST /eligibility`'s `method`).
    pub fn wire(self) -> selfserve_api::session::SignInMethod {
        match self {
            Self::Password => selfserve_api::session::SignInMethod::Password,
            Self::Sso => selfserve_api::session::SignInMethod::Sso,
        }
    }
}

/// How `organization`'s people sign in: at its provider once one is configured.
pub async fn method_for(
    store: &Store,
    organization: &OrganizationRow,
) -> Result<SignInMethod, StoreError> {
    Ok(match store.sso_config(&organization.id).await? {
        Some(_) => SignInMethod::Sso,
        None => SignInMethod::Password,
    })
}

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The new session id, for the cookie (only its hash is stored).
    pub session_id: String,
    pub user: UserRow,
}

/// Why sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user, wrong password, disabled or departed account: deliberately one case.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error(transparent)]
    Store(#[from] StoreError),
}
