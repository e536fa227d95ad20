//! The OAuth client: every grant of the token endpoint, a single-flight token cache for
//! client credentials, PKCE and authorization URLs, revocation and introspection.

mod authorize;
mod builder;
mod cache;
pub mod grant;
mod introspect;
mod pkce;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

pub use authorize::{AuthorizationRequest, AuthorizationUrl};
pub use builder::OAuthClientBuilder;
pub use cache::{AccessToken, TokenCache};
pub use grant::{TokenRequest, TokenResponse};
pub use introspect::Introspection;
pub use pkce::PkceVerifier;

use crate::Error;
use crate::clock::Clock;
use crate::discovery::ServerMetadata;
use crate::http::{CallSettings, Secret, send, send_json};

/// Token type identifiers of RFC 8693, for `subject_token_type`, `actor_token_type` and
/// `requested_token_type`.
pub mod token_type {
    /// An OAuth access token.
    pub const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
    /// An OAuth refresh token.
    pub const REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";
    /// An OpenID Connect ID token.
    pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
    /// A JWT of any kind.
    pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
}

/// How the client proves its identity to the server (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuthMethod {
    /// `Authorization: Basic` with the form-encoded id and secret (the default with a secret).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A public client: `client_id` in the form body, no secret (the default without one).
    None,
}

/// What kind of token is being revoked or introspected, a hint that saves the server a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenTypeHint {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
}

impl TokenTypeHint {
    /// The value as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        }
    }
}

/// A client of the authorization server's OAuth endpoints. Cheap to clone; clones share the
/// connection pool and settings.
///
/// ```no_run
/// # async fn demo() -> Result<(), authplane::Error> {
/// let client = authplane::OAuthClient::builder("https://auth.example.com/oauth/token")
///     .client_id("billing-worker")
///     .client_secret("s3cret")
///     .build()?;
/// let token = client.client_credentials().scope("mcp:query_database").send().await?;
/// # let _ = token;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuthClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    token_endpoint: reqwest::Url,
    revocation_endpoint: Option<reqwest::Url>,
    introspection_endpoint: Option<reqwest::Url>,
    authorization_endpoint: Option<reqwest::Url>,
    client_id: String,
    auth: ClientAuth,
    clock: Arc<dyn Clock>,
    settings: CallSettings,
}

#[derive(Debug)]
enum ClientAuth {
    Basic(Secret),
    Post(Secret),
    Public,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("token_endpoint", &self.inner.token_endpoint.as_str())
            .field("client_id", &self.inner.client_id)
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// Configures a client of the token endpoint at `token_endpoint`.
    pub fn builder(token_endpoint: impl Into<String>) -> OAuthClientBuilder {
        OAuthClientBuilder::new().token_endpoint(token_endpoint)
    }

    /// Configures a client with every endpoint the metadata names.
    pub fn from_metadata(metadata: &ServerMetadata) -> OAuthClientBuilder {
        OAuthClientBuilder::from_metadata(metadata)
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> &str {
        self.inner.token_endpoint.as_str()
    }

    /// The client credentials grant: a token for the client itself. Add `.cache()` to reuse
    /// it until shortly before it expires.
    pub fn client_credentials(&self) -> TokenRequest<'_, grant::ClientCredentials> {
        TokenRequest::new(self, vec![("grant_type", "client_credentials".into())])
    }

    /// Redeems an authorization code with the PKCE verifier of its authorization request.
    pub fn authorization_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &PkceVerifier,
    ) -> TokenRequest<'_, grant::AuthorizationCode> {
        TokenRequest::new(
            self,
            vec![
                ("grant_type", "authorization_code".into()),
                ("code", code.into()),
                ("redirect_uri", redirect_uri.into()),
                ("code_verifier", verifier.secret().into()),
            ],
        )
    }

    /// Trades a refresh token for a new access token (and, with Authplane's rotation, a new
    /// refresh token: keep the one in the response).
    pub fn refresh(&self, refresh_token: &str) -> TokenRequest<'_, grant::Refresh> {
        TokenRequest::new(
            self,
            vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", refresh_token.into()),
            ],
        )
    }

    /// Token exchange (RFC 8693): a token for `subject_token`, whose kind is
    /// `subject_token_type` (see [`token_type`]).
    pub fn exchange(
        &self,
        subject_token: &str,
        subject_token_type: &str,
    ) -> TokenRequest<'_, grant::TokenExchange> {
        TokenRequest::new(
            self,
            vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange".into(),
                ),
                ("subject_token", subject_token.into()),
                ("subject_token_type", subject_token_type.into()),
            ],
        )
    }

    /// The JWT bearer grant (RFC 7523): a token for a signed assertion from a trusted issuer.
    pub fn jwt_bearer(&self, assertion: &str) -> TokenRequest<'_, grant::JwtBearer> {
        TokenRequest::new(
            self,
            vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
                ),
                ("assertion", assertion.into()),
            ],
        )
    }

    /// Starts an authorization URL for the code flow with PKCE.
    pub fn authorization_url(&self, redirect_uri: impl Into<String>) -> AuthorizationRequest<'_> {
        AuthorizationRequest::new(self, redirect_uri.into())
    }

    /// Revokes a token (RFC 7009). The server answers success for tokens it does not know, so
    /// `Ok` means "this token no longer works", not "it existed".
    pub async fn revoke(&self, token: &str, hint: Option<TokenTypeHint>) -> Result<(), Error> {
        let endpoint = required("revocation", &self.inner.revocation_endpoint)?;
        send(
            self.post_form(endpoint, token_form(token, hint)),
            &self.inner.settings,
        )
        .await?;
        Ok(())
    }

    /// Asks the server whether a token is active and what it carries (RFC 7662).
    pub async fn introspect(
        &self,
        token: &str,
        hint: Option<TokenTypeHint>,
    ) -> Result<Introspection, Error> {
        let endpoint = required("introspection", &self.inner.introspection_endpoint)?;
        send_json(
            self.post_form(endpoint, token_form(token, hint)),
            &self.inner.settings,
        )
        .await
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    pub(crate) fn authorization_endpoint(&self) -> Option<&reqwest::Url> {
        self.inner.authorization_endpoint.as_ref()
    }

    pub(crate) async fn token(&self, form: Vec<(String, String)>) -> Result<TokenResponse, Error> {
        send_json(
            self.post_form(&self.inner.token_endpoint, form),
            &self.inner.settings,
        )
        .await
    }

    /// A form POST carrying the client's authentication.
    fn post_form(
        &self,
        endpoint: &reqwest::Url,
        mut form: Vec<(String, String)>,
    ) -> reqwest::RequestBuilder {
        let inner = &self.inner;
        let mut request = inner.http.post(endpoint.clone());
        match &inner.auth {
            // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined, so a
            // colon or non-ASCII character in either survives.
            ClientAuth::Basic(secret) => {
                request = request.basic_auth(
                    form_encode(&inner.client_id),
                    Some(form_encode(secret.expose())),
                );
            }
            ClientAuth::Post(secret) => {
                form.push(("client_id".into(), inner.client_id.clone()));
                form.push(("client_secret".into(), secret.expose().to_string()));
            }
            ClientAuth::Public => form.push(("client_id".into(), inner.client_id.clone())),
        }
        request.form(&form)
    }
}

fn required<'a>(what: &str, endpoint: &'a Option<reqwest::Url>) -> Result<&'a reqwest::Url, Error> {
    endpoint
        .as_ref()
        .ok_or_else(|| Error::InvalidRequest(format!("no {what} endpoint configured")))
}

fn token_form(token: &str, hint: Option<TokenTypeHint>) -> Vec<(String, String)> {
    let mut form = vec![("token".to_string(), token.to_string())];
    if let Some(hint) = hint {
        form.push(("token_type_hint".into(), hint.as_str().into()));
    }
    form
}

fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
