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
//! - [`session`]: sign-in, sign-out, and the [`Caller`] extractor.
//! - [`idempotency`]: Stripe's `Idempotency-Key` semantics for requests that move money.
//! - [`throttle`]: per-client rate limits.
//! - the endpoints: [`products`], [`checkout`], [`trials`], [`subscriptions`], [`licences`],
//!   [`seats`], [`bills`], [`admin`], [`test_clock`], [`health`].
//!
//! # Invariants
//! - Every response under `/api` is JSON; every error is the envelope (also 404, 405, 413,
//!   415, malformed JSON and panics).
//! - A state-changing request whose `Origin` names another origin is refused before any handler
//!   runs.
//! - Request and response bodies are never logged (they may hold passwords).

pub mod admin;
pub mod app_files;
pub mod bills;
pub mod checkout;
pub mod error;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod licences;
pub mod products;
pub mod seats;
pub mod session;
pub mod subscriptions;
pub mod test_clock;
pub mod throttle;
pub mod trials;

pub use crate::services::Caller;

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
use throttle::Throttle;
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

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub services: Services,
    /// Where browsers post card details (the built-in gateway's origin).
    pub gateway_origin: String,
    pub throttles: Throttles,
    /// Set the session cookie `Secure` with the `__Host-` prefix (behind TLS).
    pub secure_cookies: bool,
    /// Whether `POST /test-clock/advance` is enabled.
    pub test_clock: bool,
}

/// The throttles of the endpoints that guessing or enumeration would hammer. Each allows at
/// least 30 requests a minute per client (the contract's floor).
#[derive(Debug, Clone)]
pub struct Throttles {
    /// Failed sign-ins per account and address.
    pub sign_in: Throttle,
    /// Failed sign-ins per account from anywhere.
    pub sign_in_account: Throttle,
    /// Sign-in attempts per address.
    pub sign_in_ip: Throttle,
    /// Email checks per address.
    pub eligibility: Throttle,
}

impl Default for Throttles {
    fn default() -> Self {
        let minute = std::time::Duration::from_secs(60);
        Self {
            sign_in: Throttle::new(30, minute),
            sign_in_account: Throttle::new(300, minute),
            sign_in_ip: Throttle::new(120, minute),
            eligibility: Throttle::new(120, minute),
        }
    }
}

/// What the app needs to know about this server before anything else.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClientConfig {
    /// Where the browser posts card details (`POST {gateway_url}/v1/tokens`).
    pub gateway_url: String,
    /// Always true: the built-in gateway only accepts test cards.
    pub test_mode: bool,
}

/// The gateway's address and mode, for the app.
#[utoipa::path(get, path = "/config", tag = "config",
    responses((status = 200, description = "Client configuration", body = ClientConfig)))]
async fn client_config(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<ClientConfig> {
    axum::Json(ClientConfig {
        gateway_url: state.gateway_origin.clone(),
        test_mode: true,
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
        .routes(routes!(
            session::sign_in,
            session::current,
            session::sign_out
        ))
        .routes(routes!(checkout::quote))
        .routes(routes!(checkout::purchase))
        .routes(routes!(trials::start_trial))
        .routes(routes!(subscriptions::list))
        .routes(routes!(subscriptions::get_one))
        .routes(routes!(subscriptions::set_payment_method))
        .routes(routes!(subscriptions::cancel))
        .routes(routes!(subscriptions::reactivate))
        .routes(routes!(licences::search_directory))
        .routes(routes!(licences::assign))
        .routes(routes!(licences::unassign))
        .routes(routes!(seats::quote_seats))
        .routes(routes!(seats::change_seats))
        .routes(routes!(bills::invoices))
        .routes(routes!(bills::invoice))
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
        .split_for_parts();
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

    let app_files = app_files::service(dist, &state.gateway_origin);

    Router::new()
        .route("/healthz", get(health::healthz))
        .nest("/api/v1", api)
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .with_state(state)
        .fallback_service(app_files)
        .layer(middleware::from_fn(refuse_foreign_origin))
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
                // The path only: query strings may carry search terms.
                tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(SequentialRequestId::default()))
}

async fn api_not_found() -> AppError {
    AppError::not_found()
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This address does not accept that method.",
    )
}

/// Refuses state-changing requests sent by pages of another origin (a CSRF defence on top of
/// SameSite=Strict cookies). Requests without `Origin` (curl, server-to-server) pass.
async fn refuse_foreign_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && let Some(origin) = request.headers().get(header::ORIGIN) {
        let host = request.headers().get(header::HOST);
        if !same_origin(origin, host) {
            return AppError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::ForbiddenOrigin,
                "Requests from other websites are not accepted.",
            )
            .into_response();
        }
    }
    next.run(request).await
}

fn same_origin(origin: &HeaderValue, host: Option<&HeaderValue>) -> bool {
    let (Ok(origin), Some(Ok(host))) = (origin.to_str(), host.map(HeaderValue::to_str)) else {
        return false;
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_match_the_host() {
        let host = HeaderValue::from_static("127.0.0.1:8080");
        let same = HeaderValue::from_static("http://127.0.0.1:8080");
        let other_port = HeaderValue::from_static("http://127.0.0.1:9999");
        let other_site = HeaderValue::from_static("https://evil.example");
        let null = HeaderValue::from_static("null");
        assert!(same_origin(&same, Some(&host)));
        assert!(!same_origin(&other_port, Some(&host)));
        assert!(!same_origin(&other_site, Some(&host)));
        assert!(!same_origin(&null, Some(&host)));
        assert!(!same_origin(&same, None));
    }
}
