//! Requests to IT ("ask your IT admin"), through the API with mail at a real SMTP server (PyPI
//! `aiosmtpd`): a person who may not buy asks once (asking again gives the open request back,
//! nobody is mailed twice); the organisation's global and billing admins are mailed; an admin
//! answers once; `enabled` takes a global admin and turns the product on at once; the requester
//! is mailed the outcome and message; another organisation's admins see nothing and get 404;
//! `bought_centrally` gives the requester a central licence (a free central seat, else a new
//! one-seat central subscription) with the answer.
//! On PostgreSQL too (`SELFSERVE_TEST_POSTGRES`).

mod support;

use selfserve_api::ErrorCode;
use selfserve_api::List;
use selfserve_api::admin::AuditEntry;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::product::ProductId;
use selfserve_api::requests::{ItRequest, RequestOutcome, RequestStatus};
use selfserve_api::subscription::{Source, Subscription};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use support::app::{Spawn, spawn_app_with};
use support::real_servers::smtp::SmtpSink;

/// A delivered mail: envelope recipient, subject, and the bodies with quoted-printable undone.
struct Mail {
    to: String,
    subject: String,
    decoded: String,
}

fn header(raw: &str, name: &str) -> String {
    raw.lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no {name} header in {raw}"))
}

fn parse(raw: &str) -> Mail {
    let decoded = quoted_printable::decode(raw.as_bytes(), quoted_printable::ParseMode::Robust)
        .expect("quoted-printable");
    Mail {
        to: header(raw, "X-Envelope-To"),
        subject: header(raw, "Subject"),
        decoded: String::from_utf8_lossy(&decoded).into_owned(),
    }
}

async fn mails(smtp: &SmtpSink, count: usize) -> Vec<Mail> {
    smtp.wait_for_messages(count, Duration::from_secs(30))
        .await
        .iter()
        .map(|raw| parse(raw))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_reaches_the_admins_and_turning_the_product_on_answers_it() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let contoso = megan.me.organization.id.clone();

    // Someone who may buy has nothing to ask.
    let reply = megan
        .post("/api/v1/requests", &json!({"product": "power-bi-pro"}))
        .await;
    reply.error(409, ErrorCode::Conflict);
    megan
        .post("/api/v1/requests", &json!({"product": "power-nothing"}))
        .await
        .error(404, ErrorCode::UnknownProduct);
    app.new_client()
        .post("/api/v1/requests", &json!({"product": "power-bi-pro"}))
        .await
        .error(401, ErrorCode::NotAuthenticated);

    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    // The operator's change tells Contoso's global admin first (counted in what follows).
    let policy = mails(&smtp, 1).await;
    assert_eq!(
        policy[0].subject,
        "Self-service policy changed: Power BI Pro by CLI"
    );
    let asked: ItRequest = megan
        .post("/api/v1/requests", &json!({"product": "power-bi-pro"}))
        .await
        .expect_as(201, "Megan asks for Power BI Pro");
    assert_eq!(asked.status, RequestStatus::Open);
    assert_eq!(asked.reason, IneligibleReason::PolicyDisabled);
    assert_eq!(asked.requester.email, "megan@contoso.com");
    assert!(asked.id.starts_with("req_"), "{}", asked.id);
    assert_eq!(asked.answer, None);
    // Asking again gives the open request back, and mails nobody again (counted below).
    let again: ItRequest = megan
        .post("/api/v1/requests", &json!({"product": "power-bi-pro"}))
        .await
        .expect_as(200, "asking again");
    assert_eq!(again, asked);

    let notices: Vec<Mail> = mails(&smtp, 3).await.into_iter().skip(1).collect();
    let by_recipient: BTreeMap<&str, &Mail> = notices.iter().map(|m| (m.to.as_str(), m)).collect();
    assert_eq!(
        by_recipient.keys().copied().collect::<Vec<_>>(),
        ["admin@contoso.com", "billing@contoso.com"],
        "Contoso's global and billing admins, each once"
    );
    for mail in by_recipient.values() {
        assert_eq!(
            mail.subject,
            "Request to IT: Megan Bowen asks for Power BI Pro"
        );
        assert!(
            mail.decoded.contains("megan@contoso.com"),
            "{}",
            mail.decoded
        );
        assert!(
            mail.decoded
                .contains("self-service purchase of the product is turned off"),
            "the reason in words: {}",
            mail.decoded
        );
        assert!(mail.decoded.contains("/admin#requests"), "{}", mail.decoded);
    }

    // Another organisation's admin neither sees nor answers it.
    let anouk = app.as_user("admin@fabrikam.nl").await;
    let theirs: List<ItRequest> = anouk.get_as("/api/v1/admin/requests").await;
    assert!(theirs.data.iter().all(|r| r.id != asked.id));
    anouk
        .post(
            &format!("/api/v1/admin/requests/{}/answer", asked.id),
            &json!({"outcome": "declined"}),
        )
        .await
        .error(404, ErrorCode::NotFound);
    // The requester is no admin; a billing admin may not turn the product on; a message is
    // length-limited.
    megan
        .get("/api/v1/admin/requests")
        .await
        .error(403, ErrorCode::AdminRequired);
    let bill = app.as_user("billing@contoso.com").await;
    let answer_path = format!("/api/v1/admin/requests/{}/answer", asked.id);
    bill.post(&answer_path, &json!({"outcome": "enabled"}))
        .await
        .error(403, ErrorCode::AdminRequired);
    let too_long = "x".repeat(selfserve_api::requests::MAX_ANSWER_MESSAGE + 1);
    let refused = bill
        .post(
            &answer_path,
            &json!({"outcome": "declined", "message": too_long}),
        )
        .await
        .error(400, ErrorCode::InvalidRequest);
    assert_eq!(refused.field.as_deref(), Some("message"));
    bill.post(&answer_path, &json!({"outcome": "maybe"}))
        .await
        .error(400, ErrorCode::InvalidRequest);

    let ada = app.as_user("admin@contoso.com").await;
    let inbox: List<ItRequest> = ada.get_as("/api/v1/admin/requests").await;
    assert_eq!(inbox.data.first(), Some(&asked), "the open request first");
    let answered: ItRequest = ada
        .post_as(
            &answer_path,
            &json!({"outcome": "enabled", "message": "  Enjoy the dashboards.  "}),
        )
        .await;
    assert_eq!(answered.status, RequestStatus::Answered);
    let answer = answered.answer.clone().expect("an answer");
    assert_eq!(answer.outcome, RequestOutcome::Enabled);
    assert_eq!(answer.message.as_deref(), Some("Enjoy the dashboards."));
    assert_eq!(answer.answered_by, "Ada Admin");
    // Answered once: a second answer is refused, and the product is on for Megan at once.
    bill.post(&answer_path, &json!({"outcome": "declined"}))
        .await
        .error(409, ErrorCode::Conflict);
    let session = megan.get("/api/v1/session").await.json();
    assert_eq!(session["can_buy"]["power-bi-pro"], json!(true), "{session}");

    let all = mails(&smtp, 4).await;
    let told = all
        .iter()
        .find(|m| m.to == "megan@contoso.com")
        .expect("Megan is told");
    assert_eq!(told.subject, "You can now buy Power BI Pro");
    assert!(
        told.decoded
            .contains("Ada Admin turned self-service purchase")
    );
    assert!(
        told.decoded.contains("Enjoy the dashboards."),
        "{}",
        told.decoded
    );

    let audit: List<AuditEntry> = ada.get_as("/api/v1/admin/audit?limit=10").await;
    let actions: Vec<_> = audit.data.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        &actions[..4],
        [
            "request_answered",
            "policy_changed",
            "request_opened",
            "policy_changed"
        ],
        "the answer and the policy it turned on, after the request"
    );
    assert_eq!(audit.data[1].actor, "Ada Admin");
    // Nothing else was mailed: two notices and one answer.
    assert_eq!(smtp.messages().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_request_tells_the_requester_the_message_and_stays_answered() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    // A guest may not buy where they are a guest: that is the reason they ask with.
    let gina = app
        .as_user("gina_fabrikam.nl#ext#@contoso.onmicrosoft.com")
        .await;
    let asked: ItRequest = gina
        .post(
            "/api/v1/requests",
            &json!({"product": "power-apps-per-user"}),
        )
        .await
        .expect_as(201, "Gina asks");
    assert_eq!(asked.reason, IneligibleReason::Guest);
    mails(&smtp, 2).await;

    let bill = app.as_user("billing@contoso.com").await;
    let answered: ItRequest = bill
        .post_as(
            &format!("/api/v1/admin/requests/{}/answer", asked.id),
            &json!({"outcome": "declined", "message": "Ask Fabrikam's IT <please>."}),
        )
        .await;
    assert_eq!(
        answered.answer.as_ref().map(|a| a.outcome),
        Some(RequestOutcome::Declined)
    );
    let all = mails(&smtp, 3).await;
    let told = all
        .iter()
        .find(|m| m.to.starts_with("gina_fabrikam.nl"))
        .expect("Gina is told");
    assert_eq!(
        told.subject,
        "Your request for Power Apps per user was declined"
    );
    assert!(told.decoded.contains("Ask Fabrikam's IT <please>."));
    assert!(
        told.decoded
            .contains("Ask Fabrikam&#39;s IT &lt;please&gt;."),
        "escaped in the HTML part: {}",
        told.decoded
    );

    // Answered, it is listed after open ones; asking again opens a new request.
    let again: ItRequest = gina
        .post(
            "/api/v1/requests",
            &json!({"product": "power-apps-per-user"}),
        )
        .await
        .expect_as(201, "a new request after an answer");
    assert_ne!(again.id, asked.id);
    let inbox: List<ItRequest> = bill.get_as("/api/v1/admin/requests").await;
    let ids: Vec<&str> = inbox.data.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [again.id.as_str(), asked.id.as_str()]);
}

/// The central licence a `bought_centrally` answer gave, as its audit entry names it.
async fn licence_of(admin: &support::app::User, request_id: &str) -> String {
    let log: List<AuditEntry> = admin
        .get_as("/api/v1/admin/audit?action=request_answered")
        .await;
    let entry = log
        .data
        .iter()
        .find(|e| e.after.as_ref().is_some_and(|a| a["request"] == request_id))
        .expect("the answer's entry");
    entry.after.as_ref().unwrap()["licence"]
        .as_str()
        .expect("the licence given")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buying_centrally_gives_the_requester_a_central_licence_with_the_answer() {
    let smtp = SmtpSink::start();
    let app = spawn_app_with(Spawn {
        demo: true,
        smtp_url: Some(smtp.url()),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let alex = app.as_user("alex@contoso.com").await;
    let contoso = megan.me.organization.id.clone();
    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    let bill = app.as_user("billing@contoso.com").await;
    // One central seat, free: the first answer uses it rather than buying another.
    let one: Subscription = bill
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 1, "unit_amount": 1000}),
        )
        .await;
    let megans: ItRequest = megan
        .post("/api/v1/requests", &json!({"product": "power-bi-pro"}))
        .await
        .expect_as(201, "Megan asks");
    let alexs: ItRequest = alex
        .post("/api/v1/requests", &json!({"product": "power-bi-pro"}))
        .await
        .expect_as(201, "Alex asks");
    // The operator's policy notice to the global admin, and the request's to both admins.
    mails(&smtp, 5).await;

    // A member may not buy centrally for a colleague.
    alex.post(
        &format!("/api/v1/admin/requests/{}/answer", megans.id),
        &json!({"outcome": "bought_centrally"}),
    )
    .await
    .error(403, ErrorCode::AdminRequired);

    let answered: ItRequest = bill
        .post_as(
            &format!("/api/v1/admin/requests/{}/answer", megans.id),
            &json!({"outcome": "bought_centrally"}),
        )
        .await;
    assert_eq!(
        answered.answer.map(|a| a.outcome),
        Some(RequestOutcome::BoughtCentrally)
    );
    assert_eq!(licence_of(&bill, &megans.id).await, one.id, "the free seat");
    let one: Subscription = bill
        .get_as(&format!("/api/v1/subscriptions/{}", one.id))
        .await;
    let holders: Vec<&str> = one
        .assigned_users
        .iter()
        .map(|u| u.email.as_str())
        .collect();
    assert_eq!(holders, ["megan@contoso.com"]);

    // No free central seat left: a one-seat central subscription is bought for Alex.
    let _: ItRequest = bill
        .post_as(
            &format!("/api/v1/admin/requests/{}/answer", alexs.id),
            &json!({"outcome": "bought_centrally"}),
        )
        .await;
    let licence = licence_of(&bill, &alexs.id).await;
    assert_ne!(licence, one.id);
    let new: Subscription = bill
        .get_as(&format!("/api/v1/subscriptions/{licence}"))
        .await;
    assert_eq!(new.source, Source::Central);
    assert_eq!(new.quantity, 1);
    assert_eq!(new.product, ProductId::PowerBiPro);
    let holders: Vec<&str> = new
        .assigned_users
        .iter()
        .map(|u| u.email.as_str())
        .collect();
    assert_eq!(holders, ["alex@contoso.com"]);
    let bought: List<AuditEntry> = bill
        .get_as("/api/v1/admin/audit?action=central_purchase")
        .await;
    assert_eq!(bought.data.len(), 2, "the admin's and the answer's");

    let all = mails(&smtp, 7).await;
    for who in ["megan@contoso.com", "alex@contoso.com"] {
        let told = all
            .iter()
            .find(|m| m.to == who && m.subject == "You can now use Power BI Pro")
            .unwrap_or_else(|| panic!("{who} is told"));
        assert!(
            told.decoded
                .contains("provides centrally: you can use it now"),
            "{}",
            told.decoded
        );
    }
    assert_eq!(
        smtp.messages().len(),
        7,
        "the policy notice and one mail per answer, no more"
    );
}
