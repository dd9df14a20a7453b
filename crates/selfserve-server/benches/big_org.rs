//! A big organisation (issue 14): 100,000 people and 10,000 subscriptions in one SQLite file.
//! Each figure is measured against a baseline in the same run, on the same machine:
//!
//! - directory import, batched multi-row `INSERT`s, against one row per statement (the import
//!   before issue 14) into a second fresh file;
//! - colleague search (`Store::search_users`, one range scan of `user_search_terms_by_name`)
//!   against the previous indexed search (candidate ids, then every match read and sorted) and
//!   the naive `LIKE '%q%'` scan;
//! - the first page (100) of the admins' purchases and of a purchaser with 5,500 subscriptions,
//!   cut by the store (keyset), against reading the whole list and cutting it in memory.
//!
//! Run with `cargo xtask bench` (or `cargo bench -p selfserve-server --bench big_org`); prints
//! Markdown for BENCHMARKS.md (and, under `cargo xtask bench`, keeps it for its latest run).
//! Times are the server's (store and services), without HTTP.

#[path = "../../../xtask/src/bench/record.rs"]
mod record;

use record::{Record, grouped};
use selfserve_api::List;
use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use selfserve_server::store::Store;
use selfserve_server::store::subscriptions::{
    HoldersListed, ListFilter, ListOrder, Owner, SortKey,
};
use sqlx::Row;
use std::time::{Duration, Instant};

const PEOPLE: usize = 100_000;
const SUBSCRIPTIONS: usize = 10_000;
/// What one purchaser bought (the soak run's busiest buyer, issue 14's 5,500).
const ONE_BUYERS: usize = 5_500;
const PAGE: usize = 100;
/// Issue 14's targets.
const TARGET_IMPORT_PER_SECOND: f64 = 50_000.0;
const TARGET_SEARCH_P95: Duration = Duration::from_millis(5);
const TARGET_FIRST_PAGE: Duration = Duration::from_millis(50);

const FIRST: &[&str] = &[
    "Ada", "Alex", "Amir", "Anouk", "Ben", "Bea", "Carlos", "Chen", "Dana", "Diego", "Eli", "Emma",
    "Farah", "Finn", "Gina", "Hana", "Haruto", "Isaiah", "Ivy", "Jonas", "Kai", "Lee", "Lena",
    "Lynne", "Maya", "Megan", "Nestor", "Nora", "Oliver", "Omar", "Patti", "Priya", "Quinn",
    "Rosa", "Sam", "Sanne", "Tomás", "Uma", "Vera", "Wen", "Yara", "Zoë",
];
const LAST: &[&str] = &[
    "Bowen",
    "Wilber",
    "Gu",
    "Langer",
    "Siciliani",
    "Robbins",
    "Wilke",
    "Fernandez",
    "de Vries",
    "Jansen",
    "Bakker",
    "Smith",
    "Sato",
    "Sharma",
    "Okafor",
    "Nowak",
    "Rossi",
    "Müller",
    "Kim",
    "Silva",
    "Cohen",
    "Haddad",
    "Ivanova",
    "Larsen",
    "Novak",
    "Olsen",
    "Park",
    "Quispe",
    "Tanaka",
];

fn directory(people: usize) -> Directory {
    let users: Vec<serde_json::Value> = (0..people)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            serde_json::json!({
                "email": format!("{}.{}{i}@bigcorp.example",
                    first.to_lowercase().replace(['ë', 'á'], "e"),
                    last.to_lowercase().replace([' ', 'ü'], "")),
                "name": format!("{first} {last}"),
            })
        })
        .collect();
    let text = serde_json::json!({"organizations": [{
        "name": "Bigcorp", "domains": ["bigcorp.example"], "kind": "commercial",
        "country": "US", "users": users
    }]})
    .to_string();
    Directory::parse(&text).unwrap()
}

struct Stats {
    p50: Duration,
    p95: Duration,
    max: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        p50: at(0.5),
        p95: at(0.95),
        max: *samples.last().unwrap(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

async fn open(dir: &std::path::Path, name: &str) -> (Store, String) {
    let url = format!("sqlite://{}", dir.join(name).display());
    (Store::open(&url).await.unwrap(), url)
}

/// Imports the directory; people per second.
async fn import(store: &Store, directory: &Directory) -> (Duration, f64) {
    let started = Instant::now();
    let report = directory_import::import(store, directory, 0).await.unwrap();
    let took = started.elapsed();
    (took, report.users_created as f64 / took.as_secs_f64())
}

/// 10,000 subscriptions of the organisation, 5,500 of them bought by one person, each with
/// its purchase order and two people assigned. Written straight to the file: going through
/// checkout would measure purchases, not lists.
async fn seed_subscriptions(url: &str, org: &str) -> String {
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    let users: Vec<String> = sqlx::query("SELECT id FROM users ORDER BY email LIMIT 2000")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("id"))
        .collect();
    let buyer = users[0].clone();
    let products = [
        "power-bi-pro",
        "power-apps-per-user",
        "power-automate-per-user",
    ];
    let mut tx = pool.begin().await.unwrap();
    for i in 0..SUBSCRIPTIONS {
        let id = format!("sub_bench{i:06}");
        let purchaser = if i < ONE_BUYERS {
            &buyer
        } else {
            &users[1 + i % 999]
        };
        let created = 1_700_000_000 + (i as i64) * 60;
        sqlx::query(
            "INSERT INTO subscriptions (id, organization_id, product, source, status, quantity, \
             assigned_count, purchaser_id, unit_amount, currency, tax_rate_bps, billing_anchor, \
             periods_elapsed, current_period_start, current_period_end, cancel_at_period_end, \
             created_at, updated_at) VALUES ($1, $2, $3, 'self_service', 'active', 5, 2, $4, \
             1000, 'usd', 0, $5, 0, $5, $6, 0, $5, $5)",
        )
        .bind(&id)
        .bind(org)
        .bind(products[i % 3])
        .bind(purchaser)
        .bind(created)
        .bind(created + 30 * 86_400 + (i as i64 % 97) * 3_600)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO orders (id, organization_id, purchaser_id, subscription_id, kind, \
             product, quantity, unit_amount, subtotal, tax, tax_rate_bps, amount, currency, \
             period_start, period_end, phase, created_at, updated_at) VALUES ($1, $2, $3, $4, \
             'purchase', $5, 5, 1000, 5000, 0, 0, 5000, 'usd', $6, $7, 'paid', $6, $6)",
        )
        .bind(format!("ord_bench{i:06}"))
        .bind(org)
        .bind(purchaser)
        .bind(&id)
        .bind(products[i % 3])
        .bind(created)
        .bind(created + 30 * 86_400)
        .execute(&mut *tx)
        .await
        .unwrap();
        for k in 0..2 {
            sqlx::query(
                "INSERT INTO assignments \
                 (subscription_id, user_id, assigned_at, holder_name, holder_email, \
                  holder_search) \
                 VALUES ($1, $2, $3, (SELECT name FROM users WHERE id = $2), \
                         (SELECT email FROM users WHERE id = $2), \
                         (SELECT name_search FROM users WHERE id = $2))",
            )
            .bind(&id)
            .bind(&users[(i * 2 + k) % users.len()])
            .bind(created)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    pool.close().await;
    buyer
}

/// p50 and max over `rounds` runs of `run`.
async fn time<F, Fut>(rounds: usize, mut run: F) -> Stats
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(run().await);
        samples.push(t.elapsed());
    }
    stats(samples)
}

/// The first page the way it was cut before: every subscription read whole, then cut.
fn first_of<T: serde::Serialize>(all: Vec<T>) -> usize {
    let has_more = all.len() > PAGE;
    let data: Vec<T> = all.into_iter().take(PAGE).collect();
    serde_json::to_vec(&List { data, has_more }).unwrap().len()
}

async fn keyset_page(store: &Store, filter: &ListFilter<'_>, order: ListOrder) -> usize {
    let rows = store
        .subscription_page(filter, order, None, PAGE as i64 + 1)
        .await
        .unwrap()
        .unwrap();
    let has_more = rows.len() > PAGE;
    let ids: Vec<String> = rows.into_iter().take(PAGE).map(|row| row.id).collect();
    let data = store
        .subscription_views(&ids, HoldersListed::Every)
        .await
        .unwrap();
    serde_json::to_vec(&List { data, has_more }).unwrap().len()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = open(dir.path(), "bench.db").await;
    let people = directory(PEOPLE);

    // The baseline import first, into its own file, so both start from a cold, empty file.
    let (baseline, _) = open(dir.path(), "row-by-row.db").await;
    let (row_time, row_rate) = import(&baseline.clone().row_by_row(), &people).await;
    baseline.close().await;
    let (batch_time, batch_rate) = import(&store, &people).await;

    let mut record = Record::from_environment("big-org");
    record.line(format!(
        "#### Directory import, {PEOPLE} people (SQLite, synchronous=FULL)\n"
    ));
    record.line("| import | time s | people/s |\n|---|---:|---:|");
    record.line(format!(
        "| baseline: one row per `INSERT` | {:.2} | {:.0} |",
        row_time.as_secs_f64(),
        row_rate
    ));
    record.line(format!(
        "| batched multi-row `INSERT`s (the server's) | {:.2} | {:.0} |",
        batch_time.as_secs_f64(),
        batch_rate
    ));
    record.line(format!(
        "\nbatched ÷ baseline: {:.1}×",
        batch_rate / row_rate
    ));
    record.target(
        "import",
        &format!(
            "{} people/s ({:.2} s)",
            grouped(batch_rate),
            batch_time.as_secs_f64()
        ),
        &format!("{}/s a row at a time", grouped(row_rate)),
        batch_rate >= TARGET_IMPORT_PER_SECOND,
    );

    let org = store
        .organization_by_domain("bigcorp.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let queries = [
        "me",
        "meg",
        "megan",
        "wil",
        "sato",
        "de",
        "zo",
        "nowak",
        "x",
        "oliver.silva",
        "priya.sharma12",
        "tanaka",
        "ada",
        "q",
        "haddad",
    ];
    let rounds = 20;
    let (mut now, mut join, mut scan) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        for query in queries {
            let t = Instant::now();
            let found = store.search_users(&org, query, 20).await.unwrap();
            now.push(t.elapsed());
            let t = Instant::now();
            let before = store.search_users_by_join(&org, query, 20).await.unwrap();
            join.push(t.elapsed());
            assert_eq!(
                found.iter().map(|u| &u.id).collect::<Vec<_>>(),
                before.iter().map(|u| &u.id).collect::<Vec<_>>(),
                "{query}: both searches find the same people in the same order"
            );
            let t = Instant::now();
            std::hint::black_box(store.search_users_by_scan(&org, query, 20).await.unwrap());
            scan.push(t.elapsed());
        }
    }
    let (n, j, s) = (stats(now), stats(join), stats(scan));
    record.line(format!(
        "\n#### Colleague search, {PEOPLE} people\n\n{} queries × {rounds} rounds, limit 20\n",
        queries.len()
    ));
    record.line("| search | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|");
    for (label, st) in [
        ("word prefix, sorted by the index (the server's)", &n),
        (
            "baseline: word prefix, then every match read and sorted",
            &j,
        ),
        ("baseline: `LIKE '%q%'` scan", &s),
    ] {
        record.line(format!(
            "| {label} | {} | {} | {} |",
            ms(st.p50),
            ms(st.p95),
            ms(st.max)
        ));
    }
    record.line(format!(
        "\nprevious ÷ now: p50 {:.1}×, p95 {:.1}×; scan ÷ now: p95 {:.1}×",
        ratio(j.p50, n.p50),
        ratio(j.p95, n.p95),
        ratio(s.p95, n.p95)
    ));
    record.target(
        "search",
        &format!("p95 {} ms", ms(n.p95)),
        &format!("previous search p95 {} ms", ms(j.p95)),
        n.p95 <= TARGET_SEARCH_P95,
    );

    let buyer = seed_subscriptions(&url, &org).await;
    let rounds = 10;
    let purchaser = ListFilter {
        owner: Owner::Purchaser(&buyer),
        source: None,
        words: &[],
    };
    let admins = ListFilter {
        owner: Owner::Organization(&org),
        source: None,
        words: &[],
    };
    let by_expiry = ListOrder::Sorted {
        key: SortKey::Expiry,
        descending: false,
    };
    let newest = ListOrder::Sorted {
        key: SortKey::Created,
        descending: true,
    };
    let (st, b, o) = (&store, buyer.as_str(), org.as_str());
    let old_buyer = time(rounds, || async move {
        first_of(st.subscriptions(Owner::Purchaser(b), None).await.unwrap())
    })
    .await;
    let old_admin = time(rounds, || async move {
        first_of(
            st.subscriptions(Owner::Organization(o), None)
                .await
                .unwrap(),
        )
    })
    .await;
    let (pf, af) = (&purchaser, &admins);
    let new_buyer = time(rounds, || keyset_page(st, pf, ListOrder::Newest)).await;
    let new_admin = time(rounds, || keyset_page(st, af, newest)).await;
    let new_admin_expiry = time(rounds, || keyset_page(st, af, by_expiry)).await;
    let whole = serde_json::to_vec(
        &store
            .subscriptions(Owner::Purchaser(&buyer), None)
            .await
            .unwrap(),
    )
    .unwrap()
    .len();
    let page_bytes = keyset_page(&store, &purchaser, ListOrder::Newest).await;
    record.line(format!(
        "\n#### First page of a list, {SUBSCRIPTIONS} subscriptions in the organisation\n\n\
         {rounds} rounds; the page is 100 subscriptions as JSON ({page_bytes} bytes; the \
         purchaser's whole list was {whole} bytes)\n"
    ));
    record.line("| list | p50 ms | max ms |\n|---|---:|---:|");
    for (label, st) in [
        (
            "baseline: purchaser (5,500), whole list read, cut in memory",
            &old_buyer,
        ),
        ("purchaser (5,500), keyset page in SQL", &new_buyer),
        (
            "baseline: admins' purchases (10,000), whole list read, cut in memory",
            &old_admin,
        ),
        (
            "admins' purchases, newest first, keyset page in SQL",
            &new_admin,
        ),
        (
            "admins' purchases by expiry, keyset page in SQL",
            &new_admin_expiry,
        ),
    ] {
        record.line(format!("| {label} | {} | {} |", ms(st.p50), ms(st.max)));
    }
    record.line(format!(
        "\nbaseline ÷ keyset (p50): purchaser {:.0}×, admins {:.0}×",
        ratio(old_buyer.p50, new_buyer.p50),
        ratio(old_admin.p50, new_admin.p50)
    ));
    let slowest = [&new_buyer, &new_admin, &new_admin_expiry]
        .map(|st| st.p50)
        .into_iter()
        .max()
        .unwrap_or_default();
    record.target(
        "first-page",
        &format!(
            "p50 ≤ {} ms (admins newest first {}, by expiry {}, purchaser {})",
            ms(slowest),
            ms(new_admin.p50),
            ms(new_admin_expiry.p50),
            ms(new_buyer.p50)
        ),
        &format!(
            "whole list cut in memory: admins {} ms, purchaser {} ms",
            ms(old_admin.p50),
            ms(old_buyer.p50)
        ),
        slowest <= TARGET_FIRST_PAGE,
    );
    record.finish();
}
