//! The built-in test gateway's records: tokens, saved cards, charges and refunds. It keeps what
//! a processor shows a merchant (brand, last four, expiry) and how the test card behaves;
//! never the number, the CVC or the cardholder's name.

use super::WriteStatement;
use super::{Store, StoreError, from_flag};
use crate::gateway::{Behaviour, ChargeState, ThreeDSecure};
use selfserve_api::card::CardBrand;
use selfserve_api::money::Currency;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A card as the gateway keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCard {
    /// `tok_…` or `pm_…`.
    pub id: String,
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
    pub behaviour: Behaviour,
}

/// A token and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub card: StoredCard,
    pub three_d_secure: ThreeDSecure,
    /// The open 3-D Secure challenge, if any.
    pub challenge_id: Option<String>,
    /// Charged successfully (or saved) once already.
    pub used: bool,
}

/// A recorded charge attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRow {
    /// `ch_…`.
    pub id: String,
    pub state: ChargeState,
    pub decline_code: Option<String>,
    /// The card on file after a successful charge: saved by it, or charged.
    pub payment_method_id: Option<String>,
    pub amount: i64,
    /// The token or saved card charged.
    pub source: String,
}

/// What recording a charge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedCharge {
    /// The charge as stored (this one, or the earlier one under the same key).
    Recorded(ChargeRow),
    /// The token was claimed by another charge first; nothing was recorded.
    TokenAlreadyUsed,
}

/// What recording a refund did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordedRefund {
    /// Refunded (now or by an earlier call with the same key); the charge's refunded total.
    Refunded { amount: i64, total: i64 },
    /// No successful charge under that key.
    NoCharge,
    /// More than is left of the charge.
    TooMuch { refundable: i64 },
}

async fn insert_saved_card(
    tx: &mut super::Tx,
    card: &StoredCard,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO gateway_payment_methods \
         (id, brand, last4, exp_month, exp_year, behaviour, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&card.id)
    .bind(card.brand.as_str())
    .bind(&card.last4)
    .bind(i64::from(card.exp_month))
    .bind(i64::from(card.exp_year))
    .bind(card.behaviour.as_stored())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn card_from_row(row: &AnyRow) -> Result<StoredCard, StoreError> {
    let brand: String = row.try_get("brand")?;
    let behaviour: String = row.try_get("behaviour")?;
    Ok(StoredCard {
        id: row.try_get("id")?,
        brand: brand
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("card brand {brand:?}")))?,
        last4: row.try_get("last4")?,
        exp_month: row.try_get::<i64, _>("exp_month")? as u32,
        exp_year: row.try_get::<i64, _>("exp_year")? as u32,
        behaviour: Behaviour::from_stored(&behaviour)
            .ok_or_else(|| StoreError::Corrupt(format!("card behaviour {behaviour:?}")))?,
    })
}

fn charge_from_row(row: &AnyRow) -> Result<ChargeRow, StoreError> {
    let state: String = row.try_get("outcome")?;
    Ok(ChargeRow {
        id: row.try_get("id")?,
        state: ChargeState::from_stored(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("charge outcome {state:?}")))?,
        decline_code: row.try_get("decline_code")?,
        payment_method_id: row.try_get("payment_method_id")?,
        amount: row.try_get("amount")?,
        source: row.try_get("source")?,
    })
}

const CHARGE_COLUMNS: &str = "id, outcome, decline_code, payment_method_id, amount, source";

impl Store {
    /// Records a new token.
    pub async fn insert_token(
        &self,
        card: &StoredCard,
        three_d_secure: ThreeDSecure,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO gateway_tokens (id, brand, last4, exp_month, exp_year, behaviour, \
             three_d_secure, challenge_id, used, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0, $8)",
        )
        .bind(&card.id)
        .bind(card.brand.as_str())
        .bind(&card.last4)
        .bind(i64::from(card.exp_month))
        .bind(i64::from(card.exp_year))
        .bind(card.behaviour.as_stored())
        .bind(three_d_secure.as_str())
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }

    /// Deletes tokens made before `cutoff`, used or not: a token is single-use and short-lived
    /// (the saved card, if any, lives on as a payment method).
    pub async fn purge_tokens(&self, cutoff: i64) -> Result<u64, StoreError> {
        let deleted = sqlx::query("DELETE FROM gateway_tokens WHERE created_at < $1")
            .bind(cutoff)
            .write(self)
            .await?
            .rows_affected();
        Ok(deleted)
    }

    /// A token by id.
    pub async fn token(&self, id: &str) -> Result<Option<TokenRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, brand, last4, exp_month, exp_year, behaviour, three_d_secure, \
             challenge_id, used FROM gateway_tokens WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.writer())
        .await?;
        row.map(|row| {
            let state: String = row.try_get("three_d_secure")?;
            Ok(TokenRow {
                card: card_from_row(&row)?,
                three_d_secure: ThreeDSecure::from_stored(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("3-D Secure state {state:?}")))?,
                challenge_id: row.try_get("challenge_id")?,
                used: from_flag(row.try_get("used")?),
            })
        })
        .transpose()
    }

    /// A saved card by id.
    pub async fn payment_method(&self, id: &str) -> Result<Option<StoredCard>, StoreError> {
        let row = sqlx::query(
            "SELECT id, brand, last4, exp_month, exp_year, behaviour \
             FROM gateway_payment_methods WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| card_from_row(&row)).transpose()
    }

    /// Sets a token's 3-D Secure state (and its open challenge).
    pub async fn set_token_three_d_secure(
        &self,
        token_id: &str,
        state: ThreeDSecure,
        challenge_id: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE gateway_tokens SET three_d_secure = $2, challenge_id = $3 WHERE id = $1",
        )
        .bind(token_id)
        .bind(state.as_str())
        .bind(challenge_id)
        .write(self)
        .await?;
        Ok(())
    }

    /// Answers an open challenge. False if no such open challenge.
    pub async fn answer_challenge(
        &self,
        challenge_id: &str,
        answer: ThreeDSecure,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE gateway_tokens SET three_d_secure = $2 \
             WHERE challenge_id = $1 AND three_d_secure = 'required'",
        )
        .bind(challenge_id)
        .bind(answer.as_str())
        .write(self)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The charge recorded under an idempotency key.
    pub async fn charge_by_key(&self, key: &str) -> Result<Option<ChargeRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CHARGE_COLUMNS} FROM gateway_charges WHERE idempotency_key = $1"
        ))
        .bind(key)
        .fetch_optional(self.writer())
        .await?;
        row.map(|row| charge_from_row(&row)).transpose()
    }

    /// Records a charge attempt; if the source was a token and the charge succeeded, claims the
    /// token (single use) and saves the card as `saved`, all at once. Returns the stored row,
    /// which is the earlier one if this key was already charged (the unique key makes the second
    /// insert a no-op, so money moves once however often this is called).
    pub async fn record_charge(
        &self,
        charge: &ChargeRow,
        key: &str,
        currency: Currency,
        saved: Option<&StoredCard>,
        now: i64,
    ) -> Result<RecordedCharge, StoreError> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO gateway_charges (id, idempotency_key, source, amount, currency, outcome, \
             decline_code, payment_method_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&charge.id)
        .bind(key)
        .bind(&charge.source)
        .bind(charge.amount)
        .bind(currency.as_str())
        .bind(charge.state.as_stored())
        .bind(&charge.decline_code)
        .bind(&charge.payment_method_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1
            && let Some(card) = saved
        {
            // The conditional update is the single-use rule: of two charges racing on one
            // token, only one can flip it.
            let claimed =
                sqlx::query("UPDATE gateway_tokens SET used = 1 WHERE id = $1 AND used = 0")
                    .bind(&charge.source)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if claimed != 1 {
                tx.rollback().await?;
                return Ok(RecordedCharge::TokenAlreadyUsed);
            }
            insert_saved_card(&mut tx, card, now).await?;
        }
        let stored = sqlx::query(&format!(
            "SELECT {CHARGE_COLUMNS} FROM gateway_charges WHERE idempotency_key = $1"
        ))
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RecordedCharge::Recorded(charge_from_row(&stored)?))
    }

    /// Saves a token as a card on file without charging it (updating the payment method).
    pub async fn save_token_as_card(
        &self,
        token_id: &str,
        card: &StoredCard,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query("UPDATE gateway_tokens SET used = 1 WHERE id = $1 AND used = 0")
            .bind(token_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if claimed != 1 {
            return Ok(false);
        }
        insert_saved_card(&mut tx, card, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Refunds `amount` of the successful charge under `charge_key`, once per `refund_key`,
    /// never past what was charged: the charge's row lock serialises refunds of one charge.
    pub async fn record_refund(
        &self,
        refund_id: &str,
        refund_key: &str,
        charge_key: &str,
        amount: i64,
        now: i64,
    ) -> Result<RecordedRefund, StoreError> {
        let mut tx = self.begin_write().await?;
        let charge = sqlx::query(
            "UPDATE gateway_charges SET amount = amount WHERE idempotency_key = $1 \
             AND outcome = 'succeeded' RETURNING id, amount",
        )
        .bind(charge_key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(charge) = charge else {
            tx.rollback().await?;
            return Ok(RecordedRefund::NoCharge);
        };
        let charge_id: String = charge.try_get("id")?;
        let charged: i64 = charge.try_get("amount")?;
        let earlier: Option<i64> =
            sqlx::query_scalar("SELECT amount FROM gateway_refunds WHERE idempotency_key = $1")
                .bind(refund_key)
                .fetch_optional(&mut *tx)
                .await?;
        let refunded: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM gateway_refunds \
             WHERE charge_id = $1",
        )
        .bind(&charge_id)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(amount) = earlier {
            tx.rollback().await?;
            return Ok(RecordedRefund::Refunded {
                amount,
                total: refunded,
            });
        }
        if amount <= 0 || refunded + amount > charged {
            tx.rollback().await?;
            return Ok(RecordedRefund::TooMuch {
                refundable: charged - refunded,
            });
        }
        sqlx::query(
            "INSERT INTO gateway_refunds (id, idempotency_key, charge_id, amount, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(refund_id)
        .bind(refund_key)
        .bind(&charge_id)
        .bind(amount)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RecordedRefund::Refunded {
            amount,
            total: refunded + amount,
        })
    }

    /// How many charges succeeded under keys starting with `prefix` (tests, audits).
    pub async fn count_successful_charges(&self, prefix: &str) -> Result<i64, StoreError> {
        let count = sqlx::query_scalar(
            "SELECT COUNT(*) FROM gateway_charges WHERE outcome = 'succeeded' \
             AND idempotency_key LIKE $1",
        )
        .bind(format!("{prefix}%"))
        .fetch_one(self.reader())
        .await?;
        Ok(count)
    }
}

// How the gateway's states are written in its tables. Kept here with the SQL: the gateway
// itself only ever handles the enums.

/// The decline codes of the test cards.
const DECLINE_CODES: &[&str] = &[
    "generic_decline",
    "insufficient_funds",
    "expired_card",
    "incorrect_cvc",
    "processing_error",
];

impl Behaviour {
    /// As stored.
    pub fn as_stored(self) -> String {
        match self {
            Self::Succeed => "succeed".into(),
            Self::Decline(code) => format!("decline:{code}"),
            Self::ThreeDSecure => "three_d_secure".into(),
            Self::FailCharges => "fail_charges".into(),
        }
    }

    /// The inverse of [`Self::as_stored`]; `None` for a text it never writes.
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "succeed" => Some(Self::Succeed),
            "three_d_secure" => Some(Self::ThreeDSecure),
            "fail_charges" => Some(Self::FailCharges),
            other => other
                .strip_prefix("decline:")
                .and_then(|code| DECLINE_CODES.iter().find(|c| **c == code))
                .map(|code| Self::Decline(code)),
        }
    }
}

impl ThreeDSecure {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotNeeded => "none",
            Self::Required => "required",
            Self::Approved => "approved",
            Self::Failed => "failed",
        }
    }

    /// The inverse of [`Self::as_str`].
    pub fn from_stored(text: &str) -> Option<Self> {
        [
            Self::NotNeeded,
            Self::Required,
            Self::Approved,
            Self::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

impl ChargeState {
    /// As stored.
    pub fn as_stored(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Declined => "declined",
        }
    }

    /// The inverse of [`Self::as_stored`].
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "succeeded" => Some(Self::Succeeded),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }
}
