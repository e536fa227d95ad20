//! The issuer's signing keys: the JWKS document and the cache in front of it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ValidationError;
use super::jws::VerifyingKey;
use crate::clock::{Clock, elapsed};
use crate::http::{CallSettings, send_json};

/// A JWK Set (RFC 7517 §5), as served at `/.well-known/jwks.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// A public JSON Web Key (RFC 7517). Members for private keys are never read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `RSA`, `EC` or `OKP`.
    pub kty: String,
    /// Key id, matched against the token header's `kid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The one algorithm the key is for, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// `sig` or `enc`; encryption keys are ignored.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Curve (`P-256`, `Ed25519`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC or OKP public x coordinate, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC public y coordinate, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Where the keys come from.
pub(crate) enum Source {
    /// A fixed set: never fetched.
    Static,
    /// The issuer's JWKS URL.
    Remote {
        http: reqwest::Client,
        url: reqwest::Url,
    },
}

/// How often the keys may be fetched.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refetch {
    /// Keys older than this are fetched again before use.
    pub(crate) ttl: Duration,
    /// At most one fetch per this interval, whatever tokens arrive: an attacker sending tokens
    /// with made-up `kid`s gets at most one fetch per interval out of us.
    pub(crate) min_interval: Duration,
}

/// The keys by `kid`, fetched lazily, refetched when stale or when an unknown `kid` arrives.
pub(crate) struct KeyStore {
    source: Source,
    refetch: Refetch,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    // Held during a fetch, so concurrent misses make one request.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, Arc<VerifyingKey>>,
    fetched_at: Option<SystemTime>,
    attempted_at: Option<SystemTime>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = match &self.source {
            Source::Static => None,
            Source::Remote { url, .. } => Some(url.as_str()),
        };
        f.debug_struct("KeyStore")
            .field("jwks_uri", &url)
            .field("refetch", &self.refetch)
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    pub(crate) fn new(
        source: Source,
        initial: Option<&JwkSet>,
        refetch: Refetch,
        clock: Arc<dyn Clock>,
    ) -> KeyStore {
        let state = State {
            keys: initial.map(index).unwrap_or_default(),
            ..State::default()
        };
        KeyStore {
            source,
            refetch,
            clock,
            state: RwLock::new(state),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The key with this `kid`.
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<VerifyingKey>, ValidationError> {
        let unknown = || ValidationError::UnknownKey {
            kid: kid.to_string(),
        };
        let Source::Remote { http, url } = &self.source else {
            return self
                .read(|state| state.keys.get(kid).cloned())
                .ok_or_else(unknown);
        };
        if let Some(key) = self.fresh(kid, self.clock.now()) {
            return Ok(key);
        }
        let _turn = match self.fetching.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                // Another caller is refreshing the keys: a key already known serves meanwhile,
                // so one slow fetch does not hold up every request.
                if let Some(key) = self.read(|state| state.keys.get(kid).cloned()) {
                    return Ok(key);
                }
                self.fetching.lock().await
            }
        };
        // A fetch made while this caller waited may have brought the key.
        let now = self.clock.now();
        if let Some(key) = self.fresh(kid, now) {
            return Ok(key);
        }
        let (known, may_fetch) = self.read(|state| {
            let known = state.keys.get(kid).cloned();
            let may_fetch = state
                .attempted_at
                .is_none_or(|at| elapsed(now, at) >= self.refetch.min_interval);
            (known, may_fetch)
        });
        if !may_fetch {
            // A stale key still verifies; an unknown one waits for the next allowed fetch.
            return known.ok_or_else(unknown);
        }
        self.write(|state| state.attempted_at = Some(now));
        match send_json::<JwkSet>(http.get(url.clone()), &CallSettings::default()).await {
            Ok(set) => {
                let keys = index(&set);
                let key = keys.get(kid).cloned();
                self.write(|state| {
                    state.keys = keys;
                    state.fetched_at = Some(now);
                });
                key.ok_or_else(unknown)
            }
            // During an outage of the issuer, keys already known keep working.
            Err(error) => known.ok_or(ValidationError::KeysUnavailable(error)),
        }
    }

    fn fresh(&self, kid: &str, now: SystemTime) -> Option<Arc<VerifyingKey>> {
        self.read(|state| {
            let is_fresh = state
                .fetched_at
                .is_some_and(|at| elapsed(now, at) < self.refetch.ttl);
            if is_fresh {
                state.keys.get(kid).cloned()
            } else {
                None
            }
        })
    }

    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn write(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.write().unwrap_or_else(PoisonError::into_inner));
    }
}

/// The usable keys of a set by `kid`. Keys without a `kid` are skipped: tokens name their key.
fn index(set: &JwkSet) -> HashMap<String, Arc<VerifyingKey>> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.kid.clone()?;
            Some((kid, Arc::new(VerifyingKey::from_jwk(jwk)?)))
        })
        .collect()
}
