//! Starting and stopping the two listeners (app + API, and the test card gateway).

use crate::auth::sessions::{ABSOLUTE_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS};
use crate::clock::Clock;
use crate::directory_import;
use crate::domain::directory::Directory;
use crate::gateway::Gateway;
use crate::http::client_address::{Cidr, TrustedProxies};
use crate::http::site::{Origin, Site};
use crate::http::throttle::sign_in::VerifyGate;
use crate::http::throttle::{ThrottleClock, Throttles};
use crate::http::{self, AppState};
use crate::notifications::sender::{MailOptions, MailWake, Sender};
use crate::payments::{Payments, ProcessorOptions};
use crate::services::Services;
use crate::services::authentications::reconcile_abandoned;
use crate::services::billing::{BillingReport, run_due};
use crate::services::payments::{RECOVERY_LEASE_SECONDS, recover};
use crate::services::refunds::recover_refunds;
use crate::services::retention;
use crate::store::{Store, StoreError};
use crate::stripe::Stripe;
use axum::serve::{ListenerExt, TapIo};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What `serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address of the app and API.
    pub listen: SocketAddr,
    /// Address of the test card gateway (a different origin from the app).
    pub gateway_listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://…`.
    pub database: String,
    /// The Trunk-built app.
    pub dist: PathBuf,
    /// Load the demo directory on first start.
    pub demo: bool,
    /// Allow `POST /api/v1/test-clock/advance`.
    pub test_clock: bool,
    /// Only the `__Host-` session cookie, and HSTS (behind TLS).
    pub secure_cookies: bool,
    /// `--public-url`: the origin browsers use (default: the bound address).
    pub public_url: Option<Origin>,
    /// `--gateway-public-url`: the test gateway's origin for browsers (default: its bound
    /// address).
    pub gateway_public_url: Option<Origin>,
    /// `--trusted-proxy`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<Cidr>,
    /// `--payments`: the built-in test gateway or Stripe.
    pub processor: ProcessorOptions,
    /// `--smtp-url`, `--mail-from`, or `.eml` files.
    pub mail: MailOptions,
    /// `--allow-private-webhook-targets`: where admin webhooks may point.
    pub webhook_targets: crate::admin_webhooks::WebhookTargets,
    /// `--seller-name`, `--terms-url`, `--privacy-url` (each absent unless given).
    pub seller: crate::seller::Seller,
    /// Knobs tests turn (never flags).
    pub tuning: Tuning,
}

/// What tests set to make timing-dependent behaviour deterministic.
#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// The clock throttle buckets refill by (tests freeze it).
    pub throttle_clock: ThrottleClock,
    /// The bound on concurrent password verifications (default: one per core, 2 s in line).
    pub verify_gate: Option<VerifyGate>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The demo directory could not be imported.
    #[error("loading the demo directory failed: {0}")]
    Demo(#[from] directory_import::ImportError),
    /// The mail settings cannot be used.
    #[error("mail: {0}")]
    Mail(String),
    /// A listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A server that is accepting connections.
#[derive(Debug)]
pub struct RunningServer {
    /// Where the app and API answer.
    pub addr: SocketAddr,
    /// Where the test card gateway answers.
    pub gateway_addr: SocketAddr,
    /// The database (tests inspect it).
    pub store: Store,
    /// What the handlers call (tests drive recovery and settings through it).
    pub services: Services,
    /// The rate limits (tests move their clock and sweep them).
    pub throttles: Throttles,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
}

const DEMO_LOADED: &str = "demo_directory_loaded";

/// Opens the database, loads demo data if asked, binds both listeners and starts serving.
pub async fn start(options: ServeOptions) -> Result<RunningServer, StartError> {
    let store = Store::open(&options.database).await?;
    let clock = if options.test_clock {
        Clock::shared(store.clone()).await?
    } else {
        Clock::system()
    };
    if options.demo && store.setting(DEMO_LOADED).await?.is_none() {
        let directory = Directory::parse(crate::demo::DIRECTORY_JSON)
            .map_err(directory_import::ImportError::from)?;
        let report = directory_import::import(&store, &directory, clock.now()).await?;
        store.set_setting(DEMO_LOADED, "1").await?;
        tracing::info!(%report, "demo directory loaded");
    }
    if !options.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %options.dist.display(),
            "no built app found (index.html missing): only the API will answer; \
             build it with `cargo xtask run`"
        );
    }

    let bind = |addr: SocketAddr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })
    };
    let app_listener = bind(options.listen).await?;
    let gateway_listener = bind(options.gateway_listen).await?;
    let addr = app_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            addr: options.listen,
            source,
        })?;
    let gateway_addr = gateway_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            addr: options.gateway_listen,
            source,
        })?;

    let site = Site::new(options.public_url.clone(), addr);
    if site.accepts_any_host() {
        tracing::warn!(
            "listening on every interface without --public-url: requests for any host name \
             are answered (set --public-url to refuse DNS rebinding)"
        );
    }
    let gateway_origin = options
        .gateway_public_url
        .clone()
        .unwrap_or_else(|| Origin::of_address(gateway_addr))
        .to_string();
    let gateway = Gateway::new(store.clone(), clock.clone(), &gateway_origin);
    let services = Services {
        store: store.clone(),
        payments: match &options.processor {
            ProcessorOptions::Builtin => Payments::Builtin(gateway.clone()),
            ProcessorOptions::Stripe(stripe) => {
                Payments::Stripe(Stripe::new(stripe, store.clone(), clock.clone()))
            }
        },
        clock: clock.clone(),
        webhook_targets: options.webhook_targets,
        seller: options.seller.clone(),
    };
    // On SQLite this is the only server using the file, so every unfinished order is left over
    // from a previous run; on PostgreSQL another server may be working on a recent one.
    let sole = match store.backend() {
        crate::store::Backend::Sqlite => true,
        crate::store::Backend::Postgres => std::env::var_os(SOLE_SERVER_ENV).is_some(),
    };
    let lease = if sole { 0 } else { RECOVERY_LEASE_SECONDS };
    let settled = recover(&services, clock.now(), lease).await?;
    if settled > 0 {
        tracing::warn!(settled, "settled purchases left unfinished by the last run");
    }
    // A refund cut off after it was recorded is finished under its recorded key, so it is
    // given back once and recorded, without waiting for support to run the command again.
    if let Err(error) = recover_refunds(&services, clock.now(), lease).await {
        tracing::error!(%error, "finishing refunds left pending failed");
    }
    // A 3-D Secure intent nobody paid with (or one a run cut off while ending it) gives its
    // money back now rather than at the first tick.
    if let Err(error) = reconcile_abandoned(&services, clock.now()).await {
        tracing::error!(%error, "ending abandoned 3-D Secure intents failed");
    }
    if sole {
        // A key in progress without an order belongs to a request that died before it
        // recorded anything: its retry may run afresh now rather than after the stale delay.
        let released = store.release_orphan_keys().await?;
        if released > 0 {
            tracing::warn!(released, "released idempotency keys of requests that died");
        }
    }
    let indexed = store.backfill_search_terms().await?;
    if indexed > 0 {
        tracing::info!(indexed, "indexed users for search");
    }
    let state_services = services.clone();
    let mail_wake = MailWake::default();
    let app_origin = options
        .public_url
        .clone()
        .unwrap_or_else(|| Origin::of_address(addr))
        .to_string();
    let sender = Sender::new(
        store.clone(),
        &options.mail,
        app_origin.trim_end_matches('/').to_owned(),
        mail_wake.clone(),
        options.seller.name.clone(),
    )
    .map_err(StartError::Mail)?;
    let webhooks =
        crate::admin_webhooks::sender::WebhookSender::new(store.clone(), options.webhook_targets)
            .map_err(StartError::Mail)?;
    let throttles = Throttles::new(store.clone(), options.tuning.throttle_clock.clone());
    let state = AppState::new(http::Shared {
        services: services.clone(),
        gateway_origin,
        client_processor: match &options.processor {
            ProcessorOptions::Builtin => http::ClientProcessor::Builtin,
            ProcessorOptions::Stripe(stripe) => http::ClientProcessor::Stripe {
                publishable_key: stripe.publishable_key.clone(),
                js_url: stripe.js_url.clone(),
                api_base: stripe.api_base.clone(),
            },
        },
        stripe_webhook_secret: match &options.processor {
            ProcessorOptions::Builtin => None,
            ProcessorOptions::Stripe(stripe) => stripe.webhook_secret.clone(),
        },
        throttles: throttles.clone(),
        verify_gate: options
            .tuning
            .verify_gate
            .clone()
            .unwrap_or_else(VerifyGate::for_this_machine),
        trusted_proxies: TrustedProxies::new(options.trusted_proxies.clone()),
        site: site.clone(),
        secure_cookies: options.secure_cookies,
        test_clock: options.test_clock,
        mail_wake: mail_wake.clone(),
    });
    let app = http::router(state, &options.dist);
    let app_origins = site.origins().iter().map(ToString::to_string).collect();
    let gateway = crate::gateway::http::router(
        gateway,
        app_origins,
        throttles.clone(),
        TrustedProxies::new(options.trusted_proxies.clone()),
        options.test_clock,
    );

    let (stop, stopped) = watch::channel(false);
    let serve =
        |listener: TcpListener, router: axum::Router, mut stopped: watch::Receiver<bool>| {
            tokio::spawn(async move {
                axum::serve(
                    without_nagle(listener),
                    router.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
            })
        };
    let billing_task = tokio::spawn(run_billing(
        services,
        throttles.clone(),
        mail_wake,
        stopped.clone(),
    ));
    let mail_task = tokio::spawn(sender.run(stopped.clone()));
    let webhook_task = tokio::spawn(webhooks.run(stopped.clone()));
    let tasks = vec![
        mail_task,
        webhook_task,
        serve(app_listener, app, stopped.clone()),
        serve(gateway_listener, gateway, stopped),
        billing_task,
    ];
    Ok(RunningServer {
        addr,
        gateway_addr,
        store,
        services: state_services,
        throttles,
        stop,
        tasks,
    })
}

/// Set by crash tests on PostgreSQL only: this server is the only one on the database, so at
/// start-up everything unfinished is left over from a previous run (as always on SQLite).
pub const SOLE_SERVER_ENV: &str = "SELFSERVE_TEST_SOLE_SERVER";

/// How often renewals, expiries and suspensions are looked for.
const BILLING_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// The listener with Nagle's algorithm off on every connection it accepts.
///
/// Why: hyper writes a file's head and its body separately, and with Nagle the body waited for
/// the browser's delayed ACK of the head (40 ms on Linux). The checkout's stylesheet, which
/// holds back its script, arrived 40 ms late in most of the cold loads measured.
fn without_nagle(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "could not turn off Nagle's algorithm");
        }
    })
}

/// Runs billing now and then every [`BILLING_INTERVAL`] until the server stops.
async fn run_billing(
    services: Services,
    throttles: Throttles,
    mail_wake: MailWake,
    mut stopped: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut ticks = tokio::time::interval(BILLING_INTERVAL);
    let stop = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                // Another server may have moved the test clock since the last tick.
                if let Err(error) = services.clock.refresh().await {
                    tracing::error!(%error, "reading the test clock failed");
                }
                // Orders stuck past the lease (a failure mid-request) are settled here too.
                let now = services.clock.now();
                if let Err(error) = recover(&services, now, RECOVERY_LEASE_SECONDS).await {
                    tracing::error!(%error, "settling unfinished orders failed");
                }
                if let Err(error) = recover_refunds(&services, now, RECOVERY_LEASE_SECONDS).await {
                    tracing::error!(%error, "finishing refunds left pending failed");
                }
                if let Err(error) = reconcile_abandoned(&services, now).await {
                    tracing::error!(%error, "ending abandoned 3-D Secure intents failed");
                }
                match run_due(&services, services.clock.now()).await {
                    Ok(report) if report != BillingReport::default() => {
                        tracing::info!(?report, "billing run");
                        mail_wake.wake();
                    }
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "billing run failed"),
                }
                if let Err(error) = sweep(&services, &throttles).await {
                    tracing::error!(%error, "sweeping sessions and throttles failed");
                }
                // Keys and tokens are stamped with billing time; the machine's (never ahead of
                // it) keeps a moved test clock from expiring what a test made a moment ago.
                let now = services.clock.now().min(services.clock.real_now());
                match retention::purge(&services, now).await {
                    Ok(purged) if purged != retention::Purged::default() => {
                        tracing::info!(?purged, "retention");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "retention failed"),
                }
            }
            () = &mut stop => return Ok(()),
        }
    }
}

/// Deletes expired sessions, full throttle buckets and long-unused sign-in addresses, so that
/// none of them grows without bound. Sessions expire by the machine's clock (security time).
pub async fn sweep(services: &Services, throttles: &Throttles) -> Result<u64, StoreError> {
    let now = services.clock.real_now();
    let sessions = services
        .store
        .delete_expired_sessions(now - ABSOLUTE_TIMEOUT_SECONDS, now - IDLE_TIMEOUT_SECONDS)
        .await?;
    Ok(sessions + throttles.sweep().await?)
}

impl RunningServer {
    /// Stops accepting connections, lets requests in flight finish, closes the database.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::error!(%error, "listener failed"),
                Err(error) => tracing::error!(%error, "listener task failed"),
            }
        }
        self.store.close().await;
    }
}

/// Ctrl-C and SIGTERM, listened for from the moment this is made, so a signal that arrives
/// right after the server says it is listening is not missed.
pub struct ShutdownSignal {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignal {
    /// Starts listening.
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                terminate: signal(SignalKind::terminate()).ok(),
                interrupt: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Resolves on the first Ctrl-C or SIGTERM.
    pub async fn received(self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.terminate) => {},
                () = next(self.interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_nagle;
    use axum::serve::Listener;
    use tokio::net::{TcpListener, TcpStream};

    #[tokio::test]
    async fn connections_are_accepted_without_nagle() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut listener = without_nagle(listener);
        let (_client, (accepted, _)) = tokio::join!(TcpStream::connect(address), listener.accept());
        assert!(accepted.nodelay().unwrap());
    }
}
