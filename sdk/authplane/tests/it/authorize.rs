//! Authorization URLs: every parameter of the code flow with PKCE, and the defaults.

use authplane::OAuthClient;
use authplane::oauth::PkceVerifier;
use wiremock::MockServer;

use crate::support::*;

#[tokio::test]
async fn authorization_url_carries_pkce_state_and_resource() {
    let server = MockServer::start().await;
    let client = client(&server);
    let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let request = client
        .authorization_url("https://app.example/cb")
        .scope("mcp:echo")
        .scope("openid")
        .resource("https://mcp.example/mcp")
        .state("st-1")
        .nonce("n-1")
        .pkce(verifier.clone())
        .param("prompt", "consent")
        .build()
        .unwrap();
    assert_eq!(request.state, "st-1");
    assert_eq!(request.verifier, verifier);
    let url = &request.url;
    assert_eq!(url.path(), "/oauth/authorize");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        pairs(&[
            ("response_type", "code"),
            ("client_id", "svc-1"),
            ("redirect_uri", "https://app.example/cb"),
            ("scope", "mcp:echo openid"),
            ("state", "st-1"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            ),
            ("code_challenge_method", "S256"),
            ("resource", "https://mcp.example/mcp"),
            ("nonce", "n-1"),
            ("prompt", "consent"),
        ])
    );

    // Defaults: a fresh state and verifier each time, and the challenge of that verifier.
    let a = client
        .authorization_url("https://app.example/cb")
        .build()
        .unwrap();
    let b = client
        .authorization_url("https://app.example/cb")
        .build()
        .unwrap();
    assert_ne!(a.state, b.state);
    assert_ne!(a.verifier, b.verifier);
    let challenge = a
        .url
        .query_pairs()
        .find(|(k, _)| k == "code_challenge")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(challenge, a.verifier.challenge());
    assert!(
        !a.url
            .query_pairs()
            .any(|(k, _)| k == "scope" || k == "nonce")
    );

    let no_endpoint = OAuthClient::builder("https://as.example/oauth/token")
        .client_id("c")
        .http_client(http())
        .build()
        .unwrap();
    assert!(
        no_endpoint
            .authorization_url("https://app/cb")
            .build()
            .is_err()
    );
}
