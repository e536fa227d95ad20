//! Login lockout (docs/behaviour.md §6.2): 8 failures lock the email and the client address for 15
//! minutes, the 8th answer is already 429 with Retry-After, success resets, and the counters live
//! in the database so two server instances on one database enforce one limit.

use std::sync::Arc;
use std::time::Duration;

use plystra::Plystra;
use plystra_server::{Config, Server, Store};

use crate::common::{ManualClock, postgres_url, serve_server};

async fn instance(store: Store, clock: &ManualClock) -> Plystra {
    let server = Server::new(store, Arc::new(Config::for_tests())).with_clock(clock.clock());
    Plystra::new(&serve_server(Arc::new(server)).await).unwrap()
}

/// `a` and `b` are two connections (two server instances) to one database.
async fn lockout_case(a: Store, b: Store) {
    a.migrate().await.unwrap();
    plystra_server::seed::demo(&a).await.unwrap();
    let clock = ManualClock::new();
    let (one, two) = (instance(a, &clock).await, instance(b, &clock).await);

    for attempt in 1..=7 {
        let client = if attempt % 2 == 0 { &one } else { &two };
        let err = client
            .auth()
            .login("bob@example.com", "wrong")
            .await
            .unwrap_err();
        assert!(err.is_unauthorized(), "attempt {attempt}: {err:?}");
    }
    let err = one
        .auth()
        .login("bob@example.com", "wrong")
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "8th failure locks: {err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(15 * 60)));
    // Locked on the other instance too, even with the right password.
    let err = two
        .auth()
        .login("bob@example.com", "plystra-demo")
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");

    clock.advance(chrono::Duration::minutes(15) + chrono::Duration::seconds(1));
    two.auth()
        .login("bob@example.com", "plystra-demo")
        .await
        .unwrap();
    // Success reset the counters: one more failure is a plain 401 again.
    let err = one
        .auth()
        .login("bob@example.com", "wrong")
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    one.auth()
        .login("bob@example.com", "plystra-demo")
        .await
        .unwrap();
}

#[tokio::test]
async fn lockout_on_sqlite_across_two_instances() {
    let dir = std::env::temp_dir().join(format!("plystra-lockout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("plystra.db").display());
    let a = Store::connect(&url).await.unwrap();
    a.migrate().await.unwrap();
    let b = Store::connect(&url).await.unwrap();
    lockout_case(a, b).await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn lockout_on_postgres_across_two_instances() {
    let Some(url) = postgres_url() else {
        eprintln!("PLYSTRA_TEST_POSTGRES_URL is not set: PostgreSQL half not run");
        return;
    };
    let a = Store::connect(&url).await.unwrap();
    a.migrate().await.unwrap();
    // Other tests share this database: start from no throttle state for bob.
    a.throttle_reset(&["email:bob@example.com".into(), "ip:127.0.0.1".into()])
        .await
        .unwrap();
    lockout_case(a, Store::connect(&url).await.unwrap()).await;
}
