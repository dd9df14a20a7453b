//! SCIM JSON in and out. Filters and PATCH paths are parsed by the `scim_v2` crate (RFC 7644
//! §3.4.2.2 and §3.5.2 grammar, maintained, with depth limits); the resources are read from
//! `serde_json::Value` because Entra ID and Okta send attributes this server does not keep
//! (they are ignored, not refused) and differ in case (`"Replace"`, `"False"`).

use super::{AppState, ScimFailure};
use crate::services::scim::groups::GroupChange;
use crate::services::scim::{UserChange, UserInput};
use crate::store::scim::{ScimGroup, ScimUser};
use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, PatchPath, ValFilter};
use serde_json::{Map, Value, json};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// What this server supports (RFC 7643 §5).
pub fn service_provider_config(max_results: i64) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": max_results},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "The organisation's token from `selfserve-server org scim-token create`.",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig"}
    })
}

/// Which of `attributes` a filter `ATTRIBUTE eq "value"` names, and the value: the one form
/// supported (what Entra ID and Okta send to find a resource before creating it); anything
/// else is `invalidFilter`.
pub fn eq_filter<'a>(text: &str, attributes: &[&'a str]) -> Result<(&'a str, String), ScimFailure> {
    let filter: Filter = text
        .parse()
        .map_err(|_| ScimFailure::invalid_filter("The filter is not a valid SCIM filter."))?;
    if let Filter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::Str(value))) = filter
        && let Some(attribute) = attributes.iter().find(|a| names(&path, a))
    {
        return no_nul(value).map(|value| (*attribute, value));
    }
    Err(ScimFailure::invalid_filter(format!(
        "Only {} eq \"…\" is supported.",
        attributes.join(" or ")
    )))
}

/// A value decoded from a filter (`"\u0000"` there is a NUL only once parsed, past the body's
/// and the query's checks): refused, as every NUL is before it reaches a query.
fn no_nul(value: String) -> Result<String, ScimFailure> {
    if value.contains('\0') {
        Err(ScimFailure::invalid_value(
            "A value holds a NUL character, which no attribute may contain.",
        ))
    } else {
        Ok(value)
    }
}

fn names(path: &AttrPath, attribute: &str) -> bool {
    path.sub_attr.is_none()
        && path.name.eq_ignore_ascii_case(attribute)
        && path
            .uri
            .as_deref()
            .is_none_or(|uri| uri == USER_SCHEMA || uri == GROUP_SCHEMA)
}

/// A list (RFC 7644 §3.4.2).
pub fn list_response(total: i64, start_index: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

fn location(state: &AppState, kind: &str, id: &str) -> String {
    format!("{}/scim/v2/{kind}/{id}", state.site.public())
}

/// A user as SCIM shows them; `active` is false for leavers and disabled accounts.
pub fn user(state: &AppState, user: &ScimUser) -> Value {
    let row = &user.user;
    let mut body = json!({
        "schemas": [USER_SCHEMA],
        "id": row.id,
        "userName": row.email,
        "displayName": row.name,
        "name": {"formatted": row.name},
        "active": row.enabled && row.in_directory,
        "emails": [{"value": row.email, "type": "work", "primary": true}],
        "meta": {"resourceType": "User", "location": location(state, "Users", &row.id)},
    });
    if let Some(external_id) = &user.external_id {
        body["externalId"] = json!(external_id);
    }
    body
}

/// A group as SCIM shows it.
pub fn group(state: &AppState, group: &ScimGroup) -> Value {
    let mut body = json!({
        "schemas": [GROUP_SCHEMA],
        "id": group.id,
        "displayName": group.display_name,
        "members": group.members.iter().map(|id| json!({
            "value": id, "$ref": location(state, "Users", id), "type": "User"
        })).collect::<Vec<_>>(),
        "meta": {"resourceType": "Group", "location": location(state, "Groups", &group.id)},
    });
    if let Some(external_id) = &group.external_id {
        body["externalId"] = json!(external_id);
    }
    body
}

/// Attribute names are case-insensitive (RFC 7643 §2.1).
fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
        .filter(|value| !value.is_null())
}

/// The longest text attribute kept (names, ids): longer is a mistake or an attack, and would
/// only bloat every list.
const MAX_TEXT_CHARS: usize = 256;

fn string(value: &Value, name: &str) -> Result<String, ScimFailure> {
    let text = value
        .as_str()
        .ok_or_else(|| ScimFailure::invalid_value(format!("{name} must be a string")))?;
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ScimFailure::invalid_value(format!(
            "{name} is longer than {MAX_TEXT_CHARS} characters"
        )));
    }
    Ok(text.to_owned())
}

/// Entra ID has sent `"False"` as a string for `active`.
fn boolean(value: &Value) -> Result<bool, ScimFailure> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimFailure::invalid_value("active must be true or false")),
    }
}

fn display_name(object: &Map<String, Value>) -> Result<Option<String>, ScimFailure> {
    if let Some(value) = field(object, "displayName") {
        return string(value, "displayName").map(Some);
    }
    let Some(Value::Object(name)) = field(object, "name") else {
        return Ok(None);
    };
    if let Some(formatted) = field(name, "formatted") {
        return string(formatted, "name.formatted").map(Some);
    }
    let parts: Vec<&str> = ["givenName", "familyName"]
        .iter()
        .filter_map(|part| field(name, part).and_then(Value::as_str))
        .collect();
    Ok((!parts.is_empty()).then(|| parts.join(" ")))
}

/// A User of a POST or PUT.
pub fn user_input(body: &Value) -> Result<UserInput, ScimFailure> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimFailure::invalid_syntax("not an object"))?;
    let user_name = field(object, "userName")
        .ok_or_else(|| ScimFailure::invalid_value("userName is required"))
        .and_then(|v| string(v, "userName"))?;
    Ok(UserInput {
        user_name,
        display_name: display_name(object)?,
        external_id: field(object, "externalId")
            .map(|v| string(v, "externalId"))
            .transpose()?,
        active: field(object, "active")
            .map(boolean)
            .transpose()?
            .unwrap_or(true),
    })
}

/// The `Operations` of a PatchOp (RFC 7644 §3.5.2): `(op, path, value)`, op lowercased.
fn operations(body: &Value) -> Result<Vec<(String, Option<PatchPath>, Value)>, ScimFailure> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimFailure::invalid_syntax("not an object"))?;
    let Some(Value::Array(operations)) = field(object, "Operations") else {
        return Err(ScimFailure::invalid_syntax("Operations is required"));
    };
    operations
        .iter()
        .map(|operation| {
            let operation = operation
                .as_object()
                .ok_or_else(|| ScimFailure::invalid_syntax("an operation is not an object"))?;
            let op = field(operation, "op")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .filter(|op| matches!(op.as_str(), "add" | "replace" | "remove"))
                .ok_or_else(|| ScimFailure::invalid_syntax("op must be add, replace or remove"))?;
            let path = field(operation, "path")
                .map(|path| {
                    path.as_str()
                        .and_then(|text| text.parse::<PatchPath>().ok())
                        .ok_or_else(|| {
                            ScimFailure::new(
                                axum::http::StatusCode::BAD_REQUEST,
                                Some("invalidPath"),
                                "path is not a valid SCIM path",
                            )
                        })
                })
                .transpose()?;
            let value = field(operation, "value").cloned().unwrap_or(Value::Null);
            Ok((op, path, value))
        })
        .collect()
}

fn user_change(name: &str, value: &Value, op: &str) -> Result<Option<UserChange>, ScimFailure> {
    let name = name.to_ascii_lowercase();
    Ok(match (name.as_str(), op) {
        ("externalid", "remove") => Some(UserChange::ExternalId(None)),
        (_, "remove") => None,
        ("active", _) => Some(UserChange::Active(boolean(value)?)),
        ("username", _) => Some(UserChange::UserName(string(value, "userName")?)),
        ("displayname", _) => Some(UserChange::DisplayName(string(value, "displayName")?)),
        ("externalid", _) => Some(UserChange::ExternalId(Some(string(value, "externalId")?))),
        // Attributes this server does not keep (name.*, emails, title, …) are ignored.
        _ => None,
    })
}

/// A User PATCH: with a path (`{"op":"replace","path":"active","value":false}`) or without
/// (`{"op":"replace","value":{"active":false}}`), as Entra ID sends both.
pub fn user_changes(body: &Value) -> Result<Vec<UserChange>, ScimFailure> {
    let mut changes = Vec::new();
    for (op, path, value) in operations(body)? {
        match path {
            Some(PatchPath::Attr(path)) if path.sub_attr.is_none() => {
                changes.extend(user_change(&path.name, &value, &op)?);
            }
            Some(_) => {}
            None => {
                let Value::Object(object) = &value else {
                    return Err(ScimFailure::invalid_value("value must be an object"));
                };
                for (name, value) in object {
                    changes.extend(user_change(name, value, &op)?);
                }
            }
        }
    }
    Ok(changes)
}

/// Member ids of `[{"value": id}, …]`.
pub fn member_ids(value: &Value) -> Result<Vec<String>, ScimFailure> {
    let Value::Array(members) = value else {
        return Err(ScimFailure::invalid_value("members must be a list"));
    };
    members
        .iter()
        .map(|member| {
            member
                .as_object()
                .and_then(|m| field(m, "value"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| ScimFailure::invalid_value("a member needs a value (a user id)"))
        })
        .collect()
}

/// A Group of a POST or PUT: (displayName, externalId, member ids).
pub fn group_input(body: &Value) -> Result<(String, Option<String>, Vec<String>), ScimFailure> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimFailure::invalid_syntax("not an object"))?;
    let name = field(object, "displayName")
        .ok_or_else(|| ScimFailure::invalid_value("displayName is required"))
        .and_then(|v| string(v, "displayName"))?;
    let external_id = field(object, "externalId")
        .map(|v| string(v, "externalId"))
        .transpose()?;
    let members = field(object, "members")
        .map(member_ids)
        .transpose()?
        .unwrap_or_default();
    Ok((name, external_id, members))
}

/// A Group PATCH: members added, removed (`members[value eq "id"]` or a list) or replaced,
/// and the display name.
pub fn group_changes(body: &Value) -> Result<Vec<GroupChange>, ScimFailure> {
    let mut changes = Vec::new();
    for (op, path, value) in operations(body)? {
        match path {
            Some(PatchPath::Attr(path)) if path.name.eq_ignore_ascii_case("members") => {
                changes.push(match (op.as_str(), &value) {
                    ("add", _) => GroupChange::AddMembers(member_ids(&value)?),
                    ("remove", Value::Null) => GroupChange::ReplaceMembers(Vec::new()),
                    ("remove", _) => GroupChange::RemoveMembers(member_ids(&value)?),
                    _ => GroupChange::ReplaceMembers(member_ids(&value)?),
                });
            }
            Some(PatchPath::Attr(path)) if path.name.eq_ignore_ascii_case("displayName") => {
                if op != "remove" {
                    changes.push(GroupChange::DisplayName(string(&value, "displayName")?));
                }
            }
            Some(PatchPath::Value(path)) if path.attr.name.eq_ignore_ascii_case("members") => {
                match (&path.filter, op.as_str()) {
                    (
                        ValFilter::Attr(AttrExp::Comparison(
                            attr,
                            CompareOp::Eq,
                            CompValue::Str(id),
                        )),
                        "remove",
                    ) if attr.name.eq_ignore_ascii_case("value") => {
                        changes.push(GroupChange::RemoveMembers(vec![no_nul(id.clone())?]));
                    }
                    _ => {
                        return Err(ScimFailure::new(
                            axum::http::StatusCode::BAD_REQUEST,
                            Some("invalidPath"),
                            "only remove members[value eq \"id\"] is supported",
                        ));
                    }
                }
            }
            Some(_) => {}
            None => {
                let Value::Object(object) = &value else {
                    return Err(ScimFailure::invalid_value("value must be an object"));
                };
                if let Some(name) = field(object, "displayName") {
                    changes.push(GroupChange::DisplayName(string(name, "displayName")?));
                }
                if let Some(members) = field(object, "members") {
                    let ids = member_ids(members)?;
                    changes.push(match op.as_str() {
                        "add" => GroupChange::AddMembers(ids),
                        "remove" => GroupChange::RemoveMembers(ids),
                        _ => GroupChange::ReplaceMembers(ids),
                    });
                }
            }
        }
    }
    Ok(changes)
}
