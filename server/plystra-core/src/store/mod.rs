//! Storage: one `Store` over SQLite (embedded default) or PostgreSQL, chosen by the URL.
//!
//! Every query is written once: the SQL is the same text on both backends (`$1` placeholders,
//! text timestamps, see `migrations/`) and [`on_pool!`] runs it against whichever pool the store
//! has. Entity queries live in one module per area.

mod admin_grants;
mod api_keys;
pub mod audit;
mod audit_queue;
pub mod authz;
mod demo;
pub mod entity;
mod identity;
pub mod identity_records;
pub mod migrate;
mod principals;
mod registration;
pub mod registry_records;
mod sessions;
mod throttle;

pub use admin_grants::{AdminGrantFilter, AdminGrantRecord, NewAdminGrant, RevokeGrantError};
pub use api_keys::{ApiKeyFilter, ApiKeyRecord, NewApiKey};
pub use audit::AuditEntry;
pub use entity::{Record, Statement, Value};
pub use identity::{Binding, NewSession, UserRecord};
pub use registration::{DEFAULT_SPACE_ID, RegisterError, Registration};
pub use sessions::SessionRecord;

pub use store_common::Backend;
use store_common::DbError;
pub use store_common::Pool;

/// A failure of the storage layer. Its text goes to the log, never into a response body.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported database.
    #[error("unsupported database URL scheme (want sqlite:// or postgres://)")]
    UnsupportedUrl,
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// Applying the migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique key already holds this value: the key as the driver names it (PostgreSQL's
    /// constraint, SQLite's `table.column`).
    #[error("duplicate key ({constraint})")]
    Conflict {
        /// The violated key.
        constraint: String,
    },
    /// An instance super admin grant is already in force (bootstrap refuses a second one).
    #[error("an active instance super admin grant already exists")]
    SuperAdminExists,
    /// The batched insert this row was part of failed (shared by every row of the batch).
    #[error("audit write failed: {0}")]
    AuditBatch(std::sync::Arc<sqlx::Error>),
    /// The audit writer stopped before it committed the row.
    #[error("the audit writer stopped before committing the row")]
    AuditWriterGone,
    /// Any other failure of the shared database layer.
    #[error(transparent)]
    Db(DbError),
}

/// A duplicate key becomes [`StoreError::Conflict`] naming the key; anything else is
/// [`StoreError::Database`].
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match unique_violation(&e) {
            Some(constraint) => StoreError::Conflict { constraint },
            None => StoreError::Database(e),
        }
    }
}

impl From<std::sync::Arc<sqlx::Error>> for StoreError {
    fn from(e: std::sync::Arc<sqlx::Error>) -> Self {
        StoreError::AuditBatch(e)
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Database(e) => StoreError::Database(e),
            DbError::Migrate(e) => StoreError::Migrate(e),
            DbError::UnsupportedUrl => StoreError::UnsupportedUrl,
            other => StoreError::Db(other),
        }
    }
}

/// Runs `$body` with `$pool` bound to the store's pool, whatever its backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        store_common::on_pool!(&$store.pool, $pool => $body)
    };
}
pub(crate) use on_pool;

/// Builds `$ty` from a row of either backend, reading each field from the column of its name.
macro_rules! read_row {
    ($row:expr, $ty:ident { $($field:ident),* $(,)? }) => {
        $ty { $($field: sqlx::Row::try_get($row, stringify!($field))?,)* }
    };
}
pub(crate) use read_row;

/// The database behind the server; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// Decision audit rows, committed in groups (`audit_queue`).
    audit_queue: audit_queue::AuditQueue,
}

impl Store {
    /// Opens `url`: `sqlite:…` (the file is created if missing; `sqlite::memory:` for tests) or
    /// `postgres://…`. The pool settings are `store_common`'s.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            pool: Pool::connect(url).await?,
            audit_queue: audit_queue::AuditQueue::default(),
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
}

impl Store {
    /// Runs a `SELECT COUNT(*) …` with one text parameter. For tests and diagnostics: callers
    /// pass fixed SQL, never user input.
    #[doc(hidden)]
    pub async fn count_where(&self, sql: &str, param: &str) -> Result<i64, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).bind(param).fetch_one(pool).await)?)
    }
}

pub use store_common::db::{is_duplicate, unique_violation};

/// The list query of a soft-deleted table: live rows matching every given filter (exact match),
/// newest first, at most `$n` (bind the limit last). Returns the SQL and the filter values to
/// bind, in order.
pub(crate) fn newest_first<'a>(
    columns: &str,
    table: &str,
    filters: &[(&str, &'a Option<String>)],
) -> (String, Vec<&'a str>) {
    let mut sql = format!("SELECT {columns} FROM {table} WHERE deleted_at IS NULL");
    let mut values = Vec::new();
    for (column, value) in filters {
        if let Some(value) = value {
            values.push(value.as_str());
            sql.push_str(&format!(" AND {column} = ${}", values.len()));
        }
    }
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT ${}",
        values.len() + 1
    ));
    (sql, values)
}
