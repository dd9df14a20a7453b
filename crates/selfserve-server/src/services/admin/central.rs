//! Subscriptions bought centrally, through the organisation's agreement (no card).

use super::super::checkout::country_of;
use super::super::subscriptions::view;
use super::super::{Caller, ServiceError, Services};
use super::scope::scope;
use crate::access::Action;
use crate::domain::calendar::add_months;
use crate::domain::market::currency_for;
use crate::events::Event;
use crate::ids::new_id;
use crate::store::central::NewUnbilled;
use crate::store::orders::OrderRow;
use selfserve_api::admin::AuditAction;
use selfserve_api::product::{ProductId, SeatCount};
use selfserve_api::subscription::{
    OrderKind, OrderPhase, Source, Subscription, SubscriptionStatus,
};
use serde_json::json;

/// Records `quantity` seats of `product` bought centrally at `unit_amount` (minor units of the
/// organisation's currency) per seat and month.
pub async fn record(
    services: &Services,
    caller: &Caller,
    organization: Option<&str>,
    product: ProductId,
    quantity: SeatCount,
    unit_amount: i64,
) -> Result<Subscription, ServiceError> {
    let scope = scope(services, caller, organization, Action::BuyCentrally).await?;
    let org = &scope.organization;
    let now = services.clock.now();
    let currency = currency_for(country_of(org)?);
    let id = new_id("sub");
    let quantity = i64::from(quantity.get());
    let amount = unit_amount * quantity;
    let period_end = add_months(now, 1);
    let order = OrderRow {
        id: new_id("ord"),
        organization_id: org.id.clone(),
        purchaser_id: caller.user.id.clone(),
        subscription_id: Some(id.clone()),
        kind: OrderKind::Purchase,
        product,
        quantity,
        unit_amount,
        subtotal: amount,
        tax: 0,
        tax_rate_bps: 0,
        amount,
        currency,
        period_start: now,
        period_end,
        // Billed through the agreement, outside this system.
        phase: OrderPhase::Paid,
        payment_source: None,
        decline_code: None,
        created_at: now,
        invoice_id: None,
        converts_subscription_id: None,
    };
    let event = Event::new(&caller.actor, AuditAction::CentralPurchase, &org.id, now)
        .subscription(&id, product)
        .after(json!({"quantity": quantity, "unit_amount": unit_amount, "currency": currency}));
    services
        .store
        .create_unbilled(
            &NewUnbilled {
                id: id.clone(),
                organization_id: org.id.clone(),
                product,
                source: Source::Central,
                status: SubscriptionStatus::Active,
                quantity,
                purchaser_id: caller.user.id.clone(),
                unit_amount,
                currency,
                period_start: now,
                period_end,
                assign_purchaser: false,
                order: Some(order),
            },
            &event,
            // Guardrails limit self-service buying, not what admins buy centrally.
            None,
            now,
        )
        .await??;
    view(services, &id).await
}
