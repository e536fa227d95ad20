//! Discovery: where the documents are fetched, what is kept, the issuer check, and clients
//! built from the result.

use authplane::{Error, OAuthClient, ServerMetadata};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// Authplane's metadata document for an issuer at `base`.
pub fn metadata_body(base: &str) -> Value {
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "registration_endpoint": format!("{base}/oauth/register"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "introspection_endpoint": format!("{base}/oauth/introspect"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:jwt-bearer"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["mcp:echo"],
        "resource_indicators_supported": true,
        "dpop_signing_alg_values_supported": ["ES256"],
        "authplane_agent_identity_supported": true,
        "mcp_future_flag": "yes"
    })
}

pub async fn serve_metadata(server: &MockServer, route: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

#[tokio::test]
async fn rfc8414_metadata_is_typed_and_builds_a_working_client() {
    let server = MockServer::start().await;
    let base = server.uri();
    serve_metadata(
        &server,
        "/.well-known/oauth-authorization-server",
        metadata_body(&base),
    )
    .await;
    token_endpoint(&server, token_body("at", 60)).await;
    Mock::given(method("POST"))
        .and(path("/oauth/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    let http = http();
    let metadata = ServerMetadata::discover(&http, &base).await.unwrap();
    assert_eq!(metadata.issuer, base);
    assert_eq!(
        metadata.token_endpoint.as_deref(),
        Some(format!("{base}/oauth/token").as_str())
    );
    assert_eq!(metadata.code_challenge_methods_supported, ["S256"]);
    assert!(metadata.resource_indicators_supported);
    assert!(metadata.authplane_agent_identity_supported);
    assert!(!metadata.identity_assertion_supported);
    assert!(
        metadata
            .introspection_endpoint_auth_methods_supported
            .is_empty()
    );
    assert_eq!(metadata.extra["mcp_future_flag"], "yes");

    let client = OAuthClient::from_metadata(&metadata)
        .client_id("svc-1")
        .client_secret("s3cret")
        .http_client(http)
        .build()
        .unwrap();
    client.client_credentials().send().await.unwrap();
    client.revoke("at", None).await.unwrap();
    let url = client
        .authorization_url("https://app/cb")
        .build()
        .unwrap()
        .url;
    assert!(
        url.as_str()
            .starts_with(&format!("{base}/oauth/authorize?"))
    );
    assert_eq!(received(&server, "/oauth/token").await.len(), 1);
}

#[tokio::test]
async fn issuers_with_a_path_and_openid_configuration() {
    let server = MockServer::start().await;
    let issuer = format!("{}/tenants/acme", server.uri());
    serve_metadata(
        &server,
        "/.well-known/oauth-authorization-server/tenants/acme",
        metadata_body(&issuer),
    )
    .await;
    serve_metadata(
        &server,
        "/tenants/acme/.well-known/openid-configuration",
        metadata_body(&issuer),
    )
    .await;
    let http = http();
    let oauth = ServerMetadata::discover(&http, &issuer).await.unwrap();
    let openid = ServerMetadata::discover_openid(&http, &format!("{issuer}/"))
        .await
        .unwrap();
    assert_eq!(oauth, openid);
    assert_eq!(oauth.issuer, issuer);
}

#[tokio::test]
async fn metadata_of_another_issuer_is_refused() {
    let server = MockServer::start().await;
    serve_metadata(
        &server,
        "/.well-known/oauth-authorization-server",
        metadata_body("https://evil.example"),
    )
    .await;
    let error = ServerMetadata::discover(&http(), &server.uri())
        .await
        .unwrap_err();
    match error {
        Error::IssuerMismatch { expected, actual } => {
            assert_eq!(expected, server.uri());
            assert_eq!(actual, "https://evil.example");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn missing_metadata_and_a_client_without_token_endpoint() {
    let server = MockServer::start().await;
    let error = ServerMetadata::discover(&http(), &server.uri())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));

    let metadata: ServerMetadata =
        serde_json::from_value(json!({"issuer": "https://as.example"})).unwrap();
    let result = OAuthClient::from_metadata(&metadata)
        .client_id("c")
        .http_client(http())
        .build();
    assert!(matches!(result, Err(Error::InvalidRequest(_))));
}
