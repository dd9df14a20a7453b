//! The only module that knows URLs. Every request goes through [`fetch_json`], which turns
//! any failure into an [`ApiFailure`] and aborts the request if the view that asked for it goes
//! away (navigating off a page cancels its loads).

use gloo_net::http::{Request, Response};
use leptos::prelude::on_cleanup;
use selfserve_api::product::ProductList;
use selfserve_api::{ApiError, ErrorBody, ErrorCode};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use std::fmt;

/// Why a request did not produce the expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFailure {
    /// No answer at all: offline, server down, request aborted.
    Network,
    /// The server answered with the error envelope.
    Api {
        /// HTTP status.
        status: u16,
        /// The envelope's details.
        error: ErrorBody,
    },
    /// The server answered something that is not the expected JSON (a proxy's error page).
    Unexpected {
        /// HTTP status.
        status: u16,
    },
}

impl ApiFailure {
    /// The envelope's code, if the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network => f.write_str("network error"),
            Self::Api { status, error } => write!(f, "{status} {}: {}", error.code, error.message),
            Self::Unexpected { status } => write!(f, "unexpected response ({status})"),
        }
    }
}

impl std::error::Error for ApiFailure {}

/// `GET /api/v1/products?country=CC`.
pub async fn products(country: &str) -> Result<ProductList, ApiFailure> {
    fetch_json(Request::get(&format!(
        "/api/v1/products?country={}",
        encode(country)
    )))
    .await
}

/// Sends a request and decodes the JSON answer, or the error envelope.
async fn fetch_json<T: DeserializeOwned>(
    request: gloo_net::http::RequestBuilder,
) -> Result<T, ApiFailure> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    let controller = SendWrapper::new(controller);
    on_cleanup(move || {
        if let Some(controller) = controller.take() {
            controller.abort();
        }
    });
    let response = request
        .abort_signal(signal.as_ref())
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    decode(response).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiFailure::Network)?;
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| ApiFailure::Unexpected { status })
    } else {
        match serde_json::from_str::<ApiError>(&text) {
            Ok(envelope) => Err(ApiFailure::Api {
                status,
                error: envelope.error,
            }),
            Err(_) => Err(ApiFailure::Unexpected { status }),
        }
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
