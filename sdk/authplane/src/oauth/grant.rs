//! Token endpoint requests: one builder for every grant, with the grant as a type parameter so
//! grant-specific settings (the actor token of an exchange) exist only where they mean something.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{OAuthClient, TokenCache};
use crate::Error;

/// The client credentials grant (RFC 6749 §4.4).
#[derive(Debug)]
pub enum ClientCredentials {}
/// The authorization code grant (RFC 6749 §4.1) with PKCE.
#[derive(Debug)]
pub enum AuthorizationCode {}
/// The refresh token grant (RFC 6749 §6).
#[derive(Debug)]
pub enum Refresh {}
/// Token exchange (RFC 8693).
#[derive(Debug)]
pub enum TokenExchange {}
/// The JWT bearer grant (RFC 7523).
#[derive(Debug)]
pub enum JwtBearer {}

/// A token endpoint request; finish it with [`send`](TokenRequest::send).
///
/// ```no_run
/// # async fn demo(client: authplane::OAuthClient, user_token: &str) -> Result<(), authplane::Error> {
/// use authplane::oauth::token_type;
/// let exchanged = client
///     .exchange(user_token, token_type::ACCESS_TOKEN)
///     .resource("https://db-tool.example.com/mcp")
///     .scope("mcp:query_database")
///     .send()
///     .await?;
/// println!("{:?}", exchanged.issued_token_type);
/// # Ok(()) }
/// ```
#[must_use]
pub struct TokenRequest<'a, G> {
    client: &'a OAuthClient,
    form: Vec<(String, String)>,
    scope: Vec<String>,
    grant: PhantomData<G>,
}

impl<G> fmt::Debug for TokenRequest<'_, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The form carries codes and tokens: show only which parameters are set.
        let names: Vec<&str> = self.form.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("TokenRequest")
            .field("parameters", &names)
            .field("scope", &self.scope)
            .finish()
    }
}

impl<'a, G> TokenRequest<'a, G> {
    pub(crate) fn new(client: &'a OAuthClient, form: Vec<(&'static str, String)>) -> Self {
        TokenRequest {
            client,
            form: form
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
            scope: Vec::new(),
            grant: PhantomData,
        }
    }

    /// Asks for a scope; call again for more (they are sent space-separated).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope.push(scope.into());
        self
    }

    /// Asks for several scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scope.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The resource the token is for (RFC 8707); Authplane puts it in `aud`. May repeat.
    pub fn resource(self, resource: impl Into<String>) -> Self {
        self.param("resource", resource)
    }

    /// The logical audience of the token (RFC 8693 `audience`). May repeat.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.param("audience", audience)
    }

    /// Any other form parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.form.push((name.into(), value.into()));
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<TokenResponse, Error> {
        let (client, form) = self.into_form();
        client.token(form).await
    }

    fn into_form(mut self) -> (&'a OAuthClient, Vec<(String, String)>) {
        if !self.scope.is_empty() {
            self.form.push(("scope".into(), self.scope.join(" ")));
        }
        (self.client, self.form)
    }
}

impl TokenRequest<'_, ClientCredentials> {
    /// Turns this request into a cache that reuses its token until shortly before it expires,
    /// with one request in flight however many callers ask at once.
    pub fn cache(self) -> TokenCache {
        let (client, form) = self.into_form();
        TokenCache::new(client.clone(), form)
    }
}

impl TokenRequest<'_, TokenExchange> {
    /// The token of the party acting for the subject, and its kind (see
    /// [`token_type`](super::token_type)).
    pub fn actor_token(self, token: impl Into<String>, token_type: impl Into<String>) -> Self {
        self.param("actor_token", token)
            .param("actor_token_type", token_type)
    }

    /// The kind of token wanted back (see [`token_type`](super::token_type)).
    pub fn requested_token_type(self, token_type: impl Into<String>) -> Self {
        self.param("requested_token_type", token_type)
    }
}

/// A successful token endpoint response (RFC 6749 §5.1; RFC 8693 §2.2.1 for exchanges).
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer`, or `DPoP` for a sender-constrained token.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: Option<u64>,
    /// A refresh token (authorization code and refresh grants only).
    pub refresh_token: Option<String>,
    /// The granted scope, if it differs from the requested one or the server always says.
    pub scope: Option<String>,
    /// An OpenID Connect ID token.
    pub id_token: Option<String>,
    /// What kind of token `access_token` is (token exchange only).
    pub issued_token_type: Option<String>,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TokenResponse {
    /// The granted scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.as_deref().unwrap_or("").split_whitespace()
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("scope", &self.scope)
            .field("id_token", &self.id_token.as_ref().map(|_| "<redacted>"))
            .field("issued_token_type", &self.issued_token_type)
            .field("extra", &self.extra)
            .finish()
    }
}
