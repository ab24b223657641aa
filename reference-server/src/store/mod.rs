//! Persistence: one [`Store`] over SQLite or PostgreSQL.
//!
//! Each area of the API has its own module here (`accounts`, `animations`, `social`,
//! `rate_limits`, ...). A module writes its SQL once where both engines accept it
//! (`$1` placeholders, `ON CONFLICT`, `RETURNING` work on both) and runs it on either
//! pool through [`on_pool!`] / [`on_tx!`]; where the engines differ it matches on the
//! engine and writes each dialect. Migrations live in `migrations/sqlite` and
//! `migrations/postgres`, one folder per engine, numbered by area (0001-0009 accounts,
//! catalogue and limits; 0010-0019 jobs; 0020-0039 search, marketplace, analytics,
//! webhooks).
//!
//! Conventions: ids are text with a type prefix; timestamps are `DateTime<Utc>`
//! truncated to microseconds (TEXT in SQLite, TIMESTAMPTZ in PostgreSQL); integers
//! are 64-bit; sums are cast to BIGINT (PostgreSQL would return NUMERIC).

pub mod accounts;
pub mod analytics;
pub mod animations;
pub mod api_keys;
pub mod jobs;
pub mod listing;
pub mod marketplace;
pub mod purchases;
pub mod rate_limits;
pub mod retention;
pub mod search;
pub mod social;
pub mod users;
pub mod webhooks;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Runs `$body` with `$pool` bound to the engine's pool (`&SqlitePool` or `&PgPool`).
///
/// The body is compiled once per engine, so the same query text and binds serve both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` with `$conn` bound to the transaction's connection
/// (`&mut SqliteConnection` or `&mut PgConnection`); use it as `&mut *$conn`.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite, one file, bundled library.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Engine {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// The database: a pool on one engine. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Store {
    /// SQLite in WAL mode with foreign keys on.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// An open transaction on either engine; see [`on_tx!`].
#[derive(Debug)]
pub enum Tx {
    /// SQLite, begun with `BEGIN IMMEDIATE` so writers queue on the busy timeout
    /// instead of failing when a read lock would have to be upgraded.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL, read committed.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// Errors of the store that callers distinguish.
pub type StoreResult<T> = Result<T, sqlx::Error>;

impl Store {
    /// Opens (and for SQLite creates) the database at `url` and applies pending
    /// migrations. `sqlite://path` or a bare path is SQLite; `postgres://` PostgreSQL.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Store> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await?;
            Store::Postgres(pool)
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"));
            let path = path.unwrap_or(url);
            Store::Sqlite(open_sqlite(Path::new(path), max_connections).await?)
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the engine's pending migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Store::Sqlite(pool) => migrator(migrations::SQLITE).run(pool).await?,
            Store::Postgres(pool) => migrator(migrations::POSTGRES).run(pool).await?,
        }
        Ok(())
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        match self {
            Store::Sqlite(_) => Engine::Sqlite,
            Store::Postgres(_) => Engine::Postgres,
        }
    }

    /// Begins a transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A trivial query, for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

mod migrations {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

fn migrator(files: &[(i64, &str, &'static str)]) -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr;
    let migrations = files
        .iter()
        .map(|(version, description, sql)| {
            sqlx::migrate::Migration::new(
                *version,
                description.to_string().into(),
                sqlx::migrate::MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    sqlx::migrate::Migrator::with_migrations(migrations)
}

async fn open_sqlite(path: &Path, max_connections: u32) -> anyhow::Result<SqlitePool> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// The current time as stored: UTC, truncated to microseconds so that both engines
/// return exactly what was written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Whether `err` is a unique-constraint violation, and on which constraint or column
/// text (engine-specific message), for mapping to a conflict.
pub fn unique_violation(err: &sqlx::Error) -> Option<String> {
    let db = err.as_database_error()?;
    if db.is_unique_violation() {
        Some(
            db.constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned()),
        )
    } else {
        None
    }
}

/// A new id: `prefix` followed by a time-ordered UUID in hex.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// A bind value for dynamically built queries.
#[derive(Debug, Clone)]
pub enum Param {
    /// Text.
    Text(String),
    /// 64-bit integer.
    Int(i64),
    /// Float.
    Float(f64),
}

/// Binds `params` in order to a query built from text (see [`Param`]).
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut q = $query;
        for p in $params {
            q = match p {
                $crate::store::Param::Text(v) => q.bind(v.clone()),
                $crate::store::Param::Int(v) => q.bind(*v),
                $crate::store::Param::Float(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_params;
