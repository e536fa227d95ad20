//! Configuration from command-line flags and the environment (names as upstream's, see
//! docs/behaviour.md §17), flags first, then `PLYSTRA_*`, then the upstream name, then the default.
//!
//! In production (`SERVER_MODE`/`PLYSTRA_ENV=production`) [`Config::from_env`] also runs
//! [`Config::check_production`], which refuses unsafe settings all at once.

use crate::http::client_ip::IpRange;

/// The server's settings. `Debug` leaves the secrets out.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on.
    pub port: u16,
    /// `sqlite://…` (default: `plystra.db` in the working directory) or `postgres://…`.
    pub database_url: String,
    /// `SERVER_MODE`/`PLYSTRA_ENV` = `production`: hide details of server errors.
    pub production: bool,
    /// Reported by `GET /api/v1/version`.
    pub core_version: String,
    /// Key of the token hashes (`PLYSTRA_SESSION_SECRET`, then `SESSION_SECRET`, `JWT_SECRET`,
    /// `PLYSTRA_JWT_SECRET`); without one, a random key kept in the database is used (development
    /// only: production refuses to start without one).
    pub session_secret: Option<String>,
    /// Earlier session secrets still accepted for lookups (`PLYSTRA_SESSION_SECRET_PREVIOUS`,
    /// comma-separated).
    pub session_secret_previous: Vec<String>,
    /// Key of the API key hashes (`PLYSTRA_API_KEY_SECRET`, then `API_KEY_SECRET`); without one,
    /// a random key kept in the database is used (development only).
    pub api_key_secret: Option<String>,
    /// Earlier API key secrets still accepted for lookups (`PLYSTRA_API_KEY_SECRET_PREVIOUS`,
    /// comma-separated).
    pub api_key_secret_previous: Vec<String>,
    /// Failed logins per key within the window before it locks (`PLYSTRA_AUTH_LOGIN_MAX_FAILURES`, 8).
    pub login_max_failures: i64,
    /// The window failures are counted in (`PLYSTRA_AUTH_LOGIN_WINDOW`, 15 minutes).
    pub login_window: chrono::Duration,
    /// How long a key stays locked (`PLYSTRA_AUTH_LOGIN_LOCKOUT`, 15 minutes).
    pub login_lockout: chrono::Duration,
    /// Who may register (docs/behaviour.md §6.4); everything off by default.
    pub registration: crate::domain::registration::Policy,
    /// Shortest accepted password in bytes (`PLYSTRA_PASSWORD_MIN_LENGTH`, 12).
    pub password_min_length: usize,
    /// Browser origins allowed to call the API (`CORS_ALLOWED_ORIGINS`, comma-separated; `*` for
    /// any). Default: [`DEFAULT_CORS_ALLOWED_ORIGINS`], never a wildcard.
    pub cors_allowed_origins: Vec<String>,
    /// Largest accepted request body (`MAX_REQUEST_BODY_BYTES`, 1 MiB); larger ones get 413.
    pub max_request_body_bytes: usize,
    /// Whether `GET /metrics` answers (`METRICS_ENABLED` / `PLYSTRA_METRICS_ENABLED`: `1`,
    /// `true`, `yes`, `on`, `enabled`); otherwise it is 404 `FEATURE_DISABLED`.
    pub metrics_enabled: bool,
    /// The token that may read `/metrics` without a session or API key (`METRICS_TOKEN` /
    /// `PLYSTRA_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
    /// Peers whose `X-Forwarded-For`/`X-Real-IP` are believed (`TRUSTED_PROXIES`, comma-separated
    /// addresses or CIDR ranges; none by default).
    pub trusted_proxies: Vec<IpRange>,
    /// `LOG_FORMAT`: `json` lines (default) or `text`.
    pub log_format: LogFormat,
    /// The URL clients reach the server at (`PLYSTRA_SERVER_PUBLIC_URL`, then
    /// `SERVER_PUBLIC_URL`); required in production.
    pub public_url: Option<String>,
    /// Which authorization decisions get an audit row (`PLYSTRA_AUDIT_WRITE_MODE`, then
    /// `AUDIT_WRITE_MODE`; default `always`).
    pub audit_write_mode: AuditWriteMode,
}

/// Which authorization decisions are written to the audit log (`AUDIT_WRITE_MODE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuditWriteMode {
    /// Every decision (the default, and what any unknown value means: an unrecognised setting
    /// must not silently stop auditing).
    #[default]
    Always,
    /// Denies only (`deny_only`).
    DenyOnly,
    /// None (`manual` or `disabled_for_dev`): for development; callers get no audit id.
    Skip,
}

impl AuditWriteMode {
    /// The mode a setting names, case-insensitively.
    pub fn parse(value: &str) -> AuditWriteMode {
        match value.trim().to_ascii_lowercase().as_str() {
            "deny_only" => AuditWriteMode::DenyOnly,
            "manual" | "disabled_for_dev" => AuditWriteMode::Skip,
            _ => AuditWriteMode::Always,
        }
    }

    /// Whether a decision with this outcome gets an audit row.
    pub fn records(self, allowed: bool) -> bool {
        match self {
            AuditWriteMode::Always => true,
            AuditWriteMode::DenyOnly => !allowed,
            AuditWriteMode::Skip => false,
        }
    }
}

/// The origins allowed by default: the usual local development servers.
pub const DEFAULT_CORS_ALLOWED_ORIGINS: [&str; 6] = [
    "http://localhost:3000",
    "http://localhost:5173",
    "http://localhost:8080",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:5173",
    "http://127.0.0.1:8080",
];

/// How log lines are written (`LOG_FORMAT`); shared with the other servers.
pub use server_common::LogFormat;

/// `90s`, `15m`, `1h`, or a bare number of minutes.
fn duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "m"),
    };
    let n: i64 = number.parse().ok()?;
    match unit {
        "s" => Some(chrono::Duration::seconds(n)),
        "m" => Some(chrono::Duration::minutes(n)),
        "h" => Some(chrono::Duration::hours(n)),
        _ => None,
    }
    .filter(|d| *d > chrono::Duration::zero())
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("production", &self.production)
            .field("core_version", &self.core_version)
            .field(
                "session_secret",
                &self.session_secret.as_ref().map(|_| "<set>"),
            )
            .field(
                "api_key_secret",
                &self.api_key_secret.as_ref().map(|_| "<set>"),
            )
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("max_request_body_bytes", &self.max_request_body_bytes)
            .field("metrics_enabled", &self.metrics_enabled)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .field("log_format", &self.log_format)
            .field("public_url", &self.public_url)
            .field("audit_write_mode", &self.audit_write_mode)
            .finish_non_exhaustive()
    }
}

/// The SQLite file the server uses when no database is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://plystra.db";

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
    /// One value does not parse.
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it was set to.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// Production mode with unsafe settings.
    #[error(transparent)]
    Production(#[from] ProductionError),
}

fn invalid(name: &'static str, value: String, reason: &'static str) -> ConfigError {
    ConfigError::Invalid {
        name,
        value,
        reason,
    }
}

/// One unsafe production setting: the variable and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The environment variable to change.
    pub variable: &'static str,
    /// What is wrong and what to do.
    pub fix: String,
}

/// Every unsafe setting found by [`Config::check_production`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProductionError(pub Vec<Problem>);

impl std::fmt::Display for ProductionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refusing to run in production (SERVER_MODE/PLYSTRA_ENV=production) with {} unsafe \
             setting(s):",
            self.0.len()
        )?;
        for problem in &self.0 {
            write!(f, "\n  - {}: {}", problem.variable, problem.fix)?;
        }
        Ok(())
    }
}

/// Shortest accepted secret or registration token in production.
pub const MIN_SECRET_LENGTH: usize = 32;

/// Values that are examples or development defaults, not secrets.
fn is_placeholder(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    const MARKERS: [&str; 8] = [
        "change-me",
        "change_me",
        "changeme",
        "placeholder",
        "replace-me",
        "replace_me",
        "replaceme",
        "insecure",
    ];
    const WHOLE: [&str; 7] = [
        "secret",
        "dev",
        "development",
        "test",
        "password",
        "plystra",
        "default",
    ];
    MARKERS.iter().any(|m| lower.contains(m))
        || WHOLE.contains(&lower.as_str())
        || ["dev-", "dev_", "test-", "test_"]
            .iter()
            .any(|p| lower.starts_with(p))
}

/// What is wrong with a production secret, if anything; `why` says why it is needed.
fn weak_secret(value: Option<&str>, why: &str) -> Option<String> {
    let problem = match value {
        None => "is not set".to_string(),
        Some(v) if is_placeholder(v) => "is a placeholder value".to_string(),
        Some(v) if v.chars().count() < MIN_SECRET_LENGTH => {
            format!("is shorter than {MIN_SECRET_LENGTH} characters")
        }
        Some(_) => return None,
    };
    Some(format!(
        "{problem}{why}; generate a random one, e.g. with `openssl rand -hex 32`"
    ))
}

/// The host of an `http(s)://` URL (without port or brackets), or `None` if it is not one.
fn url_host(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split_once(']')?.0
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    (!host.is_empty()).then_some(host)
}

/// Whether `host` names this machine only.
fn is_local_host(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    lower == "localhost"
        || lower.ends_with(".localhost")
        || lower
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

impl Config {
    /// Reads the process environment.
    /// In production, unsafe settings are refused ([`Config::check_production`]).
    pub fn from_env(overrides: Overrides) -> Result<Config, ConfigError> {
        let config = Self::from_lookup(overrides, |name| std::env::var(name).ok())?;
        config.check_production()?;
        Ok(config)
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests).
    pub fn from_lookup(
        overrides: Overrides,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let first = |names: &[&'static str]| -> Option<(&'static str, String)> {
            names.iter().find_map(|name| {
                lookup(name)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .map(|v| (*name, v))
            })
        };
        let host = overrides
            .host
            .or_else(|| first(&["PLYSTRA_SERVER_HOST", "SERVER_HOST"]).map(|(_, v)| v))
            .unwrap_or_else(|| "127.0.0.1".to_string());
        let port = match overrides.port {
            Some(port) => port,
            None => match first(&["PLYSTRA_SERVER_PORT", "SERVER_PORT"]) {
                Some((name, value)) => value
                    .parse()
                    .map_err(|_| invalid(name, value, "expected a port number"))?,
                None => 8080,
            },
        };
        let database_url = overrides
            .database_url
            .or_else(|| first(&["DATABASE_URL", "PLYSTRA_DATABASE_URL"]).map(|(_, v)| v))
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let production = first(&["SERVER_MODE", "PLYSTRA_ENV"])
            .is_some_and(|(_, v)| v.eq_ignore_ascii_case("production"));
        let core_version = first(&["PLYSTRA_CORE_VERSION", "CORE_VERSION"])
            .map(|(_, v)| v)
            .unwrap_or_else(|| "0.0.1".to_string());
        let session_secret = first(&[
            "PLYSTRA_SESSION_SECRET",
            "SESSION_SECRET",
            "JWT_SECRET",
            "PLYSTRA_JWT_SECRET",
        ])
        .map(|(_, v)| v);
        let list = |name: &'static str| -> Vec<String> {
            first(&[name])
                .map(|(_, v)| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let session_secret_previous = list("PLYSTRA_SESSION_SECRET_PREVIOUS");
        let api_key_secret = first(&["PLYSTRA_API_KEY_SECRET", "API_KEY_SECRET"]).map(|(_, v)| v);
        let api_key_secret_previous = list("PLYSTRA_API_KEY_SECRET_PREVIOUS");
        // A positive whole number, or `default` when unset.
        let count = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match first(&[name]) {
                Some((name, value)) => match value.parse().ok().filter(|n| *n > 0) {
                    Some(n) => Ok(n),
                    None => Err(invalid(name, value, "expected a positive number")),
                },
                None => Ok(default),
            }
        };
        let login_max_failures = i64::from(count("PLYSTRA_AUTH_LOGIN_MAX_FAILURES", 8)?);
        let span = |name: &'static str| -> Result<chrono::Duration, ConfigError> {
            match first(&[name]) {
                Some((name, value)) => match duration(&value) {
                    Some(d) => Ok(d),
                    None => Err(invalid(
                        name,
                        value,
                        "expected a duration such as 90s, 15m or 1h (or minutes)",
                    )),
                },
                None => Ok(chrono::Duration::minutes(15)),
            }
        };
        let flag = |name: &'static str| {
            first(&[name]).is_some_and(|(_, v)| {
                matches!(
                    v.to_ascii_lowercase().as_str(),
                    "1" | "true" | "yes" | "on" | "enabled"
                )
            })
        };
        let text = |name: &'static str| first(&[name]).map(|(_, v)| v);
        let registration = crate::domain::registration::Policy {
            ordinary_enabled: flag("PLYSTRA_AUTH_REGISTRATION_ENABLED"),
            ordinary_token: text("PLYSTRA_AUTH_REGISTRATION_TOKEN"),
            public_user_enabled: flag("PLYSTRA_AUTH_PUBLIC_USER_REGISTRATION_ENABLED"),
            bootstrap_enabled: flag("PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED"),
            bootstrap_token: text("PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN"),
        };
        let password_min_length = count("PLYSTRA_PASSWORD_MIN_LENGTH", 12)? as usize;
        let cors_allowed_origins = match first(&["CORS_ALLOWED_ORIGINS"]) {
            Some(_) => list("CORS_ALLOWED_ORIGINS"),
            None => DEFAULT_CORS_ALLOWED_ORIGINS.map(String::from).to_vec(),
        };
        let max_request_body_bytes = match first(&["MAX_REQUEST_BODY_BYTES"]) {
            Some((name, value)) => match value.parse::<usize>().ok().filter(|n| *n > 0) {
                Some(n) => n,
                None => return Err(invalid(name, value, "expected a positive number of bytes")),
            },
            None => crate::http::body_limit::DEFAULT_MAX_REQUEST_BODY_BYTES,
        };
        let trusted_proxies = list("TRUSTED_PROXIES")
            .into_iter()
            .map(|entry| {
                entry.parse::<IpRange>().map_err(|_| {
                    invalid(
                        "TRUSTED_PROXIES",
                        entry,
                        "expected IP addresses or CIDR ranges (10.0.0.0/8), comma-separated",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let log_format = match first(&["LOG_FORMAT"]) {
            None => LogFormat::Json,
            Some((name, value)) => match LogFormat::parse(&value) {
                Some(format) => format,
                None => return Err(invalid(name, value, "expected json or text")),
            },
        };
        let public_url = first(&["PLYSTRA_SERVER_PUBLIC_URL", "SERVER_PUBLIC_URL"]).map(|(_, v)| v);
        let audit_write_mode = first(&["PLYSTRA_AUDIT_WRITE_MODE", "AUDIT_WRITE_MODE"])
            .map(|(_, v)| AuditWriteMode::parse(&v))
            .unwrap_or_default();
        Ok(Config {
            host,
            port,
            database_url,
            production,
            core_version,
            session_secret,
            session_secret_previous,
            api_key_secret,
            api_key_secret_previous,
            registration,
            password_min_length,
            login_max_failures,
            login_window: span("PLYSTRA_AUTH_LOGIN_WINDOW")?,
            login_lockout: span("PLYSTRA_AUTH_LOGIN_LOCKOUT")?,
            cors_allowed_origins,
            max_request_body_bytes,
            metrics_enabled: first(&["METRICS_ENABLED", "PLYSTRA_METRICS_ENABLED"]).is_some_and(
                |(_, v)| {
                    matches!(
                        v.to_ascii_lowercase().as_str(),
                        "1" | "true" | "yes" | "on" | "enabled"
                    )
                },
            ),
            metrics_token: first(&["METRICS_TOKEN", "PLYSTRA_METRICS_TOKEN"]).map(|(_, v)| v),
            trusted_proxies,
            log_format,
            public_url,
            audit_write_mode,
        })
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

    /// The unsafe settings, whether or not the mode is production.
    pub fn production_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut report = |variable: &'static str, fix: String| {
            problems.push(Problem { variable, fix });
        };
        if self.database_url.contains("plystra:plystra@") {
            report(
                "DATABASE_URL",
                "uses the default credentials plystra:plystra; create a database user with its \
                 own password and put it in the URL"
                    .into(),
            );
        }
        if let Some(fix) = weak_secret(self.session_secret.as_deref(), "") {
            report("PLYSTRA_SESSION_SECRET", fix);
        }
        match weak_secret(self.api_key_secret.as_deref(), "") {
            Some(fix) => report("PLYSTRA_API_KEY_SECRET", fix),
            None if self.api_key_secret == self.session_secret => report(
                "PLYSTRA_API_KEY_SECRET",
                "is the same as PLYSTRA_SESSION_SECRET; give each its own random value".into(),
            ),
            None => {}
        }
        let policy = &self.registration;
        if policy.bootstrap_enabled
            && let Some(fix) = weak_secret(
                policy.bootstrap_token.as_deref(),
                " (PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED is on)",
            )
        {
            report("PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN", fix);
        }
        if policy.ordinary_enabled
            && let Some(fix) = weak_secret(
                policy.ordinary_token.as_deref(),
                " (PLYSTRA_AUTH_REGISTRATION_ENABLED is on)",
            )
        {
            report("PLYSTRA_AUTH_REGISTRATION_TOKEN", fix);
        }
        if self.cors_allowed_origins.is_empty() {
            report(
                "CORS_ALLOWED_ORIGINS",
                "is empty; list the browser origins of your front ends, comma-separated".into(),
            );
        } else if self.cors_allowed_origins.iter().any(|o| o == "*") {
            report(
                "CORS_ALLOWED_ORIGINS",
                "contains `*` (any website); list the browser origins of your front ends instead"
                    .into(),
            );
        }
        match self.public_url.as_deref() {
            None => report(
                "PLYSTRA_SERVER_PUBLIC_URL",
                "is not set (nor SERVER_PUBLIC_URL); set it to the https:// URL clients use".into(),
            ),
            Some(url) => match url_host(url) {
                None => report(
                    "PLYSTRA_SERVER_PUBLIC_URL",
                    format!("{url:?} is not an http(s) URL; set the https:// URL clients use"),
                ),
                Some(host) if is_local_host(host) => report(
                    "PLYSTRA_SERVER_PUBLIC_URL",
                    format!(
                        "{url:?} points at this machine only; set the https:// URL clients use"
                    ),
                ),
                Some(_) => {}
            },
        }
        problems
    }

    /// Settings for tests: an in-memory SQLite database, development mode.
    pub fn for_tests() -> Config {
        Config {
            host: "127.0.0.1".into(),
            port: 0,
            database_url: "sqlite::memory:".into(),
            production: false,
            core_version: "0.0.1".into(),
            session_secret: Some("test-session-secret-test-session-secret".into()),
            session_secret_previous: Vec::new(),
            api_key_secret: Some("test-api-key-secret-test-api-key-secret".into()),
            api_key_secret_previous: Vec::new(),
            login_max_failures: 8,
            login_window: chrono::Duration::minutes(15),
            login_lockout: chrono::Duration::minutes(15),
            registration: crate::domain::registration::Policy::default(),
            password_min_length: 12,
            cors_allowed_origins: DEFAULT_CORS_ALLOWED_ORIGINS.map(String::from).to_vec(),
            max_request_body_bytes: crate::http::body_limit::DEFAULT_MAX_REQUEST_BODY_BYTES,
            metrics_enabled: true,
            metrics_token: None,
            trusted_proxies: Vec::new(),
            log_format: LogFormat::Json,
            public_url: None,
            audit_write_mode: AuditWriteMode::Always,
        }
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
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 8080));
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
            (c.host.as_str(), c.port, c.production),
            ("10.0.0.1", 9000, true)
        );
        let flags = Overrides {
            port: Some(1234),
            database_url: Some("postgres://x".into()),
            ..Overrides::default()
        };
        let c = config(&env, flags).unwrap();
        assert_eq!((c.port, c.database_url.as_str()), (1234, "postgres://x"));
    }

    #[test]
    fn login_throttle_settings_take_durations_or_minutes() {
        let env = [
            ("PLYSTRA_AUTH_LOGIN_MAX_FAILURES", "3"),
            ("PLYSTRA_AUTH_LOGIN_WINDOW", "90s"),
            ("PLYSTRA_AUTH_LOGIN_LOCKOUT", "5"),
        ];
        let c = config(&env, Overrides::default()).unwrap();
        assert_eq!(c.login_max_failures, 3);
        assert_eq!(c.login_window, chrono::Duration::seconds(90));
        assert_eq!(c.login_lockout, chrono::Duration::minutes(5));
        let d = config(&[], Overrides::default()).unwrap();
        assert_eq!(
            (d.login_max_failures, d.login_lockout),
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
            d.cors_allowed_origins,
            DEFAULT_CORS_ALLOWED_ORIGINS.to_vec()
        );
        assert!(!d.cors_allowed_origins.iter().any(|o| o.contains('*')));
        assert_eq!(d.max_request_body_bytes, 1_048_576);
        assert!(d.trusted_proxies.is_empty());
        assert_eq!(d.log_format, LogFormat::Json);
        assert_eq!(d.public_url, None);
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
            c.cors_allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(c.max_request_body_bytes, 4096);
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.public_url.as_deref(), Some("https://api.example"));
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
    fn public_url_hosts() {
        assert_eq!(
            url_host("https://api.example.com/v1"),
            Some("api.example.com")
        );
        assert_eq!(url_host("http://user:pw@h.example:8080"), Some("h.example"));
        assert_eq!(url_host("https://[2001:db8::1]:443/"), Some("2001:db8::1"));
        assert_eq!(url_host("ftp://h.example"), None);
        assert_eq!(url_host("h.example"), None);
        assert_eq!(url_host("https://"), None);
        for local in [
            "localhost",
            "LOCALHOST",
            "app.localhost",
            "127.0.0.2",
            "::1",
            "0.0.0.0",
        ] {
            assert!(is_local_host(local), "{local}");
        }
        assert!(!is_local_host("10.0.0.5") && !is_local_host("api.example.com"));
    }

    #[test]
    fn audit_write_mode_defaults_to_always_and_skips_only_when_asked() {
        let mode =
            |env: &[(&str, &str)]| config(env, Overrides::default()).unwrap().audit_write_mode;
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
}
