//! Every fixture against the reference server started in-process (SQLite, and PostgreSQL when
//! `PLYSTRA_TEST_POSTGRES_URL` is set), twice with different run ids: the suite prepares its
//! own state and can run again against the same server. `record` (in `live/record.rs`, so that
//! this stays one test binary) records every scenario and compares with the fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "live/record.rs"]
mod record;

use std::path::Path;
use std::sync::Arc;

use plystra_conformance::{Admin, Fixture, Target, report};
use plystra_core::Store;
use plystra_server::{Config, Server};

async fn serve(store: Store) -> String {
    serve_with(store, suite_config()).await
}

/// The tests' configuration with `/metrics` on, as the metrics fixtures expect.
fn suite_config() -> Config {
    let mut config = Config::for_tests();
    config.metrics.enabled = true;
    config
}

async fn serve_with(store: Store, config: Config) -> String {
    use poem::listener::{Acceptor, Listener, TcpListener};
    plystra_server::seed::demo(&store).await.unwrap();
    plystra_server::bootstrap::bootstrap_super_admin(
        &store,
        &plystra_server::bootstrap::Bootstrap {
            user_id: "user_alice".into(),
            member_id: None,
            grant_id: None,
            if_exists_ok: true,
            source: "conformance",
        },
    )
    .await
    .unwrap();
    let server = Arc::new(Server::new(store, Arc::new(config.clone())));
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    let app = plystra_server::http::app(server, &config);
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
    });
    format!("http://{addr}")
}

async fn alice_token(base: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "alice@example.com", "password": "plystra-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["access_token"].as_str().unwrap().to_string()
}

/// The committed fixtures of `profiles` (every shared profile when empty).
fn fixtures(profiles: &[String]) -> Vec<Fixture> {
    Fixture::load_all(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        profiles,
    )
    .unwrap()
}

/// Runs `fixtures` against `target` with the variables of run `run`; every case must pass.
async fn assert_all_pass(target: &Target, fixtures: &[Fixture], run: &str) {
    let vars = target.vars(run);
    for fixture in fixtures {
        let result = target.run(fixture, &vars).await;
        assert!(
            result.passed,
            "{} ({run} run)\n{}",
            result.case,
            report::describe(&result)
        );
    }
}

async fn run_everything(store: Store) {
    let base = serve(store).await;
    let target = Target::new(&base, Admin::Bearer(alice_token(&base).await)).unwrap();
    let fixtures = fixtures(&[]);
    assert!(fixtures.len() >= 6);
    for run in ["first", "second"] {
        assert_all_pass(&target, &fixtures, run).await;
    }
}

/// The configuration an isolated profile needs (`registration`: ordinary sign-up with the
/// suite's token).
fn isolated_config(profile: &str) -> Config {
    let mut config = suite_config();
    if profile == "registration" {
        config.registration.ordinary_enabled = true;
        config.registration.ordinary_token =
            Some(plystra_conformance::REGISTRATION_TOKEN.to_string());
    }
    config
}

/// Each isolated profile once, against a server of its own with the configuration it needs
/// (after `lockout` the server refuses this client's logins for the lockout period).
async fn run_isolated(store: impl AsyncFn() -> Store) {
    for profile in plystra_conformance::ISOLATED_PROFILES {
        let base = serve_with(store().await, isolated_config(profile)).await;
        let target = Target::new(&base, Admin::Bearer(alice_token(&base).await)).unwrap();
        let fixtures = fixtures(&[profile.to_string()]);
        assert!(!fixtures.is_empty(), "{profile}");
        assert_all_pass(&target, &fixtures, "isolated").await;
    }
}

#[tokio::test]
async fn every_fixture_passes_on_sqlite() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    run_everything(store).await;
}

#[tokio::test]
async fn every_fixture_passes_on_postgres() {
    if let Some(store) = postgres_store().await {
        run_everything(store).await;
    }
}

// Named so that `every_fixture_passes_on_sqlite` (the filter conformance/mutation.sh runs) selects
// it too.
#[tokio::test]
async fn every_fixture_passes_on_sqlite_isolated_profiles() {
    run_isolated(async || {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        store
    })
    .await;
}

#[tokio::test]
async fn every_fixture_passes_on_postgres_isolated_profiles() {
    if postgres_store_url().is_some() {
        run_isolated(async || postgres_store().await.unwrap()).await;
    }
}

/// `PLYSTRA_TEST_POSTGRES_URL`, when set (under CI a missing one is a failure).
fn postgres_store_url() -> Option<String> {
    testkit::postgres_url(&[testkit::POSTGRES_URL])
}

/// A migrated store on `PLYSTRA_TEST_POSTGRES_URL`, in a schema of its own so that this test
/// does not see other tests' rows; `None` when the variable is not set.
async fn postgres_store() -> Option<Store> {
    let url = testkit::fresh_schema_url(&postgres_store_url()?)
        .await
        .unwrap();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    Some(store)
}

#[test]
fn coverage_reads_the_contract() {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/plystra.yaml"))
            .unwrap();
    let ops = plystra_conformance::coverage::operations(&spec).unwrap();
    assert_eq!(ops.len(), 165);
    let coverage = plystra_conformance::coverage::Coverage::of(&ops, &fixtures(&[]));
    assert!(coverage.error_classes.contains("bad_json"));
    assert!(coverage.uncovered(["getHealth", "createMember"]).is_empty());
    assert!(
        coverage
            .render()
            .contains("operations with a positive fixture")
    );
}

#[tokio::test]
async fn every_implemented_operation_has_a_positive_fixture() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let server = Server::new(store, Arc::new(Config::for_tests()));
    let unimplemented: Vec<&str> = plystra_server_api::probe::unimplemented_operations(&server)
        .await
        .iter()
        .map(|op| op.id)
        .collect();
    // The isolated profiles count: `register` works only under their configuration.
    let fixtures =
        Fixture::load_every(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")).unwrap();
    let missing: Vec<&str> = plystra_server_api::OPERATIONS
        .iter()
        .map(|op| op.id)
        .filter(|id| !unimplemented.contains(id))
        .filter(|id| {
            !fixtures
                .iter()
                .any(|f| f.kind == plystra_conformance::Kind::Positive && f.operation == *id)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "implemented but without a positive fixture: {missing:?}"
    );
}
