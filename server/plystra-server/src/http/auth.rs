//! Requests under `/api/` that reach no operation (an unknown path, or a known path with another
//! method): as upstream, they are protected like any other API route, so without a credential
//! that holds `instance:read` (`instance:manage` for writes) they answer 401/403 rather than
//! 404/405. Requests that reach an operation are admitted by the generated endpoint itself, by
//! the operation's `x-plystra-access` rule.

use std::sync::Arc;

use poem::error::{MethodNotAllowedError, NotFoundError};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::Server;

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Unrouted {
    server: Arc<Server>,
}

impl Unrouted {
    /// Admits unrouted API requests on behalf of `server`.
    pub fn new(server: Arc<Server>) -> Self {
        Unrouted { server }
    }
}

impl<E: Endpoint> Middleware<E> for Unrouted {
    type Output = UnroutedEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        UnroutedEndpoint {
            inner,
            server: self.server.clone(),
        }
    }
}

/// The endpoint produced by [`Unrouted`].
pub struct UnroutedEndpoint<E> {
    inner: E,
    server: Arc<Server>,
}

impl<E: Endpoint> Endpoint for UnroutedEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if !req.uri().path().starts_with("/api/") {
            return Ok(self.inner.call(req).await?.into_response());
        }
        // What admission reads (method and credential headers), kept for after routing.
        let mut probe = Request::builder()
            .method(req.method().clone())
            .uri(req.uri().clone())
            .finish();
        *probe.headers_mut() = req.headers().clone();
        match self.inner.call(req).await {
            Ok(response) => Ok(response.into_response()),
            Err(err) if err.is::<NotFoundError>() || err.is::<MethodNotAllowedError>() => {
                self.server.admit_unrouted(&probe).await?;
                Err(err)
            }
            Err(err) => Err(err),
        }
    }
}
