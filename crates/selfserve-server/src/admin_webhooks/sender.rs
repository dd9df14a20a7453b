//! Delivery: a task in each server claims due deliveries (a lease, so several servers on one
//! database never post the same one at the same time), posts each with a fresh signature, and
//! records the outcome. No database transaction is open while a request is on its way. At
//! least once: a server that dies after the endpoint answered but before recording it posts
//! again, with the same body and event id.

use super::targets::TargetRefused;
use super::{SIGNATURE_HEADER, WebhookTargets, check_url, signature};
use crate::notifications::sender::backoff;
use crate::store::admin_webhooks::ClaimedDelivery;
use crate::store::outbox::real_now;
use crate::store::{Store, StoreError};
use std::time::Duration;
use tokio::sync::watch;

/// A whole request's limit (connect, send, answer headers).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one sender owns a claimed delivery: well past [`REQUEST_TIMEOUT`], so a delivery
/// is never claimed twice while a request is still running.
const LEASE_SECONDS: i64 = 30;
/// How often the table is looked at when nothing is due. Events are written by every request
/// path, the billing loop, the command line and other servers; one indexed query a second is
/// cheaper than threading a wake-up through each of them, and an organisation's tool hears of
/// an event within about a second.
const POLL: Duration = Duration::from_secs(1);
/// One at a time, so that a slow endpoint never holds claimed deliveries past their lease.
const BATCH: i64 = 1;
/// After this many attempts a delivery is marked failed: with backoff of 2, 4, 8 … seconds,
/// capped at 15 minutes, about two and a half hours of trying.
pub const MAX_ATTEMPTS: i64 = 16;

/// One server's webhook sender.
pub struct WebhookSender {
    store: Store,
    client: reqwest::Client,
    targets: WebhookTargets,
    owner: String,
}

impl WebhookSender {
    /// A sender posting with its own HTTP client: no redirects (a 3xx is not an answer, and
    /// would lead past the address checks), no proxy from the environment (it would resolve
    /// the host instead of us), and a resolver that checks every address it hands out.
    pub fn new(store: Store, targets: WebhookTargets) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .dns_resolver(super::targets::resolver(targets))
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("selfserve-webhooks/1")
            .build()
            .map_err(|e| format!("webhook HTTP client: {e}"))?;
        Ok(Self {
            store,
            client,
            targets,
            owner: crate::ids::new_id("hooks"),
        })
    }

    /// Delivers until `stopped`.
    pub async fn run(self, mut stopped: watch::Receiver<bool>) -> std::io::Result<()> {
        loop {
            if let Err(error) = self.deliver_due().await {
                tracing::error!(%error, "delivering webhooks failed");
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                _ = stopped.wait_for(|stop| *stop) => return Ok(()),
            }
        }
    }

    /// Posts every delivery due now; returns how many endpoints took theirs.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let mut delivered = 0;
        loop {
            let now = real_now();
            let claimed = self
                .store
                .claim_webhook_deliveries(&self.owner, now, now + LEASE_SECONDS, BATCH)
                .await?;
            if claimed.is_empty() {
                return Ok(delivered);
            }
            for delivery in claimed {
                match self.post(&delivery).await {
                    Ok(()) => {
                        self.store
                            .webhook_delivered(&delivery.id, &self.owner, real_now())
                            .await?;
                        tracing::info!(id = %delivery.id, endpoint = %delivery.endpoint_id, "webhook delivered");
                        delivered += 1;
                    }
                    Err(error) => {
                        let attempts = delivery.attempts + 1;
                        let retry_at =
                            (attempts < MAX_ATTEMPTS).then(|| real_now() + backoff(attempts));
                        // The endpoint id, never its URL (which may carry a token of theirs).
                        match retry_at {
                            Some(at) => tracing::warn!(
                                id = %delivery.id, endpoint = %delivery.endpoint_id, attempts,
                                retry_in = at - real_now(), %error, "webhook not taken; will retry"
                            ),
                            None => tracing::error!(
                                id = %delivery.id, endpoint = %delivery.endpoint_id, attempts,
                                %error, "webhook failed for good"
                            ),
                        }
                        self.store
                            .webhook_attempt_failed(&delivery.id, &self.owner, &error, retry_at)
                            .await?;
                    }
                }
            }
        }
    }

    /// One attempt: a 2xx is taken; anything else (another status, no answer in time, no
    /// connection) is worth another try.
    async fn post(&self, delivery: &ClaimedDelivery) -> Result<(), String> {
        // Again at each delivery: the deployment's flag may have changed since registration,
        // and an IP-literal host never reaches the resolver.
        check_url(&delivery.url, self.targets)
            .map_err(|refusal| format!("URL refused: {}", refusal.describe()))?;
        let header = signature(&delivery.secret, real_now(), &delivery.body);
        let response = self
            .client
            .post(&delivery.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, header)
            .body(delivery.body.clone())
            .send()
            .await
            // Without the URL: reqwest's error text names it.
            .map_err(|e| describe(&e))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    }
}

fn describe(error: &reqwest::Error) -> String {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(TargetRefused(refusal)) = cause.downcast_ref::<TargetRefused>() {
            return format!("address refused: {}", refusal.describe());
        }
        source = cause.source();
    }
    if error.is_timeout() {
        "no answer in time".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    }
}
