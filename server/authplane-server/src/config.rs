//! Configuration from command-line flags and the environment: a flag wins over its
//! `AUTHPLANE_*` variable, which wins over the default. Nothing is required: with no
//! configuration the server listens on loopback, keeps its data in `authplane.db` in the working
//! directory, derives its issuer from the public address, and refuses every admin call.

use std::net::{IpAddr, SocketAddr};

use authplane_server_api::public::types::GrantType;
use server_common::LogFormat;

/// Where the public API listens by default. Loopback, not every interface: see the README
/// ("Why loopback by default").
pub const DEFAULT_PUBLIC_ADDR: &str = "127.0.0.1:9000";
/// Where the admin API listens by default.
pub const DEFAULT_ADMIN_ADDR: &str = "127.0.0.1:9001";
/// The SQLite file used when no database is configured.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://authplane.db";
/// Grants advertised when `AUTHPLANE_GRANT_TYPES` is not set: the browser flow and its refresh.
pub const DEFAULT_GRANT_TYPES: [GrantType; 2] =
    [GrantType::AuthorizationCode, GrantType::RefreshToken];
/// Admin keys shorter than this get a warning at startup.
pub const MIN_ADMIN_KEY_LENGTH: usize = 32;

/// The server's settings. `Debug` leaves the admin key out.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Address of the public listener (`--public-addr`, `AUTHPLANE_PUBLIC_ADDR`).
    pub public_addr: SocketAddr,
    /// Address of the admin listener (`--admin-addr`, `AUTHPLANE_ADMIN_ADDR`).
    pub admin_addr: SocketAddr,
    /// The issuer identifier (`--issuer`, `AUTHPLANE_ISSUER`); `None` derives it from the
    /// public listener's address ([`Config::issuer_for`]).
    pub issuer: Option<Issuer>,
    /// `sqlite://…` or `postgres://…` (`--database-url`, `AUTHPLANE_DATABASE_URL`).
    pub database_url: String,
    /// The bearer key of the admin API (`AUTHPLANE_ADMIN_API_KEY`; environment only, so it never
    /// shows in a process list). Without one the admin API refuses every call.
    pub admin_api_key: Option<String>,
    /// Grants advertised in the discovery documents (`AUTHPLANE_GRANT_TYPES`).
    pub grant_types: Vec<GrantType>,
    /// `scopes_supported` of the discovery documents (`AUTHPLANE_SCOPES`); omitted when empty.
    pub scopes: Vec<String>,
    /// Log lines as JSON (default) or text (`AUTHPLANE_LOG_FORMAT`, then `LOG_FORMAT`).
    pub log_format: LogFormat,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("public_addr", &self.public_addr)
            .field("admin_addr", &self.admin_addr)
            .field("issuer", &self.issuer)
            .field(
                "admin_api_key",
                &self.admin_api_key.as_ref().map(|_| "<set>"),
            )
            .field("grant_types", &self.grant_types)
            .field("scopes", &self.scopes)
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
    /// One value does not parse.
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        /// The flag or variable.
        name: &'static str,
        /// What it was set to.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
}

fn invalid(name: &'static str, value: impl Into<String>, reason: &'static str) -> ConfigError {
    ConfigError::Invalid {
        name,
        value: value.into(),
        reason,
    }
}

/// An issuer identifier (RFC 8414 §2): an `http(s)` URL with a host and no query or fragment,
/// kept without a trailing slash so that endpoint URLs are the issuer plus a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer(String);

impl Issuer {
    /// Checks `text`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Issuer, &'static str> {
        let url = url::Url::parse(text.trim()).map_err(|_| "expected an absolute URL")?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("expected an http:// or https:// URL");
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("expected a URL with a host");
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("an issuer has no query and no fragment (RFC 8414 section 2)");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("an issuer carries no user name or password");
        }
        Ok(Issuer(url.as_str().trim_end_matches('/').to_string()))
    }

    /// The identifier, as tokens will carry it in `iss`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL of `path` (which starts with `/`) under the issuer.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    /// Whether clients would reach it over plain HTTP on another machine (RFC 8414 wants https).
    pub fn is_insecure(&self) -> bool {
        let Ok(url) = url::Url::parse(&self.0) else {
            return true;
        };
        let local = match url.host() {
            Some(url::Host::Domain(name)) => name == "localhost" || name.ends_with(".localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        url.scheme() == "http" && !local
    }
}

impl std::fmt::Display for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `ip:port`, or `:port` for every interface (the form Authplane's own configuration uses).
fn listen_addr(name: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    let value = value.trim();
    let parsed = match value.strip_prefix(':') {
        Some(port) => port
            .parse::<u16>()
            .ok()
            .map(|port| SocketAddr::new(IpAddr::from([0, 0, 0, 0]), port)),
        None => value.parse().ok(),
    };
    parsed.ok_or_else(|| {
        invalid(
            name,
            value,
            "expected ip:port (127.0.0.1:9000, [::1]:9000) or :port for every interface",
        )
    })
}

/// Items separated by commas or white space, without empty ones or repeats.
fn items(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(|c: char| c == ',' || c.is_whitespace()) {
        if !item.is_empty() && !out.iter().any(|seen| seen == item) {
            out.push(item.to_string());
        }
    }
    out
}

fn grant_type(text: &str) -> Option<GrantType> {
    [
        GrantType::AuthorizationCode,
        GrantType::ClientCredentials,
        GrantType::RefreshToken,
        GrantType::UrnIetfParamsOauthGrantTypeTokenExchange,
        GrantType::UrnIetfParamsOauthGrantTypeJwtBearer,
    ]
    .into_iter()
    .find(|grant| grant.as_str() == text)
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(overrides: Overrides) -> Result<Config, ConfigError> {
        Self::from_lookup(overrides, |name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests). Empty
    /// values count as unset.
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
        let setting = |flag: Option<String>, flag_name: &'static str, var: &'static str| match flag
        {
            Some(value) => Some((flag_name, value)),
            None => first(&[var]),
        };
        let public_addr = match setting(
            overrides.public_addr,
            "--public-addr",
            "AUTHPLANE_PUBLIC_ADDR",
        ) {
            Some((name, value)) => listen_addr(name, &value)?,
            None => listen_addr("default", DEFAULT_PUBLIC_ADDR)?,
        };
        let admin_addr = match setting(overrides.admin_addr, "--admin-addr", "AUTHPLANE_ADMIN_ADDR")
        {
            Some((name, value)) => listen_addr(name, &value)?,
            None => listen_addr("default", DEFAULT_ADMIN_ADDR)?,
        };
        if public_addr == admin_addr && public_addr.port() != 0 {
            return Err(invalid(
                "AUTHPLANE_ADMIN_ADDR",
                admin_addr.to_string(),
                "the admin API needs an address of its own, apart from the public one",
            ));
        }
        let issuer = match setting(overrides.issuer, "--issuer", "AUTHPLANE_ISSUER") {
            Some((name, value)) => {
                Some(Issuer::parse(&value).map_err(|reason| invalid(name, value, reason))?)
            }
            None => None,
        };
        // Deliberately not `DATABASE_URL`: a Plystra server configured that way on the same
        // machine would share the database, and the two migration histories cannot share one
        // `_sqlx_migrations` table.
        let database_url = setting(
            overrides.database_url,
            "--database-url",
            "AUTHPLANE_DATABASE_URL",
        )
        .map(|(_, v)| v)
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let admin_api_key = first(&["AUTHPLANE_ADMIN_API_KEY"]).map(|(_, v)| v);
        let grant_types = match first(&["AUTHPLANE_GRANT_TYPES"]) {
            Some((name, value)) => {
                let mut grants = Vec::new();
                for item in items(&value) {
                    match grant_type(&item) {
                        Some(grant) => grants.push(grant),
                        None => {
                            return Err(invalid(
                                name,
                                item,
                                "expected grant types among authorization_code, \
                                 client_credentials, refresh_token, \
                                 urn:ietf:params:oauth:grant-type:token-exchange, \
                                 urn:ietf:params:oauth:grant-type:jwt-bearer",
                            ));
                        }
                    }
                }
                grants
            }
            None => DEFAULT_GRANT_TYPES.to_vec(),
        };
        let scopes = first(&["AUTHPLANE_SCOPES"])
            .map(|(_, v)| items(&v))
            .unwrap_or_default();
        let log_format = match first(&["AUTHPLANE_LOG_FORMAT", "LOG_FORMAT"]) {
            None => LogFormat::Json,
            Some((name, value)) => LogFormat::parse(&value)
                .ok_or_else(|| invalid(name, value, "expected json or text"))?,
        };
        Ok(Config {
            public_addr,
            admin_addr,
            issuer,
            database_url,
            admin_api_key,
            grant_types,
            scopes,
            log_format,
        })
    }

    /// The configured issuer, or one derived from the address the public listener really got:
    /// `http://<ip>:<port>`, with `localhost` for an every-interface address.
    pub fn issuer_for(&self, public_addr: SocketAddr) -> Issuer {
        if let Some(issuer) = &self.issuer {
            return issuer.clone();
        }
        let host = match public_addr.ip() {
            ip if ip.is_unspecified() => "localhost".to_string(),
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        Issuer(format!("http://{host}:{}", public_addr.port()))
    }

    /// Settings for tests: loopback addresses on free ports, an in-memory database, and the
    /// given admin key.
    pub fn for_tests(admin_api_key: Option<&str>) -> Config {
        Config {
            public_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            issuer: None,
            database_url: "sqlite::memory:".to_string(),
            admin_api_key: admin_api_key.map(String::from),
            grant_types: DEFAULT_GRANT_TYPES.to_vec(),
            scopes: Vec::new(),
            log_format: LogFormat::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

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
        assert_eq!(c.public_addr.to_string(), "127.0.0.1:9000");
        assert_eq!(c.admin_addr.to_string(), "127.0.0.1:9001");
        assert_eq!(c.database_url, "sqlite://authplane.db");
        assert_eq!(c.issuer, None);
        assert_eq!(c.admin_api_key, None);
        assert_eq!(c.grant_types, DEFAULT_GRANT_TYPES.to_vec());
        assert!(c.scopes.is_empty());
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(
            c.issuer_for(c.public_addr).as_str(),
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
        assert_eq!(c.public_addr.to_string(), "0.0.0.0:8000");
        assert_eq!(c.admin_addr.to_string(), "10.0.0.5:8001");
        assert_eq!(c.issuer.unwrap().as_str(), "https://env.example");
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
        assert_eq!(c.public_addr.to_string(), "[::1]:7000");
        assert_eq!(c.admin_addr.to_string(), "127.0.0.1:7001");
        assert_eq!(c.issuer.unwrap().as_str(), "https://flag.example");
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
            err.to_string().starts_with("AUTHPLANE_ISSUER=\"nope\""),
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
                .starts_with("AUTHPLANE_PUBLIC_ADDR=\"localhost\"")
        );
        let flag = Overrides {
            admin_addr: Some("nope".into()),
            ..Overrides::default()
        };
        assert!(
            config(&[], flag)
                .unwrap_err()
                .to_string()
                .starts_with("--admin-addr")
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
            c.grant_types,
            vec![
                GrantType::ClientCredentials,
                GrantType::UrnIetfParamsOauthGrantTypeTokenExchange
            ]
        );
        assert_eq!(c.scopes, vec!["read", "write", "admin"]);
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
}
