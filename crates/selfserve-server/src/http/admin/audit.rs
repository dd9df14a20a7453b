//! `GET /admin/audit`: the audit log.

use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::messages::requests as msg;
use crate::http::{AppState, Caller};
use crate::services::admin::audit;
use axum::Json;
use axum::extract::State;
use selfserve_api::admin::{AuditAction, AuditEntry};
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query of `GET /admin/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// For partners: the customer's domain.
    organization: Option<String>,
    /// Only these actions, comma-separated (e.g. `purchase,trial_started` for the feed of new
    /// purchases and trials).
    #[param(schema_with = crate::http::openapi::audit_actions)]
    action: Option<String>,
    /// At most this many (1–500, default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/admin/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = List<AuditEntry>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<List<AuditEntry>>, AppError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(
            AppError::bad_request(ErrorCode::InvalidRequest, msg::AUDIT_LIMIT).field("limit"),
        );
    }
    let kinds = query
        .action
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse::<AuditAction>().map_err(|_| {
                AppError::bad_request(
                    ErrorCode::InvalidRequest,
                    msg::AUDIT_ACTION.arg("action", format!("{a:?}")),
                )
                .field("action")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let events = audit::log(
        &state.services,
        &caller,
        query.organization.as_deref(),
        &kinds,
        limit,
    )
    .await?;
    Ok(Json(List::complete(
        events
            .into_iter()
            .map(|event| AuditEntry {
                id: event.id,
                at: event.at,
                actor: event.actor_name,
                action: event.kind,
                subscription_id: event.subscription_id,
                product: event.product,
                before: event.before,
                after: event.after,
            })
            .collect(),
    )))
}
