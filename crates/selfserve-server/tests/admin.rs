//! Admins and partners against a real server: the role matrix for every admin endpoint,
//! policies through the API and the CLI taking effect at once, trials in both policy modes,
//! take-over, CSV export and the audit log.

mod support;

use serde_json::{Value, json};
use support::app::{DEMO_PASSWORD, TestApp, assert_error, spawn_app, status_and_json};

/// A signed-in client for `email`.
async fn as_user(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.new_client();
    let response = client
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": email, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{email} signs in");
    client
}

async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client.request(method, app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn every_admin_endpoint_follows_the_role_matrix() {
    let app = spawn_app().await;
    let sub = app.buy("megan@contoso.com", 3).await;
    let sub_id = sub["id"].as_str().unwrap().to_owned();
    use reqwest::Method;
    // (method, path, body, allowed for readers, allowed for billing/partner writers)
    let reads = [
        (Method::GET, "/api/v1/admin/organizations".to_owned()),
        (
            Method::GET,
            "/api/v1/admin/subscriptions?organization=contoso.com".to_owned(),
        ),
        (
            Method::GET,
            "/api/v1/admin/subscriptions/export.csv?organization=contoso.com".to_owned(),
        ),
        (
            Method::GET,
            "/api/v1/admin/policies?organization=contoso.com".to_owned(),
        ),
        (
            Method::GET,
            "/api/v1/admin/capacity?organization=contoso.com".to_owned(),
        ),
        (
            Method::GET,
            "/api/v1/admin/audit?organization=contoso.com".to_owned(),
        ),
    ];
    let policy_change = (
        Method::PUT,
        "/api/v1/admin/policies/power-apps-per-user?organization=contoso.com".to_owned(),
        json!({"value": "disabled"}),
    );
    // (who, may read, may change policy)
    let roles = [
        ("megan@contoso.com", false, false),
        ("alex@contoso.com", false, false),
        ("billing@contoso.com", true, false),
        ("admin@contoso.com", true, true),
        ("pat@northwind.example", true, false),
        ("quinn@proseware.example", false, false),
        ("admin@fabrikam.nl", false, false),
    ];
    for (email, may_read, may_change_policy) in roles {
        let client = as_user(&app, email).await;
        for (method, path) in &reads {
            let (status, body) = call(&app, &client, method.clone(), path, None).await;
            if email == "admin@fabrikam.nl" && path.ends_with("/organizations") {
                // An admin elsewhere administers their own organisation, not Contoso.
                assert_eq!(status, 200);
                assert_eq!(body["data"][0]["name"], "Fabrikam Nederland B.V.");
                assert_eq!(body["data"].as_array().unwrap().len(), 1);
            } else if may_read {
                assert_eq!(status, 200, "{email} reads {path}: {body}");
            } else {
                assert_error(status, &body, 403, "admin_required");
            }
        }
        let (status, body) = call(
            &app,
            &client,
            policy_change.0.clone(),
            &policy_change.1,
            Some(policy_change.2.clone()),
        )
        .await;
        if may_change_policy {
            assert_eq!(status, 200, "{email} changes policy: {body}");
        } else {
            assert_error(status, &body, 403, "admin_required");
        }
        // Acting on one subscription: admins of the organisation and the delegated partner;
        // everyone else gets 404 (the id is not confirmed to exist).
        let (status, body) = call(
            &app,
            &client,
            Method::POST,
            &format!("/api/v1/subscriptions/{sub_id}/cancel-request"),
            None,
        )
        .await;
        if may_read {
            assert_eq!(status, 200, "{email} asks to cancel: {body}");
        } else {
            assert_error(status, &body, 404, "not_found");
        }
        let (status, body) = call(
            &app,
            &client,
            Method::POST,
            &format!("/api/v1/admin/subscriptions/{sub_id}/take-over"),
            Some(json!({})),
        )
        .await;
        if may_read {
            // Allowed, but there is no central subscription yet.
            assert_error(status, &body, 409, "no_seats_available");
        } else {
            assert_error(status, &body, 404, "not_found");
        }
    }
    // Fabrikam's admin sees Fabrikam, never Contoso, even when asking by name.
    let fabrikam = as_user(&app, "admin@fabrikam.nl").await;
    let (status, own) = call(
        &app,
        &fabrikam,
        Method::GET,
        "/api/v1/admin/subscriptions",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(own["data"].as_array().unwrap().is_empty());
    // A partner without the customer named gets its first customer; naming another is refused.
    let pat = as_user(&app, "pat@northwind.example").await;
    let (_, orgs) = call(&app, &pat, Method::GET, "/api/v1/admin/organizations", None).await;
    let names: Vec<&str> = orgs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Contoso", "Fabrikam Nederland B.V."]);
    assert!(
        orgs["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["can_change_policy"] == false)
    );
    let (status, body) = call(
        &app,
        &pat,
        Method::GET,
        "/api/v1/admin/policies?organization=adatum.co.uk",
        None,
    )
    .await;
    assert_error(status, &body, 403, "admin_required");
}

#[tokio::test]
async fn an_admin_sees_every_purchase_with_its_details_and_can_export_them() {
    let app = spawn_app().await;
    app.buy("megan@contoso.com", 3).await;
    let admin = as_user(&app, "admin@contoso.com").await;
    let (_, central) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/subscriptions",
        Some(json!({"product": "power-bi-pro", "quantity": 50, "unit_amount": 990})),
    )
    .await;
    assert_eq!(central["source"], "central");
    assert_eq!(central["quantity"], 50);
    assert_eq!(central["unit_amount"], 990);
    assert!(central["assigned_users"].as_array().unwrap().is_empty());

    let (_, all) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/subscriptions",
        None,
    )
    .await;
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    let (_, mine) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/subscriptions?source=self_service",
        None,
    )
    .await;
    let self_service = &mine["data"][0];
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    assert_eq!(self_service["purchaser"]["name"], "Megan Bowen");
    assert_eq!(self_service["quantity"], 3);
    assert_eq!(self_service["orders"][0]["kind"], "purchase");
    assert_eq!(self_service["unit_amount"], 1400);
    assert_eq!(
        self_service["assigned_users"][0]["email"],
        "megan@contoso.com"
    );
    let (_, found) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/subscriptions?q=megan",
        None,
    )
    .await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    let (_, sorted) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/subscriptions?sort=quantity&order=asc",
        None,
    )
    .await;
    assert_eq!(sorted["data"][0]["quantity"], 3);
    assert_eq!(sorted["data"][1]["quantity"], 50);
    let (status, body) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/subscriptions?sort=colour",
        None,
    )
    .await;
    assert_error(status, &body, 400, "invalid_request");

    let response = admin
        .get(app.url("/api/v1/admin/subscriptions/export.csv"))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("subscription_id,product,source,status,purchaser_name"));
    let megan = lines.iter().find(|l| l.contains("Megan Bowen")).unwrap();
    for field in [
        "\"self_service\"",
        "\"3\"",
        "\"14.00\"",
        "\"USD\"",
        "\"megan@contoso.com\"",
    ] {
        assert!(megan.contains(field), "{field} in {megan}");
    }

    let (_, capacity) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/capacity",
        None,
    )
    .await;
    let power_bi = &capacity["data"][0];
    assert_eq!(power_bi["product"], "power-bi-pro");
    assert_eq!(
        power_bi["self_service"],
        json!({"seats": 3, "assigned": 1, "free": 2})
    );
    assert_eq!(
        power_bi["central"],
        json!({"seats": 50, "assigned": 0, "free": 50})
    );
}

#[tokio::test]
async fn a_take_over_moves_everyone_to_central_licences_or_nobody() {
    let app = spawn_app().await;
    let sub = app.buy("megan@contoso.com", 4).await;
    let id = sub["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/subscriptions/{id}/assignments"),
        &json!({"emails": ["alex@contoso.com", "lee@contoso.com"]}),
    )
    .await;
    let admin = as_user(&app, "admin@contoso.com").await;
    let (_, small) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/subscriptions",
        Some(json!({"product": "power-bi-pro", "quantity": 2, "unit_amount": 1000})),
    )
    .await;
    // Two central seats for three people: nobody moves.
    let (status, body) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/v1/admin/subscriptions/{id}/take-over"),
        Some(json!({"central_subscription_id": small["id"]})),
    )
    .await;
    assert_error(status, &body, 409, "no_seats_available");
    let (_, small_after) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("/api/v1/subscriptions/{}", small["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert!(small_after["assigned_users"].as_array().unwrap().is_empty());

    let (_, big) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/subscriptions",
        Some(json!({"product": "power-bi-pro", "quantity": 10, "unit_amount": 1000})),
    )
    .await;
    let (status, result) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/v1/admin/subscriptions/{id}/take-over"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        result["central"]["id"], big["id"],
        "picked the one with room"
    );
    let moved: Vec<&str> = result["central"]["assigned_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        moved,
        ["alex@contoso.com", "lee@contoso.com", "megan@contoso.com"]
    );
    assert_eq!(result["self_service"]["cancel_requested_by"], "Ada Admin");
    // The purchaser sees the request in her own view.
    let (_, hers) = app.get(&format!("/api/v1/subscriptions/{id}")).await;
    assert!(hers["cancel_requested_at"].as_i64().is_some());

    let (_, log) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/audit?action=take_over",
        None,
    )
    .await;
    let entry = &log["data"][0];
    assert_eq!(entry["actor"], "Ada Admin");
    assert_eq!(entry["subscription_id"], id.as_str());
    assert_eq!(entry["after"]["central"], big["id"]);
    assert_eq!(entry["before"]["users"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn policy_changes_through_the_api_take_effect_at_once() {
    let app = spawn_app().await;
    let admin = as_user(&app, "admin@contoso.com").await;
    let (status, body) = call(
        &app,
        &admin,
        reqwest::Method::PUT,
        "/api/v1/admin/policies/power-bi-pro",
        Some(json!({"value": "disabled"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, answer) = app
        .post(
            "/api/v1/eligibility",
            &json!({"email": "megan@contoso.com", "product": "power-bi-pro"}),
        )
        .await;
    assert_eq!(answer["reason"], "policy_disabled");
    let (status, body) = call(
        &app,
        &admin,
        reqwest::Method::PUT,
        "/api/v1/admin/policies/power-bi-pro",
        Some(json!({"value": "sometimes"})),
    )
    .await;
    assert_error(status, &body, 400, "invalid_request");
    let (_, log) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/audit?action=policy_changed",
        None,
    )
    .await;
    assert_eq!(log["data"][0]["before"]["value"], "enabled");
    assert_eq!(log["data"][0]["after"]["value"], "disabled");
    assert_eq!(log["data"][0]["product"], "power-bi-pro");
}

#[tokio::test]
async fn policy_changes_through_the_cli_reach_a_running_server_at_once() {
    let app = spawn_app().await;
    let database = app.database_url.clone();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
        .args([
            "policy",
            "set",
            "--org",
            "contoso.com",
            "--product",
            "power-apps-per-user",
        ])
        .args([
            "--value",
            "only_trials_without_payment_method",
            "--database",
            &database,
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let list = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
        .args([
            "policy",
            "list",
            "--org",
            "contoso.com",
            "--database",
            &database,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(list.stdout).unwrap(),
        "power-bi-pro enabled\npower-apps-per-user only_trials_without_payment_method\n\
         power-automate-per-user enabled\n"
    );
    // The running server answers with the new policy straight away.
    app.sign_in("megan@contoso.com").await;
    let (_, me) = app.get("/api/v1/session").await;
    assert_eq!(me["can_buy"]["power-apps-per-user"], "policy_trials_only");
    let (_, admin_view) = status_and_json(
        as_user(&app, "admin@contoso.com")
            .await
            .get(app.url("/api/v1/admin/audit?action=policy_changed"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(admin_view["data"][0]["actor"], "CLI");
}

#[tokio::test]
async fn trials_without_a_card_follow_the_policy_and_convert_only_when_enabled() {
    let app = spawn_app().await;
    let contoso = app
        .server
        .store
        .user_by_email("megan@contoso.com")
        .await
        .unwrap()
        .unwrap()
        .organization_id;
    app.set_policy(
        &contoso,
        "power-apps-per-user",
        "only_trials_without_payment_method",
    )
    .await;
    app.sign_in("megan@contoso.com").await;

    let (status, trial) = app
        .post(
            "/api/v1/trials",
            &json!({"product": "power-apps-per-user", "quantity": 3}),
        )
        .await;
    assert_eq!(status, 201, "{trial}");
    assert_eq!(trial["status"], "trialing");
    assert!(trial.get("payment_method").is_none());
    let days = (trial["current_period_end"].as_i64().unwrap()
        - trial["current_period_start"].as_i64().unwrap())
        / 86_400;
    assert_eq!(days, 30);
    let (status, body) = app
        .post("/api/v1/trials", &json!({"product": "power-apps-per-user"}))
        .await;
    assert_error(status, &body, 409, "conflict");

    // Buying is refused while only trials are allowed, also as a conversion.
    let token = app.token("4242424242424242").await;
    let (status, body, _) = app
        .purchase(
            "convert-1",
            &json!({"product": "power-apps-per-user", "quantity": 3,
            "payment_token": token, "convert_trial": trial["id"]}),
        )
        .await;
    assert_error(status, &body, 403, "not_eligible");
    assert_eq!(body["error"]["reason"], "policy_trials_only");

    // Disabled: not even a trial.
    app.set_policy(&contoso, "power-automate-per-user", "disabled")
        .await;
    let (status, body) = app
        .post(
            "/api/v1/trials",
            &json!({"product": "power-automate-per-user"}),
        )
        .await;
    assert_error(status, &body, 403, "not_eligible");
    assert_eq!(body["error"]["reason"], "policy_disabled");

    // Enabled: the trial converts with a card; its users move to the purchase.
    let trial_id = trial["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/subscriptions/{trial_id}/assignments"),
        &json!({"emails": ["alex@contoso.com"]}),
    )
    .await;
    app.set_policy(&contoso, "power-apps-per-user", "enabled")
        .await;
    let (status, body, _) = app
        .purchase(
            "convert-too-small",
            &json!({"product": "power-apps-per-user", "quantity": 1,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await;
    assert_error(status, &body, 400, "invalid_quantity");
    let (status, bought, _) = app
        .purchase(
            "convert-2",
            &json!({"product": "power-apps-per-user", "quantity": 3,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await;
    assert_eq!(status, 201, "{bought}");
    let (_, bought) = app
        .get(&format!(
            "/api/v1/subscriptions/{}",
            bought["id"].as_str().unwrap()
        ))
        .await;
    let holders: Vec<&str> = bought["assigned_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(holders, ["alex@contoso.com", "megan@contoso.com"]);
    let (_, old) = app.get(&format!("/api/v1/subscriptions/{trial_id}")).await;
    assert_eq!(old["status"], "expired");
    assert_eq!(old["converted_to"], bought["id"]);

    // A trial nobody buys ends after 30 days and releases its licences.
    let (status, other) = app
        .post("/api/v1/trials", &json!({"product": "power-bi-pro"}))
        .await;
    assert_eq!(status, 201, "{other}");
    app.advance_days(31).await;
    let (_, ended) = app
        .get(&format!(
            "/api/v1/subscriptions/{}",
            other["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ended["status"], "expired");
    assert!(ended["assigned_users"].as_array().unwrap().is_empty());

    let admin = as_user(&app, "admin@contoso.com").await;
    let (_, feed) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/audit?action=purchase,trial_started",
        None,
    )
    .await;
    let actions: Vec<&str> = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["trial_started", "purchase", "trial_started"]);
}

#[tokio::test]
async fn a_converted_trial_has_a_licence_for_the_buyer_even_after_they_left_it() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let (status, trial) = app
        .post(
            "/api/v1/trials",
            &json!({"product": "power-apps-per-user", "quantity": 3}),
        )
        .await;
    assert_eq!(status, 201, "{trial}");
    let trial_id = trial["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/subscriptions/{trial_id}/assignments"),
            &json!({"emails": ["alex@contoso.com", "lee@contoso.com"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let megan = app.user_id("megan@contoso.com").await;
    let (status, body) = app
        .delete(&format!(
            "/api/v1/subscriptions/{trial_id}/assignments/{megan}"
        ))
        .await;
    assert!(status < 300, "{status} {body}");

    // Two people use the trial and the buyer gets a licence too: two licences are too few.
    let token = app.token("4242424242424242").await;
    let (status, body, _) = app
        .purchase(
            "convert-two",
            &json!({"product": "power-apps-per-user", "quantity": 2,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await;
    assert_error(status, &body, 400, "invalid_quantity");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at least 3"),
        "{body}"
    );
    let (status, bought, _) = app
        .purchase(
            "convert-three",
            &json!({"product": "power-apps-per-user", "quantity": 3,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await;
    assert_eq!(status, 201, "{bought}");
    let (_, bought) = app
        .get(&format!(
            "/api/v1/subscriptions/{}",
            bought["id"].as_str().unwrap()
        ))
        .await;
    let mut holders: Vec<&str> = bought["assigned_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    holders.sort_unstable();
    assert_eq!(
        holders,
        ["alex@contoso.com", "lee@contoso.com", "megan@contoso.com"]
    );
    assert_eq!(bought["quantity"], 3);
}

#[tokio::test]
async fn a_central_subscription_catches_up_every_period_in_one_billing_run() {
    let app = spawn_app().await;
    let admin = as_user(&app, "admin@contoso.com").await;
    let (status, central) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/admin/subscriptions",
        Some(json!({"product": "power-bi-pro", "quantity": 5, "unit_amount": 990})),
    )
    .await;
    assert_eq!(status, 201, "{central}");
    // One clock move of about three periods: one billing run moves it three periods on.
    let moved = app.advance_days(95).await;
    let now = moved["now"].as_i64().unwrap();
    let id = central["id"].as_str().unwrap();
    let (_, after) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("/api/v1/subscriptions/{id}"),
        None,
    )
    .await;
    let end = after["current_period_end"].as_i64().unwrap();
    let start = after["current_period_start"].as_i64().unwrap();
    assert!(start <= now && now < end, "{start} {now} {end}");
    assert_eq!(after["status"], "active");
}

#[tokio::test]
async fn the_audit_log_records_who_changed_what() {
    let app = spawn_app().await;
    let sub = app.buy("megan@contoso.com", 2).await;
    let id = sub["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/subscriptions/{id}/assignments"),
        &json!({"emails": ["alex@contoso.com"]}),
    )
    .await;
    app.post_with_key(
        &format!("/api/v1/subscriptions/{id}/seats"),
        "s",
        &json!({"quantity": 4}),
    )
    .await;
    let (status, body) = app
        .post(&format!("/api/v1/subscriptions/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let admin = as_user(&app, "billing@contoso.com").await;
    let (_, log) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/admin/audit",
        None,
    )
    .await;
    let entries = log["data"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "cancelled",
            "seats_changed",
            "licences_assigned",
            "purchase"
        ]
    );
    assert!(entries.iter().all(|e| e["actor"] == "Megan Bowen"));
    assert_eq!(entries[1]["before"]["quantity"], 2);
    assert_eq!(entries[1]["after"]["quantity"], 4);
    assert_eq!(entries[0]["before"]["status"], "active");
    assert_eq!(entries[0]["after"]["status"], "active");
    assert_eq!(entries[0]["before"]["cancel_at_period_end"], false);
    assert_eq!(entries[0]["after"]["cancel_at_period_end"], true);
}
