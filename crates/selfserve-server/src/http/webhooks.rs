//! `POST /webhooks/stripe` (outside `/api/v1`): Stripe's events, verified by their
//! `Stripe-Signature` before anything is read from the body.

use super::AppState;
use super::error::AppError;
use crate::http::messages::requests as msg;
use crate::services::webhooks::{Received, receive_stripe_event};
use crate::stripe::events::parse;
use crate::stripe::webhook::verify;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use selfserve_api::ErrorCode;
use serde_json::{Value, json};

/// 200 `{"received": true, "repeat": bool}` for a verified event (Stripe stops retrying on any
/// 2xx); 400 when the signature is missing, wrong or too old; 404 without a webhook secret.
pub async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let Some(secret) = &state.stripe_webhook_secret else {
        return Err(AppError::not_found());
    };
    // Security time: the machine's clock, never the test clock.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let header = headers
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok());
    if let Err(refused) = verify(secret, header, &body, now) {
        tracing::warn!(%refused, "refused a Stripe webhook");
        return Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            msg::STRIPE_REFUSED.arg("reason", refused),
        ));
    }
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| AppError::bad_request(ErrorCode::InvalidJson, msg::STRIPE_NOT_JSON))?;
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            msg::STRIPE_NO_ID,
        ));
    };
    let parsed = parse(kind, &event["data"]["object"]).map_err(|malformed| {
        AppError::bad_request(
            ErrorCode::InvalidRequest,
            msg::STRIPE_MALFORMED.arg("detail", malformed),
        )
    })?;
    let received = receive_stripe_event(&state.services, id, kind, &parsed).await?;
    Ok(Json(
        json!({"received": true, "repeat": received == Received::Repeat}),
    ))
}
