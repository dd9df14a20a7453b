//! Stripe's REST API over reqwest: form-encoded requests, JSON answers, the secret key as a
//! bearer token, our `Idempotency-Key` on every request that creates something.

use super::Secret;
use crate::store::StoreError;
use serde_json::Value;
use std::time::Duration;

/// The API version the requests and answers here are written for: Stripe keeps an account's
/// answers stable per version.
const STRIPE_VERSION: &str = "2024-06-20";

/// Stripe's answer to a request it processed.
#[derive(Debug)]
pub enum Answer {
    Ok(Value),
    /// A 4xx that says what was wrong (a decline is 402).
    Refused {
        status: u16,
        error: ApiError,
    },
}

/// The parts of Stripe's `error` object we act on.
#[derive(Debug, Default)]
pub struct ApiError {
    pub code: Option<String>,
    pub decline_code: Option<String>,
    /// The PaymentIntent a declined confirmation left behind.
    pub intent_id: Option<String>,
}

/// A client of one Stripe account.
#[derive(Debug)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    secret_key: Secret,
}

impl Api {
    pub fn new(base: &str, secret_key: Secret) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a TLS backend is compiled in");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            secret_key,
        }
    }

    /// `POST /v1/{path}`; `idempotency_key` makes a repeat answer like the first.
    pub async fn post(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Result<Answer, StoreError> {
        let mut request = self
            .http
            .post(format!("{}/v1/{path}", self.base))
            .form(form);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    /// `GET /v1/{path}`.
    pub async fn get(&self, path: &str) -> Result<Answer, StoreError> {
        self.send(self.http.get(format!("{}/v1/{path}", self.base)))
            .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, StoreError> {
        let unavailable = |why: String| StoreError::ProcessorUnavailable(why);
        let response = request
            .bearer_auth(self.secret_key.expose())
            .header("Stripe-Version", STRIPE_VERSION)
            .send()
            .await
            // Without the URL: it carries ids only, but the message is for the log.
            .map_err(|e| unavailable(format!("Stripe did not answer: {}", e.without_url())))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| unavailable(format!("Stripe's answer was cut: {}", e.without_url())))?;
        let value: Value = serde_json::from_slice(&body)
            .map_err(|_| unavailable(format!("Stripe answered {status} without JSON")))?;
        match status {
            200..=299 => Ok(Answer::Ok(value)),
            // 409: the same idempotency key is being processed right now; 429: rate limited.
            // Neither says what happened: the caller tries again later.
            409 | 429 | 500.. => Err(unavailable(format!("Stripe answered {status}"))),
            _ => {
                let error = &value["error"];
                let text = |field: &str| error[field].as_str().map(str::to_owned);
                Ok(Answer::Refused {
                    status,
                    error: ApiError {
                        code: text("code"),
                        decline_code: text("decline_code"),
                        intent_id: error["payment_intent"]["id"].as_str().map(str::to_owned),
                    },
                })
            }
        }
    }
}

/// A field of a Stripe object that may be an id or the expanded object.
pub fn id_of(value: &Value) -> Option<&str> {
    value.as_str().or_else(|| value["id"].as_str())
}
