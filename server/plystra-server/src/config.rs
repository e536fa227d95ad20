//! Configuration from command-line flags and the environment (names as upstream's, see
//! behaviour.md §17), flags first, then `PLYSTRA_*`, then the upstream name, then the default.

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
    /// `PLYSTRA_JWT_SECRET`); without one, tokens are hashed with plain SHA-256.
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
    /// Who may register (behaviour.md §6.4); everything off by default.
    pub registration: crate::domain::registration::Policy,
    /// Shortest accepted password in bytes (`PLYSTRA_PASSWORD_MIN_LENGTH`, 12).
    pub password_min_length: usize,
}

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
#[error("{name}={value:?} is not valid: {reason}")]
pub struct ConfigError {
    name: &'static str,
    value: String,
    reason: &'static str,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(overrides: Overrides) -> Result<Config, ConfigError> {
        Self::from_lookup(overrides, |name| std::env::var(name).ok())
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
                Some((name, value)) => value.parse().map_err(|_| ConfigError {
                    name,
                    value,
                    reason: "expected a port number",
                })?,
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
                Some((name, value)) => value.parse().ok().filter(|n| *n > 0).ok_or(ConfigError {
                    name,
                    value,
                    reason: "expected a positive number",
                }),
                None => Ok(default),
            }
        };
        let login_max_failures = i64::from(count("PLYSTRA_AUTH_LOGIN_MAX_FAILURES", 8)?);
        let span = |name: &'static str| -> Result<chrono::Duration, ConfigError> {
            match first(&[name]) {
                Some((name, value)) => duration(&value).ok_or(ConfigError {
                    name,
                    value,
                    reason: "expected a duration such as 90s, 15m or 1h (or minutes)",
                }),
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
        })
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
    fn a_bad_port_names_the_variable() {
        let err = config(&[("PLYSTRA_SERVER_PORT", "http")], Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("PLYSTRA_SERVER_PORT"), "{err}");
    }
}
