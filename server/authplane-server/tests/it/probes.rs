//! `/health`, `/livez`, `/ready` on SQLite and PostgreSQL, and what they say when the database
//! is gone.

use authplane_server::http::public_app;
use authplane_server::{Config, Store};
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

use crate::common::{self, fresh_postgres_store, json};

const TIME: &str = "2026-05-12T01:00:00+00:00";

async fn probes_case(store: Store) {
    let server = common::server_on(
        store.clone(),
        &Config::for_tests(None),
        "http://localhost:9000",
    );
    let cli = TestClient::new(public_app(server));
    let health = cli.get("/health").send().await;
    health.assert_status_is_ok();
    health
        .assert_json(json!({"status": "ok", "db": "ok", "time": TIME}))
        .await;
    let ready = cli.get("/ready").send().await;
    ready.assert_status_is_ok();
    ready
        .assert_json(json!({"status": "ready", "db": "ok", "time": TIME}))
        .await;
    let live = cli.get("/livez").send().await;
    live.assert_status_is_ok();
    live.assert_json(json!({"status": "ok", "time": TIME}))
        .await;

    store.close().await;
    let health = cli.get("/health").send().await;
    health.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    health
        .assert_json(json!({"status": "degraded", "db": "error", "time": TIME}))
        .await;
    let ready = cli.get("/ready").send().await;
    ready.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    ready
        .assert_json(json!({"status": "not_ready", "db": "error", "time": TIME}))
        .await;
    let live = cli.get("/livez").send().await;
    live.assert_status_is_ok();
}

#[tokio::test]
async fn probes_on_sqlite() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    probes_case(store).await;
}

#[tokio::test]
async fn probes_on_postgres() {
    let Some(store) = fresh_postgres_store().await else {
        return;
    };
    assert_eq!(store.backend().name(), "postgres");
    probes_case(store).await;
}

#[tokio::test]
async fn probes_are_public_and_carry_a_request_id() {
    let cli = common::public().await;
    let resp = cli
        .get("/ready")
        .header("x-request-id", "req_probe")
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header("x-request-id", "req_probe");
    resp.assert_header("cache-control", "no-store");
    assert_eq!(json(resp).await["status"], "ready");
}
