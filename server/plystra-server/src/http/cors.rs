//! CORS (docs/behaviour.md §2), in two small middlewares built from one [`CorsPolicy`]:
//!
//! * [`Cors`] sits outside the envelope and adds the CORS headers to every response, errors
//!   included (the envelope builds error responses afresh, so headers added inside it would be
//!   lost). `Access-Control-Allow-Origin` is the request's `Origin` when that origin is listed in
//!   `CORS_ALLOWED_ORIGINS`, or `*` when the list contains `*`; otherwise it is left out.
//! * [`Preflight`] sits inside the envelope, before authentication and the routes, and answers
//!   every `OPTIONS` request with `204` and an empty body, so the answer still carries the
//!   request id and the security headers.

use std::sync::Arc;

use poem::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue, ORIGIN, VARY,
};
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

/// The request headers a browser may send cross-origin.
pub const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, X-Request-ID, X-Plystra-Metrics-Token, X-Plystra-API-Key";

/// The methods a browser may use cross-origin.
pub const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";

/// The response headers browser code may read (the request id and the error references).
pub const EXPOSE_HEADERS: &str = "X-Request-ID, X-Plystra-Error-Code, X-Plystra-Trace-ID, \
                                  X-Plystra-Audit-Log-ID, Retry-After";

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsPolicy {
    any: bool,
    origins: Vec<String>,
}

impl CorsPolicy {
    /// The policy of `CORS_ALLOWED_ORIGINS` (`*` allows any origin).
    pub fn new(origins: &[String]) -> Self {
        CorsPolicy {
            any: origins.iter().any(|o| o.trim() == "*"),
            origins: origins.iter().map(|o| normalise(o)).collect(),
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    pub fn allow_origin(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        if self.any {
            return Some(HeaderValue::from_static("*"));
        }
        let origin = origin?;
        let text = normalise(origin.to_str().ok()?);
        self.origins.contains(&text).then(|| origin.clone())
    }
}

/// Origins compare without case and without a trailing slash.
fn normalise(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The middleware adding the CORS headers to every response.
#[derive(Debug, Clone)]
pub struct Cors {
    policy: Arc<CorsPolicy>,
}

impl Cors {
    /// See the module docs.
    pub fn new(policy: CorsPolicy) -> Self {
        Cors {
            policy: Arc::new(policy),
        }
    }
}

impl<E: Endpoint> Middleware<E> for Cors {
    type Output = CorsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        CorsEndpoint {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The endpoint produced by [`Cors`].
pub struct CorsEndpoint<E> {
    inner: E,
    policy: Arc<CorsPolicy>,
}

impl<E: Endpoint> Endpoint for CorsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let allow_origin = self.policy.allow_origin(req.headers().get(ORIGIN));
        let mut response = self.inner.call(req).await?.into_response();
        let headers = response.headers_mut();
        headers.append(VARY, HeaderValue::from_static("Origin"));
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        if let Some(origin) = allow_origin {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(
                ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSE_HEADERS),
            );
        }
        Ok(response)
    }
}

/// The middleware answering every `OPTIONS` request with `204 No Content`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Preflight;

impl<E: Endpoint> Middleware<E> for Preflight {
    type Output = PreflightEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        PreflightEndpoint { inner }
    }
}

/// The endpoint produced by [`Preflight`].
pub struct PreflightEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for PreflightEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if req.method() == Method::OPTIONS {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        Ok(self.inner.call(req).await?.into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(origins: &[&str]) -> CorsPolicy {
        CorsPolicy::new(&origins.iter().map(|o| o.to_string()).collect::<Vec<_>>())
    }

    fn value(text: &'static str) -> HeaderValue {
        HeaderValue::from_static(text)
    }

    #[test]
    fn listed_origins_are_echoed_and_others_get_nothing() {
        let p = policy(&["http://localhost:3000", "https://App.example.com/"]);
        let local = value("http://localhost:3000");
        assert_eq!(p.allow_origin(Some(&local)), Some(local.clone()));
        // Case and a trailing slash in the setting do not matter; the request's value is echoed.
        let app = value("https://app.example.com");
        assert_eq!(p.allow_origin(Some(&app)), Some(app.clone()));
        for other in [
            "http://localhost:3001",
            "https://evil.example.com",
            "null",
            "http://localhost:3000.evil.example",
        ] {
            assert_eq!(p.allow_origin(Some(&HeaderValue::from_static(other))), None);
        }
        assert_eq!(p.allow_origin(None), None);
    }

    #[test]
    fn a_star_in_the_list_allows_any_origin() {
        let p = policy(&["https://a.example", "*"]);
        assert_eq!(
            p.allow_origin(Some(&value("https://b.example"))),
            Some(value("*"))
        );
        assert_eq!(p.allow_origin(None), Some(value("*")));
        assert_eq!(
            policy(&[]).allow_origin(Some(&value("https://b.example"))),
            None
        );
    }
}
