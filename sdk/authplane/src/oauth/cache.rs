//! A client credentials token kept until shortly before it expires, fetched by one caller at a
//! time.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::OAuthClient;
use crate::Error;

/// The default refresh margin: a token is replaced this long before it expires.
const DEFAULT_MARGIN: Duration = Duration::from_secs(30);

/// A client credentials token cache.
///
/// [`token`](TokenCache::token) returns the cached token while it has more than the margin
/// (default 30 s) left, and otherwise fetches a new one. However many callers ask at once,
/// one request is in flight: the others wait for it and share its outcome, the token or the
/// failure. Put the cache in an `Arc` (or a `static`) to share it.
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
    // Held while a token is fetched, so one caller fetches and the rest wait for its outcome.
    // It guards the failure of the last fetch, if it failed, for the callers that waited.
    refreshing: tokio::sync::Mutex<Option<Arc<Error>>>,
    // Fetches finished so far: a caller that sees it change while waiting for `refreshing`
    // knows a fetch ended meanwhile.
    fetches: AtomicU64,
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
            refreshing: tokio::sync::Mutex::new(None),
            fetches: AtomicU64::new(0),
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
    /// `expires_in` is returned but not cached. Failures come as [`Error::Shared`], the same
    /// one for every caller that waited for the failed request: a server that hangs costs each
    /// of them one timeout, not one per caller queued ahead.
    pub async fn token(&self) -> Result<AccessToken, Error> {
        if let Some(token) = self.fresh(self.client.now()) {
            return Ok(token);
        }
        let fetches_before = self.fetches.load(Ordering::SeqCst);
        let mut last_failure = self.refreshing.lock().await;
        // Whoever held the lock before may have fetched a token while this caller waited.
        let now = self.client.now();
        if let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        if self.fetches.load(Ordering::SeqCst) != fetches_before
            && let Some(failure) = last_failure.as_ref()
        {
            return self.unexpired_or(now, failure.clone());
        }
        let result = self.client.token(self.form.clone()).await;
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                let failure = Arc::new(error);
                *last_failure = Some(failure.clone());
                return self.unexpired_or(now, failure);
            }
        };
        *last_failure = None;
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

    /// After a failed fetch: the cached token if it has not expired yet, else the failure.
    fn unexpired_or(&self, now: SystemTime, failure: Arc<Error>) -> Result<AccessToken, Error> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|cached| cached.token.expires_at.is_some_and(|at| now < at))
            .map(|cached| cached.token.clone())
            .ok_or(Error::Shared(failure))
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
