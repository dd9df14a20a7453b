//! Subscriptions: `GET /subscriptions`, `GET /subscriptions/{id}`, and what the purchaser
//! does besides seats and bills (cancel, undo, replace the card). Anyone who may not see a
//! subscription gets 404, never 403, so an id's existence is not confirmed.

use super::error::AppError;
use super::extract::{ApiJson, ApiQuery};
use super::page::PageQuery;
use super::{AppState, Caller};
use crate::http::messages::requests as msg;
use crate::services::pages::PageRequest;
use crate::services::subscriptions;
use crate::store::subscriptions::HoldersListed;
use axum::Json;
use axum::extract::{Path, State};
use selfserve_api::manage::PaymentMethodRequest;
use selfserve_api::subscription::{Source, Subscription};
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use utoipa::IntoParams;

/// The `source` filter: `self_service`, `central`, or `all`/absent for both.
pub fn parse_source(text: Option<&str>) -> Result<Option<Source>, AppError> {
    match text {
        None | Some("all") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            AppError::bad_request(ErrorCode::InvalidRequest, msg::SOURCE).field("source")
        }),
    }
}

/// Query of `GET /subscriptions`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `self_service`, `central` or `all` (default).
    #[param(schema_with = crate::http::openapi::source_filter)]
    source: Option<String>,
    /// For partners: the customer's domain (default: the first customer by name).
    organization: Option<String>,
    /// `me`: only what the caller bought, whatever their role (an admin's "My subscriptions"
    /// need not page through the whole organisation's).
    #[param(pattern = "^me$")]
    purchaser: Option<String>,
}

impl ListQuery {
    fn whose(&self) -> Result<subscriptions::Whose, AppError> {
        match self.purchaser.as_deref() {
            None => Ok(subscriptions::Whose::Visible),
            Some("me") => Ok(subscriptions::Whose::BoughtByCaller),
            Some(_) => Err(
                AppError::bad_request(ErrorCode::InvalidRequest, msg::PURCHASER).field("purchaser"),
            ),
        }
    }
}

/// `?assigned_users_limit=N`: list only the first N licence holders of each subscription
/// (by name then email; `assigned_count` counts all of them). A page showing a 10,000-seat
/// subscription asks for one screen of holders, and `GET /subscriptions/{id}/assignments`
/// for the rest.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoldersQuery {
    /// 0–100; absent: every holder.
    #[param(minimum = 0, maximum = 100)]
    assigned_users_limit: Option<i64>,
}

impl HoldersQuery {
    pub(crate) fn listed(&self) -> Result<HoldersListed, AppError> {
        match self.assigned_users_limit {
            None => Ok(HoldersListed::Every),
            Some(limit) => u32::try_from(limit)
                .ok()
                .filter(|limit| *limit <= 100)
                .map(HoldersListed::First)
                .ok_or_else(|| {
                    AppError::bad_request(ErrorCode::InvalidRequest, msg::ASSIGNED_USERS_LIMIT)
                        .field("assigned_users_limit")
                }),
        }
    }
}

/// The subscriptions the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/subscriptions",
    tag = "subscriptions",
    params(ListQuery, PageQuery, HoldersQuery),
    responses(
        (status = 200, description = "`{\"data\": [subscription], \"has_more\": bool}`", body = List<Subscription>),
        (status = 404, description = "`not_found`: `starting_after` names nothing in this list", body = selfserve_api::ApiError),
        (status = 401, description = "`not_authenticated`", body = selfserve_api::ApiError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(holders): ApiQuery<HoldersQuery>,
) -> Result<Json<List<Subscription>>, AppError> {
    let source = parse_source(query.source.as_deref())?;
    let whose = query.whose()?;
    let request = PageRequest {
        holders: holders.listed()?,
        ..page.request()?
    };
    let found = subscriptions::page(
        &state.services,
        &caller,
        query.organization.as_deref(),
        whose,
        source,
        &request,
    )
    .await?;
    Ok(Json(super::page::found(found)?))
}

/// One subscription with its seats, assigned users, orders and latest invoice.
#[utoipa::path(
    get,
    path = "/subscriptions/{id}",
    tag = "subscriptions",
    params(("id" = String, Path, description = "`sub_…`"), HoldersQuery),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 400, description = "`invalid_request`: `assigned_users_limit` out of range", body = selfserve_api::ApiError),
        (status = 404, description = "`not_found`: no such subscription, or not yours to see", body = selfserve_api::ApiError),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(holders): ApiQuery<HoldersQuery>,
) -> Result<Json<Subscription>, AppError> {
    let holders = holders.listed()?;
    Ok(Json(
        subscriptions::get(&state.services, &caller, &id, holders).await?,
    ))
}

/// Replaces the card on file with a newly tokenised one. A card whose bank asks for 3-D
/// Secure answers 402 `authentication_required` with a `next_action`; once the buyer passed
/// it, the same token is sent again. A trial takes no card (409).
#[utoipa::path(
    put,
    path = "/subscriptions/{id}/payment-method",
    tag = "manage",
    params(("id" = String, Path)),
    request_body = PaymentMethodRequest,
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 400, description = "`invalid_token` or `token_already_used`", body = selfserve_api::ApiError),
        (status = 402, description = "`authentication_required` (3-D Secure) or `card_declined` (`authentication_failed`)", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: a trial, or an ended subscription, takes no card", body = selfserve_api::ApiError),
    )
)]
pub async fn set_payment_method(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PaymentMethodRequest>,
) -> Result<Json<Subscription>, AppError> {
    match subscriptions::replace_card(&state.services, &caller, &id, request.payment_token.trim())
        .await
    {
        Ok(subscription) => Ok(Json(subscription)),
        // With Stripe the bank's check runs in Stripe.js (`confirmCardSetup`), which needs the
        // SetupIntent's client secret: read from Stripe for this response, never stored.
        Err(error) => {
            let mut error = AppError::from(error);
            super::idempotency::with_client_secret(&state, &mut error.body).await?;
            Err(error)
        }
    }
}

/// Cancels at the end of the period: usable until then, licences released after.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/cancel",
    tag = "manage",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The subscription, `cancel_at_period_end: true`", body = Subscription),
        (status = 409, description = "`conflict`: already cancelled or ended", body = selfserve_api::ApiError),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, AppError> {
    Ok(Json(
        subscriptions::cancel(&state.services, &caller, &id).await?,
    ))
}

/// Undoes a cancellation before the period ends.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/reactivate",
    tag = "manage",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The subscription, renewing again", body = Subscription),
        (status = 409, description = "`conflict`: not cancelled, or already ended", body = selfserve_api::ApiError),
    )
)]
pub async fn reactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, AppError> {
    Ok(Json(
        subscriptions::reactivate(&state.services, &caller, &id).await?,
    ))
}
