//! `X-Plystra-Trace-ID` and `X-Plystra-Audit-Log-ID` on authorization answers (docs/behaviour.md
//! §10.5), and the full Decision on `POST /authz/check` with `explain: true`.
//!
//! The contract's response types have no header fields, and the check route's `200` is typed as
//! the compact verdict. So this middleware hands the two authz routes a [`DecisionSlot`] in the
//! request's extensions; the handler leaves the decision's ids (and, for an explained check, the
//! response to send instead) in it, and the middleware applies them to the successful response.
//! Other routes pass through untouched, without the slot.

use std::sync::{Arc, Mutex, MutexGuard};

use poem::http::header::{HeaderName, HeaderValue};
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

/// The trace id header.
pub const TRACE_ID_HEADER: &str = "x-plystra-trace-id";
/// The audit row header (absent when the audit write mode skipped the decision).
pub const AUDIT_LOG_ID_HEADER: &str = "x-plystra-audit-log-id";

/// What a decision leaves for the response.
#[derive(Debug)]
pub struct Decided {
    /// `trc_…`
    pub trace_id: String,
    /// `audit_…`, or `""` when no row was written.
    pub audit_log_id: String,
    /// A response to send instead of the handler's (the Decision of an explained check).
    pub replacement: Option<Response>,
}

/// Shared between the middleware and the authz handler of one request.
#[derive(Debug, Clone, Default)]
pub struct DecisionSlot(Arc<Mutex<Option<Decided>>>);

impl DecisionSlot {
    /// The slot of `request`, if it came through [`DecisionHeaders`].
    pub fn of(request: &Request) -> Option<&DecisionSlot> {
        request.extensions().get::<DecisionSlot>()
    }

    /// Leaves `decided` for the response.
    pub fn put(&self, decided: Decided) {
        *self.lock() = Some(decided);
    }

    fn take(&self) -> Option<Decided> {
        self.lock().take()
    }

    // A panic while the lock was held leaves nothing half-written here (the value is replaced
    // whole), so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, Option<Decided>> {
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

fn is_authz_route(request: &Request) -> bool {
    request.method() == Method::POST
        && matches!(
            request.uri().path(),
            "/api/v1/authz/check" | "/api/v1/authz/explain"
        )
}

impl<E: Endpoint> Endpoint for DecisionHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        if !is_authz_route(&req) {
            return Ok(self.inner.call(req).await?.into_response());
        }
        let slot = DecisionSlot::default();
        req.extensions_mut().insert(slot.clone());
        let mut response = self.inner.call(req).await?.into_response();
        let Some(decided) = slot.take() else {
            return Ok(response);
        };
        if response.status() != StatusCode::OK {
            return Ok(response);
        }
        if let Some(replacement) = decided.replacement {
            response = replacement;
        }
        let headers = response.headers_mut();
        for (name, value) in [
            (TRACE_ID_HEADER, &decided.trace_id),
            (AUDIT_LOG_ID_HEADER, &decided.audit_log_id),
        ] {
            if let (false, Ok(value)) = (value.is_empty(), HeaderValue::from_str(value)) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::{EndpointExt, handler};

    #[handler]
    fn decides(request: &Request) -> &'static str {
        if let Some(slot) = DecisionSlot::of(request) {
            slot.put(Decided {
                trace_id: "trc_0123456789abcdef".into(),
                audit_log_id: String::new(),
                replacement: None,
            });
        }
        "ok"
    }

    #[tokio::test]
    async fn only_authz_routes_get_the_slot_and_empty_ids_no_header() {
        let app = decides.with(DecisionHeaders);
        let check = Request::builder()
            .method(Method::POST)
            .uri_str("/api/v1/authz/check")
            .finish();
        let response = app.call(check).await.unwrap();
        assert_eq!(response.headers()[TRACE_ID_HEADER], "trc_0123456789abcdef");
        assert!(response.headers().get(AUDIT_LOG_ID_HEADER).is_none());
        let other = Request::builder()
            .method(Method::POST)
            .uri_str("/api/v1/users")
            .finish();
        let response = app.call(other).await.unwrap();
        assert!(response.headers().get(TRACE_ID_HEADER).is_none());
    }
}
