//! `POST /admin/subscriptions`: recording a central purchase.

use super::ScopeQuery;
use crate::http::checkout::parse_product;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::messages::requests as msg;
use crate::http::{AppState, Caller};
use crate::services::admin::central;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use selfserve_api::ErrorCode;
use selfserve_api::admin::CentralPurchaseRequest;
use selfserve_api::product::{SeatCount, SeatLimits};
use selfserve_api::subscription::Subscription;

/// Records a subscription bought centrally (billed through the agreement, no card).
#[utoipa::path(post, path = "/admin/subscriptions", tag = "admin", params(ScopeQuery),
    request_body = CentralPurchaseRequest,
    responses((status = 201, body = Subscription), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn central_purchase(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(scope): ApiQuery<ScopeQuery>,
    ApiJson(request): ApiJson<CentralPurchaseRequest>,
) -> Result<Response, AppError> {
    let product = parse_product(&request.product)?;
    let quantity = SeatCount::new(
        request.quantity,
        SeatLimits {
            min: 1,
            max: 100_000,
        },
    )
    .map_err(|e| {
        AppError::bad_request(
            ErrorCode::InvalidQuantity,
            crate::http::messages::validation::seat_count(e),
        )
        .field("quantity")
    })?;
    if !(0..=100_000_000).contains(&request.unit_amount) {
        return Err(
            AppError::bad_request(ErrorCode::InvalidRequest, msg::UNIT_AMOUNT).field("unit_amount"),
        );
    }
    let subscription = central::record(
        &state.services,
        &caller,
        scope.organization.as_deref(),
        product,
        quantity,
        request.unit_amount,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(subscription)).into_response())
}
