//! The claims of an Authplane access token (RFC 9068 plus Authplane's delegation and agent
//! claims).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::ValidationError;
use crate::wire::{numeric_date, numeric_date_opt, one_or_many};

/// The claims of a validated access token.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct AccessClaims {
    /// The issuer.
    pub iss: String,
    /// The user, or the client itself for a client credentials token.
    pub sub: String,
    /// The resources the token is for (one string on the wire becomes one entry).
    #[serde(deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    /// Expiry, seconds since the epoch.
    #[serde(deserialize_with = "numeric_date")]
    pub exp: i64,
    /// Issue time, seconds since the epoch.
    #[serde(default, deserialize_with = "numeric_date_opt")]
    pub iat: Option<i64>,
    /// Not-before time, seconds since the epoch.
    #[serde(default, deserialize_with = "numeric_date_opt")]
    pub nbf: Option<i64>,
    /// The token's id.
    pub jti: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// The client the token was issued to.
    pub client_id: Option<String>,
    /// On an exchanged token: who acts for `sub` (RFC 8693 §4.1). Only this outermost actor
    /// may inform access decisions; nested ones are history.
    pub act: Option<Actor>,
    /// The agent instance the token was issued to (Authplane).
    pub agent_id: Option<String>,
    /// The agents a request passed through, originator first (Authplane).
    #[serde(default)]
    pub agent_chain: Vec<String>,
    /// A proof-of-possession binding (RFC 9449 `cnf.jkt`).
    pub cnf: Option<Confirmation>,
    /// Every other claim, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AccessClaims {
    /// The granted scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.as_deref().unwrap_or("").split_whitespace()
    }

    /// Whether `scope` was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|granted| granted == scope)
    }

    /// Succeeds if every scope in `required` was granted; otherwise the
    /// [`InsufficientScope`](ValidationError::InsufficientScope) rejection to answer with.
    pub fn require_scopes<S: AsRef<str>>(&self, required: &[S]) -> Result<(), ValidationError> {
        if required.iter().all(|scope| self.has_scope(scope.as_ref())) {
            return Ok(());
        }
        Err(ValidationError::InsufficientScope {
            required: required.iter().map(|s| s.as_ref().to_string()).collect(),
        })
    }

    /// Whether the token was issued to a client for itself (client credentials): Authplane then
    /// sets `sub` to the client id.
    pub fn is_client_token(&self) -> bool {
        self.client_id.as_deref() == Some(self.sub.as_str())
    }
}

/// An actor of a delegated token (RFC 8693 `act`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Actor {
    /// Who acts (a client id).
    pub sub: String,
    /// `agent` or `service` (Authplane). The acting client chooses it at registration, so it
    /// identifies, it does not vouch.
    pub actor_type: Option<String>,
    /// The actor before this one.
    pub act: Option<Box<Actor>>,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A proof-of-possession confirmation (`cnf`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Confirmation {
    /// The SHA-256 thumbprint of the DPoP key.
    pub jkt: Option<String>,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authplane_claims() {
        let claims: AccessClaims = serde_json::from_str(
            r#"{"iss":"http://localhost:9000","sub":"user-1","aud":"http://mcp:3000/mcp",
                "exp":1708762500.5,"iat":1708761600,"jti":"t-1","client_id":"c-1",
                "scope":"mcp:echo  mcp:query_database",
                "act":{"sub":"agent-b","actor_type":"agent","act":{"sub":"agent-a"}},
                "agent_chain":["a","b"],"tenant":"acme"}"#,
        )
        .unwrap();
        assert_eq!(claims.aud, ["http://mcp:3000/mcp"]);
        assert_eq!(claims.exp, 1708762500);
        assert_eq!(claims.nbf, None);
        assert_eq!(
            claims.scopes().collect::<Vec<_>>(),
            ["mcp:echo", "mcp:query_database"]
        );
        let act = claims.act.as_ref().unwrap();
        assert_eq!(act.actor_type.as_deref(), Some("agent"));
        assert_eq!(act.act.as_ref().unwrap().sub, "agent-a");
        assert_eq!(claims.extra["tenant"], "acme");
        assert!(!claims.is_client_token());
        assert!(claims.require_scopes(&["mcp:echo"]).is_ok());
        match claims.require_scopes(&["mcp:echo", "admin"]) {
            Err(ValidationError::InsufficientScope { required }) => {
                assert_eq!(required, ["mcp:echo", "admin"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn audience_array_and_required_members() {
        let claims: AccessClaims =
            serde_json::from_str(r#"{"iss":"i","sub":"s","aud":["a","b"],"exp":1}"#).unwrap();
        assert_eq!(claims.aud, ["a", "b"]);
        assert!(serde_json::from_str::<AccessClaims>(r#"{"iss":"i","sub":"s","exp":1}"#).is_err());
        assert!(
            serde_json::from_str::<AccessClaims>(r#"{"iss":"i","sub":"s","aud":"a","exp":"1"}"#)
                .is_err()
        );
    }
}
