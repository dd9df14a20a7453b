//! Stripe-style pages of lists: `limit` and `starting_after` (the id of the last item the
//! client has).
//!
//! The store cuts the page (keyset pagination: `store/subscriptions/pages.rs`), so a page costs
//! the same however long the list; the cursor is an id rather than an offset so that an item
//! added meanwhile does not shift the next page.

use crate::http::error::AppError;
use crate::http::messages::requests as msg;
use crate::services::pages::PageRequest;
use crate::store::subscriptions::HoldersListed;
use axum::http::StatusCode;
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use utoipa::IntoParams;

/// The most items one page holds, and the default.
pub const MAX_LIMIT: i64 = 100;

/// `?limit=N&starting_after=ID`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most this many (1–100, default 100).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// The id of the last item of the previous page.
    starting_after: Option<String>,
}

impl PageQuery {
    /// The page asked for; 400 for a limit out of range.
    pub fn request(&self) -> Result<PageRequest, AppError> {
        let limit = self.limit.unwrap_or(MAX_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(
                AppError::bad_request(ErrorCode::InvalidRequest, msg::PAGE_LIMIT).field("limit"),
            );
        }
        Ok(PageRequest {
            limit: usize::try_from(limit).expect("1..=100 fits usize"),
            starting_after: self.starting_after.clone(),
            holders: HoldersListed::Every,
        })
    }
}

/// The service's page, or 404 when `starting_after` is not in the list (as for any id the
/// caller cannot see; never a silent first page: the client would loop).
pub fn found<T>(page: Option<List<T>>) -> Result<List<T>, AppError> {
    page.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            msg::STARTING_AFTER,
        )
        .field("starting_after")
    })
}

#[cfg(test)]
mod tests {
    use super::PageQuery;

    fn query(limit: Option<i64>, after: Option<&str>) -> PageQuery {
        PageQuery {
            limit,
            starting_after: after.map(str::to_owned),
        }
    }

    #[test]
    fn the_limit_defaults_to_the_maximum_and_the_cursor_is_kept() {
        let request = query(None, Some("sub_1")).request().unwrap();
        assert_eq!(request.limit, 100);
        assert_eq!(request.starting_after.as_deref(), Some("sub_1"));
    }

    #[test]
    fn a_limit_out_of_range_is_refused() {
        assert!(query(Some(0), None).request().is_err());
        assert!(query(Some(101), None).request().is_err());
        assert_eq!(query(Some(1), None).request().unwrap().limit, 1);
    }

    #[test]
    fn an_unknown_cursor_is_not_found() {
        assert!(super::found::<u8>(None).is_err());
    }
}
