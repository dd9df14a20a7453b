//! The list wrapper every collection endpoint returns.

use serde::{Deserialize, Serialize};

/// A page of results: `{"data": [...], "has_more": bool}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct List<T> {
    /// The items of this page, in the endpoint's documented order.
    pub data: Vec<T>,
    /// Whether more items exist beyond this page.
    pub has_more: bool,
}

impl<T> List<T> {
    /// A list that holds everything there is.
    pub fn complete(data: Vec<T>) -> Self {
        Self {
            data,
            has_more: false,
        }
    }
}
