//! Sign-in at the organisation's identity provider, in Chromium: the real npm `oidc-provider`
//! (started by the harness) is Contoso's provider, set up with `org sso set` on the command
//! line; the browser leaves the app for the provider's own login page, signs in there and
//! comes back.

use super::{Journey, choose_seats, enter_card};
use crate::support::real_servers::oidc::{OidcClient, OidcProvider};
use fantoccini::Locator;
use std::time::Duration;

const CLIENT_ID: &str = "selfserve";
const CLIENT_SECRET: &str = "e2e-sso-client-secret";

/// Contoso signs in at a provider that knows this journey's server as a client.
fn contoso_signs_in_at_a_provider(journey: &Journey) -> OidcProvider {
    let provider = OidcProvider::start(OidcClient::new(
        CLIENT_ID,
        CLIENT_SECRET,
        &format!("{}/api/v1/sso/callback", journey.server.base),
    ));
    let dir = journey
        .server
        .database
        .parent()
        .expect("the database is in a folder");
    let secret = dir.join("client-secret");
    std::fs::write(&secret, CLIENT_SECRET).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
        .args(["org", "sso", "set", "--org", "contoso.com", "--issuer"])
        .arg(&provider.issuer)
        .args(["--client-id", CLIENT_ID, "--client-secret-file"])
        .arg(&secret)
        .args(["--admin-group", "contoso-global-admins", "--database"])
        .arg(format!("sqlite://{}", journey.server.database.display()))
        .output()
        .expect("selfserve-server org sso set");
    assert!(
        output.status.success(),
        "org sso set failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    provider
}

/// On the provider's own login page (another origin): signs in as `login`.
async fn sign_in_at_the_provider(journey: &Journey, provider: &OidcProvider, login: &str) {
    let login_field = journey
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("input[name=login]"))
        .await
        .expect("the provider's login page");
    let url = journey.client.current_url().await.unwrap().to_string();
    assert!(
        url.starts_with(&provider.issuer),
        "the login page is not the provider's: {url}"
    );
    // The provider fills in the address the app sent as `login_hint`.
    assert!(
        !login_field
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
            .is_empty(),
        "the provider's login page did not get the login hint"
    );
    login_field.clear().await.unwrap();
    login_field.send_keys(login).await.unwrap();
    journey
        .element("input[name=password]")
        .await
        .send_keys("any")
        .await
        .unwrap();
    journey.click("button[type=submit]").await;
}

/// Screenshots at a phone's width and a desktop's, when `SELFSERVE_E2E_SCREENSHOTS` is set.
async fn screenshots(journey: &Journey, name: &str) {
    if std::env::var_os("SELFSERVE_E2E_SCREENSHOTS").is_none() {
        return;
    }
    for (width, height) in [(375, 812), (1280, 900)] {
        journey.client.set_window_size(width, height).await.unwrap();
        // The step's form, which a phone shows below the order summary.
        journey
            .client
            .execute(
                "const form = document.querySelector('[data-testid=sso-form], [data-testid=admin-org]');
                 if (form) form.scrollIntoView({block: 'center'});",
                vec![],
            )
            .await
            .unwrap();
        journey.screenshot(&format!("{name}-{width}")).await;
    }
}

/// From the home page to the checkout's sign-in step, for a Contoso address.
async fn to_the_sign_in_step(journey: &Journey, email: &str) {
    journey.open("/").await;
    journey
        .click("[data-testid=product-power-bi-pro] [data-testid=buy]")
        .await;
    journey.fill("[data-testid=email]", email).await;
    journey.click("[data-testid=email-submit]").await;
    journey
        .wait_text("[data-testid=sso-continue]", "organisation's sign-in")
        .await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_buyer_signs_in_at_their_organisations_provider_and_buys() {
    let journey = Journey::start().await;
    let provider = contoso_signs_in_at_a_provider(&journey);
    to_the_sign_in_step(&journey, "megan@contoso.com").await;
    // No password here: the organisation's own page asks for it.
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=password]"))
            .await
            .is_err(),
        "an SSO organisation's sign-in step shows a password field"
    );
    journey.assert_accessible("sign-in step (SSO)").await;
    screenshots(&journey, "40-sso-sign-in").await;
    journey.click("[data-testid=sso-continue]").await;
    sign_in_at_the_provider(&journey, &provider, "megan@contoso.com").await;
    // Back in the checkout, signed in, at the step after signing in.
    journey
        .wait_text("[data-testid=step-count]", "Step 3 of 5")
        .await;
    assert_eq!(
        journey.path_and_query().await,
        "/buy/power-bi-pro?step=seats"
    );
    choose_seats(&journey, 2).await;
    journey
        .wait_text("[data-testid=summary-total]", "$28.00")
        .await;
    enter_card(&journey, "4242 4242 4242 4242").await;
    journey.wait_text("[data-testid=pay]", "Pay $28.00").await;
    journey.click("[data-testid=pay]").await;
    journey
        .wait_text("[data-testid=confirmation]", "Purchase complete")
        .await;
    assert_eq!(
        journey.text_of("[data-testid=confirmation-assigned]").await,
        "Megan Bowen"
    );
    journey.finish().await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_refused_sign_in_comes_back_to_the_step_with_the_reason_announced() {
    let journey = Journey::start().await;
    let provider = contoso_signs_in_at_a_provider(&journey);
    to_the_sign_in_step(&journey, "megan@contoso.com").await;
    journey.click("[data-testid=sso-continue]").await;
    // The provider has not verified this account's email: nobody may be signed in with it.
    sign_in_at_the_provider(&journey, &provider, "unverified@contoso.com").await;
    let alert = journey.element("[data-testid=sso-error]").await;
    assert_eq!(alert.attr("role").await.unwrap().as_deref(), Some("alert"));
    journey
        .wait_text(
            "[data-testid=sso-error]",
            "hasn't confirmed this account's email",
        )
        .await;
    // The server sent the failure to `/`; the app put it back on the step it started from.
    assert_eq!(
        journey.path_and_query().await,
        "/buy/power-bi-pro?step=sign-in&sso_error=email_not_verified"
    );
    assert_eq!(
        journey.text_of("[data-testid=step-count]").await,
        "Step 2 of 5"
    );
    let session = journey
        .client
        .execute(
            "return fetch('/api/v1/session').then(r => r.status);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(session, 401, "nobody is signed in after a refusal");
    journey
        .assert_accessible("sign-in step (SSO) with an error")
        .await;
    screenshots(&journey, "41-sso-error").await;
    journey.finish().await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn an_admin_of_the_admins_group_signs_in_at_the_provider_and_sees_the_method() {
    let journey = Journey::start().await;
    let provider = contoso_signs_in_at_a_provider(&journey);
    journey.open("/admin").await;
    journey
        .fill("[data-testid=gate-email]", "admin@contoso.com")
        .await;
    journey.click("[data-testid=gate-continue]").await;
    journey
        .wait_text("[data-testid=sso-continue]", "organisation's sign-in")
        .await;
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=gate-password]"))
            .await
            .is_err(),
        "the gate asks an SSO organisation's admin for a password"
    );
    screenshots(&journey, "42-sso-gate").await;
    journey.click("[data-testid=sso-continue]").await;
    sign_in_at_the_provider(&journey, &provider, "admin@contoso.com").await;
    journey
        .wait_text("[data-testid=sign-in-method-value]", "Single sign-on")
        .await;
    assert_eq!(
        journey.text_of("[data-testid=sign-in-issuer]").await,
        provider.issuer
    );
    assert_eq!(journey.path_and_query().await, "/admin");
    // The admin view itself, which only a global or billing admin is shown.
    journey.wait_text("[data-testid=policies]", "Allowed").await;
    screenshots(&journey, "43-sso-admin").await;
    journey.finish().await;
}

/// The provider does not ask whether a person may buy: a guest of the organisation signs in
/// there, comes back to the seats step, and is told why not (as a password sign-in is) instead
/// of a price the server refuses.
#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_guest_back_from_the_provider_is_told_guests_cannot_buy() {
    let journey = Journey::start().await;
    let provider = contoso_signs_in_at_a_provider(&journey);
    let guest = "gina_fabrikam.nl#ext#@contoso.onmicrosoft.com";
    to_the_sign_in_step(&journey, guest).await;
    journey.click("[data-testid=sso-continue]").await;
    sign_in_at_the_provider(&journey, &provider, guest).await;
    let panel = journey
        .wait_text("[data-testid=contact-admin]", "Guests can't buy here")
        .await;
    assert!(panel.contains("home organisation"), "{panel}");
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=seats-form]"))
            .await
            .is_err(),
        "a guest is offered seats"
    );
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=error-panel]"))
            .await
            .is_err(),
        "a refused price shows as a failure"
    );
    journey
        .assert_accessible("seats step, refused after SSO")
        .await;
    journey.finish().await;
}

/// A failure that comes back to `/` with nowhere saved to resume (the sign-in began in another
/// tab) is announced on the products page.
#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_failure_with_nowhere_to_resume_is_announced_on_the_home_page() {
    let journey = Journey::start().await;
    journey.open("/?sso_error=provider_error").await;
    journey.text_of("[data-testid=product-list]").await;
    let alert = journey.element("[data-testid=sso-error]").await;
    assert_eq!(alert.attr("role").await.unwrap().as_deref(), Some("alert"));
    journey
        .wait_text("[data-testid=sso-error]", "cancelled or refused")
        .await;
    assert_eq!(journey.path_and_query().await, "/?sso_error=provider_error");
    journey.finish().await;
}

/// The gate asked for a password (the organisation had none set up when the address was
/// checked); the server answers `sso_required` and the gate switches to the provider.
#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn the_gate_switches_to_the_provider_when_the_server_requires_it() {
    let journey = Journey::start().await;
    journey.open("/admin").await;
    journey
        .fill("[data-testid=gate-email]", "admin@contoso.com")
        .await;
    journey.click("[data-testid=gate-continue]").await;
    journey.element("[data-testid=gate-password]").await;
    // Now the organisation turns on its provider.
    let provider = contoso_signs_in_at_a_provider(&journey);
    journey
        .fill("[data-testid=gate-password]", "selfserve-demo")
        .await;
    journey.click("[data-testid=gate-submit]").await;
    journey
        .wait_text("[data-testid=sso-continue]", "organisation's sign-in")
        .await;
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=gate-password]"))
            .await
            .is_err(),
        "the password field stays after sso_required"
    );
    journey.click("[data-testid=sso-continue]").await;
    sign_in_at_the_provider(&journey, &provider, "admin@contoso.com").await;
    journey
        .wait_text("[data-testid=sign-in-method-value]", "Single sign-on")
        .await;
    assert_eq!(journey.path_and_query().await, "/admin");
    journey.finish().await;
}
