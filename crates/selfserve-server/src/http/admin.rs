//! The organisation's admins and delegated partners: every purchase with CSV export, central
//! purchases, take-over, cancellation requests, product policies, capacity, the audit log.
//! Also trials, which any eligible user starts.
//!
//! Who may do what (every endpoint checks it on the server):
//!
//! | | global admin | billing admin | partner with delegation | anyone else |
//! |---|---|---|---|---|
//! | read purchases, capacity, policies, audit; export CSV | yes | yes | yes | 403 |
//! | central purchase, take-over, ask to cancel | yes | yes | yes | 403 |
//! | change a policy | yes | 403 | 403 | 403 |
//!
//! A partner picks the customer with `?organization=DOMAIN` (default: its first customer by
//! name); an admin's `?organization=` may only name their own organisation.

use super::AppState;
use super::checkout::parse_product;
use super::error::AppError;
use super::extract::{ApiJson, ApiQuery};
use super::session::CurrentUser;
use super::subscriptions::{may_administer, parse_source};
use crate::audit::{self, Actor, Change};
use crate::auth::{country_of, policies_of, policy_for, tenant_of};
use crate::domain::calendar::{add_months, iso_date};
use crate::domain::eligibility::{Policy, check_purchase};
use crate::domain::market::currency_for;
use crate::domain::price_book;
use crate::ids::new_id;
use crate::purchases::subscription_view;
use crate::store::admin::NewUnbilled;
use crate::store::billing::Assigned;
use crate::store::directory::OrganizationRow;
use crate::store::purchases::OrderRow;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use selfserve_api::admin::{
    AdminOrganization, AuditEntry, CapacityEntry, CentralPurchaseRequest, PolicyEntry,
    PolicyUpdate, SeatCounts, TakeOverRequest, TakeOverResult, TrialRequest,
};
use selfserve_api::product::{ProductId, SeatCount, SeatLimits};
use selfserve_api::session::OrganizationKind;
use selfserve_api::subscription::{Source, Subscription};
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

/// How the caller administers the organisation in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRole {
    /// Global admin of it.
    Global,
    /// Billing admin of it.
    Billing,
    /// A partner with delegated admin for it.
    Partner,
}

impl AdminRole {
    fn wire(self) -> selfserve_api::admin::AdminRole {
        match self {
            Self::Global => selfserve_api::admin::AdminRole::GlobalAdmin,
            Self::Billing => selfserve_api::admin::AdminRole::BillingAdmin,
            Self::Partner => selfserve_api::admin::AdminRole::Partner,
        }
    }
}

/// The organisation an admin request is about.
#[derive(Debug, Clone)]
pub struct AdminScope {
    /// The organisation.
    pub organization: OrganizationRow,
    /// The caller's role in it.
    pub role: AdminRole,
}

fn admin_required(message: &str) -> AppError {
    AppError::new(StatusCode::FORBIDDEN, ErrorCode::AdminRequired, message)
}

/// Resolves the organisation in scope, or 403 `admin_required`.
pub async fn admin_scope(
    state: &AppState,
    current: &CurrentUser,
    organization: Option<&str>,
) -> Result<AdminScope, AppError> {
    let names = |org: &OrganizationRow, domain: &str| {
        org.domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(domain.trim()))
    };
    if current.organization.kind == OrganizationKind::Partner {
        let customers = state
            .store
            .delegated_customers(&current.organization.id)
            .await?;
        let chosen = match organization {
            Some(domain) => customers.into_iter().find(|c| names(c, domain)),
            None => customers.into_iter().next(),
        };
        return chosen
            .map(|organization| AdminScope {
                organization,
                role: AdminRole::Partner,
            })
            .ok_or_else(|| {
                admin_required("Your organisation has no delegated admin rights for that customer.")
            });
    }
    let role = if current.user.global_admin {
        AdminRole::Global
    } else if current.user.billing_admin {
        AdminRole::Billing
    } else {
        return Err(admin_required(
            "Only global admins, billing admins and delegated partners can see this.",
        ));
    };
    if organization.is_some_and(|domain| !names(&current.organization, domain)) {
        return Err(admin_required(
            "You can only administer your own organisation.",
        ));
    }
    Ok(AdminScope {
        organization: current.organization.clone(),
        role,
    })
}

/// `?organization=DOMAIN` on every admin request.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ScopeQuery {
    /// For partners: the customer's domain (default: the first customer by name).
    organization: Option<String>,
}

/// The organisations the caller administers (a partner's customers; an admin's own).
#[utoipa::path(get, path = "/admin/organizations", tag = "admin",
    responses((status = 200, body = List<AdminOrganization>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn organizations(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<List<AdminOrganization>>, AppError> {
    let view = |org: OrganizationRow, role: AdminRole| AdminOrganization {
        id: org.id,
        name: org.name,
        domains: org.domains,
        role: role.wire(),
        can_change_policy: role == AdminRole::Global,
    };
    if current.organization.kind == OrganizationKind::Partner {
        let customers = state
            .store
            .delegated_customers(&current.organization.id)
            .await?;
        if customers.is_empty() {
            return Err(admin_required(
                "Your organisation has no delegated admin rights for any customer.",
            ));
        }
        return Ok(Json(List::complete(
            customers
                .into_iter()
                .map(|c| view(c, AdminRole::Partner))
                .collect(),
        )));
    }
    let scope = admin_scope(&state, &current, None).await?;
    Ok(Json(List::complete(vec![view(
        scope.organization,
        scope.role,
    )])))
}

/// Query of `GET /admin/subscriptions`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PurchasesQuery {
    /// For partners: the customer's domain.
    organization: Option<String>,
    /// `self_service`, `central` or `all` (default).
    source: Option<String>,
    /// Words matched against product, purchaser and assigned users (names and emails).
    q: Option<String>,
    /// `created` (default), `product`, `purchaser`, `quantity`, `expiry`, `price`.
    sort: Option<String>,
    /// `desc` (default) or `asc`.
    order: Option<String>,
}

async fn purchases_of(
    state: &AppState,
    scope: &AdminScope,
    query: &PurchasesQuery,
) -> Result<Vec<Subscription>, AppError> {
    let source = parse_source(query.source.as_deref())?;
    let words: Vec<String> = query
        .q
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut data = Vec::new();
    for id in state
        .store
        .subscription_ids_of_organization(&scope.organization.id)
        .await?
    {
        let Some(record) = state.store.subscription(&id).await? else {
            continue;
        };
        let sub = record.view;
        if source.is_some_and(|s| s != sub.source) {
            continue;
        }
        let haystack = std::iter::once(sub.product_name.to_lowercase())
            .chain([
                sub.purchaser.name.to_lowercase(),
                sub.purchaser.email.clone(),
            ])
            .chain(
                sub.assigned_users
                    .iter()
                    .flat_map(|u| [u.name.to_lowercase(), u.email.clone()]),
            )
            .collect::<Vec<_>>()
            .join(" ");
        if words.iter().all(|w| haystack.contains(w.as_str())) {
            data.push(sub);
        }
    }
    let descending = query.order.as_deref() != Some("asc");
    match query.sort.as_deref().unwrap_or("created") {
        "product" => data.sort_by(|a, b| a.product_name.cmp(&b.product_name)),
        "purchaser" => data.sort_by(|a, b| a.purchaser.name.cmp(&b.purchaser.name)),
        "quantity" => data.sort_by_key(|s| s.quantity),
        "expiry" => data.sort_by_key(|s| s.current_period_end),
        "price" => data.sort_by_key(|s| s.unit_amount * i64::from(s.quantity)),
        "created" => data.sort_by_key(|s| s.created),
        _ => {
            return Err(AppError::bad_request(
                ErrorCode::InvalidRequest,
                "`sort` must be one of created, product, purchaser, quantity, expiry, price.",
            )
            .field("sort"));
        }
    }
    if descending {
        data.reverse();
    }
    Ok(data)
}

/// Every subscription of the organisation, self-service and central, with purchaser, seats,
/// expiry, order history, price and assigned users; filtered, searched and sorted.
#[utoipa::path(get, path = "/admin/subscriptions", tag = "admin", params(PurchasesQuery),
    responses((status = 200, body = List<Subscription>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn purchases(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<PurchasesQuery>,
) -> Result<Json<List<Subscription>>, AppError> {
    let scope = admin_scope(&state, &current, query.organization.as_deref()).await?;
    Ok(Json(List::complete(
        purchases_of(&state, &scope, &query).await?,
    )))
}

fn csv_field(text: &str) -> String {
    // Quote every field; double inner quotes; neutralise spreadsheet formulas.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The same list as CSV (a file download).
#[utoipa::path(get, path = "/admin/subscriptions/export.csv", tag = "admin", params(PurchasesQuery),
    responses((status = 200, description = "text/csv"), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn export_csv(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<PurchasesQuery>,
) -> Result<Response, AppError> {
    let scope = admin_scope(&state, &current, query.organization.as_deref()).await?;
    let rows = purchases_of(&state, &scope, &query).await?;
    let mut csv = String::from(
        "subscription_id,product,source,status,purchaser_name,purchaser_email,seats,assigned,\
         expiry_date,price_per_seat,currency,orders,assigned_users\r\n",
    );
    for sub in rows {
        let price =
            selfserve_api::money::Money::new(sub.unit_amount, sub.currency).to_plain_string();
        let fields = [
            sub.id.clone(),
            sub.product_name.clone(),
            match sub.source {
                Source::SelfService => "self_service".into(),
                Source::Central => "central".into(),
            },
            serde_json::to_value(sub.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            sub.purchaser.name.clone(),
            sub.purchaser.email.clone(),
            sub.quantity.to_string(),
            sub.assigned_users.len().to_string(),
            iso_date(sub.current_period_end),
            price
                .split_once(' ')
                .map_or(price.clone(), |(_, amount)| amount.to_owned()),
            sub.currency.to_uppercase(),
            sub.orders.len().to_string(),
            sub.assigned_users
                .iter()
                .map(|u| u.email.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ];
        csv.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push_str("\r\n");
    }
    let filename = format!(
        "attachment; filename=\"selfserve-{}-subscriptions.csv\"",
        scope
            .organization
            .domains
            .first()
            .map_or("organization", String::as_str)
    );
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Records a subscription bought centrally (billed through the agreement, no card).
#[utoipa::path(post, path = "/admin/subscriptions", tag = "admin", params(ScopeQuery),
    request_body = CentralPurchaseRequest,
    responses((status = 201, body = Subscription), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn central_purchase(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(scope_query): ApiQuery<ScopeQuery>,
    ApiJson(request): ApiJson<CentralPurchaseRequest>,
) -> Result<Response, AppError> {
    let scope = admin_scope(&state, &current, scope_query.organization.as_deref()).await?;
    let product = parse_product(&request.product)?;
    let quantity = SeatCount::new(
        request.quantity,
        SeatLimits {
            min: 1,
            max: 100_000,
        },
    )
    .map_err(|e| {
        AppError::bad_request(ErrorCode::InvalidQuantity, e.to_string()).field("quantity")
    })?;
    if !(0..=100_000_000).contains(&request.unit_amount) {
        return Err(AppError::bad_request(
            ErrorCode::InvalidRequest,
            "`unit_amount` must be between 0 and 100000000 minor units.",
        )
        .field("unit_amount"));
    }
    let now = state.clock.now();
    let currency = currency_for(country_of(&scope.organization));
    let id = new_id("sub");
    let amount = request.unit_amount * i64::from(quantity.get());
    let order = OrderRow {
        id: new_id("ord"),
        organization_id: scope.organization.id.clone(),
        purchaser_id: current.user.id.clone(),
        subscription_id: Some(id.clone()),
        kind: "purchase".into(),
        product: product.as_str().into(),
        quantity: i64::from(quantity.get()),
        unit_amount: request.unit_amount,
        subtotal: amount,
        tax: 0,
        tax_rate_bps: 0,
        amount,
        currency: currency.as_str().into(),
        period_start: now,
        period_end: add_months(now, 1),
        phase: "paid".into(),
        payment_source: None,
        decline_code: None,
        created_at: now,
    };
    state
        .store
        .create_unbilled(
            &NewUnbilled {
                id: id.clone(),
                organization_id: scope.organization.id.clone(),
                product: product.as_str().into(),
                source: "central",
                status: "active",
                quantity: i64::from(quantity.get()),
                purchaser_id: current.user.id.clone(),
                unit_amount: request.unit_amount,
                currency: currency.as_str().into(),
                period_start: now,
                period_end: add_months(now, 1),
                assign_purchaser: false,
                order: Some(order),
            },
            now,
        )
        .await?;
    audit::record(
        &state.store,
        &scope.organization.id,
        &Actor::user(&current.user),
        Change {
            action: "central_purchase",
            subscription_id: Some(&id),
            product: Some(product.as_str()),
            after: Some(json!({"quantity": quantity.get(), "unit_amount": request.unit_amount, "currency": currency})),
            ..Change::default()
        },
        now,
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(subscription_view(&state.store, &id).await?),
    )
        .into_response())
}

/// Moves a self-service subscription's users to central licences (all or nothing) and asks
/// its purchaser to cancel.
#[utoipa::path(post, path = "/admin/subscriptions/{id}/take-over", tag = "admin",
    params(("id" = String, Path)), request_body = TakeOverRequest,
    responses(
        (status = 200, body = TakeOverResult),
        (status = 404, description = "`not_found`", body = selfserve_api::ApiError),
        (status = 409, description = "`no_seats_available`: not enough free central seats, nothing moved", body = selfserve_api::ApiError),
    ))]
pub async fn take_over(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<TakeOverResult>, AppError> {
    let request: TakeOverRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TakeOverRequest::default()
    } else {
        super::extract::parse_json(&body)?
    };
    let record = state
        .store
        .subscription(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !may_administer(&state, &current, &record.organization_id).await? {
        return Err(AppError::not_found());
    }
    let sub = record.view;
    if sub.source != Source::SelfService {
        return Err(AppError::conflict(
            "Only a self-service subscription can be taken over.",
        ));
    }
    let users: Vec<String> = sub.assigned_users.iter().map(|u| u.id.clone()).collect();
    let central = match &request.central_subscription_id {
        Some(central_id) => {
            let central = state.store.subscription(central_id).await?;
            match central {
                Some(c)
                    if c.organization_id == record.organization_id
                        && c.view.source == Source::Central
                        && c.view.product == sub.product =>
                {
                    c.view
                }
                _ => {
                    return Err(AppError::new(
                        StatusCode::NOT_FOUND,
                        ErrorCode::NotFound,
                        "No central subscription of this product with that id.",
                    )
                    .field("central_subscription_id"));
                }
            }
        }
        None => {
            // The first central subscription of the product with room for everyone.
            let mut found = None;
            for central_id in state
                .store
                .subscription_ids_of_organization(&record.organization_id)
                .await?
            {
                if let Some(c) = state.store.subscription(&central_id).await?
                    && c.view.source == Source::Central
                    && c.view.product == sub.product
                {
                    let already = users
                        .iter()
                        .filter(|u| c.view.assigned_users.iter().any(|a| &a.id == *u))
                        .count();
                    let free = c.view.quantity as usize - c.view.assigned_users.len();
                    if free >= users.len() - already {
                        found = Some(c.view);
                        break;
                    }
                    found.get_or_insert(c.view);
                }
            }
            found.ok_or_else(|| {
                AppError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::NoSeatsAvailable,
                    "There is no central subscription of this product. Record one first.",
                )
            })?
        }
    };
    let now = state.clock.now();
    match state
        .store
        .take_over(&id, &central.id, &users, &current.user.name, now)
        .await?
    {
        Assigned::Added(_) => {}
        Assigned::NoSeats { free } => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                ErrorCode::NoSeatsAvailable,
                format!(
                    "The central subscription has {free} free seat(s) for {} people: nobody was \
                     moved. Add central seats first.",
                    users.len()
                ),
            ));
        }
        Assigned::NotAssignable => {
            return Err(AppError::conflict(
                "The central subscription can't take licences now.",
            ));
        }
    }
    audit::record(
        &state.store,
        &record.organization_id,
        &Actor::user(&current.user),
        Change {
            action: "take_over",
            subscription_id: Some(&id),
            product: Some(sub.product.as_str()),
            before: Some(json!({"self_service": id, "users": sub.assigned_users.iter().map(|u| &u.email).collect::<Vec<_>>()})),
            after: Some(json!({"central": central.id, "cancellation_requested": true})),
        },
        now,
    )
    .await;
    Ok(Json(TakeOverResult {
        self_service: subscription_view(&state.store, &id).await?,
        central: subscription_view(&state.store, &central.id).await?,
    }))
}

/// Asks a self-service purchaser to cancel (shown in their view).
#[utoipa::path(post, path = "/subscriptions/{id}/cancel-request", tag = "admin",
    params(("id" = String, Path)),
    responses((status = 200, body = Subscription), (status = 404, description = "`not_found`", body = selfserve_api::ApiError)))]
pub async fn cancel_request(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, AppError> {
    let record = state
        .store
        .subscription(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !may_administer(&state, &current, &record.organization_id).await? {
        return Err(AppError::not_found());
    }
    let now = state.clock.now();
    state
        .store
        .request_cancellation(&id, &current.user.name, now)
        .await?;
    audit::record(
        &state.store,
        &record.organization_id,
        &Actor::user(&current.user),
        Change {
            action: "cancellation_requested",
            subscription_id: Some(&id),
            product: Some(record.view.product.as_str()),
            ..Change::default()
        },
        now,
    )
    .await;
    Ok(Json(subscription_view(&state.store, &id).await?))
}

/// Every product's self-service policy for the organisation.
#[utoipa::path(get, path = "/admin/policies", tag = "admin", params(ScopeQuery),
    responses((status = 200, body = List<PolicyEntry>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn policies(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<List<PolicyEntry>>, AppError> {
    let scope = admin_scope(&state, &current, query.organization.as_deref()).await?;
    let data = policies_of(&state.store, &scope.organization.id)
        .await?
        .into_iter()
        .map(|(product, policy)| PolicyEntry {
            product,
            value: policy,
        })
        .collect();
    Ok(Json(List::complete(data)))
}

/// Sets one product's policy; global admins only. Takes effect at once, for purchases in
/// progress too.
#[utoipa::path(put, path = "/admin/policies/{product}", tag = "admin",
    params(("product" = String, Path), ScopeQuery), request_body = PolicyUpdate,
    responses(
        (status = 200, body = PolicyEntry),
        (status = 400, description = "`invalid_request`: not a policy value", body = selfserve_api::ApiError),
        (status = 403, description = "`admin_required`: only global admins change policy", body = selfserve_api::ApiError),
    ))]
pub async fn set_policy(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(product): Path<String>,
    ApiQuery(query): ApiQuery<ScopeQuery>,
    ApiJson(update): ApiJson<PolicyUpdate>,
) -> Result<Json<PolicyEntry>, AppError> {
    let scope = admin_scope(&state, &current, query.organization.as_deref()).await?;
    if scope.role != AdminRole::Global {
        return Err(admin_required(
            "Only global admins can change product policies.",
        ));
    }
    let product = parse_product(&product)?;
    let value = update.value;
    change_policy(
        &state.store,
        &scope.organization.id,
        product,
        value,
        &Actor::user(&current.user),
        state.clock.now(),
    )
    .await?;
    Ok(Json(PolicyEntry { product, value }))
}

/// Sets a policy and records it (the API and the CLI share this).
pub async fn change_policy(
    store: &crate::store::Store,
    organization_id: &str,
    product: ProductId,
    value: Policy,
    actor: &Actor,
    now: i64,
) -> Result<Policy, crate::store::StoreError> {
    let before = policy_for(store, organization_id, product).await?;
    store
        .set_policy(organization_id, product.as_str(), value.as_str(), now)
        .await?;
    if before != value {
        audit::record(
            store,
            organization_id,
            actor,
            Change {
                action: "policy_changed",
                product: Some(product.as_str()),
                before: Some(json!({"value": before.as_str()})),
                after: Some(json!({"value": value.as_str()})),
                ..Change::default()
            },
            now,
        )
        .await;
    }
    Ok(before)
}

/// Seats per product: self-service and central, paid, assigned and free.
#[utoipa::path(get, path = "/admin/capacity", tag = "admin", params(ScopeQuery),
    responses((status = 200, body = List<CapacityEntry>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn capacity(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<ScopeQuery>,
) -> Result<Json<List<CapacityEntry>>, AppError> {
    let scope = admin_scope(&state, &current, query.organization.as_deref()).await?;
    let rows = state.store.capacity(&scope.organization.id).await?;
    let counts = |product: ProductId, source: &str| {
        rows.iter()
            .find(|r| r.product == product.as_str() && r.source == source)
            .map_or(SeatCounts::default(), |r| SeatCounts {
                seats: r.seats,
                assigned: r.assigned,
                free: (r.seats - r.assigned).max(0),
            })
    };
    Ok(Json(List::complete(
        ProductId::ALL
            .into_iter()
            .map(|product| CapacityEntry {
                product,
                product_name: price_book::entry(product).name.to_owned(),
                self_service: counts(product, "self_service"),
                central: counts(product, "central"),
            })
            .collect(),
    )))
}

/// Query of `GET /admin/audit`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// For partners: the customer's domain.
    organization: Option<String>,
    /// Only these actions, comma-separated (e.g. `purchase,trial_started` for the feed of new
    /// purchases and trials).
    action: Option<String>,
    /// At most this many (1–500, default 100).
    limit: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/admin/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = List<AuditEntry>), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn audit_log(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<List<AuditEntry>>, AppError> {
    let scope = admin_scope(&state, &current, query.organization.as_deref()).await?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(
            AppError::bad_request(ErrorCode::InvalidRequest, "`limit` must be 1 to 500.")
                .field("limit"),
        );
    }
    let actions: Vec<String> = query
        .action
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    let events = state
        .store
        .audit_events(&scope.organization.id, &actions, limit)
        .await?;
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Ok(Json(List::complete(
        events
            .into_iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.id,
                    at: row.event.at,
                    actor: row.event.actor_name,
                    action: row
                        .event
                        .action
                        .parse()
                        .map_err(|e| AppError::internal(format!("audit action: {e}")))?,
                    subscription_id: row.event.subscription_id,
                    product: row
                        .event
                        .product
                        .map(|p| p.parse())
                        .transpose()
                        .map_err(|_| AppError::internal("audit product"))?,
                    before: parse(row.event.before),
                    after: parse(row.event.after),
                })
            })
            .collect::<Result<_, AppError>>()?,
    )))
}

/// Starts a free 30-day trial (no card). Allowed when the product's policy is `enabled` or
/// `only_trials_without_payment_method`; one trial per person and product; it does not renew.
#[utoipa::path(post, path = "/trials", tag = "purchase", request_body = TrialRequest,
    responses(
        (status = 201, body = Subscription),
        (status = 403, description = "`not_eligible` with `reason`", body = selfserve_api::ApiError),
        (status = 409, description = "`conflict`: already had a trial of this product", body = selfserve_api::ApiError),
    ))]
pub async fn start_trial(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(request): ApiJson<TrialRequest>,
) -> Result<Response, AppError> {
    let product = parse_product(&request.product)?;
    let quantity = SeatCount::new(
        request.quantity.unwrap_or(1),
        SeatLimits { min: 1, max: 25 },
    )
    .map_err(|e| {
        AppError::bad_request(ErrorCode::InvalidQuantity, e.to_string()).field("quantity")
    })?;
    let org = &current.organization;
    let policy = policy_for(&state.store, &org.id, product).await?;
    if let Err(reason) = check_purchase(tenant_of(org), policy, current.user.guest, false) {
        return Err(AppError::not_eligible(reason));
    }
    if state
        .store
        .had_trial(&current.user.id, product.as_str())
        .await?
    {
        return Err(AppError::conflict(
            "You already had a trial of this product.",
        ));
    }
    let now = state.clock.now();
    let price = price_book::unit_price(product, currency_for(country_of(org)));
    let id = new_id("sub");
    state
        .store
        .create_unbilled(
            &NewUnbilled {
                id: id.clone(),
                organization_id: org.id.clone(),
                product: product.as_str().into(),
                source: "self_service",
                status: "trialing",
                quantity: i64::from(quantity.get()),
                purchaser_id: current.user.id.clone(),
                unit_amount: price.amount,
                currency: price.currency.as_str().into(),
                period_start: now,
                period_end: now + 30 * 86_400,
                assign_purchaser: true,
                order: None,
            },
            now,
        )
        .await?;
    audit::record(
        &state.store,
        &org.id,
        &Actor::user(&current.user),
        Change {
            action: "trial_started",
            subscription_id: Some(&id),
            product: Some(product.as_str()),
            after: Some(json!({"quantity": quantity.get(), "ends": iso_date(now + 30 * 86_400)})),
            ..Change::default()
        },
        now,
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(subscription_view(&state.store, &id).await?),
    )
        .into_response())
}
