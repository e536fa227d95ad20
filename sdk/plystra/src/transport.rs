//! Every request of the generated client passes through here: credentials, request id, retries,
//! one tracing span, and a note of the response status for error decoding.

use std::cell::RefCell;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use plystra_client::hooks::{ResponseFuture, Transport};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use sdk_runtime::{Deadline, REQUEST_ID_HEADER, RetryPolicy, Secret};
use tracing::Instrument;

use crate::error::ResponseMeta;

const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-plystra-api-key");

tokio::task_local! {
    /// What the transport saw of the last response of the current call.
    pub(crate) static LAST_RESPONSE: RefCell<ResponseMeta>;
}

/// State every clone of a client shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) api_key: Option<Secret>,
    pub(crate) access_token: RwLock<Option<Secret>>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Deadline,
}

impl Shared {
    fn access_token(&self) -> Option<Secret> {
        match self.access_token.read() {
            Ok(token) => token.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The credential header for an operation: none on public routes; the API key where it is
    /// accepted and configured; else the access token where Bearer is accepted.
    fn credential(&self, operation_id: &str) -> Option<(HeaderName, HeaderValue)> {
        let schemes = plystra_client::contract::security(operation_id);
        if schemes.contains(&"ApiKeyAuth")
            && let Some(key) = &self.api_key
        {
            return Some((API_KEY_HEADER, key.header("")?));
        }
        if schemes.contains(&"BearerAuth")
            && let Some(token) = self.access_token()
        {
            return Some((AUTHORIZATION, token.header("Bearer ")?));
        }
        None
    }
}

/// The transport of one client value (a `with_request_id` client has its own).
#[derive(Debug)]
pub(crate) struct CallTransport {
    pub(crate) shared: Arc<Shared>,
    pub(crate) request_id: Option<HeaderValue>,
}

impl Transport for CallTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> ResponseFuture<'a> {
        let headers = request.headers_mut();
        // progenitor stamps the spec version on every request; Plystra has no such header.
        headers.remove("api-version");
        if let Some((name, value)) = self.shared.credential(operation_id) {
            headers.insert(name, value);
        }
        if let Some(id) = &self.request_id {
            headers.insert(REQUEST_ID_HEADER, id.clone());
        }
        let span = tracing::debug_span!(
            "plystra.call",
            method = %request.method(),
            operation = operation_id,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        Box::pin(
            async move {
                let started = Instant::now();
                let (result, attempt) =
                    sdk_runtime::execute(client, request, &self.shared.retry, self.shared.limits)
                        .await;
                let span = tracing::Span::current();
                span.record("attempts", attempt);
                span.record("duration_ms", started.elapsed().as_millis() as u64);
                if let Ok(response) = &result {
                    let meta =
                        ResponseMeta::from_headers(response.status().as_u16(), response.headers());
                    span.record("status", meta.status);
                    if let Some(id) = &meta.request_id {
                        span.record("request_id", id.as_str());
                    }
                    let _ = LAST_RESPONSE.try_with(|last| *last.borrow_mut() = meta);
                }
                result
            }
            .instrument(span),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(api_key: Option<&str>, token: Option<&str>) -> Shared {
        Shared {
            api_key: api_key.map(Secret::new),
            access_token: RwLock::new(token.map(Secret::new)),
            retry: RetryPolicy::disabled(),
            limits: Deadline::default(),
        }
    }

    fn header(shared: &Shared, op: &str) -> Option<String> {
        shared
            .credential(op)
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
    }

    #[test]
    fn credentials_follow_each_operation_security() {
        let both = shared(Some("ply_ak_1.s"), Some("ply_at_t"));
        // Either scheme accepted: the API key wins.
        assert_eq!(
            header(&both, "check_authorization").unwrap(),
            "x-plystra-api-key: ply_ak_1.s"
        );
        // Bearer only (actor routes): the access token.
        assert_eq!(
            header(&both, "get_actor_context").unwrap(),
            "authorization: Bearer ply_at_t"
        );
        // Public routes: nothing, whatever is configured.
        for public in [
            "login",
            "register",
            "refresh_session",
            "logout",
            "get_health",
        ] {
            assert_eq!(header(&both, public), None, "{public}");
        }
        let token_only = shared(None, Some("ply_at_t"));
        assert_eq!(
            header(&token_only, "list_users").unwrap(),
            "authorization: Bearer ply_at_t"
        );
        let key_only = shared(Some("ply_ak_1.s"), None);
        assert_eq!(header(&key_only, "get_actor_context"), None);
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let s = shared(Some("ply_ak_1.topsecret"), Some("ply_at_topsecret"));
        let printed = format!("{s:?}");
        assert!(!printed.contains("topsecret"), "{printed}");
    }
}
