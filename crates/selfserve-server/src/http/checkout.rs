//! The purchase flow's endpoints: `POST /eligibility`, `POST /quotes`, `POST /purchases`.

use super::error::AppError;
use super::extract::ApiJson;
use super::throttle::{ELIGIBILITY_PER_ADDRESS, throttle_address};
use super::{AppState, Caller, idempotency};
use crate::auth;
use crate::domain::eligibility::EmailCheck;
use crate::http::messages::requests as msg;
use crate::services::checkout::{self, PurchaseInput};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use selfserve_api::ErrorCode;
use selfserve_api::eligibility::{EligibilityRequest, EligibilityResponse, OrganizationName};
use selfserve_api::email::EmailAddress;
use selfserve_api::product::{InvalidSeatCount, ProductId, SeatCount};
use selfserve_api::purchase::{PurchaseRequest, Quote, QuoteRequest};
use selfserve_api::subscription::Subscription;
use std::net::SocketAddr;

pub(crate) fn parse_product(text: &str) -> Result<ProductId, AppError> {
    text.parse().map_err(|_| {
        AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownProduct,
            msg::UNKNOWN_PRODUCT.arg("product", format!("{text:?}")),
        )
        .field("product")
    })
}

pub(crate) fn parse_quantity(quantity: i64, product: ProductId) -> Result<SeatCount, AppError> {
    SeatCount::new(quantity, product.seat_limits()).map_err(|error: InvalidSeatCount| {
        AppError::bad_request(
            ErrorCode::InvalidQuantity,
            crate::http::messages::validation::seat_count(error),
        )
        .field("quantity")
    })
}

/// The email step: may people of this address's organisation buy this product? Decided on the
/// domain alone, so the answer is the same for a real and a made-up mailbox.
#[utoipa::path(
    post,
    path = "/eligibility",
    tag = "purchase",
    request_body = EligibilityRequest,
    responses(
        (status = 200, description = "`sign_in`, `contact_admin` with a reason, or `unknown_organization`", body = EligibilityResponse),
        (status = 400, description = "`invalid_email`", body = selfserve_api::ApiError),
        (status = 404, description = "`unknown_product`", body = selfserve_api::ApiError),
    )
)]
pub async fn eligibility(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<EligibilityRequest>,
) -> Result<Json<EligibilityResponse>, AppError> {
    let email = EmailAddress::parse(&request.email).map_err(|reason| {
        AppError::bad_request(
            ErrorCode::InvalidEmail,
            crate::http::messages::validation::email(reason),
        )
        .field("email")
    })?;
    let address = throttle_address(state.trusted_proxies.client_address(&headers, peer));
    state
        .throttles
        .check(&ELIGIBILITY_PER_ADDRESS, &address.to_string())
        .await?;
    let product = parse_product(&request.product)?;
    let (check, organization) = checkout::email_check(&state.services, &email, product).await?;
    let method = match &organization {
        Some(organization) => auth::method_for(&state.services.store, organization).await?,
        None => auth::SignInMethod::Password,
    };
    Ok(Json(match check {
        EmailCheck::SignIn => EligibilityResponse::SignIn {
            organization: OrganizationName {
                name: organization.map(|o| o.name).unwrap_or_default(),
            },
            method: method.wire(),
        },
        EmailCheck::ContactAdmin(reason) => EligibilityResponse::ContactAdmin {
            reason,
            message: reason.to_string(),
        },
        EmailCheck::UnknownOrganization => EligibilityResponse::UnknownOrganization,
    }))
}

/// What buying would cost now: shown to the buyer, and exactly what the purchase charges.
#[utoipa::path(
    post,
    path = "/quotes",
    tag = "purchase",
    request_body = QuoteRequest,
    responses(
        (status = 200, description = "The price breakdown", body = Quote),
        (status = 400, description = "`invalid_quantity`", body = selfserve_api::ApiError),
        (status = 401, description = "`not_authenticated`", body = selfserve_api::ApiError),
        (status = 403, description = "`not_eligible` with a `reason`", body = selfserve_api::ApiError),
        (status = 404, description = "`unknown_product`", body = selfserve_api::ApiError),
    )
)]
pub async fn quote(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<QuoteRequest>,
) -> Result<Json<Quote>, AppError> {
    let product = parse_product(&request.product)?;
    let quantity = parse_quantity(request.quantity, product)?;
    Ok(Json(
        checkout::quote(&state.services, &caller, product, quantity).await?,
    ))
}

/// Buys a subscription with a card token. Idempotent per `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/purchases",
    tag = "purchase",
    request_body = PurchaseRequest,
    params(("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$", description = "One key per purchase attempt; reuse it to retry")),
    responses(
        (status = 201, description = "The new subscription", body = Subscription),
        (status = 400, description = "`idempotency_key_required`, `invalid_quantity`, `invalid_token`, `token_already_used`", body = selfserve_api::ApiError),
        (status = 402, description = "`card_declined` with `decline_code`, or `authentication_required` with `next_action`", body = selfserve_api::ApiError),
        (status = 403, description = "`not_eligible` with `reason`", body = selfserve_api::ApiError),
        (status = 409, description = "`idempotency_in_progress`", body = selfserve_api::ApiError),
        (status = 422, description = "`idempotency_key_reused`", body = selfserve_api::ApiError),
    )
)]
pub async fn purchase(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(request): ApiJson<PurchaseRequest>,
) -> Result<Response, AppError> {
    let key = idempotency::key_from(&headers)?;
    let product = parse_product(&request.product)?;
    let quantity = parse_quantity(request.quantity, product)?;
    // The receipt this purchase mails is written in the language the buyer asks in now.
    if let Some(language) = crate::http::language::Language::asked() {
        state
            .services
            .store
            .remember_language(&caller.user.id, language)
            .await?;
    }
    let token = request.payment_token.trim().to_owned();
    if token.is_empty() {
        return Err(
            AppError::bad_request(ErrorCode::InvalidToken, msg::PAYMENT_TOKEN_MISSING)
                .field("payment_token"),
        );
    }
    let input = PurchaseInput {
        product,
        quantity,
        payment_token: token,
        convert_trial: request.convert_trial.clone(),
    };
    let hash = idempotency::fingerprint("POST /purchases", &request);
    let user_id = caller.user.id.clone();
    idempotency::run(
        &state,
        &user_id,
        &key,
        &hash,
        StatusCode::CREATED,
        || async {
            Ok(checkout::purchase(&state.services, &caller, &input, (&user_id, &key)).await?)
        },
    )
    .await
}
