//! The purchaser's view against a real server: ownership, licences and the seat invariant
//! under concurrency, proration, and renewals driven by the test clock.

#[path = "manage/invoice_pdf.rs"]
mod invoice_pdf;
#[path = "manage/pages.rs"]
mod pages;
mod support;

use selfserve_api::manage::{Effective, SeatChangeQuote};
use selfserve_api::subscription::{
    Invoice, InvoiceStatus, OrderKind, OrderPhase, Subscription, SubscriptionStatus, UserRef,
};
use selfserve_api::{ErrorCode, List};
use selfserve_server::directory_import;
use selfserve_server::domain::billing::prorated_subtotal;
use selfserve_server::domain::directory::Directory;
use serde_json::{Value, json};
use support::app::{Reply, Spawn, spawn_app, spawn_app_with};

fn sub_path(sub: &Subscription, rest: &str) -> String {
    format!("/api/v1/subscriptions/{}{rest}", sub.id)
}

fn emails(sub: &Subscription) -> Vec<&str> {
    sub.assigned_users
        .iter()
        .map(|user| user.email.as_str())
        .collect()
}

#[tokio::test]
async fn another_purchaser_sees_none_of_it_and_admins_only_what_they_may() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(3).await;
    let invoice = sub
        .latest_invoice
        .as_ref()
        .expect("the first bill")
        .id
        .clone();
    let alex = app.as_user("alex@contoso.com").await;
    let lee = app.user_id("lee@contoso.com").await;
    let attempts: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (reqwest::Method::GET, sub_path(&sub, ""), None),
        (reqwest::Method::GET, sub_path(&sub, "/invoices"), None),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/assignments"),
            Some(json!({"user_ids": [lee]})),
        ),
        (
            reqwest::Method::DELETE,
            sub_path(&sub, &format!("/assignments/{lee}")),
            None,
        ),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/seats/quote"),
            Some(json!({"quantity": 5})),
        ),
        (
            reqwest::Method::POST,
            sub_path(&sub, "/seats"),
            Some(json!({"quantity": 5})),
        ),
        (
            reqwest::Method::PUT,
            sub_path(&sub, "/payment-method"),
            Some(json!({"payment_token": "tok_x"})),
        ),
        (reqwest::Method::POST, sub_path(&sub, "/cancel"), None),
        (reqwest::Method::POST, sub_path(&sub, "/reactivate"), None),
        (
            reqwest::Method::GET,
            format!("/api/v1/invoices/{invoice}"),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/invoices/{invoice}/pdf"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/invoices/{invoice}/pay"),
            Some(json!({})),
        ),
    ];
    for (method, path, body) in attempts {
        alex.send(method, &path, body.as_ref(), Some("k"))
            .await
            .error(404, ErrorCode::NotFound);
    }

    // A global admin of Contoso may assign licences but not spend Megan's money.
    let admin = app.as_user("admin@contoso.com").await;
    let _: Subscription = admin
        .post_as(&sub_path(&sub, "/assignments"), &json!({"user_ids": [lee]}))
        .await;
    let reply = admin
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "admin-seats",
            &json!({"quantity": 9}),
        )
        .await;
    assert_eq!(
        reply.status, 404,
        "changing seats is the purchaser's: {reply:?}"
    );

    // An admin of another organisation sees nothing.
    let other = app.as_user("admin@fabrikam.nl").await;
    let reply = other
        .post(&sub_path(&sub, "/assignments"), &json!({"user_ids": [lee]}))
        .await;
    assert_eq!(reply.status, 404, "{reply:?}");
}

#[tokio::test]
async fn colleagues_are_found_by_name_or_email_within_the_organisation_only() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let search = |query: &'static str| megan.get_as::<List<UserRef>>(query);
    let found = search("/api/v1/directory/users?q=ale").await;
    assert_eq!(found.data[0].email, "alex@contoso.com");
    let by_surname = search("/api/v1/directory/users?q=WIL").await;
    let names: Vec<&str> = by_surname.data.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Alex Wilber", "Nestor Wilke"]);
    let by_email = search("/api/v1/directory/users?q=patti%40contoso").await;
    assert_eq!(by_email.data[0].name, "Patti Fernandez");
    let nobody = search("/api/v1/directory/users?q=sanne").await;
    assert!(nobody.data.is_empty(), "Fabrikam's users are not Contoso's");
    let disabled = search("/api/v1/directory/users?q=former").await;
    assert!(disabled.data.is_empty(), "disabled users can't be chosen");
    let limited = search("/api/v1/directory/users?q=&limit=2").await;
    assert!(limited.data.is_empty(), "an empty query finds nobody");
    let two = search("/api/v1/directory/users?q=a&limit=1").await;
    assert_eq!(two.data.len(), 1);
    assert!(two.has_more);
    megan
        .get("/api/v1/directory/users?q=a&limit=101")
        .await
        .error(400, ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn assignment_is_all_or_nothing() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(3).await;
    let alex = app.user_id("alex@contoso.com").await;
    let sanne = app.user_id("sanne@fabrikam.nl").await;

    // Someone from another organisation: nobody is assigned.
    megan
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"user_ids": [alex, sanne]}),
        )
        .await
        .error(404, ErrorCode::UserNotFound);
    let unchanged: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(emails(&unchanged), ["megan@contoso.com"]);

    // By id and by pasted email together.
    let assigned: Subscription = megan
        .post_as(
            &sub_path(&sub, "/assignments"),
            &json!({"user_ids": [alex], "emails": [" Lee@Contoso.com "]}),
        )
        .await;
    assert_eq!(emails(&assigned).len(), 3);

    // Assigning someone who already has a seat changes nothing.
    let again: Subscription = megan
        .post_as(
            &sub_path(&sub, "/assignments"),
            &json!({"user_ids": [alex]}),
        )
        .await;
    assert_eq!(emails(&again).len(), 3);

    // Full: two more people do not fit, so neither is assigned.
    let error = megan
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["diego@contoso.com", "patti@contoso.com"]}),
        )
        .await
        .error(409, ErrorCode::NoSeatsAvailable);
    assert!(error.message.contains("Buy more"), "{error:?}");

    let freed: Subscription = megan
        .delete_as(&sub_path(&sub, &format!("/assignments/{alex}")))
        .await;
    assert_eq!(emails(&freed).len(), 2);
    megan
        .delete(&sub_path(&sub, &format!("/assignments/{alex}")))
        .await
        .error(404, ErrorCode::UserNotFound);
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

    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(10).await;
    let path = sub_path(&sub, "/assignments");
    let mut ids = Vec::new();
    for i in 0..200 {
        ids.push(app.user_id(&format!("person{i}@contoso.com")).await);
    }
    let bodies: Vec<Value> = ids.iter().map(|id| json!({"user_ids": [id]})).collect();
    let requests = bodies.iter().map(|body| megan.post(&path, body));
    let results: Vec<Reply> = futures_util::future::join_all(requests).await;
    let ok = results.iter().filter(|reply| reply.status == 200).count();
    let full = results
        .iter()
        .filter(|reply| reply.is_error(409, ErrorCode::NoSeatsAvailable))
        .count();
    assert_eq!(ok, 9, "nine free seats (Megan holds the tenth)");
    assert_eq!(full, 191);
    let sub: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(sub.assigned_users.len(), 10);
    assert_eq!(sub.quantity, 10);
}

#[tokio::test]
async fn more_seats_are_charged_prorated_now_and_fewer_apply_at_renewal() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let start = sub.current_period_start;
    let end = sub.current_period_end;
    app.advance_days(10).await;
    let now = start + 10 * 86_400;

    let quote: SeatChangeQuote = megan
        .post_as(&sub_path(&sub, "/seats/quote"), &json!({"quantity": 5}))
        .await;
    // The server's clock moved exactly 10 days (plus the seconds the test took).
    let expected = prorated_subtotal(1400, 3, now, start, end);
    let got = quote.subtotal;
    assert!((got - expected).abs() <= 1, "{got} vs {expected}");
    assert_eq!(quote.effective, Effective::Now);
    assert_eq!(quote.next_renewal_total, 7000);

    let more: Subscription = megan
        .post_with_key_as(
            &sub_path(&sub, "/seats"),
            "more-seats",
            &json!({"quantity": 5}),
        )
        .await;
    assert_eq!(more.quantity, 5);
    let invoice = more.latest_invoice.as_ref().expect("the increase's bill");
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    assert_eq!(invoice.total, quote.total, "charged what was quoted");
    assert_eq!(more.orders[0].kind, OrderKind::SeatIncrease);
    assert_eq!(more.orders[0].quantity, 3);
    // The same key replays; it does not buy three more again.
    let replay: Subscription = megan
        .post_with_key_as(
            &sub_path(&sub, "/seats"),
            "more-seats",
            &json!({"quantity": 5}),
        )
        .await;
    assert_eq!(replay.quantity, 5);

    // Fewer seats: scheduled for the renewal, never below the seats assigned.
    let fewer: Subscription = megan
        .post_with_key_as(&sub_path(&sub, "/seats"), "fewer", &json!({"quantity": 3}))
        .await;
    assert_eq!(fewer.quantity, 5, "nothing changes before the renewal");
    assert_eq!(fewer.pending_quantity, Some(3));
    let _: Subscription = megan
        .post_as(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["alex@contoso.com", "lee@contoso.com"]}),
        )
        .await;
    megan
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "too-few",
            &json!({"quantity": 2}),
        )
        .await
        .error(409, ErrorCode::Conflict);
    megan
        .post_with_key(&sub_path(&sub, "/seats"), "zero", &json!({"quantity": 0}))
        .await
        .error(400, ErrorCode::InvalidQuantity);

    app.advance_days(25).await;
    let renewed: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(renewed.quantity, 3, "the decrease applied at renewal");
    assert_eq!(
        renewed.latest_invoice.expect("the renewal's bill").total,
        4200
    );
}

#[tokio::test]
async fn renewals_charge_the_card_and_a_failing_card_goes_past_due_until_paid() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let first_end = sub.current_period_end;

    let report = app.advance_days(31).await;
    assert_eq!(report.billing.renewed, 1, "{report:?}");
    let renewed: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(renewed.status, SubscriptionStatus::Active);
    assert_eq!(renewed.current_period_start, first_end);
    assert!(renewed.current_period_end > first_end);
    let bills: List<Invoice> = megan.get_as(&sub_path(&sub, "/invoices")).await;
    assert_eq!(bills.data.len(), 2);
    assert_eq!(bills.data[0].status, InvoiceStatus::Paid);
    assert_eq!(bills.data[0].total, 2800);

    // A card that saves but never charges.
    let failing = megan.token("4000000000000341").await;
    let switched: Subscription = megan
        .put_as(
            &sub_path(&sub, "/payment-method"),
            &json!({"payment_token": failing}),
        )
        .await;
    assert_eq!(switched.payment_method.expect("the new card").last4, "0341");

    let report = app.advance_days(31).await;
    assert_eq!(report.billing.failed, 1, "{report:?}");
    let overdue: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(overdue.status, SubscriptionStatus::PastDue);
    let unpaid = overdue.latest_invoice.expect("the failed renewal's bill");
    assert_eq!(unpaid.status, InvoiceStatus::PastDue);
    let pay_path = format!("/api/v1/invoices/{}/pay", unpaid.id);

    // Paying with the failing card on file is declined; a good new card pays and stays.
    megan
        .post(&pay_path, &json!({}))
        .await
        .error(402, ErrorCode::CardDeclined);
    let good = megan.token("4242424242424242").await;
    let paid: Invoice = megan
        .post_as(&pay_path, &json!({"payment_token": good}))
        .await;
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(paid.card.expect("the card charged").last4, "4242");
    let restored: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(restored.status, SubscriptionStatus::Active);
    assert_eq!(
        restored.payment_method.expect("the card on file").last4,
        "4242"
    );
    megan
        .post(&pay_path, &json!({}))
        .await
        .error(409, ErrorCode::Conflict);
}

#[tokio::test]
async fn unpaid_past_the_grace_period_is_suspended_with_licences_kept_until_paid() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let _: Subscription = megan
        .post_as(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["alex@contoso.com"]}),
        )
        .await;
    let failing = megan.token("4000000000000341").await;
    let _: Subscription = megan
        .put_as(
            &sub_path(&sub, "/payment-method"),
            &json!({"payment_token": failing}),
        )
        .await;
    app.advance_days(31).await;
    let overdue: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(overdue.status, SubscriptionStatus::PastDue);
    // Still within the grace period: usable, licences can even be given.
    app.advance_days(10).await;
    let still: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(still.status, SubscriptionStatus::PastDue);

    app.advance_days(20).await;
    let suspended: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(suspended.status, SubscriptionStatus::Suspended);
    assert_eq!(
        emails(&suspended).len(),
        2,
        "licences are kept while suspended"
    );
    megan
        .post(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["lee@contoso.com"]}),
        )
        .await
        .error(409, ErrorCode::Conflict);

    let bills: List<Invoice> = megan.get_as(&sub_path(&sub, "/invoices")).await;
    let good = megan.token("4242424242424242").await;
    let mut first = true;
    for bill in bills
        .data
        .iter()
        .filter(|bill| bill.status != InvoiceStatus::Paid)
    {
        // The first payment brings a new card; the others use it, now on file.
        let payment = if first {
            json!({"payment_token": good})
        } else {
            json!({})
        };
        first = false;
        let _: Invoice = megan
            .post_as(&format!("/api/v1/invoices/{}/pay", bill.id), &payment)
            .await;
    }
    let active: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(active.status, SubscriptionStatus::Active);
    assert_eq!(emails(&active).len(), 2);
}

#[tokio::test]
async fn cancelling_lasts_until_the_period_ends_can_be_undone_and_then_releases_licences() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(3).await;
    let _: Subscription = megan
        .post_as(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["alex@contoso.com"]}),
        )
        .await;
    let canceled: Subscription = megan.post_as(&sub_path(&sub, "/cancel"), &json!({})).await;
    assert!(canceled.cancel_at_period_end);
    assert_eq!(
        canceled.status,
        SubscriptionStatus::Active,
        "usable until the period ends"
    );
    megan
        .post(&sub_path(&sub, "/cancel"), &json!({}))
        .await
        .error(409, ErrorCode::Conflict);
    let undone: Subscription = megan
        .post_as(&sub_path(&sub, "/reactivate"), &json!({}))
        .await;
    assert_eq!(undone.status, SubscriptionStatus::Active);
    assert!(!undone.cancel_at_period_end);
    let _: Subscription = megan.post_as(&sub_path(&sub, "/cancel"), &json!({})).await;
    megan
        .post_with_key(&sub_path(&sub, "/seats"), "ending", &json!({"quantity": 5}))
        .await
        .error(409, ErrorCode::Conflict);

    app.advance_days(10).await;
    let usable: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(emails(&usable).len(), 2, "usable until the period ends");
    let report = app.advance_days(25).await;
    assert_eq!(report.billing.expired, 1, "{report:?}");
    let ended: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(ended.status, SubscriptionStatus::Canceled);
    assert!(ended.assigned_users.is_empty(), "licences released");
    let bills: List<Invoice> = megan.get_as(&sub_path(&sub, "/invoices")).await;
    assert_eq!(bills.data.len(), 1, "nothing charged after cancelling");
    megan
        .post(&sub_path(&sub, "/reactivate"), &json!({}))
        .await
        .error(409, ErrorCode::Conflict);
}

#[tokio::test]
async fn a_purchaser_who_leaves_keeps_the_subscription_running_for_its_users() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let _: Subscription = megan
        .post_as(
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
    let reply = megan.get("/api/v1/session").await;
    assert_eq!(reply.status, 401, "she can no longer sign in: {reply:?}");

    app.advance_days(31).await;
    let admin = app.as_user("admin@contoso.com").await;
    let seen: Subscription = admin.get_as(&sub_path(&sub, "")).await;
    assert_eq!(
        seen.status,
        SubscriptionStatus::Active,
        "renewed on the card on file"
    );
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
    app.post("/api/v1/test-clock/advance", &json!({"days": 1}))
        .await
        .error(404, ErrorCode::NotFound);
    let clocked = spawn_app().await;
    clocked
        .post("/api/v1/test-clock/advance", &json!({"days": 0}))
        .await
        .error(400, ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn two_payments_of_one_bill_at_once_charge_it_once() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let failing = megan.token("4000000000000341").await;
    let _: Subscription = megan
        .put_as(
            &sub_path(&sub, "/payment-method"),
            &json!({"payment_token": failing}),
        )
        .await;
    app.advance_days(31).await;
    let good = megan.token("4242424242424242").await;
    let _: Subscription = megan
        .put_as(
            &sub_path(&sub, "/payment-method"),
            &json!({"payment_token": good}),
        )
        .await;
    let overdue: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    let pay = format!(
        "/api/v1/invoices/{}/pay",
        overdue.latest_invoice.expect("the unpaid bill").id
    );
    // The bill list's "Pay" and the banner's "Pay now", clicked together (no keys).
    let empty = json!({});
    for round in 0..3 {
        let results =
            futures_util::future::join_all((0..4).map(|_| megan.post(&pay, &empty))).await;
        let paid = results.iter().filter(|reply| reply.status == 200).count();
        let refused = results
            .iter()
            .filter(|reply| reply.is_error(409, ErrorCode::Conflict))
            .count();
        if round == 0 {
            assert_eq!(paid, 1, "{results:?}");
            assert_eq!(refused, 3, "{results:?}");
        } else {
            assert_eq!(paid, 0, "already paid: {results:?}");
        }
    }
    let after: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    let payments = after
        .orders
        .iter()
        .filter(|o| o.kind == OrderKind::InvoicePayment && o.status == OrderPhase::Paid)
        .count();
    assert_eq!(payments, 1, "charged once: {:?}", after.orders);
    assert_eq!(after.status, SubscriptionStatus::Active);
}

#[tokio::test]
async fn two_seat_increases_from_the_same_count_charge_once() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(10).await;
    let path = sub_path(&sub, "/seats");
    let body = json!({"quantity": 12});
    let results = futures_util::future::join_all(
        ["tab-1", "tab-2"].map(|key| megan.post_with_key(&path, key, &body)),
    )
    .await;
    // The request names a total, so which tab wins the race is the scheduler's choice: the
    // loser either overlaps the winner (409, nothing charged) or arrives after it and finds
    // 12 already there (200, nothing charged). Never a second charge, never 14.
    for reply in &results {
        let refused = reply.is_error(409, ErrorCode::Conflict);
        let at_twelve =
            reply.status == 200 && reply.decode::<Subscription>("a seat change").quantity == 12;
        assert!(refused || at_twelve, "{reply:?}");
    }
    assert!(
        results.iter().any(|reply| reply.status == 200),
        "{results:?}"
    );
    let after: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(after.quantity, 12, "not 14");
    let increases = after
        .orders
        .iter()
        .filter(|o| o.kind == OrderKind::SeatIncrease)
        .count();
    assert_eq!(increases, 1);
}

#[tokio::test]
async fn a_renewal_waits_for_a_seat_increase_in_flight_and_a_stale_increase_is_refused() {
    use selfserve_server::services::{billing, payments, seats};
    use selfserve_server::store::orders::PaymentSource;
    let app = spawn_app().await;
    let sub = app.as_user("megan@contoso.com").await.buy(10).await;
    let id = sub.id.as_str();
    let services = &app.server.services;
    let store = &services.store;
    let before = store.subscription_row(id).await.unwrap().unwrap();
    let now = before.current_period_start + 86_400;
    let megan = app.user_id("megan@contoso.com").await;
    let card = |token: &str| PaymentSource::NewCard(token.into());
    let increase = seats::seat_increase_order(&before, 2, card("tok_stalled"), now);
    assert!(
        store
            .insert_seat_increase(&increase, 10, (&megan, "stalled"), None)
            .await
            .unwrap()
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
            .insert_seat_increase(&free, 10, (&megan, "free"), None)
            .await
            .unwrap()
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
            .insert_seat_increase(&stale, 10, (&megan, "stale"), None)
            .await
            .unwrap()
            .unwrap()
    );
}

#[tokio::test]
async fn clients_pay_with_new_card_tokens_only_never_a_saved_card_id() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let error = megan
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "by-id",
            &json!({"quantity": 3, "payment_token": "pm_guessed"}),
        )
        .await
        .error(400, ErrorCode::InvalidToken);
    assert_eq!(error.field.as_deref(), Some("payment_token"));
}

#[tokio::test]
async fn the_purchasers_list_comes_in_pages_that_see_each_subscription_once() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let mut bought = Vec::new();
    for quantity in 1..=3 {
        bought.push(megan.buy(quantity).await.id);
    }

    let first: List<Subscription> = megan.get_as("/api/v1/subscriptions?limit=2").await;
    assert_eq!(first.data.len(), 2);
    assert!(first.has_more);
    let after = &first.data[1].id;
    let second: List<Subscription> = megan
        .get_as(&format!(
            "/api/v1/subscriptions?limit=2&starting_after={after}"
        ))
        .await;
    assert_eq!(second.data.len(), 1);
    assert!(!second.has_more);

    let mut seen: Vec<String> = first
        .data
        .iter()
        .chain(&second.data)
        .map(|s| s.id.clone())
        .collect();
    seen.sort();
    bought.sort();
    assert_eq!(seen, bought);

    megan
        .get("/api/v1/subscriptions?limit=0")
        .await
        .error(400, ErrorCode::InvalidRequest);
    megan
        .get("/api/v1/subscriptions?starting_after=sub_unknown")
        .await
        .error(404, ErrorCode::NotFound);
}
