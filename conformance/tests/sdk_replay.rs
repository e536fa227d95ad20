//! Every fixture through the SDK against wiremock (`plystra_conformance::replay`): for each
//! exchange the mock answers the fixture's response, made concrete, to the recorded request
//! only; the SDK's typed call must send that request once and decode the answer into the value
//! or the error it was sent.
//!
//! Exchanges a typed SDK cannot send are listed in [`SKIPS`] with the way they fail and why. The
//! test fails when an unlisted exchange does not replay, when a listed one replays (remove it)
//! or fails another way, and when an entry has no reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use plystra_conformance::replay::{FixtureResult, Replayer};
use plystra_conformance::{Fixture, Kind};

/// Exchanges that do not go through a typed SDK.
struct Skip {
    /// `profile/name`.
    case: &'static str,
    /// Indexes into `exchanges`; empty: all of them.
    exchanges: &'static [usize],
    /// How they fail ([`plystra_conformance::replay::FailureKind::label`]).
    kind: &'static str,
    /// Why a typed SDK cannot send them.
    reason: &'static str,
}

const SKIPS: &[Skip] = &[
    Skip {
        case: "actor/context-with-api-key",
        exchanges: &[0],
        kind: "credential",
        reason: "sends an API key to getActorContext, which accepts only a Bearer session; the SDK \
                 sends a credential only where the operation accepts it",
    },
    Skip {
        case: "api-keys/key-entity-scope",
        exchanges: &[9],
        kind: "no_operation",
        reason: "GET /api/v1/metrics is not an operation (the metrics are at /metrics); the SDK \
                 has no call for it",
    },
    Skip {
        case: "audit/audit-bad-window",
        exchanges: &[0],
        kind: "parameter",
        reason: "created_at_from=yesterday is not a date-time, which the typed parameter is",
    },
    Skip {
        case: "auth/login-missing-password",
        exchanges: &[0],
        kind: "body",
        reason: "the body lacks the required password, without which LoginRequest cannot be built",
    },
    Skip {
        case: "auth/logout",
        exchanges: &[0],
        kind: "credential",
        reason: "logs out by the session's access token, but logout is public in the spec \
                 (`security: []`), so the SDK sends no credential on it (the spec does not say \
                 that the server accepts an optional Bearer here)",
    },
    Skip {
        case: "authz-registry/check-client-request-id",
        exchanges: &[],
        kind: "body",
        reason: "sends client_request_id, which AuthzCheckRequest does not have: the typed body \
                 would drop it",
    },
    Skip {
        case: "authz-registry/session-demo",
        exchanges: &[2],
        kind: "answer",
        reason: "checkAuthorization with explain: true answers the Decision shape, which the typed \
                 answer (AuthzCheckResult) cannot hold; the spec sends typed clients to \
                 explainAuthorization for it",
    },
    Skip {
        case: "errors/bad-json",
        exchanges: &[],
        kind: "raw_body",
        reason: "malformed JSON; a typed SDK sends only what its types serialize",
    },
    Skip {
        case: "errors/method-not-allowed",
        exchanges: &[],
        kind: "no_operation",
        reason: "a method the route does not have; the SDK has no call for it",
    },
    Skip {
        case: "errors/oversized-body",
        exchanges: &[],
        kind: "raw_body",
        reason: "an oversized raw body; a typed SDK sends only what its types serialize",
    },
    Skip {
        case: "errors/unknown-field",
        exchanges: &[0],
        kind: "body",
        reason: "an unknown member, which the typed body would drop",
    },
    Skip {
        case: "errors/unknown-nested-field",
        exchanges: &[0],
        kind: "body",
        reason: "an unknown nested member, which the typed body would drop",
    },
    Skip {
        case: "errors/unknown-route",
        exchanges: &[],
        kind: "no_operation",
        reason: "a path the contract does not have; the SDK has no call for it",
    },
    Skip {
        case: "errors/validation",
        exchanges: &[0],
        kind: "body",
        reason: "the body lacks the required display_name, without which the typed body cannot \
                 be built",
    },
    Skip {
        case: "errors/wrong-content-type",
        exchanges: &[0],
        kind: "raw_body",
        reason: "a text/plain body; the SDK sends JSON",
    },
    Skip {
        case: "identity/member-list-limit-fallback",
        exchanges: &[0, 1],
        kind: "parameter",
        reason: "limit=0 and limit=-3 show the server falling back to its default, but the \
                 contract says minimum 1, so the typed limit (NonZeroU32) cannot carry them",
    },
    Skip {
        case: "registry/type-missing-display-name",
        exchanges: &[0],
        kind: "body",
        reason: "the body lacks the required display_name, without which the typed body cannot \
                 be built",
    },
    Skip {
        case: "system/cors",
        exchanges: &[0],
        kind: "no_operation",
        reason: "a CORS preflight (OPTIONS) is not an operation of the contract",
    },
    Skip {
        case: "system/cors",
        exchanges: &[1],
        kind: "header",
        reason: "sends Origin, which a server-side SDK has no setting for",
    },
];

fn skip_of(case: &str, index: usize) -> Option<&'static Skip> {
    SKIPS
        .iter()
        .find(|s| s.case == case && (s.exchanges.is_empty() || s.exchanges.contains(&index)))
}

#[tokio::test]
async fn every_fixture_replays_through_the_sdk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("../spec/plystra.yaml")).unwrap();
    let replayer = Replayer::new(&spec).unwrap();
    let fixtures = Fixture::load_every(&root.join("fixtures")).unwrap();
    let mut results: Vec<FixtureResult> = Vec::new();
    for fixture in &fixtures {
        results.push(replayer.replay(fixture).await);
    }

    let mut problems = Vec::new();
    for skip in SKIPS {
        if skip.reason.trim().is_empty() {
            problems.push(format!("{}: a skip needs a reason", skip.case));
        }
        match results.iter().find(|r| r.case == skip.case) {
            None => problems.push(format!("{}: listed, but no such fixture", skip.case)),
            Some(result) => {
                for index in skip.exchanges {
                    if *index >= result.exchanges.len() {
                        problems.push(format!("{}: no exchange[{index}]", skip.case));
                    }
                }
            }
        }
    }
    let (mut replayed, mut skipped, mut fixtures_replayed) = (0, 0, 0);
    let mut not_replayed = Vec::new();
    let mut skipped_lines = Vec::new();
    for result in &results {
        let mut any_replayed = false;
        for exchange in &result.exchanges {
            let step = format!(
                "{} exchange[{}] {}",
                result.case, exchange.index, exchange.request
            );
            match (&exchange.result, skip_of(&result.case, exchange.index)) {
                (Ok(()), None) => {
                    replayed += 1;
                    any_replayed = true;
                }
                (Ok(()), Some(_)) => {
                    problems.push(format!("{step}: replays now, remove it from SKIPS"))
                }
                (Err(failure), None) => problems.push(format!(
                    "{step}: {} ({})",
                    failure.message,
                    failure.kind.label()
                )),
                (Err(failure), Some(skip)) if failure.kind.label() != skip.kind => {
                    problems.push(format!(
                        "{step}: listed as {}, but fails as {}: {}",
                        skip.kind,
                        failure.kind.label(),
                        failure.message
                    ));
                }
                (Err(_), Some(skip)) => {
                    skipped += 1;
                    let positive = if result.kind == Kind::Positive {
                        " (positive fixture)"
                    } else {
                        ""
                    };
                    skipped_lines.push(format!("  {step}{positive}: {}", skip.reason));
                }
            }
        }
        if any_replayed {
            fixtures_replayed += 1;
        } else {
            not_replayed.push(result.case.as_str());
        }
    }
    let total: usize = results.iter().map(|r| r.exchanges.len()).sum();
    println!(
        "SDK replay: {replayed} of {total} exchanges replayed, from {fixtures_replayed} of {} \
         fixtures; {skipped} exchanges skipped, {} fixtures entirely ({}):\n{}",
        results.len(),
        not_replayed.len(),
        not_replayed.join(", "),
        skipped_lines.join("\n")
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
