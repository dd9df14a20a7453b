//! Refunds from the command line (`selfserve-server invoice refund`) with the built-in gateway:
//! the real binary against the database of a running server, on SQLite or PostgreSQL. Stripe's
//! side is in `stripe/money.rs`.

mod support;

use selfserve_api::List;
use selfserve_api::admin::AuditEntry;
use selfserve_api::subscription::Invoice;
use selfserve_server::fault::{CRASH_AT_ENV, CrashPoint};
use sqlx::{Connection, Row};
use std::process::{Command, Output};
use support::app::{TestApp, spawn_app};

/// `invoice refund INVOICE_ID ARGS…` on the app's database.
fn refund_command(app: &TestApp, invoice_id: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfserve-server"));
    command
        .args(["invoice", "refund", invoice_id])
        .args(args)
        .args(["--database", &app.database_url])
        .env_remove("SELFSERVE_STRIPE_SECRET_KEY_FILE");
    command
}

fn refund(app: &TestApp, invoice_id: &str, args: &[&str]) -> Output {
    refund_command(app, invoice_id, args)
        .output()
        .expect("run the binary")
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The built-in gateway's refunds of the charge that paid `invoice_id`: (key, amount).
async fn gateway_refunds(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("SELECT idempotency_key, amount FROM gateway_refunds ORDER BY idempotency_key")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get("idempotency_key"), row.get("amount")))
        .collect()
}

/// Megan buys two seats; her paid bill.
async fn paid_bill(app: &TestApp) -> Invoice {
    let megan = app.as_user("megan@contoso.com").await;
    megan.buy(2).await.latest_invoice.expect("a paid bill")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bill_is_refunded_in_part_then_the_rest_never_more_and_the_purchaser_and_admins_see_it() {
    let app = spawn_app().await;
    let bill = paid_bill(&app).await;
    let total = bill.total;
    assert!(total > 500);
    assert_eq!(bill.amount_refunded, 0);

    let part = refund(
        &app,
        &bill.id,
        &["--amount", "500", "--reason", "Ticket 42"],
    );
    assert!(part.status.success(), "{}", text(&part));
    assert!(
        String::from_utf8_lossy(&part.stdout).contains("refunded 500 USD"),
        "{}",
        text(&part)
    );

    let too_much = refund(
        &app,
        &bill.id,
        &["--amount", &total.to_string(), "--reason", "Ticket 42"],
    );
    assert!(!too_much.status.success(), "{}", text(&too_much));
    assert!(
        String::from_utf8_lossy(&too_much.stderr).contains(&format!(
            "only {} of {} is left",
            total - 500,
            bill.id
        )),
        "{}",
        text(&too_much)
    );

    let rest = refund(&app, &bill.id, &["--reason", "Cancelled through support"]);
    assert!(rest.status.success(), "{}", text(&rest));
    assert!(
        String::from_utf8_lossy(&rest.stdout).contains(&format!("refunded {} USD", total - 500)),
        "{}",
        text(&rest)
    );
    let nothing_left = refund(&app, &bill.id, &["--reason", "Again"]);
    assert!(!nothing_left.status.success(), "{}", text(&nothing_left));
    assert!(
        String::from_utf8_lossy(&nothing_left.stderr).contains("only 0 of"),
        "{}",
        text(&nothing_left)
    );

    for (args, says) in [
        (&["--amount", "0", "--reason", "x"][..], "more than zero"),
        (&["--amount", "100", "--reason", "  "][..], "must say why"),
    ] {
        let refused = refund(&app, &bill.id, args);
        assert!(!refused.status.success(), "{}", text(&refused));
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(says),
            "{}",
            text(&refused)
        );
    }
    let unknown = refund(&app, "in_nothing", &["--reason", "x"]);
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no invoice in_nothing"),
        "{}",
        text(&unknown)
    );

    assert_eq!(
        gateway_refunds(&app).await,
        vec![
            (format!("refund_{}_1", bill.id), 500),
            (format!("refund_{}_2", bill.id), total - 500),
        ],
        "each refund under the bill's key and sequence"
    );
    let megan = app.as_user("megan@contoso.com").await;
    let seen: Invoice = megan.get_as(&format!("/api/v1/invoices/{}", bill.id)).await;
    assert_eq!(
        seen.amount_refunded, total,
        "the purchaser sees the refunds"
    );
    assert_eq!(seen.total, total);

    let admin = app.as_user("admin@contoso.com").await;
    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=refunded").await;
    let mut reasons: Vec<(String, i64, String)> = log
        .data
        .iter()
        .map(|entry| {
            let after = entry.after.as_ref().expect("what was refunded");
            (
                entry.actor.clone(),
                after["amount"].as_i64().unwrap(),
                after["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        vec![
            ("CLI".to_owned(), 500, "Ticket 42".to_owned()),
            (
                "CLI".to_owned(),
                total - 500,
                "Cancelled through support".to_owned()
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refunds_of_one_bill_never_sum_past_what_was_paid() {
    let app = spawn_app().await;
    let bill = paid_bill(&app).await;
    // Each asks for more than half: at most one can go through, whatever the interleaving.
    let amount = (bill.total / 2 + 1).to_string();
    let children: Vec<_> = (0..4)
        .map(|n| {
            refund_command(
                &app,
                &bill.id,
                &["--amount", &amount, "--reason", &format!("run {n}")],
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the binary")
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    let succeeded = outputs.iter().filter(|o| o.status.success()).count();
    let all: Vec<String> = outputs.iter().map(text).collect();
    assert_eq!(succeeded, 1, "{all:#?}");
    for refused in outputs.iter().filter(|o| !o.status.success()) {
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("is left to refund"),
            "{}",
            text(refused)
        );
    }
    let refunds = gateway_refunds(&app).await;
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].1, bill.total / 2 + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_cut_off_after_the_gateway_refunded_is_finished_once_by_running_it_again() {
    let app = spawn_app().await;
    let bill = paid_bill(&app).await;
    let args = ["--amount", "700", "--reason", "Ticket 7"];
    let cut_off = refund_command(&app, &bill.id, &args)
        .env(CRASH_AT_ENV, CrashPoint::Refunded.as_str())
        .output()
        .unwrap();
    assert!(!cut_off.status.success(), "{}", text(&cut_off));
    assert!(
        String::from_utf8_lossy(&cut_off.stderr).contains("test fault injection"),
        "{}",
        text(&cut_off)
    );
    assert_eq!(gateway_refunds(&app).await.len(), 1, "the gateway refunded");

    let again = refund(&app, &bill.id, &args);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("finished 700 USD"),
        "{}",
        text(&again)
    );
    assert_eq!(
        gateway_refunds(&app).await,
        vec![(format!("refund_{}_1", bill.id), 700)],
        "refunded once"
    );
    let megan = app.as_user("megan@contoso.com").await;
    let seen: Invoice = megan.get_as(&format!("/api/v1/invoices/{}", bill.id)).await;
    assert_eq!(seen.amount_refunded, 700);
    let admin = app.as_user("admin@contoso.com").await;
    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=refunded").await;
    assert_eq!(log.data.len(), 1, "one audit entry: {:?}", log.data);
}
