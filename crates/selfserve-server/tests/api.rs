//! The HTTP API against a real server and a real SQLite file, one fresh server per test.

mod support;

use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use serde_json::{Value, json};
use support::app::{Spawn, assert_error, spawn_app, spawn_app_with, status_and_json};

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = spawn_app().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn products_are_priced_in_the_markets_currency() {
    let app = spawn_app().await;
    for (country, currency, power_bi) in [
        ("US", "usd", 1400),
        ("nl", "eur", 1410),
        ("GB", "gbp", 1180),
        ("JP", "jpy", 2098),
        ("BR", "usd", 1400),
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/products?country={country}"))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["has_more"], false);
        assert_eq!(body["country"], country.to_uppercase());
        assert_eq!(body["market_available"], true);
        let products = body["data"].as_array().unwrap();
        let ids: Vec<&str> = products.iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "power-bi-pro",
                "power-apps-per-user",
                "power-automate-per-user"
            ]
        );
        assert!(products.iter().all(|p| p["currency"] == currency), "{body}");
        assert_eq!(products[0]["unit_amount"], power_bi);
        assert_eq!(products[0]["interval"], "month");
    }
}

#[tokio::test]
async fn products_default_to_the_us_and_flag_closed_markets() {
    let app = spawn_app().await;
    let (_, body) = app.get("/api/v1/products").await;
    assert_eq!(body["country"], "US");
    let (status, body) = app.get("/api/v1/products?country=IN").await;
    assert_eq!(status, 200);
    assert_eq!(body["market_available"], false);
}

#[tokio::test]
async fn a_malformed_country_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    for bad in ["USA", "1", "%C3%A9x"] {
        let (status, body) = app.get(&format!("/api/v1/products?country={bad}")).await;
        assert_error(status, &body, 400, "invalid_country");
        assert_eq!(body["error"]["field"], "country");
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_envelope() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/no-such-thing").await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = app.get("/api/v2/products").await;
    assert_error(status, &body, 404, "not_found");
    let response = app
        .client
        .delete(app.url("/api/v1/products"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_error(status, &body, 405, "method_not_allowed");
}

#[tokio::test]
async fn state_changing_requests_from_another_origin_are_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/products"))
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_error(status, &body, 403, "forbidden_origin");

    // The same request from the app's own origin reaches routing (and is a 405 there).
    let response = app
        .client
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
    let first = app.client.get(app.url("/healthz")).send().await.unwrap();
    let second = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .expect("x-request-id header")
    };
    assert_ne!(id(&first), id(&second));
}

#[tokio::test]
async fn openapi_describes_the_api() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(body["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(body["servers"][0]["url"], "/api/v1");
    assert!(
        body["paths"]["/products"]["get"].is_object(),
        "{}",
        body["paths"]
    );
    let schemas = &body["components"]["schemas"];
    for schema in ["ApiError", "ErrorCode", "ProductList", "Product"] {
        assert!(schemas[schema].is_object(), "missing schema {schema}");
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
        let response = app.client.get(app.url(path)).send().await.unwrap();
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
        .client
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
