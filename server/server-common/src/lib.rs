//! Plumbing shared by the reference servers (`plystra-server`, `authplane-server`): the parts a
//! second server needs unchanged, moved here rather than copied.
//!
//! - [`db`]: one [`Pool`] over SQLite (created if missing, WAL, synchronous FULL, busy timeout)
//!   or PostgreSQL, chosen by the URL; ping, close, duplicate-key detection, [`on_pool!`].
//! - [`migrate`]: migrations compiled into the binary and applied with sqlx's migrator.
//! - [`request_id`]: the `X-Request-ID` rules.
//! - [`envelope`]: the middleware that assigns request ids and turns every error, poem's own 404
//!   and 405 included, into the product's JSON error body ([`ErrorBody`]).
//! - [`logging`]: JSON or text log lines.
//! - [`serve`](mod@serve): bound listeners served until one [`Shutdown`] signal stops them all.
//! - [`settings`]: the settings table (names in priority order, default, doc), the [`Lookup`]
//!   that reads it from flags and the environment, and its README and `--help` renderings.
//!
//! What a product's errors look like (codes, envelopes, headers such as `X-Plystra-Error-Code`)
//! stays in that product's server crate.

pub mod db;
pub mod envelope;
pub mod logging;
pub mod migrate;
pub mod request_id;
pub mod serve;
pub mod settings;

pub use db::{Backend, DbError, Pool};
pub use envelope::{Envelope, ErrorBody};
pub use logging::{LogFormat, init_logging};
pub use migrate::EmbeddedMigration;
pub use request_id::RequestId;
pub use serve::{Listener, Serving, Shutdown, ShutdownTrigger};
pub use settings::{Lookup, Setting, SettingError};
