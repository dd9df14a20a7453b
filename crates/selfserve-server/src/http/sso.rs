//! `GET /sso/start` and `GET /sso/callback`: sign-in at the organisation's identity provider
//! (the protocol is in [`crate::auth::oidc`]). Both answer with redirects, never JSON: the
//! browser is navigating. A failure signs nobody in and sends the browser to the app with
//! `sso_error=CODE`.

use super::AppState;
use super::error::AppError;
use super::extract::ApiQuery;
use super::session::session_cookies;
use super::throttle::{ELIGIBILITY_PER_ADDRESS, throttle_address};
use crate::auth::oidc::{self, SsoFailure, safe_return_to};
use crate::auth::sessions::hash_session_id;
use crate::ids::new_secret;
use crate::store::sso::PENDING_LOGIN_TTL_SECONDS;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use selfserve_api::email::EmailAddress;
use std::net::SocketAddr;

/// `GET /sso/start`'s query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct StartQuery {
    /// The work email the person typed (its domain picks the organisation; the provider gets
    /// it as `login_hint`).
    pub email: Option<String>,
    /// Where to return after signing in: a path of this app (anything else becomes `/`).
    pub return_to: Option<String>,
}

/// `GET /sso/callback`'s query, as the provider sends it.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct CallbackQuery {
    pub state: Option<String>,
    pub code: Option<String>,
    /// Set instead of `code` when the provider refused or the person cancelled.
    pub error: Option<String>,
}

/// The redirect URI registered at every provider.
fn redirect_uri(state: &AppState) -> String {
    format!("{}/api/v1/sso/callback", state.site.public())
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The cookie tying a sign-in to the browser that started it. `SameSite=Lax`: the provider's
/// redirect back is a top-level navigation from another site, which `Strict` would strip.
const BROWSER_COOKIE: &str = "selfserve_sso";
const SECURE_BROWSER_COOKIE: &str = "__Secure-selfserve_sso";

fn browser_cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let (name, secure) = if state.secure_cookies {
        (SECURE_BROWSER_COOKIE, "; Secure")
    } else {
        (BROWSER_COOKIE, "")
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/api/v1/sso; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

fn browser_of<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    let wanted = if state.secure_cookies {
        SECURE_BROWSER_COOKIE
    } else {
        BROWSER_COOKIE
    };
    super::session::cookies(headers)
        .find(|(name, value)| *name == wanted && !value.is_empty())
        .map(|(_, value)| value)
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

fn failed(failure: SsoFailure) -> Result<Response, AppError> {
    match failure {
        SsoFailure::Store(error) => Err(error.into()),
        failure => {
            tracing::info!(code = failure.code(), "SSO sign-in refused");
            Ok(redirect(&format!("/?sso_error={}", failure.code())))
        }
    }
}

/// Sends the browser to the organisation's identity provider.
#[utoipa::path(
    get,
    path = "/sso/start",
    tag = "session",
    params(StartQuery),
    responses(
        (status = 302, description = "To the provider's authorization endpoint (Authorization Code + PKCE S256, `state`, `nonce`, `login_hint`); on failure to `/?sso_error=CODE`"),
        (status = 429, description = "`rate_limited`", body = selfserve_api::ApiError),
    )
)]
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<StartQuery>,
) -> Result<Response, AppError> {
    let Some(email) = query
        .email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok())
    else {
        return failed(SsoFailure::InvalidRequest);
    };
    // Each start writes a row: bounded per client like the email step.
    let address = throttle_address(state.trusted_proxies.client_address(&headers, peer));
    state
        .throttles
        .check(&ELIGIBILITY_PER_ADDRESS, &address.to_string())
        .await?;
    let now = state.services.clock.real_now();
    let return_to = safe_return_to(query.return_to.as_deref());
    let browser = new_secret();
    match oidc::start(
        &state.services.store,
        &redirect_uri(&state),
        &email,
        return_to,
        &browser,
        now,
    )
    .await
    {
        Ok(url) => {
            let mut response = redirect(&url);
            response.headers_mut().insert(
                header::SET_COOKIE,
                browser_cookie(&state, &browser, PENDING_LOGIN_TTL_SECONDS),
            );
            Ok(response)
        }
        Err(failure) => failed(failure),
    }
}

/// Where the provider sends the browser back: signs in, then on to `return_to`.
#[utoipa::path(
    get,
    path = "/sso/callback",
    tag = "session",
    params(CallbackQuery),
    responses(
        (status = 302, description = "Signed in (the session cookie is set), to `return_to`; or nobody signed in, to `/?sso_error=CODE` (`invalid_state`, `code_rejected`, `invalid_id_token`, `email_not_verified`, `email_outside_organization`, `account_disabled`, `provider_error`, `provider_unavailable`, `sso_not_configured`, `invalid_request`)"),
    )
)]
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<CallbackQuery>,
) -> Result<Response, AppError> {
    let store = &state.services.store;
    let now = state.services.clock.real_now();
    let Some(state_param) = present(&query.state) else {
        return failed(SsoFailure::InvalidRequest);
    };
    let code = match (present(&query.code), present(&query.error)) {
        (Some(code), None) => code,
        (_, Some(_)) => {
            // The attempt is over: its pending sign-in must not be usable again.
            let _ = store
                .take_pending_login(&oidc::hash_state(state_param), now)
                .await?;
            return failed(SsoFailure::ProviderError);
        }
        (None, None) => return failed(SsoFailure::InvalidRequest),
    };
    let (signed_in, return_to) = match oidc::finish(
        store,
        &redirect_uri(&state),
        state_param,
        code,
        browser_of(&state, &headers),
        now,
    )
    .await
    {
        Ok(done) => done,
        Err(failure) => return failed(failure),
    };
    if let Some(old) = super::session::session_cookie(&headers, state.secure_cookies) {
        store.delete_session(&hash_session_id(&old)).await?;
    }
    // The browser comes back from the provider: its language is the person's, as at a
    // password sign-in.
    if let Some(language) = super::language::Language::asked() {
        store
            .remember_language(&signed_in.user.id, language)
            .await?;
    }
    let mut response = redirect(&return_to);
    response
        .headers_mut()
        .append(header::SET_COOKIE, browser_cookie(&state, "", 0));
    for cookie in session_cookies(state.secure_cookies, &signed_in.session_id) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
