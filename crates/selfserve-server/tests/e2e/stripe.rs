//! Buying through the app with Stripe as the card processor, in Chromium: the server binary
//! runs with `--payments stripe` against a real localstripe, and the app loads localstripe's
//! Stripe.js stand-in (`--stripe-js-url`), under the page's CSP, and mounts its card Element.
//!
//! DRIVEN THROUGH LOCALSTRIPE'S API: the stand-in's `stripe.createPaymentMethod` is an empty
//! stub (it resolves to nothing), and localstripe's `POST /v1/payment_methods` takes only a
//! secret key, which a browser must never hold. So for that one call a wrapper, installed in
//! every document before the stand-in runs, hands the card typed into the stand-in's Element
//! to this test, which creates the PaymentMethod at localstripe's API and resolves the app's
//! `createPaymentMethod` call with it. The same wrapper keeps the stand-in's global `class
//! Element` from hiding the DOM's `Element` (see [`STAND_IN_WRAPPER`]). Everything else is the real path: Stripe.js loaded from
//! the configured URL, the Element mounted by the app, the card typed into it, the `pm_…` id
//! (never the number) sent to our server, the PaymentIntent charged at localstripe.
//!
//! 3-D Secure is the real path end to end: the server's 402 carries the intent's client
//! secret, the app calls the stand-in's own `stripe.confirmCardPayment`, which shows its
//! bank's box and tells localstripe the outcome itself, and the app pays again.

use super::{Journey, OnEveryDocument, choose_seats, dist, start_and_sign_in};
use crate::support::process::ServerProcess;
use crate::support::real_servers::stripe::LocalStripe;
use sqlx::Row;
use std::time::Duration;

/// Wraps the stand-in's `Stripe(key)` as it is defined (a setter on `window.Stripe`, which the
/// stand-in assigns as its last statement):
/// - its `createPaymentMethod` parks the typed card for the test and waits for the test's
///   PaymentMethod (see the module docs);
/// - THE STAND-IN'S `Element`: it declares `class Element` at the top level of a classic
///   script, which makes a global binding that hides the DOM's `Element` from every script of
///   the page, the app's wasm-bindgen glue included: its `instanceof Element` then fails for
///   every DOM element, and Leptos panics ("placeholder parent should be Element") the first
///   time it checks a parent, e.g. when the review step replaces the card step. Stripe's own
///   Stripe.js declares no globals but `Stripe`. So the binding is given back the DOM's
///   `Element` as soon as the stand-in has run, and holds the stand-in's class only while its
///   `elements().create` (the one call that builds one) runs.
const STAND_IN_WRAPPER: &str = "(() => {
  let wrapped;
  Object.defineProperty(window, 'Stripe', {
    configurable: true,
    get() { return wrapped; },
    set(make) {
      const standInElement = Element;
      Element = window.Element;
      wrapped = key => {
        const stripe = make(key);
        const elements = stripe.elements;
        stripe.elements = () => {
          const made = elements();
          const create = made.create;
          made.create = function (...args) {
            Element = standInElement;
            try { return create.apply(this, args); } finally { Element = window.Element; }
          };
          return made;
        };
        stripe.createPaymentMethod = options => {
          window.__typedCard = options.card.value.card;
          return new Promise(resolve => { window.__paymentMethodFromTest = resolve; });
        };
        return stripe;
      };
    },
  });
})();";

async fn start_in_stripe_mode() -> (Journey, LocalStripe) {
    let stripe = LocalStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("stripe-secret-key");
    std::fs::write(&key_file, LocalStripe::SECRET_KEY).unwrap();
    let key_file = key_file.to_str().unwrap().to_owned();
    let js_url = stripe.stripe_js_url();
    let server = ServerProcess::start_in(
        &dist(),
        dir.path(),
        &[
            ("SELFSERVE_PAYMENTS", "stripe"),
            ("SELFSERVE_STRIPE_SECRET_KEY_FILE", &key_file),
            (
                "SELFSERVE_STRIPE_PUBLISHABLE_KEY",
                LocalStripe::PUBLISHABLE_KEY,
            ),
            ("SELFSERVE_STRIPE_API_BASE", &stripe.api_base),
            ("SELFSERVE_STRIPE_JS_URL", &js_url),
        ],
    );
    let base = server.base.clone();
    let journey = Journey::in_browser(server, base, &[], vec![Box::new(dir)]).await;
    journey
        .client
        .issue_cmd(OnEveryDocument(STAND_IN_WRAPPER))
        .await
        .expect("the createPaymentMethod wrapper is installed");
    (journey, stripe)
}

/// Waits for the card the app handed to `createPaymentMethod`, creates the PaymentMethod at
/// localstripe with it, and gives the app localstripe's answer.
async fn create_payment_method_at_localstripe(journey: &Journey, stripe: &LocalStripe) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let typed = loop {
        let typed = journey
            .client
            .execute("return window.__typedCard || null;", vec![])
            .await
            .unwrap();
        if !typed.is_null() {
            break typed;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the app never called createPaymentMethod; {}",
            journey.whereabouts().await
        );
        // Polls the page for a condition.
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let field = |name: &str| typed[name].as_str().unwrap_or_default().to_owned();
    let (status, method) = stripe
        .post(
            "payment_methods",
            &[
                ("type", "card"),
                ("card[number]", &field("number")),
                ("card[exp_month]", &field("exp_month")),
                ("card[exp_year]", &field("exp_year")),
                ("card[cvc]", &field("cvc")),
            ],
        )
        .await;
    assert_eq!(status, 200, "localstripe refused the typed card: {method}");
    journey
        .client
        .execute(
            "window.__paymentMethodFromTest({paymentMethod: arguments[0]});",
            vec![method.clone()],
        )
        .await
        .unwrap();
    method["id"].as_str().unwrap().to_owned()
}

/// Types `number` into the stand-in's Element and continues; the PaymentMethod is made at
/// localstripe as the module docs say. Returns its id.
async fn enter_card_in_stripe_js(journey: &Journey, stripe: &LocalStripe, number: &str) -> String {
    for (field, value) in [
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", super::CVC),
        ("postal_code", "10001"),
    ] {
        journey
            .fill(
                &format!("[data-testid=stripe-card] input[placeholder={field}]"),
                value,
            )
            .await;
    }
    journey.click("[data-testid=card-submit]").await;
    let method = create_payment_method_at_localstripe(journey, stripe).await;
    assert!(method.starts_with("pm_"), "{method}");
    method
}

/// Succeeded charges at localstripe and our paid orders, each as sorted (amount, currency).
async fn charges_and_paid_orders(
    journey: &Journey,
    stripe: &LocalStripe,
) -> (Vec<(i64, String)>, Vec<(i64, String)>) {
    let (status, list) = stripe.get("charges?limit=100").await;
    assert_eq!(status, 200, "{list}");
    let mut charges: Vec<(i64, String)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|charge| charge["status"] == "succeeded")
        .map(|charge| {
            (
                charge["amount"].as_i64().unwrap(),
                charge["currency"].as_str().unwrap().to_ascii_lowercase(),
            )
        })
        .collect();
    charges.sort();
    use sqlx::ConnectOptions;
    sqlx::any::install_default_drivers();
    let options: sqlx::any::AnyConnectOptions =
        format!("sqlite://{}", journey.server.database.display())
            .parse()
            .unwrap();
    let mut db = options
        .connect()
        .await
        .expect("the test reads the database");
    let rows = sqlx::query(
        "SELECT amount, currency FROM orders WHERE phase = 'paid' AND payment_source IS NOT NULL",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut orders: Vec<(i64, String)> = rows
        .iter()
        .map(|row| (row.get("amount"), row.get("currency")))
        .collect();
    orders.sort();
    (charges, orders)
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_buyer_pays_with_stripe_js_and_localstripe_holds_exactly_the_paid_order() {
    let (journey, stripe) = start_in_stripe_mode().await;
    start_and_sign_in(&journey, "megan@contoso.com").await;
    journey
        .wait_text("[data-testid=step-count]", "Step 3 of 5")
        .await;
    choose_seats(&journey, 5).await;
    // The app mounted the stand-in's Element (its inputs are the stand-in's own), loaded from
    // the URL the server configured.
    journey
        .element("[data-testid=stripe-card] input[placeholder=number]")
        .await;
    let loaded_from = journey
        .client
        .execute("return document.getElementById('stripe-js').src;", vec![])
        .await
        .unwrap();
    assert_eq!(loaded_from, stripe.stripe_js_url().as_str());
    // No card form of ours: the number is typed into Stripe's Element only.
    assert!(
        journey
            .client
            .find(fantoccini::Locator::Css("[data-testid=card-number]"))
            .await
            .is_err(),
        "our own card form is shown in Stripe mode"
    );
    let method = enter_card_in_stripe_js(&journey, &stripe, "4242424242424242").await;
    journey
        .wait_text("[data-testid=review-card]", "Visa •••• 4242")
        .await;
    journey.wait_text("[data-testid=pay]", "Pay $70.00").await;
    journey.click("[data-testid=pay]").await;
    journey
        .wait_text("[data-testid=confirmation]", "Purchase complete")
        .await;
    assert_eq!(
        journey.text_of("[data-testid=confirmation-paid]").await,
        "$70.00"
    );
    let (charges, orders) = charges_and_paid_orders(&journey, &stripe).await;
    assert_eq!(charges, vec![(7000, "usd".to_owned())]);
    assert_eq!(charges, orders, "localstripe's charges vs our paid orders");
    // The PaymentMethod localstripe charged is the one the browser handed over.
    let (_, list) = stripe.get("payment_intents?limit=10").await;
    assert_eq!(list["data"][0]["payment_method"], method.as_str(), "{list}");
    journey.finish().await;
    drop(stripe);
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_card_whose_bank_asks_is_confirmed_in_stripe_js_and_charged_once() {
    let (journey, stripe) = start_in_stripe_mode().await;
    start_and_sign_in(&journey, "megan@contoso.com").await;
    journey
        .wait_text("[data-testid=step-count]", "Step 3 of 5")
        .await;
    choose_seats(&journey, 5).await;
    // localstripe's card whose bank asks for 3-D Secure on every payment.
    let method = enter_card_in_stripe_js(&journey, &stripe, "4000002760003184").await;
    journey
        .wait_text("[data-testid=review-card]", "Visa •••• 3184")
        .await;
    journey.wait_text("[data-testid=pay]", "Pay $70.00").await;
    journey.click("[data-testid=pay]").await;
    // The server's 402 carries the intent's client secret and the app hands it to Stripe.js's
    // `confirmCardPayment`, which shows the bank's page itself (the stand-in: a box of its own
    // with two buttons); the built-in gateway's dialog stays closed.
    let complete = journey
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(fantoccini::Locator::XPath(
            "//button[text()='Complete authentication']",
        ))
        .await
        .expect("Stripe.js shows the bank's check");
    let ours_open = journey
        .client
        .execute(
            "return document.querySelector('[data-testid=three-d-secure]').open;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(ours_open, false, "the built-in gateway's dialog opened");
    complete.click().await.unwrap();
    // Paid again with a new key, which settles the intent the buyer authenticated.
    journey
        .wait_text("[data-testid=confirmation]", "Purchase complete")
        .await;
    let (charges, orders) = charges_and_paid_orders(&journey, &stripe).await;
    assert_eq!(charges, vec![(7000, "usd".to_owned())]);
    assert_eq!(charges, orders, "localstripe's charges vs our paid orders");
    let (_, intents) = stripe.get("payment_intents?limit=10").await;
    let intents = intents["data"].as_array().unwrap();
    assert_eq!(intents.len(), 1, "one PaymentIntent: {intents:?}");
    assert_eq!(intents[0]["payment_method"], method.as_str());
    journey.finish().await;
    drop(stripe);
}
