//! The built-in test card gateway, on its own listener and so its own origin: the browser posts
//! card numbers here and nowhere else, and the rest of the server only ever sees tokens.
//!
//! # Invariants
//! - No card number or CVC is stored, logged or returned; only brand, last four and expiry.

use crate::http::error::AppError;
use axum::Router;
use axum::routing::get;

/// The gateway's routes.
pub fn router() -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .fallback(|| async { AppError::not_found() })
}
