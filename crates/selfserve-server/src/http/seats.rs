//! Changing the number of licences: a quote, and the change itself (idempotent).

use super::error::AppError;
use super::extract::ApiJson;
use super::{AppState, Caller, idempotency};
use crate::access::Action;
use crate::services::seats;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use selfserve_api::ErrorCode;
use selfserve_api::manage::{SeatChangeQuote, SeatChangeRequest};
use selfserve_api::product::SeatCount;
use selfserve_api::subscription::Subscription;

/// The caller's subscription (404 for anyone else's) and `quantity` checked against its
/// product's seat limits.
async fn owned_with_seats(
    state: &AppState,
    caller: &Caller,
    id: &str,
    quantity: i64,
) -> Result<SeatCount, AppError> {
    let subscription = state
        .services
        .subscription_for(&caller.actor, Action::ActAsPurchaser, id)
        .await?;
    SeatCount::new(quantity, subscription.product.seat_limits()).map_err(|e| {
        AppError::bad_request(
            ErrorCode::InvalidQuantity,
            crate::http::messages::validation::seat_count(e),
        )
        .field("quantity")
    })
}

/// What changing to `quantity` seats costs now (prorated) and from the next renewal.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/seats/quote",
    tag = "manage",
    params(("id" = String, Path)),
    request_body = SeatChangeRequest,
    responses((status = 200, description = "The price of the change", body = SeatChangeQuote))
)]
pub async fn quote_seats(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SeatChangeRequest>,
) -> Result<Json<SeatChangeQuote>, AppError> {
    let quantity = owned_with_seats(&state, &caller, &id, request.quantity).await?;
    Ok(Json(
        seats::quote(&state.services, &caller, &id, quantity).await?,
    ))
}

/// Changes the seats: more now, charged prorated (idempotent per `Idempotency-Key`); fewer
/// from the next renewal, never below the seats assigned.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/seats",
    tag = "manage",
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$", description = "One key per change attempt; reuse it to retry")),
    request_body = SeatChangeRequest,
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 402, description = "`card_declined` or `authentication_required`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: below the seats assigned, or not active", body = selfserve_api::ApiError),
    )
)]
pub async fn change_seats(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SeatChangeRequest>,
) -> Result<Response, AppError> {
    let key = idempotency::key_from(&headers)?;
    let quantity = owned_with_seats(&state, &caller, &id, request.quantity).await?;
    let hash = idempotency::fingerprint(&format!("POST /subscriptions/{id}/seats"), &request);
    let user_id = caller.user.id.clone();
    idempotency::run(&state, &user_id, &key, &hash, StatusCode::OK, || async {
        Ok::<Subscription, AppError>(
            seats::change(
                &state.services,
                &caller,
                &id,
                quantity,
                request.payment_token.as_deref(),
                (&user_id, &key),
            )
            .await?,
        )
    })
    .await
}
