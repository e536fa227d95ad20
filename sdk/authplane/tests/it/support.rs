//! Shared fixtures: a wiremock authorization server, clients for it, and test keys.

use std::time::Duration;

use authplane::OAuthClient;
use authplane::clock::ManualClock;
use authplane::oauth::OAuthClientBuilder;
use authplane::testing::TestKey;
use base64::Engine;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The time every test starts at.
pub const T0: u64 = 1_700_000_000;

pub fn clock() -> ManualClock {
    ManualClock::at_unix(T0)
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A confidential client of the mock server, with every endpoint set.
pub fn client_builder(server: &MockServer) -> OAuthClientBuilder {
    let base = server.uri();
    OAuthClient::builder(format!("{base}/oauth/token"))
        .revocation_endpoint(format!("{base}/oauth/revoke"))
        .introspection_endpoint(format!("{base}/oauth/introspect"))
        .authorization_endpoint(format!("{base}/oauth/authorize"))
        .client_id("svc-1")
        .client_secret("s3cret")
        .http_client(http())
}

pub fn client(server: &MockServer) -> OAuthClient {
    client_builder(server).build().unwrap()
}

/// A token endpoint answering `body` with 200.
pub async fn token_endpoint(server: &MockServer, body: Value) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

pub fn token_body(access_token: &str, expires_in: u64) -> Value {
    json!({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in})
}

/// The form parameters of a request, in order.
pub fn form(request: &Request) -> Vec<(String, String)> {
    assert_eq!(
        request.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn authorization(request: &Request) -> Option<String> {
    request
        .headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string())
}

pub fn basic(id: &str, secret: &str) -> String {
    let raw = format!("{id}:{secret}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// The requests the server received on `route`.
pub async fn received(server: &MockServer, route: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == route)
        .collect()
}

/// The RS256 key of `fixtures/rs256-test-key.pem`.
pub fn rsa_key(kid: &str) -> TestKey {
    let pem = include_str!("fixtures/rs256-test-key.pem");
    let body: String = pem
        .lines()
        .skip_while(|line| !line.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    TestKey::rs256_from_pkcs8(kid, &der).unwrap()
}

/// The SDK's default HTTP client (reqwest's own default needs a TLS provider it was built
/// without).
pub fn http() -> reqwest::Client {
    authplane::default_http_client().unwrap()
}
