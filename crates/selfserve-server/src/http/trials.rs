//! `POST /trials`: a free 30-day trial, no card.

use super::checkout::parse_product;
use super::error::AppError;
use super::extract::ApiJson;
use super::{AppState, Caller};
use crate::services::trials;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use selfserve_api::ErrorCode;
use selfserve_api::admin::TrialRequest;
use selfserve_api::product::{SeatCount, SeatLimits};
use selfserve_api::subscription::Subscription;

/// Starts a free 30-day trial (no card). Allowed when the product's policy is `enabled` or
/// `only_trials_without_payment_method`; one trial per person and product; it does not renew.
#[utoipa::path(post, path = "/trials", tag = "purchase", request_body = TrialRequest,
    responses(
        (status = 201, body = Subscription),
        (status = 403, description = "`not_eligible` with `reason`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: already had a trial of this product", body = selfserve_api::ApiError),
    ))]
pub async fn start_trial(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<TrialRequest>,
) -> Result<Response, AppError> {
    let product = parse_product(&request.product)?;
    let quantity = SeatCount::new(
        request.quantity.unwrap_or(1),
        SeatLimits { min: 1, max: 25 },
    )
    .map_err(|e| {
        AppError::bad_request(
            ErrorCode::InvalidQuantity,
            crate::http::messages::validation::seat_count(e),
        )
        .field("quantity")
    })?;
    let subscription = trials::start(&state.services, &caller, product, quantity).await?;
    Ok((StatusCode::CREATED, Json(subscription)).into_response())
}
