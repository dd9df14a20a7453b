//! The gateway's own listener: the browser posts card details here (never to the app's
//! origin) and answers 3-D Secure challenges. CORS admits the app's origin only.

use super::{Gateway, ThreeDSecure, TokenizeError};
use crate::http::client_address::TrustedProxies;
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::http::messages::requests as msg;
use crate::http::throttle::{Limit, Throttles, throttle_address};
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderValue, Method, header};
use axum::routing::{get, post};
use selfserve_api::ErrorCode;
use selfserve_api::card::{CardError, CardToken, TokenRequest};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

impl From<TokenizeError> for AppError {
    fn from(error: TokenizeError) -> Self {
        match error {
            TokenizeError::Card(card) => {
                let code = match card {
                    CardError::IncorrectNumber => ErrorCode::IncorrectNumber,
                    CardError::InvalidExpiryMonth => ErrorCode::InvalidExpiryMonth,
                    CardError::InvalidExpiryYear | CardError::Expired => {
                        ErrorCode::InvalidExpiryYear
                    }
                    CardError::InvalidCvc => ErrorCode::InvalidCvc,
                };
                let field = match card {
                    CardError::IncorrectNumber => "number",
                    CardError::InvalidExpiryMonth => "exp_month",
                    CardError::InvalidExpiryYear | CardError::Expired => "exp_year",
                    CardError::InvalidCvc => "cvc",
                };
                AppError::bad_request(code, crate::http::messages::validation::card(card))
                    .field(field)
            }
            TokenizeError::Store(error) => AppError::internal(error),
        }
    }
}

/// Card testing (trying many numbers) is the abuse to slow down. Counted in the database like
/// the app's limits, so servers behind one proxy count together.
pub const TOKENS_PER_ADDRESS: Limit = Limit {
    name: "gateway-tokens-address",
    capacity: 60,
    window_seconds: 60,
};

/// State of the gateway's listener.
#[derive(Debug, Clone)]
struct GatewayState {
    gateway: Gateway,
    throttles: Throttles,
    trusted_proxies: TrustedProxies,
}

/// Body of `POST /v1/challenges/{id}`.
#[derive(Debug, Deserialize)]
struct ChallengeAnswer {
    /// `approve` or `fail`.
    result: String,
}

/// Answer of `POST /v1/challenges/{id}`.
#[derive(Debug, Serialize)]
struct ChallengeStatus {
    id: String,
    status: &'static str,
}

/// The gateway's routes. Only `app_origins` may call it from a browser (CORS). Behind a proxy
/// in `trusted_proxies`, the client its `X-Forwarded-For` names is the one throttled.
pub fn router(
    gateway: Gateway,
    app_origins: Vec<String>,
    throttles: Throttles,
    trusted_proxies: TrustedProxies,
    test_clock: bool,
) -> Router {
    let origins: Vec<HeaderValue> = app_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600));
    let clock = gateway.clock.clone();
    let state = GatewayState {
        gateway,
        throttles,
        trusted_proxies,
    };
    let router = Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/v1/tokens", post(create_token))
        .route("/v1/challenges/{id}", post(answer_challenge));
    // Card expiry is judged in billing time, which another server may have moved.
    let router = if test_clock {
        router.route_layer(axum::middleware::from_fn_with_state(
            clock,
            crate::http::test_clock::follow,
        ))
    } else {
        router
    };
    router
        .fallback(|| async { AppError::not_found() })
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .layer(axum::middleware::from_fn(crate::http::language::negotiate))
        .layer(cors)
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |request: &axum::extract::Request| {
                    // Path only: never a body, never a query.
                    tracing::info_span!("gateway", method = %request.method(), path = request.uri().path())
                },
            ),
        )
}

async fn create_token(
    State(state): State<GatewayState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<axum::Json<CardToken>, AppError> {
    let client = throttle_address(state.trusted_proxies.client_address(&headers, peer));
    // On loopback every client looks the same (a test suite, the demo): counting them together
    // would throttle all of them. Only the test gateway exempts it: it only takes test cards.
    if !client.is_loopback() {
        state
            .throttles
            .check(&TOKENS_PER_ADDRESS, &client.to_string())
            .await?;
    }
    Ok(axum::Json(state.gateway.tokenize(&request).await?))
}

async fn answer_challenge(
    State(state): State<GatewayState>,
    Path(id): Path<String>,
    ApiJson(answer): ApiJson<ChallengeAnswer>,
) -> Result<axum::Json<ChallengeStatus>, AppError> {
    let answer = match answer.result.as_str() {
        "approve" => ThreeDSecure::Approved,
        "fail" => ThreeDSecure::Failed,
        _ => {
            return Err(
                AppError::bad_request(ErrorCode::InvalidRequest, msg::GATEWAY_RESULT)
                    .field("result"),
            );
        }
    };
    if state.gateway.store.answer_challenge(&id, answer).await? {
        Ok(axum::Json(ChallengeStatus {
            id,
            status: answer.as_str(),
        }))
    } else {
        Err(AppError::not_found())
    }
}
