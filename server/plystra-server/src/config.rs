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
        let session_secret_previous = first(&["PLYSTRA_SESSION_SECRET_PREVIOUS"])
            .map(|(_, v)| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Config {
            host,
            port,
            database_url,
            production,
            core_version,
            session_secret,
            session_secret_previous,
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
    fn a_bad_port_names_the_variable() {
        let err = config(&[("PLYSTRA_SERVER_PORT", "http")], Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("PLYSTRA_SERVER_PORT"), "{err}");
    }
}
