//! `GET /admin/organizations`.

use crate::access::admin_role;
use crate::http::error::AppError;
use crate::http::{AppState, Caller};
use crate::services::admin::scope;
use axum::Json;
use axum::extract::State;
use selfserve_api::List;
use selfserve_api::admin::AdminOrganization;

/// The organisations the caller administers (a partner's customers; an admin's own).
#[utoipa::path(get, path = "/admin/organizations", tag = "admin",
    responses((status = 200, body = List<AdminOrganization>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn organizations(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<List<AdminOrganization>>, AppError> {
    let scopes = scope::organizations(&state.services, &caller).await?;
    let mut data = Vec::with_capacity(scopes.len());
    for (scope, may_change_policy) in scopes {
        let role = admin_role(scope.relation)
            .ok_or_else(|| AppError::internal("an organisation in scope without an admin role"))?;
        let sign_in = scope::sign_in_of(&state.services, &scope).await?;
        data.push(AdminOrganization {
            id: scope.organization.id,
            name: scope.organization.name,
            domains: scope.organization.domains,
            role,
            can_change_policy: may_change_policy,
            sign_in,
        });
    }
    Ok(Json(List::complete(data)))
}
