//! `/scim/v2/Groups`: enough for the role mapping (a group named in the organisation's
//! `admin_groups` / `billing_admin_groups` gives its members that role).

use super::{AppState, Provisioner, ScimFailure, paging, parse_body, scim_json, wire};
use crate::services::scim::groups::{self as service, GroupChange};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::collections::BTreeMap;

pub async fn list(
    State(state): State<AppState>,
    caller: Provisioner,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Response, ScimFailure> {
    let name = query
        .get("filter")
        .map(|text| wire::eq_filter(text, &["displayName"]).map(|(_, name)| name))
        .transpose()?;
    let (start_index, count) = paging(&query)?;
    let groups = service::list_groups(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        name.as_deref(),
    )
    .await?;
    let total = groups.len() as i64;
    let page: Vec<Value> = groups
        .iter()
        .skip((start_index - 1) as usize)
        .take(count as usize)
        .map(|g| wire::group(&state, g))
        .collect();
    Ok(scim_json(
        StatusCode::OK,
        &wire::list_response(total, start_index, page),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Provisioner,
    body: Bytes,
) -> Result<Response, ScimFailure> {
    let (name, external_id, members) = wire::group_input(&parse_body(&body)?)?;
    let group = service::create_group(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        name,
        external_id,
        members,
    )
    .await?;
    Ok(scim_json(StatusCode::CREATED, &wire::group(&state, &group)))
}

pub async fn get_one(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
) -> Result<Response, ScimFailure> {
    let group =
        service::get_group(&state.services, &caller.actor, &caller.organization_id, &id).await?;
    Ok(scim_json(StatusCode::OK, &wire::group(&state, &group)))
}

pub async fn replace(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ScimFailure> {
    let (name, _external_id, members) = wire::group_input(&parse_body(&body)?)?;
    let group = service::patch_group(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        &id,
        vec![
            GroupChange::DisplayName(name),
            GroupChange::ReplaceMembers(members),
        ],
    )
    .await?;
    Ok(scim_json(StatusCode::OK, &wire::group(&state, &group)))
}

pub async fn patch(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ScimFailure> {
    let changes = wire::group_changes(&parse_body(&body)?)?;
    let group = service::patch_group(
        &state.services,
        &caller.actor,
        &caller.organization_id,
        &id,
        changes,
    )
    .await?;
    Ok(scim_json(StatusCode::OK, &wire::group(&state, &group)))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Provisioner,
    Path(id): Path<String>,
) -> Result<StatusCode, ScimFailure> {
    service::delete_group(&state.services, &caller.actor, &caller.organization_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
