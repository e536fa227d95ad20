//! The store on both backends: migrations and the recorded issuer.

use authplane_server::Store;
use authplane_server::store::migrate::EXPECTED_VERSION;

use crate::common::{fixed_time, fresh_postgres_store};

async fn issuer_case(store: Store) {
    assert_eq!(store.schema_version().await.unwrap(), EXPECTED_VERSION);
    let now = fixed_time();
    assert_eq!(
        store.record_issuer("http://a.example", now).await.unwrap(),
        None
    );
    assert_eq!(
        store.record_issuer("http://a.example", now).await.unwrap(),
        None
    );
    assert_eq!(
        store.record_issuer("https://b.example", now).await.unwrap(),
        Some("http://a.example".to_string())
    );
    assert_eq!(
        store.setting("issuer").await.unwrap().as_deref(),
        Some("https://b.example")
    );
    assert_eq!(store.setting("nothing").await.unwrap(), None);
    // Migrating again changes nothing.
    store.migrate().await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), EXPECTED_VERSION);
}

#[tokio::test]
async fn issuer_on_sqlite() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    issuer_case(store).await;
}

#[tokio::test]
async fn issuer_on_postgres() {
    let Some(store) = fresh_postgres_store().await else {
        return;
    };
    issuer_case(store).await;
}
