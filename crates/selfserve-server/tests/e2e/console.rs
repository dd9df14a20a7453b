//! An anonymous visitor's pages log nothing in the console (issue 13, 14): the app asks
//! `GET /session` only when the server's signed-in hint cookie is there, so no 401 is logged
//! (Chromium logs every 4xx; Lighthouse counts it). A signed-in reload still finds the user.

use super::{Journey, sign_in_at_gate};

/// ChromeDriver's browser log since the last read (`goog:loggingPrefs` asks for it).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(serde_json::json!({"type": "browser"}).to_string()),
        )
    }
}

/// The console's errors since the last read, one line each.
async fn console_errors(journey: &Journey) -> Vec<String> {
    let answer = journey
        .client
        .issue_cmd(BrowserLog)
        .await
        .expect("ChromeDriver reads the browser log");
    let entries = answer.get("value").unwrap_or(&answer);
    let entries = entries
        .as_array()
        .unwrap_or_else(|| panic!("the browser log is a list: {answer}"));
    entries
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Whether the page asked the server for `path` (`/api/v1/…`).
async fn asked_for(journey: &Journey, path: &str) -> bool {
    journey
        .client
        .execute(
            "return performance.getEntriesByType('resource')
                .some(e => new URL(e.name).pathname === arguments[0]);",
            vec![serde_json::json!(path)],
        )
        .await
        .expect("reading the resource timings")
        .as_bool()
        .expect("a boolean")
}

/// Whether the page asked the server who is signed in.
async fn asked_for_session(journey: &Journey) -> bool {
    asked_for(journey, "/api/v1/session").await
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn anonymous_pages_log_no_console_errors_and_a_signed_in_reload_keeps_the_user() {
    let journey = Journey::start().await;
    // What each page shows once it knows nobody is signed in: the header's "Sign in" (or the
    // gate itself, which replaces it).
    for (path, ready) in [
        ("/", "[data-testid=nav-sign-in]"),
        ("/buy/power-bi-pro", "[data-testid=nav-sign-in]"),
        ("/manage", "[data-testid=gate-email]"),
        ("/sign-in", "[data-testid=gate-email]"),
    ] {
        journey.open(path).await;
        journey.element(ready).await;
        journey.element("main h1").await;
        assert!(
            !asked_for_session(&journey).await,
            "{path}: an anonymous load asked GET /session"
        );
        let errors = console_errors(&journey).await;
        assert!(errors.is_empty(), "{path} logged: {errors:#?}");
    }

    // Signed in, a reload asks the session and still shows the user.
    sign_in_at_gate(&journey, "/manage", "megan@contoso.com").await;
    journey
        .wait_text("[data-testid=signed-in-user]", "Megan")
        .await;
    journey.client.refresh().await.unwrap();
    journey
        .wait_text("[data-testid=signed-in-user]", "Megan")
        .await;
    assert!(
        asked_for_session(&journey).await,
        "the reload read the session"
    );
    // Megan has bought nothing: the list's empty state, drawn from the answer to the reload.
    journey.element("[data-testid=no-subscriptions]").await;
    let errors = console_errors(&journey).await;
    assert!(errors.is_empty(), "signed in: {errors:#?}");

    // Signed out, the hint is gone with the session: the next load asks nothing.
    journey.click("[data-testid=sign-out]").await;
    journey.element("[data-testid=nav-sign-in]").await;
    journey.open("/buy/power-bi-pro").await;
    journey.element("[data-testid=nav-sign-in]").await;
    assert!(
        !asked_for_session(&journey).await,
        "signed out: asked GET /session"
    );
    let errors = console_errors(&journey).await;
    assert!(errors.is_empty(), "signed out: {errors:#?}");
    journey.finish().await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn the_admin_console_logs_no_errors_for_an_admin_or_a_partner() {
    let journey = Journey::start().await;
    // A partner gets no admin notices: the page does not ask (the server would answer 403,
    // which the browser logs).
    sign_in_at_gate(&journey, "/admin", "pat@northwind.example").await;
    journey.wait_text("[data-testid=policies]", "Allowed").await;
    journey.element("[data-testid=purchases-empty]").await;
    assert!(
        !asked_for(&journey, "/api/v1/admin/notice-preferences").await,
        "a partner's console asked for the notice choice"
    );
    let notices_shown = journey
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=notices]"))
        .await
        .expect("querying the page");
    assert!(notices_shown.is_empty(), "a partner is offered notices");
    let errors = console_errors(&journey).await;
    assert!(
        errors.is_empty(),
        "the partner's console logged: {errors:#?}"
    );

    journey.click("[data-testid=sign-out]").await;
    journey.element("[data-testid=nav-sign-in]").await;
    sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    journey
        .wait_text("[data-testid=notices]", "A mail for each")
        .await;
    let errors = console_errors(&journey).await;
    assert!(errors.is_empty(), "the admin's console logged: {errors:#?}");
    journey.finish().await;
}
