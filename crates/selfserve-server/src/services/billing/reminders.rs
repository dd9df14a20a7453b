//! Reminders ahead of a date: a paid subscription renews in 7 days (what will be charged), a
//! trial ends in 3 days. Each is an event (and so a mail to the purchaser) written once per
//! subscription and period, however many runs or servers see it due.

use super::Services;
use crate::access::Actor;
use crate::domain::billing::with_tax;
use crate::events::Event;
use crate::store::StoreError;
use crate::store::reminders::ReminderKind;
use selfserve_api::admin::AuditAction;
use serde_json::json;

/// How long before a renewal the purchaser is told what will be charged.
pub const RENEWAL_NOTICE_SECONDS: i64 = 7 * 86_400;
/// How long before a trial ends its purchaser is told.
pub const TRIAL_NOTICE_SECONDS: i64 = 3 * 86_400;

/// Writes the reminders due at `now`; how many.
pub async fn send_due(services: &Services, now: i64) -> Result<u32, StoreError> {
    let store = &services.store;
    let mut sent = 0;
    for (kind, notice, action) in [
        (
            ReminderKind::RenewalUpcoming,
            RENEWAL_NOTICE_SECONDS,
            AuditAction::RenewalUpcoming,
        ),
        (
            ReminderKind::TrialEnding,
            TRIAL_NOTICE_SECONDS,
            AuditAction::TrialEnding,
        ),
    ] {
        for subscription in store.due_reminders(kind, now, now + notice).await? {
            let quantity = subscription
                .pending_quantity
                .unwrap_or(subscription.quantity);
            let after = match kind {
                ReminderKind::RenewalUpcoming => json!({
                    "renews_on": subscription.current_period_end,
                    "quantity": quantity,
                    "total": with_tax(subscription.unit_amount * quantity, subscription.tax_rate_bps).total,
                }),
                ReminderKind::TrialEnding => json!({
                    "ends": subscription.current_period_end,
                    "quantity": subscription.quantity,
                }),
            };
            let event = Event::new(&Actor::System, action, &subscription.organization_id, now)
                .subscription(&subscription.id, subscription.product)
                .after(after);
            if store
                .record_reminder(kind, &subscription, &event, now)
                .await?
            {
                sent += 1;
            }
        }
    }
    Ok(sent)
}
