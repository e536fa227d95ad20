//! A client credentials token kept until shortly before it expires, fetched by one caller at a
//! time.

use std::fmt;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::OAuthClient;
use crate::Error;

/// The default refresh margin: a token is replaced this long before it expires.
const DEFAULT_MARGIN: Duration = Duration::from_secs(30);

/// A client credentials token cache.
///
/// [`token`](TokenCache::token) returns the cached token while it has more than the margin
/// (default 30 s) left, and otherwise fetches a new one. However many callers ask at once,
/// one request is in flight: the others wait for it and share its token. Put the cache in an
/// `Arc` (or a `static`) to share it.
///
/// ```no_run
/// # async fn demo(client: authplane::OAuthClient) -> Result<(), authplane::Error> {
/// let tokens = client
///     .client_credentials()
///     .scope("mcp:query_database")
///     .resource("https://db-tool.example.com/mcp")
///     .cache()
///     .margin(std::time::Duration::from_secs(60));
/// let token = tokens.token().await?;
/// println!("Authorization: {}", token.authorization());
/// # Ok(()) }
/// ```
pub struct TokenCache {
    client: OAuthClient,
    form: Vec<(String, String)>,
    margin: Duration,
    current: RwLock<Option<Cached>>,
    // Held while a token is fetched, so one caller fetches and the rest wait for its result.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Cached {
    token: AccessToken,
    refresh_at: SystemTime,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("client", &self.client)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    pub(crate) fn new(client: OAuthClient, form: Vec<(String, String)>) -> TokenCache {
        TokenCache {
            client,
            form,
            margin: DEFAULT_MARGIN,
            current: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Replaces tokens this long before they expire (default 30 s). For a token whose whole
    /// lifetime is shorter than twice the margin, half its lifetime is used instead, so a
    /// short-lived token is still reused.
    #[must_use]
    pub fn margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// A token with more than the margin left, fetching one if needed.
    ///
    /// If fetching fails while the cached token has not yet expired (it is only inside the
    /// margin), that token is returned and the next call tries again. A response without
    /// `expires_in` is returned but not cached.
    pub async fn token(&self) -> Result<AccessToken, Error> {
        if let Some(token) = self.fresh(self.client.now()) {
            return Ok(token);
        }
        let _turn = self.refreshing.lock().await;
        // Whoever held the lock before may have fetched a token while this caller waited.
        let now = self.client.now();
        if let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        match self.client.token(self.form.clone()).await {
            Ok(response) => {
                let lifetime = response.expires_in.map(Duration::from_secs);
                let expires_at = lifetime.and_then(|lifetime| now.checked_add(lifetime));
                let token = AccessToken {
                    access_token: response.access_token,
                    token_type: response.token_type,
                    scope: response.scope,
                    expires_at,
                };
                if let (Some(lifetime), Some(expires_at)) = (lifetime, expires_at) {
                    let margin = self.margin.min(lifetime / 2);
                    self.store(Some(Cached {
                        token: token.clone(),
                        refresh_at: expires_at.checked_sub(margin).unwrap_or(now),
                    }));
                }
                Ok(token)
            }
            Err(error) => match self.unexpired(now) {
                Some(token) => Ok(token),
                None => Err(error),
            },
        }
    }

    /// Forgets the cached token, so the next call fetches a new one (for example after a
    /// resource server rejected it).
    pub fn invalidate(&self) {
        self.store(None);
    }

    fn fresh(&self, now: SystemTime) -> Option<AccessToken> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|cached| now < cached.refresh_at)
            .map(|cached| cached.token.clone())
    }

    fn unexpired(&self, now: SystemTime) -> Option<AccessToken> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|cached| cached.token.expires_at.is_some_and(|at| now < at))
            .map(|cached| cached.token.clone())
    }

    fn store(&self, value: Option<Cached>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = value;
    }
}

/// An access token from a [`TokenCache`].
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    /// The token itself.
    pub access_token: String,
    /// `Bearer` (or `DPoP`).
    pub token_type: String,
    /// The granted scope, if the server said.
    pub scope: Option<String>,
    /// When it expires, if the server said.
    pub expires_at: Option<SystemTime>,
}

impl AccessToken {
    /// The `Authorization` header value: `Bearer <token>`.
    pub fn authorization(&self) -> String {
        format!("{} {}", self.token_type, self.access_token)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
