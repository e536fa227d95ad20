//! The validator's key cache against a wiremock JWKS: rotation, made-up kids, concurrent
//! misses and issuer outages.

use std::sync::Arc;

use authplane::testing::{TestKey, jwk_set};
use authplane::{ValidationError, Validator};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;
use crate::validate::{
    AUDIENCE, ISSUER, JWKS, claims, jwks_fetches, rejection, remote, serve_keys,
};

#[tokio::test]
async fn key_rotation_fetches_the_jwks_once_more() {
    let server = MockServer::start().await;
    let old = TestKey::es256("old").unwrap();
    let new = TestKey::es256("new").unwrap();
    serve_keys(&server, &[&old], 2).await;
    let clock = clock();
    let validator = remote(&server, &clock);

    validator
        .validate(&old.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&server).await, 1);

    // The issuer rotates; past the refetch interval, the new kid triggers one fetch.
    serve_keys(&server, &[&old, &new], 1).await;
    clock.advance(secs(11));
    for _ in 0..3 {
        validator
            .validate(&new.mint(&claims(json!({}))).unwrap())
            .await
            .unwrap();
    }
    validator
        .validate(&old.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&server).await, 2);

    // Past the TTL (5 minutes) the keys are fetched again before use.
    clock.advance(secs(301));
    validator
        .validate(&new.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&server).await, 3);
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let server = MockServer::start().await;
    let known = TestKey::es256("known").unwrap();
    serve_keys(&server, &[&known], 1).await;
    let clock = clock();
    let validator = Validator::builder(ISSUER, AUDIENCE)
        .jwks_uri(format!("{}{JWKS}", server.uri()))
        .min_refetch_interval(secs(30))
        .http_client(http())
        .clock(clock.clone())
        .build()
        .unwrap();
    validator
        .validate(&known.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();

    let forged = |kid: &str| {
        TestKey::es256(kid)
            .unwrap()
            .mint(&claims(json!({})))
            .unwrap()
    };
    for i in 0..10 {
        let error = rejection(&validator, &forged(&format!("made-up-{i}"))).await;
        assert!(
            matches!(&error, ValidationError::UnknownKey { kid } if kid == &format!("made-up-{i}"))
        );
        assert_eq!(
            error.www_authenticate(),
            r#"Bearer error="invalid_token", error_description="unknown signing key""#
        );
    }
    assert_eq!(
        jwks_fetches(&server).await,
        1,
        "made-up kids caused fetches"
    );

    clock.advance(secs(29));
    rejection(&validator, &forged("later")).await;
    assert_eq!(jwks_fetches(&server).await, 1);
    clock.advance(secs(1));
    rejection(&validator, &forged("later")).await;
    rejection(&validator, &forged("again")).await;
    assert_eq!(jwks_fetches(&server).await, 2);
    // Known keys are unaffected throughout.
    validator
        .validate(&known.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_validations_fetch_once() {
    let server = MockServer::start().await;
    let key = TestKey::ed25519("k").unwrap();
    Mock::given(method("GET"))
        .and(path(JWKS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jwk_set([&key]))
                .set_delay(std::time::Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let validator = Arc::new(remote(&server, &clock()));
    let token = key.mint(&claims(json!({}))).unwrap();
    let checks: Vec<_> = (0..10)
        .map(|_| {
            let (validator, token) = (validator.clone(), token.clone());
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for check in checks {
        check.await.unwrap().unwrap();
    }
    server.verify().await;
}

#[tokio::test]
async fn issuer_outage_keeps_known_keys_working() {
    let server = MockServer::start().await;
    let key = TestKey::es256("k").unwrap();
    Mock::given(method("GET"))
        .and(path(JWKS))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwk_set([&key])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(JWKS))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(2)
        .mount(&server)
        .await;
    let clock = clock();
    let validator = remote(&server, &clock);
    validator
        .validate(&key.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();

    clock.advance(secs(400)); // stale: a fetch is tried and fails
    let token = key
        .mint(&claims(json!({"iat": T0 + 400, "exp": T0 + 1300})))
        .unwrap();
    validator.validate(&token).await.unwrap();
    assert_eq!(jwks_fetches(&server).await, 2);

    let other = TestKey::es256("other").unwrap();
    clock.advance(secs(11));
    let error = rejection(
        &validator,
        &other.mint(&claims(json!({"exp": T0 + 1300}))).unwrap(),
    )
    .await;
    assert!(
        matches!(error, ValidationError::KeysUnavailable(_)),
        "{error:?}"
    );
    assert_eq!(error.status(), 503);

    // Nothing cached and the issuer down: the same.
    let cold = remote(&server, &clock);
    assert!(matches!(
        rejection(&cold, &token).await,
        ValidationError::KeysUnavailable(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_keys_are_refreshed_once_while_known_kids_keep_passing() {
    let server = MockServer::start().await;
    let key = TestKey::es256("k").unwrap();
    Mock::given(method("GET"))
        .and(path(JWKS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jwk_set([&key]))
                .set_delay(std::time::Duration::from_millis(200)),
        )
        .expect(2)
        .mount(&server)
        .await;
    let clock = clock();
    let validator = Arc::new(remote(&server, &clock));
    validator
        .validate(&key.mint(&claims(json!({}))).unwrap())
        .await
        .unwrap();

    clock.advance(secs(301)); // past the TTL
    let token = key.mint(&claims(json!({"exp": T0 + 1200}))).unwrap();
    // One caller refreshes; the others either use the known key meanwhile or, arriving after
    // the refresh, the fresh one: never a second fetch.
    let checks: Vec<_> = (0..10)
        .map(|_| {
            let (validator, token) = (validator.clone(), token.clone());
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for check in checks {
        check.await.unwrap().unwrap();
    }
    server.verify().await;
}
