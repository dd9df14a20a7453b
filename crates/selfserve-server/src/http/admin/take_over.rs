//! Centralising a self-service purchase: `POST /admin/subscriptions/{id}/take-over` and
//! `POST /subscriptions/{id}/cancel-request`.

use crate::http::error::AppError;
use crate::http::extract::{is_json, parse_json, unsupported_media_type};
use crate::http::{AppState, Caller};
use crate::services::admin::take_over;
use axum::Json;
use axum::extract::{Path, State};
use selfserve_api::admin::{TakeOverCancel, TakeOverRequest, TakeOverResult};
use selfserve_api::subscription::Subscription;

/// Moves a self-service subscription's users to central licences (all or nothing) and asks
/// its purchaser to cancel. The body is optional (by default the first central subscription
/// of the product with room for everyone); when present it must be JSON.
#[utoipa::path(post, path = "/admin/subscriptions/{id}/take-over", tag = "admin",
    params(("id" = String, Path)), request_body = TakeOverRequest,
    responses(
        (status = 200, body = TakeOverResult),
        (status = 404, description = "`not_found`", body = selfserve_api::ApiError),
        (status = 409, description = "`no_seats_available`: not enough free central seats, nothing moved", body = selfserve_api::ApiError),
    ))]
pub async fn take_over(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<TakeOverResult>, AppError> {
    // The body is optional; when present it must say it is JSON (a form post is refused).
    let request: TakeOverRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TakeOverRequest::default()
    } else if is_json(&headers) {
        parse_json(&body)?
    } else {
        return Err(unsupported_media_type());
    };
    let taken = take_over::take_over(
        &state.services,
        &caller,
        &id,
        request.central_subscription_id.as_deref(),
        request.cancel.unwrap_or(TakeOverCancel::AskPurchaser),
    )
    .await?;
    Ok(Json(TakeOverResult {
        self_service: taken.self_service,
        central: taken.central,
        refunded: taken.refunded,
    }))
}

/// Asks the purchaser of a live self-service subscription to cancel (shown in their view).
#[utoipa::path(post, path = "/subscriptions/{id}/cancel-request", tag = "admin",
    params(("id" = String, Path)),
    responses((status = 200, body = Subscription), (status = 404, description = "`not_found`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: not a live self-service subscription", body = selfserve_api::ApiError)))]
pub async fn cancel_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, AppError> {
    Ok(Json(
        take_over::request_cancellation(&state.services, &caller, &id).await?,
    ))
}
