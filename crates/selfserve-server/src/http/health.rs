//! `GET /healthz`: for load balancers and start-up scripts.

use super::AppState;
use super::error::AppError;
use crate::http::messages::requests as msg;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use selfserve_api::ErrorCode;

/// 200 `{"status": "ok"}` when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    match state.services.store.ping().await {
        Ok(()) => Ok(Json(serde_json::json!({"status": "ok"}))),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            Err(AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                msg::DATABASE_DOWN,
            ))
        }
    }
}
