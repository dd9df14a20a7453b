//! The `selfserve-server` binary as operators use it: flags, output lines, exit codes, signals.

mod support;

use selfserve_api::List;
use selfserve_api::subscription::{InvoiceStatus, OrderPhase, Subscription};
use serde_json::json;
use std::process::Command;
use std::time::Duration;
use support::app::Client;
use support::process::{Group, ServerProcess};

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_prints_its_addresses_answers_and_stops_cleanly_on_sigterm() {
    let dist = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(dist.path());
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );
    assert!(server.gateway.starts_with("http://127.0.0.1:"));
    assert_ne!(server.base, server.gateway, "the gateway is its own origin");
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);

    let status = server
        .group
        .terminate(Duration::from_secs(20))
        .expect("server stops after SIGTERM");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("shutting down"), "{log}");
}

#[test]
fn flags_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = binary();
    command
        .arg("serve")
        .env("SELFSERVE_LISTEN", "127.0.0.1:0")
        .env("SELFSERVE_GATEWAY_LISTEN", "127.0.0.1:0")
        .env(
            "SELFSERVE_DATABASE",
            format!("sqlite://{}", dir.path().join("env.db").display()),
        )
        .env("SELFSERVE_DIST", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let (_group, stdout) = Group::spawn(command);
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout.unwrap()), &mut first).unwrap();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(dir.path().join("env.db").exists());
}

#[test]
fn directory_import_is_idempotent_and_reports_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("import.db").display());
    let file = dir.path().join("directory.json");
    std::fs::write(&file, selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let import = || {
        let output = binary()
            .args(["directory", "import"])
            .arg(&file)
            .args(["--database", &database])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let first = import();
    assert!(first.contains("organizations: 11 created"), "{first}");
    assert!(first.contains("users: 27 created"), "{first}");
    let second = import();
    assert_eq!(
        second.trim(),
        "organizations: 0 created, 0 updated, 11 unchanged; \
         users: 0 created, 0 updated, 27 unchanged, 0 removed"
    );
}

#[test]
fn an_invalid_directory_file_changes_nothing_and_says_where_it_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("bad.db").display());
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        r#"{"organizations": [{"name": "X", "domains": ["x.com"], "kind": "commercial",
            "country": "US", "users": [{"email": "not-an-email", "name": "N"}]}]}"#,
    )
    .unwrap();
    let output = binary()
        .args(["directory", "import"])
        .arg(&file)
        .args(["--database", &database])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("organizations[0].users[0].email"),
        "{stderr}"
    );

    let missing = binary()
        .args([
            "directory",
            "import",
            "/no/such/file.json",
            "--database",
            &database,
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_cut_off_after_the_charge_is_finished_on_restart_and_charged_once() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let mut crashing = ServerProcess::start_in(
        &dist,
        dir.path(),
        &[(
            selfserve_server::services::payments::CRASH_AFTER_CHARGE_ENV,
            "1",
        )],
    );
    let megan = Client::new(crashing.base.clone(), crashing.gateway.clone());
    assert_eq!(megan.sign_in("megan@contoso.com").await.status, 200);
    let token = megan.token("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 4, "payment_token": token});
    let cut_off = megan
        .http
        .post(megan.url("/api/v1/purchases"))
        .header("Idempotency-Key", "cut-off-attempt")
        .json(&body)
        .send()
        .await;
    assert!(cut_off.is_err(), "the server dies before answering");
    crashing
        .group
        .wait_exit(Duration::from_secs(20))
        .expect("the fault injection aborted the process");

    let restarted = ServerProcess::start_in(&dist, dir.path(), &[]);
    let megan = Client::new(restarted.base.clone(), restarted.gateway.clone());
    assert_eq!(megan.sign_in("megan@contoso.com").await.status, 200);
    // The client retries with the same key, as the app does after a network error.
    let subscription: Subscription = megan
        .purchase("cut-off-attempt", &body)
        .await
        .expect_as(201, "the retried purchase");
    assert_eq!(subscription.quantity, 4);
    assert_eq!(
        subscription.latest_invoice.expect("the bill").status,
        InvoiceStatus::Paid
    );
    let list: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert_eq!(list.data.len(), 1, "finished, not duplicated");
    let orders = &list.data[0].orders;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status, OrderPhase::Paid);
    let log = std::fs::read_to_string(&restarted.log).unwrap();
    assert!(log.contains("recovered a paid purchase"), "{log}");
}
