//! Signing in at an organisation's OpenID Provider: Authorization Code with PKCE (S256),
//! `state`, `nonce` and `login_hint`.
//!
//! All protocol checks are the `openidconnect` crate's: discovery, the ID token's signature
//! against the provider's JWKS (kept a few minutes per issuer and fetched again at once for a
//! key id it lacks, so a rotated key is picked up: [`discovery`]), `iss`, `aud`, `exp` and
//! `nonce`. What is ours: the pending sign-in in the database
//! (single use, 10 minutes, valid on whichever instance the callback reaches), matching the
//! provider's subject to a user, creating a user just in time, and roles from groups.

mod discovery;

use super::{SignedIn, sessions};
use crate::ids::new_id;
use crate::store::directory::UserRow;
use crate::store::sso::{PendingLogin, SecretRef, SsoConfig};
use crate::store::{Store, StoreError};
use discovery::Fetch;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    LoginHint, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use selfserve_api::email::EmailAddress;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Duration;

/// The `groups` claim (Entra ID and Okta put it in the ID token when configured to).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct GroupsClaim {
    #[serde(default)]
    groups: Vec<String>,
}
impl AdditionalClaims for GroupsClaim {}

type Fields = IdTokenFields<
    GroupsClaim,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcClient = Client<
    GroupsClaim,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<Fields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why an SSO sign-in did not happen. Each has a code for `/?sso_error=CODE`; none says more
/// than the code (nothing from the provider or the token is echoed).
#[derive(Debug, thiserror::Error)]
pub enum SsoFailure {
    /// A parameter is missing or malformed.
    #[error("invalid_request")]
    InvalidRequest,
    /// The email's domain is no organisation's, or the organisation signs in with passwords.
    #[error("sso_not_configured")]
    NotConfigured,
    /// Discovery, JWKS or the token endpoint could not be reached, or the client secret could
    /// not be read.
    #[error("provider_unavailable")]
    ProviderUnavailable,
    /// The provider sent the person back with an error (they cancelled, or it refused).
    #[error("provider_error")]
    ProviderError,
    /// Unknown, expired or already used `state`, or a callback in another browser than the
    /// one that started the sign-in.
    #[error("invalid_state")]
    InvalidState,
    /// The token endpoint refused the code (replayed, expired, or for another client).
    #[error("code_rejected")]
    CodeRejected,
    /// No ID token, or one that fails the signature, `iss`, `aud`, `exp` or `nonce` check.
    #[error("invalid_id_token")]
    InvalidIdToken,
    /// A first sign-in needs an email the provider has verified.
    #[error("email_not_verified")]
    EmailNotVerified,
    /// The email is not of the organisation's domains (or belongs to another organisation).
    #[error("email_outside_organization")]
    EmailOutsideOrganization,
    /// The user is disabled or has left.
    #[error("account_disabled")]
    AccountDisabled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SsoFailure {
    /// The `sso_error` value.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::NotConfigured => "sso_not_configured",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::ProviderError => "provider_error",
            Self::InvalidState => "invalid_state",
            Self::CodeRejected => "code_rejected",
            Self::InvalidIdToken => "invalid_id_token",
            Self::EmailNotVerified => "email_not_verified",
            Self::EmailOutsideOrganization => "email_outside_organization",
            Self::AccountDisabled => "account_disabled",
            Self::Store(_) => "internal",
        }
    }
}

/// `return_to` if it is a path of this app: one leading `/`, never `//` or `/\` (which
/// browsers read as another host), no scheme, no control characters. Anything else is `/`.
pub fn safe_return_to(return_to: Option<&str>) -> String {
    match return_to {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 2048
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// SHA-256 (hex) of a `state`: what the database keeps.
pub fn hash_state(state: &str) -> String {
    Sha256::digest(state.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One HTTP client for every provider: no redirects (discovery or token responses that
/// redirect are refused rather than followed somewhere else), bounded time.
fn http() -> &'static openidconnect::reqwest::Client {
    static CLIENT: OnceLock<openidconnect::reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default()
    })
}

fn read_secret(reference: &SecretRef) -> Result<ClientSecret, SsoFailure> {
    let secret = match reference {
        SecretRef::File(path) => std::fs::read_to_string(path).map_err(|error| {
            tracing::error!(path = %path.display(), %error, "cannot read the SSO client secret");
            SsoFailure::ProviderUnavailable
        })?,
        SecretRef::Env(name) => std::env::var(name).map_err(|_| {
            tracing::error!(variable = %name, "the SSO client secret's variable is not set");
            SsoFailure::ProviderUnavailable
        })?,
    };
    Ok(ClientSecret::new(secret.trim_end().to_owned()))
}

/// A client for the provider, with its discovery document and keys as `fetch` allows.
async fn client(
    config: &SsoConfig,
    redirect_uri: &str,
    fetch: Fetch,
) -> Result<OidcClient, SsoFailure> {
    let metadata = discovery::metadata(&config.issuer, fetch).await?;
    let redirect =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| SsoFailure::NotConfigured)?;
    Ok(OidcClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(read_secret(&config.client_secret)?),
    )
    .set_redirect_uri(redirect))
}

/// The organisation of `email` and its provider, if it has one.
pub async fn config_for_email(
    store: &Store,
    email: &EmailAddress,
) -> Result<Option<SsoConfig>, StoreError> {
    match store.organization_by_domain(email.domain()).await? {
        Some(org) => store.sso_config(&org.id).await,
        None => Ok(None),
    }
}

/// Starts a sign-in: records it, and gives the provider's authorization URL. `browser` is the
/// random value the starting browser gets in a cookie; the callback must bring it back.
pub async fn start(
    store: &Store,
    redirect_uri: &str,
    email: &EmailAddress,
    return_to: String,
    browser: &str,
    now: i64,
) -> Result<String, SsoFailure> {
    let config = config_for_email(store, email)
        .await?
        .ok_or(SsoFailure::NotConfigured)?;
    let client = client(&config, redirect_uri, Fetch::Kept).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_login_hint(LoginHint::new(email.as_str().to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    store
        .insert_pending_login(&PendingLogin {
            state_hash: hash_state(state.secret()),
            browser_hash: hash_state(browser),
            organization_id: config.organization_id.clone(),
            pkce_verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
            return_to,
            created_at: now,
        })
        .await?;
    Ok(url.to_string())
}

/// Finishes a sign-in at the callback: takes the pending sign-in (once), exchanges the code,
/// checks the ID token, finds or creates the user, sets their roles, opens a session. Gives
/// the session and where to send the browser.
pub async fn finish(
    store: &Store,
    redirect_uri: &str,
    state: &str,
    code: &str,
    browser: Option<&str>,
    now: i64,
) -> Result<(SignedIn, String), SsoFailure> {
    let pending = store
        .take_pending_login(&hash_state(state), now)
        .await?
        .ok_or(SsoFailure::InvalidState)?;
    // Taken (used up) either way: a callback that reached the wrong browser is not retried.
    if browser.map(hash_state) != Some(pending.browser_hash.clone()) {
        return Err(SsoFailure::InvalidState);
    }
    let config = store
        .sso_config(&pending.organization_id)
        .await?
        .ok_or(SsoFailure::NotConfigured)?;
    let organization = store
        .organization(&pending.organization_id)
        .await?
        .ok_or(SsoFailure::NotConfigured)?;
    let mut client = client(&config, redirect_uri, Fetch::Kept).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| SsoFailure::NotConfigured)?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(http())
        .await
        .map_err(|error| match error {
            RequestTokenError::ServerResponse(_) => SsoFailure::CodeRejected,
            other => {
                tracing::warn!(error = %other, "the token endpoint failed");
                SsoFailure::ProviderUnavailable
            }
        })?;
    let id_token = tokens.id_token().ok_or(SsoFailure::InvalidIdToken)?;
    let nonce = Nonce::new(pending.nonce);
    let mut verified = id_token.claims(&client.id_token_verifier(), &nonce);
    // Signed with a key the kept set lacks: the provider rotated its keys; ask it once.
    if matches!(
        verified,
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey
        ))
    ) {
        client = self::client(&config, redirect_uri, Fetch::Fresh).await?;
        verified = id_token.claims(&client.id_token_verifier(), &nonce);
    }
    let claims = verified.map_err(|error| {
        tracing::info!(%error, "ID token refused");
        SsoFailure::InvalidIdToken
    })?;
    let subject = claims.subject().as_str();
    let groups = &claims.additional_claims().groups;

    let user = match store.user_by_sso_subject(&organization.id, subject).await? {
        Some(user) => user,
        None => {
            if claims.email_verified() != Some(true) {
                return Err(SsoFailure::EmailNotVerified);
            }
            let email = claims
                .email()
                .and_then(|email| EmailAddress::parse(email.as_str()).ok())
                .ok_or(SsoFailure::EmailNotVerified)?;
            if !organization.domains.iter().any(|d| d == email.domain()) {
                return Err(SsoFailure::EmailOutsideOrganization);
            }
            match store.user_by_email(email.as_str()).await? {
                // Already in the directory (imported): tie the subject to them, once.
                Some(user) if user.organization_id == organization.id => {
                    store.link_sso_user(&user, false, subject, now).await?;
                    user
                }
                Some(_) => return Err(SsoFailure::EmailOutsideOrganization),
                None => {
                    let name = claims
                        .name()
                        .and_then(|name| name.get(None))
                        .map(|name| name.as_str().to_owned())
                        .unwrap_or_else(|| {
                            email
                                .as_str()
                                .split('@')
                                .next()
                                .unwrap_or_default()
                                .to_owned()
                        });
                    let user = UserRow {
                        id: new_id("usr"),
                        organization_id: organization.id.clone(),
                        email: email.as_str().to_owned(),
                        name,
                        password_hash: None,
                        guest: false,
                        enabled: true,
                        in_directory: true,
                        global_admin: false,
                        billing_admin: false,
                    };
                    store.link_sso_user(&user, true, subject, now).await?;
                    user
                }
            }
        }
    };
    if !(user.enabled && user.in_directory) {
        return Err(SsoFailure::AccountDisabled);
    }
    let (global_admin, billing_admin) = config.roles_for_groups(groups);
    store
        .set_sso_roles(&user.id, global_admin, billing_admin, now)
        .await?;
    let user = UserRow {
        global_admin,
        billing_admin,
        ..user
    };
    let session_id = sessions::open(store, &user.id, now).await?;
    Ok((SignedIn { session_id, user }, pending.return_to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_is_a_path_of_this_app_only() {
        assert_eq!(
            safe_return_to(Some("/checkout/seats?p=1")),
            "/checkout/seats?p=1"
        );
        for hostile in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil",
            "/a\r\nSet-Cookie: x=y",
            "",
        ] {
            assert_eq!(safe_return_to(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }

    #[test]
    fn the_state_is_kept_only_as_a_hash() {
        let hash = hash_state("abc");
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, "abc");
    }
}
