//! Request counts and latency per operation for `/metrics`. The operation is the one
//! poem-openapi stamps on every response and error of a route ([`OperationId`]; the error
//! envelope keeps it on the response it renders); anything else (an unknown route, a preflight, a
//! body refused before routing) is `unmatched`.

use std::sync::Arc;
use std::time::Instant;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use poem_openapi::OperationId;

use crate::Server;

/// The label of requests that reached no operation.
const UNMATCHED: &str = "unmatched";

/// See the module docs.
#[derive(Debug, Clone)]
pub struct RequestMetrics {
    server: Arc<Server>,
}

impl RequestMetrics {
    /// Records into `server`'s metrics.
    pub fn new(server: Arc<Server>) -> Self {
        RequestMetrics { server }
    }
}

impl<E: Endpoint> Middleware<E> for RequestMetrics {
    type Output = RequestMetricsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestMetricsEndpoint {
            inner,
            server: self.server.clone(),
        }
    }
}

/// The endpoint produced by [`RequestMetrics`].
pub struct RequestMetricsEndpoint<E> {
    inner: E,
    server: Arc<Server>,
}

impl<E: Endpoint> Endpoint for RequestMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        let result = self.inner.call(req).await;
        let (status, operation) = match &result {
            Ok(_) => (None, None),
            Err(e) => (Some(e.status()), e.data::<OperationId>().copied()),
        };
        let response = result.map(IntoResponse::into_response);
        let operation = operation
            .or_else(|| {
                response
                    .as_ref()
                    .ok()
                    .and_then(|r| r.data::<OperationId>().copied())
            })
            .map_or(UNMATCHED, |id| id.0);
        let status = status.unwrap_or_else(|| {
            response
                .as_ref()
                .map(|r| r.status())
                .unwrap_or(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
        });
        self.server
            .metrics()
            .observe_request(operation, status.as_u16(), started.elapsed());
        response
    }
}
