//! The purchaser's view against a real server: ownership, licences and the seat invariant
//! under concurrency, proration, and renewals driven by the test clock.

mod support;

use selfserve_server::directory_import;
use selfserve_server::domain::billing::prorated_subtotal;
use selfserve_server::domain::directory::Directory;
use serde_json::{Value, json};
use support::app::{
    DEMO_PASSWORD, Spawn, TestApp, assert_error, spawn_app, spawn_app_with, status_and_json,
};

fn sub_path(sub: &Value, rest: &str) -> String {
    format!(
        "/api/v1/subscriptions/{}{rest}",
        sub["id"].as_str().unwrap()
    )
}

fn emails(sub: &Value) -> Vec<String> {
    sub["assigned_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

/// Megan buys `seats` of Power BI Pro; the app stays signed in as her.
async fn megan_buys(app: &TestApp, seats: u32) -> Value {
    app.buy("megan@contoso.com", seats).await
}

#[tokio::test]
async fn another_purchaser_sees_none_of_it_and_admins_only_what_they_may() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 3).await;
    let invoice = sub["latest_invoice"]["id"].as_str().unwrap().to_owned();
    let alex = app.new_client();
    alex.post(app.url("/api/v1/session"))
        .json(&json!({"email": "alex@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let lee = app.user_id("lee@contoso.com").await;
    let attempts: Vec<(reqwest::Method, String, Value)> = vec![
        (reqwest::Method::GET, sub_path(&sub, ""), Value::Null),
        (
            reqwest::Method::GET,
            sub_path(&sub, "/invoices"),
            Value::Null,
        ),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/assignments"),
            json!({"user_ids": [lee]}),
        ),
        (
            reqwest::Method::DELETE,
            sub_path(&sub, &format!("/assignments/{lee}")),
            Value::Null,
        ),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/seats/quote"),
            json!({"quantity": 5}),
        ),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/seats"),
            json!({"quantity": 5}),
        ),
        (
            reqwest::Method::PUT,
            sub_path(&sub, "/payment-method"),
            json!({"payment_token": "tok_x"}),
        ),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/cancel"),
            Value::Null,
        ),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/reactivate"),
            Value::Null,
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/invoices/{invoice}"),
            Value::Null,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/invoices/{invoice}/pay"),
            json!({}),
        ),
    ];
    for (method, path, body) in &attempts {
        let mut request = alex
            .request(method.clone(), app.url(path))
            .header("Idempotency-Key", "k");
        if !body.is_null() {
            request = request.json(body);
        }
        let (status, body) = status_and_json(request.send().await.unwrap()).await;
        assert_error(status, &body, 404, "not_found");
        let _ = path;
    }

    // A global admin of Contoso may assign licences but not spend Megan's money.
    let admin = app.new_client();
    admin
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "admin@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let assigned = admin
        .post(app.url(&sub_path(&sub, "/assignments")))
        .json(&json!({"user_ids": [lee]}))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status().as_u16(), 200);
    let seats = admin
        .post(app.url(&sub_path(&sub, "/seats")))
        .header("Idempotency-Key", "admin-seats")
        .json(&json!({"quantity": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        seats.status().as_u16(),
        404,
        "changing seats is the purchaser's"
    );

    // An admin of another organisation sees nothing.
    let other = app.new_client();
    other
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "admin@fabrikam.nl", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let response = other
        .post(app.url(&sub_path(&sub, "/assignments")))
        .json(&json!({"user_ids": [lee]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn colleagues_are_found_by_name_or_email_within_the_organisation_only() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let (status, found) = app.get("/api/v1/directory/users?q=ale").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["data"][0]["email"], "alex@contoso.com");
    let (_, by_surname) = app.get("/api/v1/directory/users?q=WIL").await;
    let names: Vec<&str> = by_surname["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alex Wilber", "Nestor Wilke"]);
    let (_, by_email) = app.get("/api/v1/directory/users?q=patti%40contoso").await;
    assert_eq!(by_email["data"][0]["name"], "Patti Fernandez");
    let (_, nobody) = app.get("/api/v1/directory/users?q=sanne").await;
    assert!(
        nobody["data"].as_array().unwrap().is_empty(),
        "Fabrikam's users are not Contoso's"
    );
    let (_, disabled) = app.get("/api/v1/directory/users?q=former").await;
    assert!(
        disabled["data"].as_array().unwrap().is_empty(),
        "disabled users can't be chosen"
    );
    let (_, limited) = app.get("/api/v1/directory/users?q=&limit=2").await;
    assert!(
        limited["data"].as_array().unwrap().is_empty(),
        "an empty query finds nobody"
    );
    let (_, two) = app.get("/api/v1/directory/users?q=a&limit=1").await;
    assert_eq!(two["data"].as_array().unwrap().len(), 1);
    assert_eq!(two["has_more"], true);
    let (status, body) = app.get("/api/v1/directory/users?q=a&limit=101").await;
    assert_error(status, &body, 400, "invalid_request");
}

#[tokio::test]
async fn assignment_is_all_or_nothing() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 3).await;
    let alex = app.user_id("alex@contoso.com").await;
    let sanne = app.user_id("sanne@fabrikam.nl").await;

    // Someone from another organisation: nobody is assigned.
    let (status, body) = app
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"user_ids": [alex, sanne]}),
        )
        .await;
    assert_error(status, &body, 404, "user_not_found");
    let (_, unchanged) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(emails(&unchanged), ["megan@contoso.com"]);

    // By id and by pasted email together.
    let (status, assigned) = app
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"user_ids": [alex], "emails": [" Lee@Contoso.com "]}),
        )
        .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(emails(&assigned).len(), 3);

    // Assigning someone who already has a seat changes nothing.
    let (status, again) = app
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"user_ids": [alex]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(emails(&again).len(), 3);

    // Full: two more people do not fit, so neither is assigned.
    let (status, body) = app
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["diego@contoso.com", "patti@contoso.com"]}),
        )
        .await;
    assert_error(status, &body, 409, "no_seats_available");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Buy more")
    );

    let (status, freed) = app
        .delete(&sub_path(&sub, &format!("/assignments/{alex}")))
        .await;
    assert_eq!(status, 200);
    assert_eq!(emails(&freed).len(), 2);
    let (status, body) = app
        .delete(&sub_path(&sub, &format!("/assignments/{alex}")))
        .await;
    assert_error(status, &body, 404, "user_not_found");
}

#[tokio::test]
async fn two_hundred_concurrent_assignments_onto_ten_seats_assign_exactly_ten() {
    let app = spawn_app().await;
    // 200 more people at Contoso (no passwords: nobody signs in as them).
    let mut file: Value = serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let users = file["organizations"][0]["users"].as_array_mut().unwrap();
    for i in 0..200 {
        users.push(
            json!({"email": format!("person{i}@contoso.com"), "name": format!("Person {i}")}),
        );
    }
    let directory = Directory::parse(&file.to_string()).unwrap();
    directory_import::import(&app.server.store, &directory, 1)
        .await
        .unwrap();

    let sub = megan_buys(&app, 10).await;
    let path = sub_path(&sub, "/assignments");
    let mut ids = Vec::new();
    for i in 0..200 {
        ids.push(app.user_id(&format!("person{i}@contoso.com")).await);
    }
    let bodies: Vec<Value> = ids.iter().map(|id| json!({"user_ids": [id]})).collect();
    let requests = bodies.iter().map(|body| app.post(&path, body));
    let results = futures_util::future::join_all(requests).await;
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let full = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "no_seats_available")
        .count();
    assert_eq!(ok, 9, "nine free seats (Megan holds the tenth)");
    assert_eq!(full, 191);
    let (_, sub) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(sub["assigned_users"].as_array().unwrap().len(), 10);
    assert_eq!(sub["quantity"], 10);
}

#[tokio::test]
async fn more_seats_are_charged_prorated_now_and_fewer_apply_at_renewal() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 2).await;
    let start = sub["current_period_start"].as_i64().unwrap();
    let end = sub["current_period_end"].as_i64().unwrap();
    app.advance_days(10).await;
    let now = start + 10 * 86_400;

    let (status, quote) = app
        .post(&sub_path(&sub, "/seats/quote"), &json!({"quantity": 5}))
        .await;
    assert_eq!(status, 200, "{quote}");
    // The server's clock moved exactly 10 days (plus the seconds the test took).
    let expected = prorated_subtotal(1400, 3, now, start, end);
    let got = quote["subtotal"].as_i64().unwrap();
    assert!((got - expected).abs() <= 1, "{got} vs {expected}");
    assert_eq!(quote["effective"], "now");
    assert_eq!(quote["next_renewal_total"], 7000);

    let (status, more) = app
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "more-seats",
            &json!({"quantity": 5}),
        )
        .await;
    assert_eq!(status, 200, "{more}");
    assert_eq!(more["quantity"], 5);
    let invoice = &more["latest_invoice"];
    assert_eq!(invoice["status"], "paid");
    assert_eq!(invoice["total"], quote["total"], "charged what was quoted");
    assert_eq!(more["orders"][0]["kind"], "seat_increase");
    assert_eq!(more["orders"][0]["quantity"], 3);
    // The same key replays; it does not buy three more again.
    let (status, replay) = app
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "more-seats",
            &json!({"quantity": 5}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(replay["quantity"], 5);

    // Fewer seats: scheduled for the renewal, never below the seats assigned.
    let (status, fewer) = app
        .post_with_key(&sub_path(&sub, "/seats"), "fewer", &json!({"quantity": 3}))
        .await;
    assert_eq!(status, 200, "{fewer}");
    assert_eq!(fewer["quantity"], 5, "nothing changes before the renewal");
    assert_eq!(fewer["pending_quantity"], 3);
    app.post(
        &sub_path(&sub, "/assignments"),
        &json!({"emails": ["alex@contoso.com", "lee@contoso.com"]}),
    )
    .await;
    let (status, body) = app
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "too-few",
            &json!({"quantity": 2}),
        )
        .await;
    assert_error(status, &body, 409, "conflict");
    let (status, body) = app
        .post_with_key(&sub_path(&sub, "/seats"), "zero", &json!({"quantity": 0}))
        .await;
    assert_error(status, &body, 400, "invalid_quantity");

    app.advance_days(25).await;
    let (_, renewed) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(renewed["quantity"], 3, "the decrease applied at renewal");
    assert_eq!(renewed["latest_invoice"]["total"], 4200);
}

#[tokio::test]
async fn renewals_charge_the_card_and_a_failing_card_goes_past_due_until_paid() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 2).await;
    let first_end = sub["current_period_end"].as_i64().unwrap();

    let report = app.advance_days(31).await;
    assert_eq!(report["billing"]["renewed"], 1, "{report}");
    let (_, renewed) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(renewed["status"], "active");
    assert_eq!(renewed["current_period_start"], first_end);
    assert!(renewed["current_period_end"].as_i64().unwrap() > first_end);
    let (_, bills) = app.get(&sub_path(&sub, "/invoices")).await;
    let bills = bills["data"].as_array().unwrap().clone();
    assert_eq!(bills.len(), 2);
    assert_eq!(bills[0]["status"], "paid");
    assert_eq!(bills[0]["total"], 2800);

    // A card that saves but never charges.
    let failing = app.token("4000000000000341").await;
    let (status, switched) = app
        .put(
            &sub_path(&sub, "/payment-method"),
            &json!({"payment_token": failing}),
        )
        .await;
    assert_eq!(status, 200, "{switched}");
    assert_eq!(switched["payment_method"]["last4"], "0341");

    let report = app.advance_days(31).await;
    assert_eq!(report["billing"]["failed"], 1, "{report}");
    let (_, overdue) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(overdue["status"], "past_due");
    let unpaid = overdue["latest_invoice"].clone();
    assert_eq!(unpaid["status"], "past_due");
    let pay_path = format!("/api/v1/invoices/{}/pay", unpaid["id"].as_str().unwrap());

    // Paying with the failing card on file is declined; a good new card pays and stays.
    let (status, body) = app.post(&pay_path, &json!({})).await;
    assert_error(status, &body, 402, "card_declined");
    let good = app.token("4242424242424242").await;
    let (status, paid) = app.post(&pay_path, &json!({"payment_token": good})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["card"]["last4"], "4242");
    let (_, restored) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(restored["status"], "active");
    assert_eq!(restored["payment_method"]["last4"], "4242");
    let (status, body) = app.post(&pay_path, &json!({})).await;
    assert_error(status, &body, 409, "conflict");
}

#[tokio::test]
async fn unpaid_past_the_grace_period_is_suspended_with_licences_kept_until_paid() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 2).await;
    app.post(
        &sub_path(&sub, "/assignments"),
        &json!({"emails": ["alex@contoso.com"]}),
    )
    .await;
    let failing = app.token("4000000000000341").await;
    app.put(
        &sub_path(&sub, "/payment-method"),
        &json!({"payment_token": failing}),
    )
    .await;
    app.advance_days(31).await;
    let (_, overdue) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(overdue["status"], "past_due");
    // Still within the grace period: usable, licences can even be given.
    app.advance_days(10).await;
    let (_, still) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(still["status"], "past_due");

    app.advance_days(20).await;
    let (_, suspended) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(
        emails(&suspended).len(),
        2,
        "licences are kept while suspended"
    );
    let (status, body) = app
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["lee@contoso.com"]}),
        )
        .await;
    assert_error(status, &body, 409, "conflict");

    let (_, bills) = app.get(&sub_path(&sub, "/invoices")).await;
    let good = app.token("4242424242424242").await;
    let mut first = true;
    for bill in bills["data"].as_array().unwrap() {
        if bill["status"] != "paid" {
            let token = if first {
                json!({"payment_token": good})
            } else {
                json!({})
            };
            first = false;
            let (status, body) = app
                .post(
                    &format!("/api/v1/invoices/{}/pay", bill["id"].as_str().unwrap()),
                    &token,
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
    let (_, active) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(active["status"], "active");
    assert_eq!(emails(&active).len(), 2);
}

#[tokio::test]
async fn cancelling_lasts_until_the_period_ends_can_be_undone_and_then_releases_licences() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 3).await;
    app.post(
        &sub_path(&sub, "/assignments"),
        &json!({"emails": ["alex@contoso.com"]}),
    )
    .await;
    let (status, canceled) = app.post(&sub_path(&sub, "/cancel"), &json!({})).await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["cancel_at_period_end"], true);
    assert_eq!(canceled["status"], "active", "usable until the period ends");
    let (status, body) = app.post(&sub_path(&sub, "/cancel"), &json!({})).await;
    assert_error(status, &body, 409, "conflict");
    let (status, undone) = app.post(&sub_path(&sub, "/reactivate"), &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(undone["status"], "active");
    assert_eq!(undone["cancel_at_period_end"], false);
    app.post(&sub_path(&sub, "/cancel"), &json!({})).await;
    let (status, body) = app
        .post_with_key(&sub_path(&sub, "/seats"), "ending", &json!({"quantity": 5}))
        .await;
    assert_error(status, &body, 409, "conflict");

    app.advance_days(10).await;
    let (_, usable) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(emails(&usable).len(), 2, "usable until the period ends");
    let report = app.advance_days(25).await;
    assert_eq!(report["billing"]["expired"], 1, "{report}");
    let (_, ended) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(ended["status"], "canceled");
    assert!(
        ended["assigned_users"].as_array().unwrap().is_empty(),
        "licences released"
    );
    let (_, bills) = app.get(&sub_path(&sub, "/invoices")).await;
    assert_eq!(
        bills["data"].as_array().unwrap().len(),
        1,
        "nothing charged after cancelling"
    );
    let (status, body) = app.post(&sub_path(&sub, "/reactivate"), &json!({})).await;
    assert_error(status, &body, 409, "conflict");
}

#[tokio::test]
async fn a_purchaser_who_leaves_keeps_the_subscription_running_for_its_users() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 2).await;
    app.post(
        &sub_path(&sub, "/assignments"),
        &json!({"emails": ["alex@contoso.com"]}),
    )
    .await;
    // Megan leaves: the directory no longer lists her.
    let mut file: Value = serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    file["organizations"][0]["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["email"] != "megan@contoso.com");
    let directory = Directory::parse(&file.to_string()).unwrap();
    let report = directory_import::import(&app.server.store, &directory, 1)
        .await
        .unwrap();
    assert_eq!(report.users_removed, 1);
    let (status, _) = app.get("/api/v1/session").await;
    assert_eq!(status, 401, "she can no longer sign in");

    app.advance_days(31).await;
    let admin = app.new_client();
    admin
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "admin@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let (_, seen) = status_and_json(
        admin
            .get(app.url(&sub_path(&sub, "")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(seen["status"], "active", "renewed on the card on file");
    assert_eq!(emails(&seen), ["alex@contoso.com", "megan@contoso.com"]);
}

#[tokio::test]
async fn the_test_clock_exists_only_when_asked_for() {
    let app = spawn_app_with(Spawn {
        demo: true,
        no_test_clock: true,
        ..Spawn::default()
    })
    .await;
    let (status, body) = app
        .post("/api/v1/test-clock/advance", &json!({"days": 1}))
        .await;
    assert_error(status, &body, 404, "not_found");
    let clocked = spawn_app().await;
    let (status, body) = clocked
        .post("/api/v1/test-clock/advance", &json!({"days": 0}))
        .await;
    assert_error(status, &body, 400, "invalid_request");
}

#[tokio::test]
async fn two_payments_of_one_bill_at_once_charge_it_once() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 2).await;
    let failing = app.token("4000000000000341").await;
    app.put(
        &sub_path(&sub, "/payment-method"),
        &json!({"payment_token": failing}),
    )
    .await;
    app.advance_days(31).await;
    let good = app.token("4242424242424242").await;
    app.put(
        &sub_path(&sub, "/payment-method"),
        &json!({"payment_token": good}),
    )
    .await;
    let (_, overdue) = app.get(&sub_path(&sub, "")).await;
    let pay = format!(
        "/api/v1/invoices/{}/pay",
        overdue["latest_invoice"]["id"].as_str().unwrap()
    );
    // The bill list's "Pay" and the banner's "Pay now", clicked together (no keys).
    let empty = json!({});
    for round in 0..3 {
        let results = futures_util::future::join_all((0..4).map(|_| app.post(&pay, &empty))).await;
        let paid = results.iter().filter(|(s, _)| *s == 200).count();
        let refused = results
            .iter()
            .filter(|(s, b)| *s == 409 && b["error"]["code"] == "conflict")
            .count();
        if round == 0 {
            assert_eq!(paid, 1, "{results:?}");
            assert_eq!(refused, 3, "{results:?}");
        } else {
            assert_eq!(paid, 0, "already paid: {results:?}");
        }
    }
    let (_, after) = app.get(&sub_path(&sub, "")).await;
    let payments = after["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "invoice_payment" && o["status"] == "paid")
        .count();
    assert_eq!(payments, 1, "charged once: {}", after["orders"]);
    assert_eq!(after["status"], "active");
}

#[tokio::test]
async fn two_seat_increases_from_the_same_count_charge_once() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 10).await;
    let path = sub_path(&sub, "/seats");
    let body = json!({"quantity": 12});
    let results = futures_util::future::join_all(
        ["tab-1", "tab-2"].map(|key| app.post_with_key(&path, key, &body)),
    )
    .await;
    // The request names a total, so which tab wins the race is the scheduler's choice: the
    // loser either overlaps the winner (409, nothing charged) or arrives after it and finds
    // 12 already there (200, nothing charged). Never a second charge, never 14.
    for (status, body) in &results {
        let refused = *status == 409 && body["error"]["code"] == "conflict";
        let at_twelve = *status == 200 && body["quantity"] == 12;
        assert!(refused || at_twelve, "{status} {body}");
    }
    assert!(results.iter().any(|(s, _)| *s == 200), "{results:?}");
    let (_, after) = app.get(&sub_path(&sub, "")).await;
    assert_eq!(after["quantity"], 12, "not 14");
    let increases = after["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "seat_increase")
        .count();
    assert_eq!(increases, 1);
}

#[tokio::test]
async fn a_renewal_waits_for_a_seat_increase_in_flight_and_a_stale_increase_is_refused() {
    use selfserve_server::services::{billing, payments, seats};
    use selfserve_server::store::orders::PaymentSource;
    let app = spawn_app().await;
    let sub = megan_buys(&app, 10).await;
    let id = sub["id"].as_str().unwrap();
    let services = &app.server.services;
    let store = &services.store;
    let before = store.subscription_row(id).await.unwrap().unwrap();
    let now = before.current_period_start + 86_400;
    let megan = app.user_id("megan@contoso.com").await;
    let card = |token: &str| PaymentSource::NewCard(token.into());
    let increase = seats::seat_increase_order(&before, 2, card("tok_stalled"), now);
    assert!(
        store
            .insert_seat_increase(&increase, 10, (&megan, "stalled"))
            .await
            .unwrap()
    );

    // Past the period's end with the increase (priced for this period) still in flight: the
    // renewal waits rather than carry two unpaid seats into the next period.
    let after_end = before.current_period_end + 60;
    let report = billing::run_due(services, after_end).await.unwrap();
    assert_eq!(report.renewed, 0);
    let waiting = store.subscription_row(id).await.unwrap().unwrap();
    assert_eq!(waiting.periods_elapsed, before.periods_elapsed);

    // Once the stalled increase is given up, an increase after the period's end (prorated to
    // nothing) is refused, and the renewal goes ahead…
    payments::recover(services, after_end + 600, 0)
        .await
        .unwrap();
    let free = seats::seat_increase_order(&before, 2, card("tok_free"), after_end);
    assert_eq!(free.amount, 0);
    assert!(
        !store
            .insert_seat_increase(&free, 10, (&megan, "free"))
            .await
            .unwrap()
    );
    let report = billing::run_due(services, after_end + 600).await.unwrap();
    assert_eq!(report.renewed, 1);
    let renewed = store.subscription_row(id).await.unwrap().unwrap();
    assert_eq!(renewed.periods_elapsed, before.periods_elapsed + 1);

    // …and an increase priced for the period that just ended is refused.
    let stale = seats::seat_increase_order(&before, 2, card("tok_stale"), now);
    assert!(
        !store
            .insert_seat_increase(&stale, 10, (&megan, "stale"))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn clients_pay_with_new_card_tokens_only_never_a_saved_card_id() {
    let app = spawn_app().await;
    let sub = megan_buys(&app, 2).await;
    let (status, body) = app
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "by-id",
            &json!({"quantity": 3, "payment_token": "pm_guessed"}),
        )
        .await;
    assert_error(status, &body, 400, "invalid_token");
    assert_eq!(body["error"]["field"], "payment_token");
}
