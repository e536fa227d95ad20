//! `POST /authz/check` with `explain: true` answers the full Decision (docs/behaviour.md §10.5).
//!
//! The contract types the check route's `200` as the compact verdict, and one status has one
//! body type, so the handler cannot answer the Decision itself. This middleware hands the check
//! route a [`DecisionSlot`] in the request's extensions; the handler leaves the Decision's
//! response in it, and the middleware sends that body instead of the compact one, keeping the
//! status and the headers the handler set (`X-Plystra-Trace-ID`, `X-Plystra-Audit-Log-ID`,
//! declared in the spec and set by the handlers of both authz routes). Other routes pass
//! through untouched, without the slot.

use std::sync::{Arc, Mutex, MutexGuard};

use poem::http::header::CONTENT_TYPE;
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

/// The trace id header.
pub const TRACE_ID_HEADER: &str = "x-plystra-trace-id";
/// The audit row header (absent when the audit write mode skipped the decision).
pub const AUDIT_LOG_ID_HEADER: &str = "x-plystra-audit-log-id";

/// Shared between the middleware and the check handler of one request: the response whose body
/// replaces the compact verdict.
#[derive(Debug, Clone, Default)]
pub struct DecisionSlot(Arc<Mutex<Option<Response>>>);

impl DecisionSlot {
    /// The slot of `request`, if it came through [`DecisionHeaders`].
    pub fn of(request: &Request) -> Option<&DecisionSlot> {
        request.extensions().get::<DecisionSlot>()
    }

    /// Leaves `replacement` for the response.
    pub fn put(&self, replacement: Response) {
        *self.lock() = Some(replacement);
    }

    fn take(&self) -> Option<Response> {
        self.lock().take()
    }

    // A panic while the lock was held leaves nothing half-written here (the value is replaced
    // whole), so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, Option<Response>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// See the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecisionHeaders;

impl<E: Endpoint> Middleware<E> for DecisionHeaders {
    type Output = DecisionHeadersEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        DecisionHeadersEndpoint { inner }
    }
}

/// The endpoint produced by [`DecisionHeaders`].
pub struct DecisionHeadersEndpoint<E> {
    inner: E,
}

fn is_check_route(request: &Request) -> bool {
    request.method() == Method::POST && request.uri().path() == "/api/v1/authz/check"
}

impl<E: Endpoint> Endpoint for DecisionHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        if !is_check_route(&req) {
            return Ok(self.inner.call(req).await?.into_response());
        }
        let slot = DecisionSlot::default();
        req.extensions_mut().insert(slot.clone());
        let mut response = self.inner.call(req).await?.into_response();
        let Some(replacement) = slot.take() else {
            return Ok(response);
        };
        if response.status() != StatusCode::OK {
            return Ok(response);
        }
        let (mut parts, body) = replacement.into_parts();
        if let Some(content_type) = parts.headers.remove(CONTENT_TYPE) {
            response.headers_mut().insert(CONTENT_TYPE, content_type);
        }
        // Nothing else of the replacement is kept: status and headers are the handler's.
        drop(parts);
        response.set_body(body);
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::{EndpointExt, handler};

    #[handler]
    fn decides(request: &Request) -> Response {
        if let Some(slot) = DecisionSlot::of(request) {
            slot.put(
                Response::builder()
                    .content_type("application/json")
                    .body("{\"full\":true}"),
            );
        }
        Response::builder()
            .header(TRACE_ID_HEADER, "trc_0123456789abcdef")
            .content_type("text/plain")
            .body("compact")
    }

    #[tokio::test]
    async fn only_the_check_route_gets_the_slot_and_keeps_its_headers() {
        let app = decides.with(DecisionHeaders);
        let check = Request::builder()
            .method(Method::POST)
            .uri_str("/api/v1/authz/check")
            .finish();
        let response = app.call(check).await.unwrap();
        assert_eq!(response.headers()[TRACE_ID_HEADER], "trc_0123456789abcdef");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(
            response.into_body().into_string().await.unwrap(),
            "{\"full\":true}"
        );
        let other = Request::builder()
            .method(Method::POST)
            .uri_str("/api/v1/authz/explain")
            .finish();
        let response = app.call(other).await.unwrap();
        assert_eq!(response.into_body().into_string().await.unwrap(), "compact");
    }
}
