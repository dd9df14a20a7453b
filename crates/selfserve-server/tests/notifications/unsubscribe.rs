//! An admin notice's `List-Unsubscribe` works: RFC 8058's one-click POST to the header's link
//! stops that admin's notices (the next purchase mails the other admin only); a GET of a link
//! only shows the button; a link with another signature is refused.

use super::support::app::{Spawn, spawn_app_with};
use super::support::real_servers::smtp::SmtpSink;
use super::{Mail, buy, header, parse, wait_for_outbox};
use std::time::Duration;

fn unsubscribe_link(mail: &Mail, raw: &str) -> String {
    assert_eq!(
        header(raw, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click",
        "{}",
        mail.to
    );
    let value = header(raw, "List-Unsubscribe");
    value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or_else(|| panic!("List-Unsubscribe {value:?}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_unsubscribe_stops_that_admins_notices_and_no_one_elses() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    buy(&megan, 1).await;
    let raws = smtp.wait_for_messages(3, Duration::from_secs(30)).await;
    let mut admin_link = None;
    let mut billing_link = None;
    for raw in &raws {
        let mail = parse(raw);
        match mail.to.as_str() {
            "admin@contoso.com" => admin_link = Some(unsubscribe_link(&mail, raw)),
            "billing@contoso.com" => billing_link = Some(unsubscribe_link(&mail, raw)),
            "megan@contoso.com" => assert!(
                !raw.contains("List-Unsubscribe"),
                "a receipt is not a notice one can leave"
            ),
            other => panic!("mail to {other}"),
        }
    }
    let (admin_link, billing_link) = (admin_link.unwrap(), billing_link.unwrap());
    assert_ne!(admin_link, billing_link, "a link per recipient");
    assert!(admin_link.starts_with(&format!("{}/unsubscribe?", app.base)));

    let http = reqwest::Client::new();
    // A scanner's GET changes nothing: it shows a button.
    let page = http.get(&billing_link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert!(html.contains("<button"), "{html}");
    // Another recipient's signature does not fit this one.
    let token = billing_link.rsplit("t=").next().unwrap();
    let forged = format!("{}t={token}", admin_link.rsplit_once("t=").unwrap().0);
    let refused = http
        .post(&forged)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);

    // RFC 8058: what a mail provider sends.
    let done = http
        .post(&admin_link)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Admin notices stopped"));
    let chosen: selfserve_api::admin::NoticePreferences = app
        .as_user("admin@contoso.com")
        .await
        .get_as("/api/v1/admin/notice-preferences")
        .await;
    assert_eq!(
        chosen.notices,
        selfserve_api::admin::NoticePreference::Off,
        "the link sets `none`"
    );

    buy(&megan, 2).await;
    wait_for_outbox(&app.database_url, "five mails sent", |rows| {
        rows.len() == 5 && rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    let later: Vec<String> = smtp.messages()[3..]
        .iter()
        .map(|raw| parse(raw).to)
        .collect();
    assert_eq!(later.len(), 2, "{later:?}");
    assert!(later.contains(&"megan@contoso.com".to_owned()));
    assert!(
        later.contains(&"billing@contoso.com".to_owned()),
        "the other admin still gets theirs"
    );
    assert!(!later.contains(&"admin@contoso.com".to_owned()));
}
