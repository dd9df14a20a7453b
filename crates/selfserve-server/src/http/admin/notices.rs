//! `GET`/`PUT /admin/notice-preferences`: how the signed-in admin gets admin notices (a mail
//! per event, one digest a day, none). Only global and billing admins get them.

use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::http::{AppState, Caller};
use crate::services::notices;
use axum::Json;
use axum::extract::State;
use selfserve_api::admin::NoticePreferences;

/// The caller's own choice (`each` until they choose).
#[utoipa::path(get, path = "/admin/notice-preferences", tag = "admin",
    responses((status = 200, body = NoticePreferences), (status = 403, description = "`admin_required`: only global and billing admins get admin notices", body = selfserve_api::ApiError)))]
pub async fn get_preferences(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<NoticePreferences>, AppError> {
    let notices = notices::preference(&state.services, &caller).await?;
    Ok(Json(NoticePreferences { notices }))
}

/// Records the caller's own choice; held notices of today still arrive in that day's digest.
#[utoipa::path(put, path = "/admin/notice-preferences", tag = "admin",
    request_body = NoticePreferences,
    responses(
        (status = 200, body = NoticePreferences),
        (status = 400, description = "`invalid_request`: `notices` is not `each`, `daily` or `none`", body = selfserve_api::ApiError),
        (status = 403, description = "`admin_required`: only global and billing admins get admin notices", body = selfserve_api::ApiError),
    ))]
pub async fn put_preferences(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NoticePreferences>,
) -> Result<Json<NoticePreferences>, AppError> {
    let notices = notices::choose(&state.services, &caller, body.notices).await?;
    Ok(Json(NoticePreferences { notices }))
}
