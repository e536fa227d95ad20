//! `plystra-server`: read the configuration, open the store, serve. Nothing else lives here.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use plystra_server::bootstrap::{self, Bootstrap};
use plystra_server::config::{self, Overrides};
use plystra_server::{Config, Server, Store};

/// Plystra Core reference server. Without a command it serves the API.
#[derive(Debug, Parser)]
#[command(name = "plystra-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    options: Options,
    /// Print the operations that still answer 501 NOT_IMPLEMENTED, by tag, and exit.
    #[arg(long)]
    list_unimplemented: bool,
}

/// The flags that override settings. Their help (variables, default) comes from the settings
/// table, as the README's does; the variables are read by `Config`, not by clap, since most
/// settings have more than one name.
#[derive(Debug, clap::Args)]
#[command(after_help = "Every other setting is an environment variable; see the README.")]
struct Options {
    #[arg(long, global = true, help = config::listen::HOST.help())]
    host: Option<String>,
    #[arg(long, global = true, help = config::listen::PORT.help())]
    port: Option<u16>,
    #[arg(long, global = true, help = config::DATABASE_URL.help())]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default). Applies pending migrations first.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create the Finance Reviewer demo (space_acme; alice@example.com and bob@example.com with
    /// password `plystra-demo`; groups, members, bindings, the finance_approver role, the invoice
    /// registry and resources) and make alice instance super admin. Idempotent.
    SeedDemo {
        /// Also mint an API key for space_acme (authz:check, authz:explain, audit:read) and print
        /// it. It is shown this once; only its hash is stored.
        #[arg(long)]
        api_key: bool,
    },
    /// Make an existing user instance super admin (refused if an active one exists).
    BootstrapSuperAdmin {
        /// The user's id.
        #[arg(long)]
        user_id: String,
        /// The member the grant records [default: the user's primary active binding].
        #[arg(long)]
        member_id: Option<String>,
        /// The grant's id [default: ag_<user id>_instance_super_admin].
        #[arg(long)]
        grant_id: Option<String>,
        /// What to do when an active instance super admin grant exists already.
        #[arg(long, value_enum, default_value_t = IfExists::Error)]
        if_exists: IfExists,
    },
}

/// `--if-exists` of `bootstrap-super-admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum IfExists {
    /// Fail.
    Error,
    /// Succeed without change.
    Ok,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        host: cli.options.host,
        port: cli.options.port,
        database_url: cli.options.database_url,
    };
    let config = match Config::from_env(overrides) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    plystra_server::init_logging(config.log_format);
    let result = if cli.list_unimplemented {
        list_unimplemented(config).await
    } else {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => plystra_server::serve(config).await,
            Command::Migrate => migrate(&config).await,
            Command::SeedDemo { api_key } => seed_demo(config, api_key).await,
            Command::BootstrapSuperAdmin {
                user_id,
                member_id,
                grant_id,
                if_exists,
            } => {
                let request = Bootstrap {
                    user_id,
                    member_id,
                    grant_id,
                    if_exists_ok: if_exists == IfExists::Ok,
                    source: "plystra-server bootstrap-super-admin",
                };
                bootstrap(&config, &request).await
            }
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

async fn seed_demo(config: Config, api_key: bool) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let created = plystra_server::seed::demo(&store).await?;
    let granted = bootstrap::bootstrap_super_admin(
        &store,
        &Bootstrap {
            user_id: "user_alice".into(),
            member_id: Some("member_finance_reviewer".into()),
            grant_id: Some("ag_alice_local_demo_instance_super_admin".into()),
            if_exists_ok: true,
            source: "plystra-server seed-demo",
        },
    )
    .await?;
    if created || granted {
        println!("demo data created: log in as alice@example.com / plystra-demo");
    } else {
        println!("demo data already present: log in as alice@example.com / plystra-demo");
    }
    if api_key {
        let server = Server::new(store, Arc::new(config));
        let key = bootstrap::demo_api_key(&server).await?;
        println!("API key for space_acme (authz:check, authz:explain, audit:read); shown once:");
        println!("{key}");
    }
    Ok(())
}

async fn bootstrap(config: &Config, request: &Bootstrap) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    if bootstrap::bootstrap_super_admin(&store, request).await? {
        println!("{} is now instance super admin", request.user_id);
    } else {
        println!("an active instance super admin grant exists already; nothing changed");
    }
    Ok(())
}

/// Probes every operation on a throwaway in-memory database (implemented operations really run).
async fn list_unimplemented(config: Config) -> anyhow::Result<()> {
    let config = Config {
        database_url: "sqlite::memory:".into(),
        ..config
    };
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let server = Server::new(store, Arc::new(config));
    let missing = plystra_server_api::probe::unimplemented_operations(&server).await;
    let mut by_tag: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for op in &missing {
        by_tag.entry(op.tag).or_default().push(op);
    }
    for (tag, ops) in &by_tag {
        println!("{tag} ({})", ops.len());
        for op in ops {
            println!("  {:<7} {:<72} {}", op.method, op.path, op.id);
        }
    }
    let total = plystra_server_api::OPERATIONS.len();
    println!(
        "{} of {total} operations are not implemented",
        missing.len()
    );
    Ok(())
}
