//! The single JSON error envelope: every error the API returns, from a malformed body to a
//! declined card, is an HTTP status plus `{"error": {"code", "message", ...}}`.

use serde::{Deserialize, Serialize};

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// What went wrong.
    pub error: ErrorBody,
}

/// The details of an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Machine-readable code; clients branch on this, never on `message`.
    pub code: ErrorCode,
    /// A sentence for a human (English); the app shows its own catalogue text per `code`.
    pub message: String,
    /// The request field the error is about, for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why a purchase is not allowed (403 `not_eligible`), e.g. `guest` or `policy_disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The card issuer's reason for a 402 `card_declined`, e.g. `insufficient_funds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// What the client must do before retrying (402 `authentication_required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<NextAction>,
    /// The guardrail a 403 `not_eligible` with `reason: "cap_reached"` ran into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<crate::guardrails::ReachedLimit>,
}

/// A step the buyer must complete before the charge can go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextAction {
    /// Always `three_d_secure` today.
    #[serde(rename = "type")]
    pub kind: String,
    /// The gateway's challenge to approve or fail.
    pub challenge_id: String,
    /// Where the challenge is answered, on the gateway's origin (with Stripe,
    /// `stripe-js:<intent id>`: Stripe.js answers it).
    pub url: String,
    /// With Stripe: the intent's client secret, for Stripe.js to run the bank's check
    /// (`stripe.confirmCardPayment`). Read from Stripe for every response, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl ApiError {
    /// An error with just a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorBody {
                code,
                message: message.into(),
                field: None,
                reason: None,
                decline_code: None,
                next_action: None,
                limit: None,
            },
        }
    }

    /// Names the request field the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.error.field = Some(field.into());
        self
    }

    /// Adds the reason of a 403 `not_eligible`.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.error.reason = Some(reason.into());
        self
    }
}

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// Every error code the API returns. Unknown codes from a newer server decode as
        /// [`ErrorCode::Unknown`] so an older app keeps working.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code this version of the crate does not know.
            #[serde(other)]
            Unknown,
        }

        impl ErrorCode {
            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Unknown => "unknown",
                }
            }
        }
    };
}

error_codes! {
    /// 400: the body is not valid JSON or does not have the expected shape.
    InvalidJson => "invalid_json",
    /// 400: a field has a value outside its rules; `field` names it.
    InvalidRequest => "invalid_request",
    /// 400: the email address is not well formed.
    InvalidEmail => "invalid_email",
    /// 400: the country code is not an ISO 3166-1 alpha-2 code.
    InvalidCountry => "invalid_country",
    /// 400: the seat count is not a whole number within the product's limits.
    InvalidQuantity => "invalid_quantity",
    /// 400: a state-changing request without `Idempotency-Key`.
    IdempotencyKeyRequired => "idempotency_key_required",
    /// 400: the card number fails the brand's length or the Luhn check.
    IncorrectNumber => "incorrect_number",
    /// 400: the expiry month is not 1 to 12.
    InvalidExpiryMonth => "invalid_expiry_month",
    /// 400: the expiry year is in the past or too far ahead.
    InvalidExpiryYear => "invalid_expiry_year",
    /// 400: the CVC does not have the brand's length.
    InvalidCvc => "invalid_cvc",
    /// 400: the payment token is unknown.
    InvalidToken => "invalid_token",
    /// 400: the payment token was already charged.
    TokenAlreadyUsed => "token_already_used",
    /// 401: not signed in, or the session ended.
    NotAuthenticated => "not_authenticated",
    /// 401: unknown user, wrong password or disabled account (deliberately indistinguishable).
    InvalidCredentials => "invalid_credentials",
    /// 401: the organisation signs in at its identity provider (`GET /sso/start`), not with a
    /// password.
    SsoRequired => "sso_required",
    /// 402: the card was declined; `decline_code` says why.
    CardDeclined => "card_declined",
    /// 402: the card needs 3-D Secure; `next_action` says how.
    AuthenticationRequired => "authentication_required",
    /// 403: the request's `Origin` is not this server's.
    ForbiddenOrigin => "forbidden_origin",
    /// 403: this user may not buy this product; `reason` says why.
    NotEligible => "not_eligible",
    /// 403: only an organisation's admins may do this.
    AdminRequired => "admin_required",
    /// 404: no such route or resource.
    NotFound => "not_found",
    /// 404: no product with that id.
    UnknownProduct => "unknown_product",
    /// 404: no such user in the caller's organisation.
    UserNotFound => "user_not_found",
    /// 405: the route exists but not with this method.
    MethodNotAllowed => "method_not_allowed",
    /// 409: a request with this idempotency key is still being processed.
    IdempotencyInProgress => "idempotency_in_progress",
    /// 409: not enough free seats for all of the requested assignments.
    NoSeatsAvailable => "no_seats_available",
    /// 409: the request conflicts with the resource's current state.
    Conflict => "conflict",
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge => "payload_too_large",
    /// 415: a body that is not `Content-Type: application/json`.
    UnsupportedMediaType => "unsupported_media_type",
    /// 422: this idempotency key was used with a different request.
    IdempotencyKeyReused => "idempotency_key_reused",
    /// 429: too many sign-in attempts; try again later.
    TooManyAttempts => "too_many_attempts",
    /// 429: too many requests.
    RateLimited => "rate_limited",
    /// 500: the server failed; nothing was charged twice, retrying is safe.
    InternalError => "internal_error",
    /// 503: the server is shutting down or the database is unavailable.
    ServiceUnavailable => "service_unavailable",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_wire_text() {
        for code in [
            ErrorCode::InvalidJson,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::NotEligible,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn envelope_omits_empty_details_and_tolerates_unknown_codes() {
        let json = serde_json::to_string(&ApiError::new(ErrorCode::NotFound, "nope")).unwrap();
        assert_eq!(json, r#"{"error":{"code":"not_found","message":"nope"}}"#);
        let parsed: ApiError =
            serde_json::from_str(r#"{"error":{"code":"brand_new_code","message":"x"}}"#).unwrap();
        assert_eq!(parsed.error.code, ErrorCode::Unknown);
    }
}
