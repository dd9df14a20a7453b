//! `GET`/`POST /admin/webhooks` and `DELETE /admin/webhooks/{id}`: the organisation's webhook
//! endpoints (global admins only). The signing secret is in the creation's answer, never again.

use super::ScopeQuery;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::{AppState, Caller};
use crate::services::admin::webhooks;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use selfserve_api::List;
use selfserve_api::admin::{CreatedWebhookEndpoint, NewWebhookEndpoint, WebhookEndpoint};

/// The organisation's webhook endpoints (without their secrets).
#[utoipa::path(get, path = "/admin/webhooks", tag = "admin", params(ScopeQuery),
    responses((status = 200, body = List<WebhookEndpoint>), (status = 403, description = "`admin_required`: global admins only", body = selfserve_api::ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<List<WebhookEndpoint>>, AppError> {
    let data = webhooks::list(&state.services, &caller, query.organization.as_deref()).await?;
    Ok(Json(List::complete(data)))
}

/// Registers an endpoint for the organisation's events (all, or the kinds in `events`); the answer carries the signing
/// secret, shown this once.
#[utoipa::path(post, path = "/admin/webhooks", tag = "admin", params(ScopeQuery),
    request_body = NewWebhookEndpoint,
    responses(
        (status = 201, body = CreatedWebhookEndpoint),
        (status = 400, description = "`invalid_request`: not https, a host that is or resolves to an internal address (loopback, private, link-local, CGNAT, multicast) unless the server allows private targets, credentials or a fragment in the URL (`field: url`); an unknown or empty list of `events`", body = selfserve_api::ApiError),
        (status = 403, description = "`admin_required`: global admins only", body = selfserve_api::ApiError),
    ))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ScopeQuery>,
    ApiJson(body): ApiJson<NewWebhookEndpoint>,
) -> Result<(StatusCode, Json<CreatedWebhookEndpoint>), AppError> {
    let created = webhooks::add(
        &state.services,
        &caller,
        query.organization.as_deref(),
        &body.url,
        body.events,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Stops posting to an endpoint; its pending deliveries are cancelled.
#[utoipa::path(delete, path = "/admin/webhooks/{id}", tag = "admin",
    params(("id" = String, Path), ScopeQuery),
    responses(
        (status = 200, description = "`{\"id\": …, \"deleted\": true}`"),
        (status = 403, description = "`admin_required`: global admins only", body = selfserve_api::ApiError),
        (status = 404, description = "`not_found`: no such endpoint in the organisation", body = selfserve_api::ApiError),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    webhooks::remove(&state.services, &caller, query.organization.as_deref(), &id).await?;
    Ok(Json(serde_json::json!({"id": id, "deleted": true})))
}
