//! [`AppError`]: how every failure becomes the JSON error envelope.

use super::language::Language;
use super::messages::service as m;
use super::messages::{Text, validation};
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
    /// The body (boxed: it is large, and errors travel through many `Result`s). Its `message`
    /// is empty until rendered: the words are `text`, in the request's language.
    pub body: Box<ApiError>,
    /// The message, in every language.
    pub text: Text,
    /// Seconds to wait before retrying (429), sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl AppError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, text: impl Into<Text>) -> Self {
        Self {
            status,
            body: Box::new(ApiError::new(code, String::new())),
            text: text.into(),
            retry_after: None,
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: ErrorCode, text: impl Into<Text>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, text)
    }

    /// 409 `conflict`: the request is fine, the state it meets is not (already done, in
    /// progress, ended).
    pub fn conflict(text: impl Into<Text>) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, text)
    }

    /// 404 `not_found`.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, m::NOT_FOUND)
    }

    /// 403 `not_eligible` with the reason, in words and as `reason`.
    pub fn not_eligible(reason: selfserve_api::eligibility::IneligibleReason) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::NotEligible,
            validation::ineligible(reason),
        )
        .reason(reason.as_str())
    }

    /// 500 `internal_error`; the cause goes to the log, never to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            m::INTERNAL,
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

    /// The envelope with the message in `language`.
    pub fn envelope(&self, language: Language) -> ApiError {
        let mut body = (*self.body).clone();
        body.error.message = self.text.render(language);
        body
    }

    /// The envelope as JSON, in the language of the request being served: what the client
    /// gets, and what an idempotent request stores to replay.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.envelope(Language::current())).unwrap_or_default()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.envelope(Language::current()))).into_response();
        if self.body.error.code == ErrorCode::NotAuthenticated {
            response
                .extensions_mut()
                .insert(super::session::SessionRefused);
        }
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
                    AdminRefusal::NotAnAdmin => m::ADMIN_NOT_AN_ADMIN,
                    AdminRefusal::OwnOrganizationOnly => m::ADMIN_OWN_ORGANIZATION_ONLY,
                    AdminRefusal::NoDelegationForCustomer => m::ADMIN_NO_DELEGATION_FOR_CUSTOMER,
                    AdminRefusal::NoDelegation => m::ADMIN_NO_DELEGATION,
                    AdminRefusal::GlobalAdminOnly => m::ADMIN_GLOBAL_ONLY,
                    AdminRefusal::WebhooksGlobalAdminOnly => m::ADMIN_WEBHOOKS_GLOBAL_ONLY,
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
                    NoSeats::Assign { free } => m::NO_SEATS_ASSIGN.arg("free", free),
                    NoSeats::TakeOver { free, people } => m::NO_SEATS_TAKE_OVER
                        .arg("free", free)
                        .arg("people", people),
                    NoSeats::NoCentralSubscription => m::NO_CENTRAL_SUBSCRIPTION.into(),
                },
            ),
            ServiceError::UsersNotFound { missing, by_email } => {
                let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
                let more = missing.len().saturating_sub(5);
                let text = if more > 0 {
                    m::USERS_NOT_FOUND_MORE.arg("more", more)
                } else {
                    m::USERS_NOT_FOUND.into()
                };
                Self::new(
                    StatusCode::NOT_FOUND,
                    ErrorCode::UserNotFound,
                    text.arg("who", shown.join(", ")),
                )
                .field(if by_email { "emails" } else { "user_ids" })
            }
            ServiceError::NoLicenceHeld => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::UserNotFound,
                m::NO_LICENCE_HELD,
            ),
            ServiceError::Invalid(invalid) => invalid_error(invalid),
            // Refunds are made from the command line only; worded here all the same.
            ServiceError::Refund(refusal) => Self::conflict(match refusal {
                RefundRefusal::NotPaid => m::REFUND_NOT_PAID.into(),
                RefundRefusal::TooMuch { refundable } => {
                    m::REFUND_TOO_MUCH.arg("refundable", refundable)
                }
                RefundRefusal::NotPositive => m::REFUND_NOT_POSITIVE.into(),
                RefundRefusal::NoReason => m::REFUND_NO_REASON.into(),
                RefundRefusal::ProcessorRefused(code) => {
                    m::REFUND_PROCESSOR_REFUSED.arg("code", code)
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
    let text = match (reached.kind, reached.currency) {
        (LimitKind::MaxSeatsPerPurchase, _) => {
            m::CAP_SEATS_PER_PURCHASE.arg("value", reached.value)
        }
        (LimitKind::MaxSeats, _) => m::CAP_SEATS
            .arg("value", reached.value)
            .arg("available", reached.available),
        (LimitKind::MonthlyCap, Some(currency)) => m::CAP_MONTHLY
            .arg(
                "value",
                Money::new(reached.value, currency).to_plain_string(),
            )
            .arg(
                "available",
                Money::new(reached.available, currency).to_plain_string(),
            ),
        (LimitKind::MonthlyCap, None) => m::CAP_MONTHLY_REACHED.into(),
    };
    let mut error = AppError::new(StatusCode::FORBIDDEN, ErrorCode::NotEligible, text)
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
            m::PAYMENT_ABANDONED,
        ),
        PaymentFailure::AuthenticationRequired(challenge) => {
            let mut error = AppError::new(
                StatusCode::PAYMENT_REQUIRED,
                ErrorCode::AuthenticationRequired,
                m::AUTHENTICATION_REQUIRED,
            );
            error.body.error.next_action = Some(NextAction {
                kind: "three_d_secure".into(),
                challenge_id: challenge.id,
                url: challenge.url,
                client_secret: None,
            });
            error
        }
        PaymentFailure::InvalidToken => {
            AppError::bad_request(ErrorCode::InvalidToken, m::INVALID_TOKEN).field("payment_token")
        }
        PaymentFailure::TokenAlreadyUsed => {
            AppError::bad_request(ErrorCode::TokenAlreadyUsed, m::TOKEN_ALREADY_USED)
                .field("payment_token")
        }
        PaymentFailure::NoCardOnFile => {
            AppError::bad_request(ErrorCode::InvalidToken, m::NO_CARD_ON_FILE)
                .field("payment_token")
        }
    }
}

/// 402 `card_declined` with a message that says what to do.
pub fn declined(decline_code: &str) -> AppError {
    let text = match decline_code {
        "insufficient_funds" => m::DECLINED_INSUFFICIENT_FUNDS,
        "expired_card" => m::DECLINED_EXPIRED,
        "incorrect_cvc" => m::DECLINED_INCORRECT_CVC,
        "processing_error" => m::DECLINED_PROCESSING_ERROR,
        "authentication_failed" => m::DECLINED_AUTHENTICATION_FAILED,
        crate::payments::AUTHENTICATION_REQUIRED => m::DECLINED_AUTHENTICATION_REQUIRED,
        _ => m::DECLINED,
    };
    let mut error = AppError::new(StatusCode::PAYMENT_REQUIRED, ErrorCode::CardDeclined, text);
    error.body.error.decline_code = Some(decline_code.to_owned());
    error
}

fn conflict_error(conflict: Conflict) -> AppError {
    AppError::conflict(match conflict {
        Conflict::SeatsNotChangeable => m::SEATS_NOT_CHANGEABLE.into(),
        Conflict::SeatsWhileEnding => m::SEATS_WHILE_ENDING.into(),
        Conflict::SeatsChangedMeanwhile => m::SEATS_CHANGED_MEANWHILE.into(),
        Conflict::BelowAssigned { assigned, wanted } => m::BELOW_ASSIGNED
            .arg("assigned", assigned)
            .arg("wanted", wanted),
        Conflict::BillAlreadyPaid => m::BILL_ALREADY_PAID.into(),
        Conflict::BillVoid => m::BILL_VOID.into(),
        Conflict::PaymentInFlight => m::PAYMENT_IN_FLIGHT.into(),
        Conflict::BillPaidOrPaying => m::BILL_PAID_OR_PAYING.into(),
        Conflict::NotAssignable => m::NOT_ASSIGNABLE.into(),
        Conflict::AlreadyCancelledOrEnded => m::ALREADY_CANCELLED_OR_ENDED.into(),
        Conflict::NothingToUndo => m::NOTHING_TO_UNDO.into(),
        Conflict::NotSelfService => m::NOT_SELF_SERVICE.into(),
        Conflict::CentralNotAssignable => m::CENTRAL_NOT_ASSIGNABLE.into(),
        Conflict::HadTrial => m::HAD_TRIAL.into(),
        Conflict::NoCardOnTrial => m::NO_CARD_ON_TRIAL.into(),
        Conflict::CardNotReplaceable => m::CARD_NOT_REPLACEABLE.into(),
        Conflict::MayBuyAlready => m::MAY_BUY_ALREADY.into(),
        Conflict::RequestAlreadyAnswered => m::REQUEST_ALREADY_ANSWERED.into(),
    })
}

fn invalid_error(invalid: Invalid) -> AppError {
    use crate::admin_webhooks::UrlRefusal;
    match invalid {
        Invalid::NotATrialToConvert => {
            AppError::bad_request(ErrorCode::InvalidRequest, m::NOT_A_TRIAL_TO_CONVERT)
                .field("convert_trial")
        }
        Invalid::TooFewForTrial {
            users,
            needed,
            buyer_included,
        } => AppError::bad_request(
            ErrorCode::InvalidQuantity,
            if buyer_included {
                m::TOO_FEW_FOR_TRIAL_WITH_BUYER
            } else {
                m::TOO_FEW_FOR_TRIAL
            }
            .arg("users", users)
            .arg("needed", needed),
        )
        .field("quantity"),
        Invalid::NoSuchCentralSubscription => AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            m::NO_SUCH_CENTRAL_SUBSCRIPTION,
        )
        .field("central_subscription_id"),
        Invalid::AnswerMessageTooLong => AppError::bad_request(
            ErrorCode::InvalidRequest,
            m::ANSWER_MESSAGE_TOO_LONG.arg("max", selfserve_api::requests::MAX_ANSWER_MESSAGE),
        )
        .field("message"),
        Invalid::AssignmentSize => {
            AppError::bad_request(ErrorCode::InvalidRequest, m::ASSIGNMENT_SIZE).field("user_ids")
        }
        Invalid::WebhookUrl(refusal) => AppError::bad_request(
            ErrorCode::InvalidRequest,
            match refusal {
                UrlRefusal::NotAUrl => m::WEBHOOK_URL_NOT_A_URL,
                UrlRefusal::TooLong => m::WEBHOOK_URL_TOO_LONG,
                UrlRefusal::NotHttps => m::WEBHOOK_URL_NOT_HTTPS,
                UrlRefusal::Credentials => m::WEBHOOK_URL_CREDENTIALS,
                UrlRefusal::Fragment => m::WEBHOOK_URL_FRAGMENT,
                UrlRefusal::InternalAddress => m::WEBHOOK_URL_INTERNAL,
                UrlRefusal::Unresolvable => m::WEBHOOK_URL_UNRESOLVABLE,
            },
        )
        .field("url"),
        Invalid::UnsubscribeLink => AppError::bad_request(
            ErrorCode::InvalidRequest,
            super::messages::requests::UNSUBSCRIBE_INVALID,
        ),
        Invalid::WebhookEvents => {
            AppError::bad_request(ErrorCode::InvalidRequest, m::WEBHOOK_EVENTS_EMPTY)
                .field("events")
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::internal(error)
    }
}
