//! The billing job's mails, moved by the test clock: a renewal in 7 days and a trial ending in
//! 3 days remind the purchaser once per period, however many runs see them due; a renewal the
//! card cannot pay tells the purchaser it is past due, and the suspension after the grace
//! period tells them again, each with the link to pay.

use super::support::app::{Spawn, spawn_app_with};
use super::support::real_servers::smtp::SmtpSink;
use super::{buy, wait_for_outbox, wait_for_subject};
use selfserve_api::subscription::{Subscription, SubscriptionStatus};
use serde_json::json;
use std::time::Duration;

const DAY: i64 = 86_400;

fn dollars(minor: i64) -> String {
    format!("${}.{:02}", minor / 100, minor % 100)
}

/// A date as the mails write it for a US organisation (Contoso).
fn us_date(unix: i64) -> String {
    selfserve_server::notifications::format::date(
        unix,
        Some("US"),
        selfserve_server::http::language::Language::English,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_in_seven_days_reminds_the_purchaser_once_with_the_amount() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = buy(&megan, 3).await;
    let total = sub.latest_invoice.as_ref().expect("the first bill").total;
    smtp.wait_for_messages(3, Duration::from_secs(30)).await;

    let first = app.advance_days(1).await;
    assert_eq!(
        first.billing.reminded, 0,
        "more than 7 days before: nothing"
    );
    // Into the last 7 days: between 6 and 7 days left.
    let days = (sub.current_period_end - first.now) / DAY - 6;
    let reminded = app.advance_days(days).await;
    assert!(sub.current_period_end - reminded.now <= 7 * DAY);
    assert_eq!(reminded.billing.reminded, 1, "{:?}", reminded.billing);
    let subject = format!("Power BI Pro renews on {}", us_date(sub.current_period_end));
    let mails = wait_for_subject(&smtp, &subject).await;
    let reminder = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(reminder.to, "megan@contoso.com");
    assert!(
        reminder
            .decoded
            .contains(&format!("Amount to be charged: {}", dollars(total))),
        "{}",
        reminder.decoded
    );
    assert!(
        reminder.decoded.contains("Seats: 3"),
        "{}",
        reminder.decoded
    );
    assert!(
        reminder
            .decoded
            .contains(&format!("{}/manage/{}", app.base, sub.id))
    );

    // Later runs in the same window, and the renewal itself, remind nobody again.
    let again = app.advance_days(1).await;
    assert_eq!(again.billing.reminded, 0);
    let renewed = app.advance_days(7).await;
    assert_eq!(renewed.billing.renewed, 1, "{:?}", renewed.billing);
    assert_eq!(renewed.billing.reminded, 0);
    wait_for_outbox(&app.database_url, "all sent", |rows| {
        rows.len() == 5 && rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    assert_eq!(
        smtp.messages().len(),
        5,
        "one reminder and the renewal's receipt, nothing else"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trial_ending_in_three_days_tells_its_purchaser_once() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let trial: Subscription = megan
        .create_as(
            "/api/v1/trials",
            &json!({"product": "power-apps-per-user", "quantity": 2}),
        )
        .await;
    smtp.wait_for_messages(2, Duration::from_secs(30)).await;
    assert_eq!(
        app.advance_days(26).await.billing.reminded,
        0,
        "4 days left"
    );
    let reminded = app.advance_days(1).await;
    assert_eq!(reminded.billing.reminded, 1, "{:?}", reminded.billing);
    let subject = format!(
        "Your Power Apps per user trial ends on {}",
        us_date(trial.current_period_end)
    );
    let mails = wait_for_subject(&smtp, &subject).await;
    let ending = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(ending.to, "megan@contoso.com");
    assert!(ending.decoded.contains("Buy it to keep using it"));
    assert!(
        ending
            .decoded
            .contains(&format!("{}/manage/{}", app.base, trial.id))
    );
    assert_eq!(app.advance_days(1).await.billing.reminded, 0);
    let ended = app.advance_days(3).await;
    assert_eq!(ended.billing.expired, 1);
    wait_for_outbox(&app.database_url, "all sent", |rows| {
        rows.len() == 3 && rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    assert_eq!(smtp.messages().len(), 3, "one trial reminder, nothing else");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_that_fails_renewals_mails_past_due_then_suspended_with_the_link_to_pay() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = buy(&megan, 2).await;
    let path = format!("/api/v1/subscriptions/{}", sub.id);
    let failing = megan.token("4000000000000341").await;
    let _: Subscription = megan
        .put_as(
            &format!("{path}/payment-method"),
            &json!({"payment_token": failing}),
        )
        .await;
    let report = app.advance_days(31).await;
    assert_eq!(report.billing.failed, 1, "{:?}", report.billing);
    let mails = wait_for_subject(&smtp, "Payment failed: Power BI Pro").await;
    let failed: Vec<_> = mails
        .iter()
        .filter(|m| m.subject == "Payment failed: Power BI Pro")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].to, "megan@contoso.com");
    assert!(
        failed[0].decoded.contains("past due"),
        "{}",
        failed[0].decoded
    );
    let pay_link = format!("Pay the bill: {}/manage/{}", app.base, sub.id);
    assert!(
        failed[0].decoded.contains(&pay_link),
        "{}",
        failed[0].decoded
    );

    let report = app.advance_days(30).await;
    assert_eq!(report.billing.suspended, 1, "{:?}", report.billing);
    let suspended: Subscription = megan.get_as(&path).await;
    assert_eq!(suspended.status, SubscriptionStatus::Suspended);
    let mails = wait_for_subject(&smtp, "Suspended: Power BI Pro").await;
    let notice: Vec<_> = mails
        .iter()
        .filter(|m| m.subject == "Suspended: Power BI Pro")
        .collect();
    assert_eq!(notice.len(), 1);
    assert_eq!(notice[0].to, "megan@contoso.com");
    assert!(
        notice[0].decoded.contains(&pay_link),
        "{}",
        notice[0].decoded
    );
    // The admins' activity says it too.
    let admin = app.as_user("admin@contoso.com").await;
    let audit: serde_json::Value = admin.get_as("/api/v1/admin/audit?action=suspended").await;
    assert!(audit.to_string().contains("\"suspended\""), "{audit}");
}
