//! [`AppError`]: how every failure becomes the JSON error envelope.

use crate::services::refunds::RefundRefusal;
use crate::services::{AdminRefusal, Conflict, Invalid, NoSeats, PaymentFailure, ServiceError};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use selfserve_api::error::NextAction;
use selfserve_api::{ApiError, ErrorCode};

/// An error response: a status and the envelope. Handlers return `Result<_, AppError>`.
#[derive(Debug, Clone)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body (boxed: it is large, and errors travel through many `Result`s).
    pub body: Box<ApiError>,
    /// Seconds to wait before retrying (429), sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl AppError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ApiError::new(code, message)),
            retry_after: None,
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 409 `conflict`: the request is fine, the state it meets is not (already done, in
    /// progress, ended).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, message)
    }

    /// 404 `not_found`.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "There is nothing at this address.",
        )
    }

    /// 403 `not_eligible` with the reason, in words and as `reason`.
    pub fn not_eligible(reason: selfserve_api::eligibility::IneligibleReason) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::NotEligible,
            reason.to_string(),
        )
        .reason(reason.as_str())
    }

    /// 500 `internal_error`; the cause goes to the log, never to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side. Nothing was charged twice; please try again.",
        )
    }

    /// Asks the client to wait this long before retrying.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Adds the reason of a 403 `not_eligible`.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.body.error.reason = Some(reason.into());
        self
    }

    /// Names the request field the error is about.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.error.field = Some(field.into());
        self
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(*self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => Self::not_found(),
            ServiceError::AdminRequired(refusal) => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::AdminRequired,
                match refusal {
                    AdminRefusal::NotAnAdmin => {
                        "Only global admins, billing admins and delegated partners can see this."
                    }
                    AdminRefusal::OwnOrganizationOnly => {
                        "You can only administer your own organisation."
                    }
                    AdminRefusal::NoDelegationForCustomer => {
                        "Your organisation has no delegated admin rights for that customer."
                    }
                    AdminRefusal::NoDelegation => {
                        "Your organisation has no delegated admin rights for any customer."
                    }
                    AdminRefusal::GlobalAdminOnly => {
                        "Only global admins can change product policies."
                    }
                    AdminRefusal::WebhooksGlobalAdminOnly => {
                        "Only global admins can manage webhook endpoints."
                    }
                },
            ),
            ServiceError::NotEligible(reason) => Self::not_eligible(reason),
            ServiceError::CapReached(reached) => cap_reached(reached),
            ServiceError::Payment(failure) => payment_failure(failure),
            ServiceError::Conflict(conflict) => conflict_error(conflict),
            ServiceError::NoSeats(no_seats) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::NoSeatsAvailable,
                match no_seats {
                    NoSeats::Assign { free } => format!(
                        "Only {free} licence(s) are free, so nobody was assigned. Buy more \
                         licences or choose fewer people."
                    ),
                    NoSeats::TakeOver { free, people } => format!(
                        "The central subscription has {free} free seat(s) for {people} people: \
                         nobody was moved. Add central seats first."
                    ),
                    NoSeats::NoCentralSubscription => {
                        "There is no central subscription of this product. Record one first."
                            .to_owned()
                    }
                },
            ),
            ServiceError::UsersNotFound { missing, by_email } => {
                let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
                let more = missing.len().saturating_sub(5);
                Self::new(
                    StatusCode::NOT_FOUND,
                    ErrorCode::UserNotFound,
                    format!(
                        "No one in your organisation matches {}{}. Nobody was assigned.",
                        shown.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    ),
                )
                .field(if by_email { "emails" } else { "user_ids" })
            }
            ServiceError::NoLicenceHeld => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::UserNotFound,
                "That person doesn't hold a licence of this subscription.",
            ),
            ServiceError::Invalid(invalid) => invalid_error(invalid),
            // Refunds are made from the command line only; worded here all the same.
            ServiceError::Refund(refusal) => Self::conflict(match refusal {
                RefundRefusal::NotPaid => "That bill was not paid by card.".to_owned(),
                RefundRefusal::TooMuch { refundable } => {
                    format!("Only {refundable} (minor units) of that bill is left to refund.")
                }
                RefundRefusal::NotPositive => "A refund must be more than zero.".to_owned(),
                RefundRefusal::NoReason => "A refund needs a reason.".to_owned(),
                RefundRefusal::ProcessorRefused(code) => {
                    format!("The card processor refused the refund ({code}).")
                }
            }),
            ServiceError::Store(error) => Self::internal(error),
        }
    }
}

/// 403 `not_eligible`, `reason: "cap_reached"`, the limit in `error.limit`.
fn cap_reached(reached: selfserve_api::guardrails::ReachedLimit) -> AppError {
    use selfserve_api::guardrails::LimitKind;
    use selfserve_api::money::Money;
    let message = match (reached.kind, reached.currency) {
        (LimitKind::MaxSeatsPerPurchase, _) => format!(
            "Your IT admin allows at most {} licence(s) in one self-service purchase of this \
             product.",
            reached.value
        ),
        (LimitKind::MaxSeats, _) => format!(
            "Your IT admin allows at most {} self-service licence(s) of this product in your \
             organisation; {} are left.",
            reached.value, reached.available
        ),
        (LimitKind::MonthlyCap, Some(currency)) => format!(
            "Your IT admin allows at most {} of self-service purchases of this product a month; \
             {} is left this month.",
            Money::new(reached.value, currency).to_plain_string(),
            Money::new(reached.available, currency).to_plain_string()
        ),
        (LimitKind::MonthlyCap, None) => {
            "Your IT admin's monthly limit on self-service purchases of this product is reached."
                .to_owned()
        }
    };
    let mut error = AppError::new(StatusCode::FORBIDDEN, ErrorCode::NotEligible, message)
        .reason(selfserve_api::eligibility::IneligibleReason::CapReached.as_str());
    error.body.error.limit = Some(reached);
    error
}

fn payment_failure(failure: PaymentFailure) -> AppError {
    match failure {
        PaymentFailure::Declined(code) => declined(&code),
        // Not the card: this attempt stalled and was given up. A 5xx, so the idempotency layer
        // stores nothing under the key, which may already carry the retry's answer.
        PaymentFailure::Abandoned => AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServiceUnavailable,
            "This attempt took too long and was stopped; nothing was charged. Try again.",
        ),
        PaymentFailure::AuthenticationRequired(challenge) => {
            let mut error = AppError::new(
                StatusCode::PAYMENT_REQUIRED,
                ErrorCode::AuthenticationRequired,
                "Your bank needs to confirm this payment.",
            );
            error.body.error.next_action = Some(NextAction {
                kind: "three_d_secure".into(),
                challenge_id: challenge.id,
                url: challenge.url,
                client_secret: None,
            });
            error
        }
        PaymentFailure::InvalidToken => AppError::bad_request(
            ErrorCode::InvalidToken,
            "The card token is not valid. Enter the card again.",
        )
        .field("payment_token"),
        PaymentFailure::TokenAlreadyUsed => AppError::bad_request(
            ErrorCode::TokenAlreadyUsed,
            "This card token was already used. Enter the card again.",
        )
        .field("payment_token"),
        PaymentFailure::NoCardOnFile => {
            AppError::bad_request(ErrorCode::InvalidToken, "Add a card first.")
                .field("payment_token")
        }
    }
}

/// 402 `card_declined` with a message that says what to do.
pub fn declined(decline_code: &str) -> AppError {
    let message = match decline_code {
        "insufficient_funds" => "Your card has insufficient funds. Try another card.",
        "expired_card" => "Your card has expired. Check the expiry date or use another card.",
        "incorrect_cvc" => "Your card's security code is incorrect. Check it and try again.",
        "processing_error" => {
            "An error occurred while processing your card. Try again in a moment."
        }
        "authentication_failed" => {
            "Your bank could not confirm that it's you. Try again or use another card."
        }
        crate::payments::AUTHENTICATION_REQUIRED => {
            "Your bank confirms every payment with this card. Pay with the card's details \
             again to confirm it, or use another card."
        }
        _ => "Your card was declined. Try another card or contact your bank.",
    };
    let mut error = AppError::new(
        StatusCode::PAYMENT_REQUIRED,
        ErrorCode::CardDeclined,
        message,
    );
    error.body.error.decline_code = Some(decline_code.to_owned());
    error
}

fn conflict_error(conflict: Conflict) -> AppError {
    AppError::conflict(match conflict {
        Conflict::SeatsNotChangeable => {
            "Only an active subscription can change its number of licences.".to_owned()
        }
        Conflict::SeatsWhileEnding => "This subscription ends at the end of its period: undo \
                                       the cancellation before changing its number of licences."
            .to_owned(),
        Conflict::SeatsChangedMeanwhile => "The number of licences just changed, or another \
                                            change is in progress. Check the licences and try \
                                            again."
            .to_owned(),
        Conflict::BelowAssigned { assigned, wanted } => format!(
            "{assigned} licences are assigned. Remove licences from people first, then reduce \
             to {wanted}."
        ),
        Conflict::BillAlreadyPaid => "This bill is already paid.".to_owned(),
        Conflict::BillVoid => {
            "This bill was cancelled with its subscription: there is nothing to pay.".to_owned()
        }
        Conflict::PaymentInFlight => "A payment of this subscription is in progress. Try \
                                      again in a minute, once it has gone through or failed."
            .to_owned(),
        Conflict::BillPaidOrPaying => {
            "This bill is already paid, or a payment of it is in progress.".to_owned()
        }
        Conflict::NotAssignable => {
            "Licences can't be assigned while the subscription is suspended or ended.".to_owned()
        }
        Conflict::AlreadyCancelledOrEnded => {
            "This subscription is already cancelled or has ended.".to_owned()
        }
        Conflict::NothingToUndo => "There is no cancellation to undo.".to_owned(),
        Conflict::NotSelfService => {
            "Only a self-service subscription can be taken over or asked to cancel.".to_owned()
        }
        Conflict::CentralNotAssignable => {
            "The central subscription can't take licences now.".to_owned()
        }
        Conflict::HadTrial => "You already had a trial of this product.".to_owned(),
        Conflict::NoCardOnTrial => "A trial has no card. To keep using the product after \
                                    the trial, buy it."
            .to_owned(),
        Conflict::CardNotReplaceable => "This subscription has ended: it takes no card.".to_owned(),
        Conflict::MayBuyAlready => {
            "You may buy this product yourself: there is nothing to ask your IT admin.".to_owned()
        }
        Conflict::RequestAlreadyAnswered => "This request has already been answered.".to_owned(),
    })
}

fn invalid_error(invalid: Invalid) -> AppError {
    match invalid {
        Invalid::NotATrialToConvert => AppError::bad_request(
            ErrorCode::InvalidRequest,
            "That is not a trial of this product you can buy.",
        )
        .field("convert_trial"),
        Invalid::TooFewForTrial {
            users,
            needed,
            buyer_included,
        } => AppError::bad_request(
            ErrorCode::InvalidQuantity,
            if buyer_included {
                format!(
                    "{users} people use the trial, and you get a licence too: buy at least \
                     {needed} licences."
                )
            } else {
                format!("{users} people use the trial: buy at least {needed} licences.")
            },
        )
        .field("quantity"),
        Invalid::NoSuchCentralSubscription => AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "No central subscription of this product with that id.",
        )
        .field("central_subscription_id"),
        Invalid::AnswerMessageTooLong => AppError::bad_request(
            ErrorCode::InvalidRequest,
            format!(
                "The message may be at most {} characters long.",
                selfserve_api::requests::MAX_ANSWER_MESSAGE
            ),
        )
        .field("message"),
        Invalid::AssignmentSize => AppError::bad_request(
            ErrorCode::InvalidRequest,
            "Send between 1 and 1,000 users in `user_ids` or `emails`.",
        )
        .field("user_ids"),
        Invalid::WebhookUrl(refusal) => AppError::bad_request(
            ErrorCode::InvalidRequest,
            format!("The endpoint URL is {}.", refusal.describe()),
        )
        .field("url"),
        Invalid::WebhookEvents => AppError::bad_request(
            ErrorCode::InvalidRequest,
            "Choose at least one event, or leave `events` out to receive every event.",
        )
        .field("events"),
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::internal(error)
    }
}
