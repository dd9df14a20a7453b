//! The error responses every route shares, added to the OpenAPI document in one place so that
//! it lists every status a route can answer (schemathesis checks it does) without each handler
//! repeating the list. A handler's own, more specific description of a status wins.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Components, ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// Routes that answer without a session, so never 401.
const ANONYMOUS: &[(&str, &str)] = &[
    ("get", "/products"),
    ("get", "/config"),
    ("post", "/eligibility"),
    ("post", "/session"),
];

/// A shared response: its component name, status and when it is given.
struct Common {
    name: &'static str,
    status: &'static str,
    description: &'static str,
}

const INVALID: Common = Common {
    name: "InvalidRequest",
    status: "400",
    description: "`invalid_request` (or a more specific code naming `field`): a malformed \
                  parameter or body, or a host name this server does not answer for",
};
const SIGN_IN: Common = Common {
    name: "SignInRequired",
    status: "401",
    description: "`not_authenticated`: no session, or it has expired",
};
const FORBIDDEN: Common = Common {
    name: "Forbidden",
    status: "403",
    description: "`forbidden_origin` (sent by a page of another website), `admin_required` or \
                  `not_eligible`: the caller may not do this",
};
const NOT_FOUND: Common = Common {
    name: "NotFound",
    status: "404",
    description: "`not_found`: nothing with that id the caller may see",
};
const CONFLICT: Common = Common {
    name: "Conflict",
    status: "409",
    description: "`conflict`: the state the request meets does not allow it",
};
const TOO_LARGE: Common = Common {
    name: "PayloadTooLarge",
    status: "413",
    description: "`payload_too_large`: the body is over the limit",
};
const MEDIA_TYPE: Common = Common {
    name: "UnsupportedMediaType",
    status: "415",
    description: "`unsupported_media_type`: the body is not `application/json`",
};

const ALL: [&Common; 7] = [
    &INVALID,
    &SIGN_IN,
    &FORBIDDEN,
    &NOT_FOUND,
    &CONFLICT,
    &TOO_LARGE,
    &MEDIA_TYPE,
];

/// Adds the shared envelope responses to every operation of `doc`.
pub fn add_common_responses(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Components::new);
    for common in ALL {
        components.responses.insert(
            common.name.to_owned(),
            RefOr::T(envelope(common.description)),
        );
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                let anonymous = ANONYMOUS.contains(&(method, path.as_str()));
                add_to(operation, method, path, anonymous);
            }
        }
    }
}

fn add_to(operation: &mut Operation, method: &str, path: &str, anonymous: bool) {
    let has_path_id = path.contains('{')
        || operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == ParameterIn::Path);
    let mut wanted = vec![&INVALID];
    if !anonymous {
        wanted.push(&SIGN_IN);
        // Signed-in routes decide who may act on what; state-changing ones also refuse foreign
        // origins.
        wanted.push(&FORBIDDEN);
    } else if method != "get" {
        wanted.push(&FORBIDDEN);
    }
    if has_path_id || method != "get" {
        wanted.push(&NOT_FOUND);
    }
    if method != "get" && !anonymous {
        wanted.push(&CONFLICT);
    }
    if operation.request_body.is_some() {
        wanted.push(&TOO_LARGE);
        wanted.push(&MEDIA_TYPE);
    }
    for common in wanted {
        operation
            .responses
            .responses
            .entry(common.status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(common.name)));
    }
}

fn envelope(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ApiError")))
                .build(),
        )
        .build()
}

/// A string parameter that takes exactly one of `values` (for `#[param(schema_with = ...)]`).
fn one_of(values: &[&str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

/// The `source` filter of the lists.
pub fn source_filter() -> utoipa::openapi::Object {
    one_of(&["self_service", "central", "all"])
}

/// The `sort` key of the admin purchase list.
pub fn sort_key() -> utoipa::openapi::Object {
    one_of(&[
        "created",
        "product",
        "purchaser",
        "quantity",
        "expiry",
        "price",
    ])
}

/// The `order` of the admin purchase list.
pub fn sort_order() -> utoipa::openapi::Object {
    one_of(&["asc", "desc"])
}

/// The audit log's `action` filter: known actions, comma-separated (blanks ignored).
pub fn audit_actions() -> utoipa::openapi::Object {
    let names = selfserve_api::admin::AuditAction::ALL
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join("|");
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .pattern(Some(format!(r"^\s*({names})?\s*(,\s*({names})?\s*)*$")))
        .build()
}
