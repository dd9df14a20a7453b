//! [`AppError`]: how every failure becomes the JSON error envelope.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use selfserve_api::{ApiError, ErrorCode};

/// An error response: a status and the envelope. Handlers return `Result<_, AppError>`.
#[derive(Debug, Clone)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body (boxed: it is large, and errors travel through many `Result`s).
    pub body: Box<ApiError>,
    /// Seconds to wait before retrying (429), sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl AppError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ApiError::new(code, message)),
            retry_after: None,
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 409 `conflict`: the request is fine, the state it meets is not (already done, in
    /// progress, ended).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, message)
    }

    /// 404 `not_found`.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "There is nothing at this address.",
        )
    }

    /// 403 `not_eligible` with the reason, in words and as `reason`.
    pub fn not_eligible(reason: selfserve_api::eligibility::IneligibleReason) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::NotEligible,
            reason.to_string(),
        )
        .reason(reason.as_str())
    }

    /// 500 `internal_error`; the cause goes to the log, never to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side. Nothing was charged twice; please try again.",
        )
    }

    /// Asks the client to wait this long before retrying.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Adds the reason of a 403 `not_eligible`.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.body.error.reason = Some(reason.into());
        self
    }

    /// Names the request field the error is about.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.error.field = Some(field.into());
        self
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(*self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::internal(error)
    }
}
