//! Reminders the billing job sends ahead of a date (renewal in 7 days, trial ending): at most
//! one per subscription, kind and period, kept by `billing_reminders`' primary key, so two
//! servers or two runs never remind twice.

use super::events::insert_event;
use super::subscriptions::{SUBSCRIPTION_COLUMNS, SubscriptionRow, subscription_from_row};
use super::{Store, StoreError};
use crate::events::Event;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// A paid self-service subscription that will renew (not cancelled).
    RenewalUpcoming,
    /// A trial that will end.
    TrialEnding,
}

impl ReminderKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RenewalUpcoming => "renewal_upcoming",
            Self::TrialEnding => "trial_ending",
        }
    }

    /// Which subscriptions it concerns, as SQL over `subscriptions`.
    fn condition(self) -> &'static str {
        match self {
            Self::RenewalUpcoming => {
                "source = 'self_service' AND status = 'active' AND cancel_at_period_end = 0"
            }
            Self::TrialEnding => "source = 'self_service' AND status = 'trialing'",
        }
    }
}

impl Store {
    /// Subscriptions of `kind` whose period ends after `now` and by `until`, not yet reminded
    /// for that period.
    pub async fn due_reminders(
        &self,
        kind: ReminderKind,
        now: i64,
        until: i64,
    ) -> Result<Vec<SubscriptionRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s WHERE {} \
             AND current_period_end > $1 AND current_period_end <= $2 \
             AND NOT EXISTS (SELECT 1 FROM billing_reminders r WHERE r.subscription_id = s.id \
             AND r.kind = $3 AND r.period_end = s.current_period_end) \
             ORDER BY current_period_end, id",
            kind.condition()
        ))
        .bind(now)
        .bind(until)
        .bind(kind.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(subscription_from_row).collect()
    }

    /// Records the reminder of `kind` for `subscription`'s current period with its `event`
    /// (and so its mail) in one transaction; false if one was recorded already (another run or
    /// server) or the subscription left that period or state meanwhile.
    pub async fn record_reminder(
        &self,
        kind: ReminderKind,
        subscription: &SubscriptionRow,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        // Inserted only while the subscription is still in that period and state: a reminder
        // read before a cancellation or renewal committed is not sent for it.
        let inserted = sqlx::query(&format!(
            "INSERT INTO billing_reminders (subscription_id, kind, period_end, created_at) \
             SELECT id, $2, current_period_end, $4 FROM subscriptions \
             WHERE id = $1 AND current_period_end = $3 AND {} \
             ON CONFLICT DO NOTHING",
            kind.condition()
        ))
        .bind(&subscription.id)
        .bind(kind.as_str())
        .bind(subscription.current_period_end)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }
}
