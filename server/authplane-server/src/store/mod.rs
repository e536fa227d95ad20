//! Storage: one `Store` over SQLite (the embedded default) or PostgreSQL, on `server_common`'s
//! pool. Every query is written once (`$1` placeholders, RFC 3339 text timestamps) and
//! `on_pool!` runs it on whichever backend the store has.

pub mod migrate;
mod settings;

use server_common::{Backend, DbError, Pool};

/// A failure of the storage layer. Its text goes to the log, never into a response body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Opening, migrating or pinging the database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// The database behind the server; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

impl Store {
    /// Opens `url`: `sqlite:…` (the file is created if missing; `sqlite::memory:` for tests) or
    /// `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            pool: Pool::connect(url).await?,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.pool.backend()
    }

    /// Applies every migration not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Ok(self.pool.migrate(migrate::MIGRATIONS).await?)
    }

    /// The last applied migration (0 on an empty database).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.pool.schema_version().await?)
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(self.pool.ping().await?)
    }

    /// Closes every connection; pings fail afterwards.
    pub async fn close(&self) {
        self.pool.close().await
    }

    fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// Runs `$body` with `$p` bound to the store's pool, whatever its backend.
macro_rules! with_pool {
    ($store:expr, $p:ident => $body:expr) => {
        server_common::on_pool!($store.pool(), $p => $body)
    };
}
pub(crate) use with_pool;
