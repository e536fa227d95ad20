//! The validator against tokens minted with locally generated keys: what passes, every reason
//! to reject, and how the JWKS cache fetches (rotation, unknown kids, outages).

use authplane::clock::ManualClock;
use authplane::testing::{TestKey, jwk_set};
use authplane::validate::{Algorithm, JwkSet, ValidatorBuilder};
use authplane::{ServerMetadata, ValidationError, Validator};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::discovery::{metadata_body, serve_metadata};
use crate::support::*;

pub const ISSUER: &str = "https://as.test";
pub const AUDIENCE: &str = "https://mcp.test/mcp";
pub const JWKS: &str = "/.well-known/jwks.json";

/// Claims of a token issued at T0 for 15 minutes, with `extra` merged over them.
pub fn claims(extra: Value) -> Value {
    let mut claims = json!({
        "iss": ISSUER, "sub": "user-1", "aud": [AUDIENCE], "iat": T0, "exp": T0 + 900,
        "jti": "jti-1", "client_id": "client-1", "scope": "mcp:echo mcp:query_database",
    });
    for (name, value) in extra.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

/// A validator with a fixed key set and the test clock.
fn with_keys(keys: JwkSet, clock: &ManualClock) -> ValidatorBuilder {
    Validator::builder(ISSUER, AUDIENCE)
        .jwks(keys)
        .clock(clock.clone())
}

pub async fn rejection(validator: &Validator, token: &str) -> ValidationError {
    validator.validate(token).await.unwrap_err()
}

/// Serves `keys` at the JWKS route from now on (replacing what was served before).
pub async fn serve_keys(server: &MockServer, keys: &[&TestKey], priority: u8) {
    Mock::given(method("GET"))
        .and(path(JWKS))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwk_set(keys.iter().copied())))
        .with_priority(priority)
        .mount(server)
        .await;
}

pub fn remote(server: &MockServer, clock: &ManualClock) -> Validator {
    Validator::builder(ISSUER, AUDIENCE)
        .jwks_uri(format!("{}{JWKS}", server.uri()))
        .http_client(http())
        .clock(clock.clone())
        .build()
        .unwrap()
}

pub async fn jwks_fetches(server: &MockServer) -> usize {
    received(server, JWKS).await.len()
}

#[tokio::test]
async fn valid_tokens_of_every_algorithm() {
    let clock = clock();
    let keys = [
        TestKey::es256("ec-1").unwrap(),
        TestKey::ed25519("ed-1").unwrap(),
        rsa_key("rsa-1"),
    ];
    let validator = with_keys(jwk_set(&keys), &clock).build().unwrap();
    for key in &keys {
        let token = key
            .mint(&claims(
                json!({"act": {"sub": "agent-1", "actor_type": "agent"}}),
            ))
            .unwrap();
        let claims = validator
            .validate(&token)
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e:?}", key.algorithm()));
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.iss, ISSUER);
        assert_eq!(claims.aud, [AUDIENCE]);
        assert_eq!(claims.exp, (T0 + 900) as i64);
        assert_eq!(claims.jti.as_deref(), Some("jti-1"));
        assert_eq!(claims.client_id.as_deref(), Some("client-1"));
        assert!(claims.has_scope("mcp:query_database"));
        assert_eq!(claims.act.unwrap().sub, "agent-1");
    }
}

#[tokio::test]
async fn end_to_end_from_discovery_to_claims() {
    let server = MockServer::start().await;
    let issuer = server.uri();
    serve_metadata(
        &server,
        "/.well-known/oauth-authorization-server",
        metadata_body(&issuer),
    )
    .await;
    let key = TestKey::es256("key-2026-02").unwrap();
    serve_keys(&server, &[&key], 1).await;

    let http = http();
    let metadata = ServerMetadata::discover(&http, &issuer).await.unwrap();
    let clock = clock();
    let validator = Validator::from_metadata(&metadata, AUDIENCE)
        .required_scope("mcp:echo")
        .http_client(http)
        .clock(clock.clone())
        .build()
        .unwrap();
    // A client credentials token as Authplane issues it: `sub` is the client, `aud` a string.
    let token = key
        .mint(&json!({
            "iss": issuer, "sub": "svc-1", "aud": AUDIENCE, "iat": T0, "exp": T0 + 3600,
            "jti": "m-1", "client_id": "svc-1", "scope": "mcp:echo",
        }))
        .unwrap();
    let claims = validator
        .validate_header(Some(&format!("Bearer {token}")))
        .await
        .unwrap();
    assert!(claims.is_client_token());
    assert_eq!(jwks_fetches(&server).await, 1);

    let missing = validator.validate_header(None).await.unwrap_err();
    assert!(matches!(missing, ValidationError::MissingToken));
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.www_authenticate(), "Bearer");
}

#[tokio::test]
async fn wrong_issuer_and_audience() {
    let clock = clock();
    let key = TestKey::es256("k").unwrap();
    let validator = with_keys(jwk_set([&key]), &clock)
        .audience("https://other.test/api")
        .build()
        .unwrap();
    let token = |extra| key.mint(&claims(extra)).unwrap();

    let error = rejection(&validator, &token(json!({"iss": "https://evil.test"}))).await;
    assert!(
        matches!(&error, ValidationError::WrongIssuer { issuer } if issuer == "https://evil.test")
    );
    assert_eq!(error.status(), 401);
    assert_eq!(
        error.www_authenticate(),
        r#"Bearer error="invalid_token", error_description="wrong issuer""#
    );
    // Issuers compare exactly.
    assert!(matches!(
        rejection(&validator, &token(json!({"iss": "https://as.test/"}))).await,
        ValidationError::WrongIssuer { .. }
    ));

    for aud in [json!("https://mcp.test"), json!(["a", "b"]), json!([])] {
        assert!(matches!(
            rejection(&validator, &token(json!({"aud": aud}))).await,
            ValidationError::WrongAudience
        ));
    }
    // Any configured audience, as a string or in an array.
    validator
        .validate(&token(json!({"aud": "https://other.test/api"})))
        .await
        .unwrap();
    validator
        .validate(&token(json!({"aud": ["x", AUDIENCE]})))
        .await
        .unwrap();
}

#[tokio::test]
async fn expiry_and_not_before_with_and_without_leeway() {
    let clock = clock();
    let key = TestKey::es256("k").unwrap();
    let strict = with_keys(jwk_set([&key]), &clock)
        .leeway(secs(0))
        .build()
        .unwrap();
    let lenient = with_keys(jwk_set([&key]), &clock)
        .leeway(secs(60))
        .build()
        .unwrap();
    let expired = key.mint(&claims(json!({"exp": T0 - 30}))).unwrap();
    let error = rejection(&strict, &expired).await;
    assert!(matches!(error, ValidationError::Expired));
    assert_eq!(
        error.www_authenticate(),
        r#"Bearer error="invalid_token", error_description="token expired""#
    );
    lenient.validate(&expired).await.unwrap();
    clock.advance(secs(30)); // 60 s past exp: beyond the leeway too
    assert!(matches!(
        rejection(&lenient, &expired).await,
        ValidationError::Expired
    ));
    // Expiring exactly now is expired.
    let now = key.mint(&claims(json!({"exp": T0 + 30}))).unwrap();
    assert!(matches!(
        rejection(&strict, &now).await,
        ValidationError::Expired
    ));

    let early = key.mint(&claims(json!({"nbf": T0 + 60}))).unwrap();
    assert!(matches!(
        rejection(&strict, &early).await,
        ValidationError::NotYetValid
    ));
    lenient.validate(&early).await.unwrap();
    clock.advance(secs(30)); // nbf reached
    strict.validate(&early).await.unwrap();
}

#[tokio::test]
async fn missing_scopes_answer_insufficient_scope() {
    let clock = clock();
    let key = TestKey::es256("k").unwrap();
    let validator = with_keys(jwk_set([&key]), &clock)
        .required_scope("mcp:echo")
        .required_scope("mcp:admin")
        .build()
        .unwrap();
    let token = key.mint(&claims(json!({}))).unwrap();
    let error = rejection(&validator, &token).await;
    assert_eq!(error.status(), 403);
    assert_eq!(
        error.www_authenticate(),
        r#"Bearer error="insufficient_scope", error_description="insufficient scope", scope="mcp:echo mcp:admin""#
    );

    // Per route, on the claims of a valid token.
    let open = with_keys(jwk_set([&key]), &clock).build().unwrap();
    let claims = open.validate(&token).await.unwrap();
    assert!(claims.require_scopes(&["mcp:echo"]).is_ok());
    let error = claims.require_scopes(&["mcp:write"]).unwrap_err();
    assert_eq!(error.status(), 403);
    let no_scope = key.mint(&claims_without_scope()).unwrap();
    assert!(matches!(
        rejection(&validator, &no_scope).await,
        ValidationError::InsufficientScope { .. }
    ));
}

fn claims_without_scope() -> Value {
    let mut claims = claims(json!({}));
    claims.as_object_mut().unwrap().remove("scope");
    claims
}

#[tokio::test]
async fn bad_signatures() {
    let clock = clock();
    let key = TestKey::es256("k").unwrap();
    let validator = with_keys(jwk_set([&key]), &clock).build().unwrap();

    // Another key claiming the same kid.
    let impostor = TestKey::es256("k").unwrap();
    let forged = impostor.mint(&claims(json!({}))).unwrap();
    let error = rejection(&validator, &forged).await;
    assert!(matches!(error, ValidationError::BadSignature), "{error:?}");
    assert_eq!(
        error.www_authenticate(),
        r#"Bearer error="invalid_token", error_description="invalid signature""#
    );

    // A genuine signature over other claims.
    let genuine = key.mint(&claims(json!({}))).unwrap();
    let parts: Vec<&str> = genuine.split('.').collect();
    let elevated =
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(json!({"scope": "mcp:admin"}))).unwrap());
    let tampered = format!("{}.{elevated}.{}", parts[0], parts[2]);
    assert!(matches!(
        rejection(&validator, &tampered).await,
        ValidationError::BadSignature
    ));
    // No signature at all.
    let stripped = format!("{}.{}.", parts[0], parts[1]);
    assert!(matches!(
        rejection(&validator, &stripped).await,
        ValidationError::BadSignature
    ));
}

#[tokio::test]
async fn alg_none_hmac_and_disallowed_algorithms_are_refused() {
    let clock = clock();
    let key = TestKey::es256("k").unwrap();
    let rsa = rsa_key("r");
    let validator = with_keys(jwk_set([&key, &rsa]), &clock).build().unwrap();
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());

    let none = format!(
        "{}.{}.",
        encode(&json!({"alg": "none", "kid": "k", "typ": "at+jwt"})),
        encode(&claims(json!({})))
    );
    let error = rejection(&validator, &none).await;
    assert!(matches!(&error, ValidationError::UnsupportedAlgorithm { alg } if alg == "none"));
    assert_eq!(error.status(), 401);

    for alg in ["HS256", "None", "RS512", "PS256"] {
        let token = key
            .sign(
                &json!({"alg": alg, "kid": "k", "typ": "at+jwt"}),
                &claims(json!({})),
            )
            .unwrap();
        assert!(
            matches!(
                rejection(&validator, &token).await,
                ValidationError::UnsupportedAlgorithm { .. }
            ),
            "{alg}"
        );
    }

    // RS256 is supported, but not by a validator limited to ES256.
    let es256_only = with_keys(jwk_set([&key, &rsa]), &clock)
        .algorithms([Algorithm::Es256])
        .build()
        .unwrap();
    let rs256 = rsa.mint(&claims(json!({}))).unwrap();
    assert!(matches!(
        rejection(&es256_only, &rs256).await,
        ValidationError::UnsupportedAlgorithm { .. }
    ));
    validator.validate(&rs256).await.unwrap();
}

#[tokio::test]
async fn an_algorithm_the_key_is_not_for_is_refused() {
    let clock = clock();
    let key = TestKey::es256("k").unwrap();
    // The JWK says `alg: ES256`; the token claims EdDSA.
    let validator = with_keys(jwk_set([&key]), &clock).build().unwrap();
    let header = json!({"alg": "EdDSA", "kid": "k", "typ": "at+jwt"});
    let token = key.sign(&header, &claims(json!({}))).unwrap();
    let error = rejection(&validator, &token).await;
    assert!(matches!(error, ValidationError::KeyMismatch), "{error:?}");

    // Without `alg` in the JWK, the key type alone decides: an EC key verifies only ES256.
    let mut bare = key.jwk();
    bare.alg = None;
    let validator = with_keys(JwkSet { keys: vec![bare] }, &clock)
        .build()
        .unwrap();
    for alg in ["EdDSA", "RS256"] {
        let header = json!({"alg": alg, "kid": "k", "typ": "at+jwt"});
        let token = key.sign(&header, &claims(json!({}))).unwrap();
        assert!(
            matches!(
                rejection(&validator, &token).await,
                ValidationError::KeyMismatch
            ),
            "{alg}"
        );
    }
    validator
        .validate(&key.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn token_type_kid_crit_and_dpop_binding() {
    let clock = clock();
    let key = TestKey::es256("k").unwrap();
    let validator = with_keys(jwk_set([&key]), &clock).build().unwrap();
    let signed = |header: Value, claims: Value| key.sign(&header, &claims).unwrap();

    // An ID token (typ JWT) is not an access token, unless the validator is told to accept it.
    let id_token = signed(
        json!({"alg": "ES256", "kid": "k", "typ": "JWT"}),
        claims(json!({})),
    );
    assert!(matches!(
        rejection(&validator, &id_token).await,
        ValidationError::WrongType
    ));
    let any_type = with_keys(jwk_set([&key]), &clock)
        .accept_any_token_type()
        .build()
        .unwrap();
    any_type.validate(&id_token).await.unwrap();
    let application = signed(
        json!({"alg": "ES256", "kid": "k", "typ": "application/at+jwt"}),
        claims(json!({})),
    );
    validator.validate(&application).await.unwrap();

    let no_kid = signed(json!({"alg": "ES256", "typ": "at+jwt"}), claims(json!({})));
    assert!(matches!(
        rejection(&validator, &no_kid).await,
        ValidationError::Malformed(_)
    ));
    let crit = signed(
        json!({"alg": "ES256", "kid": "k", "typ": "at+jwt", "crit": ["exp"], "exp": 1}),
        claims(json!({})),
    );
    assert!(matches!(
        rejection(&validator, &crit).await,
        ValidationError::Malformed(_)
    ));
    let not_claims = signed(
        json!({"alg": "ES256", "kid": "k", "typ": "at+jwt"}),
        json!({"iss": ISSUER}),
    );
    assert!(matches!(
        rejection(&validator, &not_claims).await,
        ValidationError::Malformed("claims")
    ));

    let bound = key
        .mint(&claims(
            json!({"cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}),
        ))
        .unwrap();
    let error = rejection(&validator, &bound).await;
    assert!(matches!(error, ValidationError::SenderConstrained));
    assert_eq!(error.status(), 401);

    assert!(matches!(
        rejection(&validator, "not-a-jwt").await,
        ValidationError::Malformed(_)
    ));
    let malformed_header = validator.validate_header(Some("Bearer")).await.unwrap_err();
    assert_eq!(malformed_header.status(), 400);
}
