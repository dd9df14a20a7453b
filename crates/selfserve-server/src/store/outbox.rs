//! Mail waiting to leave: planned inside an event's transaction, claimed by one sender at a
//! time with a lease (a conditional `UPDATE`, atomic on both engines), marked sent or
//! rescheduled after each attempt. No transaction is held while a mail is being delivered.

mod facts;
mod policy;

use super::WriteStatement;
use super::leases::Leased;
use super::{Store, StoreError, Tx, decode};
use crate::events::Event;
use crate::http::language::Language;
use crate::notifications::{
    self, Audience, Facts, MailFacts, RequestFacts, TakeOverOutcome, Template,
};
pub(crate) use facts::mail_facts;
use selfserve_api::admin::{AuditAction, NoticePreference, TakeOverCancel};
use sqlx::Row;

/// A mail as claimed by a sender.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMail {
    pub id: String,
    pub template: Template,
    pub recipient_id: String,
    pub recipient_email: String,
    pub recipient_name: String,
    pub country: Option<String>,
    /// The recipient's language, read when the mail is sent (English while not known).
    pub language: Language,
    pub facts: MailFacts,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// Seconds of the machine's clock (retries and leases are not billing time).
pub fn real_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

struct Person {
    id: String,
    email: String,
    name: String,
}

/// Writes the mails `event` (stored as `event_id`) causes, inside its transaction. Reads only
/// (no row locks), so it adds nothing to the lock order.
pub(crate) async fn plan_mails(
    tx: &mut Tx,
    event_id: &str,
    event: &Event,
) -> Result<(), sqlx::Error> {
    let planned = notifications::plan(event);
    if planned.is_empty() {
        return Ok(());
    }
    let about = match (event.subscription_id.as_deref(), request_of(event)) {
        (Some(subscription_id), _) => subscription_mail(tx, subscription_id, event).await?,
        (None, Some(request_id)) => request_mail(tx, request_id, event).await?,
        (None, None) if event.kind == AuditAction::PolicyChanged => {
            policy::about(tx, event).await?
        }
        (None, None) => None,
    };
    let Some(About {
        facts_json,
        country,
        purchaser,
        requester,
    }) = about
    else {
        return Ok(());
    };
    let now = real_now();
    for (template, audience) in planned {
        let people = match audience {
            Audience::Purchaser => match &purchaser {
                Some(purchaser) => enabled_purchaser(tx, &purchaser.id).await?,
                None => Vec::new(),
            },
            Audience::Requester => requester.iter().map(purchaser_copy).collect(),
            Audience::Admins | Audience::GlobalAdmins => {
                let global_only = audience == Audience::GlobalAdmins;
                let (each, daily) = admins(tx, &event.organization_id, global_only).await?;
                for admin in daily {
                    if event.actor_id.as_deref() == Some(admin.id.as_str()) {
                        continue;
                    }
                    super::digests::hold(
                        tx,
                        &admin.id,
                        event_id,
                        event.at,
                        template,
                        country.as_deref(),
                        &facts_json,
                    )
                    .await?;
                }
                each
            }
            Audience::People(emails) => people(tx, &event.organization_id, &emails).await?,
        };
        for person in people {
            let told_by_themselves = audience_excludes_actor(template)
                && event.actor_id.as_deref() == Some(person.id.as_str());
            if told_by_themselves {
                continue;
            }
            sqlx::query(
                "INSERT INTO outbox (id, event_id, organization_id, template, recipient_id, \
                 recipient_email, recipient_name, country, facts_json, status, attempts, \
                 next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10)",
            )
            .bind(crate::ids::new_id("msg"))
            .bind(event_id)
            .bind(&event.organization_id)
            .bind(template.as_str())
            .bind(&person.id)
            .bind(&person.email)
            .bind(&person.name)
            .bind(&country)
            .bind(&facts_json)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// What a planned mail is about, as read in the event's transaction.
struct About {
    facts_json: String,
    country: Option<String>,
    purchaser: Option<Person>,
    requester: Option<Person>,
}

/// The request an event about a request to IT names.
fn request_of(event: &Event) -> Option<&str> {
    match event.kind {
        AuditAction::RequestOpened | AuditAction::RequestAnswered => event
            .after
            .as_ref()
            .and_then(|after| after.get("request"))
            .and_then(serde_json::Value::as_str),
        _ => None,
    }
}

async fn subscription_mail(
    tx: &mut Tx,
    subscription_id: &str,
    event: &Event,
) -> Result<Option<About>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT s.product, s.quantity, s.currency, s.current_period_start, \
         s.current_period_end, s.purchaser_id, p.email AS purchaser_email, \
         p.name AS purchaser_name, o.name AS organization_name, o.country \
         FROM subscriptions s JOIN users p ON p.id = s.purchaser_id \
         JOIN organizations o ON o.id = s.organization_id WHERE s.id = $1",
    )
    .bind(subscription_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let product_text: String = row.try_get("product")?;
    let Ok(product) = product_text.parse() else {
        return Err(sqlx::Error::Decode(
            format!("subscription product {product_text:?}").into(),
        ));
    };
    let purchaser = Person {
        id: row.try_get("purchaser_id")?,
        email: row.try_get("purchaser_email")?,
        name: row.try_get("purchaser_name")?,
    };
    let country: Option<String> = row.try_get("country")?;
    let facts = Facts {
        organization_name: row.try_get("organization_name")?,
        actor_name: event.actor_name.clone(),
        product,
        subscription_id: subscription_id.to_owned(),
        purchaser_name: purchaser.name.clone(),
        // A reminder tells the quantity of the coming period (a scheduled decrease applies).
        quantity: match event
            .after
            .as_ref()
            .and_then(|after| after.get("quantity"))
            .and_then(serde_json::Value::as_i64)
        {
            Some(quantity) => quantity,
            None => row.try_get("quantity")?,
        },
        total: event
            .after
            .as_ref()
            .and_then(|after| after.get("total"))
            .and_then(serde_json::Value::as_i64),
        currency: row.try_get("currency")?,
        period_start: row.try_get("current_period_start")?,
        period_end: row.try_get("current_period_end")?,
        take_over: take_over_outcome(event),
        invoice_id: event
            .after
            .as_ref()
            .and_then(|after| after.get("invoice"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        previous_quantity: match event.kind {
            AuditAction::SeatsChanged | AuditAction::SeatsChangeScheduled => event
                .before
                .as_ref()
                .and_then(|before| before.get("quantity"))
                .and_then(serde_json::Value::as_i64),
            _ => None,
        },
    };
    let facts_json = serde_json::to_string(&facts).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    Ok(Some(About {
        facts_json,
        country,
        purchaser: Some(purchaser),
        requester: None,
    }))
}

/// What a take-over event says it did to the subscription (its `after`, written by
/// [`crate::store::central`] with the refunds it reserved).
fn take_over_outcome(event: &Event) -> Option<TakeOverOutcome> {
    if event.kind != AuditAction::TakeOver {
        return None;
    }
    let after = event.after.as_ref()?;
    let cancel: TakeOverCancel = after.get("cancel")?.as_str()?.parse().ok()?;
    Some(match cancel {
        TakeOverCancel::AskPurchaser => TakeOverOutcome::LeftRunning,
        TakeOverCancel::AtPeriodEnd => TakeOverOutcome::EndsAtPeriodEnd,
        TakeOverCancel::NowWithRefund => TakeOverOutcome::EndedNow {
            refunded: after
                .get("refunds")
                .and_then(serde_json::Value::as_array)
                .map_or(0, |refunds| {
                    refunds
                        .iter()
                        .filter_map(|r| r.get("amount").and_then(serde_json::Value::as_i64))
                        .sum()
                }),
        },
    })
}

async fn request_mail(
    tx: &mut Tx,
    request_id: &str,
    event: &Event,
) -> Result<Option<About>, sqlx::Error> {
    let Some(row) = crate::store::requests::for_mail(tx, request_id)
        .await
        .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?
    else {
        return Ok(None);
    };
    let request = row.request;
    let facts = RequestFacts {
        organization_name: row.organization_name,
        actor_name: event.actor_name.clone(),
        product: request.product,
        request_id: request.id.clone(),
        requester_name: request.requester.name.clone(),
        requester_email: request.requester.email.clone(),
        reason: request.reason,
        outcome: request.answer.as_ref().map(|a| a.outcome),
        message: request.answer.as_ref().and_then(|a| a.message.clone()),
    };
    Ok(Some(About {
        facts_json: serde_json::to_string(&facts).map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
        country: row.country,
        purchaser: None,
        requester: Some(Person {
            id: request.requester.id,
            email: request.requester.email,
            name: request.requester.name,
        }),
    }))
}

/// Admin notices and licence mails skip whoever acted; the purchaser's own mails do not.
fn audience_excludes_actor(template: Template) -> bool {
    match template {
        Template::AdminPurchase
        | Template::AdminTrial
        | Template::LicenceAssigned
        | Template::LicenceRemoved
        | Template::AdminRequest
        | Template::AdminPolicyChanged => true,
        Template::Receipt
        | Template::PaymentFailed
        | Template::CancellationRequested
        | Template::RequestAnswered
        | Template::RenewalUpcoming
        | Template::TrialEnding
        | Template::Suspended
        | Template::TakenOver
        | Template::AdminDigest
        | Template::RenewalReceipt
        | Template::SeatsAddedReceipt
        | Template::SeatsDecreaseScheduled
        | Template::Cancelled
        | Template::CancellationUndone => false,
    }
}

/// The purchaser, unless deprovisioned: like admins and people, a disabled user gets no mail.
async fn enabled_purchaser(tx: &mut Tx, user_id: &str) -> Result<Vec<Person>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, email, name FROM users WHERE id = $1 AND enabled = 1")
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(person).collect()
}

fn purchaser_copy(person: &Person) -> Person {
    Person {
        id: person.id.clone(),
        email: person.email.clone(),
        name: person.name.clone(),
    }
}

/// The organisation's admins (global only, or global and billing) who get admin notices:
/// those mailed for each, and those on `daily` (held for their digest). Those on `none` are in
/// neither.
async fn admins(
    tx: &mut Tx,
    organization_id: &str,
    global_only: bool,
) -> Result<(Vec<Person>, Vec<Person>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.id, u.email, u.name, p.notices FROM users u \
         LEFT JOIN admin_notice_preferences p ON p.user_id = u.id \
         WHERE u.organization_id = $1 AND u.enabled = 1 \
         AND u.in_directory = 1 AND (u.global_admin = 1 OR (u.billing_admin = 1 AND $2 = 0)) \
         ORDER BY u.email",
    )
    .bind(organization_id)
    .bind(i64::from(global_only))
    .fetch_all(&mut **tx)
    .await?;
    let (mut each, mut daily) = (Vec::new(), Vec::new());
    for row in &rows {
        let chosen: Option<NoticePreference> = super::decode_optional(row, "notices")
            .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?;
        match chosen {
            None | Some(NoticePreference::Each) => each.push(person(row)?),
            Some(NoticePreference::Daily) => daily.push(person(row)?),
            Some(NoticePreference::Off) => {}
        }
    }
    Ok((each, daily))
}

async fn people(
    tx: &mut Tx,
    organization_id: &str,
    emails: &[String],
) -> Result<Vec<Person>, sqlx::Error> {
    let mut found = Vec::new();
    for email in emails {
        if let Some(row) = sqlx::query(
            "SELECT id, email, name FROM users WHERE email = $1 AND organization_id = $2 \
             AND enabled = 1",
        )
        .bind(email)
        .bind(organization_id)
        .fetch_optional(&mut **tx)
        .await?
        {
            found.push(person(&row)?);
        }
    }
    Ok(found)
}

fn person(row: &sqlx::any::AnyRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
    })
}

impl Store {
    /// Claims up to `limit` due mails for `owner` until `lease_until`, each by
    /// [`Store::take_lease`].
    pub async fn claim_mails(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let candidates: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) \
             ORDER BY next_attempt_at, created_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit + 16)
        .fetch_all(self.reader())
        .await?;
        let mut claimed = Vec::new();
        for id in candidates {
            if claimed.len() as i64 >= limit {
                break;
            }
            let taken = self
                .take_lease(Leased::Outbox, &id, owner, now, lease_until)
                .await?;
            if !taken {
                continue;
            }
            let row = sqlx::query(
                "SELECT id, template, recipient_id, recipient_email, recipient_name, country, \
                 facts_json, attempts, \
                 (SELECT language FROM users WHERE users.id = outbox.recipient_id) AS language \
                 FROM outbox WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(self.writer())
            .await?;
            let facts: String = row.try_get("facts_json")?;
            let template: Template = decode(&row, "template")?;
            claimed.push(OutboxMail {
                id: row.try_get("id")?,
                template,
                recipient_id: row.try_get("recipient_id")?,
                recipient_email: row.try_get("recipient_email")?,
                recipient_name: row.try_get("recipient_name")?,
                country: row.try_get("country")?,
                language: recipient_language(&row)?,
                facts: mail_facts(template, &facts)?,
                attempts: row.try_get("attempts")?,
            });
        }
        Ok(claimed)
    }

    /// Records a delivered mail (only while `owner` holds it).
    pub async fn mail_sent(&self, id: &str, owner: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, \
             lease_owner = NULL, lease_until = NULL, last_error = NULL \
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(now)
        .bind(id)
        .bind(owner)
        .write(self)
        .await?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or never (`None`: given up).
    pub async fn mail_failed(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let (status, next) = match retry_at {
            Some(at) => ("pending", Some(at)),
            None => ("failed", None),
        };
        sqlx::query(
            "UPDATE outbox SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             attempts = attempts + 1, last_error = $3, lease_owner = NULL, lease_until = NULL \
             WHERE id = $4 AND lease_owner = $5",
        )
        .bind(status)
        .bind(next)
        .bind(error)
        .bind(id)
        .bind(owner)
        .write(self)
        .await?;
        Ok(())
    }

    /// When the next pending mail is due (real seconds), if any.
    pub async fn next_mail_due(&self) -> Result<Option<i64>, StoreError> {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(MIN(COALESCE(lease_until, next_attempt_at)) AS BIGINT) FROM outbox \
             WHERE status = 'pending'",
        )
        .fetch_one(self.reader())
        .await?;
        Ok(due)
    }
}

/// `users.language` of a mail's recipient: NULL (not known yet) is English; an unknown text is
/// a corrupt row.
fn recipient_language(row: &sqlx::any::AnyRow) -> Result<Language, StoreError> {
    let text: Option<String> = row.try_get("language")?;
    match text {
        None => Ok(Language::English),
        Some(text) => Language::from_stored(&text)
            .ok_or_else(|| StoreError::Corrupt(format!("users.language: {text:?}"))),
    }
}
