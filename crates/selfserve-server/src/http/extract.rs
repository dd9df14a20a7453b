//! Extractors whose every rejection is the error envelope with a precise code, instead of
//! axum's plain-text rejections.

use super::error::AppError;
use crate::http::messages::requests as msg;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use selfserve_api::ErrorCode;
use serde::de::DeserializeOwned;

/// A JSON body. Needs `Content-Type: application/json` (415 otherwise); malformed JSON is
/// 400 `invalid_json`; JSON of the wrong shape is 400 `invalid_request` naming the field.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    msg::BODY_TOO_LARGE,
                )
            } else {
                AppError::bad_request(ErrorCode::InvalidJson, msg::BODY_UNREADABLE)
            }
        })?;
        parse_json(&bytes).map(Self)
    }
}

/// Whether the request says its body is JSON.
pub fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// 415 `unsupported_media_type`.
pub fn unsupported_media_type() -> AppError {
    AppError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
        msg::UNSUPPORTED_MEDIA_TYPE,
    )
}

/// Parses a JSON document into `T`, with the envelope's codes for each kind of failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::bad_request(ErrorCode::InvalidJson, msg::INVALID_JSON.arg("detail", e))
    })?;
    if holds_nul(&value) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            msg::NUL_CHARACTER,
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path == "." {
            // serde reports a missing field at the parent with the name in backticks.
            inner.split('`').nth(1).unwrap_or_default().to_owned()
        } else {
            path
        };
        let error = AppError::bad_request(
            ErrorCode::InvalidRequest,
            if field.is_empty() {
                msg::WRONG_SHAPE.arg("detail", inner)
            } else {
                msg::INVALID_FIELD.arg("field", &field).arg("detail", inner)
            },
        );
        if field.is_empty() {
            error
        } else {
            error.field(field)
        }
    })
}

/// Whether a string of `value` (or a key) holds a NUL: PostgreSQL's text cannot, and refuses
/// such a parameter outright, so one must never reach a query (a 500 otherwise).
pub fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || holds_nul(value)),
        _ => false,
    }
}

/// Refuses a request whose path or query holds an encoded NUL, for the reason of
/// [`holds_nul`], before any handler reads it.
pub async fn refuse_nul(request: Request, next: axum::middleware::Next) -> Response {
    let uri = request.uri();
    if uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00")) {
        return AppError::bad_request(ErrorCode::InvalidRequest, msg::NUL_CHARACTER)
            .into_response();
    }
    next.run(request).await
}

/// Query parameters; a malformed query is 400 `invalid_request`.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| {
                AppError::bad_request(
                    ErrorCode::InvalidRequest,
                    msg::INVALID_QUERY.arg("detail", rejection.body_text()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        quantity: u32,
    }

    #[test]
    fn each_kind_of_bad_body_gets_its_code_and_field() {
        let error = parse_json::<Body>(b"{not json").unwrap_err();
        assert_eq!(error.body.error.code, ErrorCode::InvalidJson);

        let error = parse_json::<Body>(br#"{"email": "a@b.co"}"#).unwrap_err();
        assert_eq!(error.body.error.code, ErrorCode::InvalidRequest);
        assert_eq!(error.body.error.field.as_deref(), Some("quantity"));

        let error = parse_json::<Body>(br#"{"email": "a@b.co", "quantity": -1}"#).unwrap_err();
        assert_eq!(error.body.error.field.as_deref(), Some("quantity"));

        let error = parse_json::<Body>(br#"[1, 2]"#).unwrap_err();
        assert_eq!(error.body.error.code, ErrorCode::InvalidRequest);
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
    }
}
