//! Stripe-style pages over a list the service returns in its documented order: `limit` and
//! `starting_after` (the id of the last item the client has).
//!
//! The services still read the whole (batched) list; paging here keeps responses bounded for a
//! client, and the cursor is an id rather than an offset so that an item added meanwhile does
//! not shift the next page.

use crate::http::error::AppError;
use crate::http::messages::requests as msg;
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
    /// The page of `items` after `starting_after`; 400 for a limit out of range, 404 for an id
    /// that is not in the list (as for any id the caller cannot see; never a silent first page:
    /// the client would loop).
    pub fn page<T>(&self, items: Vec<T>, id_of: impl Fn(&T) -> &str) -> Result<List<T>, AppError> {
        let limit = self.limit.unwrap_or(MAX_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(
                AppError::bad_request(ErrorCode::InvalidRequest, msg::PAGE_LIMIT).field("limit"),
            );
        }
        let start = match self.starting_after.as_deref() {
            None => 0,
            Some(after) => {
                items
                    .iter()
                    .position(|item| id_of(item) == after)
                    .ok_or_else(|| {
                        AppError::new(
                            StatusCode::NOT_FOUND,
                            ErrorCode::NotFound,
                            msg::STARTING_AFTER,
                        )
                        .field("starting_after")
                    })?
                    + 1
            }
        };
        let limit = usize::try_from(limit).expect("1..=100 fits usize");
        let has_more = items.len() > start + limit;
        let data = items.into_iter().skip(start).take(limit).collect();
        Ok(List { data, has_more })
    }
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

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("sub_{i}")).collect()
    }

    #[test]
    fn pages_see_every_item_once_and_say_when_more_exist() {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = query(Some(100), after.as_deref())
                .page(ids(250), String::as_str)
                .unwrap();
            seen.extend(page.data.iter().cloned());
            if !page.has_more {
                break;
            }
            after = page.data.last().cloned();
        }
        assert_eq!(seen, ids(250));
    }

    #[test]
    fn a_full_last_page_has_no_more() {
        let page = query(Some(2), Some("sub_1"))
            .page(ids(4), String::as_str)
            .unwrap();
        assert_eq!(page.data, vec!["sub_2", "sub_3"]);
        assert!(!page.has_more);
    }

    #[test]
    fn an_unknown_cursor_or_a_limit_out_of_range_is_refused() {
        assert!(
            query(None, Some("sub_x"))
                .page(ids(3), String::as_str)
                .is_err()
        );
        assert!(query(Some(0), None).page(ids(3), String::as_str).is_err());
        assert!(query(Some(101), None).page(ids(3), String::as_str).is_err());
    }
}
