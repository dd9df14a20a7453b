//! Requests to IT (`it_requests`, migration 0019): opened by a person who may not buy a
//! product, answered by an admin. Each change writes its event (and so its mails) in its own
//! transaction; an answer that turns the product on changes the policy in that transaction too.

use super::central::{NewUnbilled, give_central_licence};
use super::events::insert_event;
use super::guardrails::change_policy_in;
use super::{Store, StoreError, Tx, decode, decode_optional, decode_product};
use crate::events::Event;
use selfserve_api::admin::Policy;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::guardrails::Guardrails;
use selfserve_api::product::ProductId;
use selfserve_api::requests::{ItRequest, RequestAnswer, RequestOutcome, RequestStatus, Requester};
use sqlx::Row;

const SELECT: &str = "SELECT r.id, r.product, r.reason, r.status, r.outcome, r.message, \
    r.answered_by, r.answered_at, r.created_at, u.id AS requester_id, u.email, u.name \
    FROM it_requests r JOIN users u ON u.id = r.requester_id";

/// A reason as stored: its wire text.
pub(crate) fn reason_text(reason: IneligibleReason) -> Result<String, StoreError> {
    match serde_json::to_value(reason) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        other => Err(StoreError::Corrupt(format!("reason {reason:?}: {other:?}"))),
    }
}

/// A stored reason; an unknown text is a corrupt row (the wire type's `Unknown` is for
/// clients reading a newer server, never for our own rows).
fn decode_reason(text: &str) -> Result<IneligibleReason, StoreError> {
    match serde_json::from_value(serde_json::Value::String(text.to_owned())) {
        Ok(IneligibleReason::Unknown) | Err(_) => {
            Err(StoreError::Corrupt(format!("request reason {text:?}")))
        }
        Ok(reason) => Ok(reason),
    }
}

fn request_of(row: &sqlx::any::AnyRow) -> Result<ItRequest, StoreError> {
    let status: RequestStatus = decode(row, "status")?;
    let outcome: Option<RequestOutcome> = decode_optional(row, "outcome")?;
    let answer = match (status, outcome) {
        (RequestStatus::Open, None) => None,
        (RequestStatus::Answered, Some(outcome)) => Some(RequestAnswer {
            outcome,
            message: row.try_get("message")?,
            answered_by: row
                .try_get::<Option<String>, _>("answered_by")?
                .ok_or_else(|| StoreError::Corrupt("answer without who".into()))?,
            answered_at: row
                .try_get::<Option<i64>, _>("answered_at")?
                .ok_or_else(|| StoreError::Corrupt("answer without when".into()))?,
        }),
        (status, outcome) => {
            return Err(StoreError::Corrupt(format!(
                "request {status:?} with outcome {outcome:?}"
            )));
        }
    };
    let reason: String = row.try_get("reason")?;
    Ok(ItRequest {
        id: row.try_get("id")?,
        product: decode_product(row, "product")?,
        reason: decode_reason(&reason)?,
        status,
        requester: Requester {
            id: row.try_get("requester_id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
        },
        created: row.try_get("created_at")?,
        answer,
    })
}

async fn read_in(tx: &mut Tx, id: &str) -> Result<ItRequest, StoreError> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    request_of(&row)
}

/// Builds the `policy_changed` event of an answer that turns the product on.
pub type PolicyEvent =
    Box<dyn FnOnce(ProductId, (Policy, Guardrails), (Policy, Guardrails)) -> Event + Send>;

/// A central subscription of one seat for a product, and its `central_purchase` event.
pub type NewCentral = Box<dyn FnOnce(ProductId) -> (NewUnbilled, Event) + Send>;

/// What an answer changes besides the request, in the same transaction.
pub enum AnswerEffect {
    /// Nothing (a decline).
    Nothing,
    /// The product's policy is turned on, with its own `policy_changed` event.
    Enable(PolicyEvent),
    /// The requester gets a central licence: a free seat of a central subscription of the
    /// product, else one of a new one-seat subscription (made by this, with its event).
    CentralLicence(NewCentral),
}

/// What answering a request came to.
#[derive(Debug)]
pub enum Answered {
    Done(ItRequest),
    /// No such request in the organisation.
    NotFound,
    /// Someone answered it first.
    AlreadyAnswered(ItRequest),
}

/// A request's facts for its mails, read in the event's transaction.
pub(crate) struct RequestMailRow {
    pub request: ItRequest,
    pub organization_name: String,
    pub country: Option<String>,
}

/// The request `id` with its organisation's name and country, inside `tx`.
pub(crate) async fn for_mail(tx: &mut Tx, id: &str) -> Result<Option<RequestMailRow>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT o.name AS organization_name, o.country FROM it_requests r \
         JOIN organizations o ON o.id = r.organization_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let organization_name: String = row.try_get("organization_name")?;
    let country: Option<String> = row.try_get("country")?;
    Ok(Some(RequestMailRow {
        request: read_in(tx, id).await?,
        organization_name,
        country,
    }))
}

impl Store {
    /// Opens a request of `requester_id` for `product`, with its event; or, when they already
    /// have one open for the product, returns that one (`false`: nothing new, nobody mailed).
    /// The partial unique index decides a race: the loser inserts nothing and reads the winner's.
    pub async fn open_request(
        &self,
        organization_id: &str,
        requester_id: &str,
        product: ProductId,
        reason: IneligibleReason,
        now: i64,
        event: impl FnOnce(&str) -> Event,
    ) -> Result<(ItRequest, bool), StoreError> {
        let id = crate::ids::new_id("req");
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO it_requests (id, organization_id, requester_id, product, reason, \
             status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6) \
             ON CONFLICT (requester_id, product) WHERE status = 'open' DO NOTHING",
        )
        .bind(&id)
        .bind(organization_id)
        .bind(requester_id)
        .bind(product.as_str())
        .bind(reason_text(reason)?)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !inserted {
            let row = sqlx::query(&format!(
                "{SELECT} WHERE r.requester_id = $1 AND r.product = $2 AND r.status = 'open'"
            ))
            .bind(requester_id)
            .bind(product.as_str())
            .fetch_one(&mut *tx)
            .await?;
            tx.rollback().await?;
            return Ok((request_of(&row)?, false));
        }
        insert_event(&mut tx, &event(&id)).await?;
        let request = read_in(&mut tx, &id).await?;
        tx.commit().await?;
        Ok((request, true))
    }

    /// An organisation's requests: open ones first (oldest first: the longest waiting), then
    /// answered ones, newest first.
    pub async fn requests(&self, organization_id: &str) -> Result<Vec<ItRequest>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE r.organization_id = $1 ORDER BY \
             CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, \
             CASE WHEN r.status = 'open' THEN r.created_at ELSE -r.created_at END, r.id"
        ))
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(request_of).collect()
    }

    /// Answers request `id` of `organization_id` once, with its event and `effect`, all in
    /// one transaction. A central licence given is named in the event's `after` (`licence`).
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_request(
        &self,
        organization_id: &str,
        id: &str,
        outcome: RequestOutcome,
        message: Option<&str>,
        answered_by: &str,
        now: i64,
        effect: AnswerEffect,
        event: impl FnOnce(ProductId) -> Event,
    ) -> Result<Answered, StoreError> {
        let mut tx = self.begin_write().await?;
        let product: Option<String> = sqlx::query_scalar(
            "SELECT product FROM it_requests WHERE id = $1 AND organization_id = $2",
        )
        .bind(id)
        .bind(organization_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(product) = product else {
            return Ok(Answered::NotFound);
        };
        let product: ProductId = product
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("request product {product:?}")))?;
        let answered = sqlx::query(
            "UPDATE it_requests SET status = 'answered', outcome = $1, message = $2, \
             answered_by = $3, answered_at = $4 WHERE id = $5 AND status = 'open'",
        )
        .bind(outcome.as_str())
        .bind(message)
        .bind(answered_by)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !answered {
            let request = read_in(&mut tx, id).await?;
            tx.rollback().await?;
            return Ok(Answered::AlreadyAnswered(request));
        }
        let mut event = event(product);
        match effect {
            AnswerEffect::Nothing => {}
            AnswerEffect::Enable(policy_event) => {
                change_policy_in(
                    &mut tx,
                    organization_id,
                    product,
                    Some(Policy::Enabled),
                    |limits| limits,
                    |before, after| policy_event(product, before, after),
                    now,
                )
                .await?;
            }
            AnswerEffect::CentralLicence(new_central) => {
                let requester: String =
                    sqlx::query_scalar("SELECT requester_id FROM it_requests WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                let (new, central_event) = new_central(product);
                let licence = give_central_licence(
                    &mut tx,
                    organization_id,
                    product,
                    &requester,
                    &new,
                    &central_event,
                    now,
                )
                .await?;
                if let Some(serde_json::Value::Object(after)) = &mut event.after {
                    after.insert("licence".into(), licence.into());
                }
            }
        }
        insert_event(&mut tx, &event).await?;
        let request = read_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Answered::Done(request))
    }
}
