//! The authorization URL of the code flow, with PKCE, state and nonce.

use super::OAuthClient;
use super::pkce::{PkceVerifier, random_token};
use crate::Error;

/// An authorization request; finish it with [`build`](AuthorizationRequest::build).
///
/// ```no_run
/// # fn demo(client: authplane::OAuthClient) -> Result<(), authplane::Error> {
/// let request = client
///     .authorization_url("https://app.example.com/callback")
///     .scope("mcp:echo")
///     .resource("https://mcp.example.com/mcp")
///     .build()?;
/// // Keep `request.state` and `request.verifier` in the user's session, then redirect.
/// println!("Location: {}", request.url);
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct AuthorizationRequest<'a> {
    client: &'a OAuthClient,
    redirect_uri: String,
    scope: Vec<String>,
    resource: Vec<String>,
    state: Option<String>,
    nonce: Option<String>,
    verifier: Option<PkceVerifier>,
    extra: Vec<(String, String)>,
}

/// A built authorization request: where to send the user, and what to keep until the callback.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationUrl {
    /// The URL to redirect the user to.
    pub url: reqwest::Url,
    /// Compare with the callback's `state` before redeeming its code.
    pub state: String,
    /// Pass to [`OAuthClient::authorization_code`] with the callback's code.
    pub verifier: PkceVerifier,
    /// The OpenID Connect nonce, if one was set; the ID token must carry it.
    pub nonce: Option<String>,
}

impl<'a> AuthorizationRequest<'a> {
    pub(crate) fn new(client: &'a OAuthClient, redirect_uri: String) -> Self {
        AuthorizationRequest {
            client,
            redirect_uri,
            scope: Vec::new(),
            resource: Vec::new(),
            state: None,
            nonce: None,
            verifier: None,
            extra: Vec::new(),
        }
    }

    /// Asks for a scope; call again for more.
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

    /// The resource the token is for (RFC 8707). May repeat.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource.push(resource.into());
        self
    }

    /// The `state` value (default: 32 random bytes, base64url).
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// An OpenID Connect `nonce` (default: none is sent).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Uses this PKCE verifier (default: a fresh one).
    pub fn pkce(mut self, verifier: PkceVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Any other query parameter (`prompt`, `login_hint`, ...).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Builds the URL; fails if the client has no authorization endpoint or random values
    /// cannot be made.
    pub fn build(self) -> Result<AuthorizationUrl, Error> {
        let mut url = self
            .client
            .authorization_endpoint()
            .cloned()
            .ok_or_else(|| Error::InvalidRequest("no authorization endpoint configured".into()))?;
        let state = match self.state {
            Some(state) => state,
            None => random_token(32)?,
        };
        let verifier = match self.verifier {
            Some(verifier) => verifier,
            None => PkceVerifier::generate()?,
        };
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", self.client.client_id())
                .append_pair("redirect_uri", &self.redirect_uri);
            if !self.scope.is_empty() {
                query.append_pair("scope", &self.scope.join(" "));
            }
            query
                .append_pair("state", &state)
                .append_pair("code_challenge", &verifier.challenge())
                .append_pair("code_challenge_method", PkceVerifier::METHOD);
            for resource in &self.resource {
                query.append_pair("resource", resource);
            }
            if let Some(nonce) = &self.nonce {
                query.append_pair("nonce", nonce);
            }
            for (name, value) in &self.extra {
                query.append_pair(name, value);
            }
        }
        Ok(AuthorizationUrl {
            url,
            state,
            verifier,
            nonce: self.nonce,
        })
    }
}
