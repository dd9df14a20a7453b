//! The built-in test card gateway, on its own listener and so its own origin: the browser posts
//! card numbers here and nowhere else, and the rest of the server only ever sees tokens, brand,
//! last four and expiry. It behaves like a card processor's test mode: the test numbers of
//! ../shared/API.md decline, ask for 3-D Secure, or fail every later charge.
//!
//! # Layout
//! - here: [`Gateway`], the test behaviours, tokenising;
//! - [`processor`]: the gateway as the server's card processor (charges, keys, refunds);
//! - [`http`]: its listener (tokens, 3-D Secure challenges, CORS for the app's origin only).
//!
//! # Invariants
//! - No card number, CVC or cardholder name is stored, logged or returned; a number's test
//!   behaviour is decided at tokenisation and only that behaviour is kept.
//! - A charge is recorded once per idempotency key; charging the same key again returns the
//!   recorded outcome, so money moves at most once per key.
//! - A token is charged successfully (or saved) at most once.

pub mod http;
pub mod processor;

use crate::clock::Clock;
use crate::domain::calendar::date_of;
use crate::ids::new_id;
use crate::store::gateway::StoredCard;
use crate::store::{Store, StoreError};
use selfserve_api::card::{CardError, CardNumber, CardToken, Expiry, TokenRequest, validate_cvc};
use std::sync::Arc;

/// How a test card behaves when charged, decided from its number at tokenisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Every charge succeeds.
    Succeed,
    /// Every charge is declined with this decline code.
    Decline(&'static str),
    /// The first charge asks for 3-D Secure.
    ThreeDSecure,
    /// Saving the card works; every charge fails (for renewal failures).
    FailCharges,
}

impl Behaviour {
    /// The behaviour of a test number (any other valid number succeeds).
    pub fn of(number: &CardNumber) -> Self {
        match number.digits() {
            "4000000000000002" => Self::Decline("generic_decline"),
            "4000000000009995" => Self::Decline("insufficient_funds"),
            "4000000000000069" => Self::Decline("expired_card"),
            "4000000000000127" => Self::Decline("incorrect_cvc"),
            "4000000000000119" => Self::Decline("processing_error"),
            "4000002760003184" => Self::ThreeDSecure,
            "4000000000000341" => Self::FailCharges,
            _ => Self::Succeed,
        }
    }
}

/// Where a token stands with 3-D Secure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreeDSecure {
    /// The card does not ask for it.
    NotNeeded,
    /// A challenge is open (or will be at the next charge).
    Required,
    Approved,
    Failed,
}

/// How a recorded charge attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeState {
    Succeeded,
    Declined,
}

/// The gateway: tokens in, outcomes out.
#[derive(Debug, Clone)]
pub struct Gateway {
    store: Store,
    clock: Clock,
    /// The gateway's origin as browsers reach it (for challenge URLs).
    origin: Arc<str>,
}

/// Why tokenisation failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    /// A card field is wrong.
    #[error("{0}")]
    Card(CardError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Gateway {
    /// A gateway over `store`, reachable by browsers at `origin`.
    pub fn new(store: Store, clock: Clock, origin: &str) -> Self {
        Self {
            store,
            clock,
            origin: origin.into(),
        }
    }

    /// The gateway's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Turns card details into a single-use token. The number, CVC and name are checked and
    /// then dropped; only brand, last four, expiry and the test behaviour are kept.
    pub async fn tokenize(&self, request: &TokenRequest) -> Result<CardToken, TokenizeError> {
        let number = CardNumber::parse(&request.number).map_err(TokenizeError::Card)?;
        let today = date_of(self.clock.now());
        let expiry = Expiry::new(
            request.exp_month,
            request.exp_year,
            (today.year as u32, today.month),
        )
        .map_err(TokenizeError::Card)?;
        validate_cvc(request.cvc.trim(), number.brand()).map_err(TokenizeError::Card)?;
        let behaviour = Behaviour::of(&number);
        let card = StoredCard {
            id: new_id("tok"),
            brand: number.brand(),
            last4: number.last4().to_owned(),
            exp_month: expiry.month,
            exp_year: expiry.year,
            behaviour,
        };
        let three_d_secure = if behaviour == Behaviour::ThreeDSecure {
            ThreeDSecure::Required
        } else {
            ThreeDSecure::NotNeeded
        };
        self.store
            .insert_token(&card, three_d_secure, self.clock.now())
            .await?;
        Ok(CardToken {
            token: card.id,
            brand: number.brand(),
            last4: card.last4,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_numbers_have_their_behaviours_and_every_stored_text_reads_back() {
        let behaviour = |n: &str| Behaviour::of(&CardNumber::parse(n).unwrap());
        assert_eq!(behaviour("4242424242424242"), Behaviour::Succeed);
        assert_eq!(behaviour("5555555555554444"), Behaviour::Succeed);
        assert_eq!(
            behaviour("4000000000000002"),
            Behaviour::Decline("generic_decline")
        );
        assert_eq!(
            behaviour("4000000000009995"),
            Behaviour::Decline("insufficient_funds")
        );
        assert_eq!(behaviour("4000002760003184"), Behaviour::ThreeDSecure);
        assert_eq!(behaviour("4000000000000341"), Behaviour::FailCharges);
        for b in [
            Behaviour::Succeed,
            Behaviour::Decline("incorrect_cvc"),
            Behaviour::ThreeDSecure,
            Behaviour::FailCharges,
        ] {
            assert_eq!(Behaviour::from_stored(&b.as_stored()), Some(b));
        }
        // An unknown text is not read as "declined": it is corrupt.
        assert_eq!(Behaviour::from_stored("decline:made_up"), None);
        assert_eq!(Behaviour::from_stored("sometimes"), None);
        for state in [
            ThreeDSecure::NotNeeded,
            ThreeDSecure::Required,
            ThreeDSecure::Approved,
            ThreeDSecure::Failed,
        ] {
            assert_eq!(ThreeDSecure::from_stored(state.as_str()), Some(state));
        }
    }
}
