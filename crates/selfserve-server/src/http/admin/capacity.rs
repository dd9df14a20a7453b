//! `GET /admin/capacity`.

use super::ScopeQuery;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::{AppState, Caller};
use crate::services::admin::capacity;
use axum::Json;
use axum::extract::State;
use selfserve_api::List;
use selfserve_api::admin::CapacityEntry;

/// Seats per product: self-service and central, paid, assigned and free.
#[utoipa::path(get, path = "/admin/capacity", tag = "admin", params(ScopeQuery),
    responses((status = 200, body = List<CapacityEntry>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn capacity(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<List<CapacityEntry>>, AppError> {
    Ok(Json(List::complete(
        capacity::capacity(&state.services, &caller, query.organization.as_deref()).await?,
    )))
}
