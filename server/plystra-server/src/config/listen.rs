//! Where the server listens, and the URL clients reach it at.

use server_common::{Lookup, Setting, SettingError};

use super::Problem;

/// `--host`: the address to listen on.
pub const HOST: Setting = Setting {
    names: &["PLYSTRA_SERVER_HOST", "SERVER_HOST"],
    flag: Some("--host"),
    default: Some("127.0.0.1"),
    unset: None,
    doc: "Address to listen on.",
};

/// `--port`: the port to listen on.
pub const PORT: Setting = Setting {
    names: &["PLYSTRA_SERVER_PORT", "SERVER_PORT"],
    flag: Some("--port"),
    default: Some("8080"),
    unset: None,
    doc: "Port to listen on (0: any free port).",
};

/// The URL clients reach the server at.
pub const PUBLIC_URL: Setting = Setting {
    names: &["PLYSTRA_SERVER_PUBLIC_URL", "SERVER_PUBLIC_URL"],
    flag: None,
    default: None,
    unset: None,
    doc: "The URL clients reach the server at, e.g. `https://api.example.com`; the served \
          OpenAPI document names it as its server (unset: the listen address). Required in \
          production.",
};

/// The listener and the public URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on.
    pub port: u16,
    /// The URL clients reach the server at; required in production.
    pub public_url: Option<String>,
}

impl Listen {
    /// Reads [`HOST`], [`PORT`] and [`PUBLIC_URL`].
    pub fn from(lookup: &Lookup) -> Result<Listen, SettingError> {
        Ok(Listen {
            host: lookup.text(&HOST).unwrap_or_default(),
            port: lookup.parse(&PORT, "expected a port number (0 to 65535)")?,
            public_url: lookup.text(&PUBLIC_URL),
        })
    }

    /// The URL the served OpenAPI document gives as its server: the public URL when set, else
    /// `http://` and the listen address (`localhost` for an every-interface address).
    pub fn base_url(&self) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let host = match self.host.parse::<std::net::IpAddr>() {
            Ok(ip) if ip.is_unspecified() => "localhost".to_string(),
            Ok(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
            _ => self.host.clone(),
        };
        format!("http://{host}:{}", self.port)
    }

    /// In production: the public URL must be an `http(s)` URL that is not this machine only.
    pub fn problems(&self) -> Vec<Problem> {
        let variable = PUBLIC_URL.name();
        let fix = match self.public_url.as_deref() {
            None => "is not set (nor SERVER_PUBLIC_URL); set it to the https:// URL clients use"
                .to_string(),
            Some(url) => match url_host(url) {
                None => format!("{url:?} is not an http(s) URL; set the https:// URL clients use"),
                Some(host) if is_local_host(host) => {
                    format!("{url:?} points at this machine only; set the https:// URL clients use")
                }
                Some(_) => return Vec::new(),
            },
        };
        vec![Problem { variable, fix }]
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_base_url_is_the_public_url_else_the_listen_address() {
        let listen = |host: &str, port, public_url: Option<&str>| Listen {
            host: host.into(),
            port,
            public_url: public_url.map(String::from),
        };
        assert_eq!(
            listen("127.0.0.1", 8080, None).base_url(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            listen("0.0.0.0", 9090, None).base_url(),
            "http://localhost:9090"
        );
        assert_eq!(listen("::1", 9090, None).base_url(), "http://[::1]:9090");
        assert_eq!(
            listen("api.internal", 80, None).base_url(),
            "http://api.internal:80"
        );
        assert_eq!(
            listen("0.0.0.0", 9090, Some("https://api.example.com/")).base_url(),
            "https://api.example.com"
        );
    }
}
