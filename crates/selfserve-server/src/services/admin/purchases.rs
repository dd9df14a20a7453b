//! Every subscription of an organisation, self-service and central, searched and sorted.

use super::super::{Caller, ServiceError, Services};
use super::scope::{Scope, scope};
use crate::access::Action;
use crate::services::pages::{self, PageRequest};
use crate::store::subscriptions::{ListFilter, ListOrder, Owner};
use selfserve_api::List;
use selfserve_api::subscription::{Source, Subscription};

pub use crate::store::subscriptions::SortKey;

/// Which purchases, in which order.
#[derive(Debug, Clone, Default)]
pub struct PurchaseQuery {
    pub source: Option<Source>,
    /// Every word must appear in the product, purchaser or an assigned user (names, emails).
    pub words: Vec<String>,
    pub sort: SortKey,
    pub descending: bool,
}

/// A page of the purchases of the organisation in scope, filtered and sorted by the database;
/// `None`: `starting_after` is not in the list.
pub async fn page(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    query: &PurchaseQuery,
    request: &PageRequest,
) -> Result<Option<List<Subscription>>, ServiceError> {
    let scope = scope(services, caller, organization, Action::ReadOrganization).await?;
    let filter = ListFilter {
        owner: Owner::Organization(&scope.organization.id),
        source: query.source,
        words: &query.words,
    };
    let order = ListOrder::Sorted {
        key: query.sort,
        descending: query.descending,
    };
    pages::page(services, &filter, order, request, |_| true).await
}

/// Every purchase of the organisation in scope (the CSV export).
pub async fn list(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    query: &PurchaseQuery,
) -> Result<(Scope, Vec<Subscription>), ServiceError> {
    let scope = scope(services, caller, organization, Action::ReadOrganization).await?;
    let mut data: Vec<Subscription> = services
        .store
        .subscriptions(Owner::Organization(&scope.organization.id), query.source)
        .await?
        .into_iter()
        .filter(|sub| matches(sub, &query.words))
        .collect();
    match query.sort {
        SortKey::Product => data.sort_by(|a, b| a.product_name.cmp(&b.product_name)),
        SortKey::Purchaser => data.sort_by(|a, b| a.purchaser.name.cmp(&b.purchaser.name)),
        SortKey::Quantity => data.sort_by_key(|s| s.quantity),
        SortKey::Expiry => data.sort_by_key(|s| s.current_period_end),
        SortKey::Price => data.sort_by_key(|s| s.unit_amount * i64::from(s.quantity)),
        SortKey::Created => data.sort_by_key(|s| s.created),
    }
    if query.descending {
        data.reverse();
    }
    Ok((scope, data))
}

fn matches(sub: &Subscription, words: &[String]) -> bool {
    if words.is_empty() {
        return true;
    }
    let haystack = std::iter::once(sub.product_name.to_lowercase())
        .chain([
            sub.purchaser.name.to_lowercase(),
            sub.purchaser.email.clone(),
        ])
        .chain(
            sub.assigned_users
                .iter()
                .flat_map(|u| [u.name.to_lowercase(), u.email.clone()]),
        )
        .collect::<Vec<_>>()
        .join(" ");
    words.iter().all(|w| haystack.contains(w.as_str()))
}
