//! Free trials: 30 days, no card, one per person and product; they end by themselves.

use super::checkout::{country_of, tenant_of};
use super::subscriptions::view;
use super::{Caller, Conflict, ServiceError, Services};
use crate::domain::calendar::iso_date;
use crate::domain::eligibility::check_purchase;
use crate::domain::guardrails::Request;
use crate::domain::market::currency_for;
use crate::domain::price_book;
use crate::events::Event;
use crate::ids::new_id;
use crate::store::central::NewUnbilled;
use selfserve_api::admin::AuditAction;
use selfserve_api::product::{ProductId, SeatCount};
use selfserve_api::subscription::{Source, Subscription, SubscriptionStatus};
use serde_json::json;

/// How long a trial runs.
pub const TRIAL_SECONDS: i64 = 30 * 86_400;

/// Starts a trial of `quantity` seats for the caller, who holds one of them. Allowed when the
/// product's policy is `enabled` or `only_trials_without_payment_method`.
pub async fn start(
    services: &Services,
    caller: &Caller,
    product: ProductId,
    quantity: SeatCount,
) -> Result<Subscription, ServiceError> {
    let org = &caller.organization;
    let policy = services.store.policy(&org.id, product).await?;
    check_purchase(tenant_of(org)?, policy, caller.user.guest, false)
        .map_err(ServiceError::NotEligible)?;
    if services.store.had_trial(&caller.user.id, product).await? {
        return Err(ServiceError::Conflict(Conflict::HadTrial));
    }
    let now = services.clock.now();
    let price = price_book::unit_price(product, currency_for(country_of(org)?));
    let id = new_id("sub");
    let quantity = i64::from(quantity.get());
    let ends = now + TRIAL_SECONDS;
    let event = Event::new(&caller.actor, AuditAction::TrialStarted, &org.id, now)
        .subscription(&id, product)
        .after(json!({"quantity": quantity, "ends": iso_date(ends)}));
    let created = services
        .store
        .create_unbilled(
            &NewUnbilled {
                id: id.clone(),
                organization_id: org.id.clone(),
                product,
                source: Source::SelfService,
                status: SubscriptionStatus::Trialing,
                quantity,
                purchaser_id: caller.user.id.clone(),
                unit_amount: price.amount,
                currency: price.currency,
                period_start: now,
                period_end: ends,
                assign_purchaser: true,
                order: None,
            },
            &event,
            Some(&super::guardrails::guard(
                &org.id,
                product,
                now,
                None,
                // A trial counts towards the seat limits; it charges nothing, so it spends
                // nothing.
                Request {
                    seats_in_purchase: quantity,
                    seats_added: quantity,
                    amount: 0,
                    currency: price.currency,
                },
            )),
            now,
        )
        .await??;
    if !created {
        return Err(ServiceError::Conflict(Conflict::HadTrial));
    }
    view(services, &id).await
}
