//! The header's admin link counts the open requests to IT: a member asks, an admin sees "1"
//! (named "Admin, 1 open request", in Dutch too) on any page; once answered, it is gone.

use super::{Journey, sign_in_at_gate};
use fantoccini::Locator;
use std::time::Duration;

/// WebDriver's "Get Computed Label": the accessible name the browser gives an element.
#[derive(Debug)]
struct ComputedLabel(String);

impl fantoccini::wd::WebDriverCompatibleCommand for ComputedLabel {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/element/{}/computedlabel",
            session_id.unwrap_or_default(),
            self.0
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}

/// Waits until the header's admin link is named `expected` (whitespace collapsed).
async fn wait_admin_link_named(journey: &Journey, expected: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let link = journey.element("[data-testid=nav-admin]").await;
        let answer = journey
            .client
            .issue_cmd(ComputedLabel(link.element_id().to_string()))
            .await
            .unwrap();
        let raw = answer
            .get("value")
            .unwrap_or(&answer)
            .as_str()
            .unwrap_or_default();
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the admin link was named {name:?}, not {expected:?}"
        );
        // Polls the condition; the name changes when the count's read answers.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether this page load asked for the admin inbox, and whether it read the session.
async fn requests_read(journey: &Journey) -> (bool, bool) {
    let seen = journey
        .client
        .execute(
            "const names = performance.getEntriesByType('resource').map(e => e.name);
             return [names.some(n => n.includes('/api/v1/admin/requests')),
                     names.some(n => n.includes('/api/v1/session'))];",
            vec![],
        )
        .await
        .unwrap();
    (
        seen[0].as_bool().unwrap_or(false),
        seen[1].as_bool().unwrap_or(false),
    )
}

/// After a fresh load of `path`: waits until the header's read of the inbox has answered and
/// the browser has painted what came of it.
async fn wait_inbox_read(journey: &Journey) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !requests_read(journey).await.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the header never read the inbox"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Two frames: the answer's task has run and its change rendered.
    journey
        .client
        .execute_async(
            "const done = arguments[0];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn the_header_counts_open_requests_for_admins_until_answered() {
    let journey = Journey::start().await;

    // The admin turns Power BI Pro off; with nothing open, the link is plain "Admin".
    sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    journey.wait_text("[data-testid=policies]", "Allowed").await;
    journey
        .element("[data-testid=policy-power-bi-pro]")
        .await
        .select_by_value("disabled")
        .await
        .unwrap();
    journey
        .click("[data-testid=policy-save-power-bi-pro]")
        .await;
    journey
        .wait_text("[data-testid=policy-status-power-bi-pro]", "Turned off")
        .await;
    journey
        .wait_text("[data-testid=requests]", "Requests")
        .await;
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=nav-admin-count]"))
            .await
            .is_err(),
        "no count with no open request"
    );
    journey.click("[data-testid=sign-out]").await;

    // A member asks IT; the header never asks a member's inbox (the server would refuse).
    sign_in_at_gate(&journey, "/manage", "megan@contoso.com").await;
    journey
        .wait_text("[data-testid=signed-in-user]", "Megan")
        .await;
    // Through the API the checkout's "Ask your IT admin" button calls, with Megan's session.
    let status = journey
        .client
        .execute_async(
            "const done = arguments[0];
             fetch('/api/v1/requests', {method: 'POST',
                 headers: {'content-type': 'application/json'},
                 body: JSON.stringify({product: 'power-bi-pro'})})
               .then(r => done(r.status), e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status.as_u64(), Some(201), "Megan's request: {status}");
    assert_eq!(
        requests_read(&journey).await,
        (false, true),
        "a member's header read the session but not the admin inbox"
    );
    journey.click("[data-testid=sign-out]").await;

    // The admin, on a page that is not /admin, sees the count on the link, named in words.
    sign_in_at_gate(&journey, "/manage", "admin@contoso.com").await;
    journey
        .wait_text("[data-testid=nav-admin-count]", "1")
        .await;
    wait_admin_link_named(&journey, "Admin, 1 open request").await;
    journey
        .assert_accessible("manage, with the admin's count")
        .await;
    for width in [375, 1280] {
        journey.client.set_window_size(width, 800).await.unwrap();
        let overflow = journey
            .client
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            overflow.as_bool(),
            Some(false),
            "header wider than {width} px"
        );
        journey.screenshot(&format!("header-count-{width}")).await;
    }
    journey.click("[data-testid=language-nl]").await;
    wait_admin_link_named(&journey, "Beheer, 1 open verzoek").await;
    journey.click("[data-testid=language-en]").await;
    wait_admin_link_named(&journey, "Admin, 1 open request").await;

    // Answering in the inbox takes the count away at once, and the next page agrees.
    journey.click("[data-testid=nav-admin]").await;
    journey
        .click("form.answer-form input[value=declined]")
        .await;
    journey.click("form.answer-form button[type=submit]").await;
    journey
        .wait_text("[data-testid=requests-table]", "Declined")
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while journey
        .client
        .find(Locator::Css("[data-testid=nav-admin-count]"))
        .await
        .is_ok()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the count stayed after the answer"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    journey.open("/manage").await;
    wait_inbox_read(&journey).await;
    journey.wait_text("[data-testid=nav-admin]", "Admin").await;
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=nav-admin-count]"))
            .await
            .is_err(),
        "no count on the next page"
    );
    wait_admin_link_named(&journey, "Admin").await;
    journey.finish().await;
}
