//! The Authplane reference server: the generated contracts (`authplane-server-api`, public and
//! admin) implemented on poem and sqlx, one process with two listeners.
//!
//! This is the skeleton: discovery documents, the key set (empty), health, liveness and
//! readiness are implemented; every other operation answers 501 from the generated default and
//! is listed by `authplane-server --list-unimplemented`. `main.rs` only reads the configuration
//! and calls [`serve`]; tests call [`bind`] (port 0) or build the endpoints with
//! [`http::public_app`] and [`http::admin_app`] and call them in-process.

pub mod config;
pub mod discovery;
pub mod http;
pub mod service;
pub mod store;

pub use config::Config;
pub use service::Authplane;
pub use store::Store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use server_common::{Listener, Shutdown};

use crate::store::StoreError;

/// How long requests in flight may take to finish once shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The database could not be opened, migrated or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A listener could not be bound or failed.
    #[error(transparent)]
    Listen(#[from] std::io::Error),
}

/// Both listeners bound and the store open and migrated: ready to serve. `Debug` leaves the
/// admin key out.
pub struct Bound {
    public: Listener,
    admin: Listener,
    server: Arc<Authplane>,
    admin_api_key: Option<String>,
}

impl std::fmt::Debug for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bound")
            .field("public", &self.public)
            .field("admin", &self.admin)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Bound {
    /// Where the public API really listens.
    pub fn public_addr(&self) -> SocketAddr {
        self.public.local_addr()
    }

    /// Where the admin API really listens.
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin.local_addr()
    }

    /// The server state (store, issuer, discovery document).
    pub fn server(&self) -> &Arc<Authplane> {
        &self.server
    }

    /// Serves both listeners until `shutdown` fires, then lets requests in flight finish (at
    /// most [`SHUTDOWN_GRACE`]) and closes the database.
    pub async fn serve(self, shutdown: Shutdown) -> Result<(), ServeError> {
        let Bound {
            public,
            admin,
            server,
            admin_api_key,
        } = self;
        let apps = vec![
            public.serving(http::public_app(server.clone())),
            admin.serving(http::admin_app(server.clone(), admin_api_key.as_deref())),
        ];
        let served = server_common::serve::serve(apps, shutdown, Some(SHUTDOWN_GRACE)).await;
        server.store().close().await;
        tracing::info!("authplane-server stopped");
        Ok(served?)
    }
}

/// Opens and migrates the store, binds both listeners, settles the issuer (configured, or
/// derived from the public listener's real address) and says at startup what a deployer must
/// know: where it listens, and whether the admin API is disabled, the issuer insecure or changed.
pub async fn bind(config: &Config) -> Result<Bound, ServeError> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let public = Listener::bind("public", &config.listen.public_addr.to_string()).await?;
    let admin = Listener::bind("admin", &config.listen.admin_addr.to_string()).await?;
    let issuer = config.issuer_for(public.local_addr());
    let server = Authplane::new(store, config, issuer);
    let issuer = server.issuer().as_str();
    if let Some(previous) = server.store().record_issuer(issuer, server.now()).await? {
        tracing::warn!(
            previous = %previous,
            issuer,
            "the issuer changed since this database was last served: tokens and registrations \
             made under the previous issuer will not validate"
        );
    }
    if server.issuer().is_insecure() {
        tracing::warn!(
            issuer,
            "the issuer is plain http on a non-local host; RFC 8414 wants https (set AUTHPLANE_ISSUER)"
        );
    }
    match config.admin_api_key.as_deref() {
        None => tracing::warn!(
            "AUTHPLANE_ADMIN_API_KEY is not set: the admin API refuses every request (401)"
        ),
        Some(key) if key.len() < config::MIN_ADMIN_KEY_LENGTH => tracing::warn!(
            min_length = config::MIN_ADMIN_KEY_LENGTH,
            "AUTHPLANE_ADMIN_API_KEY is short; use a long random key"
        ),
        Some(_) => {}
    }
    tracing::info!(
        public_addr = %public.local_addr(),
        admin_addr = %admin.local_addr(),
        issuer,
        backend = server.store().backend().name(),
        "authplane-server listening"
    );
    Ok(Bound {
        public,
        admin,
        server: Arc::new(server),
        admin_api_key: config.admin_api_key.clone(),
    })
}

/// Serves the configuration until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    bind(&config).await?.serve(Shutdown::on_signal()).await
}
