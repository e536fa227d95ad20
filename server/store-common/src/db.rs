//! One connection pool over SQLite (the embedded default) or PostgreSQL, chosen by the URL.
//!
//! Servers wrap a [`Pool`] in their own `Store` and write each query once: the SQL text is the
//! same on both backends (`$1` placeholders, text timestamps) and [`on_pool!`](crate::on_pool)
//! runs it against whichever pool the store has.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::migrate::{Embedded, EmbeddedMigration};

/// How long a SQLite connection waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections to a SQLite file. One writer at a time anyway; the rest serve readers (WAL).
const SQLITE_MAX_CONNECTIONS: u32 = 8;
/// Connections to PostgreSQL.
const POSTGRES_MAX_CONNECTIONS: u32 = 10;

/// Which database a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (a file, or in memory in tests).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A failure to open, query or migrate the database. Its text goes to the log, never into a
/// response body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The URL names no supported database.
    #[error("unsupported database URL scheme (want sqlite:// or postgres://)")]
    UnsupportedUrl,
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Runs `$body` with `$p` bound to the SQLite or the PostgreSQL pool inside `$pool` (a
/// `&Pool`), so one query text serves both backends.
#[macro_export]
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// The database behind a server; cheap to clone.
#[derive(Debug, Clone)]
pub enum Pool {
    /// SQLite.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

impl Pool {
    /// Opens `url`: `sqlite:…` (the file is created if missing; `sqlite::memory:` for tests) or
    /// `postgres://…` / `postgresql://…`.
    pub async fn connect(url: &str) -> Result<Pool, DbError> {
        if url.starts_with("sqlite:") {
            // WAL: readers do not wait for the writer, and a commit appends to the log instead
            // of rewriting pages (synchronous stays FULL, so a commit is durable when it
            // returns). In-memory databases keep their own journal.
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            // Every connection to `:memory:` is a database of its own: keep exactly one.
            let max = if url.contains(":memory:") {
                1
            } else {
                SQLITE_MAX_CONNECTIONS
            };
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .connect_with(options)
                .await?;
            Ok(Pool::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(POSTGRES_MAX_CONNECTIONS)
                .connect(url)
                .await?;
            Ok(Pool::Postgres(pool))
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Closes every connection; pings fail afterwards.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Applies every migration of `migrations` not applied yet. sqlx's migrator takes an
    /// advisory lock on PostgreSQL, so replicas starting together do not race.
    pub async fn migrate(&self, migrations: &'static [EmbeddedMigration]) -> Result<(), DbError> {
        let migrator = sqlx::migrate::Migrator::new(Embedded(migrations)).await?;
        on_pool!(self, pool => migrator.run(pool).await)?;
        Ok(())
    }

    /// The last applied migration (0 on an empty database).
    pub async fn schema_version(&self) -> Result<i64, DbError> {
        let sql = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        let version: Result<i64, sqlx::Error> =
            on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await);
        match version {
            Ok(version) => Ok(version),
            // No migration table yet: nothing applied.
            Err(sqlx::Error::Database(_)) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }
}

/// Whether `e` is a duplicate key (unique or primary key) on either backend.
pub fn is_duplicate(e: &sqlx::Error) -> bool {
    unique_violation(e).is_some()
}

/// The key a duplicate-key error (unique or primary key) violated, as the driver names it:
/// PostgreSQL's constraint name (`admin_grants_pkey`), SQLite's `table.column` list
/// (`admin_grants.id`); `None` for any other error.
pub fn unique_violation(e: &sqlx::Error) -> Option<String> {
    let sqlx::Error::Database(db) = e else {
        return None;
    };
    let duplicate =
        db.is_unique_violation() || matches!(db.code().as_deref(), Some("1555" | "2067" | "23505"));
    if !duplicate {
        return None;
    }
    if let Some(constraint) = db.constraint() {
        return Some(constraint.to_string());
    }
    // SQLite: "UNIQUE constraint failed: t.a, t.b" (also for primary keys).
    let message = db.message();
    Some(match message.split_once("constraint failed: ") {
        Some((_, columns)) => columns.trim().to_string(),
        None => message.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIGRATIONS: &[EmbeddedMigration] = &[
        EmbeddedMigration {
            version: 1,
            description: "things",
            sql: "CREATE TABLE things (id TEXT PRIMARY KEY)",
        },
        EmbeddedMigration {
            version: 2,
            description: "more things",
            sql: "CREATE TABLE more_things (id TEXT PRIMARY KEY)",
        },
    ];

    #[tokio::test]
    async fn ping_and_close() {
        let pool = Pool::connect("sqlite::memory:").await.unwrap();
        assert_eq!(pool.backend(), Backend::Sqlite);
        assert_eq!(pool.backend().name(), "sqlite");
        pool.ping().await.unwrap();
        pool.close().await;
        assert!(pool.ping().await.is_err(), "a closed pool does not answer");
    }

    /// The PostgreSQL half runs when `PLYSTRA_TEST_POSTGRES_URL` names a database.
    #[tokio::test]
    async fn ping_and_close_postgres() {
        let Some(url) = testkit::postgres_url(&[testkit::POSTGRES_URL]) else {
            eprintln!("PLYSTRA_TEST_POSTGRES_URL is not set: PostgreSQL half not run");
            return;
        };
        let pool = Pool::connect(&url).await.unwrap();
        assert_eq!(pool.backend(), Backend::Postgres);
        pool.ping().await.unwrap();
        pool.close().await;
        assert!(pool.ping().await.is_err(), "a closed pool does not answer");
    }

    #[tokio::test]
    async fn a_sqlite_file_is_created_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("new.db");
        let pool = Pool::connect(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        pool.ping().await.unwrap();
        assert!(file.exists());
        let Pool::Sqlite(sqlite) = &pool else {
            panic!("a sqlite URL opens SQLite");
        };
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(sqlite)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(sqlite)
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
        pool.close().await;
    }

    #[tokio::test]
    async fn unknown_url_schemes_are_refused() {
        assert!(matches!(
            Pool::connect("mysql://localhost/x").await,
            Err(DbError::UnsupportedUrl)
        ));
    }

    #[tokio::test]
    async fn migrations_apply_once_and_report_the_version() {
        let pool = Pool::connect("sqlite::memory:").await.unwrap();
        assert_eq!(pool.schema_version().await.unwrap(), 0);
        pool.migrate(MIGRATIONS).await.unwrap();
        assert_eq!(pool.schema_version().await.unwrap(), 2);
        pool.migrate(MIGRATIONS).await.unwrap();
        assert_eq!(pool.schema_version().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn duplicate_keys_are_recognised() {
        let pool = Pool::connect("sqlite::memory:").await.unwrap();
        pool.migrate(MIGRATIONS).await.unwrap();
        let insert = "INSERT INTO things (id) VALUES ($1)";
        let run = |sql: &'static str| {
            let pool = pool.clone();
            async move { on_pool!(&pool, p => sqlx::query(sql).bind("a").execute(p).await.map(drop)) }
        };
        run(insert).await.unwrap();
        let duplicate = run(insert).await.unwrap_err();
        assert!(is_duplicate(&duplicate));
        assert_eq!(unique_violation(&duplicate).as_deref(), Some("things.id"));
        let other = run("SELECT * FROM nowhere WHERE id = $1")
            .await
            .unwrap_err();
        assert!(!is_duplicate(&other));
        assert_eq!(unique_violation(&other), None);
    }

    /// PostgreSQL names the constraint itself.
    #[tokio::test]
    async fn duplicate_keys_name_their_constraint_on_postgres() {
        let Some(url) = testkit::postgres_url(&[testkit::POSTGRES_URL]) else {
            return;
        };
        let url = testkit::fresh_schema_url(&url).await.unwrap();
        let pool = Pool::connect(&url).await.unwrap();
        pool.migrate(MIGRATIONS).await.unwrap();
        let insert = || async {
            on_pool!(&pool, p => sqlx::query("INSERT INTO things (id) VALUES ($1)").bind("a").execute(p).await.map(drop))
        };
        insert().await.unwrap();
        let duplicate = insert().await.unwrap_err();
        assert_eq!(unique_violation(&duplicate).as_deref(), Some("things_pkey"));
        pool.close().await;
    }
}
