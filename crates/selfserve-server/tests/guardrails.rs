//! Guardrails (issue 12): an organisation's limits on self-service seats per purchase, seats in
//! the organisation and spend per calendar month, set through the API and the command line and
//! enforced on quotes, purchases, seat increases and trials with 403 `cap_reached` and the
//! limit in `error.limit`; concurrent purchases never go past a limit together.

mod support;

use selfserve_api::admin::{AuditEntry, PolicyEntry};
use selfserve_api::eligibility::{CanBuy, IneligibleReason};
use selfserve_api::guardrails::{LimitKind, ReachedLimit};
use selfserve_api::product::ProductId;
use selfserve_api::purchase::Quote;
use selfserve_api::session::SessionUser;
use selfserve_api::subscription::Subscription;
use selfserve_api::{ErrorBody, ErrorCode, List};
use serde_json::json;
use support::app::{TestApp, User, spawn_app};

const BI: &str = "/api/v1/admin/policies/power-bi-pro";

/// The limit of a 403 `cap_reached`.
fn reached(error: ErrorBody) -> ReachedLimit {
    assert_eq!(error.reason.as_deref(), Some("cap_reached"), "{error:?}");
    error.limit.expect("the limit in error.limit")
}

async fn set_limits(app: &TestApp, body: serde_json::Value) -> PolicyEntry {
    app.as_user("admin@contoso.com")
        .await
        .put_as(BI, &body)
        .await
}

async fn buy(user: &User, quantity: u32, key: &str) -> support::app::Reply {
    let token = user.token("4242424242424242").await;
    user.purchase(
        key,
        &json!({"product": "power-bi-pro", "quantity": quantity, "payment_token": token}),
    )
    .await
}

async fn live_self_service_seats(app: &TestApp) -> i64 {
    let list: List<Subscription> = app
        .as_user("billing@contoso.com")
        .await
        .get_as("/api/v1/subscriptions?source=self_service")
        .await;
    list.data
        .iter()
        .filter(|s| s.product == ProductId::PowerBiPro)
        .map(|s| i64::from(s.quantity))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_admins_set_and_clear_limits_and_the_change_is_audited() {
    let app = spawn_app().await;
    let entry = set_limits(
        &app,
        json!({"max_seats_per_purchase": 5, "max_seats": 8, "monthly_cap": 100000}),
    )
    .await;
    assert_eq!(entry.value.as_str(), "enabled");
    assert_eq!(entry.guardrails.max_seats.map(|l| l.get()), Some(8));
    // A limit left out stays; `null` removes one; the policy is untouched.
    let admin = app.as_user("admin@contoso.com").await;
    let entry: PolicyEntry = admin.put_as(BI, &json!({"max_seats": null})).await;
    assert_eq!(entry.guardrails.max_seats, None);
    assert_eq!(
        entry.guardrails.max_seats_per_purchase.map(|l| l.get()),
        Some(5)
    );
    assert_eq!(entry.guardrails.monthly_cap.map(|c| c.get()), Some(100_000));
    let listed: List<PolicyEntry> = app
        .as_user("billing@contoso.com")
        .await
        .get_as("/api/v1/admin/policies")
        .await;
    let bi = listed
        .data
        .iter()
        .find(|e| e.product == ProductId::PowerBiPro)
        .unwrap();
    assert_eq!(bi.guardrails, entry.guardrails);
    let raw = admin.get("/api/v1/admin/policies").await.json();
    assert!(
        raw["data"][1]["max_seats"].is_null(),
        "absent limits are explicit nulls: {raw}"
    );
    // Only global admins; values out of range are a 400 naming nothing as set.
    app.as_user("billing@contoso.com")
        .await
        .put(BI, &json!({"max_seats": 3}))
        .await
        .error(403, ErrorCode::AdminRequired);
    for bad in [
        json!({"max_seats": 0}),
        json!({"monthly_cap": -5}),
        json!({"max_seats": 1.5}),
    ] {
        admin
            .put(BI, &bad)
            .await
            .error(400, ErrorCode::InvalidRequest);
    }
    let after: List<PolicyEntry> = admin.get_as("/api/v1/admin/policies").await;
    assert_eq!(
        after.data[0].guardrails, entry.guardrails,
        "refused changes changed nothing"
    );
    let log: List<AuditEntry> = admin
        .get_as("/api/v1/admin/audit?action=policy_changed")
        .await;
    assert_eq!(log.data.len(), 2, "one entry per change");
    assert_eq!(log.data[0].before.as_ref().unwrap()["max_seats"], 8);
    assert!(log.data[0].after.as_ref().unwrap()["max_seats"].is_null());
    assert_eq!(
        log.data[0].after.as_ref().unwrap()["max_seats_per_purchase"],
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seat_limits_refuse_quotes_purchases_increases_and_trials() {
    let app = spawn_app().await;
    set_limits(&app, json!({"max_seats_per_purchase": 5, "max_seats": 8})).await;
    let megan = app.as_user("megan@contoso.com").await;

    let quote = megan
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 6}),
        )
        .await;
    let limit = reached(quote.error(403, ErrorCode::NotEligible));
    assert_eq!(
        (limit.kind, limit.value, limit.currency),
        (LimitKind::MaxSeatsPerPurchase, 5, None)
    );
    let limit = reached(
        buy(&megan, 6, "six")
            .await
            .error(403, ErrorCode::NotEligible),
    );
    assert_eq!(limit.kind, LimitKind::MaxSeatsPerPurchase);
    assert_eq!(
        live_self_service_seats(&app).await,
        0,
        "a refused purchase charges nothing"
    );

    let sub: Subscription = buy(&megan, 5, "five")
        .await
        .expect_as(201, "five seats fit");
    // An increase counts the subscription's new total against the per-purchase limit.
    let increase = |quantity: u32, key: &'static str| {
        let megan = &megan;
        let id = sub.id.clone();
        async move {
            megan
                .post_with_key(
                    &format!("/api/v1/subscriptions/{id}/seats"),
                    key,
                    &json!({"quantity": quantity}),
                )
                .await
        }
    };
    let limit = reached(
        increase(6, "to-six")
            .await
            .error(403, ErrorCode::NotEligible),
    );
    assert_eq!(
        (limit.kind, limit.available),
        (LimitKind::MaxSeatsPerPurchase, 0)
    );

    // The organisation's 8 seats: 5 are bought, so alex may buy 3, not 4.
    let alex = app.as_user("alex@contoso.com").await;
    let limit = reached(
        alex.post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 4}),
        )
        .await
        .error(403, ErrorCode::NotEligible),
    );
    assert_eq!(
        (limit.kind, limit.value, limit.available),
        (LimitKind::MaxSeats, 8, 3)
    );
    let _: Subscription = buy(&alex, 3, "three").await.expect_as(201, "three fit");
    // Full: nobody can buy, and the signed-in view says so before any checkout.
    let lee = app.as_user("lee@contoso.com").await;
    let me: SessionUser = lee.get_as("/api/v1/session").await;
    assert_eq!(
        me.can_buy[&ProductId::PowerBiPro],
        CanBuy::No(IneligibleReason::CapReached)
    );
    assert_eq!(me.can_buy[&ProductId::PowerAppsPerUser], CanBuy::Yes(true));
    // Trials count towards seat limits.
    let limit = reached(
        lee.post(
            "/api/v1/trials",
            &json!({"product": "power-bi-pro", "quantity": 1}),
        )
        .await
        .error(403, ErrorCode::NotEligible),
    );
    assert_eq!((limit.kind, limit.available), (LimitKind::MaxSeats, 0));
    // Clearing the limit takes effect at once.
    set_limits(&app, json!({"max_seats": null})).await;
    let _: Quote = alex
        .post_as(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 4}),
        )
        .await;
    let _: Subscription = lee
        .create_as(
            "/api/v1/trials",
            &json!({"product": "power-bi-pro", "quantity": 2}),
        )
        .await;
    assert_eq!(live_self_service_seats(&app).await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monthly_cap_counts_this_calendar_months_charges_by_the_servers_clock() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let two: Quote = megan
        .post_as(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 2}),
        )
        .await;
    set_limits(&app, json!({"monthly_cap": two.total + 1})).await;
    let _: Subscription = buy(&megan, 2, "two").await.expect_as(201, "within the cap");
    let limit = reached(
        megan
            .post(
                "/api/v1/quotes",
                &json!({"product": "power-bi-pro", "quantity": 1}),
            )
            .await
            .error(403, ErrorCode::NotEligible),
    );
    assert_eq!(limit.kind, LimitKind::MonthlyCap);
    assert_eq!((limit.value, limit.available), (two.total + 1, 1));
    assert_eq!(limit.currency, Some(two.currency));
    let refused = buy(&megan, 1, "one")
        .await
        .error(403, ErrorCode::NotEligible);
    assert!(refused.message.contains("a month"), "{}", refused.message);
    // A trial charges nothing, so the spent cap does not stop it.
    let _: Subscription = app
        .as_user("alex@contoso.com")
        .await
        .create_as("/api/v1/trials", &json!({"product": "power-bi-pro"}))
        .await;
    // Next calendar month (by the test clock) the cap starts again; renewals do not count.
    megan.advance_days(32).await;
    let quote: Quote = megan
        .post_as(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 2}),
        )
        .await;
    let _: Subscription = buy(&megan, 2, "next-month")
        .await
        .expect_as(201, "a new month");
    assert!(quote.total <= two.total + 1);
}

/// Twelve purchases of 3 seats at once under a limit of 10: exactly three go through, on
/// SQLite and on PostgreSQL, and the seats bought never pass the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_purchases_cannot_together_pass_the_organisations_seats() {
    let app = spawn_app().await;
    set_limits(&app, json!({"max_seats": 10})).await;
    let people = ["megan", "alex", "lee", "isaiah", "diego", "lynne"];
    let mut buyers = Vec::new();
    for name in people {
        buyers.push(app.as_user(&format!("{name}@contoso.com")).await);
    }
    let mut tokens = Vec::new();
    for (i, buyer) in buyers.iter().chain(buyers.iter()).enumerate() {
        tokens.push((i, buyer, buyer.token("4242424242424242").await));
    }
    let replies =
        futures_util::future::join_all(tokens.iter().map(|(i, buyer, token)| async move {
            buyer
                .purchase(
                    &format!("race-{i}"),
                    &json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token}),
                )
                .await
        }))
        .await;
    let mut bought = 0;
    for reply in &replies {
        if reply.status == 201 {
            bought += 1;
        } else {
            let limit = reached(reply.error(403, ErrorCode::NotEligible));
            assert_eq!(limit.kind, LimitKind::MaxSeats);
        }
    }
    assert_eq!(bought, 3, "3 × 3 seats fit under 10, a fourth does not");
    assert_eq!(live_self_service_seats(&app).await, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_sets_and_clears_limits_on_a_running_server() {
    let app = spawn_app().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
            .args(["policy"])
            .args(args)
            .args(["--org", "contoso.com", "--database", &app.database_url])
            .output()
            .unwrap()
    };
    let set = run(&[
        "set",
        "--product",
        "power-bi-pro",
        "--max-seats",
        "3",
        "--monthly-cap",
        "500000",
    ]);
    assert!(set.status.success(), "{set:?}");
    assert_eq!(
        String::from_utf8(set.stdout).unwrap(),
        "power-bi-pro enabled max_seats=3 monthly_cap=500000\n"
    );
    let megan = app.as_user("megan@contoso.com").await;
    let limit = reached(
        buy(&megan, 4, "four")
            .await
            .error(403, ErrorCode::NotEligible),
    );
    assert_eq!((limit.kind, limit.value), (LimitKind::MaxSeats, 3));

    let cleared = run(&["set", "--product", "power-bi-pro", "--clear", "max-seats"]);
    assert!(cleared.status.success(), "{cleared:?}");
    let _: Subscription = buy(&megan, 4, "four-again")
        .await
        .expect_as(201, "no seat limit now");
    let list = run(&["list"]);
    assert_eq!(
        String::from_utf8(list.stdout).unwrap(),
        "power-bi-pro enabled monthly_cap=500000\npower-apps-per-user enabled\n\
         power-automate-per-user enabled\n"
    );
    for bad in [
        &["set", "--product", "power-bi-pro", "--max-seats", "0"][..],
        &[
            "set",
            "--product",
            "power-bi-pro",
            "--max-seats",
            "2",
            "--clear",
            "max-seats",
        ],
        &["set", "--product", "power-bi-pro"],
    ] {
        let out = run(bad);
        assert!(!out.status.success(), "{bad:?} must fail");
        assert!(
            !String::from_utf8_lossy(&out.stderr).is_empty(),
            "{bad:?} says why"
        );
    }
}
