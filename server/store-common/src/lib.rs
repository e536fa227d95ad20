//! Database plumbing shared by the servers' core crates (`plystra-core`, and the Authplane store
//! through `server-common`): the parts that touch sqlx but not HTTP.
//!
//! - [`db`]: one [`Pool`] over SQLite (created if missing, WAL, synchronous FULL, busy timeout)
//!   or PostgreSQL, chosen by the URL; ping, close, duplicate-key detection, [`on_pool!`].
//! - [`migrate`]: migrations compiled into the binary and applied with sqlx's migrator.
//!
//! Kept apart from `server-common` so that a core crate can own its storage without pulling in
//! poem: `cargo tree -p plystra-core` shows no HTTP stack.

pub mod db;
pub mod migrate;

pub use db::{Backend, DbError, Pool};
pub use migrate::EmbeddedMigration;
