//! Signing in with a password.

use super::password_hash;
use super::{SignInError, SignedIn, sessions};
use crate::store::Store;
use selfserve_api::email::EmailAddress;

/// Checks a password and opens a session. An unknown user, a wrong password and a disabled
/// or departed account give the same answer after the same argon2 work, done under `permit`
/// (the bound on concurrent verifications).
pub async fn sign_in(
    store: &Store,
    email: &str,
    password: &str,
    now: i64,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Result<SignedIn, SignInError> {
    let normalised = EmailAddress::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| email.trim().to_ascii_lowercase());
    let user = store.user_by_email(&normalised).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let attempt = password.to_owned();
    let verified = tokio::task::spawn_blocking(move || {
        // Held while hashing, also when the request is abandoned (see `VerifyGate`).
        let _permit = permit;
        match hash {
            Some(hash) => password_hash::verify(&attempt, &hash),
            None => {
                password_hash::verify_against_nothing(&attempt);
                false
            }
        }
    })
    .await
    .unwrap_or(false);
    let user = match user {
        Some(user) if verified && user.enabled && user.in_directory => user,
        _ => return Err(SignInError::InvalidCredentials),
    };
    let session_id = sessions::open(store, &user.id, now).await?;
    Ok(SignedIn { session_id, user })
}
