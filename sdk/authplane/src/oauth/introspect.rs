//! The introspection response (RFC 7662 §2.2).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::wire::{numeric_date_opt, one_or_many_opt};

/// What the server says about a token. Only `active` is always present; an inactive token
/// carries nothing else.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Introspection {
    /// Whether the token is currently valid.
    pub active: bool,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// The client the token was issued to.
    pub client_id: Option<String>,
    /// A human-readable name of the resource owner.
    pub username: Option<String>,
    /// `Bearer`, `DPoP`, or another type.
    pub token_type: Option<String>,
    /// Expiry, seconds since the epoch.
    #[serde(default, deserialize_with = "numeric_date_opt")]
    pub exp: Option<i64>,
    /// Issue time, seconds since the epoch.
    #[serde(default, deserialize_with = "numeric_date_opt")]
    pub iat: Option<i64>,
    /// Not-before time, seconds since the epoch.
    #[serde(default, deserialize_with = "numeric_date_opt")]
    pub nbf: Option<i64>,
    /// The subject.
    pub sub: Option<String>,
    /// The audiences (a single string on the wire becomes one entry).
    #[serde(default, deserialize_with = "one_or_many_opt")]
    pub aud: Vec<String>,
    /// The issuer.
    pub iss: Option<String>,
    /// The token's id.
    pub jti: Option<String>,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Introspection {
    /// The scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.as_deref().unwrap_or("").split_whitespace()
    }
}
