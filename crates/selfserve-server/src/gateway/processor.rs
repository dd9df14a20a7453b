//! The built-in gateway as the server's card processor (see `crate::payments`).

use super::{Behaviour, ChargeState, Gateway, ThreeDSecure};
use crate::ids::new_id;
use crate::payments::{
    ABANDONED, AUTHENTICATION_REQUIRED, Card, Challenge, ChargeError, ChargeOutcome, ChargeRequest,
    Refund, RefundError, SaveOutcome,
};
use crate::store::StoreError;
use crate::store::gateway::{ChargeRow, RecordedCharge, RecordedRefund, StoredCard, TokenRow};
use crate::store::orders::PaymentSource;
use selfserve_api::money::Currency;
use selfserve_api::subscription::CardSummary;

/// Where a 3-D Secure check of a token stands.
enum Authenticated {
    Yes,
    Failed,
    Challenge(Challenge),
}

/// A successful charge of `card`; a new card (`is_new`) is saved as a card on file.
fn succeeded(
    card: &StoredCard,
    is_new: bool,
    request: &ChargeRequest<'_>,
    saved: &mut Option<StoredCard>,
) -> ChargeRow {
    if is_new {
        *saved = Some(StoredCard {
            id: new_id("pm"),
            ..card.clone()
        });
    }
    ChargeRow {
        id: new_id("ch"),
        state: ChargeState::Succeeded,
        decline_code: None,
        // The card now on file: the one this charge saved, or the saved card it charged.
        payment_method_id: Some(saved.as_ref().map_or(&card.id, |c| &c.id).clone()),
        amount: request.amount,
        source: request.source.id().to_owned(),
    }
}

fn card_of(stored: StoredCard, saved: bool) -> Card {
    Card {
        summary: CardSummary {
            brand: stored.brand,
            last4: stored.last4,
            exp_month: stored.exp_month,
            exp_year: stored.exp_year,
        },
        id: stored.id,
        saved,
    }
}

impl Gateway {
    /// Charges `request.amount` to a token (single use; saved as a card on file when the
    /// charge succeeds) or a saved card. The same key always gives the same outcome and moves
    /// money at most once.
    pub async fn charge(&self, request: ChargeRequest<'_>) -> Result<ChargeOutcome, ChargeError> {
        let key = request.key;
        if let Some(recorded) = self.store.charge_by_key(key).await? {
            return self.outcome_of(recorded).await;
        }
        let (card, token) = match request.source {
            PaymentSource::NewCard(id) => {
                let token = self
                    .store
                    .token(id)
                    .await?
                    .ok_or(ChargeError::InvalidToken)?;
                if token.used {
                    return Err(ChargeError::TokenAlreadyUsed);
                }
                (token.card.clone(), Some(token))
            }
            PaymentSource::SavedCard(id) => {
                let card = self
                    .store
                    .payment_method(id)
                    .await?
                    .ok_or(ChargeError::InvalidToken)?;
                (card, None)
            }
        };
        let source_id = request.source.id();
        let decline = |code: &str| ChargeRow {
            id: new_id("ch"),
            state: ChargeState::Declined,
            decline_code: Some(code.to_owned()),
            payment_method_id: None,
            amount: request.amount,
            source: source_id.to_owned(),
        };
        let mut saved = None;
        let row = match (card.behaviour, &token) {
            (Behaviour::Decline(code), _) => decline(code),
            (Behaviour::FailCharges, _) => decline("generic_decline"),
            (Behaviour::ThreeDSecure, Some(token)) => match self.authenticate(token).await? {
                Authenticated::Yes => succeeded(&card, true, &request, &mut saved),
                Authenticated::Failed => decline("authentication_failed"),
                Authenticated::Challenge(challenge) => {
                    return Ok(ChargeOutcome::RequiresAction(challenge));
                }
            },
            // The bank confirms every payment with this card, also once saved: without a
            // buyer present to answer, the charge cannot go through.
            (Behaviour::ThreeDSecure, None) => decline(AUTHENTICATION_REQUIRED),
            // An ordinary card, new or saved.
            _ => succeeded(&card, token.is_some(), &request, &mut saved),
        };
        let recorded = self
            .store
            .record_charge(
                &row,
                key,
                request.currency,
                saved.as_ref(),
                self.clock.now(),
            )
            .await?;
        match recorded {
            RecordedCharge::Recorded(row) => self.outcome_of(row).await,
            RecordedCharge::TokenAlreadyUsed => Err(ChargeError::TokenAlreadyUsed),
        }
    }

    /// Where a token of a card whose bank asks for 3-D Secure stands: approved, failed (the
    /// token then asks again next time), or a challenge to answer (the open one, or a new one).
    async fn authenticate(&self, token: &TokenRow) -> Result<Authenticated, ChargeError> {
        match token.three_d_secure {
            ThreeDSecure::Approved => return Ok(Authenticated::Yes),
            ThreeDSecure::Failed => {
                self.store
                    .set_token_three_d_secure(&token.card.id, ThreeDSecure::Required, None)
                    .await?;
                return Ok(Authenticated::Failed);
            }
            ThreeDSecure::NotNeeded | ThreeDSecure::Required => {}
        }
        let challenge_id = match &token.challenge_id {
            Some(open) => open.clone(),
            None => {
                let id = new_id("chl");
                self.store
                    .set_token_three_d_secure(&token.card.id, ThreeDSecure::Required, Some(&id))
                    .await?;
                id
            }
        };
        let url = format!("{}/v1/challenges/{challenge_id}", self.origin);
        Ok(Authenticated::Challenge(Challenge {
            id: challenge_id,
            url,
        }))
    }

    /// What was recorded under `key`, closing it first if nothing was: a later charge with the
    /// key then gets a decline (`abandoned`) instead of moving money. `None` when the key is
    /// closed with nothing charged (by this call or an earlier one).
    pub async fn resolve(
        &self,
        key: &str,
        currency: Currency,
    ) -> Result<Option<ChargeOutcome>, ChargeError> {
        let closing = ChargeRow {
            id: new_id("ch"),
            state: ChargeState::Declined,
            decline_code: Some(ABANDONED.into()),
            payment_method_id: None,
            amount: 0,
            source: String::new(),
        };
        let recorded = self
            .store
            .record_charge(&closing, key, currency, None, self.clock.now())
            .await?;
        match recorded {
            RecordedCharge::Recorded(row)
                if row.id == closing.id || row.decline_code.as_deref() == Some(ABANDONED) =>
            {
                Ok(None)
            }
            RecordedCharge::Recorded(row) => self.outcome_of(row).await.map(Some),
            // Not reachable without a card to save; read as "closed".
            RecordedCharge::TokenAlreadyUsed => Ok(None),
        }
    }

    /// Saves a token as a card on file without charging it; a card whose bank asks for 3-D
    /// Secure is saved only once the buyer passed the challenge.
    pub async fn save_card(&self, token_id: &str) -> Result<SaveOutcome, ChargeError> {
        let token = self
            .store
            .token(token_id)
            .await?
            .ok_or(ChargeError::InvalidToken)?;
        if token.used {
            return Err(ChargeError::TokenAlreadyUsed);
        }
        if token.card.behaviour == Behaviour::ThreeDSecure {
            match self.authenticate(&token).await? {
                Authenticated::Yes => {}
                Authenticated::Failed => {
                    return Ok(SaveOutcome::Declined {
                        decline_code: "authentication_failed".into(),
                    });
                }
                Authenticated::Challenge(challenge) => {
                    return Ok(SaveOutcome::RequiresAction(challenge));
                }
            }
        }
        let saved = StoredCard {
            id: new_id("pm"),
            ..token.card
        };
        if self
            .store
            .save_token_as_card(token_id, &saved, self.clock.now())
            .await?
        {
            Ok(SaveOutcome::Saved(card_of(saved, true)))
        } else {
            Err(ChargeError::TokenAlreadyUsed)
        }
    }

    /// The card behind a token or a saved card.
    pub async fn card(&self, source: &PaymentSource) -> Result<Option<Card>, ChargeError> {
        Ok(match source {
            PaymentSource::NewCard(id) => self
                .store
                .token(id)
                .await?
                .map(|token| card_of(token.card, false)),
            PaymentSource::SavedCard(id) => self
                .store
                .payment_method(id)
                .await?
                .map(|card| card_of(card, true)),
        })
    }

    /// Gives back `amount` of the charge under `charge_key`, once per `refund_key`.
    pub async fn refund(
        &self,
        charge_key: &str,
        amount: i64,
        refund_key: &str,
    ) -> Result<Refund, RefundError> {
        let id = new_id("re");
        match self
            .store
            .record_refund(&id, refund_key, charge_key, amount, self.clock.now())
            .await?
        {
            RecordedRefund::Refunded { amount, total } => Ok(Refund {
                id,
                amount,
                refunded_total: total,
            }),
            RecordedRefund::NoCharge => Err(RefundError::NoCharge),
            RecordedRefund::TooMuch { refundable } => Err(RefundError::TooMuch { refundable }),
        }
    }

    async fn outcome_of(&self, row: ChargeRow) -> Result<ChargeOutcome, ChargeError> {
        match row.state {
            ChargeState::Succeeded => {
                // Charges of a saved card recorded before the card was noted on the charge name
                // it as their source.
                let id = row.payment_method_id.as_deref().unwrap_or(&row.source);
                let card = self
                    .store
                    .payment_method(id)
                    .await?
                    .map(|c| card_of(c, true));
                let card = card.ok_or_else(|| {
                    ChargeError::Store(StoreError::Corrupt(format!(
                        "charge {} succeeded without a saved card",
                        row.id
                    )))
                })?;
                Ok(ChargeOutcome::Succeeded {
                    charge_id: row.id,
                    card,
                })
            }
            ChargeState::Declined => Ok(ChargeOutcome::Declined {
                decline_code: row.decline_code.ok_or_else(|| {
                    StoreError::Corrupt(format!("decline {} without a code", row.id))
                })?,
            }),
        }
    }
}
