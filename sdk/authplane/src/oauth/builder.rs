//! Settings of an [`OAuthClient`].

use std::sync::Arc;
use std::time::Duration;

use sdk_runtime::{Deadline, RetryPolicy};

use super::{ClientAuth, ClientAuthMethod, Inner, OAuthClient};
use crate::Error;
use crate::clock::{Clock, SystemClock};
use crate::discovery::ServerMetadata;
use crate::http::{CallSettings, DEFAULT_TIMEOUT, Secret, default_http_client, parse_url};

/// Settings of an [`OAuthClient`].
#[derive(Debug)]
#[must_use]
pub struct OAuthClientBuilder {
    token_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    authorization_endpoint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    auth_method: Option<ClientAuthMethod>,
    http: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
    retry: RetryPolicy,
    operation_timeout: Option<Duration>,
}

impl OAuthClientBuilder {
    pub(super) fn new() -> Self {
        OAuthClientBuilder {
            token_endpoint: None,
            revocation_endpoint: None,
            introspection_endpoint: None,
            authorization_endpoint: None,
            client_id: None,
            client_secret: None,
            auth_method: None,
            http: None,
            clock: None,
            retry: RetryPolicy::disabled(),
            operation_timeout: None,
        }
    }

    pub(super) fn from_metadata(metadata: &ServerMetadata) -> Self {
        OAuthClientBuilder {
            token_endpoint: metadata.token_endpoint.clone(),
            revocation_endpoint: metadata.revocation_endpoint.clone(),
            introspection_endpoint: metadata.introspection_endpoint.clone(),
            authorization_endpoint: metadata.authorization_endpoint.clone(),
            ..OAuthClientBuilder::new()
        }
    }

    /// The client id (required).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The client secret of a confidential client.
    pub fn client_secret(mut self, secret: impl AsRef<str>) -> Self {
        self.client_secret = Some(Secret::new(secret.as_ref()));
        self
    }

    /// How to authenticate (default: `ClientSecretBasic` with a secret, `None` without).
    pub fn auth_method(mut self, method: ClientAuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    /// The token endpoint.
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// The revocation endpoint (needed by [`OAuthClient::revoke`]).
    pub fn revocation_endpoint(mut self, url: impl Into<String>) -> Self {
        self.revocation_endpoint = Some(url.into());
        self
    }

    /// The introspection endpoint (needed by [`OAuthClient::introspect`]).
    pub fn introspection_endpoint(mut self, url: impl Into<String>) -> Self {
        self.introspection_endpoint = Some(url.into());
        self
    }

    /// The authorization endpoint (needed by [`OAuthClient::authorization_url`]).
    pub fn authorization_endpoint(mut self, url: impl Into<String>) -> Self {
        self.authorization_endpoint = Some(url.into());
        self
    }

    /// Uses this HTTP client (default: [`default_http_client`]).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Retries (default: none). Token, revocation and introspection requests are POSTs, so a
    /// policy retries them only with
    /// [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent): a token request repeated
    /// after a lost answer may mint a second token, which is harmless for client credentials
    /// but spends an authorization code or a rotating refresh token.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The time limit of a whole call: every attempt and every backoff between them (default:
    /// none; each attempt has the HTTP client's own timeout, 30 s by default). When it passes
    /// during an attempt, the call fails with [`Error::Timeout`] even if the retry policy would
    /// try again; a backoff that would end after it is not waited, and the last outcome is
    /// returned. With an [`http_client`](Self::http_client), each attempt gets what is left of
    /// it as its own timeout, in place of that client's.
    ///
    /// ```
    /// use std::time::Duration;
    /// use authplane::{OAuthClient, RetryPolicy};
    ///
    /// let client = OAuthClient::builder("https://auth.example.com/oauth/token")
    ///     .client_id("billing-worker")
    ///     .client_secret("s3cret")
    ///     .retry(RetryPolicy::standard(3).retry_non_idempotent(true))
    ///     .operation_timeout(Duration::from_secs(10))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), authplane::Error>(())
    /// ```
    pub fn operation_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.operation_timeout = timeout.into();
        self
    }

    /// Reads the time from `clock` (token cache expiry); default: the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds the client; fails on a missing client id or token endpoint, a bad URL, or an
    /// authentication method that needs a secret when none is set.
    pub fn build(self) -> Result<OAuthClient, Error> {
        let token_endpoint = match self.token_endpoint.as_deref() {
            Some(url) if !url.is_empty() => parse_url("token endpoint", url)?,
            _ => return Err(Error::InvalidRequest("no token endpoint configured".into())),
        };
        let optional = |what, url: Option<String>| url.map(|u| parse_url(what, &u)).transpose();
        let client_id = self
            .client_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::InvalidRequest("a client id is required".into()))?;
        let auth = match (self.auth_method, self.client_secret) {
            (None | Some(ClientAuthMethod::ClientSecretBasic), Some(secret)) => {
                ClientAuth::Basic(secret)
            }
            (Some(ClientAuthMethod::ClientSecretPost), Some(secret)) => ClientAuth::Post(secret),
            (None | Some(ClientAuthMethod::None), _) => ClientAuth::Public,
            (Some(method), None) => {
                return Err(Error::InvalidRequest(format!(
                    "{method:?} needs a client secret"
                )));
            }
        };
        let (http, attempt_timeout) = match self.http {
            Some(http) => (http, None),
            None => (default_http_client()?, Some(DEFAULT_TIMEOUT)),
        };
        Ok(OAuthClient {
            inner: Arc::new(Inner {
                http,
                token_endpoint,
                revocation_endpoint: optional("revocation endpoint", self.revocation_endpoint)?,
                introspection_endpoint: optional(
                    "introspection endpoint",
                    self.introspection_endpoint,
                )?,
                authorization_endpoint: optional(
                    "authorization endpoint",
                    self.authorization_endpoint,
                )?,
                client_id,
                auth,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                settings: CallSettings {
                    retry: self.retry,
                    limits: Deadline {
                        attempt_timeout,
                        operation_timeout: self.operation_timeout,
                    },
                },
            }),
        })
    }
}
