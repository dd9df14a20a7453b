//! One page of a subscription list, Stripe's way (`limit`, `starting_after`), cut by the store:
//! only the page's subscriptions are read whole.

use super::{ServiceError, Services};
use crate::store::subscriptions::{HoldersListed, ListFilter, ListOrder, PageRow};
use selfserve_api::List;
use selfserve_api::subscription::Subscription;

/// Which page a client asks for (the HTTP layer checked the limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many items.
    pub limit: usize,
    /// The id of the last item the client has.
    pub starting_after: Option<String>,
    /// How many of each subscription's licence holders it lists.
    pub holders: HoldersListed,
}

/// The page, or `None` when `starting_after` is not in the list (nor one `keep` lets through).
/// `keep` drops rows the caller may no longer see; the page is filled from further rows, so
/// a dropped row never shortens a page or ends the list early.
pub(crate) async fn page(
    services: &Services,
    filter: &ListFilter<'_>,
    order: ListOrder,
    request: &PageRequest,
    keep: impl Fn(&PageRow) -> bool,
) -> Result<Option<List<Subscription>>, ServiceError> {
    let want = request.limit + 1;
    let batch = i64::try_from(want).unwrap_or(i64::MAX);
    let mut ids: Vec<String> = Vec::with_capacity(want);
    let mut after = request.starting_after.clone();
    if let Some(cursor) = &after {
        let Some(row) = services.store.subscription_row(cursor).await? else {
            return Ok(None);
        };
        let row = PageRow {
            id: row.id,
            organization_id: row.organization_id,
            purchaser_id: row.purchaser_id,
        };
        if !keep(&row) {
            return Ok(None);
        }
    }
    loop {
        let Some(rows) = services
            .store
            .subscription_page(filter, order, after.as_deref(), batch)
            .await?
        else {
            return Ok(None);
        };
        let exhausted = rows.len() < want;
        after = rows.last().map(|row| row.id.clone());
        let room = want - ids.len();
        ids.extend(
            rows.into_iter()
                .filter(|row| keep(row))
                .map(|row| row.id)
                .take(room),
        );
        if exhausted || ids.len() >= want {
            break;
        }
    }
    let has_more = ids.len() > request.limit;
    ids.truncate(request.limit);
    let data = services
        .store
        .subscription_views(&ids, request.holders)
        .await?;
    Ok(Some(List { data, has_more }))
}
