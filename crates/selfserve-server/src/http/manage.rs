//! The purchaser's view: colleague search, licences, seat changes, the card on file, bills,
//! cancelling, and the test clock.
//!
//! Money-moving requests (more seats, paying a bill) go through [`billing::settle`]; every
//! endpoint checks on the server that the caller may act on the subscription, and answers 404
//! (never 403) to anyone else.

use super::AppState;
use super::error::AppError;
use super::extract::{ApiJson, ApiQuery};
use super::idempotency;
use super::session::CurrentUser;
use super::subscriptions::may_administer;
use crate::audit::{self, Actor, Change};
use crate::billing::{self, Settled};
use crate::domain::billing::{prorated_subtotal, with_tax};
use crate::gateway::ChargeError;
use crate::purchases::{self, subscription_view};
use crate::store::billing::{Assigned, BillingRow};
use crate::store::directory::UserRow;
use crate::store::purchases::OrderRow;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use selfserve_api::manage::{
    AdvanceClock, AssignRequest, Effective, PayInvoiceRequest, PaymentMethodRequest,
    SeatChangeQuote, SeatChangeRequest,
};
use selfserve_api::money::Currency;
use selfserve_api::product::{ProductId, SeatCount};
use selfserve_api::subscription::{Invoice, Subscription, UserRef};
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use utoipa::IntoParams;

/// The subscription if `current` bought it; 404 otherwise.
async fn owned(state: &AppState, current: &CurrentUser, id: &str) -> Result<BillingRow, AppError> {
    match state.store.billing_row(id).await? {
        Some(row) if row.purchaser_id == current.user.id => Ok(row),
        _ => Err(AppError::not_found()),
    }
}

/// The subscription if `current` bought it or administers its organisation; 404 otherwise.
async fn manageable(
    state: &AppState,
    current: &CurrentUser,
    id: &str,
) -> Result<BillingRow, AppError> {
    match state.store.billing_row(id).await? {
        Some(row)
            if row.purchaser_id == current.user.id
                || may_administer(state, current, &row.organization_id).await? =>
        {
            Ok(row)
        }
        _ => Err(AppError::not_found()),
    }
}

/// Query of `GET /directory/users`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DirectoryQuery {
    /// Start of a name, a word of the name, or an email address.
    q: Option<String>,
    /// At most this many (1–100, default 20).
    limit: Option<i64>,
}

/// Enabled members of the caller's own organisation matching `q`, by name.
#[utoipa::path(
    get,
    path = "/directory/users",
    tag = "manage",
    params(DirectoryQuery),
    responses(
        (status = 200, description = "Matching users", body = List<UserRef>),
        (status = 400, description = "`invalid_request` (limit out of range)", body = selfserve_api::ApiError),
    )
)]
pub async fn search_directory(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> Result<Json<List<UserRef>>, AppError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            "`limit` must be between 1 and 100.",
        )
        .field("limit"));
    }
    let mut users = state
        .store
        .search_users(
            &current.user.organization_id,
            query.q.as_deref().unwrap_or_default(),
            limit + 1,
        )
        .await?;
    let has_more = users.len() as i64 > limit;
    users.truncate(limit as usize);
    Ok(Json(List {
        data: users
            .into_iter()
            .map(|u| UserRef {
                id: u.id,
                email: u.email,
                name: u.name,
            })
            .collect(),
        has_more,
    }))
}

/// Gives seats to users of the subscription's organisation, all or nothing.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/assignments",
    tag = "manage",
    params(("id" = String, Path, description = "`sub_…`")),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "The subscription with its assigned users", body = Subscription),
        (status = 404, description = "`not_found`, or `user_not_found` for anyone outside the organisation", body = selfserve_api::ApiError),
        (status = 409, description = "`no_seats_available`: nothing was assigned", body = selfserve_api::ApiError),
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<Subscription>, AppError> {
    let subscription = manageable(&state, &current, &id).await?;
    let wanted = request.user_ids.len() + request.emails.len();
    if wanted == 0 || wanted > 1_000 {
        return Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            "Send between 1 and 1,000 users in `user_ids` or `emails`.",
        )
        .field("user_ids"));
    }
    // Resolve everyone first (two queries however many): one unknown person and nobody is
    // assigned.
    let emails: Vec<String> = request
        .emails
        .iter()
        .map(|email| email.trim().to_ascii_lowercase())
        .filter(|email| !email.is_empty())
        .collect();
    let by_id: HashMap<String, UserRow> = state
        .store
        .users_among(&request.user_ids, false)
        .await?
        .into_iter()
        .map(|user| (user.id.clone(), user))
        .collect();
    let by_email: HashMap<String, UserRow> = state
        .store
        .users_among(&emails, true)
        .await?
        .into_iter()
        .map(|user| (user.email.clone(), user))
        .collect();
    let mut ids = Vec::with_capacity(wanted);
    let mut missing = Vec::new();
    let requested = request
        .user_ids
        .iter()
        .map(|id| (id, by_id.get(id)))
        .chain(emails.iter().map(|email| (email, by_email.get(email))));
    for (asked, found) in requested {
        match found {
            Some(user) if assignable(user, &subscription) => ids.push(user.id.clone()),
            _ => missing.push(asked.clone()),
        }
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
        let more = missing.len().saturating_sub(5);
        let field = if request.emails.is_empty() {
            "user_ids"
        } else {
            "emails"
        };
        return Err(AppError::new(
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
        .field(field));
    }
    ids.sort();
    ids.dedup();
    let before = assigned_emails(&state, &id).await?;
    match state.store.assign(&id, &ids, state.clock.now()).await? {
        Assigned::Added(_) => {
            let view = subscription_view(&state.store, &id).await?;
            let after: Vec<&str> = view
                .assigned_users
                .iter()
                .map(|u| u.email.as_str())
                .collect();
            audit::record(
                &state.store,
                &subscription.organization_id,
                &Actor::user(&current.user),
                Change {
                    action: "licences_assigned",
                    subscription_id: Some(&id),
                    product: Some(&subscription.product),
                    before: Some(json!({"assigned": before})),
                    after: Some(json!({"assigned": after})),
                },
                state.clock.now(),
            )
            .await;
            Ok(Json(view))
        }
        Assigned::NoSeats { free } => Err(AppError::new(
            StatusCode::CONFLICT,
            ErrorCode::NoSeatsAvailable,
            format!(
                "Only {free} licence(s) are free, so nobody was assigned. Buy more licences or \
                 choose fewer people."
            ),
        )),
        Assigned::NotAssignable => Err(AppError::conflict(
            "Licences can't be assigned while the subscription is suspended or ended.",
        )),
    }
}

async fn assigned_emails(state: &AppState, id: &str) -> Result<Vec<String>, AppError> {
    Ok(subscription_view(&state.store, id)
        .await?
        .assigned_users
        .into_iter()
        .map(|u| u.email)
        .collect())
}

fn assignable(user: &UserRow, subscription: &BillingRow) -> bool {
    user.organization_id == subscription.organization_id && user.enabled && user.in_directory
}

/// Frees a user's seat.
#[utoipa::path(
    delete,
    path = "/subscriptions/{id}/assignments/{user_id}",
    tag = "manage",
    params(("id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 404, description = "`not_found`, or `user_not_found` if the user holds no seat", body = selfserve_api::ApiError),
    )
)]
pub async fn unassign(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Json<Subscription>, AppError> {
    manageable(&state, &current, &id).await?;
    if !state
        .store
        .unassign(&id, &user_id, state.clock.now())
        .await?
    {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UserNotFound,
            "That person doesn't hold a licence of this subscription.",
        ));
    }
    Ok(Json(subscription_view(&state.store, &id).await?))
}

fn parse_seats(subscription: &BillingRow, quantity: i64) -> Result<u32, AppError> {
    let limits = subscription
        .product
        .parse::<ProductId>()
        .map(ProductId::seat_limits)
        .unwrap_or(selfserve_api::product::SeatLimits { min: 1, max: 2500 });
    SeatCount::new(quantity, limits)
        .map(SeatCount::get)
        .map_err(|e| {
            AppError::bad_request(ErrorCode::InvalidQuantity, e.to_string()).field("quantity")
        })
}

fn seat_quote(subscription: &BillingRow, quantity: u32, now: i64) -> SeatChangeQuote {
    let current = subscription.quantity as u32;
    let added = quantity.saturating_sub(current);
    let subtotal = prorated_subtotal(
        subscription.unit_amount,
        added,
        now,
        subscription.current_period_start,
        subscription.current_period_end,
    );
    let now_amounts = with_tax(subtotal, subscription.tax_rate_bps);
    let renewal = with_tax(
        subscription.unit_amount * i64::from(quantity),
        subscription.tax_rate_bps,
    );
    SeatChangeQuote {
        current_quantity: current,
        quantity,
        effective: if quantity > current {
            Effective::Now
        } else {
            Effective::Renewal
        },
        subtotal: now_amounts.subtotal,
        tax: now_amounts.tax,
        total: now_amounts.total,
        currency: Currency::parse(&subscription.currency).unwrap_or(Currency::USD),
        period_end: subscription.current_period_end,
        next_renewal_total: renewal.total,
    }
}

/// What changing to `quantity` seats costs now (prorated) and from the next renewal.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/seats/quote",
    tag = "manage",
    params(("id" = String, Path)),
    request_body = SeatChangeRequest,
    responses((status = 200, description = "The price of the change", body = SeatChangeQuote))
)]
pub async fn quote_seats(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SeatChangeRequest>,
) -> Result<Json<SeatChangeQuote>, AppError> {
    let subscription = owned(&state, &current, &id).await?;
    let quantity = parse_seats(&subscription, request.quantity)?;
    Ok(Json(seat_quote(&subscription, quantity, state.clock.now())))
}

/// Changes the seats: more now, charged prorated (idempotent per `Idempotency-Key`); fewer
/// from the next renewal, never below the seats assigned.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/seats",
    tag = "manage",
    params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body = SeatChangeRequest,
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 402, description = "`card_declined` or `authentication_required`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: below the seats assigned, or not active", body = selfserve_api::ApiError),
    )
)]
pub async fn change_seats(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SeatChangeRequest>,
) -> Result<Response, AppError> {
    let key = idempotency::key_from(&headers)?;
    let subscription = owned(&state, &current, &id).await?;
    let quantity = parse_seats(&subscription, request.quantity)?;
    let hash = idempotency::fingerprint(&format!("POST /subscriptions/{id}/seats"), &request);
    let user_id = current.user.id.clone();
    idempotency::run(&state, &user_id, &key, &hash, StatusCode::OK, || async {
        let now = state.clock.now();
        let subscription = owned(&state, &current, &id).await?;
        if !matches!(subscription.status.as_str(), "active" | "past_due") {
            return Err(AppError::conflict(
                "Only an active subscription can change its number of licences.",
            ));
        }
        // Paying for seats of a subscription that is about to end is never what was meant.
        if subscription.cancel_at_period_end {
            return Err(AppError::conflict(
                "This subscription ends at the end of its period: undo the cancellation before changing its number of licences.",
            ));
        }
        let current_quantity = subscription.quantity as u32;
        if quantity > current_quantity {
            let source = match &request.payment_token {
                Some(token) => client_token(token)?,
                None => subscription.payment_method_id.clone().ok_or_else(|| {
                    AppError::bad_request(ErrorCode::InvalidToken, "Add a card first.")
                        .field("payment_token")
                })?,
            };
            let order = billing::seat_increase_order(
                &subscription,
                quantity - current_quantity,
                source,
                now,
            );
            if !state
                .store
                .insert_seat_increase(&order, subscription.quantity, (&user_id, &key))
                .await?
            {
                return Err(AppError::conflict(
                    "The number of licences just changed, or another change is in progress. \
                     Check the licences and try again.",
                ));
            }
            settled(billing::settle(&state.store, &state.gateway, &order, now).await?)?;
        } else {
            let pending = (quantity < current_quantity).then_some(i64::from(quantity));
            let order = pending.map(|quantity| OrderRow {
                quantity,
                phase: "scheduled".into(),
                ..billing::order_for(&subscription, "seat_decrease", None, now)
            });
            if !state
                .store
                .set_pending_quantity(&id, pending, order.as_ref(), now)
                .await?
            {
                return Err(AppError::conflict(format!(
                    "{} licences are assigned. Remove licences from people first, then reduce \
                     to {quantity}.",
                    subscription.assigned_count
                )));
            }
        }
        audit::record(
            &state.store,
            &subscription.organization_id,
            &Actor::user(&current.user),
            Change {
                action: if quantity > current_quantity { "seats_changed" } else { "seats_change_scheduled" },
                subscription_id: Some(&id),
                product: Some(&subscription.product),
                before: Some(json!({"quantity": current_quantity, "pending_quantity": subscription.pending_quantity})),
                after: Some(json!({"quantity": quantity})),
            },
            now,
        )
        .await;
        subscription_view(&state.store, &id).await
    })
    .await
}

/// A token the client got from the gateway for a new card (`tok_…`); saved cards are charged
/// by the server only, never named by clients.
fn client_token(token: &str) -> Result<String, AppError> {
    let token = token.trim();
    if token.starts_with("tok_") {
        Ok(token.to_owned())
    } else {
        Err(AppError::bad_request(
            ErrorCode::InvalidToken,
            "Send the card token from the gateway (tok_…).",
        )
        .field("payment_token"))
    }
}

/// Turns a settled payment into the API's answer.
fn settled(outcome: Settled) -> Result<(), AppError> {
    match outcome {
        Settled::Paid => Ok(()),
        Settled::Declined(code) => Err(purchases::declined(&code)),
        Settled::RequiresAction { challenge_id, url } => {
            Err(purchases::authentication_required(challenge_id, url))
        }
        Settled::BadToken { already_used } => Err(AppError::bad_request(
            if already_used {
                ErrorCode::TokenAlreadyUsed
            } else {
                ErrorCode::InvalidToken
            },
            "This card token can't be charged. Enter the card again.",
        )
        .field("payment_token")),
    }
}

/// A subscription's bills, newest first.
#[utoipa::path(
    get,
    path = "/subscriptions/{id}/invoices",
    tag = "manage",
    params(("id" = String, Path)),
    responses((status = 200, description = "Bills", body = List<Invoice>))
)]
pub async fn invoices(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<List<Invoice>>, AppError> {
    manageable(&state, &current, &id).await?;
    Ok(Json(List::complete(
        state.store.invoices_of(&id, 1_000).await?,
    )))
}

async fn owned_invoice(
    state: &AppState,
    current: &CurrentUser,
    id: &str,
) -> Result<(crate::store::billing::InvoiceRow, BillingRow), AppError> {
    let invoice = state
        .store
        .invoice_row(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let subscription = owned(state, current, &invoice.subscription_id).await?;
    Ok((invoice, subscription))
}

async fn invoice_view(
    state: &AppState,
    subscription_id: &str,
    id: &str,
) -> Result<Invoice, AppError> {
    state
        .store
        .invoice(id)
        .await?
        .filter(|invoice| invoice.subscription_id == subscription_id)
        .ok_or_else(AppError::not_found)
}

/// One bill with its lines.
#[utoipa::path(
    get,
    path = "/invoices/{id}",
    tag = "manage",
    params(("id" = String, Path)),
    responses((status = 200, description = "The bill", body = Invoice))
)]
pub async fn invoice(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Invoice>, AppError> {
    let (invoice, _) = owned_invoice(&state, &current, &id).await?;
    Ok(Json(
        invoice_view(&state, &invoice.subscription_id, &id).await?,
    ))
}

/// Pays an open or past-due bill with the card on file or a new card (which then becomes the
/// card on file). A suspended or past-due subscription is active again once nothing is unpaid.
#[utoipa::path(
    post,
    path = "/invoices/{id}/pay",
    tag = "manage",
    params(("id" = String, Path)),
    request_body = PayInvoiceRequest,
    responses(
        (status = 200, description = "The paid bill", body = Invoice),
        (status = 402, description = "`card_declined` or `authentication_required`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: already paid, or a payment is in progress", body = selfserve_api::ApiError),
    )
)]
pub async fn pay_invoice(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    // The body is optional ("pay with the card on file"); when present it must be JSON.
    let request: PayInvoiceRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PayInvoiceRequest::default()
    } else if super::extract::is_json(&headers) {
        super::extract::parse_json(&body)?
    } else {
        return Err(super::extract::unsupported_media_type());
    };
    owned_invoice(&state, &current, &id).await?;
    let user_id = current.user.id.clone();
    let key = idempotency::key_from(&headers).ok();
    let work = || async {
        let now = state.clock.now();
        let (invoice, subscription) = owned_invoice(&state, &current, &id).await?;
        if !matches!(invoice.status.as_str(), "open" | "past_due") {
            return Err(AppError::conflict("This bill is already paid."));
        }
        let source = match &request.payment_token {
            Some(token) => client_token(token)?,
            None => subscription.payment_method_id.clone().ok_or_else(|| {
                AppError::bad_request(ErrorCode::InvalidToken, "Add a card to pay this bill.")
                    .field("payment_token")
            })?,
        };
        let order = OrderRow {
            subtotal: invoice.subtotal,
            tax: invoice.tax,
            amount: invoice.total,
            currency: invoice.currency.clone(),
            period_start: invoice.period_start,
            period_end: invoice.period_end,
            ..billing::order_for(&subscription, "invoice_payment", Some(source), now)
        };
        let idempotency = key.as_deref().map(|key| (user_id.as_str(), key));
        if !state
            .store
            .insert_invoice_payment(&order, &id, idempotency)
            .await?
        {
            return Err(AppError::conflict(
                "This bill is already paid, or a payment of it is in progress.",
            ));
        }
        settled(billing::settle(&state.store, &state.gateway, &order, now).await?)?;
        invoice_view(&state, &invoice.subscription_id, &id).await
    };
    match key.clone() {
        Some(key) => {
            let hash = idempotency::fingerprint(&format!("POST /invoices/{id}/pay"), &request);
            idempotency::run(&state, &user_id, &key, &hash, StatusCode::OK, work).await
        }
        // Without a key, the one-payment-in-flight rule and the unpaid check still prevent
        // paying twice.
        None => Ok(Json(work().await?).into_response()),
    }
}

/// Replaces the card on file with a newly tokenised one.
#[utoipa::path(
    put,
    path = "/subscriptions/{id}/payment-method",
    tag = "manage",
    params(("id" = String, Path)),
    request_body = PaymentMethodRequest,
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 400, description = "`invalid_token` or `token_already_used`", body = selfserve_api::ApiError),
    )
)]
pub async fn set_payment_method(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PaymentMethodRequest>,
) -> Result<Json<Subscription>, AppError> {
    owned(&state, &current, &id).await?;
    let card = state
        .gateway
        .save_card(request.payment_token.trim())
        .await
        .map_err(|error| match error {
            ChargeError::Store(error) => error.into(),
            ChargeError::TokenAlreadyUsed => AppError::bad_request(
                ErrorCode::TokenAlreadyUsed,
                "This card token was already used. Enter the card again.",
            )
            .field("payment_token"),
            ChargeError::InvalidToken => AppError::bad_request(
                ErrorCode::InvalidToken,
                "The card token is not valid. Enter the card again.",
            )
            .field("payment_token"),
        })?;
    state
        .store
        .set_payment_method(&id, &card.id, state.clock.now())
        .await?;
    Ok(Json(subscription_view(&state.store, &id).await?))
}

/// Cancels at the end of the period: usable until then, licences released after.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/cancel",
    tag = "manage",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The subscription, `cancel_at_period_end: true`", body = Subscription),
        (status = 409, description = "`conflict`: already cancelled or ended", body = selfserve_api::ApiError),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, AppError> {
    let subscription = owned(&state, &current, &id).await?;
    if !state.store.cancel(&id, state.clock.now()).await? {
        return Err(AppError::conflict(
            "This subscription is already cancelled or has ended.",
        ));
    }
    let view = subscription_view(&state.store, &id).await?;
    log_status(&state, &current, &subscription, &view, "cancelled").await;
    Ok(Json(view))
}

/// Undoes a cancellation before the period ends.
#[utoipa::path(
    post,
    path = "/subscriptions/{id}/reactivate",
    tag = "manage",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The subscription, renewing again", body = Subscription),
        (status = 409, description = "`conflict`: not cancelled, or already ended", body = selfserve_api::ApiError),
    )
)]
pub async fn reactivate(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, AppError> {
    let subscription = owned(&state, &current, &id).await?;
    if !state.store.reactivate(&id, state.clock.now()).await? {
        return Err(AppError::conflict("There is no cancellation to undo."));
    }
    let view = subscription_view(&state.store, &id).await?;
    log_status(
        &state,
        &current,
        &subscription,
        &view,
        "cancellation_undone",
    )
    .await;
    Ok(Json(view))
}

/// Records a status change with the status before and after.
async fn log_status(
    state: &AppState,
    current: &CurrentUser,
    before: &BillingRow,
    after: &Subscription,
    action: &str,
) {
    audit::record(
        &state.store,
        &before.organization_id,
        &Actor::user(&current.user),
        Change {
            action,
            subscription_id: Some(&before.id),
            product: Some(&before.product),
            before: Some(json!({
                "status": before.status,
                "cancel_at_period_end": before.cancel_at_period_end,
            })),
            after: Some(json!({
                "status": after.status,
                "cancel_at_period_end": after.cancel_at_period_end,
            })),
        },
        state.clock.now(),
    )
    .await;
}

/// The key under which the test clock's offset survives restarts.
pub const TEST_CLOCK_SETTING: &str = "test_clock_offset_seconds";

/// Moves the server's clock forward and runs what became due (renewals, expiries,
/// suspensions). Only with `--test-clock`; 404 otherwise.
#[utoipa::path(
    post,
    path = "/test-clock/advance",
    tag = "test",
    request_body = AdvanceClock,
    responses(
        (status = 200, description = "The new time and what billing did"),
        (status = 404, description = "`not_found`: the server runs without `--test-clock`", body = selfserve_api::ApiError),
    )
)]
pub async fn advance_clock(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AdvanceClock>,
) -> Result<Json<serde_json::Value>, AppError> {
    if !state.test_clock {
        return Err(AppError::not_found());
    }
    if !(1..=3650).contains(&request.days) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            "`days` must be a whole number from 1 to 3650.",
        )
        .field("days"));
    }
    let offset = state.clock.offset() + request.days * 86_400;
    state.clock.set_offset(offset);
    state
        .store
        .set_setting(TEST_CLOCK_SETTING, &offset.to_string())
        .await?;
    let now = state.clock.now();
    let report = billing::run_due(&state.store, &state.gateway, now).await?;
    Ok(Json(serde_json::json!({
        "now": now,
        "offset_seconds": offset,
        "billing": report,
    })))
}
