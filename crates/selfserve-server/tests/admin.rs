//! Admins and partners against a real server: the role matrix for every admin endpoint,
//! policies through the API and the CLI taking effect at once, trials in both policy modes,
//! take-over, CSV export and the audit log.

mod support;

use reqwest::Method;
use selfserve_api::admin::{
    AdminOrganization, AuditAction, AuditEntry, CapacityEntry, PolicyEntry, SeatCounts,
    TakeOverResult,
};
use selfserve_api::eligibility::{CanBuy, EligibilityResponse, IneligibleReason};
use selfserve_api::product::ProductId;
use selfserve_api::session::SessionUser;
use selfserve_api::subscription::{OrderKind, Source, Subscription, SubscriptionStatus};
use selfserve_api::{ErrorCode, List};
use serde_json::json;
use support::app::spawn_app;

fn emails(sub: &Subscription) -> Vec<&str> {
    sub.assigned_users
        .iter()
        .map(|user| user.email.as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_endpoint_follows_the_role_matrix() {
    let app = spawn_app().await;
    let sub = app.as_user("megan@contoso.com").await.buy(3).await;
    let sub_id = sub.id;
    let reads = [
        "/api/v1/admin/organizations",
        "/api/v1/admin/subscriptions?organization=contoso.com",
        "/api/v1/admin/subscriptions/export.csv?organization=contoso.com",
        "/api/v1/admin/policies?organization=contoso.com",
        "/api/v1/admin/capacity?organization=contoso.com",
        "/api/v1/admin/audit?organization=contoso.com",
    ];
    let policy_change = "/api/v1/admin/policies/power-apps-per-user?organization=contoso.com";
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
        let user = app.as_user(email).await;
        for path in reads {
            let reply = user.get(path).await;
            if email == "admin@fabrikam.nl" && path.ends_with("/organizations") {
                // An admin elsewhere administers their own organisation, not Contoso.
                let organizations: List<AdminOrganization> = reply.ok();
                assert_eq!(organizations.data[0].name, "Fabrikam Nederland B.V.");
                assert_eq!(organizations.data.len(), 1);
            } else if may_read {
                assert_eq!(reply.status, 200, "{email} reads {path}: {reply:?}");
            } else {
                reply.error(403, ErrorCode::AdminRequired);
            }
        }
        let reply = user.put(policy_change, &json!({"value": "disabled"})).await;
        if may_change_policy {
            let _: PolicyEntry = reply.expect_as(200, &format!("{email} changes policy"));
        } else {
            reply.error(403, ErrorCode::AdminRequired);
        }
        // Acting on one subscription: admins of the organisation and the delegated partner;
        // everyone else gets 404 (the id is not confirmed to exist).
        let reply = user
            .send(
                Method::POST,
                &format!("/api/v1/subscriptions/{sub_id}/cancel-request"),
                None,
                None,
            )
            .await;
        if may_read {
            let _: Subscription = reply.expect_as(200, &format!("{email} asks to cancel"));
        } else {
            reply.error(404, ErrorCode::NotFound);
        }
        let reply = user
            .post(
                &format!("/api/v1/admin/subscriptions/{sub_id}/take-over"),
                &json!({}),
            )
            .await;
        if may_read {
            // Allowed, but there is no central subscription yet.
            reply.error(409, ErrorCode::NoSeatsAvailable);
        } else {
            reply.error(404, ErrorCode::NotFound);
        }
    }
    // Fabrikam's admin sees Fabrikam, never Contoso, even when asking by name.
    let fabrikam = app.as_user("admin@fabrikam.nl").await;
    let own: List<Subscription> = fabrikam.get_as("/api/v1/admin/subscriptions").await;
    assert!(own.data.is_empty());
    // A partner without the customer named gets its first customer; naming another is refused.
    let pat = app.as_user("pat@northwind.example").await;
    let organizations: List<AdminOrganization> = pat.get_as("/api/v1/admin/organizations").await;
    let names: Vec<&str> = organizations.data.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["Contoso", "Fabrikam Nederland B.V."]);
    assert!(organizations.data.iter().all(|o| !o.can_change_policy));
    pat.get("/api/v1/admin/policies?organization=adatum.co.uk")
        .await
        .error(403, ErrorCode::AdminRequired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sees_every_purchase_with_its_details_and_can_export_them() {
    let app = spawn_app().await;
    app.as_user("megan@contoso.com").await.buy(3).await;
    let admin = app.as_user("admin@contoso.com").await;
    let central: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 50, "unit_amount": 990}),
        )
        .await;
    assert_eq!(central.source, Source::Central);
    assert_eq!(central.quantity, 50);
    assert_eq!(central.unit_amount, 990);
    assert!(central.assigned_users.is_empty());

    let purchases = |query: &'static str| admin.get_as::<List<Subscription>>(query);
    let all = purchases("/api/v1/admin/subscriptions").await;
    assert_eq!(all.data.len(), 2);
    let mine = purchases("/api/v1/admin/subscriptions?source=self_service").await;
    assert_eq!(mine.data.len(), 1);
    let self_service = &mine.data[0];
    assert_eq!(self_service.purchaser.name, "Megan Bowen");
    assert_eq!(self_service.quantity, 3);
    assert_eq!(self_service.orders[0].kind, OrderKind::Purchase);
    assert_eq!(self_service.unit_amount, 1400);
    assert_eq!(self_service.assigned_users[0].email, "megan@contoso.com");
    let found = purchases("/api/v1/admin/subscriptions?q=megan").await;
    assert_eq!(found.data.len(), 1);
    let sorted = purchases("/api/v1/admin/subscriptions?sort=quantity&order=asc").await;
    assert_eq!(sorted.data[0].quantity, 3);
    assert_eq!(sorted.data[1].quantity, 50);
    admin
        .get("/api/v1/admin/subscriptions?sort=colour")
        .await
        .error(400, ErrorCode::InvalidRequest);

    let export = admin.get("/api/v1/admin/subscriptions/export.csv").await;
    assert!(
        export.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        export.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = &export.text;
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

    let capacity: List<CapacityEntry> = admin.get_as("/api/v1/admin/capacity").await;
    let power_bi = &capacity.data[0];
    assert_eq!(power_bi.product, ProductId::PowerBiPro);
    assert_eq!(
        power_bi.self_service,
        SeatCounts {
            seats: 3,
            assigned: 1,
            free: 2
        }
    );
    assert_eq!(
        power_bi.central,
        SeatCounts {
            seats: 50,
            assigned: 0,
            free: 50
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_take_over_moves_everyone_to_central_licences_or_nobody() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(4).await;
    let id = sub.id;
    let _: Subscription = megan
        .post_as(
            &format!("/api/v1/subscriptions/{id}/assignments"),
            &json!({"emails": ["alex@contoso.com", "lee@contoso.com"]}),
        )
        .await;
    let admin = app.as_user("admin@contoso.com").await;
    let small: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 2, "unit_amount": 1000}),
        )
        .await;
    // Two central seats for three people: nobody moves.
    admin
        .post(
            &format!("/api/v1/admin/subscriptions/{id}/take-over"),
            &json!({"central_subscription_id": small.id}),
        )
        .await
        .error(409, ErrorCode::NoSeatsAvailable);
    let small_after: Subscription = admin
        .get_as(&format!("/api/v1/subscriptions/{}", small.id))
        .await;
    assert!(small_after.assigned_users.is_empty());

    let big: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 10, "unit_amount": 1000}),
        )
        .await;
    let result: TakeOverResult = admin
        .send(
            Method::POST,
            &format!("/api/v1/admin/subscriptions/{id}/take-over"),
            None,
            None,
        )
        .await
        .expect_as(200, "the take-over");
    assert_eq!(result.central.id, big.id, "picked the one with room");
    assert_eq!(
        emails(&result.central),
        ["alex@contoso.com", "lee@contoso.com", "megan@contoso.com"]
    );
    assert_eq!(
        result.self_service.cancel_requested_by.as_deref(),
        Some("Ada Admin")
    );
    // The purchaser sees the request in her own view.
    let hers: Subscription = megan.get_as(&format!("/api/v1/subscriptions/{id}")).await;
    assert!(hers.cancel_requested_at.is_some());

    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=take_over").await;
    let entry = &log.data[0];
    assert_eq!(entry.actor, "Ada Admin");
    assert_eq!(entry.subscription_id.as_deref(), Some(id.as_str()));
    let after = entry.after.as_ref().expect("the state after");
    assert_eq!(after["central"], big.id.as_str());
    let before = entry.before.as_ref().expect("the state before");
    assert_eq!(before["users"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_changes_through_the_api_take_effect_at_once() {
    let app = spawn_app().await;
    let admin = app.as_user("admin@contoso.com").await;
    let _: PolicyEntry = admin
        .put_as(
            "/api/v1/admin/policies/power-bi-pro",
            &json!({"value": "disabled"}),
        )
        .await;
    let answer: EligibilityResponse = app
        .post_as(
            "/api/v1/eligibility",
            &json!({"email": "megan@contoso.com", "product": "power-bi-pro"}),
        )
        .await;
    assert!(
        matches!(
            answer,
            EligibilityResponse::ContactAdmin {
                reason: IneligibleReason::PolicyDisabled,
                ..
            }
        ),
        "{answer:?}"
    );
    admin
        .put(
            "/api/v1/admin/policies/power-bi-pro",
            &json!({"value": "sometimes"}),
        )
        .await
        .error(400, ErrorCode::InvalidRequest);
    let log: List<AuditEntry> = admin
        .get_as("/api/v1/admin/audit?action=policy_changed")
        .await;
    let entry = &log.data[0];
    assert_eq!(entry.before.as_ref().unwrap()["value"], "enabled");
    assert_eq!(entry.after.as_ref().unwrap()["value"], "disabled");
    assert_eq!(entry.product, Some(ProductId::PowerBiPro));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
    let megan = app.as_user("megan@contoso.com").await;
    let me: SessionUser = megan.get_as("/api/v1/session").await;
    assert_eq!(
        me.can_buy[&ProductId::PowerAppsPerUser],
        CanBuy::No(IneligibleReason::PolicyTrialsOnly)
    );
    let admin_view: List<AuditEntry> = app
        .as_user("admin@contoso.com")
        .await
        .get_as("/api/v1/admin/audit?action=policy_changed")
        .await;
    assert_eq!(admin_view.data[0].actor, "CLI");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
    let megan = app.as_user("megan@contoso.com").await;

    let reply = megan
        .post(
            "/api/v1/trials",
            &json!({"product": "power-apps-per-user", "quantity": 3}),
        )
        .await;
    let trial: Subscription = reply.expect_as(201, "the trial");
    assert_eq!(trial.status, SubscriptionStatus::Trialing);
    // The raw body: a trial has no card, and says so by leaving the field out.
    assert!(reply.json().get("payment_method").is_none(), "{reply:?}");
    let days = (trial.current_period_end - trial.current_period_start) / 86_400;
    assert_eq!(days, 30);
    megan
        .post("/api/v1/trials", &json!({"product": "power-apps-per-user"}))
        .await
        .error(409, ErrorCode::Conflict);

    // Buying is refused while only trials are allowed, also as a conversion.
    let token = megan.token("4242424242424242").await;
    let error = megan
        .purchase(
            "convert-1",
            &json!({"product": "power-apps-per-user", "quantity": 3,
            "payment_token": token, "convert_trial": trial.id}),
        )
        .await
        .error(403, ErrorCode::NotEligible);
    assert_eq!(error.reason.as_deref(), Some("policy_trials_only"));

    // Disabled: not even a trial.
    app.set_policy(&contoso, "power-automate-per-user", "disabled")
        .await;
    let error = megan
        .post(
            "/api/v1/trials",
            &json!({"product": "power-automate-per-user"}),
        )
        .await
        .error(403, ErrorCode::NotEligible);
    assert_eq!(error.reason.as_deref(), Some("policy_disabled"));

    // Enabled: the trial converts with a card; its users move to the purchase.
    let trial_id = trial.id.as_str();
    let _: Subscription = megan
        .post_as(
            &format!("/api/v1/subscriptions/{trial_id}/assignments"),
            &json!({"emails": ["alex@contoso.com"]}),
        )
        .await;
    app.set_policy(&contoso, "power-apps-per-user", "enabled")
        .await;
    megan
        .purchase(
            "convert-too-small",
            &json!({"product": "power-apps-per-user", "quantity": 1,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await
        .error(400, ErrorCode::InvalidQuantity);
    let bought: Subscription = megan
        .purchase(
            "convert-2",
            &json!({"product": "power-apps-per-user", "quantity": 3,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await
        .expect_as(201, "the conversion");
    let bought: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", bought.id))
        .await;
    assert_eq!(emails(&bought), ["alex@contoso.com", "megan@contoso.com"]);
    let old: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{trial_id}"))
        .await;
    assert_eq!(old.status, SubscriptionStatus::Expired);
    assert_eq!(old.converted_to.as_deref(), Some(bought.id.as_str()));

    // A trial nobody buys ends after 30 days and releases its licences.
    let other: Subscription = megan
        .create_as("/api/v1/trials", &json!({"product": "power-bi-pro"}))
        .await;
    app.advance_days(31).await;
    let ended: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", other.id))
        .await;
    assert_eq!(ended.status, SubscriptionStatus::Expired);
    assert!(ended.assigned_users.is_empty());

    let feed: List<AuditEntry> = app
        .as_user("admin@contoso.com")
        .await
        .get_as("/api/v1/admin/audit?action=purchase,trial_started")
        .await;
    let actions: Vec<AuditAction> = feed.data.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::TrialStarted,
            AuditAction::Purchase,
            AuditAction::TrialStarted
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_converted_trial_has_a_licence_for_the_buyer_even_after_they_left_it() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let trial: Subscription = megan
        .create_as(
            "/api/v1/trials",
            &json!({"product": "power-apps-per-user", "quantity": 3}),
        )
        .await;
    let trial_id = trial.id.as_str();
    let _: Subscription = megan
        .post_as(
            &format!("/api/v1/subscriptions/{trial_id}/assignments"),
            &json!({"emails": ["alex@contoso.com", "lee@contoso.com"]}),
        )
        .await;
    let reply = megan
        .delete(&format!(
            "/api/v1/subscriptions/{trial_id}/assignments/{}",
            megan.me.id
        ))
        .await;
    assert!(reply.status < 300, "{reply:?}");

    // Two people use the trial and the buyer gets a licence too: two licences are too few.
    let token = megan.token("4242424242424242").await;
    let error = megan
        .purchase(
            "convert-two",
            &json!({"product": "power-apps-per-user", "quantity": 2,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await
        .error(400, ErrorCode::InvalidQuantity);
    assert!(error.message.contains("at least 3"), "{error:?}");
    let bought: Subscription = megan
        .purchase(
            "convert-three",
            &json!({"product": "power-apps-per-user", "quantity": 3,
            "payment_token": token, "convert_trial": trial_id}),
        )
        .await
        .expect_as(201, "the conversion");
    let bought: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", bought.id))
        .await;
    let mut holders = emails(&bought);
    holders.sort_unstable();
    assert_eq!(
        holders,
        ["alex@contoso.com", "lee@contoso.com", "megan@contoso.com"]
    );
    assert_eq!(bought.quantity, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_central_subscription_catches_up_every_period_in_one_billing_run() {
    let app = spawn_app().await;
    let admin = app.as_user("admin@contoso.com").await;
    let central: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 5, "unit_amount": 990}),
        )
        .await;
    // One clock move of about three periods: one billing run moves it three periods on.
    let now = app.advance_days(95).await.now;
    let after: Subscription = admin
        .get_as(&format!("/api/v1/subscriptions/{}", central.id))
        .await;
    let end = after.current_period_end;
    let start = after.current_period_start;
    assert!(start <= now && now < end, "{start} {now} {end}");
    assert_eq!(after.status, SubscriptionStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_records_who_changed_what() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let id = &sub.id;
    let _: Subscription = megan
        .post_as(
            &format!("/api/v1/subscriptions/{id}/assignments"),
            &json!({"emails": ["alex@contoso.com"]}),
        )
        .await;
    let _: Subscription = megan
        .post_with_key_as(
            &format!("/api/v1/subscriptions/{id}/seats"),
            "s",
            &json!({"quantity": 4}),
        )
        .await;
    let _: Subscription = megan
        .post_as(&format!("/api/v1/subscriptions/{id}/cancel"), &json!({}))
        .await;
    let log: List<AuditEntry> = app
        .as_user("billing@contoso.com")
        .await
        .get_as("/api/v1/admin/audit")
        .await;
    let entries = &log.data;
    let actions: Vec<AuditAction> = entries.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::Cancelled,
            AuditAction::SeatsChanged,
            AuditAction::LicencesAssigned,
            AuditAction::Purchase
        ]
    );
    assert!(entries.iter().all(|e| e.actor == "Megan Bowen"));
    // Before and after are free-form JSON in the wire type: each action records its own fields.
    let before = |i: usize| entries[i].before.clone().expect("the state before");
    let after = |i: usize| entries[i].after.clone().expect("the state after");
    assert_eq!(before(1)["quantity"], 2);
    assert_eq!(after(1)["quantity"], 4);
    assert_eq!(before(0)["status"], "active");
    assert_eq!(after(0)["status"], "active");
    assert_eq!(before(0)["cancel_at_period_end"], false);
    assert_eq!(after(0)["cancel_at_period_end"], true);
}
