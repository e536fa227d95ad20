//! The client's address (docs/behaviour.md §2): the TCP peer, unless the peer is one of the
//! `TRUSTED_PROXIES`; then the first valid address in `X-Forwarded-For`, else `X-Real-IP`, else
//! still the peer. Forwarding headers from any other peer are ignored, since anyone can send them.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use poem::http::HeaderMap;
use poem::{Endpoint, Middleware, Request};

/// The resolved client address of the current request, stored in the request's extensions by
/// [`ResolveClientIp`]. Absent when the request did not come over a socket (in-process tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl fmt::Display for ClientIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ClientIp {
    /// The client address of `request`: the resolved one, else the TCP peer, else `None`.
    pub fn of(request: &Request) -> Option<IpAddr> {
        request
            .extensions()
            .get::<ClientIp>()
            .map(|ip| ip.0)
            .or_else(|| peer(request))
    }
}

/// One entry of `TRUSTED_PROXIES`: a single address (`10.0.0.7`, `::1`) or a CIDR range
/// (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    /// The network address, with the host bits cleared.
    network: IpAddr,
    /// Leading bits that must match.
    prefix: u8,
}

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
        let address: IpAddr = address.parse().map_err(|_| invalid())?;
        let address = address.to_canonical();
        let width = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix {
            None => width,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(invalid)?,
            Some(_) => return Err(invalid()),
        };
        Ok(IpRange {
            network: masked(address, prefix),
            prefix,
        })
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl IpRange {
    /// Whether `ip` lies in the range (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match (self.network, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                masked(ip, self.prefix) == self.network
            }
            _ => false,
        }
    }
}

/// `ip` with every bit after the first `prefix` cleared.
fn masked(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(v4) & mask).into())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(v6) & mask).into())
        }
    }
}

/// Reads a forwarded address: a bare IP, or an IP with a port (`1.2.3.4:80`, `[::1]:80`).
fn forwarded_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// The client address for a request from `peer` with `headers`, given the trusted proxies.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpRange]) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    if !trusted.iter().any(|range| range.contains(peer)) {
        return Some(peer);
    }
    let forwarded_for = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(forwarded_address);
    let real_ip = || {
        headers
            .get("x-real-ip")
            .and_then(|value| value.to_str().ok())
            .and_then(forwarded_address)
    };
    Some(forwarded_for.or_else(real_ip).unwrap_or(peer))
}

fn peer(request: &Request) -> Option<IpAddr> {
    request
        .remote_addr()
        .as_socket_addr()
        .map(|addr| addr.ip().to_canonical())
}

/// The middleware that stores [`ClientIp`] in every request's extensions.
#[derive(Debug, Clone)]
pub struct ResolveClientIp {
    trusted: Arc<[IpRange]>,
}

impl ResolveClientIp {
    /// Trusts forwarding headers only from peers in `trusted`.
    pub fn new(trusted: &[IpRange]) -> Self {
        ResolveClientIp {
            trusted: trusted.into(),
        }
    }
}

impl<E: Endpoint> Middleware<E> for ResolveClientIp {
    type Output = ResolveClientIpEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ResolveClientIpEndpoint {
            inner,
            trusted: self.trusted.clone(),
        }
    }
}

/// The endpoint produced by [`ResolveClientIp`].
pub struct ResolveClientIpEndpoint<E> {
    inner: E,
    trusted: Arc<[IpRange]>,
}

impl<E: Endpoint> Endpoint for ResolveClientIpEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        if let Some(ip) = resolve(peer(&req), req.headers(), &self.trusted) {
            req.extensions_mut().insert(ClientIp(ip));
        }
        self.inner.call(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::HeaderValue;

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

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_peers() {
        let trusted = [range("10.0.0.0/8"), range("::1")];
        let forwarded = headers(&[
            ("x-forwarded-for", "unknown, 203.0.113.7:4711, 198.51.100.2"),
            ("x-real-ip", "198.51.100.99"),
        ]);
        // An untrusted peer's headers are ignored.
        assert_eq!(
            resolve(Some(ip("192.0.2.1")), &forwarded, &trusted),
            Some(ip("192.0.2.1"))
        );
        // A trusted peer: the first valid X-Forwarded-For entry.
        assert_eq!(
            resolve(Some(ip("10.1.1.1")), &forwarded, &trusted),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            resolve(Some(ip("::1")), &forwarded, &trusted),
            Some(ip("203.0.113.7"))
        );
        // No usable X-Forwarded-For: X-Real-IP.
        let real = headers(&[
            ("x-forwarded-for", "garbage"),
            ("x-real-ip", " 2001:db8::5 "),
        ]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &real, &trusted),
            Some(ip("2001:db8::5"))
        );
        // Neither: the proxy itself.
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &HeaderMap::new(), &trusted),
            Some(ip("10.0.0.1"))
        );
        // Several X-Forwarded-For headers are one list, in order.
        let split = headers(&[
            ("x-forwarded-for", "[2001:db8::9]:443"),
            ("x-forwarded-for", "203.0.113.1"),
        ]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &split, &trusted),
            Some(ip("2001:db8::9"))
        );
        // No trusted proxies at all: always the peer; no peer: nothing.
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), &forwarded, &[]),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(resolve(None, &forwarded, &trusted), None);
        // An IPv4-mapped peer is reported as IPv4.
        assert_eq!(
            resolve(Some(ip("::ffff:192.0.2.1")), &HeaderMap::new(), &[]),
            Some(ip("192.0.2.1"))
        );
    }

    #[tokio::test]
    async fn the_middleware_stores_the_address_and_of_falls_back_to_the_peer() {
        use poem::{EndpointExt, handler};

        #[handler]
        fn echo(req: &Request) -> String {
            format!("{:?}", req.extensions().get::<ClientIp>())
        }
        let app = echo.with(ResolveClientIp::new(&[range("127.0.0.1")]));
        // In-process requests have no socket peer: nothing is stored.
        let resp = app.get_response(Request::builder().finish()).await;
        assert_eq!(resp.into_body().into_string().await.unwrap(), "None");
        let mut req = Request::builder().finish();
        req.extensions_mut().insert(ClientIp(ip("192.0.2.5")));
        assert_eq!(ClientIp::of(&req), Some(ip("192.0.2.5")));
        assert_eq!(ClientIp::of(&Request::builder().finish()), None);
    }
}
