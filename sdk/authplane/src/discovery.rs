//! Authorization server metadata (RFC 8414) and OpenID Connect discovery.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Error;
use crate::http::{CallSettings, parse_url, send_json};

/// What an authorization server says about itself. Authplane serves the same document at
/// `/.well-known/oauth-authorization-server` and `/.well-known/openid-configuration`.
///
/// ```no_run
/// # async fn demo() -> Result<(), authplane::Error> {
/// let http = authplane::default_http_client()?;
/// let metadata = authplane::ServerMetadata::discover(&http, "https://auth.example.com").await?;
/// println!("tokens from {:?}", metadata.token_endpoint);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The issuer identifier; access tokens carry it as `iss`.
    pub issuer: String,
    /// Where users are sent to log in and consent.
    pub authorization_endpoint: Option<String>,
    /// Where every grant is redeemed.
    pub token_endpoint: Option<String>,
    /// Dynamic client registration (RFC 7591).
    pub registration_endpoint: Option<String>,
    /// Token revocation (RFC 7009).
    pub revocation_endpoint: Option<String>,
    /// Token introspection (RFC 7662).
    pub introspection_endpoint: Option<String>,
    /// The signing keys of access tokens.
    pub jwks_uri: Option<String>,
    /// The OpenID Connect userinfo endpoint.
    pub userinfo_endpoint: Option<String>,
    /// `response_type` values the server supports.
    #[serde(default)]
    pub response_types_supported: Vec<String>,
    /// `grant_type` values the server supports.
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
    /// Client authentication methods at the token endpoint.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Client authentication methods at the introspection endpoint.
    #[serde(default)]
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    /// Client authentication methods at the revocation endpoint.
    #[serde(default)]
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    /// PKCE methods (Authplane: `S256`).
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    /// Scopes the server knows.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// Algorithms accepted in DPoP proofs.
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Vec<String>,
    /// Algorithms ID tokens are signed with (OpenID Connect).
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Whether the `resource` parameter (RFC 8707) is honoured.
    #[serde(default)]
    pub resource_indicators_supported: bool,
    /// Whether a client id may be a metadata document URL.
    #[serde(default)]
    pub client_id_metadata_document_supported: bool,
    /// Authplane's agent identity claims (`agent_id`, `agent_chain`).
    #[serde(default)]
    pub authplane_agent_identity_supported: bool,
    /// Identity assertion grants (MCP cross-app access).
    #[serde(default)]
    pub identity_assertion_supported: bool,
    /// Every other member, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServerMetadata {
    /// Fetches RFC 8414 metadata. For an issuer with a path, the well-known segment goes between
    /// host and path (`https://as/t1` → `https://as/.well-known/oauth-authorization-server/t1`).
    /// Fails with [`Error::IssuerMismatch`] if the document names another issuer.
    pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<ServerMetadata, Error> {
        let url = well_known(issuer, "oauth-authorization-server", Placement::BeforePath)?;
        ServerMetadata::fetch(http, issuer, url).await
    }

    /// Fetches OpenID Connect discovery (`<issuer>/.well-known/openid-configuration`), with the
    /// same issuer check as [`ServerMetadata::discover`].
    pub async fn discover_openid(
        http: &reqwest::Client,
        issuer: &str,
    ) -> Result<ServerMetadata, Error> {
        let url = well_known(issuer, "openid-configuration", Placement::AfterPath)?;
        ServerMetadata::fetch(http, issuer, url).await
    }

    async fn fetch(
        http: &reqwest::Client,
        issuer: &str,
        url: reqwest::Url,
    ) -> Result<ServerMetadata, Error> {
        let metadata: ServerMetadata = send_json(http.get(url), &CallSettings::default()).await?;
        // A trailing slash is the only difference tolerated: anything else could let one
        // server's metadata stand in for another's.
        if metadata.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(Error::IssuerMismatch {
                expected: issuer.to_string(),
                actual: metadata.issuer,
            });
        }
        Ok(metadata)
    }
}

enum Placement {
    BeforePath,
    AfterPath,
}

fn well_known(issuer: &str, name: &str, placement: Placement) -> Result<reqwest::Url, Error> {
    let url = parse_url("issuer", issuer)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidRequest(format!(
            "issuer {issuer:?}: an issuer has no query or fragment"
        )));
    }
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    let location = match placement {
        Placement::BeforePath => format!("{origin}/.well-known/{name}{path}"),
        Placement::AfterPath => format!("{origin}{path}/.well-known/{name}"),
    };
    parse_url("discovery URL", &location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_locations() {
        let at = |issuer, placement| {
            well_known(issuer, "x", placement)
                .map(|url| url.to_string())
                .unwrap()
        };
        assert_eq!(
            at("http://localhost:9000", Placement::BeforePath),
            "http://localhost:9000/.well-known/x"
        );
        assert_eq!(
            at("https://as.example/", Placement::BeforePath),
            "https://as.example/.well-known/x"
        );
        assert_eq!(
            at("https://as.example/tenant/one", Placement::BeforePath),
            "https://as.example/.well-known/x/tenant/one"
        );
        assert_eq!(
            at("https://as.example/tenant/one", Placement::AfterPath),
            "https://as.example/tenant/one/.well-known/x"
        );
        assert!(well_known("https://as.example/?a=b", "x", Placement::AfterPath).is_err());
        assert!(well_known("ftp://as.example", "x", Placement::AfterPath).is_err());
    }
}
