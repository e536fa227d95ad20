//! Request counts and latency per operation for `/metrics`. The operation is found by matching
//! the method and path against the contract's path templates once per request (literal
//! segments beat parameters, so `/groups/tree` is not `/groups/{group_id}`).

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use plystra_server_api::OPERATIONS;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::Server;

/// An operation's method and path template, split into segments (`None` for a parameter).
struct Template {
    method: &'static str,
    segments: Vec<Option<&'static str>>,
    id: &'static str,
}

fn templates() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        OPERATIONS
            .iter()
            .map(|op| Template {
                method: op.method,
                segments: op
                    .path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| (!s.starts_with('{')).then_some(s))
                    .collect(),
                id: op.id,
            })
            .collect()
    })
}

/// The operationId of `method path`, or `unmatched`.
pub fn operation_of(method: &str, path: &str) -> &'static str {
    let mut best: Option<(&'static str, usize)> = None;
    let count = path.split('/').filter(|s| !s.is_empty()).count();
    for template in templates() {
        if template.method != method || template.segments.len() != count {
            continue;
        }
        let mut literals = 0;
        let matched = path
            .split('/')
            .filter(|s| !s.is_empty())
            .zip(&template.segments)
            .all(|(segment, expected)| match expected {
                Some(literal) => {
                    literals += 1;
                    segment == *literal
                }
                None => true,
            });
        if matched && best.is_none_or(|(_, most)| literals > most) {
            best = Some((template.id, literals));
        }
    }
    best.map_or("unmatched", |(id, _)| id)
}

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
        let operation = operation_of(req.method().as_str(), req.uri().path());
        let result = self.inner.call(req).await;
        let status = match &result {
            Ok(_) => None,
            Err(e) => Some(e.status()),
        };
        let response = result.map(IntoResponse::into_response);
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

#[cfg(test)]
mod tests {
    use super::operation_of;

    #[test]
    fn literal_segments_win_over_parameters() {
        assert_eq!(operation_of("GET", "/api/v1/users"), "listUsers");
        assert_eq!(operation_of("GET", "/api/v1/users/user_1"), "getUser");
        assert_eq!(
            operation_of("GET", "/api/v1/spaces/s1/groups/tree"),
            "getGroupTree"
        );
        assert_eq!(
            operation_of("GET", "/api/v1/spaces/s1/groups/g1"),
            "getGroup"
        );
        assert_eq!(
            operation_of("POST", "/api/v1/authz/check"),
            "checkAuthorization"
        );
        assert_eq!(operation_of("GET", "/metrics"), "getMetrics");
        assert_eq!(operation_of("GET", "/nowhere"), "unmatched");
        assert_eq!(operation_of("DELETE", "/api/v1/users"), "unmatched");
    }
}
