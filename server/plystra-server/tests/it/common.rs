use std::sync::Arc;

use plystra_server::{Config, Server, Store};
use poem::Endpoint;
use poem::test::TestClient;

/// A server on a fresh, migrated in-memory SQLite database.
pub async fn server() -> Arc<Server> {
    Arc::new(Server::new(
        sqlite_store().await,
        Arc::new(Config::for_tests()),
    ))
}

/// The whole application over `server`, as `main` serves it.
pub fn client(server: Arc<Server>) -> TestClient<impl Endpoint> {
    client_with(server, &Config::for_tests())
}

/// The whole application over `server` with the HTTP settings (CORS, body limit, trusted
/// proxies) of `config`.
pub fn client_with(server: Arc<Server>, config: &Config) -> TestClient<impl Endpoint + use<>> {
    TestClient::new(plystra_server::http::app(server, config))
}

/// The PostgreSQL URL for the PostgreSQL half of the store tests. `.ci/run` always sets it (to a
/// fresh database); without it only SQLite runs, except under CI, where it is a failure.
pub fn postgres_url() -> Option<String> {
    testkit::postgres_url(&[testkit::POSTGRES_URL])
}

/// Serves the application over `store` on a free loopback port; returns its base URL.
pub async fn serve(store: Store) -> String {
    serve_server(Arc::new(Server::new(store, Arc::new(Config::for_tests())))).await
}

/// Serves `server` on a free loopback port; returns its base URL.
pub async fn serve_server(server: Arc<Server>) -> String {
    serve_app(server, &Config::for_tests()).await
}

/// Serves `server` with the HTTP settings of `config` on a free loopback port; returns its base
/// URL.
pub async fn serve_app(server: Arc<Server>, config: &Config) -> String {
    use poem::listener::{Acceptor, Listener, TcpListener};
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind loopback");
    let addr = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .expect("a TCP address");
    let app = plystra_server::http::app(server, config);
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
    });
    format!("http://{addr}")
}

/// A clock the test moves by hand.
pub use testkit::ManualClock;

/// A migrated store on PostgreSQL in a schema of its own (so tests that count rows or need an
/// instance without super admins do not see each other), or `None` without PostgreSQL (a note
/// on stderr says the PostgreSQL half did not run).
pub async fn fresh_postgres_store() -> Option<Store> {
    let Some(url) = postgres_url() else {
        eprintln!("PLYSTRA_TEST_POSTGRES_URL is not set: PostgreSQL half not run");
        return None;
    };
    let url = testkit::fresh_schema_url(&url)
        .await
        .expect("create schema");
    let store = Store::connect(&url).await.expect("postgres store");
    store.migrate().await.expect("migrations apply");
    Some(store)
}

/// A migrated store on a fresh in-memory SQLite database (one connection).
pub async fn sqlite_store() -> Store {
    let store = Store::connect("sqlite::memory:")
        .await
        .expect("in-memory sqlite");
    store.migrate().await.expect("migrations apply");
    store
}

/// A migrated store on a fresh SQLite file (a pool of connections, for cases about concurrent
/// writers), and the directory that holds the file: the database lives as long as it.
pub async fn sqlite_file_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("plystra.db").display());
    let store = Store::connect(&url).await.expect("sqlite file");
    store.migrate().await.expect("migrations apply");
    (store, dir)
}

/// Runs each case on SQLite and on PostgreSQL, as the tests `<case>::sqlite` and
/// `<case>::postgres`. Each run gets a migrated store of its own: an in-memory SQLite database,
/// and a fresh PostgreSQL schema ([`fresh_postgres_store`]; without `PLYSTRA_TEST_POSTGRES_URL`
/// the PostgreSQL half passes without running, except under CI, where it fails).
///
/// - `on_both_backends!(a, b)` calls `async fn a(store: Store)`.
/// - `on_both_backends!(sqlite file: a, b)` is the same with the SQLite half on a temporary
///   file (a pool of connections rather than one), for cases about concurrent writers.
/// - `on_both_backends!(World::new => a, b)` builds `World::new(store).await` (`World` a type
///   of the calling module, `new` any `async fn(Store) -> World` of it) and calls
///   `async fn a(w: &World)`.
///
/// The futures are boxed: unoptimised, a case's future can be too large for a test thread's
/// stack.
macro_rules! on_both_backends {
    (sqlite file: $($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn sqlite() {
                let (store, _dir) = $crate::common::sqlite_file_store().await;
                Box::pin(super::$case(store)).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(store) = $crate::common::fresh_postgres_store().await else {
                    return;
                };
                Box::pin(super::$case(store)).await;
            }
        }
    )+};
    ($world:ident :: $build:ident => $($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn sqlite() {
                let store = $crate::common::sqlite_store().await;
                let world = Box::pin(super::$world::$build(store)).await;
                Box::pin(super::$case(&world)).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(store) = $crate::common::fresh_postgres_store().await else {
                    return;
                };
                let world = Box::pin(super::$world::$build(store)).await;
                Box::pin(super::$case(&world)).await;
            }
        }
    )+};
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn sqlite() {
                let store = $crate::common::sqlite_store().await;
                Box::pin(super::$case(store)).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(store) = $crate::common::fresh_postgres_store().await else {
                    return;
                };
                Box::pin(super::$case(store)).await;
            }
        }
    )+};
}
pub(crate) use on_both_backends;

/// Seeds the demo with alice as instance super admin, as `plystra-server seed-demo` does.
pub async fn seed_demo_with_super_admin(store: &Store) {
    plystra_server::seed::demo(store).await.expect("demo seed");
    let created = plystra_server::bootstrap::bootstrap_super_admin(
        store,
        &plystra_server::bootstrap::Bootstrap {
            user_id: "user_alice".into(),
            member_id: None,
            grant_id: Some("ag_alice_super".into()),
            if_exists_ok: true,
            source: "test",
        },
    )
    .await
    .expect("bootstrap");
    assert!(created, "alice becomes super admin");
}

/// Logs in through the application and answers the access token.
pub async fn login<E: Endpoint>(cli: &TestClient<E>, email: &str) -> String {
    let resp = cli
        .post("/api/v1/auth/login")
        .body_json(&serde_json::json!({"email": email, "password": "plystra-demo"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let body: serde_json::Value = resp.json().await.value().deserialize();
    body["data"]["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}
