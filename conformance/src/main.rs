//! `plystra-conformance`: run the contract fixtures against a server, record them from the
//! scenarios against a reference server, or print their coverage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use plystra_conformance::coverage::{Coverage, operations};
use plystra_conformance::{
    Admin, Fixture, ISOLATED_PROFILES, Scenario, Target, record, report, runner,
};

#[derive(Parser)]
#[command(name = "plystra-conformance", about = "Plystra Core contract fixtures")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the fixtures against a server; exits 1 when a case fails.
    Run {
        #[command(flatten)]
        server: ServerArgs,
        /// Only these profiles (repeatable). The isolated profiles run only when named:
        /// `lockout` once, last (it locks the runner out of login); `registration` against a
        /// server with ordinary sign-up enabled (conformance/README.md).
        #[arg(long = "profile")]
        profiles: Vec<String>,
        /// Where the fixtures are.
        #[arg(long, default_value = default_fixtures())]
        fixtures: PathBuf,
        /// Write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Write a JSON report here.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Record the fixtures from the scenarios against a reference server (or, with --check,
    /// fail when a committed fixture differs from its recording).
    Record {
        #[command(flatten)]
        server: ServerArgs,
        /// Only these profiles (repeatable); the isolated profiles only when named.
        #[arg(long = "profile")]
        profiles: Vec<String>,
        /// Only these scenarios, by name or profile/name (repeatable).
        #[arg(long = "scenario")]
        scenarios: Vec<String>,
        /// Where the scenarios are.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))]
        scenarios_dir: PathBuf,
        /// Where the fixtures are written.
        #[arg(long, default_value = default_fixtures())]
        out: PathBuf,
        /// Write nothing; exit 1 when a committed fixture differs from its recording.
        #[arg(long)]
        check: bool,
    },
    /// Print which operations and error classes the fixtures cover.
    Coverage {
        /// Where the fixtures are.
        #[arg(long, default_value = default_fixtures())]
        fixtures: PathBuf,
        /// The contract.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/plystra.yaml"))]
        spec: PathBuf,
    },
}

/// The server to talk to and the credential to manage it with.
#[derive(clap::Args)]
struct ServerArgs {
    /// The server's root URL (e.g. http://127.0.0.1:8080).
    #[arg(long)]
    base_url: String,
    /// An API key to manage state with (instance level, `*`).
    #[arg(
        long,
        env = "PLYSTRA_CONFORMANCE_API_KEY",
        conflicts_with = "bootstrap"
    )]
    api_key: Option<String>,
    /// `email:password` of an instance super admin to log in as.
    #[arg(long, env = "PLYSTRA_CONFORMANCE_BOOTSTRAP")]
    bootstrap: Option<String>,
}

impl ServerArgs {
    async fn target(self) -> Result<Target, String> {
        let admin = match (self.api_key, self.bootstrap) {
            (Some(key), _) => Admin::ApiKey(key),
            (None, Some(login)) => Admin::Bearer(
                log_in(&self.base_url, &login)
                    .await
                    .map_err(|e| format!("--bootstrap: {e}"))?,
            ),
            (None, None) => return Err("pass --api-key or --bootstrap email:password".into()),
        };
        Target::new(&self.base_url, admin)
    }
}

const fn default_fixtures() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run {
            server,
            profiles,
            fixtures,
            junit,
            json,
        } => {
            let fixtures = match Fixture::load_all(&fixtures, &profiles) {
                Ok(f) => f,
                Err(e) => return fail(&e.to_string()),
            };
            let target = match server.target().await {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            let vars = target.vars(&runner::run_id());
            let total = fixtures.len();
            let mut results = Vec::with_capacity(total);
            let bar = progress(total);
            for (i, fixture) in fixtures.iter().enumerate() {
                bar.set_message(format!("{}/{}", fixture.profile, fixture.name));
                let result = target.run(fixture, &vars).await;
                bar.suspend(|| {
                    println!(
                        "[{:>3}/{total}] {} {} ({} ms)",
                        i + 1,
                        if result.passed { "PASS" } else { "FAIL" },
                        result.case,
                        result.duration.as_millis()
                    );
                    if !result.passed {
                        print!("{}", report::describe(&result));
                    }
                });
                bar.inc(1);
                results.push(result);
            }
            bar.finish_and_clear();
            let failed = results.iter().filter(|r| !r.passed).count();
            println!("{} passed, {failed} failed", total - failed);
            if profiles.is_empty() {
                println!(
                    "not run: the isolated profiles ({}); see conformance/README.md, \
                     \"Isolated profiles\"",
                    ISOLATED_PROFILES.join(", ")
                );
            }
            for (path, text) in [
                (junit, report::junit(&results)),
                (json, report::json(&results)),
            ] {
                if let Some(path) = path
                    && let Err(e) = std::fs::write(&path, text)
                {
                    return fail(&format!("{}: {e}", path.display()));
                }
            }
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Record {
            server,
            profiles,
            scenarios,
            scenarios_dir,
            out,
            check,
        } => {
            let mut selected = match Scenario::load_all(&scenarios_dir, &profiles) {
                Ok(s) => s,
                Err(e) => return fail(&e.to_string()),
            };
            if !scenarios.is_empty() {
                selected.retain(|s| {
                    let full = format!("{}/{}", s.profile, s.name);
                    scenarios.iter().any(|n| *n == s.name || *n == full)
                });
                if selected.len() < scenarios.len() {
                    return fail("a --scenario names no scenario (or more than one)");
                }
            }
            let target = match server.target().await {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            record_all(
                &target,
                &selected,
                &out,
                check,
                scenarios.is_empty(),
                &profiles,
            )
            .await
        }
        Command::Coverage { fixtures, spec } => {
            let spec = match std::fs::read_to_string(&spec) {
                Ok(s) => s,
                Err(e) => return fail(&format!("{}: {e}", spec.display())),
            };
            let (ops, fixtures) = match (operations(&spec), Fixture::load_every(&fixtures)) {
                (Ok(o), Ok(f)) => (o, f),
                (Err(e), _) => return fail(&e),
                (_, Err(e)) => return fail(&e.to_string()),
            };
            print!("{}", Coverage::of(&ops, &fixtures).render());
            ExitCode::SUCCESS
        }
    }
}

/// Records `scenarios`; writes the changed fixtures, or with `check` compares them. `complete`:
/// every scenario of the selected profiles was recorded, so committed fixtures without one are
/// reported.
async fn record_all(
    target: &Target,
    scenarios: &[Scenario],
    out: &std::path::Path,
    check: bool,
    complete: bool,
    profiles: &[String],
) -> ExitCode {
    let vars = target.vars(&runner::run_id());
    let mut recorded = Vec::with_capacity(scenarios.len());
    let mut failed = Vec::new();
    let bar = progress(scenarios.len());
    for scenario in scenarios {
        let case = format!("{}/{}", scenario.profile, scenario.name);
        bar.set_message(case.clone());
        let recording = record::record(target, scenario, &vars).await;
        bar.inc(1);
        let text = match recording {
            Ok(fixture) => record::render(&fixture),
            Err(failure) => {
                bar.suspend(|| {
                    println!("FAIL {case}");
                    println!("    at {} ({})", failure.step, failure.request);
                    if let Some(error) = &failure.error {
                        println!("      {error}");
                    }
                    for mismatch in &failure.mismatches {
                        println!("      {mismatch}");
                    }
                });
                failed.push(scenario.fixture_path());
                continue;
            }
        };
        match text {
            Ok(text) => recorded.push((scenario.fixture_path(), text)),
            Err(e) => {
                bar.suspend(|| println!("FAIL {case}\n      {e}"));
                failed.push(scenario.fixture_path());
            }
        }
    }
    bar.finish_and_clear();
    let scope: Vec<String> = if !complete {
        Vec::new()
    } else if profiles.is_empty() {
        let mut all: Vec<String> = scenarios.iter().map(|s| s.profile.clone()).collect();
        all.dedup();
        all
    } else {
        profiles.to_vec()
    };
    let mut drift = record::compare(out, &recorded, &scope);
    // A scenario that failed to record says nothing about its committed fixture.
    drift.retain(|d| !matches!(d, record::Drift::Unrecorded { path } if failed.contains(path)));
    let failed = failed.len();
    if check {
        for d in &drift {
            println!("DIFF {d}");
        }
        println!(
            "{} recorded, {} differ from {}, {failed} failed",
            recorded.len(),
            drift.len(),
            out.display()
        );
        return if failed == 0 && drift.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let mut written = 0;
    for d in &drift {
        match d {
            record::Drift::Changed { path, .. } | record::Drift::Missing { path } => {
                let Some((_, text)) = recorded.iter().find(|(p, _)| p == path) else {
                    continue;
                };
                let file = out.join(path);
                if let Some(dir) = file.parent()
                    && let Err(e) = std::fs::create_dir_all(dir)
                {
                    return fail(&format!("{}: {e}", dir.display()));
                }
                if let Err(e) = std::fs::write(&file, text) {
                    return fail(&format!("{}: {e}", file.display()));
                }
                println!("WROTE {}", path.display());
                written += 1;
            }
            record::Drift::Unrecorded { path } => {
                println!("NOTE {} has no scenario (left as it is)", path.display());
            }
        }
    }
    println!(
        "{} recorded, {written} written, {} unchanged, {failed} failed",
        recorded.len(),
        recorded.len() - written
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("plystra-conformance: {message}");
    ExitCode::from(2)
}

/// Logs in as `email:password` and answers the access token.
async fn log_in(base_url: &str, login: &str) -> Result<String, String> {
    let (email, password) = login.split_once(':').ok_or("expected email:password")?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/auth/login",
            base_url.trim_end_matches('/')
        ))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    body["data"]["access_token"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| format!("login answered {status}: {body}"))
}

/// The progress bar of a long command: on stderr, drawn only when stderr is a terminal (so CI
/// logs and pipes get the plain result lines alone), with the case in hand as its message.
fn progress(total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("[{bar:30}] {pos}/{len} {elapsed} {wide_msg}")
    {
        bar.set_style(style.progress_chars("#>-"));
    }
    bar
}
