//! The admin API (the admin listener, default port 9001): every provisioning and day-2 operation,
//! typed from `spec/authplane/admin.yaml` by the generated [`authplane_client::admin`] client.
//!
//! [`AdminClient`] holds the admin API key and sends it as `Authorization: Bearer …` on every
//! call (the header is marked sensitive, so it never shows in `Debug` output or logs).
//! [`AdminClient::api`] is the generated client: one builder per operation through
//! [`ClientAdminExt`], named after upstream's operation ids. [`call`] sends a builder and turns
//! every failure into this crate's [`Error`]: `Error::Problem` for the handlers' RFC 9457
//! problems, `Error::OAuth` for the key check's and rate limiter's `{error, error_description}`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), authplane::Error> {
//! use authplane::admin::{AdminClient, ClientAdminExt, call};
//!
//! let admin = AdminClient::from_env()?; // AUTHPLANE_ADMIN_URL, AUTHPLANE_ADMIN_API_KEY
//! let clients = call(admin.api().http_admin_clients_list().limit(std::num::NonZeroU32::new(50).unwrap()).send()).await?;
//! for client in clients.iter() {
//!     println!("{} {}", client.id, client.name);
//! }
//! # Ok(())
//! # }
//! ```

use std::future::Future;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

pub use authplane_client::admin::{ClientAdminExt, ClientMetricsExt, types};

use crate::Error;
use crate::http::http_client_builder;

/// Where the admin API listens when `AUTHPLANE_ADMIN_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "http://127.0.0.1:9001";

/// A client of the admin API with its key. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct AdminClient {
    api: authplane_client::admin::Client,
}

impl AdminClient {
    /// A client of the admin API at `base_url` (`https://auth.example.com:9001`) with `api_key`.
    pub fn new(base_url: &str, api_key: &str) -> Result<AdminClient, Error> {
        AdminClient::builder()
            .base_url(base_url)
            .api_key(api_key)
            .build()
    }

    /// From the environment: `AUTHPLANE_ADMIN_API_KEY` (required) and `AUTHPLANE_ADMIN_URL`
    /// (default [`DEFAULT_ADMIN_URL`]).
    pub fn from_env() -> Result<AdminClient, Error> {
        let key = std::env::var("AUTHPLANE_ADMIN_API_KEY")
            .map_err(|_| Error::InvalidRequest("AUTHPLANE_ADMIN_API_KEY is not set".to_owned()))?;
        let url =
            std::env::var("AUTHPLANE_ADMIN_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        AdminClient::new(&url, &key)
    }

    /// Settings beyond the URL and the key.
    pub fn builder() -> AdminClientBuilder {
        AdminClientBuilder::default()
    }

    /// The generated client: every admin operation as a builder ([`ClientAdminExt`]), sent with
    /// [`call`].
    pub fn api(&self) -> &authplane_client::admin::Client {
        &self.api
    }
}

/// Builds an [`AdminClient`].
#[derive(Default)]
pub struct AdminClientBuilder {
    base_url: Option<String>,
    api_key: Option<String>,
    timeout: Option<std::time::Duration>,
    operation_timeout: Option<std::time::Duration>,
}

impl std::fmt::Debug for AdminClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("operation_timeout", &self.operation_timeout)
            .finish()
    }
}

impl AdminClientBuilder {
    /// The admin listener's URL (required).
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.to_owned());
        self
    }

    /// The admin API key (`AUTHPLANE_ADMIN_API_KEY` of the server; required).
    pub fn api_key(mut self, key: &str) -> Self {
        self.api_key = Some(key.to_owned());
        self
    }

    /// Per-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time limit of a whole call (default: none). The admin client makes one attempt per
    /// call, so this is the per-request timeout when it is the shorter of the two; it is here
    /// so that both SDKs' builders take the same settings.
    pub fn operation_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<AdminClient, Error> {
        let base_url = self
            .base_url
            .ok_or_else(|| Error::InvalidRequest("the admin API URL is required".to_owned()))?;
        let url = crate::http::parse_url("admin API URL", &base_url)?;
        let key = self
            .api_key
            .filter(|key| !key.trim().is_empty())
            .ok_or_else(|| Error::InvalidRequest("the admin API key is required".to_owned()))?;
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", key.trim())).map_err(|_| {
                Error::InvalidRequest("the admin API key is not a valid header value".to_owned())
            })?;
        bearer.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, bearer);
        let mut http = http_client_builder()?.default_headers(headers);
        let timeout = match (self.timeout, self.operation_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (None, Some(b)) => Some(b.min(crate::http::DEFAULT_TIMEOUT)),
            (a, None) => a,
        };
        if let Some(timeout) = timeout {
            http = http.timeout(timeout);
        }
        let http = http
            .build()
            .map_err(|e| Error::InvalidRequest(format!("HTTP client settings: {e}")))?;
        let base = url.as_str().trim_end_matches('/');
        Ok(AdminClient {
            api: authplane_client::admin::Client::new_with_client(base, http),
        })
    }
}

/// Sends a generated builder's request (`builder.send()`) and returns its typed body, or the
/// failure as an [`Error`] with the status and the server's error body.
pub async fn call<T, E>(
    send: impl Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<T, Error>
where
    E: serde::Serialize,
{
    match send.await {
        Ok(value) => Ok(value.into_inner()),
        Err(e) => Err(from_progenitor(e).await),
    }
}

async fn from_progenitor<E: serde::Serialize>(error: progenitor_client::Error<E>) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let body = serde_json::to_vec(response.as_ref()).unwrap_or_default();
            Error::from_response(status, None, &body)
        }
        P::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(body) => Error::from_response(status, None, &body),
                Err(e) => Error::transport(e),
            }
        }
        P::CommunicationError(e) | P::ResponseBodyError(e) => Error::transport(e),
        P::InvalidResponsePayload(body, source) => Error::Decode {
            status: 200,
            body: String::from_utf8_lossy(&body).into_owned(),
            source: Some(source),
        },
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest(message),
        P::InvalidUpgrade(e) => Error::transport(e),
    }
}
