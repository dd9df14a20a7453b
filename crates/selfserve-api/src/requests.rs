//! Requests to IT: a person who may not buy a product asks the organisation's admins for it,
//! and an admin answers (turn the policy on, buy centrally, or decline with a message).

use crate::eligibility::IneligibleReason;
use crate::product::ProductId;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};

/// The longest message an admin may send with an answer, in characters.
pub const MAX_ANSWER_MESSAGE: usize = 1000;

wire_enum! {
    /// Where a request to IT stands.
    pub enum RequestStatus {
        /// Waiting for an admin.
        Open => "open",
        /// An admin answered it (`answer` says how).
        Answered => "answered",
    }
}

wire_enum! {
    /// How an admin answered a request.
    pub enum RequestOutcome {
        /// Self-service purchase of the product was turned on (global admins only).
        Enabled => "enabled",
        /// The organisation buys it centrally and assigns the licence.
        BoughtCentrally => "bought_centrally",
        /// No, with an optional message.
        Declined => "declined",
    }
}

/// Body of `POST /requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// A product id (an unknown one is 404 `unknown_product`, as for trials).
    pub product: String,
}

/// Body of `POST /admin/requests/{id}/answer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub outcome: RequestOutcome,
    /// Told to the requester (at most [`MAX_ANSWER_MESSAGE`] characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Requester {
    pub id: String,
    pub email: String,
    pub name: String,
}

/// An admin's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestAnswer {
    pub outcome: RequestOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The admin's name.
    pub answered_by: String,
    /// When (unix seconds).
    pub answered_at: i64,
}

/// A request to IT, as its requester and the organisation's admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItRequest {
    /// `req_…`.
    pub id: String,
    pub product: ProductId,
    /// Why the requester could not buy it when they asked.
    pub reason: IneligibleReason,
    pub status: RequestStatus,
    pub requester: Requester,
    /// When it was made (unix seconds).
    pub created: i64,
    /// Present once answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<RequestAnswer>,
}
