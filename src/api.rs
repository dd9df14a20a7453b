//! The only module that knows URLs. Every request goes through [`fetch_json`], which turns
//! any failure into an [`ApiFailure`]. A read (`GET`) is aborted when the reactive owner that
//! started it is cleaned up, so navigating off a page cancels its resources' loads; a write is
//! never aborted, even when it runs in an `Action` whose component goes away: cutting it off
//! mid-flight could leave the buyer unsure whether a payment or a change was made.

use crate::json;
use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::on_cleanup;
use selfserve_api::admin::{
    AdminOrganization, AuditAction, AuditEntry, CapacityEntry, CentralPurchaseRequest,
    CreatedWebhookEndpoint, NewWebhookEndpoint, NoticePreferences, Policy, PolicyEntry,
    PolicyUpdate, TakeOverCancel, TakeOverRequest, TakeOverResult, TrialRequest, WebhookEndpoint,
};
use selfserve_api::card::{CardToken, TokenRequest};
use selfserve_api::eligibility::{EligibilityRequest, EligibilityResponse};
use selfserve_api::manage::{
    AssignRequest, PayInvoiceRequest, PaymentMethodRequest, SeatChangeQuote, SeatChangeRequest,
};
use selfserve_api::product::ProductList;
use selfserve_api::purchase::{PurchaseRequest, Quote, QuoteRequest};
use selfserve_api::requests::{AnswerRequest, ItRequest, NewRequest};
use selfserve_api::session::{SessionUser, SignInRequest};
use selfserve_api::subscription::{Holders, Invoice, Source, Subscription, UserRef};
use selfserve_api::{ApiError, ErrorBody, ErrorCode, List};
use send_wrapper::SendWrapper;
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
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
        /// The envelope's details (boxed: they are large and travel in every `Result`).
        error: Box<ErrorBody>,
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

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Unexpected { status } => Some(*status),
            Self::Network => None,
        }
    }

    /// The envelope's message, if the server sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Api { error, .. } => Some(&error.message),
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

/// What the server says about itself (`GET /api/v1/config`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "WireConfig")]
pub struct ClientConfig {
    /// Where card details are posted (built-in gateway).
    pub gateway_url: String,
    /// Who takes the card in the browser.
    pub processor: CardProcessor,
    /// Who sells, with their terms and privacy statement: each only when the deployment names
    /// it (`--seller-name`, `--terms-url`, `--privacy-url`).
    pub seller: Seller,
}

/// The seller as the deployment names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seller {
    pub name: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
}

/// Who takes the card in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardProcessor {
    /// Our card form, posting to the built-in gateway.
    Builtin,
    /// Stripe.js's card Element.
    Stripe(StripeKeys),
}

/// What the app needs to load Stripe.js: never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeKeys {
    /// `pk_…`.
    pub publishable_key: String,
    /// Where Stripe.js is loaded from.
    pub js_url: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireProcessor {
    Builtin,
    Stripe,
}

#[derive(serde::Deserialize)]
struct WireConfig {
    gateway_url: String,
    processor: WireProcessor,
    stripe_publishable_key: Option<String>,
    stripe_js_url: Option<String>,
    #[serde(default)]
    seller_name: Option<String>,
    #[serde(default)]
    terms_url: Option<String>,
    #[serde(default)]
    privacy_url: Option<String>,
}

impl TryFrom<WireConfig> for ClientConfig {
    type Error = &'static str;

    fn try_from(wire: WireConfig) -> Result<Self, Self::Error> {
        let processor = match (
            wire.processor,
            wire.stripe_publishable_key,
            wire.stripe_js_url,
        ) {
            (WireProcessor::Builtin, _, _) => CardProcessor::Builtin,
            (WireProcessor::Stripe, Some(publishable_key), Some(js_url)) => {
                CardProcessor::Stripe(StripeKeys {
                    publishable_key,
                    js_url,
                })
            }
            (WireProcessor::Stripe, _, _) => {
                return Err("processor stripe without its publishable key and Stripe.js URL");
            }
        };
        Ok(Self {
            gateway_url: wire.gateway_url,
            processor,
            seller: Seller {
                name: wire.seller_name,
                terms_url: wire.terms_url,
                privacy_url: wire.privacy_url,
            },
        })
    }
}

/// `GET /api/v1/config`.
pub async fn config() -> Result<ClientConfig, ApiFailure> {
    fetch_json(Request::get("/api/v1/config")).await
}

/// `GET /api/v1/products?country=CC`.
pub async fn products(country: &str) -> Result<ProductList, ApiFailure> {
    fetch_json(Request::get(&format!(
        "/api/v1/products?country={}",
        encode(country)
    )))
    .await
}

/// `POST /api/v1/eligibility`: the email step.
pub async fn eligibility(email: &str, product: &str) -> Result<EligibilityResponse, ApiFailure> {
    let body = EligibilityRequest {
        email: email.to_owned(),
        product: product.to_owned(),
    };
    fetch_json(with_json(Request::post("/api/v1/eligibility"), &body)?).await
}

/// `POST /api/v1/session`: sign in.
pub async fn sign_in(email: &str, password: &str) -> Result<SessionUser, ApiFailure> {
    let body = SignInRequest {
        email: email.to_owned(),
        password: password.to_owned(),
    };
    fetch_json(with_json(Request::post("/api/v1/session"), &body)?).await
}

/// `GET /api/v1/sso/start`: where the browser goes to sign in at the organisation's identity
/// provider, coming back to `return_to` (a path of this app).
pub fn sso_start_url(email: &str, return_to: &str) -> String {
    format!(
        "/api/v1/sso/start?email={}&return_to={}",
        encode(email),
        encode(return_to)
    )
}

/// `GET /api/v1/session`: who is signed in (401 if nobody).
pub async fn session() -> Result<SessionUser, ApiFailure> {
    fetch_json(Request::get("/api/v1/session")).await
}

/// `DELETE /api/v1/session`: sign out.
pub async fn sign_out() -> Result<(), ApiFailure> {
    fetch_json::<IgnoredAny>(write(Request::delete("/api/v1/session"))?)
        .await
        .map(drop)
}

/// `POST /api/v1/quotes`.
pub async fn quote(product: &str, quantity: u32) -> Result<Quote, ApiFailure> {
    let body = QuoteRequest {
        product: product.to_owned(),
        quantity: i64::from(quantity),
    };
    fetch_json(with_json(Request::post("/api/v1/quotes"), &body)?).await
}

/// `POST /api/v1/purchases` with the attempt's idempotency key.
pub async fn purchase(
    request: &PurchaseRequest,
    idempotency_key: &str,
) -> Result<Subscription, ApiFailure> {
    let builder = Request::post("/api/v1/purchases").header("Idempotency-Key", idempotency_key);
    fetch_json(with_json(builder, request)?).await
}

/// `GET /api/v1/subscriptions?purchaser=me`: a page of what the signed-in person bought
/// (whatever their role: an admin's organisation's purchases are not theirs), newest first,
/// after `starting_after`; without licence holders (counted in `assigned_count`), so a
/// 10,000-seat subscription in the list is not 10,000 people to fetch.
pub async fn my_subscriptions(
    starting_after: Option<String>,
) -> Result<List<Subscription>, ApiFailure> {
    let after =
        starting_after.map_or_else(String::new, |id| format!("&starting_after={}", encode(&id)));
    fetch_json(Request::get(&format!(
        "/api/v1/subscriptions?purchaser=me&assigned_users_limit=0&limit={PAGE_ROWS}{after}"
    )))
    .await
}

/// Rows in a page of a subscription list (the server allows up to 100).
pub const PAGE_ROWS: u32 = 50;

/// `GET /api/v1/subscriptions/{id}`, listing at most `holders` of its licence holders
/// (`None`: all of them).
pub async fn subscription(id: &str, holders: Option<u32>) -> Result<Subscription, ApiFailure> {
    let limit = holders.map_or_else(String::new, |n| format!("?assigned_users_limit={n}"));
    fetch_json(Request::get(&format!(
        "/api/v1/subscriptions/{}{limit}",
        encode(id)
    )))
    .await
}

/// `GET /api/v1/subscriptions/{id}/assignments?q=&limit=`: the first `limit` licence holders
/// matching `filter`, and how many match.
pub async fn holders(id: &str, filter: &str, limit: u32) -> Result<Holders, ApiFailure> {
    fetch_json(Request::get(&format!(
        "/api/v1/subscriptions/{}/assignments?q={}&limit={limit}",
        encode(id),
        encode(filter)
    )))
    .await
}

/// `GET /api/v1/directory/users?q=&limit=`: colleagues to give a licence to.
pub async fn search_users(query: &str, limit: u32) -> Result<List<UserRef>, ApiFailure> {
    fetch_json(Request::get(&format!(
        "/api/v1/directory/users?q={}&limit={limit}",
        encode(query)
    )))
    .await
}

/// `POST /api/v1/subscriptions/{id}/assignments`.
pub async fn assign(id: &str, request: &AssignRequest) -> Result<Subscription, ApiFailure> {
    let url = format!("/api/v1/subscriptions/{}/assignments", encode(id));
    fetch_json(with_json(Request::post(&url), request)?).await
}

/// `DELETE /api/v1/subscriptions/{id}/assignments/{user}`.
pub async fn unassign(id: &str, user_id: &str) -> Result<Subscription, ApiFailure> {
    let url = format!(
        "/api/v1/subscriptions/{}/assignments/{}",
        encode(id),
        encode(user_id)
    );
    fetch_json(write(Request::delete(&url))?).await
}

/// `POST /api/v1/subscriptions/{id}/seats/quote`.
pub async fn quote_seats(id: &str, quantity: u32) -> Result<SeatChangeQuote, ApiFailure> {
    let url = format!("/api/v1/subscriptions/{}/seats/quote", encode(id));
    let body = SeatChangeRequest {
        quantity: i64::from(quantity),
        payment_token: None,
    };
    fetch_json(with_json(Request::post(&url), &body)?).await
}

/// `POST /api/v1/subscriptions/{id}/seats` with the attempt's idempotency key.
pub async fn change_seats(
    id: &str,
    request: &SeatChangeRequest,
    idempotency_key: &str,
) -> Result<Subscription, ApiFailure> {
    let url = format!("/api/v1/subscriptions/{}/seats", encode(id));
    let builder = Request::post(&url).header("Idempotency-Key", idempotency_key);
    fetch_json(with_json(builder, request)?).await
}

/// `GET /api/v1/subscriptions/{id}/invoices`.
pub async fn invoices(id: &str) -> Result<List<Invoice>, ApiFailure> {
    fetch_json(Request::get(&format!(
        "/api/v1/subscriptions/{}/invoices",
        encode(id)
    )))
    .await
}

/// `GET /api/v1/invoices/{id}`.
pub async fn invoice(id: &str) -> Result<Invoice, ApiFailure> {
    fetch_json(Request::get(&format!("/api/v1/invoices/{}", encode(id)))).await
}

/// `POST /api/v1/invoices/{id}/pay` with the attempt's idempotency key.
pub async fn pay_invoice(
    id: &str,
    request: &PayInvoiceRequest,
    idempotency_key: &str,
) -> Result<Invoice, ApiFailure> {
    let url = format!("/api/v1/invoices/{}/pay", encode(id));
    let builder = Request::post(&url).header("Idempotency-Key", idempotency_key);
    fetch_json(with_json(builder, request)?).await
}

/// `PUT /api/v1/subscriptions/{id}/payment-method`.
pub async fn set_payment_method(id: &str, token: &str) -> Result<Subscription, ApiFailure> {
    let url = format!("/api/v1/subscriptions/{}/payment-method", encode(id));
    let body = PaymentMethodRequest {
        payment_token: token.to_owned(),
    };
    fetch_json(with_json(Request::put(&url), &body)?).await
}

/// `POST /api/v1/subscriptions/{id}/cancel` (or `/reactivate` to undo).
pub async fn set_cancelled(id: &str, cancel: bool) -> Result<Subscription, ApiFailure> {
    let action = if cancel { "cancel" } else { "reactivate" };
    let url = format!("/api/v1/subscriptions/{}/{action}", encode(id));
    fetch_json(with_json(Request::post(&url), &NoFields {})?).await
}

fn scoped(path: &str, organization: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}organization={}", encode(organization))
}

/// `GET /api/v1/admin/organizations`: the organisations the caller administers.
pub async fn admin_organizations() -> Result<List<AdminOrganization>, ApiFailure> {
    fetch_json(Request::get("/api/v1/admin/organizations")).await
}

/// What the admins' purchase list is cut and ordered by (`GET /api/v1/admin/subscriptions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseListing {
    pub source: Option<Source>,
    /// Words matched by the server against product, purchaser and licence holders.
    pub words: String,
    /// `product`, `purchaser`, `quantity`, `expiry` or `price`.
    pub sort: &'static str,
    pub ascending: bool,
}

/// Licence holders listed per purchase in the admins' list (each one's details); the
/// subscription's own page has them all.
pub const ADMIN_HOLDERS_LISTED: u32 = 20;

/// `GET /api/v1/admin/subscriptions`: a page of the organisation's subscriptions as `listing`
/// cuts and orders them, after `starting_after`, each with its first few licence holders.
pub async fn admin_subscriptions(
    organization: &str,
    listing: &PurchaseListing,
    starting_after: Option<String>,
) -> Result<List<Subscription>, ApiFailure> {
    let source = listing
        .source
        .map_or_else(String::new, |s| format!("&source={s}"));
    let after =
        starting_after.map_or_else(String::new, |id| format!("&starting_after={}", encode(&id)));
    let path = format!(
        "/api/v1/admin/subscriptions?q={}{source}&sort={}&order={}&limit={PAGE_ROWS}\
         &assigned_users_limit={ADMIN_HOLDERS_LISTED}{after}",
        encode(&listing.words),
        listing.sort,
        if listing.ascending { "asc" } else { "desc" },
    );
    fetch_json(Request::get(&scoped(&path, organization))).await
}

/// Where the CSV export of the organisation's subscriptions downloads from (every source when
/// `source` is `None`).
pub fn export_csv_url(organization: &str, source: Option<Source>, query: &str) -> String {
    let source = source.map_or(String::new(), |s| format!("&source={s}"));
    scoped(
        &format!(
            "/api/v1/admin/subscriptions/export.csv?q={}{source}",
            encode(query)
        ),
        organization,
    )
}

/// `POST /api/v1/admin/subscriptions`: record a central purchase.
pub async fn central_purchase(
    organization: &str,
    request: &CentralPurchaseRequest,
) -> Result<Subscription, ApiFailure> {
    let url = scoped("/api/v1/admin/subscriptions", organization);
    fetch_json(with_json(Request::post(&url), request)?).await
}

/// `POST /api/v1/admin/subscriptions/{id}/take-over`.
pub async fn take_over(id: &str, cancel: TakeOverCancel) -> Result<TakeOverResult, ApiFailure> {
    let url = format!("/api/v1/admin/subscriptions/{}/take-over", encode(id));
    let request = TakeOverRequest {
        central_subscription_id: None,
        cancel: Some(cancel),
    };
    fetch_json(with_json(Request::post(&url), &request)?).await
}

/// `POST /api/v1/subscriptions/{id}/cancel-request`.
pub async fn cancel_request(id: &str) -> Result<Subscription, ApiFailure> {
    let url = format!("/api/v1/subscriptions/{}/cancel-request", encode(id));
    fetch_json(with_json(Request::post(&url), &NoFields {})?).await
}

/// `GET /api/v1/admin/policies`.
pub async fn policies(organization: &str) -> Result<List<PolicyEntry>, ApiFailure> {
    fetch_json(Request::get(&scoped(
        "/api/v1/admin/policies",
        organization,
    )))
    .await
}

/// `PUT /api/v1/admin/policies/{product}`.
pub async fn set_policy(
    organization: &str,
    product: &str,
    value: Policy,
) -> Result<PolicyEntry, ApiFailure> {
    let body = PolicyUpdate {
        value: Some(value),
        ..PolicyUpdate::default()
    };
    update_policy(organization, product, &body).await
}

/// `PUT /api/v1/admin/policies/{product}` with any of the policy and its limits.
pub async fn update_policy(
    organization: &str,
    product: &str,
    body: &PolicyUpdate,
) -> Result<PolicyEntry, ApiFailure> {
    let url = scoped(
        &format!("/api/v1/admin/policies/{}", encode(product)),
        organization,
    );
    fetch_json(with_json(Request::put(&url), body)?).await
}

/// `GET /api/v1/admin/notice-preferences`: how the signed-in admin gets admin notices.
pub async fn notice_preferences() -> Result<NoticePreferences, ApiFailure> {
    fetch_json(Request::get("/api/v1/admin/notice-preferences")).await
}

/// `PUT /api/v1/admin/notice-preferences`.
pub async fn set_notice_preferences(
    body: &NoticePreferences,
) -> Result<NoticePreferences, ApiFailure> {
    fetch_json(with_json(
        Request::put("/api/v1/admin/notice-preferences"),
        body,
    )?)
    .await
}

/// `GET /api/v1/admin/capacity`.
pub async fn capacity(organization: &str) -> Result<List<CapacityEntry>, ApiFailure> {
    fetch_json(Request::get(&scoped(
        "/api/v1/admin/capacity",
        organization,
    )))
    .await
}

/// `GET /api/v1/admin/audit?action=…`: the latest entries of those kinds (of every kind when
/// `actions` is empty).
pub async fn audit(
    organization: &str,
    actions: &[AuditAction],
) -> Result<List<AuditEntry>, ApiFailure> {
    let actions: Vec<&str> = actions.iter().map(|a| a.as_str()).collect();
    let url = scoped(
        &format!(
            "/api/v1/admin/audit?limit=50&action={}",
            encode(&actions.join(","))
        ),
        organization,
    );
    fetch_json(Request::get(&url)).await
}

/// `POST /api/v1/trials`.
pub async fn start_trial(product: &str) -> Result<Subscription, ApiFailure> {
    let body = TrialRequest {
        product: product.to_owned(),
        quantity: None,
    };
    fetch_json(with_json(Request::post("/api/v1/trials"), &body)?).await
}

/// `POST /api/v1/requests`: asks the caller's IT admins for `product`. `true` with a new
/// request (201), `false` when the caller's open request was given back (200: asked before).
pub async fn ask_admins(product: &str) -> Result<(ItRequest, bool), ApiFailure> {
    let body = NewRequest {
        product: product.to_owned(),
    };
    let (status, text) =
        fetch_text(with_json(Request::post("/api/v1/requests"), &body)?.into()).await?;
    let request = json::from_str(&text).ok_or(ApiFailure::Unexpected { status })?;
    Ok((request, status == 201))
}

/// `GET /api/v1/admin/requests`.
pub async fn admin_requests(organization: &str) -> Result<List<ItRequest>, ApiFailure> {
    fetch_json(Request::get(&scoped(
        "/api/v1/admin/requests",
        organization,
    )))
    .await
}

/// `GET /api/v1/admin/requests` for the organisation the server picks when none is named (the
/// one `/admin` opens with): the header's count of open requests.
pub async fn admin_requests_default() -> Result<List<ItRequest>, ApiFailure> {
    fetch_json(Request::get("/api/v1/admin/requests")).await
}

/// `POST /api/v1/admin/requests/{id}/answer`.
pub async fn answer_request(
    organization: &str,
    id: &str,
    answer: &AnswerRequest,
) -> Result<ItRequest, ApiFailure> {
    let url = scoped(
        &format!("/api/v1/admin/requests/{}/answer", encode(id)),
        organization,
    );
    fetch_json(with_json(Request::post(&url), answer)?).await
}

/// `GET /api/v1/admin/webhooks`.
pub async fn admin_webhooks(organization: &str) -> Result<List<WebhookEndpoint>, ApiFailure> {
    fetch_json(Request::get(&scoped(
        "/api/v1/admin/webhooks",
        organization,
    )))
    .await
}

/// `POST /api/v1/admin/webhooks`: the answer carries the signing secret, this once.
pub async fn add_webhook(
    organization: &str,
    body: &NewWebhookEndpoint,
) -> Result<CreatedWebhookEndpoint, ApiFailure> {
    let url = scoped("/api/v1/admin/webhooks", organization);
    fetch_json(with_json(Request::post(&url), body)?).await
}

/// `DELETE /api/v1/admin/webhooks/{id}`.
pub async fn remove_webhook(organization: &str, id: &str) -> Result<(), ApiFailure> {
    let url = scoped(
        &format!("/api/v1/admin/webhooks/{}", encode(id)),
        organization,
    );
    fetch_json::<IgnoredAny>(Request::delete(&url))
        .await
        .map(drop)
}

/// `POST {gateway}/v1/tokens`: the only request that carries a card number, and it goes to the
/// gateway's origin, never to the app's server.
pub async fn tokenize(gateway_url: &str, card: &TokenRequest) -> Result<CardToken, ApiFailure> {
    let url = format!("{}/v1/tokens", gateway_url.trim_end_matches('/'));
    fetch_json(with_json(Request::post(&url), card)?).await
}

/// `POST {challenge url}`: the buyer's answer to a 3-D Secure challenge (`approve` or `fail`).
pub async fn answer_challenge(url: &str, approve: bool) -> Result<(), ApiFailure> {
    #[derive(Serialize)]
    struct Answer {
        result: &'static str,
    }
    let body = Answer {
        result: if approve { "approve" } else { "fail" },
    };
    fetch_json::<IgnoredAny>(with_json(Request::post(url), &body)?)
        .await
        .map(drop)
}

/// The body of a write that needs none: `{}`.
#[derive(Serialize)]
struct NoFields {}

fn with_json(builder: RequestBuilder, body: &impl Serialize) -> Result<Request, ApiFailure> {
    let text = json::to_string(body).ok_or(ApiFailure::Network)?;
    builder
        .header("Content-Type", "application/json")
        .body(text)
        .map_err(|_| ApiFailure::Network)
}

/// A write without a body, built so that it is never aborted (see the module's note).
fn write(builder: RequestBuilder) -> Result<Request, ApiFailure> {
    builder.build().map_err(|_| ApiFailure::Network)
}

/// Sends a request and decodes the JSON answer, or the error envelope.
async fn fetch_json<T: DeserializeOwned>(request: impl Into<Sendable>) -> Result<T, ApiFailure> {
    let (status, text) = fetch_text(request.into()).await?;
    json::from_str(&text).ok_or(ApiFailure::Unexpected { status })
}

/// The status and body of a successful answer. Not generic, so the wasm holds it once rather
/// than once per answer type.
async fn fetch_text(request: Sendable) -> Result<(u16, String), ApiFailure> {
    // The server words its error messages in the reader's language.
    let language = crate::i18n::current_language().code();
    let response = match request {
        Sendable::Builder(builder) => {
            let controller = web_sys::AbortController::new().ok();
            let signal = controller.as_ref().map(web_sys::AbortController::signal);
            let controller = SendWrapper::new(controller);
            on_cleanup(move || {
                if let Some(controller) = controller.take() {
                    controller.abort();
                }
            });
            builder
                .header("Accept-Language", language)
                .abort_signal(signal.as_ref())
                .send()
                .await
        }
        // A write goes out as built and is allowed to finish.
        Sendable::Request(request) => {
            request.headers().set("Accept-Language", language);
            request.send().await
        }
    }
    .map_err(|_| ApiFailure::Network)?;
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiFailure::Network)?;
    if response.ok() {
        return Ok((status, text));
    }
    Err(match json::from_str::<ApiError>(&text) {
        Some(envelope) => ApiFailure::Api {
            status,
            error: Box::new(envelope.error),
        },
        None => ApiFailure::Unexpected { status },
    })
}

/// A read (abortable) or a write.
enum Sendable {
    Builder(RequestBuilder),
    Request(Request),
}

impl From<RequestBuilder> for Sendable {
    fn from(builder: RequestBuilder) -> Self {
        Self::Builder(builder)
    }
}

impl From<Request> for Sendable {
    fn from(request: Request) -> Self {
        Self::Request(request)
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
