//! Cookies, origins, hosts, content types and response headers.

use crate::support::app::{Reply, Spawn, spawn_app, spawn_app_with};
use selfserve_api::ErrorCode;
use serde_json::json;

async fn send(request: reqwest::RequestBuilder) -> Reply {
    Reply::read(request.send().await.unwrap()).await
}

#[tokio::test]
async fn behind_tls_only_the_host_prefixed_cookie_counts_and_every_response_has_hsts() {
    let app = spawn_app_with(Spawn {
        demo: true,
        secure_cookies: true,
        ..Spawn::default()
    })
    .await;
    let http = reqwest::Client::new();
    let signed_in = send(
        http.post(app.url("/api/v1/session"))
            .json(&json!({"email": "lee@contoso.com", "password": crate::DEMO_PASSWORD})),
    )
    .await;
    assert_eq!(signed_in.status, 200, "{signed_in:?}");
    let cookie = signed_in.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-selfserve_session="), "{cookie}");
    let id = cookie.split(';').next().unwrap().split_once('=').unwrap().1;

    let planted = send(
        http.get(app.url("/api/v1/session"))
            .header("Cookie", format!("selfserve_session={id}")),
    )
    .await;
    planted.error(401, ErrorCode::NotAuthenticated);
    let real = send(
        http.get(app.url("/api/v1/session"))
            .header("Cookie", format!("__Host-selfserve_session={id}")),
    )
    .await;
    assert_eq!(real.status, 200);
    for reply in [
        &signed_in,
        &planted,
        &real,
        &send(http.get(app.url("/healthz"))).await,
    ] {
        assert!(
            reply.headers["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age="),
            "{reply:?}"
        );
    }
    assert_eq!(real.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn the_origin_check_compares_scheme_host_and_port_and_foreign_hosts_get_400() {
    let app = spawn_app_with(Spawn {
        demo: true,
        public_url: Some("https://shop.example"),
        ..Spawn::default()
    })
    .await;
    let http = reqwest::Client::new();
    let post_from = |origin: String| {
        http.post(app.url("/api/v1/products"))
            .header("Origin", origin)
            .header("Content-Type", "application/json")
            .body("{}")
    };
    let https_bind = app.base.replacen("http://", "https://", 1);
    send(post_from(https_bind))
        .await
        .error(403, ErrorCode::ForbiddenOrigin);
    send(post_from("http://shop.example".into()))
        .await
        .error(403, ErrorCode::ForbiddenOrigin);
    // Our origins reach routing (405: the route has no POST).
    assert_eq!(
        send(post_from("https://shop.example".into())).await.status,
        405
    );
    assert_eq!(send(post_from(app.base.clone())).await.status, 405);

    // DNS rebinding: a page of another name resolving to us.
    send(
        http.get(app.url("/api/v1/products"))
            .header("Host", "attacker.example"),
    )
    .await
    .error(400, ErrorCode::InvalidRequest);
    let public_host = send(
        http.get(app.url("/api/v1/products"))
            .header("Host", "shop.example"),
    )
    .await;
    assert_eq!(public_host.status, 200, "{public_host:?}");
    let health = send(http.get(app.url("/healthz")).header("Host", "10.0.0.7")).await;
    assert_eq!(health.status, 200, "load balancers probe by address");
}

#[tokio::test]
async fn take_over_refuses_a_body_that_is_not_json() {
    let app = spawn_app().await;
    let admin = app.as_user("admin@contoso.com").await;
    let reply = send(
        admin
            .http
            .post(app.url("/api/v1/admin/subscriptions/sub_x/take-over"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("central_subscription_id=sub_y"),
    )
    .await;
    reply.error(415, ErrorCode::UnsupportedMediaType);
}

#[tokio::test]
async fn the_test_clock_is_404_whatever_the_body_when_off() {
    let app = spawn_app_with(Spawn {
        demo: true,
        no_test_clock: true,
        ..Spawn::default()
    })
    .await;
    let http = reqwest::Client::new();
    for (content_type, body) in [("text/plain", "garbage"), ("application/json", "{not json")] {
        send(
            http.post(app.url("/api/v1/test-clock/advance"))
                .header("Content-Type", content_type)
                .body(body),
        )
        .await
        .error(404, ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn signed_in_responses_are_not_stored_and_request_ids_are_ours() {
    let app = spawn_app().await;
    let lee = app.as_user("lee@contoso.com").await;
    for path in [
        "/api/v1/session",
        "/api/v1/subscriptions",
        "/api/v1/products",
    ] {
        let reply = lee.get(path).await;
        assert_eq!(
            reply.headers["cache-control"], "no-store",
            "{path}: {reply:?}"
        );
    }
    let reply = send(
        reqwest::Client::new()
            .get(app.url("/healthz"))
            .header("X-Request-Id", "req-forged-1"),
    )
    .await;
    let ours = reply.headers["x-request-id"].to_str().unwrap();
    assert_ne!(ours, "req-forged-1");
    assert!(ours.starts_with("req-"), "{ours}");
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_expired_sessions_are_swept() {
    let app = spawn_app().await;
    let lee = app.as_user("lee@contoso.com").await;
    assert_eq!(lee.get("/api/v1/session").await.status, 200);

    let mut directory: serde_json::Value =
        serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let lee_entry = directory
        .pointer_mut("/organizations/0/users/2")
        .expect("lee in the demo directory");
    assert_eq!(lee_entry["email"], "lee@contoso.com");
    lee_entry["enabled"] = json!(false);
    let directory =
        selfserve_server::domain::directory::Directory::parse(&directory.to_string()).unwrap();
    let now = app.server.services.clock.now();
    selfserve_server::directory_import::import(&app.server.store, &directory, now)
        .await
        .unwrap();
    lee.get("/api/v1/session")
        .await
        .error(401, ErrorCode::NotAuthenticated);
    let lee_id = app.user_id("lee@contoso.com").await;
    assert_eq!(
        app.server.store.delete_sessions_of(&lee_id).await.unwrap(),
        0,
        "the import already deleted them"
    );

    // A session past the absolute timeout is deleted by the sweep, not only refused.
    let megan_id = app.user_id("megan@contoso.com").await;
    let long_ago = app.server.services.clock.real_now() - 13 * 3600;
    app.server
        .store
        .insert_session("stale-session-hash", &megan_id, long_ago)
        .await
        .unwrap();
    selfserve_server::server::sweep(&app.server.services, &app.server.throttles)
        .await
        .unwrap();
    assert!(
        app.server
            .store
            .session("stale-session-hash")
            .await
            .unwrap()
            .is_none()
    );
}
