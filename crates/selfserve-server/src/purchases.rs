//! Buying a subscription, so that money moves exactly once.
//!
//! A purchase goes through recorded phases:
//! 1. the idempotency key is claimed (`in_progress`);
//! 2. an order is recorded in phase `created` and tied to the key;
//! 3. the gateway is charged with the key `charge_<order id>`: charging that key again can only
//!    return the same outcome, never move money twice;
//! 4. on success one transaction writes the subscription, the purchaser's seat, the paid
//!    invoice and the order's `paid` phase; on a decline the order is `failed`;
//! 5. the response is stored under the idempotency key and replayed for retries.
//!
//! If the process stops anywhere in between, [`recover`] (at start-up, and for a retry that
//! finds its key stuck) looks at each `created` order: a recorded successful charge is
//! finished (step 4), a recorded decline is failed, and no charge at all means no money moved,
//! so the order is failed and the key released for a clean retry.

use crate::audit::{self, Actor, Change};
use crate::auth::{country_of, policy_for, tenant_of};
use crate::domain::eligibility::check_purchase;
use crate::domain::{price_book, pricing};
use crate::gateway::{ChargeError, ChargeOutcome, Gateway};
use crate::http::error::AppError;
use crate::ids::new_id;
use crate::store::directory::{OrganizationRow, UserRow};
use crate::store::gateway::StoredCard;
use crate::store::purchases::{NewSubscription, OrderRow};
use crate::store::{Store, StoreError};
use axum::http::StatusCode;
use selfserve_api::ErrorCode;
use selfserve_api::error::NextAction;
use selfserve_api::product::{ProductId, SeatCount};
use selfserve_api::subscription::{Subscription, SubscriptionStatus};

/// Set in the environment by crash-recovery tests only: the process aborts right after the
/// gateway charge is recorded, before the purchase is completed.
pub const CRASH_AFTER_CHARGE_ENV: &str = "SELFSERVE_TEST_CRASH_AFTER_CHARGE";

/// A validated purchase request.
#[derive(Debug, Clone)]
pub struct PurchaseInput {
    /// What.
    pub product: ProductId,
    /// How many seats.
    pub quantity: SeatCount,
    /// The gateway token to charge.
    pub payment_token: String,
    /// The trial this purchase replaces.
    pub convert_trial: Option<String>,
}

/// Runs a purchase for `user`; returns the new subscription, or the error to send.
pub async fn purchase(
    store: &Store,
    gateway: &Gateway,
    user: &UserRow,
    organization: &OrganizationRow,
    input: &PurchaseInput,
    idempotency: (&str, &str),
    now: i64,
) -> Result<Subscription, AppError> {
    // Policy may have changed since the email step: check again, at the moment of paying.
    let policy = policy_for(store, &organization.id, input.product).await?;
    if let Err(reason) = check_purchase(tenant_of(organization), policy, user.guest, true) {
        return Err(AppError::not_eligible(reason));
    }
    let country = country_of(organization);
    let quote = pricing::quote(input.product, country, input.quantity, now);

    if let Some(trial_id) = &input.convert_trial {
        let trial = store
            .subscription(trial_id)
            .await?
            .map(|record| record.view);
        let Some(trial) = trial.filter(|t| {
            t.purchaser.id == user.id
                && t.product == input.product
                && t.status == SubscriptionStatus::Trialing
        }) else {
            return Err(AppError::bad_request(
                ErrorCode::InvalidRequest,
                "That is not a trial of this product you can buy.",
            )
            .field("convert_trial"));
        };
        // The buyer always gets a licence of what they buy, whether or not they still hold
        // one of the trial's.
        let users = trial.assigned_users;
        let buyer_extra = usize::from(!users.iter().any(|u| u.id == user.id));
        let needed = users.len() + buyer_extra;
        if (input.quantity.get() as usize) < needed {
            return Err(AppError::bad_request(
                ErrorCode::InvalidQuantity,
                if buyer_extra == 1 {
                    format!(
                        "{} people use the trial, and you get a licence too: buy at least \
                         {needed} licences.",
                        users.len()
                    )
                } else {
                    format!(
                        "{} people use the trial: buy at least {needed} licences.",
                        users.len()
                    )
                },
            )
            .field("quantity"));
        }
    }

    match gateway.card(&input.payment_token).await? {
        None => return Err(invalid_token()),
        Some(_) if !input.payment_token.starts_with("tok_") => return Err(invalid_token()),
        Some(_) => {}
    }

    let order = OrderRow {
        id: new_id("ord"),
        organization_id: organization.id.clone(),
        purchaser_id: user.id.clone(),
        subscription_id: None,
        kind: "purchase".into(),
        product: input.product.as_str().into(),
        quantity: i64::from(quote.quantity),
        unit_amount: quote.unit_amount,
        subtotal: quote.subtotal,
        tax: quote.tax,
        tax_rate_bps: quote.tax_rate_bps,
        amount: quote.total,
        currency: quote.currency.as_str().into(),
        period_start: quote.period_start,
        period_end: quote.period_end,
        phase: "created".into(),
        payment_source: Some(input.payment_token.clone()),
        decline_code: None,
        created_at: now,
    };
    store.insert_order(&order, Some(idempotency)).await?;
    if let Some(trial_id) = &input.convert_trial {
        store.set_order_converts(&order.id, trial_id).await?;
    }

    let outcome = gateway
        .charge(
            &input.payment_token,
            quote.total,
            quote.currency,
            &charge_key(&order.id),
            true,
        )
        .await;
    if std::env::var_os(CRASH_AFTER_CHARGE_ENV).is_some() {
        tracing::error!("test fault injection: aborting after the charge");
        std::process::abort();
    }
    match outcome {
        Ok(ChargeOutcome::Succeeded { saved_card, .. }) => {
            let card = saved_card.ok_or_else(|| AppError::internal("charge saved no card"))?;
            let id = complete(store, &order, &card, now).await?;
            audit_purchase(store, &order, &id, &Actor::user(user), now).await;
            subscription_view(store, &id).await
        }
        Ok(ChargeOutcome::Declined { decline_code }) => {
            store.fail_order(&order.id, &decline_code, now).await?;
            Err(declined(&decline_code))
        }
        Ok(ChargeOutcome::RequiresAction { challenge_id, url }) => {
            store
                .fail_order(&order.id, "authentication_required", now)
                .await?;
            Err(authentication_required(challenge_id, url))
        }
        Err(ChargeError::TokenAlreadyUsed) => {
            store
                .fail_order(&order.id, "token_already_used", now)
                .await?;
            Err(AppError::bad_request(
                ErrorCode::TokenAlreadyUsed,
                "This card token was already used. Enter the card again.",
            )
            .field("payment_token"))
        }
        Err(ChargeError::InvalidToken) => {
            store.fail_order(&order.id, "invalid_token", now).await?;
            Err(invalid_token())
        }
        // The charge's outcome is unknown: the order stays `created` for recovery.
        Err(ChargeError::Store(error)) => Err(error.into()),
    }
}

async fn audit_purchase(store: &Store, order: &OrderRow, id: &str, actor: &Actor, now: i64) {
    audit::record(
        store,
        &order.organization_id,
        actor,
        Change {
            action: "purchase",
            subscription_id: Some(id),
            product: Some(&order.product),
            after: Some(serde_json::json!({
                "quantity": order.quantity, "total": order.amount, "currency": order.currency,
            })),
            ..Change::default()
        },
        now,
    )
    .await;
}

/// The gateway idempotency key of an order's charge.
pub fn charge_key(order_id: &str) -> String {
    format!("charge_{order_id}")
}

async fn complete(
    store: &Store,
    order: &OrderRow,
    card: &StoredCard,
    now: i64,
) -> Result<String, StoreError> {
    let product = order
        .product
        .parse::<ProductId>()
        .map_err(|_| StoreError::Corrupt(format!("order {} product", order.id)))?;
    let new = NewSubscription {
        id: new_id("sub"),
        invoice_id: new_id("in"),
        line_description: format!(
            "{} × {}, {} – {}",
            order.quantity,
            price_book::entry(product).name,
            crate::domain::calendar::iso_date(order.period_start),
            crate::domain::calendar::iso_date(order.period_end)
        ),
    };
    store.complete_purchase(order, &new, card, now).await
}

/// The subscription as the API shows it.
pub async fn subscription_view(store: &Store, id: &str) -> Result<Subscription, AppError> {
    store
        .subscription(id)
        .await?
        .map(|record| record.view)
        .ok_or_else(|| AppError::internal(format!("subscription {id} vanished")))
}

fn invalid_token() -> AppError {
    AppError::bad_request(
        ErrorCode::InvalidToken,
        "The card token is not valid. Enter the card again.",
    )
    .field("payment_token")
}

/// 402 `card_declined` with a message that says what to do.
pub fn declined(decline_code: &str) -> AppError {
    if decline_code == crate::gateway::ABANDONED {
        // Not the card: this attempt stalled and was given up (see `Gateway::close_key`). A
        // 5xx, so the idempotency layer stores nothing under the key, which may already carry
        // the retry's answer.
        return AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServiceUnavailable,
            "This attempt took too long and was stopped; nothing was charged. Try again.",
        );
    }
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

/// 402 `authentication_required` with the 3-D Secure challenge to answer.
pub fn authentication_required(challenge_id: String, url: String) -> AppError {
    let mut error = AppError::new(
        StatusCode::PAYMENT_REQUIRED,
        ErrorCode::AuthenticationRequired,
        "Your bank needs to confirm this payment.",
    );
    error.body.error.next_action = Some(NextAction {
        kind: "three_d_secure".into(),
        challenge_id,
        url,
    });
    error
}

/// How long an order may stay `created` before another server may settle it (PostgreSQL,
/// where several servers share the database): far longer than any request takes.
pub const RECOVERY_LEASE_SECONDS: i64 = 120;

/// Finishes or rolls back every order whose outcome is unknown and that is older than
/// `min_age` seconds (see the module docs). Returns how many orders it settled.
pub async fn recover(
    store: &Store,
    gateway: &Gateway,
    now: i64,
    min_age: i64,
) -> Result<usize, StoreError> {
    let orders = store.unfinished_orders(now - min_age).await?;
    let count = orders.len();
    for order in orders {
        recover_order(store, gateway, &order, now).await?;
    }
    Ok(count)
}

/// Settles one `created` order from what the gateway recorded.
pub async fn recover_order(
    store: &Store,
    gateway: &Gateway,
    order: &OrderRow,
    now: i64,
) -> Result<(), StoreError> {
    if order.kind != "purchase" {
        return crate::billing::recover_order(store, gateway, order, now).await;
    }
    let recorded = match gateway
        .close_key(&charge_key(&order.id), &order.currency)
        .await
    {
        Ok(recorded) => recorded,
        Err(ChargeError::Store(error)) => return Err(error),
        Err(_) => None,
    };
    match recorded {
        Some(ChargeOutcome::Succeeded {
            saved_card: Some(card),
            ..
        }) => {
            let id = complete(store, order, &card, now).await?;
            audit_purchase(store, order, &id, &Actor::Billing, now).await;
            let body = match store.subscription(&id).await? {
                Some(record) => serde_json::to_string(&record.view).unwrap_or_default(),
                None => String::new(),
            };
            store
                .finish_idempotent_for_order(&order.id, 201, &body)
                .await?;
            tracing::warn!(order = %order.id, subscription = %id, "recovered a paid purchase");
        }
        Some(ChargeOutcome::Declined { decline_code }) => {
            store.fail_order(&order.id, &decline_code, now).await?;
            let error = declined(&decline_code);
            let body = serde_json::to_string(&*error.body).unwrap_or_default();
            store
                .finish_idempotent_for_order(&order.id, error.status.as_u16(), &body)
                .await?;
            tracing::warn!(order = %order.id, "recovered a declined purchase");
        }
        _ => {
            store
                .fail_order(&order.id, crate::gateway::ABANDONED, now)
                .await?;
            store.abandon_idempotent_for_order(&order.id).await?;
            tracing::warn!(order = %order.id, "rolled back a purchase that never charged");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_up_attempt_is_not_a_card_decline_and_is_not_stored_for_replay() {
        let error = declined(crate::gateway::ABANDONED);
        // 5xx: the idempotency layer stores no answer for it.
        assert!(error.status.is_server_error());
        assert_eq!(error.body.error.code, ErrorCode::ServiceUnavailable);
        assert_eq!(declined("insufficient_funds").status.as_u16(), 402);
    }
}
