//! SCIM 2.0 (RFC 7643/7644) at `/scim/v2`, as Entra ID and Okta push users: bearer-token
//! authentication per organisation, `application/scim+json`, and SCIM error bodies for every
//! failure (also 404, 405, a bad token and malformed JSON), never the API's envelope.
//!
//! Handlers parse (the wire module), hand the [`Actor::Provisioner`] of the token's
//! organisation to `services::scim` (which asks `access`), and render.
//!
//! # Layout
//! - [`wire`]: reading SCIM JSON (users, PATCH operations, filters through the `scim_v2` crate)
//!   and writing it.
//! - [`groups`]: the `/Groups` endpoints.

pub mod groups;
pub mod wire;

use super::AppState;
use crate::access::Actor;
use crate::services::scim::{self as service, ScimError};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The media type of every SCIM body (RFC 7644 §3.1).
pub const CONTENT_TYPE: &str = "application/scim+json";

/// The most resources one list answers (advertised as `filter.maxResults`).
pub const MAX_RESULTS: i64 = 100;

/// `/scim/v2`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/Users", get(list_users).post(create_user))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route(
            "/Groups/{id}",
            get(groups::get_one)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// A SCIM error (RFC 7644 §3.12).
#[derive(Debug)]
pub struct ScimFailure {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimFailure {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    /// 400 `invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), detail)
    }

    /// 400 `invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), detail)
    }
}

impl From<ScimError> for ScimFailure {
    fn from(error: ScimError) -> Self {
        match error {
            ScimError::NotFound => Self::new(StatusCode::NOT_FOUND, None, "Resource not found."),
            ScimError::Uniqueness(detail) => {
                Self::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
            }
            ScimError::InvalidValue(detail) => Self::invalid_value(detail),
            ScimError::Store(error) => {
                tracing::error!(%error, "SCIM request failed in the database");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    "Internal error; try again.",
                )
            }
        }
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        let mut response = scim_json(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"scim\""),
            );
        }
        response
    }
}

/// A SCIM body with its media type.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The SHA-256 (hex) under which a token is stored.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The caller: the provider of the organisation whose bearer token it presented.
#[derive(Debug, Clone)]
pub struct Provisioner {
    pub actor: Actor,
    pub organization_id: String,
}

impl FromRequestParts<AppState> for Provisioner {
    type Rejection = ScimFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ScimFailure> {
        let unauthorized = || {
            ScimFailure::new(
                StatusCode::UNAUTHORIZED,
                None,
                "A valid bearer token of the organisation is required.",
            )
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 512)
            .ok_or_else(unauthorized)?;
        let organization_id = state
            .services
            .store
            .scim_token_organization(&hash_token(token))
            .await
            .map_err(|e| ScimFailure::from(ScimError::Store(e)))?
            .ok_or_else(unauthorized)?;
        Ok(Self {
            actor: Actor::Provisioner {
                organization_id: organization_id.clone(),
            },
            organization_id,
        })
    }
}

/// A SCIM request body: JSON of any `+json` or plain type, else `invalidSyntax`.
pub fn parse_body(body: &Bytes) -> Result<Value, ScimFailure> {
    serde_json::from_slice(body)
        .map_err(|_| ScimFailure::invalid_syntax("The body is not a JSON object."))
        .and_then(|value: Value| {
            if super::extract::holds_nul(&value) {
                Err(ScimFailure::invalid_value(
                    "A value holds a NUL character, which no attribute may contain.",
                ))
            } else if value.is_object() {
                Ok(value)
            } else {
                Err(ScimFailure::invalid_syntax(
                    "The body is not a JSON object.",
                ))
            }
        })
}

/// `startIndex` (from 1) and `count` (0..=MAX_RESULTS), read as RFC 7644 §3.4.2.4 says:
/// below 1 means 1, a negative count means 0.
pub fn paging(query: &BTreeMap<String, String>) -> Result<(i64, i64), ScimFailure> {
    let number = |name: &str, default: i64| -> Result<i64, ScimFailure> {
        query.get(name).map_or(Ok(default), |text| {
            text.trim()
                .parse::<i64>()
                .map_err(|_| ScimFailure::invalid_value(format!("{name} must be an integer")))
        })
    };
    Ok((
        number("startIndex", 1)?.max(1),
        number("count", MAX_RESULTS)?.clamp(0, MAX_RESULTS),
    ))
}

async fn service_provider_config(_caller: Provisioner) -> Response {
    scim_json(StatusCode::OK, &wire::service_provider_config(MAX_RESULTS))
}

async fn list_users(
    State(state): State<AppState>,
    caller: Provisioner,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Response, ScimFailure> {
    let filter = query
        .get("filter")
        .map(|text| {
            wire::eq_filter(text, &["userName", "externalId"]).map(|(attribute, value)| {
                if attribute == "userName" {
                    service::UserFilter::UserName(value)
                } else {
                    service::UserFilter::ExternalId(value)
                }
            })
        })
        .transpose()?;
    let (start_index, count) = paging(&query)?;
    let (total, users) = service::list_users(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        filter,
        start_index,
        count,
    )
    .await?;
    let resources: Vec<Value> = users.iter().map(|u| wire::user(&state, u)).collect();
    Ok(scim_json(
        StatusCode::OK,
        &wire::list_response(total, start_index, resources),
    ))
}

async fn create_user(
    State(state): State<AppState>,
    caller: Provisioner,
    body: Bytes,
) -> Result<Response, ScimFailure> {
    let input = wire::user_input(&parse_body(&body)?)?;
    let user = service::create_user(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        input,
    )
    .await?;
    let body = wire::user(&state, &user);
    let mut response = scim_json(StatusCode::CREATED, &body);
    if let Ok(location) = HeaderValue::from_str(body["meta"]["location"].as_str().unwrap_or("")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn get_user(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
) -> Result<Response, ScimFailure> {
    let user =
        service::get_user(&state.services, &caller.actor, &caller.organization_id, &id).await?;
    Ok(scim_json(StatusCode::OK, &wire::user(&state, &user)))
}

async fn replace_user(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ScimFailure> {
    let input = wire::user_input(&parse_body(&body)?)?;
    let user = service::replace_user(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        &id,
        input,
    )
    .await?;
    Ok(scim_json(StatusCode::OK, &wire::user(&state, &user)))
}

async fn patch_user(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ScimFailure> {
    let changes = wire::user_changes(&parse_body(&body)?)?;
    let user = service::patch_user(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        &id,
        changes,
    )
    .await?;
    Ok(scim_json(StatusCode::OK, &wire::user(&state, &user)))
}

async fn delete_user(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
) -> Result<StatusCode, ScimFailure> {
    service::delete_user(&state.services, &caller.actor, &caller.organization_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn not_found() -> ScimFailure {
    ScimFailure::new(StatusCode::NOT_FOUND, None, "No such SCIM endpoint.")
}

async fn method_not_allowed() -> ScimFailure {
    ScimFailure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        "This endpoint does not accept that method.",
    )
}
