//! `GET /admin/subscriptions/export.csv`: the purchase list as a spreadsheet.

use super::purchases::PurchasesQuery;
use crate::domain::calendar::iso_date;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::{AppState, Caller};
use crate::services::admin::purchases;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// What a spreadsheet may read as the start of a formula (OWASP's list, with the full-width
/// forms some locales' spreadsheets accept too).
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

fn csv_field(text: &str) -> String {
    // Quote every field; double inner quotes; neutralise spreadsheet formulas.
    let text = if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// One CSV record, its line break included.
fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The same list as CSV (a file download).
#[utoipa::path(get, path = "/admin/subscriptions/export.csv", tag = "admin", params(PurchasesQuery),
    responses((status = 200, description = "text/csv"), (status = 403, description = "`admin_required`", body = selfserve_api::ApiError)))]
pub async fn export_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PurchasesQuery>,
) -> Result<Response, AppError> {
    let parsed = query.parse()?;
    let (scope, rows) = purchases::list(
        &state.services,
        &caller,
        query.organization.as_deref(),
        &parsed,
    )
    .await?;
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
            sub.source.as_str().to_owned(),
            sub.status.as_str().to_owned(),
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
        csv.push_str(&csv_line(&fields));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("Megan"), "\"Megan\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+2"), "\"'=1+2\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("-5"), "\"'-5\"");
        assert_eq!(csv_field("\t=1+2"), "\"'\t=1+2\"");
        assert_eq!(csv_field("＝1+2"), "\"'＝1+2\"");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any names and addresses (quotes, commas, line breaks, formulas) come back from a
        /// CSV reader as they were, one record per line written, and none starts a formula.
        #[test]
        fn every_record_reads_back_as_written_and_never_as_a_formula(
            records in proptest::collection::vec(
                proptest::collection::vec("[=+@\t\r\n\",; a-z＝-]{0,12}", 1..6), 1..6),
        ) {
            let width = records.iter().map(Vec::len).max().unwrap();
            let records: Vec<Vec<String>> = records
                .into_iter()
                .map(|mut r| { r.resize(width, String::new()); r })
                .collect();
            let text: String = records.iter().map(|r| csv_line(r)).collect();
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let read: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            proptest::prop_assert_eq!(read.len(), records.len());
            for (written, read) in records.iter().zip(&read) {
                proptest::prop_assert_eq!(read.len(), written.len());
                for (field, cell) in written.iter().zip(read.iter()) {
                    proptest::prop_assert!(!cell.starts_with(FORMULA_STARTS), "{:?}", cell);
                    let original = if field.starts_with(FORMULA_STARTS) {
                        cell.strip_prefix('\'')
                    } else {
                        Some(cell)
                    };
                    proptest::prop_assert_eq!(original, Some(field.as_str()));
                }
            }
        }
    }
}
