//! `GET /products`: the catalogue with prices in a market's currency.

use super::error::AppError;
use super::extract::ApiQuery;
use crate::domain::market::CountryCode;
use crate::domain::price_book::products_in_market;
use crate::http::messages::requests as msg;
use axum::Json;
use selfserve_api::ErrorCode;
use selfserve_api::product::ProductList;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query of `GET /products`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductsQuery {
    /// ISO 3166-1 alpha-2 country whose prices to show; `US` when absent.
    // Spaces around it are ignored: ASCII ones only, one set in the pattern and the code
    // (JSON Schema's `\s` and Rust's `trim` disagree on characters such as U+0085).
    #[param(pattern = r"^[ \t\n\f\r]*([A-Za-z]{2})?[ \t\n\f\r]*$")]
    country: Option<String>,
}

/// The products with their seat price in the market's currency.
#[utoipa::path(
    get,
    path = "/products",
    tag = "products",
    params(ProductsQuery),
    responses(
        (status = 200, description = "The catalogue", body = ProductList),
        (status = 400, description = "`invalid_country`", body = selfserve_api::ApiError),
    )
)]
pub async fn list_products(
    ApiQuery(query): ApiQuery<ProductsQuery>,
) -> Result<Json<ProductList>, AppError> {
    let country = match query
        .country
        .as_deref()
        .map(|text| text.trim_matches(|c: char| c.is_ascii_whitespace()))
    {
        None | Some("") => CountryCode::US,
        Some(text) => CountryCode::parse(text).map_err(|_| {
            AppError::bad_request(ErrorCode::InvalidCountry, msg::INVALID_COUNTRY).field("country")
        })?,
    };
    let (data, market_available) = products_in_market(country);
    Ok(Json(ProductList {
        data,
        has_more: false,
        country: country.as_str().to_owned(),
        market_available,
    }))
}
