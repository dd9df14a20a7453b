//! Stripe's idempotency semantics for state-changing requests that move money.
//!
//! The first response to an `Idempotency-Key` (per user) is stored and replayed byte for byte;
//! the same key with a different request is 422 `idempotency_key_reused`; the same key while the
//! first request still runs is 409 `idempotency_in_progress`. Requests that fail validation
//! never reach here, so their errors are not stored (Stripe does the same).

use super::AppState;
use super::error::{AppError, declined};
use crate::fault::{CrashPoint, crash_point};
use crate::http::messages::requests as msg;
use crate::payments::{ABANDONED, Payments};
use crate::services::payments::recover_order;
use crate::store::idempotency::IdempotencyBegin;
use crate::store::orders::OrderRow;
use crate::stripe::STRIPE_JS_CHALLENGE;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use selfserve_api::subscription::{OrderKind, OrderPhase};
use selfserve_api::{ApiError, ErrorCode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::future::Future;

/// A key stuck in progress this long is taken to belong to a request that died with the
/// process; its order is recovered before answering.
const STALE_AFTER_SECONDS: i64 = 120;

/// The key from the request's `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn key_from(headers: &HeaderMap) -> Result<String, AppError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            AppError::bad_request(
                ErrorCode::IdempotencyKeyRequired,
                msg::IDEMPOTENCY_KEY_REQUIRED,
            )
        })?;
    if key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::bad_request(
            ErrorCode::IdempotencyKeyRequired,
            msg::IDEMPOTENCY_KEY_MALFORMED,
        ));
    }
    Ok(key.to_owned())
}

/// A fingerprint of what the request asks for: the route and the parsed body, with object keys
/// sorted so that formatting does not matter.
pub fn fingerprint(route: &str, body: &impl Serialize) -> String {
    let canonical =
        serde_json::to_string(&serde_json::to_value(body).unwrap_or_default()).unwrap_or_default();
    Sha256::digest(format!("{route}\n{canonical}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `work` once per key; replays its stored response for repeats.
pub async fn run<F, Fut, T>(
    state: &AppState,
    user_id: &str,
    key: &str,
    request_hash: &str,
    success: StatusCode,
    work: F,
) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
    T: Serialize,
{
    // Keys age in real time: moving the billing clock for a test must not make them stale.
    let store = &state.services.store;
    let now = state.services.clock.real_now();
    let mut looked_after = false;
    loop {
        match store
            .begin_idempotent(user_id, key, request_hash, now)
            .await?
        {
            IdempotencyBegin::Started => break,
            IdempotencyBegin::Mismatch => {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::IdempotencyKeyReused,
                    msg::IDEMPOTENCY_KEY_REUSED,
                ));
            }
            IdempotencyBegin::Done { status, body } => return render(state, status, body).await,
            IdempotencyBegin::InProgress {
                created_at,
                order_id,
            } => {
                if looked_after
                    || !take_over_key(state, user_id, key, created_at, order_id, now).await?
                {
                    return Err(AppError::new(
                        StatusCode::CONFLICT,
                        ErrorCode::IdempotencyInProgress,
                        msg::IDEMPOTENCY_IN_PROGRESS,
                    ));
                }
                // The key now holds the settled order's response, or was released: look again.
                looked_after = true;
            }
        }
    }

    crash_point(CrashPoint::KeyClaimed);
    let (status, body) = match work().await {
        Ok(value) => (success, serde_json::to_string(&value).unwrap_or_default()),
        Err(error) if error.status.is_server_error() => {
            // Unknown outcome: keep the key in progress. If an order was recorded, it is settled
            // later (recovery, or the next retry); if not, nothing happened: release the key.
            // (`Started`: the key had been released meanwhile, by recovery giving this attempt
            // up, and looking just took it again.)
            if let Ok(
                IdempotencyBegin::Started | IdempotencyBegin::InProgress { order_id: None, .. },
            ) = store
                .begin_idempotent(user_id, key, request_hash, now)
                .await
            {
                let _ = store.abandon_idempotent(user_id, key).await;
            }
            return Err(error);
        }
        Err(error) => (error.status, error.to_json()),
    };
    store
        .finish_idempotent(user_id, key, status.as_u16(), &body)
        .await?;
    crash_point(CrashPoint::Answered);
    render(state, status.as_u16(), body).await
}

/// The response for a stored body. A Stripe 3-D Secure challenge is stored without the
/// intent's client secret (no secret goes into the database) and gets it here, read from
/// Stripe, on the first response and on every replay alike: the secret of an intent never
/// changes, so a replay is still the first response byte for byte.
async fn render(state: &AppState, status: u16, body: String) -> Result<Response, AppError> {
    let body = with_holder_counts(body);
    let Some(mut error) = (status == 402)
        .then(|| serde_json::from_str::<ApiError>(&body).ok())
        .flatten()
    else {
        return Ok(replay(status, body));
    };
    if !with_client_secret(state, &mut error).await? {
        return Ok(replay(status, body));
    }
    Ok(replay(
        status,
        serde_json::to_string(&error).unwrap_or_default(),
    ))
}

/// Gives a Stripe 3-D Secure challenge (a PaymentIntent's or a SetupIntent's) the client secret
/// Stripe.js needs, read from Stripe: true when it did. Nothing to add elsewhere.
pub(crate) async fn with_client_secret(
    state: &AppState,
    error: &mut ApiError,
) -> Result<bool, AppError> {
    let Payments::Stripe(stripe) = &state.services.payments else {
        return Ok(false);
    };
    let Some(action) = error.error.next_action.as_mut() else {
        return Ok(false);
    };
    let Some(intent) = action.url.strip_prefix(STRIPE_JS_CHALLENGE) else {
        return Ok(false);
    };
    match stripe.client_secret(intent).await {
        Ok(secret) => action.client_secret = Some(secret),
        Err(cause) => {
            // The answer is kept under the key: the client's retry with it shows the check.
            tracing::warn!(%cause, "could not read an intent's client secret from Stripe");
            return Err(AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                msg::BANK_CHECK_UNAVAILABLE,
            ));
        }
    }
    Ok(true)
}

/// A key in progress whose request may have died with its process. If its order is settled,
/// store the response that order gives; if the key is old, settle its order or release it.
/// Returns whether the key changed (so the caller looks again) — false means it belongs to a
/// request that is still running.
async fn take_over_key(
    state: &AppState,
    user_id: &str,
    key: &str,
    created_at: i64,
    order_id: Option<String>,
    now: i64,
) -> Result<bool, AppError> {
    let services = &state.services;
    let stale = now - created_at >= STALE_AFTER_SECONDS;
    let order = match &order_id {
        Some(id) => services.store.order(id).await?,
        None => None,
    };
    match &order {
        Some(order) if order.phase == OrderPhase::Created => {
            if !stale {
                return Ok(false);
            }
            recover_order(services, order, services.clock.now()).await?;
        }
        None if !stale => return Ok(false),
        _ => {}
    }
    let settled = match &order_id {
        Some(id) => services.store.order(id).await?,
        None => None,
    };
    let response = match &settled {
        Some(order) => settled_response(state, order).await?,
        None => None,
    };
    match response {
        Some((status, body)) => {
            services
                .store
                .finish_idempotent(user_id, key, status, &body)
                .await?;
        }
        None => services.store.abandon_idempotent(user_id, key).await?,
    }
    Ok(true)
}

/// The response a settled order's request would have given, when it can be told from the
/// order; `None` when the order moved no money (the request may simply run again).
async fn settled_response(
    state: &AppState,
    order: &OrderRow,
) -> Result<Option<(u16, String)>, AppError> {
    let store = &state.services.store;
    let subscription = |status: u16| async move {
        let id = order.subscription_id.clone().unwrap_or_default();
        let view = store
            .subscription(&id)
            .await?
            .ok_or_else(|| AppError::internal(format!("subscription {id} vanished")))?;
        Ok::<_, AppError>(Some((
            status,
            serde_json::to_string(&view).unwrap_or_default(),
        )))
    };
    match (order.phase, order.kind) {
        (OrderPhase::Paid, OrderKind::Purchase) => subscription(201).await,
        (OrderPhase::Paid, OrderKind::SeatIncrease) => subscription(200).await,
        (OrderPhase::Paid, OrderKind::InvoicePayment) => {
            let invoice = store.invoice_of_order(&order.id).await?;
            Ok(invoice.map(|i| (200, serde_json::to_string(&i).unwrap_or_default())))
        }
        (OrderPhase::Failed, _) => Ok(order
            .decline_code
            .as_deref()
            .filter(|code| {
                !matches!(
                    *code,
                    ABANDONED | "invalid_token" | "token_already_used" | "authentication_required"
                )
            })
            .map(|code| {
                let error = declined(code);
                (error.status.as_u16(), error.to_json())
            })),
        (
            OrderPhase::Created | OrderPhase::Paid | OrderPhase::Scheduled,
            OrderKind::Purchase
            | OrderKind::SeatIncrease
            | OrderKind::SeatDecrease
            | OrderKind::Renewal
            | OrderKind::InvoicePayment,
        ) => Ok(None),
    }
}

/// A subscription stored before `assigned_count` existed (issue 14) listed every holder, so
/// its count is their number. Added on replay: the app needs the field, and a purchase retried
/// across that upgrade would otherwise get an answer it cannot read, again on every retry.
fn with_holder_counts(body: String) -> String {
    fn add_counts(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(object) => {
                let listed = match object.get("assigned_users") {
                    Some(serde_json::Value::Array(holders)) => Some(holders.len()),
                    _ => None,
                };
                if let Some(listed) = listed {
                    object
                        .entry("assigned_count")
                        .or_insert_with(|| listed.into());
                }
                object.values_mut().for_each(add_counts);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(add_counts),
            _ => {}
        }
    }
    // Every response stored since has the count: nothing to parse.
    if !body.contains("\"assigned_users\"") || body.contains("\"assigned_count\"") {
        return body;
    }
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(mut value) => {
            add_counts(&mut value);
            value.to_string()
        }
        Err(_) => body,
    }
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_formatting_but_not_content() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{ "a":2,"b":1 }"#).unwrap();
        let c: serde_json::Value = serde_json::from_str(r#"{"a": 2, "b": 3}"#).unwrap();
        assert_eq!(fingerprint("POST /x", &a), fingerprint("POST /x", &b));
        assert_ne!(fingerprint("POST /x", &a), fingerprint("POST /x", &c));
        assert_ne!(fingerprint("POST /x", &a), fingerprint("POST /y", &a));
    }

    #[test]
    fn a_subscription_stored_before_holder_counts_gets_its_count_on_replay() {
        let old = r#"{"id":"sub_1","assigned_users":[{"id":"usr_1"},{"id":"usr_2"}],"quantity":3}"#;
        let replayed: serde_json::Value =
            serde_json::from_str(&with_holder_counts(old.to_owned())).unwrap();
        assert_eq!(replayed["assigned_count"], 2);
        assert_eq!(replayed["quantity"], 3);
        let nested = r#"{"data":[{"assigned_users":[]}]}"#;
        let replayed: serde_json::Value =
            serde_json::from_str(&with_holder_counts(nested.to_owned())).unwrap();
        assert_eq!(replayed["data"][0]["assigned_count"], 0);
        // A body that has its counts, or no holders, is replayed byte for byte.
        let current = r#"{"assigned_users":[{"id":"usr_1"}],"assigned_count":7}"#;
        assert_eq!(with_holder_counts(current.to_owned()), current);
        let error = r#"{"error":{"code":"card_declined"}}"#;
        assert_eq!(with_holder_counts(error.to_owned()), error);
    }

    #[test]
    fn keys_must_be_present_and_sane() {
        let mut headers = HeaderMap::new();
        assert!(key_from(&headers).is_err());
        headers.insert("idempotency-key", HeaderValue::from_static("  "));
        assert!(key_from(&headers).is_err());
        headers.insert(
            "idempotency-key",
            HeaderValue::from_static("7f0c-attempt-1"),
        );
        assert_eq!(key_from(&headers).unwrap(), "7f0c-attempt-1");
        let long = "k".repeat(256);
        headers.insert("idempotency-key", HeaderValue::from_str(&long).unwrap());
        assert!(key_from(&headers).is_err());
    }
}
