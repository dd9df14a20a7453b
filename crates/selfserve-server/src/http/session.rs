//! `POST/GET/DELETE /session`, and the [`Caller`] extractor every signed-in endpoint uses.

use super::AppState;
use super::error::AppError;
use super::extract::ApiJson;
use super::throttle::throttle_address;
use crate::access::Actor;
use crate::auth::sessions::{self, hash_session_id, session_is_live};
use crate::auth::{self, SignInError};
use crate::http::messages::requests as msg;
use crate::services::{self, Caller, checkout};
use crate::store::directory::OrganizationRow;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use selfserve_api::ErrorCode;
use selfserve_api::email::EmailAddress;
use selfserve_api::session::{Organization, OrganizationKind, Role, SessionUser, SignInRequest};
use std::net::SocketAddr;

const COOKIE: &str = "selfserve_session";
/// Behind TLS the cookie gets the `__Host-` prefix: Secure, Path=/, no Domain.
const SECURE_COOKIE: &str = "__Host-selfserve_session";
/// The hint beside the session cookie: readable by the app's script (not HttpOnly), so an
/// anonymous page load need not ask `GET /session` (whose 401 browsers log as an error). It
/// holds `1`, never anything of the session, and grants nothing: the server never reads it
/// to decide anything but whether to clear it.
const HINT: &str = "selfserve_signed_in";
const SECURE_HINT: &str = "__Host-selfserve_signed_in";

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthenticated = || {
            AppError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::NotAuthenticated,
                msg::NOT_AUTHENTICATED,
            )
        };
        let store = &state.services.store;
        let id =
            session_cookie(&parts.headers, state.secure_cookies).ok_or_else(unauthenticated)?;
        let hash = hash_session_id(&id);
        // A session whose user or organisation is gone finds no row: signed out, as before.
        let crate::store::sessions::SessionCaller {
            session,
            user,
            organization,
        } = store
            .session_caller(&hash)
            .await?
            .ok_or_else(unauthenticated)?;
        let now = state.services.clock.real_now();
        if !session_is_live(session.created_at, session.last_seen_at, now) {
            store.delete_session(&hash).await?;
            return Err(unauthenticated());
        }
        if !(user.enabled && user.in_directory) {
            return Err(unauthenticated());
        }
        // One write a minute per session is enough for the idle timeout.
        if now - session.last_seen_at >= 60 {
            store.touch_session(&hash, now).await?;
        }
        let principal = services::principal(store, &user, &organization).await?;
        Ok(Self {
            user,
            organization,
            actor: Actor::User(principal),
        })
    }
}

/// The session id the request carries. Behind TLS only the `__Host-` cookie counts: a plain
/// cookie can be planted by anyone on the network path (or a sibling subdomain), which would
/// fix the victim's session to one the attacker knows.
pub(super) fn session_cookie(headers: &HeaderMap, secure: bool) -> Option<String> {
    let wanted = if secure { SECURE_COOKIE } else { COOKIE };
    cookies(headers)
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether the request carries a session cookie of either name (its response must not be
/// cached).
pub fn has_session_cookie(headers: &HeaderMap) -> bool {
    cookies(headers)
        .any(|(name, value)| (name == COOKIE || name == SECURE_COOKIE) && !value.is_empty())
}

pub(super) fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The `Set-Cookie` headers that open a session in the browser: the session, then its hint
/// (same lifetime, path, SameSite and Secure rules). Every place that signs someone in sends
/// both.
pub(super) fn session_cookies(secure: bool, id: &str) -> [HeaderValue; 2] {
    let max_age = sessions::ABSOLUTE_TIMEOUT_SECONDS;
    [
        cookie_header(secure, id, max_age),
        hint_header(secure, "1", max_age),
    ]
}

/// The `Set-Cookie` headers that end the session in the browser: both cookies, expired.
pub(super) fn ended_session_cookies(secure: bool) -> [HeaderValue; 2] {
    [cookie_header(secure, "", 0), hint_header(secure, "", 0)]
}

fn cookie_header(secure: bool, value: &str, max_age: i64) -> HeaderValue {
    let cookie = if secure {
        format!(
            "{SECURE_COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age}"
        )
    } else {
        format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}")
    };
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(""))
}

fn hint_header(secure: bool, value: &str, max_age: i64) -> HeaderValue {
    let cookie = if secure {
        format!("{SECURE_HINT}={value}; Path=/; Secure; SameSite=Strict; Max-Age={max_age}")
    } else {
        format!("{HINT}={value}; Path=/; SameSite=Strict; Max-Age={max_age}")
    };
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(""))
}

/// Whether the request carries the session cookie or its hint, of either name: when the
/// session turns out not to be live, both are cleared.
pub fn has_session_or_hint_cookie(headers: &HeaderMap) -> bool {
    cookies(headers).any(|(name, value)| {
        [COOKIE, SECURE_COOKIE, HINT, SECURE_HINT].contains(&name) && !value.is_empty()
    })
}

/// Marks a response that refused a request for want of a live session (`not_authenticated`);
/// the site middleware then clears the browser's session cookies, so the app stops asking.
#[derive(Debug, Clone, Copy)]
pub struct SessionRefused;

/// Signs in: checks the password, ends any session the browser had, opens a new one.
#[utoipa::path(
    post,
    path = "/session",
    tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionUser),
        (status = 401, description = "`invalid_credentials` (also for a malformed email, refused before anything else); `sso_required` when the organisation signs in at its identity provider", body = selfserve_api::ApiError),
        (status = 413, description = "`payload_too_large`: the body is over 8 KiB", body = selfserve_api::ApiError),
        (status = 429, description = "`too_many_attempts`", body = selfserve_api::ApiError),
        (status = 503, description = "`service_unavailable`: too many sign-ins at once; see `Retry-After`", body = selfserve_api::ApiError),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Response, AppError> {
    // A malformed or oversized email is refused before any throttle, argon2 or database work:
    // it cannot be anyone's account, and it must not become a key anywhere. The answer is the
    // same as for any failed sign-in (the contract: failures are indistinguishable); that it
    // comes fast tells nothing about accounts.
    let email = EmailAddress::parse(&request.email).map_err(|_| invalid_credentials())?;
    // An organisation that signs in at its provider has no passwords here to try (and its
    // people are told where to go instead). Which organisations use SSO is public: the email
    // step says so.
    if auth::oidc::config_for_email(&state.services.store, &email)
        .await?
        .is_some()
    {
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::SsoRequired,
            msg::SSO_REQUIRED,
        ));
    }
    let address = throttle_address(state.trusted_proxies.client_address(&headers, peer));
    let attempt = state
        .throttles
        .admit_sign_in(email.as_str(), address)
        .await?;
    let permit = state.verify_gate.enter().await?;

    let store = &state.services.store;
    let now = state.services.clock.real_now();
    match auth::password::sign_in(store, email.as_str(), &request.password, now, permit).await {
        Ok(signed_in) => {
            state.throttles.signed_in(&attempt).await?;
            if let Some(old) = session_cookie(&headers, state.secure_cookies) {
                store.delete_session(&hash_session_id(&old)).await?;
            }
            let organization = store
                .organization(&signed_in.user.organization_id)
                .await?
                .ok_or_else(|| AppError::internal("user without organisation"))?;
            if let Some(language) = crate::http::language::Language::asked() {
                store
                    .remember_language(&signed_in.user.id, language)
                    .await?;
            }
            let principal = services::principal(store, &signed_in.user, &organization).await?;
            let caller = Caller {
                user: signed_in.user,
                organization,
                actor: Actor::User(principal),
            };
            let body = session_user(&state, &caller).await?;
            let mut response = Json(body).into_response();
            for cookie in session_cookies(state.secure_cookies, &signed_in.session_id) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(SignInError::InvalidCredentials) => Err(invalid_credentials()),
        Err(SignInError::Store(error)) => Err(error.into()),
    }
}

fn invalid_credentials() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
        msg::INVALID_CREDENTIALS,
    )
}

/// The signed-in user, their organisation, and what they may buy.
#[utoipa::path(
    get,
    path = "/session",
    tag = "session",
    responses(
        (status = 200, description = "The signed-in user", body = SessionUser),
        (status = 401, description = "`not_authenticated`", body = selfserve_api::ApiError),
    )
)]
pub async fn current(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SessionUser>, AppError> {
    Ok(Json(session_user(&state, &caller).await?))
}

/// An organisation as the API shows it.
pub fn organization_view(org: &OrganizationRow) -> Organization {
    Organization {
        id: org.id.clone(),
        name: org.name.clone(),
        domains: org.domains.clone(),
        country: org.country.map(|c| c.as_str().to_owned()),
        kind: org.kind,
    }
}

/// The signed-in user as `GET /session` shows them, with what they may buy.
async fn session_user(state: &AppState, caller: &Caller) -> Result<SessionUser, AppError> {
    let services = &state.services;
    let user = &caller.user;
    let mut roles = Vec::new();
    if user.global_admin {
        roles.push(Role::GlobalAdmin);
    }
    if user.billing_admin {
        roles.push(Role::BillingAdmin);
    }
    let delegated_organizations = if caller.organization.kind == OrganizationKind::Partner {
        services
            .store
            .delegated_customers(&caller.organization.id)
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
        organization: organization_view(&caller.organization),
        can_buy: checkout::can_buy(services, caller).await?,
        delegated_organizations,
    })
}

/// Signs out: ends the session and clears the cookie. Signing out twice is fine.
#[utoipa::path(
    delete,
    path = "/session",
    tag = "session",
    responses((status = 200, description = "`{\"deleted\": true}`"))
)]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(id) = session_cookie(&headers, state.secure_cookies) {
        state
            .services
            .store
            .delete_session(&hash_session_id(&id))
            .await?;
    }
    let mut response = Json(serde_json::json!({"deleted": true})).into_response();
    for cookie in ended_session_cookies(state.secure_cookies) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; selfserve_session=abc123; x=y"),
        );
        assert_eq!(session_cookie(&headers, false).as_deref(), Some("abc123"));
        assert_eq!(
            session_cookie(&headers, true),
            None,
            "behind TLS the plain cookie is not accepted"
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("selfserve_session=planted; __Host-selfserve_session=real"),
        );
        assert_eq!(session_cookie(&headers, true).as_deref(), Some("real"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("selfserve_session="),
        );
        assert_eq!(session_cookie(&headers, false), None);
        headers.insert(header::COOKIE, HeaderValue::from_static("other=1"));
        assert_eq!(session_cookie(&headers, false), None);
    }
}
