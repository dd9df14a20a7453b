//! The HTTP API against a real server and a real SQLite file, one fresh server per test.

mod support;

use selfserve_api::ErrorCode;
use selfserve_api::money::Currency;
use selfserve_api::product::{Interval, ProductId, ProductList};
use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use support::app::{Reply, Spawn, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = spawn_app().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, 200);
    // The wire crate has no type for it: load balancers read this exact object.
    assert_eq!(reply.json(), json!({"status": "ok"}));
}

/// How long a health check may take to answer while the database is gone. Load balancers give
/// up after seconds; the server's own wait for a connection (10 s on PostgreSQL) is the bound.
const HEALTH_CHECK_PATIENCE: Duration = Duration::from_secs(20);

#[tokio::test]
async fn health_check_answers_503_in_the_envelope_when_the_database_is_gone() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status, 200);

    app.take_database_away().await;
    let reply = tokio::time::timeout(HEALTH_CHECK_PATIENCE, app.get("/healthz"))
        .await
        .expect("the health check answers while the database is gone");
    reply.error(503, ErrorCode::ServiceUnavailable);

    // Only a PostgreSQL outage can end (a SQLite pool, once closed, stays closed).
    if app.on_sqlite() {
        return;
    }
    app.bring_postgres_database_back().await;
    let reply = tokio::time::timeout(HEALTH_CHECK_PATIENCE, app.get("/healthz"))
        .await
        .expect("the health check answers once the database is back");
    assert_eq!(reply.status, 200, "the server reconnects: {reply:?}");
}

#[tokio::test]
async fn products_are_priced_in_the_markets_currency() {
    let app = spawn_app().await;
    for (country, currency, power_bi) in [
        ("US", Currency::USD, 1400),
        ("nl", Currency::EUR, 1410),
        ("GB", Currency::GBP, 1180),
        ("JP", Currency::JPY, 2098),
        ("BR", Currency::USD, 1400),
    ] {
        let path = format!("/api/v1/products?country={country}");
        let reply = app.get(&path).await;
        let list: ProductList = reply.ok();
        assert!(!list.has_more);
        assert_eq!(list.country, country.to_uppercase());
        assert!(list.market_available);
        let ids: Vec<ProductId> = list.data.iter().map(|p| p.id).collect();
        assert_eq!(ids, ProductId::ALL);
        assert!(
            list.data.iter().all(|p| p.currency == currency),
            "{reply:?}"
        );
        assert_eq!(list.data[0].unit_amount, power_bi);
        assert_eq!(list.data[0].interval, Interval::Month);
        // Decoding accepts either case; the wire writes currencies lowercase, as Stripe does.
        assert_eq!(reply.json()["data"][0]["currency"], currency.as_str());
    }
}

#[tokio::test]
async fn products_default_to_the_us_and_flag_closed_markets() {
    let app = spawn_app().await;
    let default: ProductList = app.get_as("/api/v1/products").await;
    assert_eq!(default.country, "US");
    let india: ProductList = app.get_as("/api/v1/products?country=IN").await;
    assert!(!india.market_available);
}

#[tokio::test]
async fn a_malformed_country_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    // U+0085 is whitespace to Rust's `trim` but not to the document's pattern: refused, as
    // the pattern says (it was taken for no country, and US prices shown).
    for bad in ["USA", "1", "%C3%A9x", "%C2%85"] {
        let error = app
            .get(&format!("/api/v1/products?country={bad}"))
            .await
            .error(400, ErrorCode::InvalidCountry);
        assert_eq!(error.field.as_deref(), Some("country"));
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_envelope() {
    let app = spawn_app().await;
    app.get("/api/v1/no-such-thing")
        .await
        .error(404, ErrorCode::NotFound);
    app.get("/api/v2/products")
        .await
        .error(404, ErrorCode::NotFound);
    app.delete("/api/v1/products")
        .await
        .error(405, ErrorCode::MethodNotAllowed);
}

#[tokio::test]
async fn state_changing_requests_from_another_origin_are_refused() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url("/api/v1/products"))
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    Reply::read(response)
        .await
        .error(403, ErrorCode::ForbiddenOrigin);

    // The same request from the app's own origin reaches routing (and is a 405 there).
    let response = app
        .http
        .post(app.url("/api/v1/products"))
        .header("Origin", app.base.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let first = app.get("/healthz").await;
    let second = app.get("/healthz").await;
    let id = |reply: &Reply| {
        reply
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .expect("x-request-id header")
    };
    assert_ne!(id(&first), id(&second));
}

/// The parts of an OpenAPI 3 document these tests read.
#[derive(serde::Deserialize)]
struct OpenApiDocument {
    openapi: String,
    servers: Vec<OpenApiServer>,
    /// Path → method (or another key of a path item, such as `parameters`) → operation.
    paths: BTreeMap<String, BTreeMap<String, Value>>,
    components: OpenApiComponents,
}

#[derive(serde::Deserialize)]
struct OpenApiServer {
    url: String,
}

#[derive(serde::Deserialize)]
struct OpenApiComponents {
    schemas: BTreeMap<String, Value>,
}

impl OpenApiDocument {
    /// Every described (method, path), methods in upper case.
    fn operations(&self) -> BTreeSet<(String, String)> {
        self.paths
            .iter()
            .flat_map(|(path, item)| {
                item.keys()
                    .filter(|key| HTTP_METHODS.contains(&key.to_uppercase().as_str()))
                    .map(move |method| (method.to_uppercase(), path.clone()))
            })
            .collect()
    }
}

const HTTP_METHODS: [&str; 8] = [
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
];

async fn openapi_document(app: &support::app::TestApp) -> OpenApiDocument {
    app.get_as("/api/v1/openapi.json").await
}

#[tokio::test]
async fn openapi_describes_the_api() {
    let app = spawn_app().await;
    let document = openapi_document(&app).await;
    assert!(document.openapi.starts_with("3."), "{}", document.openapi);
    assert_eq!(document.servers[0].url, "/api/v1");
    assert!(
        document.paths["/products"].contains_key("get"),
        "{:?}",
        document.paths.keys()
    );
    for schema in ["ApiError", "ErrorCode", "ProductList", "Product"] {
        assert!(
            document.components.schemas.contains_key(schema),
            "missing schema {schema}"
        );
    }
}

/// Every closed set is described with the texts that travel (`global_admin`), not the Rust
/// variant names (`GlobalAdmin`): schemathesis found the document and the answers disagreeing.
#[tokio::test]
async fn openapi_enums_are_the_wire_texts() {
    use selfserve_api::admin::{AdminRole, Policy};
    use selfserve_api::subscription::SubscriptionStatus;
    let app = spawn_app().await;
    let document: Value = app.get_as("/api/v1/openapi.json").await;
    let schemas = &document["components"]["schemas"];
    let described = |name: &str| -> Vec<String> {
        serde_json::from_value(schemas[name]["enum"].clone())
            .unwrap_or_else(|_| panic!("{name} has no enum: {}", schemas[name]))
    };
    let texts = |all: &[&str]| all.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        described("AdminRole"),
        texts(
            &AdminRole::ALL
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
        )
    );
    assert_eq!(
        described("Policy"),
        texts(&Policy::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    );
    assert_eq!(
        described("SubscriptionStatus"),
        texts(
            &SubscriptionStatus::ALL
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
        )
    );
}

/// The routes of the contract's HTTP table (`API.md`, section "HTTP API"): method and path under
/// `/api/v1`, without query strings. Kept here so the test runs in any checkout; where the
/// contract itself is at hand, [`the_contract_table_is_the_one_this_test_checks`] compares.
const CONTRACT_ROUTES: &[(&str, &str)] = &[
    ("GET", "/products"),
    ("POST", "/eligibility"),
    ("POST", "/session"),
    ("GET", "/session"),
    ("DELETE", "/session"),
    ("POST", "/quotes"),
    ("POST", "/purchases"),
    ("GET", "/subscriptions"),
    ("GET", "/subscriptions/{id}"),
    ("POST", "/subscriptions/{id}/seats"),
    ("GET", "/directory/users"),
    ("POST", "/subscriptions/{id}/assignments"),
    ("DELETE", "/subscriptions/{id}/assignments/{user_id}"),
    ("GET", "/subscriptions/{id}/invoices"),
    ("POST", "/invoices/{id}/pay"),
    ("PUT", "/subscriptions/{id}/payment-method"),
    ("POST", "/subscriptions/{id}/cancel"),
    ("GET", "/admin/policies"),
    ("PUT", "/admin/policies/{product}"),
    ("POST", "/test-clock/advance"),
    ("GET", "/openapi.json"),
    ("GET", "/healthz"),
];

/// Contract routes that `openapi.json` leaves out of `paths` by design: the document itself,
/// and the health check, which is outside `/api/v1` (load balancers, not API clients, call it).
const NOT_IN_PATHS: &[(&str, &str)] = &[("GET", "/openapi.json"), ("GET", "/healthz")];

/// `/a/{id}/b/{user_id}` → `/a/{}/b/{}`: parameter names are the document's choice, their
/// places are the contract.
fn path_shape(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_of_the_contract_is_described_in_openapi() {
    let app = spawn_app().await;
    let described: BTreeSet<(String, String)> = openapi_document(&app)
        .await
        .operations()
        .into_iter()
        .map(|(method, path)| (method, path_shape(&path)))
        .collect();
    let missing: Vec<_> = CONTRACT_ROUTES
        .iter()
        .filter(|route| !NOT_IN_PATHS.contains(route))
        .filter(|(method, path)| !described.contains(&((*method).to_owned(), path_shape(path))))
        .collect();
    assert!(missing.is_empty(), "not in openapi.json: {missing:?}");
    // The exceptions are served all the same.
    assert_eq!(app.get("/api/v1/openapi.json").await.status, 200);
    assert_eq!(app.get("/healthz").await.status, 200);
}

/// Where the contract may be: `SELFSERVE_CONTRACT`, or `shared/API.md` beside the checkout or
/// one of its parents (the team keeps it next to its worktrees).
fn contract_file() -> Option<std::path::PathBuf> {
    if let Ok(path) = std::env::var("SELFSERVE_CONTRACT") {
        return Some(path.into());
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/API.md"))
        .find(|file| file.is_file())
}

/// The (method, path) pairs of the contract's HTTP table, in its order.
fn routes_of_contract_table(contract: &str) -> Vec<(String, String)> {
    let section = contract
        .split("\n## ")
        .find(|section| section.starts_with("HTTP API"))
        .expect("the contract has an \"HTTP API\" section");
    let mut routes = Vec::new();
    for row in section.lines().filter(|line| line.starts_with("| ")) {
        // Cells are split at `|`, but not at the escaped `\|` inside a cell.
        let first_cell = row[1..]
            .replace("\\|", "\u{0}")
            .split('|')
            .next()
            .unwrap_or_default()
            .to_owned();
        // "GET `/session` · DELETE `/session`": one or more routes per row.
        for route in first_cell.split('\u{b7}') {
            let mut words = route.trim().splitn(2, ' ');
            let (Some(method), Some(rest)) = (words.next(), words.next()) else {
                continue;
            };
            if !HTTP_METHODS.contains(&method) {
                continue; // the header row
            }
            let path = rest
                .trim_start()
                .strip_prefix('`')
                .and_then(|rest| rest.split('`').next())
                .expect("a route's path is in backticks");
            let path = path.split('?').next().unwrap_or(path);
            routes.push((method.to_owned(), path.to_owned()));
        }
    }
    routes
}

#[test]
fn the_contract_table_is_the_one_this_test_checks() {
    let Some(file) = contract_file() else {
        eprintln!("API.md not found (set SELFSERVE_CONTRACT): checking the copy only");
        return;
    };
    let contract = std::fs::read_to_string(&file).expect("the contract is readable");
    let table = routes_of_contract_table(&contract);
    let copy: Vec<(String, String)> = CONTRACT_ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(
        table,
        copy,
        "{} changed its HTTP table: update CONTRACT_ROUTES",
        file.display()
    );
}

/// A real `{…}` value is not needed: the probe below shows the router has the path whatever the
/// id, and an unknown id only changes which answer the handler gives.
fn with_placeholder_ids(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "unknown"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_openapi_describes_is_served() {
    let app = spawn_app().await;
    let document = openapi_document(&app).await;
    let operations = document.operations();
    assert!(operations.len() > 20, "{operations:?}");

    // The router answers a path it has with 405 for a method the path lacks, and a path it
    // does not have with 404 whatever the method. Handlers answer 404 for unknown ids too (in
    // the fallback's very words, so as not to confirm an id exists), hence this probe rather
    // than looking at a 404: a 405 shows that the path is routed.
    let probe_method = |path: &str| {
        ["PATCH", "PUT", "DELETE", "POST", "GET"]
            .into_iter()
            .find(|method| !operations.contains(&((*method).to_owned(), path.to_owned())))
            .expect("some method is not described for the path")
    };
    let client: &support::app::Client = &app;
    let request = |method: &str, path: &str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let path = format!("/api/v1{}", with_placeholder_ids(path));
        async move { client.send(method, &path, None, None).await }
    };
    // The probe tells a routed path from a missing one.
    request("PATCH", "/no-such-route/{id}")
        .await
        .error(404, ErrorCode::NotFound);
    request("PATCH", "/subscriptions/{id}")
        .await
        .error(405, ErrorCode::MethodNotAllowed);

    for path in document.paths.keys() {
        let method = probe_method(path);
        let reply = request(method, path).await;
        assert!(
            reply.is_error(405, ErrorCode::MethodNotAllowed),
            "{path} is described but not routed ({method}: {reply:?})"
        );
    }
    for (method, path) in &operations {
        let reply = request(method, path).await;
        assert_ne!(
            reply.status, 405,
            "{method} {path} is described but not served: {reply:?}"
        );
        assert!(
            reply.status < 500,
            "{method} {path} fails on a bare request: {reply:?}"
        );
    }
}

const INDEX: &str = "<!doctype html><html><head><script type=module>import init from \
                     '/app-0123456789abcdef.js'; await init();</script></head><body></body></html>";

#[tokio::test]
async fn deep_links_serve_the_app_with_a_strict_policy() {
    let app = spawn_app_with(Spawn {
        index_html: Some(INDEX),
        ..Spawn::default()
    })
    .await;
    for path in ["/", "/buy/power-bi-pro", "/manage/subscriptions/sub_123"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert_eq!(headers["cache-control"], "no-cache");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("'sha256-"), "{policy}");
        assert!(
            policy.contains(&app.gateway),
            "card posts go to the gateway: {policy}"
        );
        assert!(response.text().await.unwrap().contains("import init"));
    }
    let asset = app
        .http
        .get(app.url("/app-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status().as_u16(), 200);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

fn demo() -> Directory {
    Directory::parse(selfserve_server::demo::DIRECTORY_JSON).unwrap()
}

#[tokio::test]
async fn importing_the_same_directory_twice_changes_nothing() {
    let app = spawn_app_with(Spawn::default()).await;
    let store = &app.server.store;
    let first = directory_import::import(store, &demo(), 1_000)
        .await
        .unwrap();
    assert_eq!(first.organizations_created, 11);
    assert_eq!(first.users_created, 27);
    let before = store.directory_snapshot().await.unwrap();

    let second = directory_import::import(store, &demo(), 2_000)
        .await
        .unwrap();
    assert!(!second.changed_anything(), "{second}");
    assert_eq!(second.organizations_unchanged, 11);
    assert_eq!(second.users_unchanged, 27);
    let after = store.directory_snapshot().await.unwrap();
    assert_eq!(before.users, after.users, "hashes were kept, not re-salted");
    assert_eq!(before.organizations, after.organizations);
}

#[tokio::test]
async fn passwords_are_stored_only_as_argon2id_hashes() {
    let app = spawn_app().await;
    let snapshot = app.server.store.directory_snapshot().await.unwrap();
    let megan = &snapshot.users["megan@contoso.com"];
    let hash = megan.password_hash.as_deref().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    if !app.on_sqlite() {
        return;
    }
    app.server.store.close().await;
    let bytes = std::fs::read(app.dir.path().join("test.db")).unwrap();
    let wal = std::fs::read(app.dir.path().join("test.db-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(
            !file
                .windows(b"selfserve-demo".len())
                .any(|w| w == b"selfserve-demo"),
            "the clear-text demo password is in the database file"
        );
    }
}

#[tokio::test]
async fn a_changed_directory_updates_in_place_and_keeps_leavers() {
    let app = spawn_app().await;
    let store = &app.server.store;
    let before = store.directory_snapshot().await.unwrap();
    let mut file: Value = serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let contoso = &mut file["organizations"][0];
    contoso["name"] = json!("Contoso Ltd");
    let users = contoso["users"].as_array_mut().unwrap();
    users.retain(|u| u["email"] != "lee@contoso.com");
    users
        .iter_mut()
        .find(|u| u["email"] == "alex@contoso.com")
        .unwrap()["password"] = json!("a new password");
    users.push(json!({"email": "new@contoso.com", "name": "New Person"}));
    let directory = Directory::parse(&file.to_string()).unwrap();

    let report = directory_import::import(store, &directory, 5_000)
        .await
        .unwrap();
    assert_eq!(report.organizations_updated, 1, "{report}");
    assert_eq!(report.users_created, 1, "{report}");
    assert_eq!(report.users_updated, 1, "{report}");
    assert_eq!(report.users_removed, 1, "{report}");

    let after = store.directory_snapshot().await.unwrap();
    let org_id = &before.users["megan@contoso.com"].organization_id;
    assert_eq!(after.organizations[org_id].name, "Contoso Ltd");
    let lee = &after.users["lee@contoso.com"];
    assert!(
        !lee.in_directory,
        "a leaver is kept, marked out of the directory"
    );
    assert_eq!(lee.id, before.users["lee@contoso.com"].id);
    assert_ne!(
        after.users["alex@contoso.com"].password_hash,
        before.users["alex@contoso.com"].password_hash
    );
    assert_eq!(
        after.users["megan@contoso.com"].password_hash,
        before.users["megan@contoso.com"].password_hash
    );
    assert!(after.users["new@contoso.com"].password_hash.is_none());

    // Importing the changed file again is a no-op.
    let again = directory_import::import(store, &directory, 6_000)
        .await
        .unwrap();
    assert!(!again.changed_anything(), "{again}");
}

#[tokio::test]
async fn partners_get_delegations_for_the_customers_they_name() {
    let app = spawn_app().await;
    let snapshot = app.server.store.directory_snapshot().await.unwrap();
    let partner = &snapshot.users["pat@northwind.example"].organization_id;
    let customers = &snapshot.delegations[partner];
    let contoso = &snapshot.users["megan@contoso.com"].organization_id;
    let fabrikam = &snapshot.users["sanne@fabrikam.nl"].organization_id;
    assert_eq!(customers.len(), 2);
    assert!(customers.contains(contoso) && customers.contains(fabrikam));
    let other = &snapshot.users["quinn@proseware.example"].organization_id;
    assert!(!snapshot.delegations.contains_key(other));
}
