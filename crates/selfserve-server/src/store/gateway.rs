//! The test gateway's records: tokens, saved cards, charges.

use super::{Store, StoreError, from_flag};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A card as the gateway keeps it: no number, no CVC, no name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCard {
    /// `tok_…` or `pm_…`.
    pub id: String,
    /// Card network (wire name).
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: u32,
    /// Expiry year.
    pub exp_year: u32,
    /// How the test card behaves when charged.
    pub behaviour: String,
}

/// A token and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// The card.
    pub card: StoredCard,
    /// `none`, `required`, `approved` or `failed`.
    pub three_d_secure: String,
    /// The open 3-D Secure challenge, if any.
    pub challenge_id: Option<String>,
    /// Charged successfully once already.
    pub used: bool,
}

/// A recorded charge attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRow {
    /// `ch_…`.
    pub id: String,
    /// `succeeded`, `declined` or `requires_action`.
    pub outcome: String,
    /// Why it was declined.
    pub decline_code: Option<String>,
    /// The saved card, when a token's charge succeeded.
    pub payment_method_id: Option<String>,
    /// The amount.
    pub amount: i64,
}

/// What recording a charge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedCharge {
    /// The charge as stored (this one, or the earlier one under the same key).
    Recorded(ChargeRow),
    /// The token was claimed by another charge first; nothing was recorded.
    TokenAlreadyUsed,
}

async fn insert_saved_card(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    card: &StoredCard,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO gateway_payment_methods \
         (id, brand, last4, exp_month, exp_year, behaviour, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&card.id)
    .bind(&card.brand)
    .bind(&card.last4)
    .bind(i64::from(card.exp_month))
    .bind(i64::from(card.exp_year))
    .bind(&card.behaviour)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn card_from_row(row: &AnyRow) -> Result<StoredCard, sqlx::Error> {
    Ok(StoredCard {
        id: row.try_get("id")?,
        brand: row.try_get("brand")?,
        last4: row.try_get("last4")?,
        exp_month: row.try_get::<i64, _>("exp_month")? as u32,
        exp_year: row.try_get::<i64, _>("exp_year")? as u32,
        behaviour: row.try_get("behaviour")?,
    })
}

fn charge_from_row(row: &AnyRow) -> Result<ChargeRow, sqlx::Error> {
    Ok(ChargeRow {
        id: row.try_get("id")?,
        outcome: row.try_get("outcome")?,
        decline_code: row.try_get("decline_code")?,
        payment_method_id: row.try_get("payment_method_id")?,
        amount: row.try_get("amount")?,
    })
}

impl Store {
    /// Records a new token.
    pub async fn insert_token(
        &self,
        card: &StoredCard,
        three_d_secure: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO gateway_tokens (id, brand, last4, exp_month, exp_year, behaviour, \
             three_d_secure, challenge_id, used, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0, $8)",
        )
        .bind(&card.id)
        .bind(&card.brand)
        .bind(&card.last4)
        .bind(i64::from(card.exp_month))
        .bind(i64::from(card.exp_year))
        .bind(&card.behaviour)
        .bind(three_d_secure)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
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
            Ok::<_, sqlx::Error>(TokenRow {
                card: card_from_row(&row)?,
                three_d_secure: row.try_get("three_d_secure")?,
                challenge_id: row.try_get("challenge_id")?,
                used: from_flag(row.try_get("used")?),
            })
        })
        .transpose()
        .map_err(StoreError::from)
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
        Ok(row.map(|row| card_from_row(&row)).transpose()?)
    }

    /// Sets a token's 3-D Secure state (and its open challenge).
    pub async fn set_token_three_d_secure(
        &self,
        token_id: &str,
        state: &str,
        challenge_id: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE gateway_tokens SET three_d_secure = $2, challenge_id = $3 WHERE id = $1",
        )
        .bind(token_id)
        .bind(state)
        .bind(challenge_id)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Answers an open challenge: `approved` or `failed`. False if no such open challenge.
    pub async fn answer_challenge(
        &self,
        challenge_id: &str,
        state: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE gateway_tokens SET three_d_secure = $2 \
             WHERE challenge_id = $1 AND three_d_secure = 'required'",
        )
        .bind(challenge_id)
        .bind(state)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The charge recorded under an idempotency key.
    pub async fn charge_by_key(&self, key: &str) -> Result<Option<ChargeRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, outcome, decline_code, payment_method_id, amount \
             FROM gateway_charges WHERE idempotency_key = $1",
        )
        .bind(key)
        .fetch_optional(self.writer())
        .await?;
        Ok(row.map(|row| charge_from_row(&row)).transpose()?)
    }

    /// Records a charge attempt; if the source was a token and the charge succeeded, claims the
    /// token (single use) and saves the card as `saved`, all at once. Returns the stored row,
    /// which is the earlier one if this key was already charged (the unique key makes the second
    /// insert a no-op, so money moves once however often this is called).
    pub async fn record_charge(
        &self,
        charge: &ChargeRow,
        key: &str,
        source: &str,
        currency: &str,
        saved: Option<&StoredCard>,
        now: i64,
    ) -> Result<RecordedCharge, StoreError> {
        let mut tx = self.writer().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO gateway_charges (id, idempotency_key, source, amount, currency, outcome, \
             decline_code, payment_method_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&charge.id)
        .bind(key)
        .bind(source)
        .bind(charge.amount)
        .bind(currency)
        .bind(&charge.outcome)
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
                    .bind(source)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if claimed != 1 {
                tx.rollback().await?;
                return Ok(RecordedCharge::TokenAlreadyUsed);
            }
            insert_saved_card(&mut tx, card, now).await?;
        }
        let stored = sqlx::query(
            "SELECT id, outcome, decline_code, payment_method_id, amount \
             FROM gateway_charges WHERE idempotency_key = $1",
        )
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
        let mut tx = self.writer().begin().await?;
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
