//! The two servers the HTTP bench loads: the reference server over a fresh database, seeded with
//! the Finance Reviewer demo and holding a demo API key, and a bare poem JSON echo handler that
//! marks the ceiling of poem, JSON and loopback TCP on this machine.

use std::net::SocketAddr;
use std::sync::Arc;

use plystra_core::Store;
use plystra_server::bootstrap::{Bootstrap, bootstrap_super_admin, demo_api_key};
use plystra_server::config::{Audit, AuditWriteMode};
use plystra_server::{Config, Server};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Json;
use poem::{Endpoint, EndpointExt, Route, handler, post};

/// The path both servers are loaded on.
pub const CHECK_PATH: &str = "/api/v1/authz/check";

/// Why a server could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding the listener or creating the temporary directory failed.
    #[error("i/o failure")]
    Io(#[from] std::io::Error),
    /// The store could not be opened, migrated or seeded.
    #[error("store failure: {0}")]
    Store(String),
    /// The database could not be created or dropped.
    #[error("database failure")]
    Database(#[from] sqlx::Error),
}

/// Serves `endpoint` on a free loopback port, in the background of the current runtime.
pub async fn serve(endpoint: impl Endpoint + 'static) -> Result<SocketAddr, ServerError> {
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| std::io::Error::other("the listener has no TCP address"))?;
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor)
            .run(endpoint)
            .await;
    });
    Ok(addr)
}

#[handler]
async fn echo(Json(body): Json<serde_json::Value>) -> Json<serde_json::Value> {
    Json(body)
}

/// The echo server: parses the JSON body and answers it back, nothing else.
pub fn echo_app() -> impl Endpoint + 'static {
    Route::new().at(CHECK_PATH, post(echo)).map_to_response()
}

/// Where the reference server keeps its data for one run.
#[derive(Debug)]
pub enum Database {
    /// A file in a temporary directory (removed on drop).
    Sqlite {
        /// The directory holding the file.
        dir: tempfile::TempDir,
        /// Whether the file was switched to write-ahead logging before the server opened it.
        wal: bool,
    },
    /// A fresh database on the server named by the admin URL (dropped by [`Database::drop_now`]).
    Postgres {
        /// The URL of the server's maintenance database.
        admin_url: String,
        /// The database created for this run.
        name: String,
    },
}

impl Database {
    /// A SQLite file in a new temporary directory. With `wal`, the file is created in WAL mode
    /// first; the mode is stored in the file, so the server's own connections use it too (the
    /// server does not choose a journal mode itself, so SQLite's rollback journal is its default).
    pub async fn sqlite(wal: bool) -> Result<Database, ServerError> {
        let dir = tempfile::Builder::new().prefix("plystra-bench").tempdir()?;
        let database = Database::Sqlite { dir, wal };
        if wal {
            use sqlx::{ConnectOptions, Connection};
            use std::str::FromStr;
            sqlx::sqlite::SqliteConnectOptions::from_str(&database.url())?
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .connect()
                .await?
                .close()
                .await?;
        }
        Ok(database)
    }

    /// A fresh PostgreSQL database created through `admin_url` (any database on that server
    /// the user may connect to, e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
    pub async fn postgres(admin_url: &str) -> Result<Database, ServerError> {
        #[allow(clippy::disallowed_methods)] // a distinct name, not a time
        let stamp = chrono::Utc::now().timestamp_millis();
        let name = format!("plystra_bench_{}_{stamp}", std::process::id());
        let admin = sqlx::PgPool::connect(admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await?;
        admin.close().await;
        Ok(Database::Postgres {
            admin_url: admin_url.to_owned(),
            name,
        })
    }

    /// The URL the server opens.
    pub fn url(&self) -> String {
        match self {
            Database::Sqlite { dir, .. } => {
                format!("sqlite://{}", dir.path().join("plystra.db").display())
            }
            Database::Postgres { admin_url, name } => with_database(admin_url, name),
        }
    }

    /// A label for tables: `SQLite`, `SQLite (WAL)` or `PostgreSQL`.
    pub fn label(&self) -> &'static str {
        match self {
            Database::Sqlite { wal: false, .. } => "SQLite",
            Database::Sqlite { wal: true, .. } => "SQLite (WAL)",
            Database::Postgres { .. } => "PostgreSQL",
        }
    }

    /// How many `invoice.approve` decisions the audit log holds: every answered check on the
    /// default audit write mode, which shows the bench measured durable writes.
    pub async fn audited_decisions(&self) -> Result<i64, ServerError> {
        const SQL: &str = "SELECT COUNT(*) FROM audit_logs WHERE action = 'invoice.approve'";
        let count = match self {
            Database::Sqlite { .. } => {
                let pool = sqlx::SqlitePool::connect(&self.url()).await?;
                let count = sqlx::query_scalar(SQL).fetch_one(&pool).await?;
                pool.close().await;
                count
            }
            Database::Postgres { .. } => {
                let pool = sqlx::PgPool::connect(&self.url()).await?;
                let count = sqlx::query_scalar(SQL).fetch_one(&pool).await?;
                pool.close().await;
                count
            }
        };
        Ok(count)
    }

    /// Drops the PostgreSQL database (closing whatever is still connected); removes the SQLite
    /// directory.
    pub async fn drop_now(self) -> Result<(), ServerError> {
        if let Database::Postgres { admin_url, name } = &self {
            let admin = sqlx::PgPool::connect(admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await?;
            admin.close().await;
        }
        Ok(())
    }
}

/// `url` with its database name replaced by `name`, query string kept.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |at| at + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// A running reference server with the demo seeded.
pub struct Plystra {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The demo API key (`space_acme`, `authz:check`).
    pub api_key: String,
    /// The server, for closing its pool at the end.
    pub server: Arc<Server>,
}

/// Opens `database`, migrates, seeds the demo with alice as super admin (as `plystra-server
/// seed-demo` does), mints the demo API key and serves the whole application as `main` would,
/// except that no log subscriber is installed (see BENCHMARKS.md). `audit` is the audit write
/// mode; the server's default, `Always`, commits an audit row for every decision.
pub async fn start_plystra(
    database: &Database,
    audit: AuditWriteMode,
) -> Result<Plystra, ServerError> {
    let store_error = |e: &dyn std::fmt::Display| ServerError::Store(e.to_string());
    let store = Store::connect(&database.url())
        .await
        .map_err(|e| store_error(&e))?;
    store.migrate().await.map_err(|e| store_error(&e))?;
    plystra_server::seed::demo(&store)
        .await
        .map_err(|e| store_error(&e))?;
    bootstrap_super_admin(
        &store,
        &Bootstrap {
            user_id: "user_alice".into(),
            member_id: None,
            grant_id: None,
            if_exists_ok: true,
            source: "plystra-bench",
        },
    )
    .await
    .map_err(|e| store_error(&e))?;
    let config = Config {
        audit: Audit { write_mode: audit },
        ..Config::for_tests()
    };
    let server = Arc::new(Server::new(store, Arc::new(config.clone())));
    let api_key = demo_api_key(&server)
        .await
        .map_err(|e| store_error(&format!("{e:?}")))?;
    let addr = serve(plystra_server::http::app(server.clone(), &config)).await?;
    Ok(Plystra {
        addr,
        api_key,
        server,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
