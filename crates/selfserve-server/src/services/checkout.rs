//! The purchase: the email step, what a signed-in user may buy, quotes, and buying.

use super::payments::{Settled, settle};
use super::{Caller, Invalid, PaymentFailure, ServiceError, Services, guardrails};
use crate::access::{self, Action, Target};
use crate::domain::eligibility::{EmailCheck, Tenant, check_email, check_purchase};
use crate::domain::guardrails::Request;
use crate::domain::market::CountryCode;
use crate::domain::pricing;
use crate::ids::new_id;
use crate::payments::CardProcessor;
use crate::store::StoreError;
use crate::store::directory::OrganizationRow;
use crate::store::orders::{OrderRow, PaymentSource};
use selfserve_api::admin::Policy;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::eligibility::{CanBuy, CanBuyMap};
use selfserve_api::email::EmailAddress;
use selfserve_api::product::{ProductId, SeatCount};
use selfserve_api::purchase::Quote;
use selfserve_api::session::OrganizationKind;
use selfserve_api::subscription::{OrderKind, OrderPhase, Subscription, SubscriptionStatus};

/// The eligibility view of an organisation. A customer without a country is a corrupt row:
/// it must not be mistaken for a partner (or priced in dollars).
pub fn tenant_of(org: &OrganizationRow) -> Result<Tenant, StoreError> {
    match (org.kind, org.country) {
        (OrganizationKind::Partner, _) => Ok(Tenant::Partner),
        (kind, Some(country)) => Ok(Tenant::Customer {
            kind,
            managed: org.managed,
            country,
        }),
        (_, None) => Err(StoreError::Corrupt(format!(
            "organisation {} has no country",
            org.id
        ))),
    }
}

/// Where a customer is billed from (prices, currency, tax).
pub fn country_of(org: &OrganizationRow) -> Result<CountryCode, StoreError> {
    org.country.ok_or_else(|| {
        StoreError::Corrupt(format!("organisation {} has no country to bill in", org.id))
    })
}

/// The email step, decided on the address's domain only (the same answer, in the same time,
/// for a real and a made-up mailbox). The organisation is returned for its name.
pub async fn email_check(
    services: &Services,
    email: &EmailAddress,
    product: ProductId,
) -> Result<(EmailCheck, Option<OrganizationRow>), ServiceError> {
    let organization = services
        .store
        .organization_by_domain(email.domain())
        .await?;
    let check = match &organization {
        Some(org) => check_email(
            Some(tenant_of(org)?),
            services.store.policy(&org.id, product).await?,
        ),
        None => check_email(None, Default::default()),
    };
    Ok((check, organization))
}

/// For each product: whether the caller may buy it now, or why not.
pub async fn can_buy(services: &Services, caller: &Caller) -> Result<CanBuyMap, ServiceError> {
    let tenant = tenant_of(&caller.organization)?;
    let mut answers = CanBuyMap::new();
    for (product, policy) in services.store.policies(&caller.organization.id).await? {
        let answer = match why_not(services, caller, tenant, product, policy).await? {
            None => CanBuy::Yes(true),
            Some(reason) => CanBuy::No(reason),
        };
        answers.insert(product, answer);
    }
    Ok(answers)
}

/// Why the caller may not buy `product` now (`None`: they may): the one decision behind
/// `can_buy` and the reason a request to IT carries.
pub async fn cannot_buy(
    services: &Services,
    caller: &Caller,
    product: ProductId,
) -> Result<Option<IneligibleReason>, ServiceError> {
    let policy = services
        .store
        .policy(&caller.organization.id, product)
        .await?;
    why_not(
        services,
        caller,
        tenant_of(&caller.organization)?,
        product,
        policy,
    )
    .await
}

async fn why_not(
    services: &Services,
    caller: &Caller,
    tenant: Tenant,
    product: ProductId,
    policy: Policy,
) -> Result<Option<IneligibleReason>, ServiceError> {
    Ok(
        match check_purchase(tenant, policy, caller.user.guest, true) {
            Ok(()) if room_for_one(services, caller, product).await? => None,
            Ok(()) => Some(IneligibleReason::CapReached),
            Err(reason) => Some(reason),
        },
    )
}

/// Whether the guardrails leave room for the smallest purchase: when the organisation's seats
/// or the month's spend are used up nobody can buy, and the signed-in view says so before the
/// checkout starts.
async fn room_for_one(
    services: &Services,
    caller: &Caller,
    product: ProductId,
) -> Result<bool, ServiceError> {
    let now = services.clock.now();
    let smallest = SeatCount::new(i64::from(product.seat_limits().min), product.seat_limits())
        .map_err(|e| StoreError::Corrupt(format!("seat limits: {e}")))?;
    let quote = pricing::quote(product, country_of(&caller.organization)?, smallest, now);
    Ok(guardrails::limit_reached(
        services,
        &guardrails::guard(
            &caller.organization.id,
            product,
            now,
            None,
            purchase_request(&quote),
        ),
    )
    .await?
    .is_none())
}

/// May the caller pay for `product` now? Policy may have changed since the email step, so
/// this is asked again at every quote and at the moment of paying.
async fn check_may_buy(
    services: &Services,
    caller: &Caller,
    product: ProductId,
    with_card: bool,
) -> Result<(), ServiceError> {
    let policy = services
        .store
        .policy(&caller.organization.id, product)
        .await?;
    check_purchase(
        tenant_of(&caller.organization)?,
        policy,
        caller.user.guest,
        with_card,
    )
    .map_err(ServiceError::NotEligible)
}

/// What buying would cost now: shown to the buyer, and exactly what the purchase charges.
pub async fn quote(
    services: &Services,
    caller: &Caller,
    product: ProductId,
    quantity: SeatCount,
) -> Result<Quote, ServiceError> {
    check_may_buy(services, caller, product, true).await?;
    let now = services.clock.now();
    let quote = pricing::quote(product, country_of(&caller.organization)?, quantity, now);
    guardrails::check_now(
        services,
        &guardrails::guard(
            &caller.organization.id,
            product,
            now,
            None,
            purchase_request(&quote),
        ),
    )
    .await?;
    Ok(quote)
}

/// What a purchase asks of the guardrails: its seats, all new, and its total.
fn purchase_request(quote: &Quote) -> Request {
    Request {
        seats_in_purchase: i64::from(quote.quantity),
        seats_added: i64::from(quote.quantity),
        amount: quote.total,
        currency: quote.currency,
    }
}

/// A purchase to make.
#[derive(Debug, Clone)]
pub struct PurchaseInput {
    pub product: ProductId,
    pub quantity: SeatCount,
    /// The new card's processor token.
    pub payment_token: String,
    /// The trial this purchase replaces.
    pub convert_trial: Option<String>,
}

/// Buys a subscription for the caller (see `services::payments` for how the money moves).
/// `idempotency` is the request's key, tied to the order so that recovery can answer it.
pub async fn purchase(
    services: &Services,
    caller: &Caller,
    input: &PurchaseInput,
    idempotency: (&str, &str),
) -> Result<Subscription, ServiceError> {
    let now = services.clock.now();
    check_may_buy(services, caller, input.product, true).await?;
    let quote = pricing::quote(
        input.product,
        country_of(&caller.organization)?,
        input.quantity,
        now,
    );
    if let Some(trial_id) = &input.convert_trial {
        check_trial_conversion(services, caller, input, trial_id).await?;
    }
    let source = new_card(services, &input.payment_token).await?;
    let order = OrderRow {
        id: new_id("ord"),
        organization_id: caller.organization.id.clone(),
        purchaser_id: caller.user.id.clone(),
        subscription_id: None,
        kind: OrderKind::Purchase,
        product: input.product,
        quantity: i64::from(quote.quantity),
        unit_amount: quote.unit_amount,
        subtotal: quote.subtotal,
        tax: quote.tax,
        tax_rate_bps: quote.tax_rate_bps,
        amount: quote.total,
        currency: quote.currency,
        period_start: quote.period_start,
        period_end: quote.period_end,
        phase: OrderPhase::Created,
        payment_source: Some(source),
        decline_code: None,
        created_at: now,
        invoice_id: None,
        converts_subscription_id: input.convert_trial.clone(),
    };
    // The trial converted is replaced, so its seats are not counted as well.
    let guard = guardrails::guard(
        &caller.organization.id,
        input.product,
        now,
        input.convert_trial.as_deref(),
        purchase_request(&quote),
    );
    services
        .store
        .insert_order(&order, Some(idempotency), Some(&guard))
        .await??;
    match settle(services, &order, &caller.actor, now).await? {
        Settled::Paid { subscription_id } => services
            .store
            .subscription(&subscription_id)
            .await?
            .ok_or_else(|| vanished(&subscription_id)),
        Settled::Failed(failure) => Err(ServiceError::Payment(failure)),
    }
}

/// A trial may be bought by its purchaser, for the same product, while it runs, with a
/// licence for each of its users and for the buyer.
async fn check_trial_conversion(
    services: &Services,
    caller: &Caller,
    input: &PurchaseInput,
    trial_id: &str,
) -> Result<(), ServiceError> {
    let trial = services.store.subscription_row(trial_id).await?;
    let Some(trial) = trial.filter(|trial| {
        access::decide(
            &caller.actor,
            Action::ActAsPurchaser,
            Target::subscription(&trial.organization_id, &trial.purchaser_id),
        )
        .is_ok()
            && trial.product == input.product
            && trial.status == SubscriptionStatus::Trialing
    }) else {
        return Err(ServiceError::Invalid(Invalid::NotATrialToConvert));
    };
    let users = services.store.assigned_emails(&trial.id).await?.len();
    let holds_one = services
        .store
        .holds_licence(&trial.id, &caller.user.id)
        .await?;
    // The buyer always gets a licence of what they buy, whether or not they still hold one
    // of the trial's.
    let needed = users + usize::from(!holds_one);
    if (input.quantity.get() as usize) < needed {
        return Err(ServiceError::Invalid(Invalid::TooFewForTrial {
            users,
            needed,
            buyer_included: !holds_one,
        }));
    }
    Ok(())
}

/// A new card's token, checked with the processor before any order is recorded for it:
/// clients name only new cards, never a saved one (the server charges those).
pub(crate) async fn new_card(
    services: &Services,
    token: &str,
) -> Result<PaymentSource, ServiceError> {
    let source = PaymentSource::NewCard(token.trim().to_owned());
    match services
        .payments
        .card(&source)
        .await
        .map_err(charge_store_error)?
    {
        Some(_) => Ok(source),
        None => Err(ServiceError::Payment(PaymentFailure::InvalidToken)),
    }
}

/// A processor failure before any charge: only its store can fail that way.
pub(crate) fn charge_store_error(error: crate::payments::ChargeError) -> ServiceError {
    match error {
        crate::payments::ChargeError::Store(error) => ServiceError::Store(error),
        crate::payments::ChargeError::InvalidToken => {
            ServiceError::Payment(PaymentFailure::InvalidToken)
        }
        crate::payments::ChargeError::TokenAlreadyUsed => {
            ServiceError::Payment(PaymentFailure::TokenAlreadyUsed)
        }
    }
}

/// A subscription that was just written and cannot be read back.
pub(crate) fn vanished(id: &str) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(format!("subscription {id} vanished")))
}
