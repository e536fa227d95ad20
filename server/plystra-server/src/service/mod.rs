//! `Server` implements the generated tag traits. Each tag's implementation lives in a module of
//! its own; a tag without one answers `501 NOT_IMPLEMENTED` from the generated defaults, and
//! `plystra-server --list-unimplemented` lists those operations.

mod actor;
mod admin;
mod api_keys;
mod audit_log;
mod auth;
mod authz;
mod console;
mod entity;
mod identity;
pub mod principal;
mod register;
mod registry;
mod resources;
mod session;
mod system;

use std::sync::Arc;

use plystra_server_api::operations as ops;

use crate::domain::tokens::TokenHasher;
use crate::{Config, Store};

pub use crate::domain::time::Clock;

/// The reference server's implementation of the contract.
#[derive(Clone)]
pub struct Server {
    store: Store,
    config: Arc<Config>,
    /// Hasher of session tokens, set up on first use (its secret may live in the database).
    tokens: tokio::sync::OnceCell<TokenHasher>,
    /// Hasher of API keys, set up on first use (its secret may live in the database).
    api_keys: tokio::sync::OnceCell<TokenHasher>,
    clock: Clock,
    /// When this server was built (the capabilities' registration time).
    started_at: chrono::DateTime<chrono::Utc>,
    /// What `/metrics` reports.
    metrics: Arc<crate::metrics::Metrics>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("store", &self.store)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server over `store`.
    pub fn new(store: Store, config: Arc<Config>) -> Self {
        let clock = crate::domain::time::system_clock();
        Server {
            store,
            config,
            tokens: tokio::sync::OnceCell::new(),
            api_keys: tokio::sync::OnceCell::new(),
            started_at: clock(),
            clock,
            metrics: Arc::new(crate::metrics::Metrics::new()),
        }
    }

    /// The same server reading the time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The metrics `/metrics` reports.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }
}

// Tags nobody has implemented yet: every operation answers 501 (see the module docs).
impl ops::AppData for Server {}
impl ops::DataConsole for Server {}
impl ops::CapabilityGrants for Server {}
impl ops::ActionGateway for Server {}
impl ops::ProviderGovernance for Server {}
impl ops::Plugins for Server {}
impl ops::AppModules for Server {}
impl ops::Templates for Server {}
