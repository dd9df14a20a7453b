//! `GET /admin/requests` and `POST /admin/requests/{id}/answer`: the admins' inbox of requests
//! to IT.

use super::ScopeQuery;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::{AppState, Caller};
use crate::services::requests;
use axum::Json;
use axum::extract::{Path, State};
use selfserve_api::List;
use selfserve_api::requests::{AnswerRequest, ItRequest};

/// The organisation's requests to IT: open ones first (oldest first), then answered ones.
#[utoipa::path(get, path = "/admin/requests", tag = "admin", params(ScopeQuery),
    responses((status = 200, body = List<ItRequest>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<List<ItRequest>>, AppError> {
    let data = requests::list(&state.services, &caller, query.organization.as_deref()).await?;
    Ok(Json(List::complete(data)))
}

/// Answers a request once; the requester is mailed the outcome and message. `enabled` turns
/// the product's self-service policy on (global admins only); `bought_centrally` records that
/// the organisation buys it (the purchase itself is `POST /admin/subscriptions`);
/// `declined` may carry a message.
#[utoipa::path(post, path = "/admin/requests/{id}/answer", tag = "admin",
    params(("id" = String, Path), ScopeQuery), request_body = AnswerRequest,
    responses(
        (status = 200, body = ItRequest),
        (status = 400, description = "`invalid_request`: the message is too long", body = selfserve_api::ApiError),
        (status = 403, description = "`admin_required`: `enabled` takes a global admin", body = selfserve_api::ApiError),
        (status = 404, description = "`not_found`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: already answered", body = selfserve_api::ApiError),
    ))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ScopeQuery>,
    ApiJson(answer): ApiJson<AnswerRequest>,
) -> Result<Json<ItRequest>, AppError> {
    Ok(Json(
        requests::answer(
            &state.services,
            &caller,
            query.organization.as_deref(),
            &id,
            &answer,
        )
        .await?,
    ))
}
