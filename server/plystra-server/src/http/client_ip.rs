//! The client's address (docs/behaviour.md §2): the TCP peer, unless the peer is one of the
//! `TRUSTED_PROXIES`; then the first valid address in `X-Forwarded-For`, else `X-Real-IP`, else
//! still the peer. Forwarding headers from any other peer are ignored, since anyone can send them.
//! The ranges themselves ([`IpRange`]) are configuration: `crate::config::http`.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use poem::http::HeaderMap;
use poem::{Endpoint, Middleware, Request};

use crate::config::IpRange;

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
