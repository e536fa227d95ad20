//! Recording every scenario against the in-process reference server reproduces the committed
//! fixtures byte for byte, twice with different run ids on the same server: what
//! `plystra-conformance record --check` proves against a running one.

use std::path::Path;

use plystra_conformance::record::{self, Drift};
use plystra_conformance::{Admin, Scenario, Target};
use plystra_core::Store;

/// Records `scenarios` with the variables of run `run` and asserts that the committed fixtures
/// of `profiles` are reproduced byte for byte.
async fn assert_reproduced(
    target: &Target,
    scenarios: &[Scenario],
    profiles: &[String],
    run: &str,
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vars = target.vars(run);
    let mut recorded = Vec::with_capacity(scenarios.len());
    for scenario in scenarios {
        match record::record(target, scenario, &vars).await {
            Ok(fixture) => {
                recorded.push((scenario.fixture_path(), record::render(&fixture).unwrap()))
            }
            Err(failure) => panic!(
                "{}/{} ({run}) at {} ({}): {:?} {:?}",
                scenario.profile,
                scenario.name,
                failure.step,
                failure.request,
                failure.error,
                failure.mismatches
            ),
        }
    }
    let drift = record::compare(&root.join("fixtures"), &recorded, profiles);
    let shown: Vec<String> = drift.iter().map(Drift::to_string).collect();
    assert!(
        drift.is_empty(),
        "recording ({run}) differs from the committed fixtures; record them again \
         (conformance/README.md, \"Recording\") and review the diff:\n{}",
        shown.join("\n")
    );
}

fn scenarios(profiles: &[String]) -> Vec<Scenario> {
    Scenario::load_all(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        profiles,
    )
    .unwrap()
}

async fn record_everything(store: Store) {
    let base = super::serve(store).await;
    let target = Target::new(&base, Admin::Bearer(super::alice_token(&base).await)).unwrap();
    let scenarios = scenarios(&[]);
    let mut profiles: Vec<String> = scenarios.iter().map(|s| s.profile.clone()).collect();
    profiles.dedup();
    for run in ["rec0a1b2", "rec3c4d5"] {
        assert_reproduced(&target, &scenarios, &profiles, run).await;
    }
}

/// Each isolated profile, recorded once on a server of its own.
async fn record_isolated() {
    for profile in plystra_conformance::ISOLATED_PROFILES {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let base = super::serve_with(store, super::isolated_config(profile)).await;
        let target = Target::new(&base, Admin::Bearer(super::alice_token(&base).await)).unwrap();
        let profiles = [profile.to_string()];
        let scenarios = scenarios(&profiles);
        assert!(!scenarios.is_empty(), "{profile}");
        assert_reproduced(&target, &scenarios, &profiles, "rec6e7f8").await;
    }
}

#[tokio::test]
async fn recording_reproduces_the_isolated_fixtures_on_sqlite() {
    record_isolated().await;
}

#[tokio::test]
async fn recording_reproduces_the_fixtures_on_sqlite() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    record_everything(store).await;
}

#[tokio::test]
async fn recording_reproduces_the_fixtures_on_postgres() {
    if let Some(store) = super::postgres_store().await {
        record_everything(store).await;
    }
}
