//! `POST /test-clock/advance`: moves billing time forward (only with `--test-clock`).

use super::AppState;
use super::error::AppError;
use super::extract::{is_json, parse_json, unsupported_media_type};
use crate::http::messages::requests as msg;
use crate::services::billing::{self, ClockMoved};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use selfserve_api::ErrorCode;
use selfserve_api::manage::AdvanceClock;

/// Moves the server's clock forward and runs what became due (renewals, expiries,
/// suspensions). Only with `--test-clock`; 404 otherwise.
#[utoipa::path(
    post,
    path = "/test-clock/advance",
    tag = "test",
    request_body = AdvanceClock,
    responses(
        (status = 200, description = "The new time and what billing did"),
        (status = 404, description = "`not_found`: the server runs without `--test-clock`", body = selfserve_api::ApiError),
    )
)]
pub async fn advance_clock(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ClockMoved>, AppError> {
    // Without the flag the endpoint does not exist: 404 whatever the body, before reading it.
    if !state.test_clock {
        return Err(AppError::not_found());
    }
    if !is_json(&headers) {
        return Err(unsupported_media_type());
    }
    let request: AdvanceClock = parse_json(&body)?;
    if !(1..=3650).contains(&request.days) {
        return Err(
            AppError::bad_request(ErrorCode::InvalidRequest, msg::TEST_CLOCK_DAYS).field("days"),
        );
    }
    Ok(Json(
        billing::advance_clock(&state.services, request.days).await?,
    ))
}

/// Brings this server's copy of the test clock up to the database's before a request's work
/// (only with `--test-clock`): another server behind the same proxy may have moved it.
pub async fn follow(
    State(clock): State<crate::clock::Clock>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match clock.refresh().await {
        Ok(()) => next.run(request).await,
        Err(error) => AppError::from(error).into_response(),
    }
}
