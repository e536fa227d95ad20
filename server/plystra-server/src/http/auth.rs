//! The authentication middleware: every route but the public ones (docs/behaviour.md §4.2) needs a
//! credential that meets the route's requirement; the admitted [`Principal`] goes into the
//! request's extensions for the handlers.

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::Server;
use crate::domain::principal::is_public;

/// The metrics token header of the contract.
const METRICS_TOKEN: &str = "x-plystra-metrics-token";
/// The other metrics token header upstream accepts.
const ALTERNATIVE_METRICS_TOKEN: &str = "x-metrics-token";

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Authenticate {
    server: Arc<Server>,
}

impl Authenticate {
    /// Admits requests on behalf of `server`.
    pub fn new(server: Arc<Server>) -> Self {
        Authenticate { server }
    }
}

impl<E: Endpoint> Middleware<E> for Authenticate {
    type Output = AuthenticateEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AuthenticateEndpoint {
            inner,
            server: self.server.clone(),
        }
    }
}

/// The endpoint produced by [`Authenticate`].
pub struct AuthenticateEndpoint<E> {
    inner: E,
    server: Arc<Server>,
}

impl<E: Endpoint> Endpoint for AuthenticateEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let path = req.uri().path();
        let protected = path.starts_with("/api/") && !is_public(req.method().as_str(), path);
        if protected {
            let principal = self.server.admit(&req).await?;
            req.extensions_mut().insert(principal);
        } else if path == "/metrics" && req.method() == poem::http::Method::GET {
            self.server.admit_metrics_reader(&req).await?;
            // The contract names one token header; upstream also reads `X-Metrics-Token`.
            if let Some(token) = req.headers().get(ALTERNATIVE_METRICS_TOKEN).cloned() {
                req.headers_mut().entry(METRICS_TOKEN).or_insert(token);
            }
        }
        Ok(self.inner.call(req).await?.into_response())
    }
}
