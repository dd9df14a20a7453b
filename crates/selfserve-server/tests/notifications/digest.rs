//! Admins choose how they get admin notices: `daily` admins get no mail per event and, once the
//! billing day ended, exactly one digest listing each of that day's notices (none on a day
//! without any; a planned digest is never planned again, however many planners race); `none`
//! gets nothing; the preference API is for admins only and takes only its three values.

use super::support::app::{Spawn, spawn_app_with};
use super::support::real_servers::smtp::SmtpSink;
use super::{buy, parse, wait_for_outbox, wait_for_subject};
use selfserve_api::admin::{NoticePreference, NoticePreferences};
use selfserve_api::error::ErrorCode;
use serde_json::json;

const DAY: i64 = 86_400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_admin_gets_one_digest_after_the_day_and_a_none_admin_nothing() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let admin = app.as_user("admin@contoso.com").await;
    let billing = app.as_user("billing@contoso.com").await;
    let chosen: NoticePreferences = admin
        .put_as(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "daily"}),
        )
        .await;
    assert_eq!(chosen.notices, NoticePreference::Daily);
    let _: NoticePreferences = billing
        .put_as(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "none"}),
        )
        .await;

    let megan = app.as_user("megan@contoso.com").await;
    let first = buy(&megan, 1).await;
    buy(&megan, 2).await;
    // The two receipts leave; no admin notice is planned for either admin.
    wait_for_outbox(&app.database_url, "two receipts sent", |rows| {
        rows.len() == 2 && rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    let to: Vec<String> = smtp.messages().iter().map(|raw| parse(raw).to).collect();
    assert_eq!(to, ["megan@contoso.com", "megan@contoso.com"]);

    // The day of the purchases ends: one digest, to the daily admin only.
    let moved = app.advance_days(1).await;
    assert_eq!(moved.billing.digests, 1, "{:?}", moved.billing);
    let day = selfserve_server::notifications::format::date(
        first.created.div_euclid(DAY) * DAY,
        Some("US"),
        selfserve_server::http::language::Language::English,
    );
    let subject = format!("Daily digest for {day}: 2 admin notices");
    let mails = wait_for_subject(&smtp, &subject).await;
    let digest = mails.iter().find(|m| m.subject == subject).unwrap();
    assert_eq!(digest.to, "admin@contoso.com");
    let line = "New self-service purchase: Power BI Pro by Megan Bowen";
    let text = digest
        .decoded
        .split("Content-Type: text/html")
        .next()
        .unwrap();
    assert_eq!(text.matches(line).count(), 2, "{}", digest.decoded);
    assert!(digest.decoded.contains(&format!("{}/admin", app.base)));
    let raw = smtp
        .messages()
        .into_iter()
        .find(|raw| parse(raw).subject == subject)
        .unwrap();
    assert!(
        raw.contains("List-Unsubscribe:"),
        "a digest can be left too"
    );

    // The next days: nothing happened, so no digest, and the first is not sent again.
    let quiet = app.advance_days(1).await;
    assert_eq!(quiet.billing.digests, 0);
    let quiet = app.advance_days(1).await;
    assert_eq!(quiet.billing.digests, 0);
    wait_for_outbox(&app.database_url, "three mails sent", |rows| {
        rows.len() == 3 && rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    assert_eq!(smtp.messages().len(), 3);

    // Back to `each`: the next purchase is mailed at once, as before.
    let _: NoticePreferences = admin
        .put_as(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "each"}),
        )
        .await;
    buy(&megan, 1).await;
    let mails = wait_for_subject(&smtp, line).await;
    assert_eq!(mails.last().unwrap().to, "admin@contoso.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_planners_plan_a_digest_once() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let admin = app.as_user("admin@contoso.com").await;
    let _: NoticePreferences = admin
        .put_as(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "daily"}),
        )
        .await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = buy(&megan, 1).await;
    let day = sub.created.div_euclid(DAY);
    let admin_id = app.user_id("admin@contoso.com").await;

    // Eight planners at once on the shared database (another server's billing run among them).
    let store = selfserve_server::store::Store::open(&app.database_url)
        .await
        .unwrap();
    let planners: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let admin_id = admin_id.clone();
            tokio::spawn(async move { store.plan_digest(&admin_id, day).await })
        })
        .collect();
    let mut planned = 0;
    for planner in planners {
        if planner.await.unwrap().unwrap() {
            planned += 1;
        }
    }
    assert_eq!(planned, 1);
    let moved = app.advance_days(1).await;
    assert_eq!(moved.billing.digests, 0, "already planned");
    // The receipt, the billing admin's notice (`each`) and the one digest.
    wait_for_outbox(
        &app.database_url,
        "receipt, notice and digest sent",
        |rows| rows.len() == 3 && rows.iter().all(|(status, _, _)| status == "sent"),
    )
    .await;
    let digests = smtp
        .messages()
        .iter()
        .filter(|raw| parse(raw).subject.starts_with("Daily digest for "))
        .count();
    assert_eq!(digests, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_choose_and_only_the_three_values() {
    let app = spawn_app_with(Spawn {
        demo: true,
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    megan
        .get("/api/v1/admin/notice-preferences")
        .await
        .error(403, ErrorCode::AdminRequired);
    megan
        .put(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "none"}),
        )
        .await
        .error(403, ErrorCode::AdminRequired);

    let billing = app.as_user("billing@contoso.com").await;
    let now: NoticePreferences = billing.get_as("/api/v1/admin/notice-preferences").await;
    assert_eq!(now.notices, NoticePreference::Each, "until one chooses");
    for bad in [
        json!({"notices": "weekly"}),
        json!({"notices": "Daily"}),
        json!({"notices": null}),
        json!({}),
        json!({"notices": "daily", "extra": 1}),
    ] {
        billing
            .put("/api/v1/admin/notice-preferences", &bad)
            .await
            .error(400, ErrorCode::InvalidRequest);
    }
    let still: NoticePreferences = billing.get_as("/api/v1/admin/notice-preferences").await;
    assert_eq!(still.notices, NoticePreference::Each);
    let _: NoticePreferences = billing
        .put_as(
            "/api/v1/admin/notice-preferences",
            &json!({"notices": "daily"}),
        )
        .await;
    let chosen: NoticePreferences = billing.get_as("/api/v1/admin/notice-preferences").await;
    assert_eq!(chosen.notices, NoticePreference::Daily);
}
