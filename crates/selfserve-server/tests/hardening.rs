//! Attacks on sign-in, cookies, origins and hosts, each against a real server: guessing
//! bursts from many addresses, concurrent guesses, floods of oversized emails (memory measured
//! from the real binary's /proc status), the argon2 bound, and the response headers.

#[path = "hardening/hint.rs"]
mod hint;
mod support;
#[path = "hardening/web.rs"]
mod web;

use futures_util::StreamExt;
use selfserve_api::ErrorCode;
use selfserve_server::http::throttle::ThrottleClock;
use selfserve_server::http::throttle::sign_in::VerifyGate;
use selfserve_server::server::Tuning;
use serde_json::json;
use std::time::Duration;
use support::app::{DEMO_PASSWORD, Reply, Spawn, TestApp, spawn_app_with};
use support::process::ServerProcess;

/// A demo server behind a trusted proxy on 127.0.0.1, with throttle time stopped and a
/// verification bound that queues instead of refusing (so the counts are exact).
async fn behind_proxy() -> TestApp {
    spawn_app_with(Spawn {
        demo: true,
        trusted_proxies: vec!["127.0.0.1/32"],
        tuning: Tuning {
            throttle_clock: ThrottleClock::frozen(),
            verify_gate: Some(VerifyGate::new(2, Duration::from_secs(600))),
        },
        ..Spawn::default()
    })
    .await
}

/// `POST /session` as the client at `address` (through the trusted proxy).
async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> Reply {
    let response = app
        .new_client()
        .http
        .post(app.url("/api/v1/session"))
        .header("X-Forwarded-For", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    Reply::read(response).await
}

fn count(replies: &[Reply], status: u16) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

#[tokio::test]
async fn a_burst_of_1000_wrong_passwords_from_many_addresses_leaves_the_real_user_in() {
    let app = behind_proxy().await;
    let megan = "megan@contoso.com";
    let usual = "198.51.100.10";
    sign_in_from(&app, usual, megan, DEMO_PASSWORD)
        .await
        .expect_as::<serde_json::Value>(200, "Megan at her usual address");

    // 1,000 guesses from 25 addresses, 50 at a time.
    let replies: Vec<Reply> = futures_util::stream::iter(0..1000)
        .map(|i| {
            let app = &app;
            async move {
                let address = format!("203.0.113.{}", i % 25 + 1);
                sign_in_from(app, &address, megan, &format!("guess-{i}")).await
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    let (wrong, refused) = (count(&replies, 401), count(&replies, 429));
    assert_eq!(
        wrong + refused,
        1000,
        "only 401 and 429: {:?}",
        &replies[..3]
    );
    assert_eq!(
        wrong, 99,
        "the account's bucket for new addresses holds 100: Megan's first sign-in (her address \
         was new then) and 99 guesses"
    );
    for reply in replies.iter().filter(|r| r.status == 429) {
        reply.error(429, ErrorCode::TooManyAttempts);
        assert!(reply.headers.contains_key("retry-after"));
    }

    // Megan, from her usual address, is not held by what strangers did.
    sign_in_from(&app, usual, megan, DEMO_PASSWORD)
        .await
        .expect_as::<serde_json::Value>(200, "Megan after the burst");
    // A new address waits, even with the right password, until the bucket refills.
    sign_in_from(&app, "192.0.2.77", megan, DEMO_PASSWORD)
        .await
        .error(429, ErrorCode::TooManyAttempts);
    app.server.throttles.clock().advance(600);
    sign_in_from(&app, "192.0.2.77", megan, DEMO_PASSWORD)
        .await
        .expect_as::<serde_json::Value>(200, "a new address once the bucket refilled");
}

#[tokio::test]
async fn concurrent_guesses_take_their_tokens_before_argon2() {
    let app = behind_proxy().await;
    let replies: Vec<Reply> =
        futures_util::future::join_all(
            (0..60).map(|i| {
                let app = &app;
                async move {
                    sign_in_from(app, "203.0.113.5", "lee@contoso.com", &format!("g{i}")).await
                }
            }),
        )
        .await;
    assert_eq!(
        (count(&replies, 401), count(&replies, 429)),
        (30, 30),
        "exactly the 30 of the account-and-address bucket are verified"
    );
}

#[tokio::test]
async fn two_servers_on_one_database_count_as_one() {
    let app = behind_proxy().await;
    let second = selfserve_server::server::start(selfserve_server::server::ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        gateway_listen: "127.0.0.1:0".parse().unwrap(),
        database: app.database_url.clone(),
        dist: app.dir.path().join("dist"),
        demo: true,
        test_clock: false,
        secure_cookies: false,
        public_url: None,
        gateway_public_url: None,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        processor: selfserve_server::payments::ProcessorOptions::Builtin,
        mail: selfserve_server::notifications::sender::MailOptions::from_args(
            None,
            None,
            None,
            app.dir.path().join("outbox"),
        )
        .unwrap(),
        webhook_targets: selfserve_server::admin_webhooks::WebhookTargets::PublicOnly,
        seller: selfserve_server::seller::Seller::default(),
        tuning: Tuning {
            throttle_clock: app.server.throttles.clock().clone(),
            verify_gate: None,
        },
    })
    .await
    .expect("a second server on the same database");
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for i in 0..31 {
        let base = if i % 2 == 0 {
            app.base.clone()
        } else {
            format!("http://{}", second.addr)
        };
        let response = http
            .post(format!("{base}/api/v1/session"))
            .header("X-Forwarded-For", "203.0.113.8")
            .json(&json!({"email": "lee@contoso.com", "password": "x"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(&statuses[..30], &[401; 30][..]);
    assert_eq!(
        statuses[30], 429,
        "the 31st guess is refused, whichever server got the others"
    );
    second.shutdown().await;
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    // No --trusted-proxy: the header is the client's word, and every request counts as the
    // loopback peer it really is (loopback is throttled like any other address).
    let app = spawn_app_with(Spawn {
        demo: true,
        tuning: Tuning {
            throttle_clock: ThrottleClock::frozen(),
            verify_gate: Some(VerifyGate::new(2, Duration::from_secs(600))),
        },
        ..Spawn::default()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..31 {
        let reply = sign_in_from(&app, &format!("10.9.0.{i}"), "lee@contoso.com", "x").await;
        statuses.push(reply.status);
    }
    assert_eq!(&statuses[..30], &[401; 30][..]);
    assert_eq!(
        statuses[30], 429,
        "a spoofed X-Forwarded-For buys no new bucket"
    );
}

#[tokio::test]
async fn card_testing_through_a_trusted_proxy_is_throttled_per_client() {
    // Behind nginx every request to the gateway comes from the proxy's loopback address; the
    // client it forwards for is the one counted, in the database's buckets.
    let app = behind_proxy().await;
    let tokenise = |address: &'static str| {
        let request = app
            .http
            .post(format!("{}/v1/tokens", app.gateway))
            .header("X-Forwarded-For", address)
            .json(
                &json!({"number": "4242424242424242", "exp_month": 12, "exp_year": 2034,
                          "cvc": "123", "name": "Card Tester"}),
            );
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let mut statuses = Vec::new();
    for _ in 0..61 {
        statuses.push(tokenise("203.0.113.40").await);
    }
    assert_eq!(&statuses[..60], &[200; 60][..], "60 cards a minute pass");
    assert_eq!(
        statuses[60], 429,
        "the 61st card from that client is refused"
    );
    assert_eq!(
        tokenise("203.0.113.41").await,
        200,
        "another client behind the same proxy is not"
    );
}

#[tokio::test]
async fn ipv6_clients_are_counted_per_64() {
    let app = behind_proxy().await;
    for i in 0..30 {
        let address = format!("2001:db8:1:2::{:x}", i + 1);
        let reply = sign_in_from(&app, &address, "lee@contoso.com", "x").await;
        assert_eq!(reply.status, 401, "{reply:?}");
    }
    sign_in_from(&app, "2001:db8:1:2:ffff::9", "lee@contoso.com", "x")
        .await
        .error(429, ErrorCode::TooManyAttempts);
    let other_64 = sign_in_from(&app, "2001:db8:1:3::1", "lee@contoso.com", "x").await;
    assert_eq!(other_64.status, 401, "another /64 is another client");
}

#[tokio::test]
async fn malformed_and_oversized_emails_are_refused_before_any_throttle() {
    let app = behind_proxy().await;
    let long_local = format!("{}@contoso.com", "a".repeat(300));
    sign_in_from(&app, "203.0.113.1", &long_local, "x")
        .await
        .error(401, ErrorCode::InvalidCredentials);
    sign_in_from(&app, "203.0.113.1", "not an email", "x")
        .await
        .error(401, ErrorCode::InvalidCredentials);
    let huge = format!("{}@contoso.com", "a".repeat(200 * 1024));
    sign_in_from(&app, "203.0.113.1", &huge, "x")
        .await
        .error(413, ErrorCode::PayloadTooLarge);
    assert_eq!(
        app.server.store.throttle_bucket_count().await.unwrap(),
        0,
        "no bucket was made for input that cannot be an account"
    );

    // Buckets of real attempts expire once full again.
    sign_in_from(&app, "203.0.113.1", "lee@contoso.com", "x").await;
    assert!(app.server.store.throttle_bucket_count().await.unwrap() > 0);
    app.server.throttles.clock().advance(3600);
    selfserve_server::server::sweep(&app.server.services, &app.server.throttles)
        .await
        .unwrap();
    assert_eq!(app.server.store.throttle_bucket_count().await.unwrap(), 0);
}

#[tokio::test]
async fn password_verifications_past_the_bound_get_503_with_retry_after() {
    let app = spawn_app_with(Spawn {
        demo: true,
        trusted_proxies: vec!["127.0.0.1/32"],
        tuning: Tuning {
            throttle_clock: ThrottleClock::frozen(),
            // One at a time, nobody waits in line.
            verify_gate: Some(VerifyGate::new(1, Duration::ZERO)),
        },
        ..Spawn::default()
    })
    .await;
    let replies: Vec<Reply> =
        futures_util::future::join_all((0..24).map(|i| {
            let app = &app;
            async move {
                sign_in_from(app, &format!("203.0.113.{}", i + 1), "lee@contoso.com", "x").await
            }
        }))
        .await;
    let busy: Vec<&Reply> = replies.iter().filter(|r| r.status == 503).collect();
    assert!(!busy.is_empty(), "24 at once cannot all fit one permit");
    assert_eq!(busy.len() + count(&replies, 401), 24);
    for reply in busy {
        reply.error(503, ErrorCode::ServiceUnavailable);
        assert_eq!(reply.headers["retry-after"], "1");
    }
}

/// The server's resident memory in KiB, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// The real binary behind a trusted proxy on loopback.
fn real_server() -> (ServerProcess, tempfile::TempDir) {
    let dist = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start_in(
        dist.path(),
        dir.path(),
        &[("SELFSERVE_TRUSTED_PROXIES", "127.0.0.1/32")],
    );
    server.dir = Some(dir);
    (server, dist)
}

async fn raw_sign_in(
    http: &reqwest::Client,
    base: &str,
    address: &str,
    body: String,
) -> reqwest::StatusCode {
    http.post(format!("{base}/api/v1/session"))
        .header("X-Forwarded-For", address)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .map(|r| r.status())
        // The server answered 413 and closed the connection before the upload ended.
        .unwrap_or(CLOSED_MID_UPLOAD)
}

/// What [`raw_sign_in`] gives when the server closed the connection while the body was still
/// being sent (it refuses an oversized body without reading it).
const CLOSED_MID_UPLOAD: reqwest::StatusCode = reqwest::StatusCode::IM_A_TEAPOT;

#[tokio::test]
async fn two_hundred_200_kb_emails_are_refused_and_memory_stays_flat() {
    let (server, _dist) = real_server();
    let pid = server.group.pid();
    let http = reqwest::Client::new();
    let warm = raw_sign_in(
        &http,
        &server.base,
        "198.51.100.1",
        json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD}).to_string(),
    )
    .await;
    assert_eq!(warm, 200);
    let before = rss_kib(pid);
    let email = format!("{}@contoso.com", "a".repeat(200 * 1024));
    let statuses: Vec<u16> = futures_util::stream::iter(0..200)
        .map(|i| {
            let body = json!({"email": email, "password": "x"}).to_string();
            let (http, base) = (&http, &server.base);
            async move {
                raw_sign_in(http, base, &format!("203.0.113.{}", i % 200 + 1), body)
                    .await
                    .as_u16()
            }
        })
        .buffer_unordered(20)
        .collect()
        .await;
    let after = rss_kib(pid);
    eprintln!("200 x 200 KB emails: VmRSS {before} KiB -> {after} KiB");
    let refused = statuses.iter().filter(|s| **s == 413).count();
    assert!(
        statuses
            .iter()
            .all(|s| *s == 413 || *s == CLOSED_MID_UPLOAD.as_u16()),
        "{statuses:?}"
    );
    assert!(
        refused >= 100,
        "most see the 413 before the close: {statuses:?}"
    );
    assert!(
        after < before + 16 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );
}

#[tokio::test]
async fn memory_stays_bounded_under_10000_hostile_sign_ins() {
    let (server, _dist) = real_server();
    let pid = server.group.pid();
    let http = reqwest::Client::new();
    let usual = "198.51.100.10";
    let megan =
        |password: &str| json!({"email": "megan@contoso.com", "password": password}).to_string();
    assert_eq!(
        raw_sign_in(&http, &server.base, usual, megan(DEMO_PASSWORD)).await,
        200
    );
    let before = rss_kib(pid);
    let started = std::time::Instant::now();
    let statuses: Vec<u16> = futures_util::stream::iter(0..10_000u32)
        .map(|i| {
            let (http, base) = (&http, &server.base);
            async move {
                let (address, body) = match i % 4 {
                    // Oversized bodies.
                    0 => (
                        format!("203.0.113.{}", i % 250 + 1),
                        json!({"email": format!("{}@x.example", "a".repeat(20 * 1024)), "password": "x"}).to_string(),
                    ),
                    // Malformed emails.
                    1 => (
                        format!("203.0.113.{}", i % 250 + 1),
                        json!({"email": format!("{}@x.example", "b".repeat(300)), "password": "x"}).to_string(),
                    ),
                    // Wrong passwords on one account from 2,500 different addresses.
                    2 => (
                        format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255),
                        megan(&format!("guess-{i}")),
                    ),
                    // Made-up accounts from 2,500 addresses of one IPv6 /64.
                    _ => (
                        format!("2001:db8:42:7::{i:x}"),
                        json!({"email": format!("nobody{i}@contoso.com"), "password": "x"}).to_string(),
                    ),
                };
                raw_sign_in(http, base, &address, body).await.as_u16()
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let after = rss_kib(pid);
    let elapsed = started.elapsed();
    let mut by_status = std::collections::BTreeMap::new();
    for status in &statuses {
        *by_status.entry(*status).or_insert(0) += 1;
    }
    eprintln!(
        "10,000 hostile sign-ins in {elapsed:?}: {by_status:?}; VmRSS {before} KiB -> {after} KiB"
    );
    assert!(
        statuses
            .iter()
            .all(|s| [401, 413, 418, 429, 503].contains(s)),
        "{by_status:?}"
    );
    assert!(
        after < before + 64 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );
    assert_eq!(
        raw_sign_in(&http, &server.base, usual, megan(DEMO_PASSWORD)).await,
        200,
        "Megan still signs in from her usual address"
    );
}
