//! Store tests: each case is written once and run on SQLite and on PostgreSQL.

use plystra_server::Store;
use plystra_server::store::Backend;

use crate::common::{on_both_backends, postgres_url};

async fn a_store_pings_until_closed(store: Store) {
    store.ping().await.expect("ping an open store");
    store.close().await;
    assert!(store.ping().await.is_err(), "a closed store is not ready");
}

on_both_backends!(a_store_pings_until_closed);

/// The URL's scheme picks the backend.
#[tokio::test]
async fn a_url_picks_its_backend() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    let Some(url) = postgres_url() else {
        eprintln!("PLYSTRA_TEST_POSTGRES_URL is not set: PostgreSQL half not run");
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
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

// SQLite on a file: concurrent writers need more than one connection.
on_both_backends!(sqlite file: decision_audit_rows_share_commits);

/// Decision audit rows of concurrent checks share inserts (group commit); each caller still
/// learns about its own row only, and a row that cannot be written fails alone.
async fn decision_audit_rows_share_commits(store: Store) {
    use plystra_server::store::authz::DecisionAudit;

    fn row(id: &str) -> DecisionAudit<'_> {
        DecisionAudit {
            id,
            space_id: "space_gc",
            actor_user_id: "user_gc",
            actor_member_id: "member_gc",
            actor_user_member_id: "um_gc",
            action: "invoice.approve",
            resource_type: "invoice",
            resource_id: "invoice_gc",
            decision: "allow",
            deny_code: "",
            request_id: "req_gc",
            ip_address: "127.0.0.1",
            user_agent: "test",
            trace: "{}",
            created_at: "2026-11-27T00:00:00.000000Z",
        }
    }
    let count = "SELECT COUNT(*) FROM audit_logs WHERE space_id = $1";

    let mut checks = tokio::task::JoinSet::new();
    for n in 0..64 {
        let store = store.clone();
        checks.spawn(async move {
            let id = format!("audit_gc_{n:04}");
            store.append_decision_audit(&row(&id)).await
        });
    }
    while let Some(result) = checks.join_next().await {
        result.unwrap().expect("every row of the burst commits");
    }
    assert_eq!(store.count_where(count, "space_gc").await.unwrap(), 64);

    // A burst with one id that already exists: that row fails, its neighbours commit.
    let mut checks = tokio::task::JoinSet::new();
    for n in 64..80 {
        let store = store.clone();
        checks.spawn(async move {
            let id = if n == 70 {
                "audit_gc_0003".to_owned()
            } else {
                format!("audit_gc_{n:04}")
            };
            (n, store.append_decision_audit(&row(&id)).await.is_ok())
        });
    }
    let mut failed = Vec::new();
    while let Some(result) = checks.join_next().await {
        let (n, ok) = result.unwrap();
        if !ok {
            failed.push(n);
        }
    }
    assert_eq!(failed, vec![70], "only the duplicate row fails");
    assert_eq!(store.count_where(count, "space_gc").await.unwrap(), 79);
}
