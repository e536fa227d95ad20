//! The HTTP layer's settings: CORS, the body limit and the trusted proxies. The middleware in
//! `crate::http` reads them from here.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use server_common::{Lookup, Setting, SettingError};

use super::Problem;

/// The browser origins allowed to call the API.
pub const CORS_ALLOWED_ORIGINS: Setting = Setting {
    names: &["CORS_ALLOWED_ORIGINS"],
    flag: None,
    default: Some(
        "http://localhost:3000,http://localhost:5173,http://localhost:8080,\
         http://127.0.0.1:3000,http://127.0.0.1:5173,http://127.0.0.1:8080",
    ),
    unset: None,
    doc: "Comma list of browser origins that get `Access-Control-Allow-Origin` (their own \
          origin echoed); `*` allows any. The default is the usual local development servers, \
          never a wildcard. Every `OPTIONS` request is answered 204 without authentication.",
};

/// The largest accepted request body.
pub const MAX_REQUEST_BODY_BYTES: Setting = Setting {
    names: &["MAX_REQUEST_BODY_BYTES"],
    flag: None,
    default: Some("1048576"),
    unset: None,
    doc: "Largest accepted request body in bytes (default 1 MiB). A larger one gets 413 \
          `PAYLOAD_TOO_LARGE`: at once when `Content-Length` says so, else (chunked) once the \
          handler has read past the limit.",
};

/// The peers whose forwarding headers are believed.
pub const TRUSTED_PROXIES: Setting = Setting {
    names: &["TRUSTED_PROXIES"],
    flag: None,
    default: None,
    unset: None,
    doc: "Comma list of IP addresses or CIDR ranges (`10.0.0.0/8`, `::1`). Only when the TCP \
          peer is one of them is the client address taken from `X-Forwarded-For` (first valid \
          address), else `X-Real-IP`. Sessions, the login lockout and the access log record \
          the client address.",
};

/// CORS, body limit, proxies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http {
    /// [`CORS_ALLOWED_ORIGINS`].
    pub cors_allowed_origins: Vec<String>,
    /// [`MAX_REQUEST_BODY_BYTES`].
    pub max_request_body_bytes: usize,
    /// [`TRUSTED_PROXIES`].
    pub trusted_proxies: Vec<IpRange>,
}

impl Http {
    /// Reads the three settings.
    pub fn from(lookup: &Lookup) -> Result<Http, SettingError> {
        Ok(Http {
            cors_allowed_origins: lookup.list(&CORS_ALLOWED_ORIGINS),
            max_request_body_bytes: lookup.parse_with(&MAX_REQUEST_BODY_BYTES, |text| {
                text.parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("expected a positive number of bytes")
            })?,
            trusted_proxies: lookup.list_with(&TRUSTED_PROXIES, |entry| {
                entry.parse::<IpRange>().map_err(
                    |_| "expected IP addresses or CIDR ranges (10.0.0.0/8), comma-separated",
                )
            })?,
        })
    }

    /// In production: CORS names the front ends, and no wildcard.
    pub fn problems(&self) -> Vec<Problem> {
        let fix = if self.cors_allowed_origins.is_empty() {
            "is empty; list the browser origins of your front ends, comma-separated"
        } else if self.cors_allowed_origins.iter().any(|o| o == "*") {
            "contains `*` (any website); list the browser origins of your front ends instead"
        } else {
            return Vec::new();
        };
        vec![Problem {
            variable: CORS_ALLOWED_ORIGINS.name(),
            fix: fix.into(),
        }]
    }
}

/// One entry of `TRUSTED_PROXIES`: a single address (`10.0.0.7`, `::1`) or a CIDR range
/// (`10.0.0.0/8`, `fd00::/8`). An IPv4-mapped IPv6 address counts as its IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange(IpNet);

/// Why a `TRUSTED_PROXIES` entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or CIDR range")]
pub struct InvalidIpRange(pub String);

impl FromStr for IpRange {
    type Err = InvalidIpRange;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidIpRange(text.to_string());
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address = address
            .parse::<IpAddr>()
            .map_err(|_| invalid())?
            .to_canonical();
        let prefix = match prefix {
            None if address.is_ipv4() => 32,
            None => 128,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| invalid())?
            }
            Some(_) => return Err(invalid()),
        };
        let net = IpNet::new(address, prefix).map_err(|_| invalid())?;
        Ok(IpRange(net.trunc()))
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl IpRange {
    /// Whether `ip` lies in the range (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip.to_canonical())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn range(text: &str) -> IpRange {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_single_addresses_and_cidrs() {
        assert_eq!(range("10.0.0.7").to_string(), "10.0.0.7/32");
        assert_eq!(range(" 10.1.2.3/8 ").to_string(), "10.0.0.0/8");
        assert_eq!(range("::1").to_string(), "::1/128");
        assert_eq!(range("fd00:1::/16").to_string(), "fd00::/16");
        assert_eq!(range("0.0.0.0/0").to_string(), "0.0.0.0/0");
        assert_eq!(range("::ffff:192.0.2.1").to_string(), "192.0.2.1/32");
        for bad in [
            "",
            "10.0.0",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "example.com",
            "10.0.0.0/-1",
        ] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ranges_match_by_prefix_within_one_family() {
        let private = range("10.0.0.0/8");
        assert!(private.contains(ip("10.255.1.2")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(private.contains(ip("::ffff:10.0.0.1")), "IPv4-mapped");
        assert!(!private.contains(ip("::a00:1")), "IPv6, not mapped");
        let odd = range("192.168.4.0/22");
        assert!(odd.contains(ip("192.168.7.255")));
        assert!(!odd.contains(ip("192.168.8.0")));
        let single = range("203.0.113.9");
        assert!(single.contains(ip("203.0.113.9")) && !single.contains(ip("203.0.113.8")));
        assert!(range("0.0.0.0/0").contains(ip("198.51.100.1")));
        assert!(!range("0.0.0.0/0").contains(ip("::1")));
        let v6 = range("fd00::/8");
        assert!(v6.contains(ip("fd12:3456::1")) && !v6.contains(ip("fe80::1")));
        assert!(range("::/0").contains(ip("2001:db8::1")));
    }
}
