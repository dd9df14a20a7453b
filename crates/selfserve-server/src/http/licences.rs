//! Licences: colleague search, giving licences out, taking them back.

use super::error::AppError;
use super::extract::{ApiJson, ApiQuery};
use super::{AppState, Caller};
use crate::http::messages::requests as msg;
use crate::services::licences;
use axum::Json;
use axum::extract::{Path, State};
use selfserve_api::manage::AssignRequest;
use selfserve_api::subscription::{Holders, Subscription, UserRef};
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query of `GET /directory/users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Start of a name, a word of the name, or an email address.
    q: Option<String>,
    /// At most this many (1–100, default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

/// Enabled members of the caller's own organisation matching `q`, by name.
#[utoipa::path(
    get,
    path = "/directory/users",
    tag = "manage",
    params(DirectoryQuery),
    responses(
        (status = 200, description = "Matching users", body = List<UserRef>),
        (status = 400, description = "`invalid_request` (limit out of range)", body = selfserve_api::ApiError),
    )
)]
pub async fn search_directory(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> Result<Json<List<UserRef>>, AppError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(
            AppError::bad_request(ErrorCode::InvalidRequest, msg::PAGE_LIMIT).field("limit"),
        );
    }
    let (data, has_more) = licences::search_colleagues(
        &state.services,
        &caller,
        query.q.as_deref().unwrap_or_default(),
        limit,
    )
    .await?;
    Ok(Json(List { data, has_more }))
}

/// Query of `GET /subscriptions/{id}/assignments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoldersQuery {
    /// Words that must each appear in the holder's name or email (any case).
    q: Option<String>,
    /// At most this many (1–1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// The most holders one request lists.
const MAX_HOLDERS: i64 = 1_000;

/// The subscription's licence holders matching `q`, by name then email: the first `limit`,
/// and how many match. For anyone who may see the subscription.
#[utoipa::path(
    get,
    path = "/subscriptions/{id}/assignments",
    tag = "manage",
    params(("id" = String, Path, description = "`sub_…`"), HoldersQuery),
    responses(
        (status = 200, description = "`{\"data\": [user], \"has_more\": bool, \"total_count\": n}`", body = Holders),
        (status = 400, description = "`invalid_request` (limit out of range)", body = selfserve_api::ApiError),
        (status = 404, description = "`not_found`: no such subscription, or not yours to see", body = selfserve_api::ApiError),
    )
)]
pub async fn holders(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<HoldersQuery>,
) -> Result<Json<Holders>, AppError> {
    let limit = query
        .limit
        .unwrap_or(50)
        .try_into()
        .ok()
        .filter(|limit| (1..=MAX_HOLDERS).contains(&i64::from(*limit)))
        .ok_or_else(|| {
            AppError::bad_request(ErrorCode::InvalidRequest, msg::HOLDERS_LIMIT).field("limit")
        })?;
    Ok(Json(
        licences::holders(
            &state.services,
            &caller,
            &id,
            query.q.as_deref().unwrap_or_default(),
            limit,
        )
        .await?,
    ))
}

/// Gives seats to users of the subscription's organisation, all or nothing.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/assignments",
    tag = "manage",
    params(("id" = String, Path, description = "`sub_…`")),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "The subscription with its assigned users", body = Subscription),
        (status = 404, description = "`not_found`, or `user_not_found` for anyone outside the organisation", body = selfserve_api::ApiError),
        (status = 409, description = "`no_seats_available`: nothing was assigned", body = selfserve_api::ApiError),
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<Subscription>, AppError> {
    Ok(Json(
        licences::assign(
            &state.services,
            &caller,
            &id,
            &request.user_ids,
            &request.emails,
        )
        .await?,
    ))
}

/// Frees a user's seat.
#[utoipa::path(
    delete,
    path = "/subscriptions/{id}/assignments/{user_id}",
    tag = "manage",
    params(("id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 404, description = "`not_found`, or `user_not_found` if the user holds no seat", body = selfserve_api::ApiError),
    )
)]
pub async fn unassign(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Json<Subscription>, AppError> {
    Ok(Json(
        licences::unassign(&state.services, &caller, &id, &user_id).await?,
    ))
}
