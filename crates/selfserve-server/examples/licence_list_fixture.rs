//! The organisation `cargo xtask bench` opens the licence list of in a real browser (issue 14's
//! "a 10,000-seat licence list"): `licence_list_fixture DATABASE_URL SEATS...` imports
//! Bigcorp (`bigcorp.example`: a buyer who signs in with a password, and as many colleagues as
//! the largest subscription needs), then gives the buyer one active subscription per SEATS,
//! every licence held. Prints `buyer=EMAIL password=PASSWORD` and one `subscription=ID
//! seats=N` line per subscription.
//!
//! The subscriptions are written straight to the file, as `benches/big_org.rs` does: buying
//! 10,000 licences and assigning them through the API would measure purchases, not the list.

use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use selfserve_server::store::Store;
use sqlx::Row;
use std::process::ExitCode;

const BUYER: &str = "buyer@bigcorp.example";
const PASSWORD: &str = "selfserve-bench";
const FIRST: &[&str] = &[
    "Ada", "Alex", "Amir", "Anouk", "Ben", "Carlos", "Chen", "Dana", "Diego", "Emma", "Farah",
    "Finn", "Hana", "Isaiah", "Ivy", "Jonas", "Kai", "Lena", "Maya", "Nora", "Omar", "Priya",
    "Quinn", "Rosa", "Sam", "Sanne", "Uma", "Vera", "Wen", "Yara",
];
const LAST: &[&str] = &[
    "Bowen",
    "Gu",
    "Langer",
    "Robbins",
    "Fernandez",
    "Jansen",
    "Bakker",
    "Smith",
    "Sato",
    "Sharma",
    "Okafor",
    "Nowak",
    "Rossi",
    "Kim",
    "Silva",
    "Cohen",
    "Haddad",
    "Larsen",
    "Park",
    "Tanaka",
];

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seats: Result<Vec<usize>, _> = args.iter().skip(1).map(|n| n.parse()).collect();
    let result = match (args.first(), seats) {
        (Some(url), Ok(seats)) if !seats.is_empty() && seats.iter().all(|&n| n > 0) => {
            seed(url, &seats).await
        }
        _ => Err("usage: licence_list_fixture DATABASE_URL SEATS...".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("licence_list_fixture: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The directory: the buyer and `colleagues` people with names that repeat (as real ones do),
/// so a typed filter narrows the list step by step.
fn directory(colleagues: usize) -> Result<Directory, String> {
    let mut users = vec![serde_json::json!({
        "email": BUYER, "name": "Bo Buyer", "password": PASSWORD,
    })];
    users.extend((0..colleagues).map(|i| {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len()) % LAST.len()];
        serde_json::json!({
            "email": format!("{}.{}{i}@bigcorp.example", first.to_lowercase(), last.to_lowercase()),
            "name": format!("{first} {last}"),
        })
    }));
    let text = serde_json::json!({"organizations": [{
        "name": "Bigcorp", "domains": ["bigcorp.example"], "kind": "commercial",
        "country": "US", "users": users
    }]})
    .to_string();
    Directory::parse(&text).map_err(|e| e.to_string())
}

async fn seed(url: &str, seats: &[usize]) -> Result<(), String> {
    let largest = seats.iter().copied().max().unwrap_or_default();
    let store = Store::open(url).await.map_err(|e| e.to_string())?;
    directory_import::import(&store, &directory(largest - 1)?, 0)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;

    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let buyer = sqlx::query("SELECT id, organization_id FROM users WHERE email = $1")
        .bind(BUYER)
        .fetch_one(&pool)
        .await
        .map_err(|e| e.to_string())?;
    let (buyer_id, org): (String, String) = (buyer.get("id"), buyer.get("organization_id"));
    // The buyer first (the purchaser holds a licence from the start), then by email.
    let colleagues: Vec<String> =
        sqlx::query("SELECT id FROM users WHERE organization_id = $1 AND id <> $2 ORDER BY email")
            .bind(&org)
            .bind(&buyer_id)
            .fetch_all(&pool)
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .map(|row| row.get::<String, _>("id"))
            .collect();
    let holders: Vec<&String> = std::iter::once(&buyer_id).chain(&colleagues).collect();
    println!("buyer={BUYER} password={PASSWORD}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    for (i, &count) in seats.iter().enumerate() {
        let id = format!("sub_licences{i:02}");
        sqlx::query(
            "INSERT INTO subscriptions (id, organization_id, product, source, status, quantity, \
             assigned_count, purchaser_id, unit_amount, currency, tax_rate_bps, billing_anchor, \
             periods_elapsed, current_period_start, current_period_end, cancel_at_period_end, \
             created_at, updated_at) VALUES ($1, $2, 'power-bi-pro', 'self_service', 'active', \
             $3, $3, $4, 1000, 'usd', 0, $5, 0, $5, $6, 0, $5, $5)",
        )
        .bind(&id)
        .bind(&org)
        .bind(count as i64)
        .bind(&buyer_id)
        .bind(now - i as i64)
        .bind(now + 30 * 86_400)
        .execute(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
        sqlx::query(
            "INSERT INTO orders (id, organization_id, purchaser_id, subscription_id, kind, \
             product, quantity, unit_amount, subtotal, tax, tax_rate_bps, amount, currency, \
             period_start, period_end, phase, created_at, updated_at) VALUES ($1, $2, $3, $4, \
             'purchase', 'power-bi-pro', $5, 1000, $6, 0, 0, $6, 'usd', $7, $8, 'paid', $7, $7)",
        )
        .bind(format!("ord_licences{i:02}"))
        .bind(&org)
        .bind(&buyer_id)
        .bind(&id)
        .bind(count as i64)
        .bind(count as i64 * 1000)
        .bind(now - i as i64)
        .bind(now + 30 * 86_400)
        .execute(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
        for chunk in holders[..count].chunks(300) {
            let ids = (0..chunk.len())
                .map(|k| format!("${}", k + 3))
                .collect::<Vec<_>>()
                .join(", ");
            // With the copies of each holder's name and email the server writes on SQLite
            // (migration 0029; on PostgreSQL they are never read).
            let sql = format!(
                "INSERT INTO assignments \
                 (subscription_id, user_id, assigned_at, holder_name, holder_email, \
                  holder_search) \
                 SELECT $1, id, $2, name, email, name_search FROM users \
                 WHERE id IN ({ids})"
            );
            let mut query = sqlx::query(&sql).bind(&id).bind(now);
            for user in chunk {
                query = query.bind(*user);
            }
            query.execute(&mut *tx).await.map_err(|e| e.to_string())?;
        }
        println!("subscription={id} seats={count}");
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    pool.close().await;
    Ok(())
}
