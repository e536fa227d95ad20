//! The two listeners and the issuer identifier.

use std::net::{IpAddr, SocketAddr};

use server_common::{Lookup, Setting, SettingError};

/// Where the public API listens by default. Loopback, not every interface: see the README
/// ("Why loopback by default").
pub const DEFAULT_PUBLIC_ADDR: &str = "127.0.0.1:9000";
/// Where the admin API listens by default.
pub const DEFAULT_ADMIN_ADDR: &str = "127.0.0.1:9001";

/// `--public-addr`.
pub const PUBLIC_ADDR: Setting = Setting {
    names: &["AUTHPLANE_PUBLIC_ADDR"],
    flag: Some("--public-addr"),
    default: Some(DEFAULT_PUBLIC_ADDR),
    unset: None,
    doc: "Public listener: `ip:port`, `[ipv6]:port`, or `:port` for every interface \
          (Authplane's own notation).",
};

/// `--admin-addr`.
pub const ADMIN_ADDR: Setting = Setting {
    names: &["AUTHPLANE_ADMIN_ADDR"],
    flag: Some("--admin-addr"),
    default: Some(DEFAULT_ADMIN_ADDR),
    unset: None,
    doc: "Admin listener, in the same notation; must differ from the public one.",
};

/// `--issuer`.
pub const ISSUER: Setting = Setting {
    names: &["AUTHPLANE_ISSUER"],
    flag: Some("--issuer"),
    default: None,
    unset: Some("derived from the public address"),
    doc: "Issuer identifier: an `http(s)` URL with a host and no query, fragment or \
          credentials; a trailing `/` is dropped. Every endpoint in the discovery documents is \
          the issuer plus its path. Unset: `http://<public ip>:<port>` (`localhost` for an \
          every-interface address, the port really bound). Plain `http` on a non-local host is \
          accepted but warned about (RFC 8414 wants `https`).",
};

/// The listeners and the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// Address of the public listener ([`PUBLIC_ADDR`]).
    pub public_addr: SocketAddr,
    /// Address of the admin listener ([`ADMIN_ADDR`]).
    pub admin_addr: SocketAddr,
    /// The issuer identifier ([`ISSUER`]); `None` derives it from the public listener's
    /// address ([`Listen::issuer_for`]).
    pub issuer: Option<Issuer>,
}

impl Listen {
    /// Reads the three settings; the two addresses must differ (unless both pick a free port).
    pub fn from(lookup: &Lookup) -> Result<Listen, SettingError> {
        let public_addr = lookup.parse_with(&PUBLIC_ADDR, listen_addr)?;
        let admin_addr = lookup.parse_with(&ADMIN_ADDR, listen_addr)?;
        if public_addr == admin_addr && public_addr.port() != 0 {
            let name = lookup
                .value(&ADMIN_ADDR)
                .map_or(ADMIN_ADDR.name(), |f| f.name);
            return Err(SettingError::new(
                name,
                admin_addr.to_string(),
                "the admin API needs an address of its own, apart from the public one",
            ));
        }
        Ok(Listen {
            public_addr,
            admin_addr,
            issuer: lookup.optional_with(&ISSUER, Issuer::parse)?,
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
}

/// `ip:port`, or `:port` for every interface (the form Authplane's own configuration uses).
fn listen_addr(value: &str) -> Result<SocketAddr, &'static str> {
    let value = value.trim();
    let parsed = match value.strip_prefix(':') {
        Some(port) => port
            .parse::<u16>()
            .ok()
            .map(|port| SocketAddr::new(IpAddr::from([0, 0, 0, 0]), port)),
        None => value.parse().ok(),
    };
    parsed.ok_or("expected ip:port (127.0.0.1:9000, [::1]:9000) or :port for every interface")
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
