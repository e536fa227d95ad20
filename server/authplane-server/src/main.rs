//! `authplane-server`: read the configuration, open the store, serve. Nothing else lives here.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use authplane_server::config::{self, Overrides};
use authplane_server::{Authplane, Config, Store};
use authplane_server_api::runtime::Operation;
use authplane_server_api::{admin, public};
use clap::{Parser, Subcommand};

/// Authplane reference server: the public API (OAuth, discovery, probes) and the admin API on
/// two listeners. Without a command it serves both.
#[derive(Debug, Parser)]
#[command(name = "authplane-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    options: Options,
    /// Print the operations that still answer 501, by server and tag, and exit.
    #[arg(long)]
    list_unimplemented: bool,
}

/// The flags that override settings. Their help (variable, default) comes from the settings
/// table, as the README's does. The variables are read by `Config`, not by clap, so that an
/// error names the variable or the flag actually used.
#[derive(Debug, clap::Args)]
#[command(after_help = "Every other setting is an environment variable; see the README.")]
struct Options {
    #[arg(long, global = true, help = config::listen::PUBLIC_ADDR.help())]
    public_addr: Option<String>,
    #[arg(long, global = true, help = config::listen::ADMIN_ADDR.help())]
    admin_addr: Option<String>,
    #[arg(long, global = true, help = config::listen::ISSUER.help())]
    issuer: Option<String>,
    #[arg(long, global = true, help = config::DATABASE_URL.help())]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve both APIs (the default). Applies pending migrations first.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        public_addr: cli.options.public_addr,
        admin_addr: cli.options.admin_addr,
        issuer: cli.options.issuer,
        database_url: cli.options.database_url,
    };
    let config = match Config::from_env(overrides) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    server_common::init_logging(config.log_format);
    let result = if cli.list_unimplemented {
        list_unimplemented(config).await
    } else {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => authplane_server::serve(config).await.map_err(Into::into),
            Command::Migrate => migrate(&config).await,
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    println!("schema version {:03}", store.schema_version().await?);
    Ok(())
}

/// Probes every operation on a throwaway in-memory database (implemented operations really run).
async fn list_unimplemented(config: Config) -> anyhow::Result<()> {
    let store = Store::connect("sqlite::memory:").await?;
    store.migrate().await?;
    let issuer = config.issuer_for(config.listen.public_addr);
    let server = Authplane::new(store, &config, issuer);
    let missing_public = public::probe::unimplemented_operations(&server).await;
    let missing_admin = admin::probe::unimplemented_operations(&server).await;
    let mut out = String::new();
    listing(&mut out, "public", &missing_public);
    listing(&mut out, "admin", &missing_admin);
    let total = public::OPERATIONS.len() + admin::OPERATIONS.len();
    let missing = missing_public.len() + missing_admin.len();
    out.push_str(&format!(
        "{missing} of {total} operations are not implemented\n"
    ));
    // One write, and an error instead of a panic when the reader is gone (`| head`).
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

fn listing(out: &mut String, server: &str, missing: &[&'static Operation]) {
    let mut by_tag: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for op in missing {
        by_tag.entry(op.tag).or_default().push(op);
    }
    out.push_str(&format!("{server} ({})\n", missing.len()));
    for (tag, ops) in &by_tag {
        out.push_str(&format!("  {tag} ({})\n", ops.len()));
        for op in ops {
            out.push_str(&format!("    {:<7} {:<64} {}\n", op.method, op.path, op.id));
        }
    }
}
