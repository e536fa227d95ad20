//! Plumbing shared by the reference servers (`plystra-server`, `authplane-server`): the parts a
//! second server needs unchanged, moved here rather than copied.
//!
//! - [`db`] and [`migrate`]: the database pool and embedded migrations, re-exported from
//!   `store-common` (which the core crates use without the HTTP parts below).
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

pub mod envelope;
pub mod logging;
pub mod request_id;
pub mod serve;
pub mod settings;

pub use envelope::{Envelope, ErrorBody};
pub use logging::{LogFormat, init_logging};
pub use request_id::RequestId;
pub use serve::{Listener, Serving, Shutdown, ShutdownTrigger};
pub use settings::{Lookup, Setting, SettingError};
pub use store_common::{Backend, DbError, EmbeddedMigration, Pool, db, migrate, on_pool};
