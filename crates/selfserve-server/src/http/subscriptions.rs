//! Reading subscriptions: `GET /subscriptions` and `GET /subscriptions/{id}`.
//!
//! Who sees what: a purchaser sees the subscriptions they bought; global and billing admins see
//! every subscription of their organisation; a partner sees those of the customers it has
//! delegated admin for. Anyone else gets 404, never 403, so an id's existence is not confirmed.

use super::AppState;
use super::error::AppError;
use super::extract::ApiQuery;
use super::session::CurrentUser;
use crate::store::StoreError;
use crate::store::subscriptions::SubscriptionRecord;
use axum::Json;
use axum::extract::{Path, State};
use selfserve_api::ErrorCode;
use selfserve_api::List;
use selfserve_api::session::OrganizationKind;
use selfserve_api::subscription::{Source, Subscription};
use serde::Deserialize;
use utoipa::IntoParams;

/// Whether `current` may see `record`.
pub async fn can_view(
    state: &AppState,
    current: &CurrentUser,
    record: &SubscriptionRecord,
) -> Result<bool, StoreError> {
    Ok(record.view.purchaser.id == current.user.id
        || may_administer(state, current, &record.organization_id).await?)
}

/// Whether `current` administers `organization_id`: a global or billing admin of it, or a
/// partner with delegated admin for it.
pub async fn may_administer(
    state: &AppState,
    current: &CurrentUser,
    organization_id: &str,
) -> Result<bool, StoreError> {
    if (current.user.global_admin || current.user.billing_admin)
        && organization_id == current.user.organization_id
    {
        return Ok(true);
    }
    if current.organization.kind == OrganizationKind::Partner {
        let customers = state
            .store
            .delegated_customers(&current.organization.id)
            .await?;
        return Ok(customers.iter().any(|c| c.id == organization_id));
    }
    Ok(false)
}

/// The `source` filter: `self_service`, `central`, or `all`/absent for both.
pub fn parse_source(text: Option<&str>) -> Result<Option<Source>, AppError> {
    match text {
        None | Some("all") => Ok(None),
        Some("self_service") => Ok(Some(Source::SelfService)),
        Some("central") => Ok(Some(Source::Central)),
        Some(_) => Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            "`source` must be `self_service`, `central` or `all`.",
        )
        .field("source")),
    }
}

/// Query of `GET /subscriptions`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `self_service`, `central` or `all` (default).
    source: Option<String>,
    /// For partners: the customer's domain (default: the first customer by name).
    organization: Option<String>,
}

/// The subscriptions the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/subscriptions",
    tag = "subscriptions",
    params(ListQuery),
    responses(
        (status = 200, description = "`{\"data\": [subscription], \"has_more\": false}`", body = List<Subscription>),
        (status = 401, description = "`not_authenticated`", body = selfserve_api::ApiError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<List<Subscription>>, AppError> {
    let source = parse_source(query.source.as_deref())?;
    let ids = if current.organization.kind == OrganizationKind::Partner {
        let customers = state
            .store
            .delegated_customers(&current.organization.id)
            .await?;
        let customer = match query.organization.as_deref() {
            Some(domain) => customers
                .iter()
                .find(|c| c.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))),
            None => customers.first(),
        };
        match customer {
            Some(customer) => {
                state
                    .store
                    .subscription_ids_of_organization(&customer.id)
                    .await?
            }
            None => Vec::new(),
        }
    } else if current.user.global_admin || current.user.billing_admin {
        state
            .store
            .subscription_ids_of_organization(&current.user.organization_id)
            .await?
    } else {
        state
            .store
            .subscription_ids_of_purchaser(&current.user.id)
            .await?
    };
    let mut data = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(record) = state.store.subscription(&id).await?
            && source.is_none_or(|s| s == record.view.source)
        {
            data.push(record.view);
        }
    }
    Ok(Json(List::complete(data)))
}

/// One subscription with its seats, assigned users, orders and latest invoice.
#[utoipa::path(
    get,
    path = "/subscriptions/{id}",
    tag = "subscriptions",
    params(("id" = String, Path, description = "`sub_…`")),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 404, description = "`not_found`: no such subscription, or not yours to see", body = selfserve_api::ApiError),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, AppError> {
    match state.store.subscription(&id).await? {
        Some(record) if can_view(&state, &current, &record).await? => Ok(Json(record.view)),
        _ => Err(AppError::not_found()),
    }
}
