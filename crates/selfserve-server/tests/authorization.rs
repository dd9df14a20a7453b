//! The authorization matrix, proven against the real server: every endpoint that acts on a
//! subscription, a bill or an organisation × every kind of actor × objects of different owners
//! and organisations answers exactly what `access::decide` says, for the actor as the server
//! sees them *now* (after a directory re-import moved, removed and disabled people and revoked
//! a delegation). Nothing here restates the matrix: the expectations come from the library, so
//! a handler that forgets to ask `access` answers 2xx where the model says 404 and fails.
//!
//! And no refusal carries anybody's email address.

mod support;

use selfserve_api::ErrorCode;
use selfserve_api::subscription::Subscription;
use selfserve_server::access::{self, Action, Denied, Target};
use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use serde_json::{Value, json};
use support::app::{Client, Reply, TestApp, spawn_app};

/// What the model says a cell must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Not signed in (anonymous, or a session whose account left or was disabled).
    Unauthenticated,
    Allowed,
    Refused(Denied),
}

/// The demo directory, plus a partner whose delegation the second stage revokes; the second
/// stage also moves Lee to Fabrikam (as a guest there), drops Diego from the directory and
/// disables Isaiah.
fn directory(after: bool) -> String {
    let mut d: Value = serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let delegated: Vec<&str> = if after { vec![] } else { vec!["contoso.com"] };
    d["partners"].as_array_mut().unwrap().push(json!({
        "name": "Revoked Partners",
        "domains": ["revoked.example"],
        "users": [{"email": "rex@revoked.example", "name": "Rex Revoked",
                   "password": support::app::DEMO_PASSWORD}],
        "delegated_admin_for": delegated,
    }));
    if after {
        let orgs = d["organizations"].as_array_mut().unwrap();
        let contoso = orgs[0]["users"].as_array_mut().unwrap();
        contoso.retain(|u| u["email"] != "lee@contoso.com" && u["email"] != "diego@contoso.com");
        for user in contoso.iter_mut() {
            if user["email"] == "isaiah@contoso.com" {
                user["enabled"] = json!(false);
            }
        }
        assert_eq!(orgs[1]["domains"][0], "fabrikam.nl");
        orgs[1]["users"].as_array_mut().unwrap().push(json!({
            "email": "lee@contoso.com", "name": "Lee Gu", "guest": true,
            "password": support::app::DEMO_PASSWORD,
        }));
    }
    d.to_string()
}

async fn import(app: &TestApp, after: bool) {
    let directory = Directory::parse(&directory(after)).expect("a valid directory");
    directory_import::import(
        &app.server.store,
        &directory,
        app.server.services.clock.now(),
    )
    .await
    .expect("the import applies");
}

/// Who is acting: a browser, and the account it signed in as (none for anonymous).
struct Actor {
    label: &'static str,
    email: Option<&'static str>,
    client: Client,
}

/// The actor as the server sees them now: not signed in, or their rights.
async fn model(app: &TestApp, actor: &Actor) -> Option<access::Actor> {
    let store = &app.server.store;
    let user = store.user_by_email(actor.email?).await.unwrap()?;
    if !(user.enabled && user.in_directory) {
        return None;
    }
    let organization = store.organization(&user.organization_id).await.unwrap()?;
    let principal = selfserve_server::services::principal(store, &user, &organization)
        .await
        .unwrap();
    Some(access::Actor::User(principal))
}

fn expect(actor: Option<&access::Actor>, action: Action, target: Target<'_>) -> Expect {
    match actor {
        None => Expect::Unauthenticated,
        Some(actor) => match access::decide(actor, action, target) {
            Ok(_) => Expect::Allowed,
            Err(denied) => Expect::Refused(denied),
        },
    }
}

/// Asserts that `reply` is what `expected` says; returns whether it was a refusal.
#[track_caller]
fn check(cell: &str, expected: Expect, reply: &Reply) -> bool {
    let code = serde_json::from_str::<selfserve_api::ApiError>(&reply.text)
        .ok()
        .map(|e| e.error.code);
    let (status, wanted) = match expected {
        Expect::Unauthenticated => (401, ErrorCode::NotAuthenticated),
        Expect::Refused(Denied::Hidden) => (404, ErrorCode::NotFound),
        Expect::Refused(Denied::AdminRequired) => (403, ErrorCode::AdminRequired),
        Expect::Allowed => {
            assert!(reply.status < 500, "{cell}: allowed, but {reply:?}");
            let refusal = [
                ErrorCode::NotAuthenticated,
                ErrorCode::NotFound,
                ErrorCode::AdminRequired,
            ];
            assert!(
                !code.is_some_and(|code| refusal.contains(&code)),
                "{cell}: the matrix allows it, the server refused: {reply:?}"
            );
            return false;
        }
    };
    assert_eq!(
        reply.status, status,
        "{cell}: expected {expected:?}: {reply:?}"
    );
    assert_eq!(code, Some(wanted), "{cell}: {reply:?}");
    true
}

/// Every email address the test's directory holds.
fn every_email() -> Vec<String> {
    let d: Value = serde_json::from_str(&directory(false)).unwrap();
    ["organizations", "partners"]
        .iter()
        .flat_map(|kind| d[*kind].as_array().unwrap().clone())
        .flat_map(|org| org["users"].as_array().unwrap().clone())
        .map(|user| user["email"].as_str().unwrap().to_owned())
        .collect()
}

/// A refusal says nothing about anybody.
#[track_caller]
fn assert_no_leak(cell: &str, reply: &Reply, emails: &[String]) {
    for email in emails {
        assert!(
            !reply.text.contains(email.as_str()),
            "{cell}: a refusal names {email}: {reply:?}"
        );
    }
}

/// A subscription endpoint: method, path after `/api/v1/subscriptions/{id}` (or a bill's),
/// the action it needs, and a valid body (invalid input would be refused before access).
struct Route {
    method: reqwest::Method,
    path: &'static str,
    action: Action,
    body: Option<Value>,
}

fn route(
    method: reqwest::Method,
    path: &'static str,
    action: Action,
    body: Option<Value>,
) -> Route {
    Route {
        method,
        path,
        action,
        body,
    }
}

/// The subscription and bill endpoints, in an order where what may end a subscription
/// (cancelling, taking over) comes last.
fn subscription_routes() -> Vec<Route> {
    use Action::*;
    use reqwest::Method as M;
    vec![
        route(M::GET, "/subscriptions/{id}", ViewSubscription, None),
        route(
            M::GET,
            "/subscriptions/{id}/invoices",
            ViewSubscription,
            None,
        ),
        // One bill is the purchaser's alone (API.md lists bills as the owner's), while the list
        // of a subscription's bills follows the subscription (the admin view shows it).
        route(M::GET, "/invoices/{invoice}", ActAsPurchaser, None),
        route(M::GET, "/invoices/{invoice}/pdf", ActAsPurchaser, None),
        route(
            M::POST,
            "/invoices/{invoice}/pay",
            ActAsPurchaser,
            Some(json!({})),
        ),
        route(
            M::POST,
            "/subscriptions/{id}/assignments",
            ManageLicences,
            Some(json!({"emails": ["patti@contoso.com"]})),
        ),
        route(
            M::DELETE,
            "/subscriptions/{id}/assignments/{user}",
            ManageLicences,
            None,
        ),
        route(
            M::POST,
            "/subscriptions/{id}/seats/quote",
            ActAsPurchaser,
            Some(json!({"quantity": 4})),
        ),
        route(
            M::POST,
            "/subscriptions/{id}/seats",
            ActAsPurchaser,
            Some(json!({"quantity": 4})),
        ),
        route(
            M::PUT,
            "/subscriptions/{id}/payment-method",
            ActAsPurchaser,
            Some(json!({"payment_token": "{token}"})),
        ),
        route(
            M::POST,
            "/subscriptions/{id}/reactivate",
            ActAsPurchaser,
            Some(json!({})),
        ),
        route(
            M::POST,
            "/subscriptions/{id}/cancel-request",
            AdministerSubscription,
            None,
        ),
        route(
            M::POST,
            "/subscriptions/{id}/cancel",
            ActAsPurchaser,
            Some(json!({})),
        ),
        route(
            M::POST,
            "/admin/subscriptions/{id}/take-over",
            AdministerSubscription,
            Some(json!({})),
        ),
    ]
}

/// The organisation endpoints (`?organization=` names the one acted on).
fn organization_routes() -> Vec<Route> {
    use Action::*;
    use reqwest::Method as M;
    vec![
        route(M::GET, "/admin/subscriptions", ReadOrganization, None),
        route(
            M::GET,
            "/admin/subscriptions/export.csv",
            ReadOrganization,
            None,
        ),
        route(M::GET, "/admin/capacity", ReadOrganization, None),
        route(M::GET, "/admin/policies", ReadOrganization, None),
        route(M::GET, "/admin/audit", ReadOrganization, None),
        route(
            M::POST,
            "/admin/subscriptions",
            BuyCentrally,
            Some(json!({"product": "power-bi-pro", "quantity": 1, "unit_amount": 1000})),
        ),
        route(
            M::PUT,
            "/admin/policies/power-bi-pro",
            ChangePolicy,
            Some(json!({"value": "enabled"})),
        ),
    ]
}

/// A subscription under test and its first bill.
struct Object {
    label: &'static str,
    subscription: Subscription,
    invoice: String,
}

#[tokio::test]
async fn every_endpoint_answers_every_actor_as_the_matrix_says_and_no_refusal_leaks() {
    let app = spawn_app().await;
    import(&app, false).await;

    // The objects: bought by people who stay, move, leave; in two organisations.
    let mut objects = Vec::new();
    for (label, email) in [
        ("Megan's (purchaser stays)", "megan@contoso.com"),
        ("Alex's (another purchaser)", "alex@contoso.com"),
        ("Lee's (purchaser moves away)", "lee@contoso.com"),
        ("Diego's (purchaser leaves)", "diego@contoso.com"),
        ("Sanne's (Fabrikam)", "sanne@fabrikam.nl"),
    ] {
        let buyer = app.as_user(email).await;
        let subscription = buyer.buy(3).await;
        // Everyone shares a licence with a colleague whose address must not leak.
        let colleague = if email.ends_with("fabrikam.nl") {
            "daan@fabrikam.nl"
        } else {
            "nestor@contoso.com"
        };
        let subscription: Subscription = buyer
            .post_as(
                &format!("/api/v1/subscriptions/{}/assignments", subscription.id),
                &json!({"emails": [colleague]}),
            )
            .await;
        let invoice = subscription.latest_invoice.clone().expect("a bill").id;
        objects.push(Object {
            label,
            subscription,
            invoice,
        });
    }

    // The actors, signed in while everyone was still where they started.
    let mut actors = vec![Actor {
        label: "anonymous",
        email: None,
        client: app.new_client(),
    }];
    for (label, email) in [
        ("purchaser", "megan@contoso.com"),
        ("other purchaser, same organisation", "alex@contoso.com"),
        ("former member (moved to Fabrikam)", "lee@contoso.com"),
        ("former member (left the directory)", "diego@contoso.com"),
        ("former member (disabled)", "isaiah@contoso.com"),
        ("billing admin", "billing@contoso.com"),
        ("global admin", "admin@contoso.com"),
        ("partner with delegation", "pat@northwind.example"),
        ("partner without delegation", "quinn@proseware.example"),
        ("partner, delegation revoked", "rex@revoked.example"),
        ("another organisation's admin", "admin@fabrikam.nl"),
    ] {
        let client = app.new_client();
        client.sign_in(email).await.expect_as::<Value>(200, email);
        actors.push(Actor {
            label,
            email: Some(email),
            client,
        });
    }

    // Now people move, leave, are disabled; a delegation is revoked. Sessions stay.
    import(&app, true).await;

    let everyone = every_email();
    let patti = app.user_id("patti@contoso.com").await;
    let mut cells = 0;
    let mut refusals = 0;

    for route in subscription_routes() {
        for object in &objects {
            let row = app
                .server
                .store
                .subscription_row(&object.subscription.id)
                .await
                .unwrap()
                .unwrap();
            let target = Target::subscription(&row.organization_id, &row.purchaser_id);
            for actor in &actors {
                let model = model(&app, actor).await;
                let expected = expect(model.as_ref(), route.action, target);
                let path = route
                    .path
                    .replace("{id}", &object.subscription.id)
                    .replace("{invoice}", &object.invoice)
                    .replace("{user}", &patti);
                let mut body = route.body.clone();
                if path.ends_with("/payment-method") {
                    body = Some(json!({"payment_token": app.token("4242424242424242").await}));
                }
                let key = format!("authz-{cells}");
                let reply = actor
                    .client
                    .send(
                        route.method.clone(),
                        &format!("/api/v1{path}"),
                        body.as_ref(),
                        Some(&key),
                    )
                    .await;
                let cell = format!(
                    "{} {path} by {} on {}",
                    route.method, actor.label, object.label
                );
                if check(&cell, expected, &reply) {
                    refusals += 1;
                    assert_no_leak(&cell, &reply, &everyone);
                }
                cells += 1;
            }
        }
    }

    for route in organization_routes() {
        for domain in ["contoso.com", "fabrikam.nl"] {
            let organization = app
                .server
                .store
                .organization_by_domain(domain)
                .await
                .unwrap()
                .unwrap();
            let target = Target::organization(&organization.id);
            for actor in &actors {
                let model = model(&app, actor).await;
                let expected = expect(model.as_ref(), route.action, target);
                let path = format!("/api/v1{}?organization={domain}", route.path);
                let key = format!("authz-{cells}");
                let reply = actor
                    .client
                    .send(route.method.clone(), &path, route.body.as_ref(), Some(&key))
                    .await;
                let cell = format!("{} {path} by {}", route.method, actor.label);
                if check(&cell, expected, &reply) {
                    refusals += 1;
                    assert_no_leak(&cell, &reply, &everyone);
                }
                cells += 1;
            }
        }
    }

    // Lists: each shows only what the matrix lets the actor see, and the organisations an
    // actor administers are exactly those the matrix grants.
    let contoso = app
        .server
        .store
        .organization_by_domain("contoso.com")
        .await
        .unwrap()
        .unwrap();
    let fabrikam = app
        .server
        .store
        .organization_by_domain("fabrikam.nl")
        .await
        .unwrap()
        .unwrap();
    for actor in &actors {
        let model = model(&app, actor).await;
        let reply = actor.client.get("/api/v1/subscriptions").await;
        let cell = format!("GET /subscriptions by {}", actor.label);
        if model.is_none() {
            check(&cell, Expect::Unauthenticated, &reply);
            assert_no_leak(&cell, &reply, &everyone);
        } else {
            let listed: selfserve_api::List<Subscription> = reply.expect_as(200, &cell);
            for shown in &listed.data {
                let row = app
                    .server
                    .store
                    .subscription_row(&shown.id)
                    .await
                    .unwrap()
                    .unwrap();
                let target = Target::subscription(&row.organization_id, &row.purchaser_id);
                assert_eq!(
                    expect(model.as_ref(), Action::ViewSubscription, target),
                    Expect::Allowed,
                    "{cell} shows {} ({reply:?})",
                    shown.id
                );
            }
        }
        cells += 1;

        let reply = actor.client.get("/api/v1/admin/organizations").await;
        let cell = format!("GET /admin/organizations by {}", actor.label);
        let administers = [&contoso, &fabrikam].iter().any(|org| {
            expect(
                model.as_ref(),
                Action::ReadOrganization,
                Target::organization(&org.id),
            ) == Expect::Allowed
        });
        let expected = match model {
            None => Expect::Unauthenticated,
            Some(_) if administers => Expect::Allowed,
            Some(_) => Expect::Refused(Denied::AdminRequired),
        };
        if check(&cell, expected, &reply) {
            refusals += 1;
            assert_no_leak(&cell, &reply, &everyone);
        }
        cells += 1;
    }

    // The purchaser who stayed still sees hers; the one who moved lists nothing of Contoso.
    let megan: selfserve_api::List<Subscription> =
        actors[1].client.get_as("/api/v1/subscriptions").await;
    assert!(
        megan
            .data
            .iter()
            .any(|s| s.id == objects[0].subscription.id)
    );
    let lee = actors[3].client.get("/api/v1/subscriptions").await;
    assert!(!lee.text.contains("nestor@contoso.com"), "{lee:?}");

    println!("authorization matrix: {cells} cells checked, {refusals} refusals, none leaking");
    assert!(
        cells >= 900 && refusals >= 400,
        "{cells} cells, {refusals} refusals"
    );
}
