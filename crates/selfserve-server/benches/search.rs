//! Colleague search in an organisation of 100,000 people: the indexed prefix search the server
//! uses, against the naive `LIKE '%q%'` scan as the baseline, measured in the same run on the
//! same SQLite file. Run with `cargo xtask bench` (or `cargo bench -p selfserve-server --bench
//! search`); prints a Markdown table for BENCHMARKS.md.

use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use selfserve_server::store::Store;
use std::time::{Duration, Instant};

const PEOPLE: usize = 100_000;
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

fn directory() -> String {
    let users: Vec<serde_json::Value> = (0..PEOPLE)
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
    serde_json::json!({"organizations": [{
        "name": "Bigcorp", "domains": ["bigcorp.example"], "kind": "commercial",
        "country": "US", "users": users
    }]})
    .to_string()
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

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .unwrap();
    let directory = Directory::parse(&directory()).unwrap();
    let started = Instant::now();
    directory_import::import(&store, &directory, 0)
        .await
        .unwrap();
    let import_time = started.elapsed();
    let org = store
        .organization_by_domain("bigcorp.example")
        .await
        .unwrap()
        .unwrap()
        .id;

    let queries: Vec<String> = [
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
    ]
    .iter()
    .map(|q| q.to_string())
    .collect();
    let rounds = 20;
    let (mut indexed, mut scanned) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for query in &queries {
            let t = Instant::now();
            let found = store.search_users(&org, query, 20).await.unwrap();
            indexed.push(t.elapsed());
            std::hint::black_box(found);
            let t = Instant::now();
            let found = store.search_users_by_scan(&org, query, 20).await.unwrap();
            scanned.push(t.elapsed());
            std::hint::black_box(found);
        }
    }
    let (i, s) = (stats(indexed), stats(scanned));
    println!("\nColleague search, {PEOPLE} people in one organisation (SQLite, release build)");
    println!(
        "import of the directory: {:.1} s",
        import_time.as_secs_f64()
    );
    println!("{} queries × {rounds} rounds, limit 20\n", queries.len());
    println!("| search | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|");
    println!(
        "| indexed word prefix (the server's) | {} | {} | {} |",
        ms(i.p50),
        ms(i.p95),
        ms(i.max)
    );
    println!(
        "| baseline: `LIKE '%q%'` scan | {} | {} | {} |",
        ms(s.p50),
        ms(s.p95),
        ms(s.max)
    );
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    println!(
        "\nbaseline ÷ indexed: p50 {:.1}×, p95 {:.1}×, max {:.1}×",
        ratio(s.p50, i.p50),
        ratio(s.p95, i.p95),
        ratio(s.max, i.max)
    );
}
