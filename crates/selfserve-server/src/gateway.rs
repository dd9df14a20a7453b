//! The built-in test card gateway, on its own listener and so its own origin: the browser posts
//! card numbers here and nowhere else, and the rest of the server only ever sees tokens, brand,
//! last four and expiry. It behaves like a card processor's test mode: the test numbers of
//! ../shared/API.md decline, ask for 3-D Secure, or fail every later charge.
//!
//! # Invariants
//! - No card number, CVC or cardholder name is stored, logged or returned; a number's test
//!   behaviour is decided at tokenisation and only that behaviour is kept.
//! - A charge is recorded once per idempotency key; charging the same key again returns the
//!   recorded outcome, so money moves at most once per key.
//! - A token is charged successfully at most once.

use crate::clock::Clock;
use crate::domain::calendar::date_of;
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::ids::new_id;
use crate::store::gateway::{ChargeRow, RecordedCharge, StoredCard};
use crate::store::{Store, StoreError};
use crate::throttle::{Throttle, throttled_address};
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderValue, Method, header};
use axum::routing::{get, post};
use selfserve_api::ErrorCode;
use selfserve_api::card::{CardError, CardNumber, CardToken, Expiry, TokenRequest, validate_cvc};
use selfserve_api::money::Currency;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

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

    fn as_stored(self) -> String {
        match self {
            Self::Succeed => "succeed".into(),
            Self::Decline(code) => format!("decline:{code}"),
            Self::ThreeDSecure => "three_d_secure".into(),
            Self::FailCharges => "fail_charges".into(),
        }
    }

    fn from_stored(text: &str) -> Self {
        const CODES: &[&str] = &[
            "generic_decline",
            "insufficient_funds",
            "expired_card",
            "incorrect_cvc",
            "processing_error",
        ];
        match text {
            "succeed" => Self::Succeed,
            "three_d_secure" => Self::ThreeDSecure,
            "fail_charges" => Self::FailCharges,
            other => other
                .strip_prefix("decline:")
                .and_then(|code| CODES.iter().find(|c| **c == code))
                .map_or(Self::Decline("generic_decline"), |code| Self::Decline(code)),
        }
    }
}

/// What a charge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Money moved.
    Succeeded {
        /// `ch_…`.
        charge_id: String,
        /// The card saved for later charges, if asked for.
        saved_card: Option<StoredCard>,
    },
    /// The issuer refused.
    Declined {
        /// Why (`insufficient_funds`, `authentication_failed`, …).
        decline_code: String,
    },
    /// The buyer must pass 3-D Secure first; nothing moved.
    RequiresAction {
        /// The challenge to answer.
        challenge_id: String,
        /// Where to answer it (the gateway's origin).
        url: String,
    },
}

/// Why a charge could not even be attempted.
#[derive(Debug, thiserror::Error)]
pub enum ChargeError {
    /// No such token or card.
    #[error("unknown payment token")]
    InvalidToken,
    /// The token was already charged.
    #[error("payment token already used")]
    TokenAlreadyUsed,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The gateway as the rest of the server uses it: tokens in, outcomes out.
#[derive(Debug, Clone)]
pub struct Gateway {
    store: Store,
    clock: Clock,
    /// The gateway's origin as browsers reach it (for challenge URLs).
    origin: Arc<str>,
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
            brand: brand_name(number.brand()),
            last4: number.last4().to_owned(),
            exp_month: expiry.month,
            exp_year: expiry.year,
            behaviour: behaviour.as_stored(),
        };
        let three_d_secure = if behaviour == Behaviour::ThreeDSecure {
            "required"
        } else {
            "none"
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

    /// The card behind a token or saved card, for display (brand, last four, expiry).
    pub async fn card(&self, source: &str) -> Result<Option<StoredCard>, StoreError> {
        if source.starts_with("tok_") {
            Ok(self.store.token(source).await?.map(|token| token.card))
        } else {
            self.store.payment_method(source).await
        }
    }

    /// Saves a token as a card on file without charging it.
    pub async fn save_card(&self, token_id: &str) -> Result<StoredCard, ChargeError> {
        let token = self
            .store
            .token(token_id)
            .await?
            .ok_or(ChargeError::InvalidToken)?;
        if token.used {
            return Err(ChargeError::TokenAlreadyUsed);
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
            Ok(saved)
        } else {
            Err(ChargeError::TokenAlreadyUsed)
        }
    }

    /// Charges `amount` to a token (`tok_…`, single use) or a saved card (`pm_…`). The same
    /// `key` always gives the same outcome and moves money at most once. With `save_card`, a
    /// token's successful charge also saves the card for later charges.
    pub async fn charge(
        &self,
        source: &str,
        amount: i64,
        currency: Currency,
        key: &str,
        save_card: bool,
    ) -> Result<ChargeOutcome, ChargeError> {
        if let Some(recorded) = self.store.charge_by_key(key).await? {
            return self.outcome_of(recorded).await;
        }
        let (card, token) = if source.starts_with("tok_") {
            let token = self
                .store
                .token(source)
                .await?
                .ok_or(ChargeError::InvalidToken)?;
            if token.used {
                return Err(ChargeError::TokenAlreadyUsed);
            }
            (token.card.clone(), Some(token))
        } else {
            let card = self
                .store
                .payment_method(source)
                .await?
                .ok_or(ChargeError::InvalidToken)?;
            (card, None)
        };

        let decline = |code: &str| ChargeRow {
            id: new_id("ch"),
            outcome: "declined".into(),
            decline_code: Some(code.to_owned()),
            payment_method_id: None,
            amount,
        };
        let mut saved = None;
        let row = match (Behaviour::from_stored(&card.behaviour), &token) {
            (Behaviour::Decline(code), _) => decline(code),
            (Behaviour::FailCharges, _) => decline("generic_decline"),
            (Behaviour::ThreeDSecure, Some(token)) if token.three_d_secure != "approved" => {
                if token.three_d_secure == "failed" {
                    // The buyer failed the challenge: decline this attempt; a new attempt gets
                    // a new challenge.
                    self.store
                        .set_token_three_d_secure(source, "required", None)
                        .await?;
                    decline("authentication_failed")
                } else {
                    let challenge_id = match &token.challenge_id {
                        Some(open) => open.clone(),
                        None => {
                            let id = new_id("chl");
                            self.store
                                .set_token_three_d_secure(source, "required", Some(&id))
                                .await?;
                            id
                        }
                    };
                    let url = format!("{}/v1/challenges/{challenge_id}", self.origin);
                    return Ok(ChargeOutcome::RequiresAction { challenge_id, url });
                }
            }
            // Approved 3-D Secure, an ordinary card, or a saved card charged off-session.
            _ => {
                if save_card && token.is_some() {
                    saved = Some(StoredCard {
                        id: new_id("pm"),
                        ..card.clone()
                    });
                }
                ChargeRow {
                    id: new_id("ch"),
                    outcome: "succeeded".into(),
                    decline_code: None,
                    payment_method_id: saved.as_ref().map(|c| c.id.clone()),
                    amount,
                }
            }
        };
        let recorded = self
            .store
            .record_charge(
                &row,
                key,
                source,
                currency.as_str(),
                saved.as_ref(),
                self.clock.now(),
            )
            .await?;
        match recorded {
            RecordedCharge::Recorded(row) => self.outcome_of(row).await,
            RecordedCharge::TokenAlreadyUsed => Err(ChargeError::TokenAlreadyUsed),
        }
    }

    /// Closes `key` if nothing was charged under it: a later charge with the key gets a
    /// decline (`abandoned`) instead of moving money. Recovery closes an order's key before
    /// giving the order up, so a request that stalled past the recovery lease cannot charge
    /// after its order was rolled back. `None` when the key is closed with nothing charged
    /// (by this call or an earlier one); otherwise what was recorded first.
    pub async fn close_key(
        &self,
        key: &str,
        currency: &str,
    ) -> Result<Option<ChargeOutcome>, ChargeError> {
        let closing = ChargeRow {
            id: new_id("ch"),
            outcome: "declined".into(),
            decline_code: Some(ABANDONED.into()),
            payment_method_id: None,
            amount: 0,
        };
        let recorded = self
            .store
            .record_charge(&closing, key, "", currency, None, self.clock.now())
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

    async fn outcome_of(&self, row: ChargeRow) -> Result<ChargeOutcome, ChargeError> {
        if row.outcome == "succeeded" {
            let saved_card = match &row.payment_method_id {
                Some(id) => self.store.payment_method(id).await?,
                None => None,
            };
            Ok(ChargeOutcome::Succeeded {
                charge_id: row.id,
                saved_card,
            })
        } else {
            Ok(ChargeOutcome::Declined {
                decline_code: row.decline_code.unwrap_or_else(|| "generic_decline".into()),
            })
        }
    }
}

/// The decline a closed key gives a charge that comes too late.
pub const ABANDONED: &str = "abandoned";

/// The wire name of a brand (`visa`, `amex`, …).
pub fn brand_name(brand: selfserve_api::card::CardBrand) -> String {
    serde_json::to_value(brand)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// Why tokenisation failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    /// A card field is wrong.
    #[error("{0}")]
    Card(CardError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<TokenizeError> for AppError {
    fn from(error: TokenizeError) -> Self {
        match error {
            TokenizeError::Card(card) => {
                let code = match card {
                    CardError::IncorrectNumber => ErrorCode::IncorrectNumber,
                    CardError::InvalidExpiryMonth => ErrorCode::InvalidExpiryMonth,
                    CardError::InvalidExpiryYear | CardError::Expired => {
                        ErrorCode::InvalidExpiryYear
                    }
                    CardError::InvalidCvc => ErrorCode::InvalidCvc,
                };
                let field = match card {
                    CardError::IncorrectNumber => "number",
                    CardError::InvalidExpiryMonth => "exp_month",
                    CardError::InvalidExpiryYear | CardError::Expired => "exp_year",
                    CardError::InvalidCvc => "cvc",
                };
                AppError::bad_request(code, card.to_string()).field(field)
            }
            TokenizeError::Store(error) => AppError::internal(error),
        }
    }
}

/// State of the gateway's listener.
#[derive(Debug, Clone)]
struct GatewayState {
    gateway: Gateway,
    throttle: Throttle,
}

/// Body of `POST /v1/challenges/{id}`.
#[derive(Debug, Deserialize)]
struct ChallengeAnswer {
    /// `approve` or `fail`.
    result: String,
}

/// Answer of `POST /v1/challenges/{id}`.
#[derive(Debug, Serialize)]
struct ChallengeStatus {
    id: String,
    status: &'static str,
}

/// The gateway's routes. Only `app_origins` may call it from a browser (CORS).
pub fn router(gateway: Gateway, app_origins: Vec<String>) -> Router {
    let origins: Vec<HeaderValue> = app_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600));
    let state = GatewayState {
        gateway,
        // Card testing (trying many numbers) is the abuse to slow down.
        throttle: Throttle::new(60, Duration::from_secs(60)),
    };
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/v1/tokens", post(create_token))
        .route("/v1/challenges/{id}", post(answer_challenge))
        .fallback(|| async { AppError::not_found() })
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .layer(cors)
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |request: &axum::extract::Request| {
                    // Path only: never a body, never a query.
                    tracing::info_span!("gateway", method = %request.method(), path = request.uri().path())
                },
            ),
        )
}

async fn create_token(
    State(state): State<GatewayState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<axum::Json<CardToken>, AppError> {
    if let Some(ip) = throttled_address(&headers, peer) {
        state.throttle.check(&format!("tokens:{ip}"))?;
    }
    Ok(axum::Json(state.gateway.tokenize(&request).await?))
}

async fn answer_challenge(
    State(state): State<GatewayState>,
    Path(id): Path<String>,
    ApiJson(answer): ApiJson<ChallengeAnswer>,
) -> Result<axum::Json<ChallengeStatus>, AppError> {
    let status = match answer.result.as_str() {
        "approve" => "approved",
        "fail" => "failed",
        _ => {
            return Err(AppError::bad_request(
                ErrorCode::InvalidRequest,
                "`result` must be `approve` or `fail`.",
            )
            .field("result"));
        }
    };
    if state.gateway.store.answer_challenge(&id, status).await? {
        Ok(axum::Json(ChallengeStatus { id, status }))
    } else {
        Err(AppError::not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_numbers_have_their_behaviours() {
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
            assert_eq!(Behaviour::from_stored(&b.as_stored()), b);
        }
    }
}
