//! Every grant, revocation and introspection: the form sent, the client authentication, and
//! what comes back (including OAuth errors).

use authplane::oauth::{ClientAuthMethod, PkceVerifier, TokenTypeHint, token_type};
use authplane::{Error, OAuthClient, OAuthErrorCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn client_credentials_sends_basic_auth_scope_and_resource() {
    let server = MockServer::start().await;
    token_endpoint(
        &server,
        json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
               "scope": "mcp:echo mcp:query_database", "vendor_hint": 7}),
    )
    .await;
    let token = client(&server)
        .client_credentials()
        .scope("mcp:echo")
        .scopes(["mcp:query_database"])
        .resource("https://mcp.example/mcp")
        .audience("billing")
        .send()
        .await
        .unwrap();
    assert_eq!(token.access_token, "at-1");
    assert_eq!(token.expires_in, Some(3600));
    assert_eq!(
        token.scopes().collect::<Vec<_>>(),
        ["mcp:echo", "mcp:query_database"]
    );
    assert_eq!(token.extra["vendor_hint"], 7);
    assert!(
        !format!("{token:?}").contains("at-1"),
        "Debug shows the token"
    );

    let sent = &received(&server, "/oauth/token").await[0];
    assert_eq!(authorization(sent).unwrap(), basic("svc-1", "s3cret"));
    assert_eq!(
        form(sent),
        pairs(&[
            ("grant_type", "client_credentials"),
            ("resource", "https://mcp.example/mcp"),
            ("audience", "billing"),
            ("scope", "mcp:echo mcp:query_database"),
        ])
    );
}

#[tokio::test]
async fn basic_auth_form_encodes_id_and_secret() {
    let server = MockServer::start().await;
    token_endpoint(&server, token_body("at", 60)).await;
    client_builder(&server)
        .client_id("agent:7")
        .client_secret("p@ss wörd")
        .build()
        .unwrap()
        .client_credentials()
        .send()
        .await
        .unwrap();
    let sent = &received(&server, "/oauth/token").await[0];
    assert_eq!(
        authorization(sent).unwrap(),
        basic("agent%3A7", "p%40ss+w%C3%B6rd")
    );
}

#[tokio::test]
async fn client_secret_post_and_public_clients_authenticate_in_the_body() {
    let server = MockServer::start().await;
    token_endpoint(&server, token_body("at", 60)).await;
    client_builder(&server)
        .auth_method(ClientAuthMethod::ClientSecretPost)
        .build()
        .unwrap()
        .client_credentials()
        .send()
        .await
        .unwrap();
    let public = OAuthClient::builder(format!("{}/oauth/token", server.uri()))
        .client_id("spa")
        .http_client(http())
        .build()
        .unwrap();
    public.refresh("rt-1").send().await.unwrap();

    let sent = received(&server, "/oauth/token").await;
    assert_eq!(authorization(&sent[0]), None);
    assert_eq!(
        form(&sent[0]),
        pairs(&[
            ("grant_type", "client_credentials"),
            ("client_id", "svc-1"),
            ("client_secret", "s3cret"),
        ])
    );
    assert_eq!(authorization(&sent[1]), None);
    assert_eq!(
        form(&sent[1]),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-1"),
            ("client_id", "spa"),
        ])
    );
}

#[test]
fn builder_rejects_incomplete_settings() {
    let builder = || OAuthClient::builder("https://as.example/oauth/token");
    let invalid = |result: Result<OAuthClient, Error>| {
        assert!(
            matches!(result, Err(Error::InvalidRequest(_))),
            "{result:?}"
        )
    };
    invalid(builder().build()); // no client id
    invalid(
        builder()
            .client_id("c")
            .auth_method(ClientAuthMethod::ClientSecretBasic)
            .build(),
    );
    invalid(
        OAuthClient::builder("not a url")
            .client_id("c")
            .http_client(http())
            .build(),
    );
    let client = builder()
        .client_id("c")
        .client_secret("very-secret")
        .http_client(http())
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("very-secret"));
}

#[tokio::test]
async fn refresh_keeps_the_rotated_refresh_token() {
    let server = MockServer::start().await;
    token_endpoint(
        &server,
        json!({"access_token": "at-2", "token_type": "Bearer", "expires_in": 900,
               "refresh_token": "rt-2"}),
    )
    .await;
    let token = client(&server)
        .refresh("rt-1")
        .scope("mcp:echo")
        .send()
        .await
        .unwrap();
    assert_eq!(token.refresh_token.as_deref(), Some("rt-2"));
    let sent = &received(&server, "/oauth/token").await[0];
    assert_eq!(authorization(sent).unwrap(), basic("svc-1", "s3cret"));
    assert_eq!(
        form(sent),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-1"),
            ("scope", "mcp:echo"),
        ])
    );
}

#[tokio::test]
async fn authorization_code_sends_the_verifier() {
    let server = MockServer::start().await;
    token_endpoint(&server, token_body("at", 900)).await;
    let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    client(&server)
        .authorization_code("code-1", "https://app.example/cb", &verifier)
        .resource("https://mcp.example/mcp")
        .send()
        .await
        .unwrap();
    let sent = &received(&server, "/oauth/token").await[0];
    assert_eq!(authorization(sent).unwrap(), basic("svc-1", "s3cret"));
    assert_eq!(
        form(sent),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", "code-1"),
            ("redirect_uri", "https://app.example/cb"),
            (
                "code_verifier",
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
            ),
            ("resource", "https://mcp.example/mcp"),
        ])
    );
}

#[tokio::test]
async fn token_exchange_sends_subject_actor_and_targets() {
    let server = MockServer::start().await;
    token_endpoint(
        &server,
        json!({"access_token": "xt", "issued_token_type": token_type::ACCESS_TOKEN,
               "token_type": "Bearer", "expires_in": 900, "scope": "mcp:query_database"}),
    )
    .await;
    let token = client(&server)
        .exchange("user-at", token_type::ACCESS_TOKEN)
        .actor_token("agent-at", token_type::JWT)
        .requested_token_type(token_type::ACCESS_TOKEN)
        .audience("db-tool")
        .resource("https://db.example/mcp")
        .scope("mcp:query_database")
        .send()
        .await
        .unwrap();
    assert_eq!(
        token.issued_token_type.as_deref(),
        Some(token_type::ACCESS_TOKEN)
    );
    let sent = &received(&server, "/oauth/token").await[0];
    assert_eq!(authorization(sent).unwrap(), basic("svc-1", "s3cret"));
    assert_eq!(
        form(sent),
        pairs(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ),
            ("subject_token", "user-at"),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:access_token"
            ),
            ("actor_token", "agent-at"),
            ("actor_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            (
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:access_token"
            ),
            ("audience", "db-tool"),
            ("resource", "https://db.example/mcp"),
            ("scope", "mcp:query_database"),
        ])
    );
}

#[tokio::test]
async fn jwt_bearer_sends_the_assertion() {
    let server = MockServer::start().await;
    token_endpoint(&server, token_body("at", 3600)).await;
    client(&server)
        .jwt_bearer("eyJ.assertion.sig")
        .scope("mcp:echo")
        .send()
        .await
        .unwrap();
    let sent = &received(&server, "/oauth/token").await[0];
    assert_eq!(authorization(sent).unwrap(), basic("svc-1", "s3cret"));
    assert_eq!(
        form(sent),
        pairs(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", "eyJ.assertion.sig"),
            ("scope", "mcp:echo"),
        ])
    );
}

#[tokio::test]
async fn revoke_sends_token_and_hint() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .revoke("rt-1", Some(TokenTypeHint::RefreshToken))
        .await
        .unwrap();
    client.revoke("at-1", None).await.unwrap();
    let sent = received(&server, "/oauth/revoke").await;
    assert_eq!(authorization(&sent[0]).unwrap(), basic("svc-1", "s3cret"));
    assert_eq!(
        form(&sent[0]),
        pairs(&[("token", "rt-1"), ("token_type_hint", "refresh_token")])
    );
    assert_eq!(form(&sent[1]), pairs(&[("token", "at-1")]));
}

#[tokio::test]
async fn introspect_is_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/introspect"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "active": true, "scope": "mcp:echo", "client_id": "c-1", "token_type": "Bearer",
            "exp": 1708762500, "iat": 1708761600, "sub": "user-1", "aud": "https://mcp/",
            "iss": "http://localhost:9000", "jti": "j-1", "agent_id": "agent-7"
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/introspect"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"active": false})))
        .mount(&server)
        .await;
    let client = client(&server);
    let active = client
        .introspect("at-1", Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    assert!(active.active);
    assert_eq!(active.scopes().collect::<Vec<_>>(), ["mcp:echo"]);
    assert_eq!(active.aud, ["https://mcp/"]);
    assert_eq!(active.exp, Some(1708762500));
    assert_eq!(active.extra["agent_id"], "agent-7");
    let inactive = client.introspect("gone", None).await.unwrap();
    assert!(!inactive.active);
    assert_eq!(inactive.sub, None);
    assert!(inactive.aud.is_empty());

    let sent = received(&server, "/oauth/introspect").await;
    assert_eq!(authorization(&sent[0]).unwrap(), basic("svc-1", "s3cret"));
    assert_eq!(
        form(&sent[0]),
        pairs(&[("token", "at-1"), ("token_type_hint", "access_token")])
    );
}

#[tokio::test]
async fn revoke_and_introspect_need_their_endpoints() {
    let client = OAuthClient::builder("https://as.example/oauth/token")
        .client_id("c")
        .http_client(http())
        .build()
        .unwrap();
    assert!(matches!(
        client.revoke("t", None).await,
        Err(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        client.introspect("t", None).await,
        Err(Error::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn oauth_errors_keep_code_description_uri_status_and_challenge() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", r#"Basic realm="authplane""#)
                .set_body_json(json!({
                    "error": "invalid_client", "error_description": "client authentication failed",
                    "error_uri": "https://docs.example/errors#invalid_client",
                    "type": "about:blank", "title": "Unauthorized", "status": 401,
                    "detail": "client authentication failed"
                })),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .client_credentials()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.oauth_code(), Some(&OAuthErrorCode::InvalidClient));
    let oauth = error.oauth().unwrap();
    assert_eq!(
        oauth.description.as_deref(),
        Some("client authentication failed")
    );
    assert_eq!(
        oauth.uri.as_deref(),
        Some("https://docs.example/errors#invalid_client")
    );
    assert_eq!(
        oauth.www_authenticate.as_deref(),
        Some(r#"Basic realm="authplane""#)
    );
    assert_eq!(
        error.to_string(),
        "401 invalid_client: client authentication failed"
    );
}

#[tokio::test]
async fn undecodable_bodies_and_dead_servers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>hi</html>"))
        .mount(&server)
        .await;
    match client(&server).client_credentials().send().await {
        Err(Error::Decode { status, body, .. }) => {
            assert_eq!(status, 200);
            assert_eq!(body, "<html>hi</html>");
        }
        other => panic!("{other:?}"),
    }

    let dead = OAuthClient::builder("http://127.0.0.1:1/oauth/token")
        .client_id("c")
        .http_client(http())
        .build()
        .unwrap();
    let error = dead.client_credentials().send().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn the_operation_timeout_ends_a_slow_token_call_although_retries_remain() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_body("at-slow", 3600))
                .set_delay(std::time::Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let http = authplane::default_http_client().unwrap();
    let client = client_builder(&server)
        .http_client(http)
        .retry(
            authplane::RetryPolicy::standard(50)
                .initial_backoff(std::time::Duration::from_millis(10))
                .max_backoff(std::time::Duration::from_millis(20))
                .retry_non_idempotent(true),
        )
        .operation_timeout(std::time::Duration::from_millis(700))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.client_credentials().send().await.unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(took >= std::time::Duration::from_millis(650), "{took:?}");
    assert!(took < std::time::Duration::from_millis(1500), "{took:?}");
}

#[tokio::test]
async fn token_calls_retry_only_when_asked_and_errors_carry_metadata() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503).set_body_json(
            json!({"error": "temporarily_unavailable", "error_description": "busy"}),
        ))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server)
        .client_credentials()
        .send()
        .await
        .unwrap_err();
    let meta = err.meta();
    assert_eq!(meta.status(), Some(503));
    assert_eq!(meta.code(), Some("temporarily_unavailable"));
    assert_eq!(meta.message(), Some("busy"));
    let retrying = client_builder(&server)
        .retry(
            authplane::RetryPolicy::standard(2)
                .initial_backoff(std::time::Duration::from_millis(1))
                .retry_non_idempotent(true),
        )
        .build()
        .unwrap();
    let err = retrying.client_credentials().send().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
}
