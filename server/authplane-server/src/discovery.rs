//! The discovery document (RFC 8414 authorization server metadata), built once from the
//! configuration and the issuer. The same document answers at the OpenID Connect location; it
//! carries no OIDC-only members, as the contract says.

use authplane_server_api::public::types::{
    AuthorizationServerMetadata, CodeChallengeMethod, TokenEndpointAuthMethod,
};

use crate::config::{Config, Issuer};

/// How clients may authenticate at the token and revocation endpoints: public clients send
/// nothing (`none`), confidential ones HTTP Basic or the form pair.
pub const AUTH_METHODS: [TokenEndpointAuthMethod; 3] = [
    TokenEndpointAuthMethod::ClientSecretBasic,
    TokenEndpointAuthMethod::ClientSecretPost,
    TokenEndpointAuthMethod::None,
];

/// The metadata of this deployment. Endpoints are the issuer plus the contract's paths. Members
/// of features that are off (introspection, DPoP, agent identity, identity assertions, client
/// ID metadata documents) are left out, as the contract asks for features a deployment has not
/// switched on; `scopes_supported` appears only when scopes are configured.
pub fn metadata(issuer: &Issuer, config: &Config) -> AuthorizationServerMetadata {
    AuthorizationServerMetadata {
        issuer: issuer.as_str().to_string(),
        authorization_endpoint: issuer.endpoint("/oauth/authorize"),
        token_endpoint: issuer.endpoint("/oauth/token"),
        registration_endpoint: issuer.endpoint("/oauth/register"),
        revocation_endpoint: issuer.endpoint("/oauth/revoke"),
        introspection_endpoint: None,
        jwks_uri: issuer.endpoint("/.well-known/jwks.json"),
        response_types_supported: vec!["code".to_string()],
        grant_types_supported: config.discovery.grant_types.clone(),
        token_endpoint_auth_methods_supported: AUTH_METHODS.to_vec(),
        introspection_endpoint_auth_methods_supported: None,
        revocation_endpoint_auth_methods_supported: AUTH_METHODS.to_vec(),
        code_challenge_methods_supported: vec![CodeChallengeMethod::S256],
        scopes_supported: (!config.discovery.scopes.is_empty())
            .then(|| config.discovery.scopes.clone()),
        resource_indicators_supported: true,
        client_id_metadata_document_supported: None,
        dpop_signing_alg_values_supported: None,
        authplane_agent_identity_supported: None,
        identity_assertion_supported: None,
    }
}

#[cfg(test)]
mod tests {
    use authplane_server_api::public::types::GrantType;
    use poem_openapi::types::ToJSON;

    use super::*;

    #[test]
    fn endpoints_hang_off_the_issuer() {
        let issuer = Issuer::parse("https://auth.example/tenant/").unwrap();
        let doc = metadata(&issuer, &Config::for_tests(None));
        assert_eq!(doc.issuer, "https://auth.example/tenant");
        assert_eq!(
            doc.authorization_endpoint,
            "https://auth.example/tenant/oauth/authorize"
        );
        assert_eq!(
            doc.token_endpoint,
            "https://auth.example/tenant/oauth/token"
        );
        assert_eq!(
            doc.jwks_uri,
            "https://auth.example/tenant/.well-known/jwks.json"
        );
    }

    #[test]
    fn optional_members_are_absent_and_scopes_follow_the_configuration() {
        let issuer = Issuer::parse("http://localhost:9000").unwrap();
        let mut config = Config::for_tests(None);
        let json = metadata(&issuer, &config).to_json().unwrap();
        for absent in [
            "scopes_supported",
            "introspection_endpoint",
            "dpop_signing_alg_values_supported",
            "identity_assertion_supported",
        ] {
            assert!(json.get(absent).is_none(), "{absent} in {json}");
        }
        assert_eq!(
            json["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(json["grant_types_supported"][0], "authorization_code");
        config.discovery.scopes = vec!["read".into(), "write".into()];
        config.discovery.grant_types = vec![GrantType::ClientCredentials];
        let json = metadata(&issuer, &config).to_json().unwrap();
        assert_eq!(
            json["scopes_supported"],
            serde_json::json!(["read", "write"])
        );
        assert_eq!(
            json["grant_types_supported"],
            serde_json::json!(["client_credentials"])
        );
    }
}
