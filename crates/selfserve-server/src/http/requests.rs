//! `POST /requests`: "contact your IT admin" as an action.

use super::checkout::parse_product;
use super::error::AppError;
use super::extract::ApiJson;
use super::{AppState, Caller};
use crate::services::requests;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use selfserve_api::requests::{ItRequest, NewRequest};

/// Asks the organisation's global and billing admins (by mail) for a product the caller may not
/// buy, with the reason `GET /session`'s `can_buy` gives. One open request per person and
/// product: asking again answers 200 with the open request (nobody is mailed twice).
#[utoipa::path(post, path = "/requests", tag = "requests", request_body = NewRequest,
    responses(
        (status = 201, description = "asked", body = ItRequest),
        (status = 200, description = "already asked: the open request", body = ItRequest),
        (status = 404, description = "`unknown_product`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: the caller may buy the product", body = selfserve_api::ApiError),
    ))]
pub async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NewRequest>,
) -> Result<Response, AppError> {
    let product = parse_product(&request.product)?;
    let (request, created) = requests::ask(&state.services, &caller, product).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(request)).into_response())
}
