//! Configuration from command-line flags and the environment: a flag wins over its
//! `AUTHPLANE_*` variable, which wins over the default. Nothing is required: with no
//! configuration the server listens on loopback, keeps its data in `authplane.db` in the working
//! directory, derives its issuer from the public address, and refuses every admin call.
//!
//! Every setting is one [`Setting`] in [`SETTINGS`]; the README's table and `--help` are
//! rendered from it. The sections: [`listen`] (the two listeners and the issuer) and
//! [`discovery`] (grant types and scopes); the database URL, the admin key and the log format
//! are read here.

pub mod discovery;
pub mod listen;

use server_common::settings::{Environment, Source};
use server_common::{LogFormat, Lookup, Setting, SettingError};

pub use discovery::Discovery;
pub use listen::{DEFAULT_ADMIN_ADDR, DEFAULT_PUBLIC_ADDR, Issuer, Listen};

/// The SQLite file used when no database is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://authplane.db";
/// Admin keys shorter than this get a warning at startup.
pub const MIN_ADMIN_KEY_LENGTH: usize = 32;

/// `--database-url`. Deliberately not `DATABASE_URL`: a Plystra server configured that way on
/// the same machine would share the database, and the two migration histories cannot share one
/// `_sqlx_migrations` table.
pub const DATABASE_URL: Setting = Setting {
    names: &["AUTHPLANE_DATABASE_URL"],
    flag: Some("--database-url"),
    default: Some(DEFAULT_DATABASE_URL),
    unset: None,
    doc: "`sqlite://FILE` (created if missing, in the working directory by default) or \
          `postgres://…`. `DATABASE_URL` is deliberately not read (see below).",
};

/// The admin bearer key.
pub const ADMIN_API_KEY: Setting = Setting {
    names: &["AUTHPLANE_ADMIN_API_KEY"],
    flag: None,
    default: None,
    unset: None,
    doc: "The admin bearer key; environment only, so it never shows in a process list. Without \
          it the admin API refuses every call (401) and says so at startup; keys shorter than \
          32 characters get a warning.",
};

/// `json` or `text` log lines.
pub const LOG_FORMAT: Setting = Setting {
    names: &["AUTHPLANE_LOG_FORMAT", "LOG_FORMAT"],
    flag: None,
    default: Some("json"),
    unset: None,
    doc: "`json` lines or compact `text`. `RUST_LOG` filters (default `info`).",
};

/// Every setting, in the order the README and `--help` show them.
pub static SETTINGS: &[&Setting] = &[
    &listen::PUBLIC_ADDR,
    &listen::ADMIN_ADDR,
    &listen::ISSUER,
    &DATABASE_URL,
    &ADMIN_API_KEY,
    &discovery::GRANT_TYPES,
    &discovery::SCOPES,
    &LOG_FORMAT,
];

/// The server's settings. `Debug` leaves the admin key out.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The listeners and the issuer.
    pub listen: Listen,
    /// `sqlite://…` or `postgres://…` ([`DATABASE_URL`]).
    pub database_url: String,
    /// The bearer key of the admin API ([`ADMIN_API_KEY`]). Without one the admin API refuses
    /// every call.
    pub admin_api_key: Option<String>,
    /// What the discovery documents advertise.
    pub discovery: Discovery,
    /// Log lines as JSON (default) or text ([`LOG_FORMAT`]).
    pub log_format: LogFormat,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field(
                "admin_api_key",
                &self.admin_api_key.as_ref().map(|_| "<set>"),
            )
            .field("discovery", &self.discovery)
            .field("log_format", &self.log_format)
            .finish_non_exhaustive()
    }
}

/// Command-line values that override the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--public-addr`
    pub public_addr: Option<String>,
    /// `--admin-addr`
    pub admin_addr: Option<String>,
    /// `--issuer`
    pub issuer: Option<String>,
    /// `--database-url`
    pub database_url: Option<String>,
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// One value does not parse: `invalid NAME=value: reason`.
    #[error(transparent)]
    Invalid(#[from] SettingError),
}

impl Default for Config {
    /// Every setting at its default, as [`SETTINGS`] writes it.
    fn default() -> Config {
        match Config::read(&Lookup::defaults()) {
            Ok(config) => config,
            // Every default in the table parses; a unit test checks it.
            Err(e) => unreachable!("a default in the settings table does not parse: {e}"),
        }
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(overrides: Overrides) -> Result<Config, ConfigError> {
        Self::from_source(overrides, Environment)
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests). Empty
    /// values count as unset.
    pub fn from_lookup(
        overrides: Overrides,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        Self::from_source(overrides, lookup)
    }

    fn from_source(overrides: Overrides, source: impl Source) -> Result<Config, ConfigError> {
        let lookup = Lookup::new(source)
            .with_flag(&listen::PUBLIC_ADDR, overrides.public_addr)
            .with_flag(&listen::ADMIN_ADDR, overrides.admin_addr)
            .with_flag(&listen::ISSUER, overrides.issuer)
            .with_flag(&DATABASE_URL, overrides.database_url);
        Ok(Self::read(&lookup)?)
    }

    /// Reads every section through `lookup`.
    pub fn read(lookup: &Lookup) -> Result<Config, SettingError> {
        Ok(Config {
            listen: Listen::from(lookup)?,
            database_url: lookup.text(&DATABASE_URL).unwrap_or_default(),
            admin_api_key: lookup.text(&ADMIN_API_KEY),
            discovery: Discovery::from(lookup)?,
            log_format: lookup.parse_with(&LOG_FORMAT, |text| {
                LogFormat::parse(text).ok_or("expected json or text")
            })?,
        })
    }

    /// The configured issuer, or one derived from the address the public listener really got
    /// ([`Listen::issuer_for`]).
    pub fn issuer_for(&self, public_addr: std::net::SocketAddr) -> Issuer {
        self.listen.issuer_for(public_addr)
    }

    /// Settings for tests: the defaults, on loopback addresses with free ports, an in-memory
    /// database, and the given admin key.
    pub fn for_tests(admin_api_key: Option<&str>) -> Config {
        let mut config = Config::default();
        config.listen.public_addr.set_port(0);
        config.listen.admin_addr.set_port(0);
        config.database_url = "sqlite::memory:".to_string();
        config.admin_api_key = admin_api_key.map(String::from);
        config
    }

    /// The settings table as the README shows it.
    pub fn markdown_table() -> String {
        server_common::settings::markdown_table(SETTINGS)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use authplane_server_api::public::types::GrantType;

    use super::*;

    fn config(env: &[(&str, &str)], overrides: Overrides) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(overrides, |name| env.get(name).cloned())
    }

    #[test]
    fn nothing_configured_means_loopback_sqlite_and_no_admin_key() {
        let c = config(&[], Overrides::default()).unwrap();
        assert_eq!(c.listen.public_addr.to_string(), "127.0.0.1:9000");
        assert_eq!(c.listen.admin_addr.to_string(), "127.0.0.1:9001");
        assert_eq!(c.database_url, "sqlite://authplane.db");
        assert_eq!(c.listen.issuer, None);
        assert_eq!(c.admin_api_key, None);
        assert_eq!(
            c.discovery.grant_types,
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
        assert!(c.discovery.scopes.is_empty());
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(
            c.issuer_for(c.listen.public_addr).as_str(),
            "http://127.0.0.1:9000"
        );
    }

    #[test]
    fn flags_win_over_the_environment() {
        let env = [
            ("AUTHPLANE_PUBLIC_ADDR", ":8000"),
            ("AUTHPLANE_ADMIN_ADDR", "10.0.0.5:8001"),
            ("AUTHPLANE_ISSUER", "https://env.example"),
            ("AUTHPLANE_DATABASE_URL", "postgres://db/authplane"),
            ("DATABASE_URL", "postgres://db/plystra"),
        ];
        let c = config(&env, Overrides::default()).unwrap();
        assert_eq!(c.listen.public_addr.to_string(), "0.0.0.0:8000");
        assert_eq!(c.listen.admin_addr.to_string(), "10.0.0.5:8001");
        assert_eq!(c.listen.issuer.unwrap().as_str(), "https://env.example");
        assert_eq!(c.database_url, "postgres://db/authplane");
        let c = config(
            &env,
            Overrides {
                public_addr: Some("[::1]:7000".into()),
                admin_addr: Some("127.0.0.1:7001".into()),
                issuer: Some("https://flag.example/".into()),
                database_url: Some("sqlite://flag.db".into()),
            },
        )
        .unwrap();
        assert_eq!(c.listen.public_addr.to_string(), "[::1]:7000");
        assert_eq!(c.listen.admin_addr.to_string(), "127.0.0.1:7001");
        assert_eq!(c.listen.issuer.unwrap().as_str(), "https://flag.example");
        assert_eq!(c.database_url, "sqlite://flag.db");
    }

    #[test]
    fn database_url_alone_is_not_read() {
        let c = config(
            &[("DATABASE_URL", "postgres://db/plystra")],
            Overrides::default(),
        );
        assert_eq!(c.unwrap().database_url, DEFAULT_DATABASE_URL);
    }

    #[test]
    fn the_derived_issuer_follows_the_bound_address() {
        let c = config(&[], Overrides::default()).unwrap();
        let cases = [
            ("0.0.0.0:9000", "http://localhost:9000"),
            ("127.0.0.1:43123", "http://127.0.0.1:43123"),
            ("[::]:9000", "http://localhost:9000"),
            ("[::1]:9000", "http://[::1]:9000"),
        ];
        for (addr, issuer) in cases {
            assert_eq!(c.issuer_for(addr.parse().unwrap()).as_str(), issuer);
        }
        let fixed = config(
            &[("AUTHPLANE_ISSUER", "https://auth.example")],
            Overrides::default(),
        )
        .unwrap();
        let bound = "0.0.0.0:1".parse().unwrap();
        assert_eq!(fixed.issuer_for(bound).as_str(), "https://auth.example");
    }

    #[test]
    fn issuers_are_checked() {
        assert_eq!(
            Issuer::parse("https://auth.example/tenant/")
                .unwrap()
                .as_str(),
            "https://auth.example/tenant"
        );
        for bad in [
            "auth.example",
            "ftp://auth.example",
            "https://auth.example/?a=b",
            "https://auth.example/#x",
            "https://user:pw@auth.example",
        ] {
            assert!(Issuer::parse(bad).is_err(), "{bad}");
        }
        let err = config(&[("AUTHPLANE_ISSUER", "nope")], Overrides::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid AUTHPLANE_ISSUER=\"nope\""),
            "{err}"
        );
        assert!(Issuer::parse("http://auth.example").unwrap().is_insecure());
        assert!(
            !Issuer::parse("http://localhost:9000")
                .unwrap()
                .is_insecure()
        );
        assert!(
            !Issuer::parse("http://127.0.0.1:9000")
                .unwrap()
                .is_insecure()
        );
        assert!(!Issuer::parse("https://auth.example").unwrap().is_insecure());
    }

    #[test]
    fn addresses_are_checked_and_must_differ() {
        let err = config(
            &[("AUTHPLANE_PUBLIC_ADDR", "localhost")],
            Overrides::default(),
        );
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with("invalid AUTHPLANE_PUBLIC_ADDR=\"localhost\"")
        );
        let flag = Overrides {
            admin_addr: Some("nope".into()),
            ..Overrides::default()
        };
        assert!(
            config(&[], flag)
                .unwrap_err()
                .to_string()
                .starts_with("invalid --admin-addr=\"nope\"")
        );
        let same = [
            ("AUTHPLANE_PUBLIC_ADDR", "127.0.0.1:9000"),
            ("AUTHPLANE_ADMIN_ADDR", "127.0.0.1:9000"),
        ];
        assert!(config(&same, Overrides::default()).is_err());
    }

    #[test]
    fn grants_scopes_and_log_format_parse() {
        let c = config(
            &[
                (
                    "AUTHPLANE_GRANT_TYPES",
                    "client_credentials, urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                ("AUTHPLANE_SCOPES", "read write,read  admin"),
                ("LOG_FORMAT", "text"),
            ],
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            c.discovery.grant_types,
            vec![
                GrantType::ClientCredentials,
                GrantType::UrnIetfParamsOauthGrantTypeTokenExchange
            ]
        );
        assert_eq!(c.discovery.scopes, vec!["read", "write", "admin"]);
        assert_eq!(c.log_format, LogFormat::Text);
        let err = config(
            &[("AUTHPLANE_GRANT_TYPES", "password")],
            Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("\"password\""), "{err}");
        assert!(config(&[("AUTHPLANE_LOG_FORMAT", "xml")], Overrides::default()).is_err());
    }

    #[test]
    fn debug_hides_the_admin_key() {
        let c = config(
            &[("AUTHPLANE_ADMIN_API_KEY", "s3cret-admin-key")],
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(c.admin_api_key.as_deref(), Some("s3cret-admin-key"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("<set>"), "{shown}");
    }

    #[test]
    fn defaults_come_from_the_table_and_tests_add_free_ports_and_a_key() {
        let d = Config::default();
        assert_eq!(config(&[], Overrides::default()).unwrap(), d);
        let t = Config::for_tests(Some("k"));
        assert_eq!(t.listen.public_addr.to_string(), "127.0.0.1:0");
        assert_eq!(t.listen.admin_addr.to_string(), "127.0.0.1:0");
        assert_eq!(
            (t.database_url.as_str(), t.admin_api_key.as_deref()),
            ("sqlite::memory:", Some("k"))
        );
        assert_eq!((t.discovery, t.log_format), (d.discovery, d.log_format));
    }

    #[test]
    fn the_same_address_twice_names_the_admin_flag_or_variable_used() {
        let err = config(
            &[("AUTHPLANE_PUBLIC_ADDR", "127.0.0.1:9000")],
            Overrides {
                admin_addr: Some("127.0.0.1:9000".into()),
                ..Overrides::default()
            },
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid --admin-addr=\"127.0.0.1:9000\": "),
            "{err}"
        );
        let err = config(
            &[
                ("AUTHPLANE_ADMIN_ADDR", ":9000"),
                ("AUTHPLANE_PUBLIC_ADDR", ":9000"),
            ],
            Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid AUTHPLANE_ADMIN_ADDR="),
            "{err}"
        );
    }

    #[test]
    fn the_readme_shows_the_settings_table() {
        let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        server_common::settings::check_readme(
            &readme,
            &Config::markdown_table(),
            "cargo test -p authplane-server --lib readme",
        )
        .unwrap_or_else(|message| panic!("{message}"));
    }
}
