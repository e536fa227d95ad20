//! The state every handler shares; it implements the generated traits of both contracts (the
//! implementations are in `http/`, one file per tag).

use std::sync::Arc;

use authplane_server_api::public::types::AuthorizationServerMetadata;
use chrono::{DateTime, SubsecRound, Utc};

use crate::config::{Config, Issuer};
use crate::discovery;
use crate::store::Store;

/// Where handlers read the time; tests fix it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The clock of a running server: the only place it reads the system clock (clippy's
/// `disallowed-methods` refuses `Utc::now` elsewhere).
pub fn system_clock() -> Clock {
    #[allow(clippy::disallowed_methods)]
    Arc::new(Utc::now)
}

/// The server: store, issuer and the discovery document built from the configuration.
pub struct Authplane {
    store: Store,
    issuer: Issuer,
    metadata: AuthorizationServerMetadata,
    clock: Clock,
}

impl std::fmt::Debug for Authplane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authplane")
            .field("issuer", &self.issuer)
            .field("backend", &self.store.backend())
            .finish_non_exhaustive()
    }
}

impl Authplane {
    /// A server on `store` answering as `issuer`.
    pub fn new(store: Store, config: &Config, issuer: Issuer) -> Authplane {
        Authplane {
            metadata: discovery::metadata(&issuer, config),
            store,
            issuer,
            clock: system_clock(),
        }
    }

    /// The same server reading the time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Authplane {
        self.clock = clock;
        self
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The issuer identifier.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The discovery document.
    pub fn metadata(&self) -> &AuthorizationServerMetadata {
        &self.metadata
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The current time to the whole second, as the probes report it.
    pub fn now_in_seconds(&self) -> DateTime<Utc> {
        self.now().trunc_subsecs(0)
    }
}
