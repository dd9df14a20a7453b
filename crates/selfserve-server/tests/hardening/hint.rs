//! The signed-in hint: a script-readable cookie beside the session cookie, so the app asks
//! `GET /session` only when someone may be signed in. Set with every session, cleared with it,
//! and cleared when the server finds the session gone; it grants nothing.

use crate::support::app::{DEMO_PASSWORD, Reply, Spawn, spawn_app, spawn_app_with};
use selfserve_api::ErrorCode;
use serde_json::json;

async fn send(request: reqwest::RequestBuilder) -> Reply {
    Reply::read(request.send().await.unwrap()).await
}

fn set_cookies(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The `Set-Cookie` for `name`, if the reply has one.
fn cookie<'a>(cookies: &'a [String], name: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(String::as_str)
}

fn attributes(cookie: &str) -> Vec<&str> {
    cookie.split(';').skip(1).map(str::trim).collect()
}

/// Both cookies are cleared (empty, `Max-Age=0`).
#[track_caller]
fn assert_both_cleared(reply: &Reply, session: &str, hint: &str) {
    let cookies = set_cookies(reply);
    for name in [session, hint] {
        let cleared = cookie(&cookies, name).unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        assert!(
            cleared.starts_with(&format!("{name}=;")) && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
    }
}

#[tokio::test]
async fn the_hint_comes_and_goes_with_the_session_and_proves_nothing() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();

    // Signing in sets the session and the hint, with the same lifetime and rules; only the
    // hint is readable by scripts, and it says nothing but "1".
    let signed_in = send(
        http.post(app.url("/api/v1/session"))
            .json(&json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD})),
    )
    .await;
    assert_eq!(signed_in.status, 200, "{signed_in:?}");
    let cookies = set_cookies(&signed_in);
    let session = cookie(&cookies, "selfserve_session").expect("session cookie");
    let hint = cookie(&cookies, "selfserve_signed_in").expect("hint cookie");
    assert!(hint.starts_with("selfserve_signed_in=1;"), "{hint}");
    assert!(attributes(session).contains(&"HttpOnly"), "{session}");
    assert!(!attributes(hint).contains(&"HttpOnly"), "{hint}");
    let without_http_only: Vec<&str> = attributes(session)
        .into_iter()
        .filter(|a| *a != "HttpOnly")
        .collect();
    assert_eq!(
        attributes(hint),
        without_http_only,
        "same rules: {cookies:?}"
    );
    let id = session
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();

    // The hint alone is nobody: 401, and the server clears it.
    let hint_only = send(
        http.get(app.url("/api/v1/session"))
            .header("Cookie", "selfserve_signed_in=1"),
    )
    .await;
    hint_only.error(401, ErrorCode::NotAuthenticated);
    assert_both_cleared(&hint_only, "selfserve_session", "selfserve_signed_in");

    // A live session with its hint: no cookie is touched.
    let both = format!("selfserve_session={id}; selfserve_signed_in=1");
    let live = send(http.get(app.url("/api/v1/session")).header("Cookie", &both)).await;
    assert_eq!(live.status, 200, "{live:?}");
    assert!(set_cookies(&live).is_empty(), "{:?}", set_cookies(&live));

    // A failed sign-in of a signed-in browser leaves its session (and hint) alone.
    let wrong = send(
        http.post(app.url("/api/v1/session"))
            .header("Cookie", &both)
            .json(&json!({"email": "megan@contoso.com", "password": "wrong"})),
    )
    .await;
    wrong.error(401, ErrorCode::InvalidCredentials);
    assert!(set_cookies(&wrong).is_empty(), "{:?}", set_cookies(&wrong));

    // Signing out clears both.
    let signed_out = send(
        http.delete(app.url("/api/v1/session"))
            .header("Cookie", &both),
    )
    .await;
    assert_eq!(signed_out.status, 200, "{signed_out:?}");
    assert_both_cleared(&signed_out, "selfserve_session", "selfserve_signed_in");

    // The ended session, still in another tab's cookies: refused, and both cleared.
    let ended = send(http.get(app.url("/api/v1/session")).header("Cookie", &both)).await;
    ended.error(401, ErrorCode::NotAuthenticated);
    assert_both_cleared(&ended, "selfserve_session", "selfserve_signed_in");

    // A made-up session id: the same.
    let invalid = send(
        http.get(app.url("/api/v1/subscriptions"))
            .header("Cookie", "selfserve_session=made-up; selfserve_signed_in=1"),
    )
    .await;
    invalid.error(401, ErrorCode::NotAuthenticated);
    assert_both_cleared(&invalid, "selfserve_session", "selfserve_signed_in");

    // Someone who never signed in gets the 401 and no cookies at all.
    let anonymous = send(http.get(app.url("/api/v1/session"))).await;
    anonymous.error(401, ErrorCode::NotAuthenticated);
    assert!(set_cookies(&anonymous).is_empty(), "{anonymous:?}");
}

#[tokio::test]
async fn behind_tls_the_hint_is_host_prefixed_and_secure() {
    let app = spawn_app_with(Spawn {
        demo: true,
        secure_cookies: true,
        ..Spawn::default()
    })
    .await;
    let http = reqwest::Client::new();
    let signed_in = send(
        http.post(app.url("/api/v1/session"))
            .json(&json!({"email": "lee@contoso.com", "password": DEMO_PASSWORD})),
    )
    .await;
    assert_eq!(signed_in.status, 200, "{signed_in:?}");
    let cookies = set_cookies(&signed_in);
    assert!(
        cookies[0].starts_with("__Host-selfserve_session="),
        "the session cookie comes first: {cookies:?}"
    );
    let hint = cookie(&cookies, "__Host-selfserve_signed_in").expect("hint cookie");
    let attributes = attributes(hint);
    for expected in ["Path=/", "Secure", "SameSite=Strict"] {
        assert!(attributes.contains(&expected), "{hint}");
    }
    assert!(!attributes.contains(&"HttpOnly"), "{hint}");
    let expired = send(
        http.get(app.url("/api/v1/session"))
            .header("Cookie", "__Host-selfserve_signed_in=1"),
    )
    .await;
    expired.error(401, ErrorCode::NotAuthenticated);
    assert_both_cleared(
        &expired,
        "__Host-selfserve_session",
        "__Host-selfserve_signed_in",
    );
}
