//! The RFC 8414 and OpenID discovery documents, built from the configuration, and the key set.

use authplane_server::Config;
use authplane_server::config::Overrides;
use authplane_server::http::public_app;
use poem::test::TestClient;
use serde_json::json;

use crate::common::{self, json};

const LOCATIONS: [&str; 2] = [
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
];

#[tokio::test]
async fn the_default_document_lists_the_issuers_endpoints_and_pkce() {
    let cli = common::public().await;
    let mut documents = Vec::new();
    for location in LOCATIONS {
        let resp = cli.get(location).send().await;
        resp.assert_status_is_ok();
        resp.assert_header("cache-control", "public, max-age=300");
        documents.push(json(resp).await);
    }
    assert_eq!(
        documents[0], documents[1],
        "both locations serve one document"
    );
    assert_eq!(
        documents[0],
        json!({
            "issuer": "http://127.0.0.1:9000",
            "authorization_endpoint": "http://127.0.0.1:9000/oauth/authorize",
            "token_endpoint": "http://127.0.0.1:9000/oauth/token",
            "registration_endpoint": "http://127.0.0.1:9000/oauth/register",
            "revocation_endpoint": "http://127.0.0.1:9000/oauth/revoke",
            "jwks_uri": "http://127.0.0.1:9000/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "resource_indicators_supported": true,
        })
    );
}

#[tokio::test]
async fn issuer_grants_and_scopes_come_from_the_configuration() {
    let env = [
        ("AUTHPLANE_ISSUER", "https://auth.example.com/"),
        (
            "AUTHPLANE_GRANT_TYPES",
            "authorization_code refresh_token client_credentials",
        ),
        ("AUTHPLANE_SCOPES", "files:read,files:write"),
    ];
    let config = Config::from_lookup(Overrides::default(), |name| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
    .unwrap();
    let issuer = config.issuer_for(config.listen.public_addr);
    let store = authplane_server::Store::connect("sqlite::memory:")
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let server = common::server_on(store, &config, issuer.as_str());
    let cli = TestClient::new(public_app(server));
    for location in LOCATIONS {
        let doc = json(cli.get(location).send().await).await;
        assert_eq!(doc["issuer"], "https://auth.example.com");
        assert_eq!(
            doc["token_endpoint"],
            "https://auth.example.com/oauth/token"
        );
        assert_eq!(
            doc["jwks_uri"],
            "https://auth.example.com/.well-known/jwks.json"
        );
        assert_eq!(
            doc["grant_types_supported"],
            json!(["authorization_code", "refresh_token", "client_credentials"])
        );
        assert_eq!(
            doc["scopes_supported"],
            json!(["files:read", "files:write"])
        );
    }
}

#[tokio::test]
async fn the_key_set_is_empty_until_keys_exist_and_is_not_cached() {
    let cli = common::public().await;
    let resp = cli.get("/.well-known/jwks.json").send().await;
    resp.assert_status_is_ok();
    resp.assert_header("cache-control", "public, max-age=0");
    resp.assert_json(json!({"keys": []})).await;
}
