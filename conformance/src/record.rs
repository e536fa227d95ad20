//! `plystra-conformance record`: runs scenarios ([`crate::scenario`]) against a reference
//! server and writes each fixture from the real responses ([`crate::normalise`]), in a layout
//! that depends only on them ([`crate::yaml`]), so recording again without a server change
//! gives the same bytes; [`compare`] is the `--check` that proves it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::fixture::{Exchange, Fixture, Request, Response};
use crate::matcher::Mismatch;
use crate::normalise::{Normaliser, sorted};
use crate::runner::{Failure, Target, shown};
use crate::scenario::Scenario;
use crate::vars::Vars;

/// Records `scenario` with `vars` (see [`Target::vars`]): runs its setup, sends each exchange,
/// checks the status it states and turns the response into the fixture's expectation. Every
/// expectation is checked against the response it came from before it is accepted.
pub async fn record(target: &Target, scenario: &Scenario, vars: &Vars) -> Result<Fixture, Failure> {
    let mut vars = vars.clone();
    target.set_up(&scenario.setup, &mut vars).await?;
    let mut exchanges = Vec::with_capacity(scenario.exchanges.len());
    for (i, step) in scenario.exchanges.iter().enumerate() {
        let name = format!("exchange[{i}]");
        let sent = shown(&step.request, &vars);
        let fail = |error: String| Failure::error(&name, &sent, error);
        let received = target.send(&step.request, &vars).await.map_err(fail)?;
        if let Some(status) = step.response.status
            && status != received.status
        {
            return Err(Failure {
                step: name.clone(),
                request: sent.clone(),
                error: received
                    .body
                    .as_ref()
                    .map(|b| format!("the server answered {b}")),
                mismatches: vec![Mismatch {
                    path: "status".into(),
                    expected: status.to_string(),
                    actual: received.status.to_string(),
                }],
            });
        }
        let mut normaliser = Normaliser::new(&vars, &step.response).map_err(fail)?;
        let headers = normaliser.headers(&received.headers);
        let body = received.body.as_ref().map(|b| normaliser.body(b));
        let unused = normaliser.unused();
        if !unused.is_empty() {
            return Err(fail(format!(
                "hints that matched nothing: {}",
                unused.join(", ")
            )));
        }
        let response = Response {
            status: received.status,
            headers,
            body,
        };
        let mismatches = received.differences(&response, &vars).map_err(fail)?;
        if !mismatches.is_empty() {
            return Err(Failure {
                step: name.clone(),
                request: sent.clone(),
                error: Some("the recorded expectation does not match its own response".into()),
                mismatches,
            });
        }
        received.capture(&step.capture, &mut vars).map_err(fail)?;
        exchanges.push(Exchange {
            request: canonical(&step.request),
            response,
            capture: step.capture.clone(),
        });
    }
    Ok(Fixture {
        name: scenario.name.clone(),
        profile: scenario.profile.clone(),
        operation: scenario.operation.clone(),
        kind: scenario.kind,
        error_class: scenario.error_class.clone(),
        description: scenario.description.clone(),
        setup: scenario
            .setup
            .iter()
            .map(|s| Exchange {
                request: canonical(&s.request),
                ..s.clone()
            })
            .collect(),
        exchanges,
    })
}

fn canonical(request: &Request) -> Request {
    Request {
        body: request.body.as_ref().map(sorted),
        ..request.clone()
    }
}

/// The file `record` writes for `fixture`, recorded from `scenarios/<profile>/<name>.yaml`: a
/// header saying so, then the fixture. Fails if the text would not read back as `fixture`.
pub fn render(fixture: &Fixture) -> Result<String, String> {
    let value = serde_yaml::to_value(fixture).map_err(|e| e.to_string())?;
    let text = format!(
        "# Recorded from scenarios/{}/{}.yaml by `plystra-conformance record`. Do not edit:\n\
         # change the scenario (or the server) and record again (conformance/README.md, \"Recording\").\n{}",
        fixture.profile,
        fixture.name,
        crate::yaml::render(&value)
    );
    let back: Fixture = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
    if &back != fixture {
        return Err(format!(
            "{}/{}: the written YAML reads back differently",
            fixture.profile, fixture.name
        ));
    }
    Ok(text)
}

/// How a committed fixture differs from its recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file differs: a summary of the changed lines.
    Changed {
        /// Relative to the fixtures directory.
        path: PathBuf,
        /// `-`/`+` lines around the first change.
        diff: String,
    },
    /// No such file is committed.
    Missing {
        /// Relative to the fixtures directory.
        path: PathBuf,
    },
    /// A committed fixture that no scenario records.
    Unrecorded {
        /// Relative to the fixtures directory.
        path: PathBuf,
    },
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Changed { path, diff } => write!(f, "{} differs:\n{diff}", path.display()),
            Drift::Missing { path } => write!(f, "{} is not committed", path.display()),
            Drift::Unrecorded { path } => {
                write!(f, "{} has no scenario", path.display())
            }
        }
    }
}

/// Compares recordings (`(path relative to dir, text)`) with the files under `dir`. With
/// `profiles` (the profiles recorded in full), committed fixtures there without a recording are
/// reported too.
pub fn compare(dir: &Path, recorded: &[(PathBuf, String)], profiles: &[String]) -> Vec<Drift> {
    let mut out = Vec::new();
    for (path, text) in recorded {
        match std::fs::read_to_string(dir.join(path)) {
            Ok(committed) if &committed == text => {}
            Ok(committed) => out.push(Drift::Changed {
                path: path.clone(),
                diff: diff(&committed, text),
            }),
            Err(_) => out.push(Drift::Missing { path: path.clone() }),
        }
    }
    if !profiles.is_empty() {
        let committed = crate::fixture::yaml_files(dir, profiles).unwrap_or_default();
        for file in committed {
            let relative = file.strip_prefix(dir).unwrap_or(&file).to_path_buf();
            if !recorded.iter().any(|(path, _)| *path == relative) {
                out.push(Drift::Unrecorded { path: relative });
            }
        }
    }
    out
}

/// The lines between the common head and tail of `old` and `new`, at most 12 of each.
pub fn diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = format!("  @@ line {}\n", head + 1);
    for (sign, lines) in [
        ("-", &old[head..old.len() - tail]),
        ("+", &new[head..new.len() - tail]),
    ] {
        for line in lines.iter().take(12) {
            let _ = writeln!(out, "  {sign} {line}");
        }
        if lines.len() > 12 {
            let _ = writeln!(out, "  {sign} … {} more", lines.len() - 12);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_the_changed_middle() {
        let text = diff("a\nb\nc\nd\n", "a\nB\nc\nd\n");
        assert_eq!(text, "  @@ line 2\n  - b\n  + B\n");
        assert_eq!(diff("a\n", "a\nb\n"), "  @@ line 2\n  + b\n");
    }

    #[test]
    fn compare_reports_changed_missing_and_unrecorded_files() {
        let dir = std::env::temp_dir().join(format!("record-compare-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("p")).unwrap();
        std::fs::write(dir.join("p/same.yaml"), "x\n").unwrap();
        std::fs::write(dir.join("p/changed.yaml"), "x\n").unwrap();
        std::fs::write(dir.join("p/stale.yaml"), "x\n").unwrap();
        let recorded = vec![
            (PathBuf::from("p/same.yaml"), "x\n".to_string()),
            (PathBuf::from("p/changed.yaml"), "y\n".to_string()),
            (PathBuf::from("p/new.yaml"), "z\n".to_string()),
        ];
        let drift = compare(&dir, &recorded, &["p".to_string()]);
        assert_eq!(
            drift,
            vec![
                Drift::Changed {
                    path: "p/changed.yaml".into(),
                    diff: "  @@ line 1\n  - x\n  + y\n".into()
                },
                Drift::Missing {
                    path: "p/new.yaml".into()
                },
                Drift::Unrecorded {
                    path: "p/stale.yaml".into()
                },
            ]
        );
        assert_eq!(compare(&dir, &recorded[..1], &[]), vec![]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
