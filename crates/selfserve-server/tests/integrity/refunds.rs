//! A refund cut off after the processor refunded (`SELFSERVE_TEST_CRASH_AT=refunded`) is
//! finished by the server's start-up recovery, once, without anybody running the command again.

use super::*;

/// `invoice refund` on the site's database, with the processor's settings.
fn refund_command(
    site: &Site,
    invoice_id: &str,
    crash_at: Option<CrashPoint>,
) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"));
    command
        .args(["invoice", "refund", invoice_id, "--amount", "500"])
        .args(["--reason", "Ticket 11", "--database", &site.url])
        .env_remove("SELFSERVE_STRIPE_SECRET_KEY_FILE")
        .envs(site.processor.env(site.dir.path()));
    if let Some(point) = crash_at {
        command.env(CRASH_AT_ENV, point.as_str());
    }
    command.output().expect("run the binary")
}

pub(super) async fn connect(url: &str) -> sqlx::AnyConnection {
    use sqlx::ConnectOptions;
    sqlx::any::install_default_drivers();
    let options: sqlx::any::AnyConnectOptions = url.parse().unwrap();
    options
        .connect()
        .await
        .expect("the test reads the database")
}

/// The bill's refunds as (state, amount), and its `refunded` audit entries.
pub(super) async fn recorded(site: &Site, invoice_id: &str) -> (Vec<(String, i64)>, i64) {
    let mut db = connect(&site.url).await;
    let refunds = sqlx::query("SELECT state, amount FROM invoice_refunds WHERE invoice_id = $1")
        .bind(invoice_id)
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get("state"), row.get("amount")))
        .collect();
    let events = scalar(
        &mut db,
        "SELECT COUNT(*) FROM events WHERE kind = 'refunded'",
    )
    .await;
    (refunds, events)
}

on_both_processors!(
    a_refund_cut_off_after_the_processor_refunded_is_finished_at_start_up,
    refund_cut_off_on
);

async fn refund_cut_off_on(kind: Kind) {
    let site = Site::new(kind).await;
    let server = site.start(None);
    let megan = signed_in(&server, "megan@contoso.com").await;
    let bill = bought(&site, &megan)
        .await
        .latest_invoice
        .expect("the paid bill");

    let cut_off = refund_command(&site, &bill.id, Some(CrashPoint::Refunded));
    assert!(
        !cut_off.status.success()
            && String::from_utf8_lossy(&cut_off.stderr).contains("test fault injection"),
        "the run dies after the processor refunded: {cut_off:?}"
    );
    let refund_key = format!("refund_{}_1", bill.id);
    let mut db = connect(&site.url).await;
    assert_eq!(
        site.processor.refunds(&mut db).await,
        vec![(refund_key.clone(), 500)],
        "the processor refunded"
    );
    assert_eq!(
        recorded(&site, &bill.id).await,
        (vec![("pending".to_owned(), 500)], 0),
        "not settled yet"
    );

    drop(server);
    let restarted = site.start(None);
    // Start-up recovery runs before the server listens: settled by now.
    assert_eq!(
        recorded(&site, &bill.id).await,
        (vec![("succeeded".to_owned(), 500)], 1),
        "finished once, with its audit entry"
    );
    assert_eq!(
        site.processor.refunds(&mut db).await,
        vec![(refund_key, 500)],
        "the recorded key sent again refunded nothing more"
    );
    let megan = signed_in(&restarted, "megan@contoso.com").await;
    let seen: selfserve_api::subscription::Invoice =
        megan.get_as(&format!("/api/v1/invoices/{}", bill.id)).await;
    assert_eq!(seen.amount_refunded, 500, "shown on the purchaser's bill");
    let log = std::fs::read_to_string(&restarted.log).unwrap();
    assert!(log.contains("finished a refund left pending"), "{log}");
    assert_eq!(site.audit().await, sound(1));
}
