//! `GET /admin/subscriptions`: every purchase of the organisation.

use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::messages::requests as msg;
use crate::http::page::PageQuery;
use crate::http::subscriptions::{HoldersQuery, parse_source};
use crate::http::{AppState, Caller};
use crate::services::admin::purchases::{self, PurchaseQuery, SortKey};
use crate::services::pages::PageRequest;
use axum::Json;
use axum::extract::State;
use selfserve_api::subscription::Subscription;
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query of `GET /admin/subscriptions` (and its CSV export).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurchasesQuery {
    /// For partners: the customer's domain.
    pub organization: Option<String>,
    /// `self_service`, `central` or `all` (default).
    #[param(schema_with = crate::http::openapi::source_filter)]
    source: Option<String>,
    /// Words matched against product, purchaser and assigned users (names and emails).
    q: Option<String>,
    /// `created` (default), `product`, `purchaser`, `quantity`, `expiry`, `price`.
    #[param(schema_with = crate::http::openapi::sort_key)]
    sort: Option<String>,
    /// `desc` (default) or `asc`.
    #[param(schema_with = crate::http::openapi::sort_order)]
    order: Option<String>,
}

impl PurchasesQuery {
    /// The service's query, or 400 for an unknown source or sort.
    pub fn parse(&self) -> Result<PurchaseQuery, AppError> {
        let sort = match self.sort.as_deref().unwrap_or("created") {
            "created" => SortKey::Created,
            "product" => SortKey::Product,
            "purchaser" => SortKey::Purchaser,
            "quantity" => SortKey::Quantity,
            "expiry" => SortKey::Expiry,
            "price" => SortKey::Price,
            _ => {
                return Err(
                    AppError::bad_request(ErrorCode::InvalidRequest, msg::SORT).field("sort")
                );
            }
        };
        Ok(PurchaseQuery {
            source: parse_source(self.source.as_deref())?,
            // Cut as colleague search cuts its query: each word is a `LIKE` (and a subquery)
            // in SQL, so an unbounded `q` would be an unbounded query.
            words: self
                .q
                .as_deref()
                .unwrap_or_default()
                .chars()
                .take(crate::domain::search::MAX_QUERY_CHARS)
                .collect::<String>()
                .split_whitespace()
                .map(str::to_lowercase)
                .collect(),
            sort,
            descending: match self.order.as_deref() {
                None | Some("desc") => true,
                Some("asc") => false,
                Some(_) => {
                    return Err(
                        AppError::bad_request(ErrorCode::InvalidRequest, msg::ORDER).field("order")
                    );
                }
            },
        })
    }
}

/// Every subscription of the organisation, self-service and central, with purchaser, seats,
/// expiry, order history, price and assigned users; filtered, searched and sorted.
#[utoipa::path(get, path = "/admin/subscriptions", tag = "admin", params(PurchasesQuery, PageQuery, HoldersQuery),
    responses((status = 200, body = List<Subscription>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError),
        (status = 404, description = "`not_found`: `starting_after` names nothing in this list", body = selfserve_api::ApiError)))]
pub async fn purchases(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PurchasesQuery>,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(holders): ApiQuery<HoldersQuery>,
) -> Result<Json<List<Subscription>>, AppError> {
    let parsed = query.parse()?;
    let request = PageRequest {
        holders: holders.listed()?,
        ..page.request()?
    };
    let found = purchases::page(
        &state.services,
        &caller,
        query.organization.as_deref(),
        &parsed,
        &request,
    )
    .await?;
    Ok(Json(crate::http::page::found(found)?))
}
