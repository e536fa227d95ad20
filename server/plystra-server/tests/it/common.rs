use std::sync::Arc;

use plystra_server::{Config, Server, Store};
use poem::Endpoint;
use poem::test::TestClient;

/// A server on a fresh in-memory SQLite database.
pub async fn server() -> Arc<Server> {
    let store = Store::connect("sqlite::memory:")
        .await
        .expect("in-memory sqlite");
    Arc::new(Server::new(store, Arc::new(Config::for_tests())))
}

/// The whole application over `server`, as `main` serves it.
pub fn client(server: Arc<Server>) -> TestClient<impl Endpoint> {
    TestClient::new(plystra_server::http::app(server, &Config::for_tests()))
}

/// The PostgreSQL URL for the PostgreSQL half of the store tests. `.ci/run` always sets it (to a
/// fresh database); without it only SQLite runs.
pub fn postgres_url() -> Option<String> {
    std::env::var("PLYSTRA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}
