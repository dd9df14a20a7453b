//! The HTTP face of the server: the JSON API under `/api/v1`, `/healthz`, and the built app.
//!
//! Every handler does four things and no more: parse the request (the extractors here turn
//! every bad input into the envelope), authorise (by handing the signed-in [`Caller`] to a
//! service, which asks `access`), call a service, and render its answer or error.
//!
//! # Layout
//! - [`error`]: [`error::AppError`], the envelope every failure becomes, and the words for
//!   every service error.
//! - [`extract`]: JSON/query extractors whose rejections are envelopes too.
//! - [`app_files`]: the built app, with caching and Content-Security-Policy headers.
//! - [`session`]: sign-in, sign-out, and the [`Caller`] extractor; [`sso`]: sign-in at the
//!   organisation's identity provider (redirects).
//! - [`idempotency`]: Stripe's `Idempotency-Key` semantics for requests that move money.
//! - [`throttle`]: rate limits (in the database), and the bound on argon2 verifications.
//! - [`client_address`]: the client's address (`--trusted-proxy`); [`site`]: the public origin,
//!   the `Origin` check and the `Host` allowlist.
//! - [`scim`]: SCIM 2.0 provisioning at `/scim/v2` (bearer token per organisation, SCIM
//!   bodies and errors, not the envelope).
//! - the endpoints: [`products`], [`checkout`], [`trials`], [`subscriptions`], [`licences`],
//!   [`seats`], [`bills`], [`admin`], [`test_clock`], [`health`].
//!
//! # Invariants
//! - Every response under `/api` is JSON; every error is the envelope (also 404, 405, 413,
//!   415, malformed JSON and panics).
//! - A state-changing request whose `Origin` names another origin (scheme, host and port) is
//!   refused before any handler runs; a request for a host that is not ours gets 400.
//! - Responses to signed-in requests are `Cache-Control: no-store`; with `--secure-cookies`
//!   every response carries `Strict-Transport-Security`.
//! - `X-Request-Id` is always ours; a client's own id is logged apart, never trusted.
//! - Request and response bodies are never logged (they may hold passwords).

pub mod admin;
pub mod app_files;
pub mod bills;
pub mod checkout;
pub mod client_address;
pub mod error;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod language;
pub mod licences;
pub mod messages;
pub mod openapi;
pub mod page;
pub mod products;
pub mod requests;
pub mod scim;
pub mod seats;
pub mod session;
pub mod site;
pub mod sso;
pub mod subscriptions;
pub mod test_clock;
pub mod throttle;
pub mod trials;
pub mod unsubscribe;
pub mod webhooks;

pub use crate::services::Caller;

use crate::http::messages::requests as msg;
use crate::services::Services;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use error::AppError;
use selfserve_api::ErrorCode;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest request body accepted; the biggest legitimate one is a pasted list of emails.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// The largest `POST /session` body (an email is at most 254 characters).
pub const SIGN_IN_BODY_LIMIT_BYTES: usize = 8 * 1024;

/// What every handler can reach, behind one `Arc`. Why: axum clones the state for every
/// `State` extractor and every middleware of every request, and a deep copy (the pools, the
/// origins, the seller's strings) was a quarter of a trivial request's time, in malloc and
/// free.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    pub services: Services,
    /// Where browsers post card details (the built-in gateway's origin).
    pub gateway_origin: String,
    /// The processor, as the app may know it.
    pub client_processor: ClientProcessor,
    /// Verifies `POST /webhooks/stripe`; without it that route is 404.
    pub stripe_webhook_secret: Option<crate::stripe::Secret>,
    /// Rate limits, in the database.
    pub throttles: throttle::Throttles,
    /// The bound on concurrent password verifications.
    pub verify_gate: throttle::sign_in::VerifyGate,
    /// Who may tell us the client's address.
    pub trusted_proxies: client_address::TrustedProxies,
    /// The public origin and the hosts we answer for.
    pub site: site::Site,
    /// Only the `__Host-` session cookie, `Secure`, and HSTS on every response (behind TLS).
    pub secure_cookies: bool,
    /// Whether `POST /test-clock/advance` is enabled.
    pub test_clock: bool,
    /// Wakes this server's mail sender after a request that may have committed mail.
    pub mail_wake: crate::notifications::sender::MailWake,
}

/// The card processor as the app may know it: never a secret.
#[derive(Debug, Clone)]
pub enum ClientProcessor {
    Builtin,
    Stripe {
        publishable_key: String,
        /// Where the browser loads Stripe.js from.
        js_url: String,
        /// Where Stripe.js talks to Stripe.
        api_base: String,
    },
}

/// Who takes the card in the browser.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcessorKind {
    /// The built-in test gateway (`gateway_url`).
    Builtin,
    /// Stripe.js with `stripe_publishable_key`.
    Stripe,
}

/// What the app needs to know about this server before anything else.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClientConfig {
    /// Where the browser posts card details (`POST {gateway_url}/v1/tokens`).
    pub gateway_url: String,
    /// True with the built-in gateway, which only accepts test cards; with Stripe, whether the
    /// publishable key is a test key.
    pub test_mode: bool,
    /// The card processor.
    pub processor: ProcessorKind,
    /// Stripe's publishable key (`pk_…`), with `processor: stripe` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_publishable_key: Option<String>,
    /// Where to load Stripe.js from, with `processor: stripe` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_js_url: Option<String>,
    /// `--seller-name`: who sells, for the footer and invoices; absent when not configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_name: Option<String>,
    /// `--terms-url`: the seller's terms of sale; absent when not configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms_url: Option<String>,
    /// `--privacy-url`: the seller's privacy statement; absent when not configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_url: Option<String>,
}

/// The gateway's address and mode, for the app.
#[utoipa::path(get, path = "/config", tag = "config",
    responses((status = 200, description = "Client configuration", body = ClientConfig)))]
async fn client_config(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<ClientConfig> {
    let (processor, test_mode, stripe_publishable_key, stripe_js_url) =
        match &state.client_processor {
            ClientProcessor::Builtin => (ProcessorKind::Builtin, true, None, None),
            ClientProcessor::Stripe {
                publishable_key,
                js_url,
                ..
            } => (
                ProcessorKind::Stripe,
                publishable_key.starts_with("pk_test_"),
                Some(publishable_key.clone()),
                Some(js_url.clone()),
            ),
        };
    axum::Json(ClientConfig {
        gateway_url: state.gateway_origin.clone(),
        test_mode,
        processor,
        stripe_publishable_key,
        stripe_js_url,
        seller_name: state.services.seller.name.clone(),
        terms_url: state.services.seller.terms_url.clone(),
        privacy_url: state.services.seller.privacy_url.clone(),
    })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "selfserve API",
        description = "Self-service purchase of per-seat subscriptions. Every error is \
                       `{\"error\": {\"code\", \"message\", ...}}`; lists are \
                       `{\"data\": [...], \"has_more\": bool}`."
    ),
    servers((url = "/api/v1")),
    components(schemas(selfserve_api::ApiError, selfserve_api::ErrorCode))
)]
struct ApiDoc;

/// The whole application: API, health check and the built app from `dist`.
pub fn router(state: AppState, dist: &Path) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(products::list_products))
        .routes(routes!(client_config))
        .routes(routes!(checkout::eligibility))
        // Sign-in bodies are small; a big one is refused before it is read into memory.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    session::sign_in,
                    session::current,
                    session::sign_out
                ))
                .layer(DefaultBodyLimit::max(SIGN_IN_BODY_LIMIT_BYTES)),
        )
        .routes(routes!(sso::start))
        .routes(routes!(sso::callback))
        .routes(routes!(checkout::quote))
        .routes(routes!(checkout::purchase))
        .routes(routes!(trials::start_trial))
        .routes(routes!(subscriptions::list))
        .routes(routes!(subscriptions::get_one))
        .routes(routes!(subscriptions::set_payment_method))
        .routes(routes!(subscriptions::cancel))
        .routes(routes!(subscriptions::reactivate))
        .routes(routes!(licences::search_directory))
        .routes(routes!(licences::holders, licences::assign))
        .routes(routes!(licences::unassign))
        .routes(routes!(seats::quote_seats))
        .routes(routes!(seats::change_seats))
        .routes(routes!(bills::invoices))
        .routes(routes!(bills::invoice))
        .routes(routes!(bills::invoice_pdf))
        .routes(routes!(bills::pay_invoice))
        .routes(routes!(test_clock::advance_clock))
        .routes(routes!(admin::organizations::organizations))
        .routes(routes!(
            admin::purchases::purchases,
            admin::central::central_purchase
        ))
        .routes(routes!(admin::export::export_csv))
        .routes(routes!(admin::take_over::take_over))
        .routes(routes!(admin::take_over::cancel_request))
        .routes(routes!(admin::policies::policies))
        .routes(routes!(admin::policies::set_policy))
        .routes(routes!(admin::capacity::capacity))
        .routes(routes!(admin::audit::audit_log))
        .routes(routes!(requests::ask))
        .routes(routes!(admin::requests::list))
        .routes(routes!(admin::requests::answer))
        .routes(routes!(admin::webhooks::list, admin::webhooks::add))
        .routes(routes!(admin::webhooks::remove))
        .routes(routes!(
            admin::notices::get_preferences,
            admin::notices::put_preferences
        ))
        .split_for_parts();
    let mut openapi = openapi;
    openapi::add_common_responses(&mut openapi);
    let openapi = Arc::new(openapi);
    let api = api
        .route(
            "/openapi.json",
            get(move || {
                let openapi = Arc::clone(&openapi);
                async move { axum::Json(openapi.as_ref().clone()) }
            }),
        )
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed);

    // Billing time is read from the database before each API request (see `clock`); the
    // health check and the app's files do not depend on it.
    let api = if state.test_clock {
        api.route_layer(middleware::from_fn_with_state(
            state.services.clock.clone(),
            test_clock::follow,
        ))
    } else {
        api
    };
    let stripe_js = match &state.client_processor {
        ClientProcessor::Builtin => None,
        ClientProcessor::Stripe {
            js_url, api_base, ..
        } => Some(app_files::StripeJs::new(js_url, api_base)),
    };
    let mail_wake = state.mail_wake.clone();
    let app_files = app_files::service(dist, &state.gateway_origin, stripe_js.as_ref());
    let site_state = SiteState {
        site: Arc::new(state.site.clone()),
        secure_cookies: state.secure_cookies,
    };

    Router::new()
        .route("/healthz", get(health::healthz))
        .nest("/api/v1", api)
        .nest("/scim/v2", scim::router())
        .route("/webhooks/stripe", axum::routing::post(webhooks::stripe))
        .route(
            "/unsubscribe",
            get(unsubscribe::ask).post(unsubscribe::confirm),
        )
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .with_state(state)
        .fallback_service(app_files)
        // A change commits its mail with it; the sender is woken once the handler returns.
        .layer(middleware::from_fn_with_state(mail_wake, wake_mail_sender))
        .layer(middleware::from_fn(extract::refuse_nul))
        .layer(middleware::from_fn_with_state(site_state.clone(), refuse_foreign_origin))
        .layer(middleware::from_fn_with_state(site_state, response_headers))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(CatchPanicLayer::custom(|_| {
            AppError::internal("a request handler panicked").into_response()
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                let client_id = request
                    .extensions()
                    .get::<ClientRequestId>()
                    .map_or("-", |id| id.0.as_str());
                // The path only: query strings may carry search terms.
                tracing::info_span!("request", id, client_id, method = %request.method(), path = request.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(SequentialRequestId::default()))
        .layer(middleware::from_fn(distrust_request_id))
        // Outermost: every response below, even a caught panic's, is in the request's language.
        .layer(middleware::from_fn(language::negotiate))
}

async fn wake_mail_sender(
    axum::extract::State(wake): axum::extract::State<crate::notifications::sender::MailWake>,
    request: Request,
    next: Next,
) -> Response {
    let changes = !request.method().is_safe();
    let response = next.run(request).await;
    if changes {
        wake.wake();
    }
    response
}

/// A client's own `X-Request-Id`: logged beside ours, never used as ours (it could collide
/// with or impersonate another request's id in the logs).
#[derive(Debug, Clone)]
struct ClientRequestId(String);

async fn distrust_request_id(mut request: Request, next: Next) -> Response {
    if let Some(theirs) = request.headers_mut().remove("x-request-id") {
        let theirs: String = theirs
            .to_str()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_graphic)
            .take(64)
            .collect();
        request.extensions_mut().insert(ClientRequestId(theirs));
    }
    next.run(request).await
}

/// What the site-wide middleware needs.
#[derive(Debug, Clone)]
struct SiteState {
    site: Arc<site::Site>,
    secure_cookies: bool,
}

/// `Cache-Control: no-store` on API responses to signed-in requests (and on API responses
/// that set no caching of their own); HSTS on everything when behind TLS.
async fn response_headers(
    axum::extract::State(state): axum::extract::State<SiteState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let signed_in = session::has_session_cookie(request.headers());
    let session_or_hint = session::has_session_or_hint_cookie(request.headers());
    let mut response = next.run(request).await;
    // A session the server no longer knows (expired, ended elsewhere, a disabled user) or a
    // hint without its session: clear both, so the app stops asking `GET /session`.
    if session_or_hint
        && response
            .extensions()
            .get::<session::SessionRefused>()
            .is_some()
    {
        for cookie in session::ended_session_cookies(state.secure_cookies) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    let headers = response.headers_mut();
    if api && (signed_in || !headers.contains_key(header::CACHE_CONTROL)) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

async fn api_not_found() -> AppError {
    AppError::not_found()
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        msg::METHOD_NOT_ALLOWED,
    )
}

/// Refuses requests for a host that is not ours (DNS rebinding: a page of `attacker.example`
/// whose name now points at this server), and state-changing requests sent by pages of another
/// origin (a CSRF defence on top of SameSite=Strict cookies). Requests without `Origin` (curl,
/// server-to-server) pass the origin check. `/healthz` answers any host (load balancers).
async fn refuse_foreign_origin(
    axum::extract::State(state): axum::extract::State<SiteState>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if request.uri().path() != "/healthz" && !state.site.allows_host(host) {
        return AppError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            msg::FOREIGN_HOST,
        )
        .into_response();
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && let Some(origin) = request.headers().get(header::ORIGIN) {
        let allowed = origin
            .to_str()
            .is_ok_and(|origin| state.site.allows_origin(origin));
        if !allowed {
            return AppError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::ForbiddenOrigin,
                msg::FOREIGN_ORIGIN,
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Request ids that are unique per process and sort in arrival order (`req-1f-…`).
#[derive(Debug, Clone, Default)]
struct SequentialRequestId {
    next: Arc<AtomicU64>,
}

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        static BOOT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let boot = BOOT.get_or_init(|| crate::ids::new_secret()[..6].to_owned());
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("req-{boot}-{n}"))
            .ok()
            .map(RequestId::new)
    }
}
