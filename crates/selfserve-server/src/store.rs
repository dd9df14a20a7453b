//! The only place with SQL. Every query is checked at run time against one schema that both
//! SQLite (the embedded default) and PostgreSQL (for scale-out) accept, through sqlx's `Any`
//! driver with `$1` placeholders (SQLite accepts them too).
//!
//! Portability rules for `migrations/` and every query here:
//! - ids are `TEXT` made by the application (`org_…`), times are `BIGINT` unix seconds, money is
//!   `BIGINT` minor units; flags are `BIGINT` 0/1 with a `CHECK`, because the `Any` driver cannot
//!   decode SQLite's `BOOLEAN` ([`flag`] and [`from_flag`] convert); no `SERIAL`/`AUTOINCREMENT`,
//!   no dialect types;
//! - aggregates that PostgreSQL widens to `NUMERIC` are cast back to `BIGINT`;
//! - invariants that concurrent requests could break (seats) are kept by a single conditional
//!   `UPDATE … WHERE` whose row lock (PostgreSQL) or write lock (SQLite) makes it atomic.
//!
//! On SQLite all writes go through one connection ([`Store::writer`]): SQLite has one writer at a
//! time anyway. Write transactions ([`Store::begin_write`]) take the write lock up front
//! (`BEGIN IMMEDIATE`: one that starts reading and then writes fails with `SQLITE_BUSY` at once
//! when another process wrote in between) and share commits ([`group_commit`]). Reads use a pool.
//! Neither SQLite pool pings a connection before handing it out (sqlx's default): a ping is a
//! round trip to the connection's worker thread, one more for every query.
//!
//! Every row decodes into typed values: a state or kind read from the database is one of its
//! enum's values or the read fails ([`decode`]); nothing falls back to a default.
//!
//! # Layout (one concern per room)
//! - [`directory`], [`users`]: organisations, domains, users, partner delegations; search.
//! - [`sessions`], [`policies`], [`guardrails`]: sign-in sessions; product policies and
//!   guardrails (limits on self-service seats and spend), with what they count.
//! - [`sso`]: organisations' identity providers, sign-ins on their way there, subjects.
//! - [`scim`]: provisioning tokens (hashed), users' `externalId`, pushed groups.
//! - [`throttles`]: rate-limit buckets and the addresses accounts sign in from.
//! - [`test_clock`]: the offset of `--test-clock`, one row every server reads.
//! - [`gateway`]: the built-in test gateway's tokens, saved cards, charges and refunds.
//! - [`stripe`]: Stripe's Customers, cards on file, each charge key's PaymentIntent, intents
//!   waiting for 3-D Secure, refunds and webhook events seen.
//! - [`idempotency`]: Stripe-style idempotency keys, and tying a key to its order.
//! - [`orders`]: the order that records every movement of money, and its phases.
//! - [`invoices`]: writing (the one place) and reading bills.
//! - [`locks`]: row locks taken in the one order that keeps PostgreSQL free of deadlocks.
//! - [`assignments`]: licences, and the seat invariant.
//! - [`lifecycle`]: cancelling, reactivating, ending, suspending, renewing.
//! - [`payments`]: recording and completing purchases, seat increases and bill payments.
//! - [`subscriptions`]: subscriptions as stored and as the API shows them.
//! - [`central`]: central purchases, take-overs, capacity, trials.
//! - [`refunds`]: refunds of paid bills, reserved on the invoice before the processor is asked.
//! - [`events`]: the outbox of domain events, written inside each change's transaction; the
//!   audit log reads it.
//! - [`reminders`]: reminders ahead of a renewal or a trial's end, once per period.
//! - [`preferences`]: admins' notice choices and the unsubscribe links' key.
//! - [`digests`]: admin notices held for a daily digest, and each digest planned once.
//! - [`outbox`]: the mails each event causes, planned in the same transaction; claimed by the
//!   sender with a lease.
//! - [`admin_webhooks`]: organisations' webhook endpoints and the delivery each event causes
//!   to each, planned in the same transaction; claimed by the webhook sender with a lease.

pub mod admin_webhooks;
pub mod assignments;
pub mod central;
pub mod digests;
pub mod directory;
pub mod events;
pub mod gateway;
mod group_commit;
pub mod guardrails;
pub mod idempotency;
pub mod integrity;
pub mod invoices;
pub(crate) mod leases;
pub mod lifecycle;
pub mod locks;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod policies;
pub mod preferences;
pub mod refunds;
pub mod reminders;
pub mod requests;
pub mod scim;
pub mod sessions;
pub mod sso;
pub mod stripe;
pub mod subscriptions;
pub mod test_clock;
pub mod throttles;
pub mod users;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A failure of the database, never shown to API clients beyond "internal error".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrating the schema failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The database URL names no supported engine.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// A row holds a value the code cannot interpret (the schema's CHECKs should prevent it).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The card processor did not answer (or answered with a server error): like a lost
    /// database answer, the charge's outcome is unknown and its order stays for recovery.
    #[error("the card processor is unavailable: {0}")]
    ProcessorUnavailable(String),
    /// Creating the directory of the database file failed.
    #[error("cannot create {path}: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
    committer: group_commit::Committer,
    /// One row per `INSERT` in bulk writes: only the baseline of `cargo xtask bench`.
    row_by_row: bool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Connects to `url` (creating the SQLite file and its directory if needed) and migrates the
    /// schema to the latest version.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let store = if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Self::open_sqlite(url, path).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Self {
                writer: pool.clone(),
                reader: pool,
                backend: Backend::Postgres,
                committer: group_commit::Committer::default(),
                row_by_row: false,
            }
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        MIGRATOR.run(&store.writer).await?;
        Ok(store)
    }

    async fn open_sqlite(url: &str, path: &str) -> Result<Self, StoreError> {
        let file = path.split('?').next().unwrap_or(path);
        if let Some(parent) = std::path::Path::new(file).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let url = if url.contains('?') {
            url.to_owned()
        } else {
            format!("{url}?mode=rwc")
        };
        let options = AnyConnectOptions::from_str(&url)?;
        // The page cache, in KiB (SQLite's default is 2 MiB). Why more: a transaction larger
        // than its cache (a directory import) spills to the WAL and then reads its own pages
        // back through system calls; at 100,000 people that was most of the import's time.
        let pool = |max: u32, cache_kib: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                // sqlx pings a connection every time it is taken from the pool, and an SQLite
                // ping is a round trip to the connection's worker thread: one more hop for
                // every query. A connection to a local file does not drop like a socket.
                .test_before_acquire(false)
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        // WAL lets readers work while the writer writes; the busy timeout covers
                        // the moments another process (the CLI) holds the write lock.
                        conn.execute(
                            format!(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; \
                                 PRAGMA cache_size = -{cache_kib};"
                            )
                            .as_str(),
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(options.clone())
        };
        let writer = pool(1, 64 * 1024).await?;
        let reader = pool(8, 16 * 1024).await?;
        Ok(Self {
            writer,
            reader,
            backend: Backend::Sqlite,
            committer: group_commit::Committer::default(),
            row_by_row: false,
        })
    }

    /// The same store writing bulk inserts (a directory import) one row per statement, as
    /// before issue 14: the baseline `cargo xtask bench` measures the import against.
    #[doc(hidden)]
    pub fn row_by_row(mut self) -> Self {
        self.row_by_row = true;
        self
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// Reads a setting (a small key/value table for flags such as "demo data loaded").
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(value)
    }

    /// Writes a setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .write(self)
        .await?;
        Ok(())
    }

    /// Closes every connection (on shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// A write transaction. On SQLite it is a job in a group commit ([`group_commit`]): its
    /// `commit()` returns once the batch it joined is durable.
    pub(crate) async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        self.begin_job(false).await
    }

    /// A write transaction for a bulk write that takes seconds (a directory import): on
    /// SQLite it commits the open batch first, so nobody's commit waits for it.
    pub(crate) async fn begin_bulk_write(&self) -> Result<Tx, sqlx::Error> {
        self.begin_job(true).await
    }

    async fn begin_job(&self, alone: bool) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.committer.begin(&self.writer, alone).await,
            Backend::Postgres => {
                // sqlx 0.8.6 counts a PostgreSQL transaction only once `BEGIN`'s answer is
                // read: a request dropped in between (its client hung up) gave its connection
                // back to the pool inside a transaction nobody would end (sqlx issue #4393),
                // and the next borrower's statements ran in it. In a task of its own the
                // `BEGIN` always completes; a transaction nobody awaits any more is then
                // dropped there, and sqlx rolls that one back.
                let writer = self.writer.clone();
                let begun = tokio::spawn(async move { writer.begin().await });
                Ok(Tx::Plain(group_commit::joined(begun).await?))
            }
        }
    }
}

/// A transaction on the writer.
pub(crate) type Tx = group_commit::WriteTx;

/// One write statement as a transaction of its own: `query.write(store)` instead of
/// `query.execute(store.writer())`.
///
/// Why: on SQLite an autocommitted statement is a commit with its own fsync, taken between the
/// group commit's batches; written as a job it joins the next batch. The per-purchase
/// idempotency records and the outbox's leases were 8 fsyncs of each purchase before.
pub(crate) trait WriteStatement {
    fn write(
        self,
        store: &Store,
    ) -> impl Future<Output = Result<sqlx::any::AnyQueryResult, sqlx::Error>> + Send;
}

impl<'q> WriteStatement for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    async fn write(self, store: &Store) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
        let mut tx = store.begin_write().await?;
        let done = self.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }
}

/// A closed set of values stored as its wire text: an unknown text is a corrupt row, never a
/// default.
pub(crate) fn decode<T>(row: &sqlx::any::AnyRow, column: &str) -> Result<T, StoreError>
where
    T: std::str::FromStr<Err = selfserve_api::wire_enum::UnknownValue>,
{
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|e: selfserve_api::wire_enum::UnknownValue| {
            StoreError::Corrupt(format!("{column}: {e}"))
        })
}

/// Like [`decode`], for a column that may be NULL.
pub(crate) fn decode_optional<T>(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<Option<T>, StoreError>
where
    T: std::str::FromStr<Err = selfserve_api::wire_enum::UnknownValue>,
{
    use sqlx::Row;
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| {
        text.parse()
            .map_err(|e: selfserve_api::wire_enum::UnknownValue| {
                StoreError::Corrupt(format!("{column}: {e}"))
            })
    })
    .transpose()
}

/// A stored currency code; anything else is a corrupt row (never "dollars").
pub(crate) fn decode_currency(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<selfserve_api::money::Currency, StoreError> {
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    selfserve_api::money::Currency::parse(&text)
        .map_err(|_| StoreError::Corrupt(format!("{column}: {text:?} is not a currency")))
}

/// A stored product id.
pub(crate) fn decode_product(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<selfserve_api::product::ProductId, StoreError> {
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{column}: {text:?} is not a product")))
}

/// `$first, $first+1, …` for `count` values (an `IN (…)` list of bound parameters).
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The placeholders of one row of a long multi-row statement, numbered from `first`.
///
/// On SQLite they are anonymous `?` (in order, so numbered the same): for each `$n` the driver
/// asks SQLite for the parameter's name, which scans the statement's list of names, so binding
/// the thousands of values of a bulk `INSERT` as `$n` costs their count squared.
pub(crate) fn row_placeholders(backend: Backend, first: usize, count: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; count].join(", "),
        Backend::Postgres => placeholders(first, count),
    }
}

/// A flag as stored: 0 or 1.
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// A stored flag as a `bool`.
pub(crate) fn from_flag(value: i64) -> bool {
    value != 0
}
