//! Pages of subscription lists cut by the database: filtered, ordered and continued after a
//! cursor (keyset pagination), so a list of 10,000 subscriptions reads one page's rows and
//! builds one page's views, whatever page the client asks for.
//!
//! Every order ends in the subscription's id, so it is total: a cursor names exactly where
//! the previous page stopped, and an item added meanwhile does not shift the next page.

use super::Owner;
use crate::domain::price_book;
use crate::store::{Backend, Store, StoreError};
use selfserve_api::product::ProductId;
use selfserve_api::subscription::Source;
use sqlx::Row;

/// What the admins' list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Created,
    Product,
    Purchaser,
    Quantity,
    /// The end of the current period.
    Expiry,
    /// Seats × price per seat.
    Price,
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// Newest first, ties by id: `GET /subscriptions`.
    Newest,
    /// The admins' purchases: by `key`, ties newest first (all reversed when descending).
    Sorted { key: SortKey, descending: bool },
}

/// Which subscriptions a list holds.
#[derive(Debug, Clone, Copy)]
pub struct ListFilter<'a> {
    pub owner: Owner<'a>,
    pub source: Option<Source>,
    /// Lowercased words; each must occur in the product's name, or the purchaser's or an
    /// assigned user's name or email.
    pub words: &'a [String],
}

/// A subscription of a page, with what deciding who may see it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRow {
    pub id: String,
    pub organization_id: String,
    pub purchaser_id: String,
}

/// A value bound to a numbered placeholder.
enum Value {
    Text(String),
    Int(i64),
}

/// SQL text and its bound values, numbered as they are pushed.
#[derive(Default)]
struct Sql {
    binds: Vec<Value>,
}

impl Sql {
    fn bind(&mut self, value: Value) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn query(self, text: &str) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query(text);
        for value in self.binds {
            query = match value {
                Value::Text(text) => query.bind(text),
                Value::Int(n) => query.bind(n),
            };
        }
        query
    }
}

/// A `LIKE … ESCAPE '\'` pattern matching `word` anywhere, its wildcards taken literally
/// (the admins' words here, the holders' filter in `holders.rs`).
pub(super) fn contains_pattern(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 2);
    pattern.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A product's name in SQL (lowercased for matching) or its rank by name (for sorting): the
/// names live in the price book, not in the database.
fn product_case(map: impl Fn(ProductId) -> String) -> String {
    let arms: String = ProductId::ALL
        .iter()
        .map(|&id| format!(" WHEN '{}' THEN {}", id.as_str(), map(id)))
        .collect();
    format!("(CASE s.product{arms} END)")
}

fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The sort key as an SQL expression over `s` (the subscription) and `u` (its purchaser).
fn key_expr(key: SortKey, backend: Backend) -> String {
    match key {
        SortKey::Created => "s.created_at".to_owned(),
        SortKey::Product => {
            let mut names: Vec<&str> = ProductId::ALL
                .iter()
                .map(|&id| price_book::entry(id).name)
                .collect();
            names.sort_unstable();
            product_case(|id| {
                let name = price_book::entry(id).name;
                names
                    .iter()
                    .position(|n| *n == name)
                    .unwrap_or(0)
                    .to_string()
            })
        }
        // Byte order, as Rust compares strings (PostgreSQL's default collation would not).
        SortKey::Purchaser => match backend {
            Backend::Sqlite => "u.name".to_owned(),
            Backend::Postgres => "u.name COLLATE \"C\"".to_owned(),
        },
        SortKey::Quantity => "s.quantity".to_owned(),
        SortKey::Expiry => "s.current_period_end".to_owned(),
        SortKey::Price => "(s.unit_amount * s.quantity)".to_owned(),
    }
}

/// The order's terms, each an expression and whether it ascends; the last is the id.
fn terms(order: ListOrder, backend: Backend) -> Vec<(String, bool)> {
    match order {
        ListOrder::Newest => vec![
            ("s.created_at".to_owned(), false),
            ("s.id".to_owned(), true),
        ],
        ListOrder::Sorted { key, descending } => {
            let ascending = !descending;
            vec![
                (key_expr(key, backend), ascending),
                ("s.created_at".to_owned(), !ascending),
                ("s.id".to_owned(), ascending),
            ]
        }
    }
}

const FROM: &str = "FROM subscriptions s JOIN users u ON u.id = s.purchaser_id";

/// The filter's conditions, its values bound in `sql`.
fn filter_where(filter: &ListFilter<'_>, sql: &mut Sql) -> String {
    let mut conditions = Vec::new();
    match filter.owner {
        Owner::Purchaser(id) => {
            conditions.push(format!(
                "s.purchaser_id = {}",
                sql.bind(Value::Text(id.into()))
            ));
        }
        Owner::Organization(id) => {
            conditions.push(format!(
                "s.organization_id = {}",
                sql.bind(Value::Text(id.into()))
            ));
        }
    }
    if let Some(source) = filter.source {
        conditions.push(format!(
            "s.source = {}",
            sql.bind(Value::Text(source.as_str().into()))
        ));
    }
    if !filter.words.is_empty() {
        let product = product_case(|id| sql_text(&price_book::entry(id).name.to_lowercase()));
        for word in filter.words {
            let p = sql.bind(Value::Text(contains_pattern(word)));
            conditions.push(format!(
                "({product} LIKE {p} ESCAPE '\\' OR u.name_search LIKE {p} ESCAPE '\\' \
                 OR u.email LIKE {p} ESCAPE '\\' OR EXISTS (SELECT 1 FROM assignments a \
                 JOIN users au ON au.id = a.user_id WHERE a.subscription_id = s.id \
                 AND (au.name_search LIKE {p} ESCAPE '\\' OR au.email LIKE {p} ESCAPE '\\')))"
            ));
        }
    }
    conditions.join(" AND ")
}

/// The rows after the cursor `c` (whose columns `k0`, `k1`, … hold its terms): those past it
/// in the first term, or equal in it and past it in the next, and so on.
fn after_cursor(terms: &[(String, bool)]) -> String {
    let mut alternatives = Vec::new();
    for (i, (expr, ascending)) in terms.iter().enumerate() {
        let mut parts: Vec<String> = terms[..i]
            .iter()
            .enumerate()
            .map(|(j, (e, _))| format!("{e} = c.k{j}"))
            .collect();
        parts.push(format!(
            "{expr} {} c.k{i}",
            if *ascending { ">" } else { "<" }
        ));
        alternatives.push(format!("({})", parts.join(" AND ")));
    }
    // The first term's bound alone, so the database can start its range scan at the cursor.
    let (first, ascending) = &terms[0];
    format!(
        "{first} {} c.k0 AND ({})",
        if *ascending { ">=" } else { "<=" },
        alternatives.join(" OR ")
    )
}

impl Store {
    /// At most `limit` subscriptions of the list, in `order`, after the one with the id
    /// `after`; `None` when `after` is not in the list (a client's cursor from another list or
    /// a made-up id). Two queries at most, whatever the list's length.
    pub async fn subscription_page(
        &self,
        filter: &ListFilter<'_>,
        order: ListOrder,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Option<Vec<PageRow>>, StoreError> {
        let terms = terms(order, self.backend());
        let mut sql = Sql::default();
        let mut text = "SELECT s.id, s.organization_id, s.purchaser_id FROM ".to_owned();
        if let Some(after) = after {
            let mut check = Sql::default();
            let condition = filter_where(filter, &mut check);
            let id = check.bind(Value::Text(after.into()));
            let found = check
                .query(&format!(
                    "SELECT s.id {FROM} WHERE {condition} AND s.id = {id}"
                ))
                .fetch_optional(self.reader())
                .await?;
            if found.is_none() {
                return Ok(None);
            }
            let columns: Vec<String> = terms
                .iter()
                .enumerate()
                .map(|(i, (expr, _))| format!("{expr} AS k{i}"))
                .collect();
            let id = sql.bind(Value::Text(after.into()));
            // The cursor's row first (SQLite keeps a CROSS JOIN's order), so the list's index
            // range starts at the cursor instead of at the list's beginning.
            text.push_str(&format!(
                "(SELECT {} {FROM} WHERE s.id = {id}) c CROSS JOIN ",
                columns.join(", ")
            ));
        }
        text.push_str(&format!(
            "{} WHERE {}",
            FROM.trim_start_matches("FROM "),
            filter_where(filter, &mut sql)
        ));
        if after.is_some() {
            text.push_str(&format!(" AND {}", after_cursor(&terms)));
        }
        let order_by: Vec<String> = terms
            .iter()
            .map(|(expr, ascending)| format!("{expr} {}", if *ascending { "ASC" } else { "DESC" }))
            .collect();
        let limit = sql.bind(Value::Int(limit));
        text.push_str(&format!(" ORDER BY {} LIMIT {limit}", order_by.join(", ")));
        let rows = sql.query(&text).fetch_all(self.reader()).await?;
        let page = rows
            .iter()
            .map(|row| {
                Ok(PageRow {
                    id: row.try_get("id")?,
                    organization_id: row.try_get("organization_id")?,
                    purchaser_id: row.try_get("purchaser_id")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Some(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_a_word_are_literal() {
        assert_eq!(contains_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }

    #[test]
    fn the_cursor_condition_is_past_it_term_by_term() {
        let terms = vec![("x".to_owned(), true), ("s.id".to_owned(), false)];
        assert_eq!(
            after_cursor(&terms),
            "x >= c.k0 AND ((x > c.k0) OR (x = c.k0 AND s.id < c.k1))"
        );
    }
}
