//! Store tests: each case is written once and run on SQLite and on PostgreSQL.

use plystra_server::Store;
use plystra_server::store::Backend;

use crate::common::postgres_url;

async fn ping_case(store: Store) {
    store.ping().await.expect("ping an open store");
    store.close().await;
    assert!(store.ping().await.is_err(), "a closed store is not ready");
}

#[tokio::test]
async fn ping_sqlite() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    ping_case(store).await;
}

#[tokio::test]
async fn ping_postgres() {
    let Some(url) = postgres_url() else {
        eprintln!("PLYSTRA_TEST_POSTGRES_URL is not set: PostgreSQL half not run");
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    ping_case(store).await;
}

#[tokio::test]
async fn a_sqlite_file_is_created_on_first_start() {
    let dir = std::env::temp_dir().join(format!("plystra-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plystra.db");
    let _ = std::fs::remove_file(&file);
    let store = Store::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    store.ping().await.unwrap();
    assert!(file.exists());
    store.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn unknown_url_schemes_are_refused() {
    assert!(Store::connect("mysql://localhost/x").await.is_err());
}
