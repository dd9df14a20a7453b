//! A take-over tells the purchaser, through the real SMTP server, what becomes of their
//! subscription: ended at the period's end, or ended now with the refund's amount; and it is
//! one audit entry.

use super::support::app::{Spawn, spawn_app_with};
use super::support::real_servers::smtp::SmtpSink;
use super::{buy, parse, wait_for_subject};
use selfserve_api::admin::{AuditAction, AuditEntry, TakeOverResult};
use selfserve_api::list::List;
use selfserve_api::subscription::Subscription;
use serde_json::json;
use std::time::Duration;

fn dollars(minor: i64) -> String {
    format!("${}.{:02}", minor / 100, minor % 100)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_take_over_tells_the_purchaser_what_happens_to_the_subscription() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let first = buy(&megan, 2).await;
    let second = buy(&megan, 3).await;
    // Two receipts and two notices to each of the two admins.
    smtp.wait_for_messages(6, Duration::from_secs(30)).await;
    let admin = app.as_user("admin@contoso.com").await;
    let _: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 10, "unit_amount": 1000}),
        )
        .await;
    let audit_before: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?limit=100").await;

    let _: TakeOverResult = admin
        .post(
            &format!("/api/v1/admin/subscriptions/{}/take-over", first.id),
            &json!({"cancel": "at_period_end"}),
        )
        .await
        .expect_as(200, "the take-over at the period's end");
    let audit_after: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?limit=100").await;
    assert_eq!(
        audit_after.data.len(),
        audit_before.data.len() + 1,
        "one action, one audit entry"
    );
    assert_eq!(audit_after.data[0].action, AuditAction::TakeOver);

    let subject = "Your Power BI Pro users now have central licences";
    wait_for_subject(&smtp, subject).await;
    let now: TakeOverResult = admin
        .post(
            &format!("/api/v1/admin/subscriptions/{}/take-over", second.id),
            &json!({"cancel": "now_with_refund"}),
        )
        .await
        .expect_as(200, "the take-over now");
    let refunded = now.refunded.expect("a refund");
    assert!(refunded > 0);
    let messages = smtp.wait_for_messages(8, Duration::from_secs(30)).await;
    let mails: Vec<_> = messages[6..].iter().map(|raw| parse(raw)).collect();
    assert!(mails.iter().all(|m| m.to == "megan@contoso.com"));
    assert!(mails.iter().all(|m| m.subject == subject));
    let (at_end, ended) = if mails[0].decoded.contains(&first.id) {
        (&mails[0], &mails[1])
    } else {
        (&mails[1], &mails[0])
    };
    assert!(
        at_end
            .decoded
            .contains("Ada Admin of Contoso moved the people"),
        "{}",
        at_end.decoded
    );
    assert!(
        at_end
            .decoded
            .contains("Your subscription is cancelled: it ends on"),
        "{}",
        at_end.decoded
    );
    assert!(
        ended.decoded.contains(&format!(
            "Your subscription has ended now, and {} for the unused part",
            dollars(refunded)
        )),
        "{}",
        ended.decoded
    );
    assert!(
        ended
            .decoded
            .contains(&format!("{}/manage/{}", app.base, second.id))
    );
    let take_overs: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=take_over").await;
    assert_eq!(take_overs.data.len(), 2, "one entry per take-over");
}
