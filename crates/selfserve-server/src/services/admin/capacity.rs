//! Seats per product: self-service and central, paid, assigned and free.

use super::super::{Caller, ServiceError, Services};
use super::scope::scope;
use crate::access::Action;
use crate::domain::price_book;
use selfserve_api::admin::{CapacityEntry, SeatCounts};
use selfserve_api::product::ProductId;
use selfserve_api::subscription::Source;

/// Capacity of every product in the organisation in scope.
pub async fn capacity(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
) -> Result<Vec<CapacityEntry>, ServiceError> {
    let scope = scope(services, caller, organization, Action::ReadOrganization).await?;
    let rows = services.store.capacity(&scope.organization.id).await?;
    let counts = |product: ProductId, source: Source| {
        rows.iter()
            .find(|r| r.product == product && r.source == source)
            .map_or(SeatCounts::default(), |r| SeatCounts {
                seats: r.seats,
                assigned: r.assigned,
                free: (r.seats - r.assigned).max(0),
            })
    };
    Ok(ProductId::ALL
        .into_iter()
        .map(|product| CapacityEntry {
            product,
            product_name: price_book::entry(product).name.to_owned(),
            self_service: counts(product, Source::SelfService),
            central: counts(product, Source::Central),
        })
        .collect())
}
