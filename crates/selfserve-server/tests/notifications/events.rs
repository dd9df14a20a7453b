//! The events mailed since the outbox's first steps, each to the right people with one key
//! fact, and nobody else (counted at the SMTP server once the outbox is all sent): a renewal's
//! receipt, a seat increase's receipt and a scheduled decrease's confirmation, a cancellation
//! and its undoing, a licence taken back, and a policy change told to the other global admins
//! as they chose (each, daily digest, none).

use super::support::app::{Spawn, TestApp, spawn_app_with};
use super::support::real_servers::smtp::SmtpSink;
use super::{Mail, buy, parse, wait_for_outbox, wait_for_subject};
use selfserve_api::admin::NoticePreferences;
use selfserve_api::subscription::Subscription;
use serde_json::json;

fn dollars(minor: i64) -> String {
    format!("${}.{:02}", minor / 100, minor % 100)
}

fn us_date(unix: i64) -> String {
    selfserve_server::notifications::format::date(
        unix,
        Some("US"),
        selfserve_server::http::language::Language::English,
    )
}

async fn app_with(smtp: &SmtpSink) -> TestApp {
    spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await
}

/// Every mail delivered once the outbox holds `count` rows, all sent; the SMTP server got
/// exactly those.
async fn all_sent(app: &TestApp, smtp: &SmtpSink, count: usize) -> Vec<Mail> {
    wait_for_outbox(&app.database_url, "all sent", |rows| {
        rows.len() == count && rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    let mails: Vec<Mail> = smtp.messages().iter().map(|raw| parse(raw)).collect();
    assert_eq!(
        mails.len(),
        count,
        "{:?}",
        mails
            .iter()
            .map(|m| (&m.to, &m.subject))
            .collect::<Vec<_>>()
    );
    mails
}

fn sub_path(sub: &Subscription, rest: &str) -> String {
    format!("/api/v1/subscriptions/{}{rest}", sub.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_mails_the_purchaser_a_receipt_with_the_charge_and_its_invoice() {
    let smtp = SmtpSink::start();
    let app = app_with(&smtp).await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = buy(&megan, 3).await;
    smtp.wait_for_messages(3, std::time::Duration::from_secs(30))
        .await;
    // Past the period's end in one step: renewed and charged, no reminder of a past date.
    let moved = app.advance_days(32).await;
    assert_eq!(moved.billing.renewed, 1, "{:?}", moved.billing);
    let renewed: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    let bill = renewed.latest_invoice.as_ref().expect("the renewal's bill");
    assert_ne!(
        Some(bill.id.as_str()),
        sub.latest_invoice.as_ref().map(|b| b.id.as_str())
    );
    let subject = "Your receipt: Power BI Pro renewed, 3 seats";
    let mails = wait_for_subject(&smtp, subject).await;
    let receipt = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(receipt.to, "megan@contoso.com");
    assert!(
        receipt
            .decoded
            .contains(&format!("Total paid: {}", dollars(bill.total))),
        "{}",
        receipt.decoded
    );
    assert!(
        receipt
            .decoded
            .contains(&us_date(renewed.current_period_end))
    );
    assert!(
        receipt
            .decoded
            .contains(&format!("<a href=\"{}/invoices/{}\">", app.base, bill.id)),
        "{}",
        receipt.decoded
    );
    let mails = all_sent(&app, &smtp, 4).await;
    let later: Vec<(&str, &str)> = mails[3..]
        .iter()
        .map(|m| (m.to.as_str(), m.subject.as_str()))
        .collect();
    assert!(
        later.iter().all(|(to, _)| *to == "megan@contoso.com"),
        "the purchaser only: {later:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_increase_mails_a_receipt_and_a_decrease_a_confirmation_with_the_date() {
    let smtp = SmtpSink::start();
    let app = app_with(&smtp).await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = buy(&megan, 2).await;
    app.advance_days(10).await;
    let more: Subscription = megan
        .post_with_key_as(
            &sub_path(&sub, "/seats"),
            "more-seats",
            &json!({"quantity": 5}),
        )
        .await;
    let bill = more.latest_invoice.as_ref().expect("the prorated bill");
    let first = sub.latest_invoice.as_ref().expect("the first bill").total;
    // Three seats for the rest of the period cost less than three for all of it.
    assert!(
        bill.total > 0 && bill.total < first * 3 / 2,
        "prorated: {} vs {first} for two",
        bill.total
    );
    let subject = "Your receipt: Power BI Pro, now 5 seats";
    let mails = wait_for_subject(&smtp, subject).await;
    let receipt = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(receipt.to, "megan@contoso.com");
    assert!(
        receipt
            .decoded
            .contains(&format!("Total paid: {}", dollars(bill.total))),
        "{}",
        receipt.decoded
    );
    assert!(receipt.decoded.contains("(it had 2 seats)"));
    assert!(
        receipt
            .decoded
            .contains(&format!("{}/invoices/{}", app.base, bill.id))
    );

    let fewer: Subscription = megan
        .post_with_key_as(
            &sub_path(&sub, "/seats"),
            "fewer-seats",
            &json!({"quantity": 3}),
        )
        .await;
    let subject = format!(
        "Power BI Pro: 3 seats from {}",
        us_date(fewer.current_period_end)
    );
    let mails = wait_for_subject(&smtp, &subject).await;
    let confirmation = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(confirmation.to, "megan@contoso.com");
    assert!(confirmation.decoded.contains("from 5 seats to 3 seats"));
    // Back to the seats she has: the scheduled decrease is dropped, nothing to confirm.
    let _: Subscription = megan
        .post_with_key_as(
            &sub_path(&sub, "/seats"),
            "same-seats",
            &json!({"quantity": 5}),
        )
        .await;
    all_sent(&app, &smtp, 5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_and_undoing_it_confirm_to_the_purchaser_only() {
    let smtp = SmtpSink::start();
    let app = app_with(&smtp).await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = buy(&megan, 1).await;
    let ends = us_date(sub.current_period_end);
    let _: Subscription = megan.post_as(&sub_path(&sub, "/cancel"), &json!({})).await;
    let subject = format!("Power BI Pro is cancelled: it ends on {ends}");
    let mails = wait_for_subject(&smtp, &subject).await;
    let cancelled = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(cancelled.to, "megan@contoso.com");
    assert!(
        cancelled.decoded.contains(&format!(
            "undo the cancellation in your subscription until {ends}"
        )),
        "{}",
        cancelled.decoded
    );
    let _: Subscription = megan
        .post_as(&sub_path(&sub, "/reactivate"), &json!({}))
        .await;
    let mails = wait_for_subject(&smtp, "Power BI Pro continues").await;
    let undone = mails
        .iter()
        .find(|m| m.subject == "Power BI Pro continues")
        .unwrap();
    assert_eq!(undone.to, "megan@contoso.com");
    assert!(undone.decoded.contains(&format!("renews on {ends}")));
    all_sent(&app, &smtp, 5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_licence_taken_back_tells_that_colleague_and_nobody_else() {
    let smtp = SmtpSink::start();
    let app = app_with(&smtp).await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = buy(&megan, 2).await;
    let _: Subscription = megan
        .post_as(
            &sub_path(&sub, "/assignments"),
            &json!({"emails": ["alex@contoso.com", "megan@contoso.com"]}),
        )
        .await;
    wait_for_subject(&smtp, "You can now use Power BI Pro").await;
    let alex = app.user_id("alex@contoso.com").await;
    let _: Subscription = megan
        .delete_as(&sub_path(&sub, &format!("/assignments/{alex}")))
        .await;
    // Her own licence: she knows, nobody is told.
    let _: Subscription = megan
        .delete_as(&sub_path(&sub, &format!("/assignments/{}", megan.me.id)))
        .await;
    let subject = "You can no longer use Power BI Pro";
    let mails = wait_for_subject(&smtp, subject).await;
    let removed = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(removed.to, "alex@contoso.com");
    assert!(
        removed.decoded.contains("from Megan Bowen's subscription"),
        "{}",
        removed.decoded
    );
    assert!(removed.decoded.contains("ask your IT admin"));
    all_sent(&app, &smtp, 5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_change_tells_the_other_global_admins_as_they_chose() {
    let smtp = SmtpSink::start();
    let app = app_with(&smtp).await;
    let admin = app.as_user("admin@contoso.com").await;
    let contoso = app
        .server
        .store
        .user_by_email("admin@contoso.com")
        .await
        .unwrap()
        .unwrap()
        .organization_id;

    // The operator turns Power BI Pro off: Contoso's global admin is told, its billing admin
    // (who may not change policies) is not.
    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    let subject = "Self-service policy changed: Power BI Pro by CLI";
    let mails = wait_for_subject(&smtp, subject).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "admin@contoso.com");
    assert!(
        mails[0]
            .decoded
            .contains("Self-service purchase: off (was: on (people may buy and start trials))"),
        "{}",
        mails[0].decoded
    );
    let raw = smtp.messages().remove(0);
    assert!(raw.contains("List-Unsubscribe:"), "an admin notice");

    // The admin's own change (a guardrail): nobody else to tell.
    let _: serde_json::Value = admin
        .put_as(
            "/api/v1/admin/policies/power-bi-pro",
            &json!({"value": "enabled", "max_seats": 10}),
        )
        .await;

    // On `daily` the next change waits for the digest; on `none` nothing comes.
    let _: NoticePreferences = admin
        .put_as(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "daily"}),
        )
        .await;
    app.set_policy(
        &contoso,
        "power-apps-per-user",
        "only_trials_without_payment_method",
    )
    .await;
    all_sent(&app, &smtp, 1).await;
    let moved = app.advance_days(1).await;
    assert_eq!(moved.billing.digests, 1, "{:?}", moved.billing);
    let mails = all_sent(&app, &smtp, 2).await;
    assert_eq!(mails[1].to, "admin@contoso.com");
    assert!(
        mails[1]
            .decoded
            .contains("Self-service policy changed: Power Apps per user by CLI"),
        "{}",
        mails[1].decoded
    );
    let _: NoticePreferences = admin
        .put_as(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "none"}),
        )
        .await;
    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    assert_eq!(app.advance_days(1).await.billing.digests, 0);
    all_sent(&app, &smtp, 2).await;
    assert!(
        mails.iter().all(|m| m.to != "billing@contoso.com"),
        "billing admins are not told of policies"
    );
}
