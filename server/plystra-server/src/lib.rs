//! The Plystra Core reference server: the generated contract (`plystra-server-api`) implemented
//! on poem and sqlx.
//!
//! `main.rs` only reads the configuration and calls [`serve`]; tests build the same endpoint with
//! [`http::app`] and call it in-process.

pub mod bootstrap;
pub mod config;
pub mod error;
pub mod http;
pub mod metrics;
pub mod seed;
pub mod service;

/// The domain and the store live in `plystra-core`; these paths keep `crate::domain` and
/// `crate::store` working for the front end while it moves onto the core's use cases.
pub use plystra_core::{domain, store};

pub use config::Config;
pub use error::ApiError;
/// Log output, shared with the other servers.
pub use server_common::logging;
pub use server_common::logging::init_logging;
pub use service::Server;
pub use store::Store;

use std::sync::Arc;

use server_common::{Listener, Shutdown};

/// Opens the store named by the configuration and serves the API until Ctrl-C or SIGTERM, then
/// lets requests in flight finish and closes the database.
pub async fn serve(mut config: Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let addr = format!("{}:{}", config.listen.host, config.listen.port);
    let listener = Listener::bind("plystra", &addr).await?;
    // The port really bound (port 0 picks one), for the served OpenAPI document's server URL.
    config.listen.port = listener.local_addr().port();
    let config = Arc::new(config);
    let server = Arc::new(Server::new(store, config.clone()));
    tracing::info!(
        addr = %listener.local_addr(),
        backend = server.store().backend().name(),
        "plystra-server listening"
    );
    let app = listener.serving(http::app(server.clone(), &config));
    let served = server_common::serve::serve(vec![app], Shutdown::on_signal(), None).await;
    server.store().close().await;
    tracing::info!("plystra-server stopped");
    Ok(served?)
}
