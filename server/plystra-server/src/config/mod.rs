//! Configuration from command-line flags and the environment (names as upstream's, see
//! docs/behaviour.md §17): a flag wins, then the first variable of the setting that is set (the
//! `PLYSTRA_*` name before upstream's, mostly), then the default.
//!
//! Every setting is one [`Setting`] in [`SETTINGS`] (names, default, doc); the README's table and
//! `--help` are rendered from it. The settings are read in typed sections, one module each, each
//! with `from(&Lookup)` and, where production cares, `problems()`:
//!
//! | section | module |
//! |---|---|
//! | listen address, public URL | [`listen`] |
//! | hash keys | [`secrets`] |
//! | login throttle, password length | [`login`] |
//! | who may register | [`registration`] |
//! | CORS, body limit, trusted proxies | [`http`] |
//! | `/metrics` | [`metrics`] |
//! | audit rows | [`audit`] |
//!
//! The database URL, the mode, the reported version and the log format are read here. In
//! production [`Config::from_env`] also runs [`Config::check_production`], which refuses unsafe
//! settings all at once: the union of the sections' problems ([`production`]).

pub mod audit;
pub mod http;
pub mod listen;
pub mod login;
pub mod metrics;
pub mod production;
pub mod registration;
pub mod secrets;

use server_common::settings::{Environment, Source};
use server_common::{Lookup, Setting, SettingError};

pub use audit::{Audit, AuditWriteMode};
pub use http::{Http, IpRange};
pub use listen::Listen;
pub use login::Login;
pub use metrics::Metrics;
pub use production::{MIN_SECRET_LENGTH, ProductionError};
pub use secrets::Secrets;
pub use server_common::settings::Problem;

/// How log lines are written (`LOG_FORMAT`); shared with the other servers.
pub use server_common::LogFormat;

/// The SQLite file the server uses when no database is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://plystra.db";

/// `--database-url`.
pub const DATABASE_URL: Setting = Setting {
    names: &["DATABASE_URL", "PLYSTRA_DATABASE_URL"],
    flag: Some("--database-url"),
    default: Some(DEFAULT_DATABASE_URL),
    unset: None,
    doc: "`sqlite://FILE` (created if missing) or `postgres://…`.",
};

/// Development or production.
pub const MODE: Setting = Setting {
    names: &["SERVER_MODE", "PLYSTRA_ENV"],
    flag: None,
    default: Some("development"),
    unset: None,
    doc: "`production` hides the details of server errors and refuses unsafe settings at \
          start (see \"Production guards\"); anything else is development.",
};

/// What `GET /api/v1/version` reports.
pub const CORE_VERSION: Setting = Setting {
    names: &["PLYSTRA_CORE_VERSION", "CORE_VERSION"],
    flag: None,
    default: Some("0.0.1"),
    unset: None,
    doc: "The core version `GET /api/v1/version` reports.",
};

/// `json` or `text` log lines.
pub const LOG_FORMAT: Setting = Setting {
    names: &["LOG_FORMAT"],
    flag: None,
    default: Some("json"),
    unset: None,
    doc: "`json`: one JSON object per line; `text`: compact lines for people. `RUST_LOG` \
          filters (default `info`).",
};

/// Every setting, in the order the README and `--help` show them.
pub static SETTINGS: &[&Setting] = &[
    &listen::HOST,
    &listen::PORT,
    &DATABASE_URL,
    &MODE,
    &listen::PUBLIC_URL,
    &CORE_VERSION,
    &secrets::SESSION_SECRET,
    &secrets::SESSION_SECRET_PREVIOUS,
    &secrets::API_KEY_SECRET,
    &secrets::API_KEY_SECRET_PREVIOUS,
    &login::MAX_FAILURES,
    &login::WINDOW,
    &login::LOCKOUT,
    &login::PASSWORD_MIN_LENGTH,
    &registration::BOOTSTRAP_ENABLED,
    &registration::BOOTSTRAP_TOKEN,
    &registration::ENABLED,
    &registration::TOKEN,
    &registration::PUBLIC_USER_ENABLED,
    &http::CORS_ALLOWED_ORIGINS,
    &http::MAX_REQUEST_BODY_BYTES,
    &http::TRUSTED_PROXIES,
    &metrics::ENABLED,
    &metrics::TOKEN,
    &audit::WRITE_MODE,
    &LOG_FORMAT,
];

/// The server's settings. `Debug` leaves the secrets and the database URL out.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen, and the URL clients use.
    pub listen: Listen,
    /// [`DATABASE_URL`]: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// [`MODE`] is `production`: hide details of server errors, refuse unsafe settings.
    pub production: bool,
    /// [`CORE_VERSION`], reported by `GET /api/v1/version`.
    pub core_version: String,
    /// [`LOG_FORMAT`].
    pub log_format: LogFormat,
    /// The keys of the token and API key hashes.
    pub secrets: Secrets,
    /// Login throttling and the password rule.
    pub login: Login,
    /// Who may register (docs/behaviour.md §6.4); everything off by default.
    pub registration: crate::domain::registration::Policy,
    /// CORS, the body limit, trusted proxies.
    pub http: Http,
    /// `GET /metrics`.
    pub metrics: Metrics,
    /// Which decisions get an audit row.
    pub audit: Audit,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("production", &self.production)
            .field("core_version", &self.core_version)
            .field("log_format", &self.log_format)
            .field("secrets", &self.secrets)
            .field("login", &self.login)
            .field("http", &self.http)
            .field("metrics", &self.metrics)
            .field("audit", &self.audit)
            .finish_non_exhaustive()
    }
}

/// Command-line values that override the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--host`
    pub host: Option<String>,
    /// `--port`
    pub port: Option<u16>,
    /// `--database-url`
    pub database_url: Option<String>,
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// One value does not parse: `invalid NAME=value: reason`.
    #[error(transparent)]
    Invalid(#[from] SettingError),
    /// Production mode with unsafe settings.
    #[error(transparent)]
    Production(#[from] ProductionError),
}

impl Default for Config {
    /// Every setting at its default, as [`SETTINGS`] writes it.
    fn default() -> Config {
        match Config::read(&Lookup::defaults()) {
            Ok(config) => config,
            // Every default in the table parses; `defaults_come_from_the_table` checks it.
            Err(e) => unreachable!("a default in the settings table does not parse: {e}"),
        }
    }
}

impl Config {
    /// Reads the process environment.
    /// In production, unsafe settings are refused ([`Config::check_production`]).
    pub fn from_env(overrides: Overrides) -> Result<Config, ConfigError> {
        let config = Self::from_source(overrides, Environment)?;
        config.check_production()?;
        Ok(config)
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests), the
    /// flags in `overrides` winning.
    pub fn from_lookup(
        overrides: Overrides,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        Self::from_source(overrides, lookup)
    }

    fn from_source(overrides: Overrides, source: impl Source) -> Result<Config, ConfigError> {
        let lookup = Lookup::new(source)
            .with_flag(&listen::HOST, overrides.host)
            .with_flag(&listen::PORT, overrides.port)
            .with_flag(&DATABASE_URL, overrides.database_url);
        Ok(Self::read(&lookup)?)
    }

    /// Reads every section through `lookup`.
    pub fn read(lookup: &Lookup) -> Result<Config, SettingError> {
        let log_format = lookup.parse_with(&LOG_FORMAT, |text| {
            LogFormat::parse(text).ok_or("expected json or text")
        })?;
        Ok(Config {
            listen: Listen::from(lookup)?,
            database_url: lookup.text(&DATABASE_URL).unwrap_or_default(),
            production: lookup
                .text(&MODE)
                .is_some_and(|mode| mode.eq_ignore_ascii_case("production")),
            core_version: lookup.text(&CORE_VERSION).unwrap_or_default(),
            log_format,
            secrets: Secrets::from(lookup),
            login: Login::from(lookup)?,
            registration: registration::from(lookup),
            http: Http::from(lookup)?,
            metrics: Metrics::from(lookup),
            audit: Audit::from(lookup),
        })
    }

    /// Settings for tests: the defaults, with test secrets, an in-memory SQLite database and
    /// port 0 (any free port).
    pub fn for_tests() -> Config {
        let mut config = Config::default();
        config.listen.port = 0;
        config.database_url = "sqlite::memory:".into();
        config.secrets.session = Some("test-session-secret-test-session-secret".into());
        config.secrets.api_key = Some("test-api-key-secret-test-api-key-secret".into());
        config
    }

    /// Outside production: nothing. In production: every unsafe setting at once, each naming its
    /// variable and the fix (docs/behaviour.md §17).
    pub fn check_production(&self) -> Result<(), ProductionError> {
        if !self.production {
            return Ok(());
        }
        let problems = self.production_problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ProductionError(problems))
        }
    }

    /// The unsafe settings, whether or not the mode is production: the union of the sections'.
    pub fn production_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.database_url.contains("plystra:plystra@") {
            problems.push(Problem {
                variable: DATABASE_URL.name(),
                fix: "uses the default credentials plystra:plystra; create a database user with \
                      its own password and put it in the URL"
                    .into(),
            });
        }
        problems.extend(self.secrets.problems());
        problems.extend(registration::problems(&self.registration));
        problems.extend(self.http.problems());
        problems.extend(self.listen.problems());
        problems
    }

    /// The settings table as the README shows it.
    pub fn markdown_table() -> String {
        server_common::settings::markdown_table(SETTINGS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(env: &[(&str, &str)], overrides: Overrides) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(overrides, |name| env.get(name).cloned())
    }

    #[test]
    fn defaults_are_local_sqlite_on_8080() {
        let c = config(&[], Overrides::default()).unwrap();
        assert_eq!((c.listen.host.as_str(), c.listen.port), ("127.0.0.1", 8080));
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert!(!c.production);
    }

    #[test]
    fn plystra_names_win_over_upstream_names_and_flags_win_over_both() {
        let env = [
            ("SERVER_HOST", "0.0.0.0"),
            ("PLYSTRA_SERVER_HOST", "10.0.0.1"),
            ("SERVER_PORT", "9000"),
            ("SERVER_MODE", "Production"),
        ];
        let c = config(&env, Overrides::default()).unwrap();
        assert_eq!(
            (c.listen.host.as_str(), c.listen.port, c.production),
            ("10.0.0.1", 9000, true)
        );
        let flags = Overrides {
            port: Some(1234),
            database_url: Some("postgres://x".into()),
            ..Overrides::default()
        };
        let c = config(&env, flags).unwrap();
        assert_eq!(
            (c.listen.port, c.database_url.as_str()),
            (1234, "postgres://x")
        );
    }

    #[test]
    fn login_throttle_settings_take_durations_or_minutes() {
        let env = [
            ("PLYSTRA_AUTH_LOGIN_MAX_FAILURES", "3"),
            ("PLYSTRA_AUTH_LOGIN_WINDOW", "90s"),
            ("PLYSTRA_AUTH_LOGIN_LOCKOUT", "5"),
        ];
        let c = config(&env, Overrides::default()).unwrap();
        assert_eq!(c.login.max_failures, 3);
        assert_eq!(c.login.window, chrono::Duration::seconds(90));
        assert_eq!(c.login.lockout, chrono::Duration::minutes(5));
        let d = config(&[], Overrides::default()).unwrap();
        assert_eq!(
            (d.login.max_failures, d.login.lockout),
            (8, chrono::Duration::minutes(15))
        );
        assert!(
            config(
                &[("PLYSTRA_AUTH_LOGIN_WINDOW", "soon")],
                Overrides::default()
            )
            .is_err()
        );
    }

    #[test]
    fn http_settings_have_safe_defaults_and_parse() {
        let d = config(&[], Overrides::default()).unwrap();
        assert_eq!(
            d.http.cors_allowed_origins,
            [
                "http://localhost:3000",
                "http://localhost:5173",
                "http://localhost:8080",
                "http://127.0.0.1:3000",
                "http://127.0.0.1:5173",
                "http://127.0.0.1:8080",
            ]
        );
        assert!(!d.http.cors_allowed_origins.iter().any(|o| o.contains('*')));
        assert_eq!(d.http.max_request_body_bytes, 1_048_576);
        assert!(d.http.trusted_proxies.is_empty());
        assert_eq!(d.log_format, LogFormat::Json);
        assert_eq!(d.listen.public_url, None);
        let env = [
            (
                "CORS_ALLOWED_ORIGINS",
                " https://a.example , https://b.example,",
            ),
            ("MAX_REQUEST_BODY_BYTES", "4096"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
            ("LOG_FORMAT", "TEXT"),
            ("SERVER_PUBLIC_URL", "https://old.example"),
            ("PLYSTRA_SERVER_PUBLIC_URL", "https://api.example"),
        ];
        let c = config(&env, Overrides::default()).unwrap();
        assert_eq!(
            c.http.cors_allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(c.http.max_request_body_bytes, 4096);
        assert_eq!(c.http.trusted_proxies.len(), 2);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.listen.public_url.as_deref(), Some("https://api.example"));
        for (name, value) in [
            ("MAX_REQUEST_BODY_BYTES", "0"),
            ("MAX_REQUEST_BODY_BYTES", "1MB"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
            ("LOG_FORMAT", "yaml"),
        ] {
            let err = config(&[(name, value)], Overrides::default()).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    const SESSION: &str = "9f1c3a7e5b2d4f6081a3c5e7092b4d6f";
    const API_KEY: &str = "0b2d4f6a8c1e3a5b7d9f1c3e5a7b9d1f";
    const TOKEN: &str = "6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e";

    /// A production configuration with nothing to complain about.
    fn production(changes: &[(&'static str, &'static str)]) -> Config {
        let mut env: HashMap<&str, &str> = HashMap::from([
            ("SERVER_MODE", "production"),
            (
                "DATABASE_URL",
                "postgres://core:s3cr3t-pw@db.internal:5432/plystra",
            ),
            ("PLYSTRA_SESSION_SECRET", SESSION),
            ("PLYSTRA_API_KEY_SECRET", API_KEY),
            ("PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED", "true"),
            ("PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN", TOKEN),
            ("PLYSTRA_AUTH_REGISTRATION_ENABLED", "true"),
            ("PLYSTRA_AUTH_REGISTRATION_TOKEN", TOKEN),
            ("CORS_ALLOWED_ORIGINS", "https://console.example.com"),
            ("SERVER_PUBLIC_URL", "https://api.example.com"),
        ]);
        for (name, value) in changes {
            if value.is_empty() {
                env.remove(name);
            } else {
                env.insert(name, value);
            }
        }
        let env: Vec<_> = env.into_iter().collect();
        config(&env, Overrides::default()).unwrap()
    }

    #[test]
    fn a_sound_production_configuration_passes() {
        let c = production(&[]);
        assert!(c.production);
        assert_eq!(c.production_problems(), Vec::new());
        c.check_production().unwrap();
        // Registration off: its tokens are not needed.
        let c = production(&[
            ("PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED", "false"),
            ("PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN", ""),
            ("PLYSTRA_AUTH_REGISTRATION_ENABLED", ""),
            ("PLYSTRA_AUTH_REGISTRATION_TOKEN", "short"),
        ]);
        c.check_production().unwrap();
        // Outside production nothing is checked, although everything here is weak.
        config(&[], Overrides::default())
            .unwrap()
            .check_production()
            .unwrap();
    }

    #[test]
    fn each_production_weakness_is_reported_by_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[(
                    "DATABASE_URL",
                    "postgres://plystra:plystra@localhost:5432/plystra?sslmode=disable",
                )],
                "DATABASE_URL",
            ),
            (&[("PLYSTRA_SESSION_SECRET", "")], "PLYSTRA_SESSION_SECRET"),
            (
                &[("PLYSTRA_SESSION_SECRET", "too-short-but-random-7f3a")],
                "PLYSTRA_SESSION_SECRET",
            ),
            (
                &[(
                    "PLYSTRA_SESSION_SECRET",
                    "change-me-in-production-please-0123456789",
                )],
                "PLYSTRA_SESSION_SECRET",
            ),
            (
                &[("PLYSTRA_SESSION_SECRET", "secret")],
                "PLYSTRA_SESSION_SECRET",
            ),
            (
                &[(
                    "PLYSTRA_SESSION_SECRET",
                    "dev-session-secret-0123456789abcdef",
                )],
                "PLYSTRA_SESSION_SECRET",
            ),
            (&[("PLYSTRA_API_KEY_SECRET", "")], "PLYSTRA_API_KEY_SECRET"),
            (
                &[("PLYSTRA_API_KEY_SECRET", "0123456789")],
                "PLYSTRA_API_KEY_SECRET",
            ),
            (
                &[(
                    "PLYSTRA_API_KEY_SECRET",
                    "placeholder-placeholder-placeholder",
                )],
                "PLYSTRA_API_KEY_SECRET",
            ),
            (
                &[("PLYSTRA_API_KEY_SECRET", SESSION)],
                "PLYSTRA_API_KEY_SECRET",
            ),
            (
                &[("PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN", "bootstrap-token")],
                "PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN",
            ),
            (
                &[("PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN", "")],
                "PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN",
            ),
            (
                &[("PLYSTRA_AUTH_REGISTRATION_TOKEN", "ordinary-token")],
                "PLYSTRA_AUTH_REGISTRATION_TOKEN",
            ),
            (&[("CORS_ALLOWED_ORIGINS", "*")], "CORS_ALLOWED_ORIGINS"),
            (
                &[("CORS_ALLOWED_ORIGINS", "https://a.example, *")],
                "CORS_ALLOWED_ORIGINS",
            ),
            (&[("CORS_ALLOWED_ORIGINS", " , ")], "CORS_ALLOWED_ORIGINS"),
            (&[("SERVER_PUBLIC_URL", "")], "PLYSTRA_SERVER_PUBLIC_URL"),
            (
                &[("SERVER_PUBLIC_URL", "http://localhost:8080")],
                "PLYSTRA_SERVER_PUBLIC_URL",
            ),
            (
                &[("PLYSTRA_SERVER_PUBLIC_URL", "http://127.0.0.1:8080/")],
                "PLYSTRA_SERVER_PUBLIC_URL",
            ),
            (
                &[("SERVER_PUBLIC_URL", "https://[::1]/api")],
                "PLYSTRA_SERVER_PUBLIC_URL",
            ),
            (
                &[("SERVER_PUBLIC_URL", "api.example.com")],
                "PLYSTRA_SERVER_PUBLIC_URL",
            ),
        ];
        for (changes, variable) in cases {
            let c = production(changes);
            let problems = c.production_problems();
            assert_eq!(problems.len(), 1, "{changes:?}: {problems:?}");
            assert_eq!(problems[0].variable, *variable, "{changes:?}");
            let message = c.check_production().unwrap_err().to_string();
            assert!(message.contains(variable), "{message}");
        }
    }

    #[test]
    fn all_production_problems_come_in_one_error() {
        let env = [
            ("PLYSTRA_ENV", "production"),
            (
                "DATABASE_URL",
                "postgres://plystra:plystra@localhost:5432/plystra",
            ),
            ("PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED", "1"),
            ("CORS_ALLOWED_ORIGINS", "*"),
        ];
        let c = config(&env, Overrides::default()).unwrap();
        let message = c.check_production().unwrap_err().to_string();
        for variable in [
            "DATABASE_URL",
            "PLYSTRA_SESSION_SECRET",
            "PLYSTRA_API_KEY_SECRET",
            "PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN",
            "CORS_ALLOWED_ORIGINS",
            "PLYSTRA_SERVER_PUBLIC_URL",
        ] {
            assert!(
                message.contains(&format!("\n  - {variable}: ")),
                "{message}"
            );
        }
        assert!(message.contains("6 unsafe setting(s)"), "{message}");
        assert!(
            !message.contains("plystra:plystra@localhost"),
            "the URL itself is not repeated: {message}"
        );
    }

    #[test]
    fn audit_write_mode_defaults_to_always_and_skips_only_when_asked() {
        let mode =
            |env: &[(&str, &str)]| config(env, Overrides::default()).unwrap().audit.write_mode;
        assert_eq!(mode(&[]), AuditWriteMode::Always);
        assert_eq!(
            mode(&[("AUDIT_WRITE_MODE", "Deny_Only")]),
            AuditWriteMode::DenyOnly
        );
        assert_eq!(
            mode(&[("PLYSTRA_AUDIT_WRITE_MODE", "manual")]),
            AuditWriteMode::Skip
        );
        assert_eq!(
            mode(&[
                ("AUDIT_WRITE_MODE", "disabled_for_dev"),
                ("PLYSTRA_AUDIT_WRITE_MODE", "always")
            ]),
            AuditWriteMode::Always
        );
        assert_eq!(
            mode(&[("AUDIT_WRITE_MODE", "sometimes")]),
            AuditWriteMode::Always
        );
        assert!(AuditWriteMode::DenyOnly.records(false) && !AuditWriteMode::DenyOnly.records(true));
        assert!(!AuditWriteMode::Skip.records(false));
    }

    #[test]
    fn a_bad_port_names_the_variable() {
        let err = config(&[("PLYSTRA_SERVER_PORT", "http")], Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("PLYSTRA_SERVER_PORT"), "{err}");
    }

    #[test]
    fn defaults_come_from_the_table() {
        let d = Config::default();
        assert_eq!(config(&[], Overrides::default()).unwrap(), d);
        assert_eq!(d.core_version, "0.0.1");
        assert_eq!(d.login.password_min_length, 12);
        assert_eq!(d.login.window, chrono::Duration::minutes(15));
        assert!(!d.metrics.enabled && d.metrics.token.is_none());
        assert_eq!(
            d.registration,
            crate::domain::registration::Policy::default()
        );
        assert_eq!(d.secrets, Secrets::default());
        assert_eq!(d.audit.write_mode, AuditWriteMode::Always);
        // The tests' settings are the defaults plus secrets, an in-memory database and port 0.
        let t = Config::for_tests();
        assert_eq!(
            Config {
                listen: Listen {
                    port: 8080,
                    ..t.listen.clone()
                },
                database_url: DEFAULT_DATABASE_URL.into(),
                secrets: Secrets::default(),
                ..t.clone()
            },
            d
        );
        assert!(t.secrets.session.is_some() && t.secrets.api_key != t.secrets.session);
    }

    #[test]
    fn invalid_values_name_the_variable_used() {
        let err = config(&[("SERVER_PORT", "http")], Overrides::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid SERVER_PORT=\"http\": expected a port number (0 to 65535)"
        );
        let err = config(
            &[("TRUSTED_PROXIES", "10.0.0.0/8, proxy")],
            Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid TRUSTED_PROXIES=\"proxy\": "),
            "{err}"
        );
    }

    #[test]
    fn metrics_settings_take_either_name() {
        let c = config(
            &[
                ("PLYSTRA_METRICS_ENABLED", "on"),
                ("PLYSTRA_METRICS_TOKEN", "t0ken"),
            ],
            Overrides::default(),
        )
        .unwrap();
        assert!(c.metrics.enabled);
        assert_eq!(c.metrics.token.as_deref(), Some("t0ken"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("t0ken"), "{shown}");
    }

    #[test]
    fn debug_leaves_secrets_and_the_database_url_out() {
        let shown = format!("{:?}", production(&[]));
        for secret in [SESSION, API_KEY, TOKEN, "s3cr3t-pw"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn every_setting_is_in_the_table_once() {
        let mut names: Vec<&str> = SETTINGS
            .iter()
            .flat_map(|s| s.names.iter().copied())
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a variable is listed twice");
    }

    #[test]
    fn the_readme_shows_the_settings_table() {
        let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        server_common::settings::check_readme(
            &readme,
            &Config::markdown_table(),
            "cargo test -p plystra-server --lib readme",
        )
        .unwrap_or_else(|message| panic!("{message}"));
    }
}
