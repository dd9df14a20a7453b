//! Mails in the recipient's language: the language their own signed-in requests asked for.

use super::support::app::{DEMO_PASSWORD, Reply, Spawn, spawn_app_with};
use super::support::real_servers::smtp::SmtpSink;
use super::{Mail, parse, wait_for_subject};
use selfserve_api::subscription::Subscription;
use serde_json::json;
use std::time::Duration;

/// A buyer whose browser asks for Dutch gets a Dutch receipt (subject, text and HTML, amounts
/// and dates as nl-NL writes them); the admins, whose language is not known, get English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_who_asks_in_dutch_gets_a_dutch_receipt() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.new_client();
    let dutch = "nl-NL,nl;q=0.9,en;q=0.5";
    let signed_in = megan
        .http
        .post(megan.url("/api/v1/session"))
        .header("Accept-Language", dutch)
        .json(&json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    // A later request without the header (a script) says nothing about her language.
    let _: serde_json::Value = megan.get_as("/api/v1/session").await;
    let token = megan.token("4242424242424242").await;
    let bought = megan
        .http
        .post(megan.url("/api/v1/purchases"))
        .header("Idempotency-Key", format!("dutch-{token}"))
        .json(&json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token}))
        .send()
        .await
        .unwrap();
    let sub: Subscription = Reply::read(bought).await.expect_as(201, "buying");

    let mails = wait_for_subject(&smtp, "Je betaalbewijs: Power BI Pro, 3 licenties").await;
    let receipt = mails
        .iter()
        .find(|mail| mail.to == "megan@contoso.com")
        .expect("the receipt");
    let total = sub.latest_invoice.as_ref().expect("the first bill").total;
    let written = format!("{},{:02}", total / 100, total % 100);
    for expected in [
        "Beste Megan Bowen,",
        "Je abonnement voor Contoso",
        "Licenties: 3",
        &format!("Totaal betaald: US$\u{a0}{written}"),
        "Periode: ",
        "Je abonnement en facturen: ",
        "<html lang=\"nl\">",
        "Content-Language: nl",
    ] {
        assert!(
            receipt.decoded.contains(expected),
            "{expected:?} in {}",
            receipt.decoded
        );
    }
    let months = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    assert!(
        months
            .iter()
            .any(|month| receipt.decoded.contains(&format!(" {month} 20"))),
        "a Dutch date in {}",
        receipt.decoded
    );
    assert!(!receipt.decoded.contains("Total paid"));

    let mails: Vec<Mail> = smtp
        .wait_for_messages(3, Duration::from_secs(30))
        .await
        .iter()
        .map(|raw| parse(raw))
        .collect();
    let notice = mails
        .iter()
        .find(|mail| mail.to == "admin@contoso.com")
        .expect("the admin's notice");
    assert_eq!(
        notice.subject,
        "New self-service purchase: Power BI Pro by Megan Bowen"
    );
    assert!(
        notice.decoded.contains("<html lang=\"en\">"),
        "{}",
        notice.decoded
    );
}
