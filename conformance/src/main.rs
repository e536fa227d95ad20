//! `plystra-conformance`: run the contract fixtures against a server, or print their coverage.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use plystra_conformance::coverage::{Coverage, operations};
use plystra_conformance::{Admin, Fixture, Target, report, runner};

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
        /// The server's root URL (e.g. http://127.0.0.1:8080).
        #[arg(long)]
        base_url: String,
        /// An API key the runner manages state with (instance level, `*`).
        #[arg(
            long,
            env = "PLYSTRA_CONFORMANCE_API_KEY",
            conflicts_with = "bootstrap"
        )]
        api_key: Option<String>,
        /// `email:password` of an instance super admin to log in as.
        #[arg(long, env = "PLYSTRA_CONFORMANCE_BOOTSTRAP")]
        bootstrap: Option<String>,
        /// Only these profiles (repeatable).
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

const fn default_fixtures() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run {
            base_url,
            api_key,
            bootstrap,
            profiles,
            fixtures,
            junit,
            json,
        } => {
            let admin = match (api_key, bootstrap) {
                (Some(key), _) => Admin::ApiKey(key),
                (None, Some(login)) => match log_in(&base_url, &login).await {
                    Ok(token) => Admin::Bearer(token),
                    Err(e) => return fail(&format!("--bootstrap: {e}")),
                },
                (None, None) => return fail("pass --api-key or --bootstrap email:password"),
            };
            let fixtures = match Fixture::load_all(&fixtures, &profiles) {
                Ok(f) => f,
                Err(e) => return fail(&e.to_string()),
            };
            let target = match Target::new(&base_url, admin) {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            let vars = target.vars(&runner::run_id());
            let total = fixtures.len();
            let mut results = Vec::with_capacity(total);
            let tty = std::io::stdout().is_terminal();
            for (i, fixture) in fixtures.iter().enumerate() {
                if tty {
                    // A progress bar on terminals, overwritten by the case's line.
                    let done = (i * 30) / total.max(1);
                    print!(
                        "\r[{}{}] {}/{total} {}/{}\x1b[K",
                        "#".repeat(done),
                        " ".repeat(30 - done),
                        i + 1,
                        fixture.profile,
                        fixture.name
                    );
                    let _ = std::io::stdout().flush();
                }
                let result = target.run(fixture, &vars).await;
                if tty {
                    print!("\r\x1b[K");
                }
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
                results.push(result);
            }
            let failed = results.iter().filter(|r| !r.passed).count();
            println!("{} passed, {failed} failed", total - failed);
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
        Command::Coverage { fixtures, spec } => {
            let spec = match std::fs::read_to_string(&spec) {
                Ok(s) => s,
                Err(e) => return fail(&format!("{}: {e}", spec.display())),
            };
            let (ops, fixtures) = match (operations(&spec), Fixture::load_all(&fixtures, &[])) {
                (Ok(o), Ok(f)) => (o, f),
                (Err(e), _) => return fail(&e),
                (_, Err(e)) => return fail(&e.to_string()),
            };
            print!("{}", Coverage::of(&ops, &fixtures).render());
            ExitCode::SUCCESS
        }
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
