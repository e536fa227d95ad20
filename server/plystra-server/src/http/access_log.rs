//! One structured `tracing` event per request (docs/behaviour.md §2), target
//! `plystra_server::access`, written when the response is ready.
//!
//! Fields: `request_id`, `method`, `path` (without the query string, which may carry secrets),
//! `status`, `latency_ms`, `remote_ip`, `user_agent`, `bytes` (the response body size when it is
//! known before sending) and `error_code` (from `X-Plystra-Error-Code`). No other header and no
//! body is ever logged, so credentials (`Authorization`, `X-Plystra-API-Key`, cookies) stay out.
//!
//! The middleware sits outside the envelope so that it sees the final status, the request id
//! and the error code of every answer, including CORS preflights and 413s.

use std::time::Instant;

use poem::http::StatusCode;
use poem::http::header::USER_AGENT;
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response};

use super::client_ip::ClientIp;
use super::envelope::ERROR_CODE_HEADER;
use super::request_id::HEADER as REQUEST_ID_HEADER;

/// The `tracing` target of the access log.
pub const TARGET: &str = "plystra_server::access";

/// The middleware; see the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessLog;

impl<E: Endpoint> Middleware<E> for AccessLog {
    type Output = AccessLogEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AccessLogEndpoint { inner }
    }
}

/// The endpoint produced by [`AccessLog`].
pub struct AccessLogEndpoint<E> {
    inner: E,
}

/// What the log keeps of the request, read before the request is handed on.
struct Seen {
    started: Instant,
    method: String,
    path: String,
    remote_ip: Option<String>,
    user_agent: Option<String>,
}

impl<E: Endpoint> Endpoint for AccessLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let seen = Seen {
            started: Instant::now(),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            remote_ip: ClientIp::of(&req).map(|ip| ip.to_string()),
            user_agent: req
                .headers()
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(String::from),
        };
        match self.inner.call(req).await {
            Ok(output) => {
                let mut response = output.into_response();
                let bytes = body_size(&mut response);
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(String::from)
                };
                log(
                    &seen,
                    response.status(),
                    header(REQUEST_ID_HEADER),
                    header(ERROR_CODE_HEADER),
                    bytes,
                );
                Ok(response)
            }
            Err(err) => {
                // Only reached if a middleware outside the envelope fails.
                log(&seen, err.status(), None, None, None);
                Err(err)
            }
        }
    }
}

fn log(
    seen: &Seen,
    status: StatusCode,
    request_id: Option<String>,
    error_code: Option<String>,
    bytes: Option<u64>,
) {
    let latency_ms = seen.started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: TARGET,
        request_id = request_id.as_deref().unwrap_or_default(),
        method = seen.method.as_str(),
        path = seen.path.as_str(),
        status = status.as_u16(),
        latency_ms = (latency_ms * 1000.0).round() / 1000.0,
        remote_ip = seen.remote_ip.as_deref().unwrap_or_default(),
        user_agent = seen.user_agent.as_deref().unwrap_or_default(),
        bytes,
        error_code = error_code.as_deref(),
        "request"
    );
}

/// The exact size of the response body, when the body knows it (every buffered body does).
fn body_size(response: &mut Response) -> Option<u64> {
    let body = http_body_util::combinators::BoxBody::from(response.take_body());
    let size = http_body::Body::size_hint(&body).exact();
    response.set_body(Body::from(body));
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffered_bodies_have_a_size_and_streams_do_not() {
        let mut response = Response::builder().body("hello");
        assert_eq!(body_size(&mut response), Some(5));
        let mut response = Response::builder().finish();
        assert_eq!(body_size(&mut response), Some(0));
        let mut response = Response::builder().body(Body::from_async_read(&b"hello"[..]));
        assert_eq!(body_size(&mut response), None);
    }

    #[tokio::test]
    async fn the_body_survives_being_measured() {
        let mut response = Response::builder().body("hello");
        body_size(&mut response);
        assert_eq!(response.into_body().into_string().await.unwrap(), "hello");
    }
}
