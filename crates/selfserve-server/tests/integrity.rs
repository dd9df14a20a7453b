//! Money moves exactly once, whatever happens to the process: the real server is aborted at
//! every recorded phase of a purchase, a seat increase, a bill payment and a renewal (the
//! test-only fault hook, `SELFSERVE_TEST_CRASH_AT`), and killed with SIGKILL under load;
//! restarted on the same database, the gateway's charges equal the paid orders, no key stays
//! locked, the seat invariant holds and SQLite's file is sound. One `Idempotency-Key` sent
//! 1,000 times at once buys once. Each of these runs against both processors: the built-in
//! gateway and Stripe (the real localstripe), whose charges are read from its API. On
//! PostgreSQL too (`SELFSERVE_TEST_POSTGRES`). And a write dropped at any of its waits (a
//! client that hung up) leaves no transaction open (`cancelled.rs`).

#[path = "integrity/cancelled.rs"]
mod cancelled;
#[path = "integrity/processor.rs"]
mod processor;
mod support;

use processor::{Kind, Processor};
use selfserve_api::subscription::{InvoiceStatus, OrderKind, OrderPhase, Subscription};
use selfserve_api::{ErrorCode, List};
use selfserve_server::fault::{CRASH_AT_ENV, CrashPoint};
use selfserve_server::server::SOLE_SERVER_ENV;
use serde_json::{Value, json};
use sqlx::Row;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::app::{Client, fresh_database};
use support::process::ServerProcess;

/// Runs `$body(Kind)` as two tests, `$name::builtin` and `$name::stripe`.
macro_rules! on_both_processors {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn builtin() {
                super::$body(super::Kind::Builtin).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn stripe() {
                super::$body(super::Kind::Stripe).await
            }
        }
    };
}

// After the macro: it is in scope only below its definition.
#[path = "integrity/refunds.rs"]
mod refunds;
#[path = "integrity/take_over.rs"]
mod take_over;

/// One database and its processor, and the servers started on them one after another.
struct Site {
    dir: tempfile::TempDir,
    dist: std::path::PathBuf,
    url: String,
    processor: Processor,
}

impl Site {
    async fn new(kind: Kind) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        let url = fresh_database(dir.path()).await;
        let processor = Processor::start(kind);
        Self {
            dir,
            dist,
            url,
            processor,
        }
    }

    /// The real binary on this site's database; on PostgreSQL it is told it is the only
    /// server, so that it settles at start-up what the killed one left (SQLite always does).
    fn start(&self, crash_at: Option<CrashPoint>) -> ServerProcess {
        let processor_env = self.processor.env(self.dir.path());
        let mut env: Vec<(&str, &str)> = processor_env
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        env.push((SOLE_SERVER_ENV, "1"));
        if let Some(point) = crash_at {
            env.push((CRASH_AT_ENV, point.as_str()));
        }
        ServerProcess::start_on(&self.dist, self.dir.path(), &self.url, &env)
    }

    async fn card(&self, client: &Client, number: &str) -> String {
        self.processor.card(client, number).await
    }

    /// What the database and the processor say after a crash and restart.
    async fn audit(&self) -> Audit {
        audit(&self.url, &self.processor).await
    }
}

async fn signed_in(server: &ServerProcess, email: &str) -> Client {
    let client = Client::new(server.base.clone(), server.gateway.clone());
    assert_eq!(client.sign_in(email).await.status, 200);
    client
}

/// What the database says after a crash and restart.
#[derive(Debug, PartialEq, Eq)]
struct Audit {
    /// Charges that succeeded at the processor with no paid order of the same amount and
    /// currency under their key.
    charges_without_order: i64,
    /// Paid card orders without a successful charge of their amount and currency under their key.
    orders_without_charge: i64,
    succeeded_charges: i64,
    keys_in_progress: i64,
    /// Subscriptions whose count of assigned seats is above the quantity or off the rows.
    seat_violations: i64,
    integrity: String,
}

async fn scalar(db: &mut sqlx::AnyConnection, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get::<i64, _>(0)
        .unwrap()
}

async fn audit(url: &str, processor: &Processor) -> Audit {
    use sqlx::ConnectOptions;
    sqlx::any::install_default_drivers();
    let options: sqlx::any::AnyConnectOptions = url.parse().unwrap();
    let mut db = options
        .connect()
        .await
        .expect("the test reads the database");
    let charges = processor.charges(&mut db).await;
    let mut paid: Vec<processor::Charge> = sqlx::query(
        "SELECT id, amount, currency FROM orders WHERE phase = 'paid' \
         AND payment_source IS NOT NULL",
    )
    .fetch_all(&mut db)
    .await
    .unwrap()
    .iter()
    .map(|row| processor::Charge {
        key: format!("charge_{}", row.get::<String, _>("id")),
        amount: row.get("amount"),
        currency: row.get::<String, _>("currency").to_ascii_lowercase(),
    })
    .collect();
    paid.sort();
    let charges_without_order = charges.iter().filter(|c| !paid.contains(c)).count() as i64;
    let orders_without_charge = paid.iter().filter(|o| !charges.contains(o)).count() as i64;
    let succeeded_charges = charges.len() as i64;
    let keys_in_progress = scalar(
        &mut db,
        "SELECT COUNT(*) FROM idempotency_keys WHERE state = 'in_progress'",
    )
    .await;
    let seat_violations = scalar(
        &mut db,
        "SELECT COUNT(*) FROM subscriptions s WHERE s.assigned_count > s.quantity OR \
         s.assigned_count <> (SELECT COUNT(*) FROM assignments a WHERE a.subscription_id = s.id)",
    )
    .await;
    let integrity = if url.starts_with("sqlite:") {
        sqlx::query("PRAGMA integrity_check")
            .fetch_one(&mut db)
            .await
            .unwrap()
            .try_get::<String, _>(0)
            .unwrap()
    } else {
        "ok".to_owned()
    };
    Audit {
        charges_without_order,
        orders_without_charge,
        succeeded_charges,
        keys_in_progress,
        seat_violations,
        integrity,
    }
}

fn sound(succeeded_charges: i64) -> Audit {
    Audit {
        charges_without_order: 0,
        orders_without_charge: 0,
        succeeded_charges,
        keys_in_progress: 0,
        seat_violations: 0,
        integrity: "ok".to_owned(),
    }
}

/// What is done to the armed server, and retried (same key, same body) after the restart.
struct Step {
    path: String,
    key: Option<&'static str>,
    body: Value,
}

/// Runs `step` on a server armed to abort at `point`, checks that it died, restarts, retries,
/// and returns the retry's reply (`None` for a step that is not retried: a renewal).
async fn crash_and_retry(
    site: &Site,
    point: CrashPoint,
    step: &Step,
) -> (ServerProcess, Option<support::app::Reply>) {
    let mut armed = site.start(Some(point));
    let megan = signed_in(&armed, "megan@contoso.com").await;
    let mut request = megan.http.post(megan.url(&step.path)).json(&step.body);
    if let Some(key) = step.key {
        request = request.header("Idempotency-Key", key);
    }
    let cut_off = request.send().await;
    assert!(
        cut_off.is_err(),
        "{point:?}: the server dies before answering: {cut_off:?}"
    );
    let status = armed
        .group
        .wait_exit(Duration::from_secs(20))
        .expect("the fault hook aborted the process");
    assert!(!status.success(), "{point:?}: {status:?}");

    let restarted = site.start(None);
    let megan = signed_in(&restarted, "megan@contoso.com").await;
    let retry = match step.key {
        Some(key) => Some(megan.post_with_key(&step.path, key, &step.body).await),
        None => None,
    };
    (restarted, retry)
}

/// Sets up with an unarmed server, which stops gracefully before the armed one starts.
async fn set_up<F, Fut, T>(site: &Site, setup: F) -> T
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let server = site.start(None);
    let megan = signed_in(&server, "megan@contoso.com").await;
    let value = setup(megan).await;
    drop(server);
    value
}

fn purchase_body(token: &str) -> Value {
    json!({"product": "power-bi-pro", "quantity": 2, "payment_token": token})
}

async fn bought(site: &Site, megan: &Client) -> Subscription {
    let token = site.card(megan, "4242424242424242").await;
    megan
        .purchase("setup-purchase", &purchase_body(&token))
        .await
        .expect_as(201, "the purchase before the crash")
}

on_both_processors!(
    a_purchase_killed_at_every_phase_is_charged_once,
    a_purchase_killed_at_every_phase_is_charged_once_on
);

async fn a_purchase_killed_at_every_phase_is_charged_once_on(kind: Kind) {
    for point in CrashPoint::ALL {
        let site = Site::new(kind).await;
        let token = set_up(&site, |megan: Client| {
            let site = &site;
            async move { site.card(&megan, "4242424242424242").await }
        })
        .await;
        let step = Step {
            path: "/api/v1/purchases".into(),
            key: Some("crashing-purchase"),
            body: purchase_body(&token),
        };
        let (server, retry) = crash_and_retry(&site, point, &step).await;
        let sub: Subscription = retry
            .unwrap()
            .expect_as(201, &format!("{point:?}: retried"));
        assert_eq!(sub.quantity, 2);
        let megan = signed_in(&server, "megan@contoso.com").await;
        let list: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
        assert_eq!(list.data.len(), 1, "{point:?}: bought once");
        assert_eq!(site.audit().await, sound(1), "{point:?}");
    }
}

on_both_processors!(
    a_seat_increase_killed_at_every_phase_is_charged_once,
    a_seat_increase_killed_at_every_phase_is_charged_once_on
);

async fn a_seat_increase_killed_at_every_phase_is_charged_once_on(kind: Kind) {
    for point in CrashPoint::ALL {
        let site = Site::new(kind).await;
        let sub = set_up(&site, |megan: Client| {
            let site = &site;
            async move { bought(site, &megan).await }
        })
        .await;
        let step = Step {
            path: format!("/api/v1/subscriptions/{}/seats", sub.id),
            key: Some("crashing-increase"),
            body: json!({"quantity": 5}),
        };
        let (_server, retry) = crash_and_retry(&site, point, &step).await;
        let after: Subscription = retry
            .unwrap()
            .expect_as(200, &format!("{point:?}: retried"));
        assert_eq!(after.quantity, 5, "{point:?}");
        let increases = after
            .orders
            .iter()
            .filter(|o| o.kind == OrderKind::SeatIncrease && o.status == OrderPhase::Paid)
            .count();
        assert_eq!(increases, 1, "{point:?}: {:?}", after.orders);
        assert_eq!(site.audit().await, sound(2), "{point:?}");
    }
}

on_both_processors!(
    a_bill_payment_killed_at_every_phase_is_charged_once,
    a_bill_payment_killed_at_every_phase_is_charged_once_on
);

async fn a_bill_payment_killed_at_every_phase_is_charged_once_on(kind: Kind) {
    for point in CrashPoint::ALL {
        let site = Site::new(kind).await;
        let (invoice, token) = set_up(&site, |megan: Client| {
            let site = &site;
            async move {
                let sub = bought(site, &megan).await;
                let failing = site.card(&megan, "4000000000000341").await;
                let _: Subscription = megan
                    .put_as(
                        &format!("/api/v1/subscriptions/{}/payment-method", sub.id),
                        &json!({"payment_token": failing}),
                    )
                    .await;
                megan.advance_days(31).await;
                let overdue: Subscription = megan
                    .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
                    .await;
                let invoice = overdue.latest_invoice.expect("the unpaid renewal bill");
                assert_eq!(invoice.status, InvoiceStatus::PastDue);
                (invoice.id, site.card(&megan, "4242424242424242").await)
            }
        })
        .await;
        let step = Step {
            path: format!("/api/v1/invoices/{invoice}/pay"),
            key: Some("crashing-payment"),
            body: json!({"payment_token": token}),
        };
        let (_server, retry) = crash_and_retry(&site, point, &step).await;
        let paid: Value = retry
            .unwrap()
            .expect_as(200, &format!("{point:?}: retried"));
        assert_eq!(paid["status"], "paid", "{point:?}: {paid}");
        assert_eq!(site.audit().await, sound(2), "{point:?}");
    }
}

on_both_processors!(
    a_renewal_killed_at_every_phase_is_charged_once,
    a_renewal_killed_at_every_phase_is_charged_once_on
);

async fn a_renewal_killed_at_every_phase_is_charged_once_on(kind: Kind) {
    for point in [
        CrashPoint::OrderRecorded,
        CrashPoint::Charged,
        CrashPoint::Settled,
    ] {
        let site = Site::new(kind).await;
        let sub = set_up(&site, |megan: Client| {
            let site = &site;
            async move { bought(site, &megan).await }
        })
        .await;
        let step = Step {
            path: "/api/v1/test-clock/advance".into(),
            key: None,
            body: json!({"days": 31}),
        };
        let (server, _) = crash_and_retry(&site, point, &step).await;
        // Start-up settled what the killed run left: the renewal is paid, once.
        let megan = signed_in(&server, "megan@contoso.com").await;
        let after: Subscription = megan
            .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
            .await;
        let renewals: Vec<_> = after
            .orders
            .iter()
            .filter(|o| o.kind == OrderKind::Renewal)
            .map(|o| o.status)
            .collect();
        assert_eq!(renewals, [OrderPhase::Paid], "{point:?}");
        assert_eq!(site.audit().await, sound(2), "{point:?}");
    }
}

on_both_processors!(a_thousand_purchases_with_one_key_buy_once, one_key_on);

async fn one_key_on(kind: Kind) {
    let site = Site::new(kind).await;
    let server = site.start(None);
    let megan = signed_in(&server, "megan@contoso.com").await;
    let token = site.card(&megan, "4242424242424242").await;
    let body = purchase_body(&token);
    let started = Instant::now();
    // One client, one connection pool: a thousand requests in flight at once.
    let replies =
        futures_util::future::join_all((0..1000).map(|_| megan.purchase("one-key-for-all", &body)))
            .await;
    let elapsed = started.elapsed();
    let created: Vec<&str> = replies
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.text.as_str())
        .collect();
    let in_progress = replies
        .iter()
        .filter(|r| r.is_error(409, ErrorCode::IdempotencyInProgress))
        .count();
    assert_eq!(
        created.len() + in_progress,
        1000,
        "only the stored 201 or 409: {:?}",
        replies.iter().find(|r| r.status != 201 && r.status != 409)
    );
    assert!(
        created.windows(2).all(|w| w[0] == w[1]),
        "every 201 is the stored response, byte for byte"
    );
    assert!(!created.is_empty());
    let list: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert_eq!(list.data.len(), 1, "one subscription");
    assert_eq!(
        site.audit().await,
        sound(1),
        "one charge, no key left locked"
    );
    eprintln!(
        "1000 concurrent purchases, one key, {kind:?}: {} × 201, {in_progress} × 409 in {elapsed:?}",
        created.len()
    );
}

/// Purchases from `workers` clients until `stop`; returns the subscriptions answered 201.
async fn buy_until(
    server: &ServerProcess,
    stop: Arc<AtomicBool>,
    bought: Arc<AtomicUsize>,
    worker: usize,
) -> Vec<String> {
    let megan = signed_in(server, "megan@contoso.com").await;
    let mut ids = Vec::new();
    for attempt in 0.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(response) = megan
            .http
            .post(format!("{}/v1/tokens", megan.gateway))
            .json(
                &json!({"number": "4242424242424242", "exp_month": 12, "exp_year": 2034,
                          "cvc": "123", "name": "Load"}),
            )
            .send()
            .await
        else {
            break;
        };
        let Ok(token) = response.json::<Value>().await else {
            break;
        };
        let token = token["token"].as_str().unwrap_or_default().to_owned();
        let Ok(response) = megan
            .http
            .post(megan.url("/api/v1/purchases"))
            .header("Idempotency-Key", format!("load-{worker}-{attempt}"))
            .json(&json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}))
            .send()
            .await
        else {
            break;
        };
        if response.status().as_u16() != 201 {
            continue;
        }
        // Only a complete 2xx answer counts as acknowledged.
        let Ok(sub) = response.json::<Subscription>().await else {
            break;
        };
        ids.push(sub.id);
        bought.fetch_add(1, Ordering::SeqCst);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_purchase_answered_before_a_kill_is_there_after_the_restart() {
    let site = Site::new(Kind::Builtin).await;
    let mut server = site.start(None);
    let stop = Arc::new(AtomicBool::new(false));
    let bought = Arc::new(AtomicUsize::new(0));
    let server_ref = &server;
    let workers = futures_util::future::join_all((0..8).map(|worker| {
        let (stop, bought) = (stop.clone(), bought.clone());
        async move { buy_until(server_ref, stop, bought, worker).await }
    }));
    let killer = async {
        let deadline = Instant::now() + Duration::from_secs(60);
        while bought.load(Ordering::SeqCst) < 40 {
            assert!(Instant::now() < deadline, "no load got through");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        libc_kill(server_ref);
        stop.store(true, Ordering::SeqCst);
    };
    let (acknowledged, ()) = tokio::join!(workers, killer);
    let acknowledged: Vec<String> = acknowledged.into_iter().flatten().collect();
    let status = server.group.kill();
    assert!(!status.success());

    let restarted = site.start(None);
    let megan = signed_in(&restarted, "megan@contoso.com").await;
    for id in &acknowledged {
        let sub: Subscription = megan.get_as(&format!("/api/v1/subscriptions/{id}")).await;
        assert_eq!(sub.orders[0].status, OrderPhase::Paid, "{id}");
    }
    let audit = site.audit().await;
    assert!(
        audit.succeeded_charges >= acknowledged.len() as i64,
        "{audit:?}"
    );
    assert_eq!(
        (
            audit.charges_without_order,
            audit.orders_without_charge,
            audit.seat_violations,
            audit.integrity.as_str()
        ),
        (0, 0, 0, "ok"),
        "{audit:?}"
    );
    eprintln!(
        "kill -9 under load: {} purchases acknowledged, all there; {} charges = paid orders",
        acknowledged.len(),
        audit.succeeded_charges
    );
}

/// SIGKILL to the server's own process group, while the workers still send.
fn libc_kill(server: &ServerProcess) {
    let pid = server.group.pid() as i32;
    // SAFETY: killpg only sends a signal, to the group our own child leads.
    #[allow(unsafe_code)]
    unsafe {
        libc::killpg(pid, libc::SIGKILL);
    }
}
