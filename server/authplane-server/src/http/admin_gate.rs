//! The admin key check: every request to the admin listener except `GET /metrics` (which the
//! contract puts outside the check) must carry `Authorization: Bearer <AUTHPLANE_ADMIN_API_KEY>`.
//! It runs before routing, so an unknown path without the key is a 401 too and the admin API
//! does not reveal which routes exist. With no key configured it refuses everything: an admin
//! API that is open because a variable was forgotten is the failure this prevents.

use poem::http::header::AUTHORIZATION;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::errors::admin_unauthorized;
use server_common::RequestId;

/// The path the check leaves alone.
const METRICS_PATH: &str = "/metrics";

/// The middleware; see the module docs.
#[derive(Clone)]
pub struct AdminGate {
    /// SHA-256 of the configured key. Comparing digests in constant time reveals neither the
    /// key's bytes nor its length through timing.
    key_digest: Option<[u8; 32]>,
}

impl std::fmt::Debug for AdminGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminGate")
            .field("is_configured", &self.key_digest.is_some())
            .finish()
    }
}

impl AdminGate {
    /// A gate for `key`; `None` refuses every request.
    pub fn new(key: Option<&str>) -> AdminGate {
        AdminGate {
            key_digest: key.map(digest),
        }
    }

    /// Why `request` is refused, or `None` when it may pass.
    fn refusal(&self, request: &Request) -> Option<&'static str> {
        if request.uri().path() == METRICS_PATH {
            return None;
        }
        let Some(expected) = &self.key_digest else {
            return Some("admin API disabled: no admin API key is configured");
        };
        let Some(presented) = bearer(request) else {
            return Some("missing API key");
        };
        if bool::from(digest(presented).ct_eq(expected)) {
            None
        } else {
            Some("invalid API key")
        }
    }
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The token of an `Authorization: Bearer …` header (scheme in any case), if non-empty.
fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl<E: Endpoint> Middleware<E> for AdminGate {
    type Output = AdminGateEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AdminGateEndpoint {
            inner,
            gate: self.clone(),
        }
    }
}

/// The endpoint produced by [`AdminGate`].
pub struct AdminGateEndpoint<E> {
    inner: E,
    gate: AdminGate,
}

impl<E: Endpoint> Endpoint for AdminGateEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if let Some(why) = self.gate.refusal(&req) {
            tracing::info!(
                request_id = RequestId::of(&req),
                path = req.uri().path(),
                why,
                "admin request refused"
            );
            return Ok(admin_unauthorized(why));
        }
        Ok(self.inner.call(req).await?.into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, authorization: Option<&str>) -> Request {
        let mut builder = Request::builder().uri(path.parse().unwrap());
        if let Some(value) = authorization {
            builder = builder.header(AUTHORIZATION, value);
        }
        builder.finish()
    }

    #[test]
    fn only_the_configured_key_passes() {
        let gate = AdminGate::new(Some("k3y-of-the-admin"));
        let cases = [
            (None, Some("missing API key")),
            (Some("Bearer"), Some("missing API key")),
            (Some("Bearer "), Some("missing API key")),
            (Some("Basic k3y-of-the-admin"), Some("missing API key")),
            (Some("Bearer wrong"), Some("invalid API key")),
            (
                Some("Bearer k3y-of-the-admin-and-more"),
                Some("invalid API key"),
            ),
            (Some("Bearer k3y-of-the-admin"), None),
            (Some("bearer k3y-of-the-admin"), None),
        ];
        for (header, expected) in cases {
            let refusal = gate.refusal(&request("/admin/clients", header));
            assert_eq!(refusal, expected, "{header:?}");
        }
    }

    #[test]
    fn without_a_key_everything_is_refused_but_metrics() {
        let gate = AdminGate::new(None);
        for header in [None, Some("Bearer "), Some("Bearer anything")] {
            let refusal = gate.refusal(&request("/admin/clients", header));
            assert!(refusal.unwrap().contains("no admin API key"), "{header:?}");
        }
        assert_eq!(gate.refusal(&request("/metrics", None)), None);
        assert!(gate.refusal(&request("/nowhere", None)).is_some());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let shown = format!("{:?}", AdminGate::new(Some("k3y-of-the-admin")));
        assert_eq!(shown, "AdminGate { is_configured: true }");
    }
}
