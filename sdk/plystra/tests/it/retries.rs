//! Retry behaviour: counts, methods, `Retry-After`.

use std::time::Duration;

use plystra::{Plystra, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::wire;

fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy::standard(attempts).initial_backoff(Duration::from_millis(1))
}

#[tokio::test]
async fn idempotent_calls_retry_on_503_until_success() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .retry(fast(3))
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/health"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/health"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(wire::envelope(json!({"status": "ok"}))),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(plystra.system().health().await.unwrap().status, "ok");
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_answer_is_returned() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .retry(fast(2))
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/ready"))
        .respond_with(ResponseTemplate::new(503).set_body_json(wire::error(
            "NOT_READY",
            "not ready",
            json!(null),
        )))
        .expect(2)
        .mount(&server)
        .await;
    let err = plystra.system().ready().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn posts_are_not_retried_unless_asked() {
    let (server, _) = wire::server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/auth/login"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1 + 3)
        .mount(&server)
        .await;
    let careful = Plystra::builder(server.uri())
        .retry(fast(3))
        .build()
        .unwrap();
    assert!(careful.auth().login("a@b.c", "pw").await.is_err());
    let bold = Plystra::builder(server.uri())
        .retry(fast(3).retry_non_idempotent(true))
        .build()
        .unwrap();
    assert!(bold.auth().login("a@b.c", "pw").await.is_err());
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after() {
    let (server, _) = wire::server().await;
    // A long backoff would make the test slow: Retry-After (0 s here) must win over it.
    let policy = RetryPolicy::standard(2).initial_backoff(Duration::from_secs(30));
    let plystra = Plystra::builder(server.uri())
        .retry(policy)
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/version"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/version"))
        .respond_with(ResponseTemplate::new(500).set_body_json(wire::error(
            "INTERNAL_ERROR",
            "x",
            json!(null),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let err = plystra.system().version().await.unwrap_err();
    assert_eq!(err.status(), Some(500), "the second attempt's answer");
}

#[tokio::test]
async fn disabled_means_one_attempt() {
    let (server, plystra) = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/health"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    assert!(plystra.system().health().await.is_err());
}

#[tokio::test]
async fn the_operation_timeout_ends_the_call_although_retries_remain() {
    let (server, _) = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/health"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(wire::envelope(json!({"status": "ok"})))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let plystra = Plystra::builder(server.uri())
        .retry(
            RetryPolicy::standard(50)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20)),
        )
        .timeout(Duration::from_millis(200))
        .operation_timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = plystra.system().health().await.unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, plystra::Error::Timeout(_)), "{err:?}");
    assert!(took >= Duration::from_millis(650), "{took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    let attempts = server.received_requests().await.unwrap_or_default().len();
    assert!((3..50).contains(&attempts), "{attempts} attempts");
}
