//! Mail reaches the right people, through a real SMTP server (PyPI `aiosmtpd`): the purchaser's
//! receipt with the total, the admins' notice, the colleague's licence mail, nobody else; with
//! no SMTP server, readable `.eml` files; a server killed with mail pending delivers each mail
//! exactly once after its restart (counted by Message-ID at the SMTP server); an SMTP server
//! that is down is retried until it answers; the billing job's mails (`billing.rs`); a receipt
//! in Dutch for a buyer who asks in Dutch (`dutch.rs`); renewals, seat changes, cancellations,
//! licences taken back and policy changes (`events.rs`). On
//! PostgreSQL too (`SELFSERVE_TEST_POSTGRES`).

#[path = "notifications/billing.rs"]
mod billing;
#[path = "notifications/digest.rs"]
mod digest;
#[path = "notifications/dutch.rs"]
mod dutch;
#[path = "notifications/events.rs"]
mod events;
mod support;
#[path = "notifications/take_over.rs"]
mod take_over;
#[path = "notifications/unsubscribe.rs"]
mod unsubscribe;

use selfserve_api::subscription::Subscription;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use support::app::{Client, Spawn, fresh_database, spawn_app, spawn_app_with};
use support::process::ServerProcess;
use support::real_servers::smtp::SmtpSink;

/// A delivered mail, bodies decoded.
#[derive(Debug)]
struct Mail {
    to: String,
    subject: String,
    message_id: String,
    /// The whole message with quoted-printable undone, to search the bodies.
    decoded: String,
}

fn header<'a>(raw: &'a str, name: &str) -> &'a str {
    raw.lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
        .unwrap_or_else(|| panic!("no {name} header in {raw}"))
}

/// The bytes of the one `application/pdf` part of a MIME message (base64, as lettre sends it).
fn pdf_attachment(raw: &str) -> Vec<u8> {
    use base64::Engine;
    assert!(
        raw.contains("Content-Type: multipart/mixed"),
        "not multipart/mixed"
    );
    let (_, after) = raw
        .split_once("Content-Type: application/pdf")
        .expect("an application/pdf part");
    // The part's headers end at the first empty line; its body at the next boundary.
    let body = after
        .split_once("\r\n\r\n")
        .or_else(|| after.split_once("\n\n"))
        .expect("the part's body")
        .1;
    let encoded: String = body
        .lines()
        .take_while(|line| !line.starts_with("--"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .expect("base64")
}

fn parse(raw: &str) -> Mail {
    let decoded = quoted_printable::decode(raw.as_bytes(), quoted_printable::ParseMode::Robust)
        .expect("quoted-printable");
    Mail {
        to: header(raw, "X-Envelope-To").to_owned(),
        subject: header(raw, "Subject").to_owned(),
        message_id: header(raw, "Message-ID").to_owned(),
        decoded: String::from_utf8_lossy(&decoded).into_owned(),
    }
}

/// The outbox as `(status, attempts, leased)` per row.
async fn outbox(url: &str) -> Vec<(String, i64, bool)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url)
        .await
        .expect("the test database");
    let rows = sqlx::query("SELECT status, attempts, lease_until FROM outbox ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.iter()
        .map(|row| {
            let lease: Option<i64> = row.try_get("lease_until").unwrap();
            (
                row.try_get("status").unwrap(),
                row.try_get("attempts").unwrap(),
                lease.is_some(),
            )
        })
        .collect()
}

/// Polls the outbox until `done` holds for its rows.
async fn wait_for_outbox(url: &str, what: &str, done: impl Fn(&[(String, i64, bool)]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = outbox(url).await;
        if done(&rows) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: outbox is {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until a mail with `subject` arrived; returns every mail so far.
async fn wait_for_subject(smtp: &SmtpSink, subject: &str) -> Vec<Mail> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mails: Vec<Mail> = smtp.messages().iter().map(|raw| parse(raw)).collect();
        if mails.iter().any(|mail| mail.subject == subject) {
            return mails;
        }
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert!(
            Instant::now() < deadline,
            "no mail {subject:?} within 30 s; got {subjects:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn buy(client: &Client, quantity: u32) -> Subscription {
    let token = client.token("4242424242424242").await;
    client
        .purchase(
            &format!("notify-{token}"),
            &json!({"product": "power-bi-pro", "quantity": quantity, "payment_token": token}),
        )
        .await
        .expect_as(201, "buying Power BI Pro")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_mails_the_purchaser_a_receipt_and_the_admins_a_notice_and_nobody_else() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let started = Instant::now();
    let sub = buy(&megan, 3).await;
    let messages = smtp.wait_for_messages(3, Duration::from_secs(30)).await;
    println!("purchase to three mails delivered: {:?}", started.elapsed());
    let mails: Vec<Mail> = messages.iter().map(|raw| parse(raw)).collect();
    let by_recipient: BTreeMap<&str, &Mail> =
        mails.iter().map(|mail| (mail.to.as_str(), mail)).collect();
    assert_eq!(
        by_recipient.keys().copied().collect::<Vec<_>>(),
        [
            "admin@contoso.com",
            "billing@contoso.com",
            "megan@contoso.com"
        ],
        "the purchaser and Contoso's global and billing admins, each once"
    );

    let receipt = by_recipient["megan@contoso.com"];
    assert_eq!(receipt.subject, "Your receipt: Power BI Pro, 3 seats");
    let total = sub.latest_invoice.as_ref().expect("the first bill").total;
    let written = format!("${}.{:02}", total / 100, total % 100);
    assert!(
        receipt.decoded.contains(&format!("Total paid: {written}")),
        "{}",
        receipt.decoded
    );
    assert!(
        receipt
            .decoded
            .contains(&format!("{}/manage/{}", app.base, sub.id))
    );
    // The printable invoice is linked, and the purchaser's session reads it.
    let bill = sub.latest_invoice.as_ref().expect("the first bill");
    let invoice_link = format!("{}/invoices/{}", app.base, bill.id);
    assert!(
        receipt
            .decoded
            .contains(&format!("<a href=\"{invoice_link}\">")),
        "{}",
        receipt.decoded
    );
    let read: selfserve_api::subscription::Invoice =
        megan.get_as(&format!("/api/v1/invoices/{}", bill.id)).await;
    assert_eq!(read.total, total);
    assert!(
        receipt
            .decoded
            .contains("Content-Type: multipart/alternative")
    );
    assert!(receipt.decoded.contains("<html lang=\"en\">"));
    // The invoice rides along as a PDF (multipart/mixed: the bodies, then the attachment).
    let raw = messages
        .iter()
        .find(|raw| header(raw, "X-Envelope-To") == "megan@contoso.com")
        .expect("the receipt's raw message");
    let pdf = pdf_attachment(raw);
    assert!(pdf.starts_with(b"%PDF-"), "the attachment is not a PDF");
    assert!(
        raw.contains(&format!("filename=\"invoice-{}.pdf\"", bill.number)),
        "{raw}"
    );
    assert!(receipt.decoded.contains("<h1"));
    for admin in ["admin@contoso.com", "billing@contoso.com"] {
        let notice = by_recipient[admin];
        assert_eq!(
            notice.subject,
            "New self-service purchase: Power BI Pro by Megan Bowen"
        );
        assert!(notice.decoded.contains(&written), "{}", notice.decoded);
        assert!(notice.decoded.contains(&format!("{}/admin", app.base)));
    }
    let ids: BTreeSet<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 3, "a Message-ID per mail");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("<msg_") && id.ends_with("@selfserve.test>"))
    );

    // A licence for a colleague tells that colleague, not the purchaser who gave it.
    let _: Subscription = megan
        .post_as(
            &format!("/api/v1/subscriptions/{}/assignments", sub.id),
            &json!({"emails": ["alex@contoso.com", "megan@contoso.com"]}),
        )
        .await;
    let messages = smtp.wait_for_messages(4, Duration::from_secs(30)).await;
    let licence = parse(&messages[3]);
    assert_eq!(licence.to, "alex@contoso.com");
    assert_eq!(licence.subject, "You can now use Power BI Pro");
    wait_for_outbox(&app.database_url, "all sent", |rows| {
        rows.len() == 4 && rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    assert_eq!(smtp.messages().len(), 4, "nobody else was mailed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_smtp_server_each_mail_is_a_readable_eml_file() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    buy(&megan, 1).await;
    let folder = app.dir.path().join("outbox");
    let deadline = Instant::now() + Duration::from_secs(30);
    let files = loop {
        let files: Vec<_> = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        if files.len() >= 3 {
            break files;
        }
        assert!(
            Instant::now() < deadline,
            "{} .eml files in {folder:?}",
            files.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(files.len(), 3);
    let mut recipients = BTreeSet::new();
    for file in files {
        let raw = std::fs::read_to_string(&file).unwrap();
        let id = header(&raw, "Message-ID");
        let stem = file.file_stem().unwrap().to_str().unwrap();
        assert_eq!(
            id,
            format!("<{stem}@selfserve.test>"),
            "the file is named by its Message-ID"
        );
        let to = header(&raw, "To").to_owned();
        recipients.insert(to);
        assert!(raw.contains("Content-Type: text/plain"));
        assert!(raw.contains("Content-Type: text/html"));
    }
    assert_eq!(recipients.len(), 3, "{recipients:?}");
    assert!(
        recipients
            .iter()
            .any(|to| to.contains("<megan@contoso.com>"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_server_that_is_down_is_retried_until_it_takes_the_mail() {
    let port = free_port();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    buy(&megan, 2).await;
    wait_for_outbox(&app.database_url, "a failed attempt each", |rows| {
        rows.len() == 3
            && rows
                .iter()
                .all(|(s, attempts, _)| s == "pending" && *attempts >= 1)
    })
    .await;
    let up = Instant::now();
    let smtp = SmtpSink::start_on(port);
    let messages = smtp.wait_for_messages(3, Duration::from_secs(60)).await;
    println!(
        "SMTP up to three retried mails delivered: {:?}",
        up.elapsed()
    );
    wait_for_outbox(&app.database_url, "all sent", |rows| {
        rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    assert_eq!(messages.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_pending_when_the_server_is_killed_is_delivered_once_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let url = fresh_database(dir.path()).await;
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let env = [
        ("SELFSERVE_SMTP_URL", smtp_url.as_str()),
        ("SELFSERVE_MAIL_FROM", "Shop <shop@selfserve.test>"),
    ];
    let mut server = ServerProcess::start_on(&dist, dir.path(), &url, &env);
    let megan = Client::new(server.base.clone(), server.gateway.clone());
    assert_eq!(megan.sign_in("megan@contoso.com").await.status, 200);
    buy(&megan, 2).await;
    buy(&megan, 5).await;
    // Every mail tried once and waiting for its retry: pending, not leased.
    wait_for_outbox(&url, "pending after a failed attempt", |rows| {
        rows.len() == 6
            && rows
                .iter()
                .all(|(s, attempts, leased)| s == "pending" && *attempts >= 1 && !leased)
    })
    .await;
    server.group.kill();

    let smtp = SmtpSink::start_on(port);
    let restarted = Instant::now();
    let _server = ServerProcess::start_on(&dist, dir.path(), &url, &env);
    smtp.wait_for_messages(6, Duration::from_secs(60)).await;
    println!(
        "restart to six pending mails delivered: {:?}",
        restarted.elapsed()
    );
    wait_for_outbox(&url, "all sent", |rows| {
        rows.iter().all(|(s, _, _)| s == "sent")
    })
    .await;
    let mut per_id: BTreeMap<String, usize> = BTreeMap::new();
    for raw in smtp.messages() {
        *per_id.entry(parse(&raw).message_id).or_default() += 1;
    }
    assert_eq!(per_id.len(), 6, "{per_id:?}");
    assert!(
        per_id.values().all(|&n| n == 1),
        "each exactly once: {per_id:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trial_tells_the_admins_and_a_cancellation_request_tells_the_purchaser() {
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
            &json!({"product": "power-apps-per-user", "quantity": 3}),
        )
        .await;
    let mails: Vec<Mail> = smtp
        .wait_for_messages(2, Duration::from_secs(30))
        .await
        .iter()
        .map(|raw| parse(raw))
        .collect();
    let to: BTreeSet<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(
        to,
        BTreeSet::from(["admin@contoso.com", "billing@contoso.com"])
    );
    assert!(
        mails
            .iter()
            .all(|m| m.subject == "New self-service trial: Power Apps per user by Megan Bowen")
    );

    let admin = app.as_user("admin@contoso.com").await;
    let _: Subscription = admin
        .post_as(
            &format!("/api/v1/subscriptions/{}/cancel-request", trial.id),
            &json!({}),
        )
        .await;
    let messages = smtp.wait_for_messages(3, Duration::from_secs(30)).await;
    let request = parse(&messages[2]);
    assert_eq!(request.to, "megan@contoso.com");
    assert_eq!(
        request.subject,
        "Your IT admin asks you to cancel Power Apps per user"
    );
    assert!(
        request
            .decoded
            .contains("Ada Admin of Contoso asks you to cancel"),
        "{}",
        request.decoded
    );
    assert!(
        request
            .decoded
            .contains(&format!("{}/manage/{}", app.base, trial.id))
    );
}
