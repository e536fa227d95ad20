//! The Plystra Core reference server: the generated contract (`plystra-server-api`) implemented
//! on poem and sqlx.
//!
//! `main.rs` only reads the configuration and calls [`serve`]; tests build the same endpoint with
//! [`http::app`] and call it in-process.

pub mod bootstrap;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod seed;
pub mod service;
pub mod store;

pub use config::Config;
pub use error::ApiError;
pub use logging::init_logging;
pub use service::Server;
pub use store::Store;

use std::sync::Arc;

/// Opens the store named by the configuration and serves the API until the process is stopped.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let config = Arc::new(config);
    let server = Arc::new(Server::new(store, config.clone()));
    let addr = format!("{}:{}", config.host, config.port);
    tracing::info!(%addr, backend = server.store().backend().name(), "plystra-server listening");
    poem::Server::new(poem::listener::TcpListener::bind(addr))
        .run_with_graceful_shutdown(
            http::app(server, &config),
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            None,
        )
        .await?;
    Ok(())
}
