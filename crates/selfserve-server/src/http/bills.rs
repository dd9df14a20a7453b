//! Bills: listing, reading and paying them.

use super::error::AppError;
use super::extract::{ApiQuery, is_json, parse_json, unsupported_media_type};
use super::{AppState, Caller, idempotency};
use crate::http::messages::requests as msg;
use crate::services::bills;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use selfserve_api::manage::PayInvoiceRequest;
use selfserve_api::subscription::Invoice;
use selfserve_api::{ErrorCode, List};
use serde::Deserialize;
use utoipa::IntoParams;

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
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<List<Invoice>>, AppError> {
    Ok(Json(List::complete(
        bills::list(&state.services, &caller, &id).await?,
    )))
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
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Invoice>, AppError> {
    Ok(Json(bills::get(&state.services, &caller, &id).await?))
}

/// Query of `GET /invoices/{id}/pdf`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PdfQuery {
    /// `en` or `nl`: the language the app's reader chose, which may differ from the browser's
    /// `Accept-Language` (a download link cannot set headers). Absent: `Accept-Language`.
    #[param(pattern = "^(en|nl)$")]
    language: Option<String>,
}

/// One bill as a PDF in `?language=` when given, else the requester's `Accept-Language`, for
/// the same callers as `GET /invoices/{id}`.
#[utoipa::path(
    get,
    path = "/invoices/{id}/pdf",
    tag = "manage",
    params(("id" = String, Path), PdfQuery),
    responses(
        (status = 200, description = "The bill as a PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "`invalid_request`: `language` is not `en` or `nl`", body = selfserve_api::ApiError),
    )
)]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PdfQuery>,
) -> Result<Response, AppError> {
    let language = match query.language.as_deref() {
        None => super::language::Language::current(),
        Some(text) => super::language::Language::from_stored(text).ok_or_else(|| {
            AppError::bad_request(ErrorCode::InvalidRequest, msg::PDF_LANGUAGE).field("language")
        })?,
    };
    let (number, pdf) = bills::pdf(&state.services, &caller, &id, language).await?;
    // The number is `SS-2026-000042`: letters, digits and dashes, safe in a quoted filename.
    let filename: String = number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"invoice-{filename}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
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
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    // The body is optional ("pay with the card on file"); when present it must be JSON.
    let request: PayInvoiceRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PayInvoiceRequest::default()
    } else if is_json(&headers) {
        parse_json(&body)?
    } else {
        return Err(unsupported_media_type());
    };
    // Someone else's bill answers 404 before the key is looked at.
    bills::get(&state.services, &caller, &id).await?;
    let user_id = caller.user.id.clone();
    let key = idempotency::key_from(&headers).ok();
    let token = request.payment_token.as_deref().map(str::trim);
    let work = || async {
        let idempotency = key.as_deref().map(|key| (user_id.as_str(), key));
        Ok::<Invoice, AppError>(
            bills::pay(&state.services, &caller, &id, token, idempotency).await?,
        )
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
