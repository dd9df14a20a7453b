//! Daily digests of admin notices: a notice for an admin who chose `daily` is held here (in its
//! event's transaction) instead of mailed; once its billing day is over, one digest mail per
//! admin and day is planned in the outbox, guarded by `admin_digests`' primary key in the same
//! transaction, so two servers, two runs or a crash never plan it twice. The mail itself is
//! then delivered like any other (the outbox's lease, the same Message-ID on every retry).

use super::outbox::real_now;
use super::{Store, StoreError, Tx};
use crate::notifications::{DigestFacts, DigestItem, Template};
use selfserve_api::admin::NoticePreference;
use sqlx::Row;

/// Seconds in a billing day: digests cover UTC days of the billing clock.
pub const DAY_SECONDS: i64 = 86_400;

/// The billing day (UTC) of `at`.
pub fn day_of(at: i64) -> i64 {
    at.div_euclid(DAY_SECONDS)
}

/// A notice held for `user_id`'s digest of the day of `at` (billing time).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn hold(
    tx: &mut Tx,
    user_id: &str,
    event_id: &str,
    at: i64,
    template: Template,
    country: Option<&str>,
    facts_json: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO admin_digest_entries (user_id, event_id, day, template, country, \
         facts_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (user_id, event_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(event_id)
    .bind(day_of(at))
    .bind(template.as_str())
    .bind(country)
    .bind(facts_json)
    .bind(real_now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Admins and days with held notices whose day ended before `today` and no digest yet.
    pub async fn due_digests(&self, today: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT e.user_id, e.day FROM admin_digest_entries e WHERE e.day < $1 \
             AND NOT EXISTS (SELECT 1 FROM admin_digests d \
             WHERE d.user_id = e.user_id AND d.day = e.day) ORDER BY e.day, e.user_id",
        )
        .bind(today)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("user_id")?, row.try_get("day")?)))
            .collect()
    }

    /// Plans `user_id`'s digest of `day` in the outbox, once: whether this call did. An admin
    /// who since left, lost the role or chose `none` gets no mail, and the day is still marked
    /// done.
    pub async fn plan_digest(&self, user_id: &str, day: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let entries = sqlx::query(
            "SELECT event_id, template, country, facts_json FROM admin_digest_entries \
             WHERE user_id = $1 AND day = $2 ORDER BY created_at, event_id",
        )
        .bind(user_id)
        .bind(day)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = entries.last() else {
            return Ok(false);
        };
        let last_event: String = last.try_get("event_id")?;
        let country: Option<String> = last.try_get("country")?;
        let mut items = Vec::with_capacity(entries.len());
        for row in &entries {
            let template: Template = super::decode(row, "template")?;
            let facts: String = row.try_get("facts_json")?;
            items.push(DigestItem {
                template,
                facts: super::outbox::mail_facts(template, &facts)?,
            });
        }
        let recipient = sqlx::query(
            "SELECT u.id, u.email, u.name, u.organization_id, p.notices \
             FROM users u LEFT JOIN admin_notice_preferences p ON p.user_id = u.id \
             WHERE u.id = $1 AND u.enabled = 1 AND u.in_directory = 1 \
             AND (u.global_admin = 1 OR u.billing_admin = 1)",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let recipient = match recipient {
            Some(row) => {
                let stopped = match super::decode_optional(&row, "notices")? {
                    Some(NoticePreference::Off) => true,
                    Some(NoticePreference::Each | NoticePreference::Daily) | None => false,
                };
                (!stopped).then_some(row)
            }
            None => None,
        };
        let outbox_id = recipient.as_ref().map(|_| crate::ids::new_id("msg"));
        let now = real_now();
        let planned = sqlx::query(
            "INSERT INTO admin_digests (user_id, day, outbox_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, day) DO NOTHING",
        )
        .bind(user_id)
        .bind(day)
        .bind(&outbox_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !planned {
            tx.rollback().await?;
            return Ok(false);
        }
        if let (Some(row), Some(outbox_id)) = (recipient, outbox_id) {
            let facts = DigestFacts {
                day_start: day * DAY_SECONDS,
                items,
            };
            let organization_id: String = row.try_get("organization_id")?;
            sqlx::query(
                "INSERT INTO outbox (id, event_id, organization_id, template, recipient_id, \
                 recipient_email, recipient_name, country, facts_json, status, attempts, \
                 next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10)",
            )
            .bind(&outbox_id)
            .bind(&last_event)
            .bind(&organization_id)
            .bind(Template::AdminDigest.as_str())
            .bind(user_id)
            .bind(row.try_get::<String, _>("email")?)
            .bind(row.try_get::<String, _>("name")?)
            .bind(&country)
            .bind(
                facts
                    .to_json()
                    .map_err(|e| StoreError::Corrupt(format!("digest facts: {e}")))?,
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
