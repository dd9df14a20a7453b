//! `GET /admin/policies` and `PUT /admin/policies/{product}`.

use super::ScopeQuery;
use crate::http::checkout::parse_product;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::{AppState, Caller};
use crate::services::admin::policies;
use axum::Json;
use axum::extract::{Path, State};
use selfserve_api::List;
use selfserve_api::admin::{PolicyEntry, PolicyUpdate};

/// Every product's self-service policy for the organisation.
#[utoipa::path(get, path = "/admin/policies", tag = "admin", params(ScopeQuery),
    responses((status = 200, body = List<PolicyEntry>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn policies(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<List<PolicyEntry>>, AppError> {
    let data = policies::list(&state.services, &caller, query.organization.as_deref()).await?;
    Ok(Json(List::complete(data)))
}

/// Sets one product's policy and guardrails (any of them; a limit left out stays, `null`
/// removes it); global admins only. Takes effect at once, for purchases in progress too.
#[utoipa::path(put, path = "/admin/policies/{product}", tag = "admin",
    params(("product" = String, Path), ScopeQuery), request_body = PolicyUpdate,
    responses(
        (status = 200, body = PolicyEntry),
        (status = 400, description = "`invalid_request`: not a policy value, or a limit out of range", body = selfserve_api::ApiError),
        (status = 403, description = "`admin_required`: only global admins change policy", body = selfserve_api::ApiError),
    ))]
pub async fn set_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(product): Path<String>,
    ApiQuery(query): ApiQuery<ScopeQuery>,
    ApiJson(update): ApiJson<PolicyUpdate>,
) -> Result<Json<PolicyEntry>, AppError> {
    let product = parse_product(&product)?;
    let entry = policies::set(
        &state.services,
        &caller,
        query.organization.as_deref(),
        product,
        &update,
    )
    .await?;
    Ok(Json(entry))
}
