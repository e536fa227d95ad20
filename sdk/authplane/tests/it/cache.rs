//! The client credentials cache: reuse, refresh before expiry (on a manual clock), one request
//! for many concurrent callers, and what happens when the server fails.

use std::sync::Arc;
use std::time::Duration;

use authplane::clock::{Clock, ManualClock};
use authplane::oauth::TokenCache;
use authplane::{Error, OAuthErrorCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// Answers `first` once, then `then` for good.
async fn tokens_in_turn(server: &MockServer, first: ResponseTemplate, then: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

fn ok(access_token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(token_body(access_token, expires_in))
}

fn cache(server: &MockServer, clock: &ManualClock) -> TokenCache {
    client_builder(server)
        .clock(clock.clone())
        .build()
        .unwrap()
        .client_credentials()
        .scope("mcp:echo")
        .cache()
}

async fn requests(server: &MockServer) -> usize {
    received(server, "/oauth/token").await.len()
}

#[tokio::test]
async fn reuses_the_token_until_the_margin_then_refreshes() {
    let server = MockServer::start().await;
    tokens_in_turn(&server, ok("tok-1", 300), ok("tok-2", 300)).await;
    let clock = clock();
    let tokens = cache(&server, &clock); // default margin: 30 s

    let first = tokens.token().await.unwrap();
    assert_eq!(first.access_token, "tok-1");
    assert_eq!(first.expires_at, Some(clock.now() + secs(300)));
    assert_eq!(first.authorization(), "Bearer tok-1");
    assert!(!format!("{first:?}").contains("tok-1"));

    clock.advance(secs(269)); // 31 s left
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-1");
    assert_eq!(requests(&server).await, 1);

    clock.advance(secs(1)); // 30 s left: inside the margin
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-2");
    assert_eq!(requests(&server).await, 2);

    let sent = &received(&server, "/oauth/token").await[1];
    assert_eq!(
        form(sent),
        pairs(&[("grant_type", "client_credentials"), ("scope", "mcp:echo")])
    );
}

#[tokio::test]
async fn a_configured_margin_and_short_lived_tokens() {
    let server = MockServer::start().await;
    tokens_in_turn(&server, ok("tok-1", 600), ok("tok-2", 40)).await;
    let clock = clock();
    let tokens = cache(&server, &clock).margin(Duration::from_secs(120));

    tokens.token().await.unwrap();
    clock.advance(secs(479)); // 121 s left
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-1");
    clock.advance(secs(1)); // 120 s left
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-2");
    assert_eq!(requests(&server).await, 2);

    // A 40 s token under a 120 s margin would never be reused; half its life is used instead.
    clock.advance(secs(19));
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-2");
    assert_eq!(requests(&server).await, 2);
    clock.advance(secs(1));
    tokens.token().await.unwrap();
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_callers_make_one_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        // The delay keeps the first request open while the others arrive; the assertion holds
        // for any interleaving.
        .respond_with(ok("tok-1", 3600).set_delay(Duration::from_millis(200)))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = Arc::new(cache(&server, &clock()));
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.token().await })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap().access_token, "tok-1");
    }
    server.verify().await;
}

#[tokio::test]
async fn a_failed_refresh_falls_back_to_the_unexpired_token() {
    let server = MockServer::start().await;
    let outage = ResponseTemplate::new(503)
        .set_body_json(json!({"error": "temporarily_unavailable", "error_description": ""}));
    tokens_in_turn(&server, ok("tok-1", 300), outage).await;
    let clock = clock();
    let tokens = cache(&server, &clock);
    tokens.token().await.unwrap();

    clock.advance(secs(280)); // inside the margin, not expired
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-1");
    assert_eq!(requests(&server).await, 2);

    clock.advance(secs(20)); // expired
    let error = tokens.token().await.unwrap_err();
    assert!(matches!(error, Error::Shared(_)));
    assert_eq!(error.status(), Some(503));
    assert_eq!(
        error.oauth_code(),
        Some(&OAuthErrorCode::TemporarilyUnavailable)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_waiting_on_a_failed_fetch_share_its_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"error": "temporarily_unavailable"}))
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    let tokens = Arc::new(cache(&server, &clock()));
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.token().await })
        })
        .collect();
    for caller in callers {
        let error = caller.await.unwrap().unwrap_err();
        assert_eq!(error.status(), Some(503));
    }
    // Callers that came in while the fetch was open shared its failure instead of queueing
    // fetches of their own; how many came in that late depends on scheduling, so the bound is
    // loose, but 20 serial fetches (4 s of delays) would break it.
    let fetches = requests(&server).await;
    assert!(fetches < 20, "{fetches} fetches for 20 callers");

    // A later caller, who waited for nothing, tries again.
    let before = requests(&server).await;
    tokens.token().await.unwrap_err();
    assert_eq!(requests(&server).await, before + 1);
}

#[tokio::test]
async fn errors_are_not_cached_and_invalidate_forces_a_fetch() {
    let server = MockServer::start().await;
    let denied = ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_scope"}));
    tokens_in_turn(&server, denied, ok("tok-1", 3600)).await;
    let tokens = cache(&server, &clock());
    assert!(tokens.token().await.is_err());
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-1");
    assert_eq!(tokens.token().await.unwrap().access_token, "tok-1");
    assert_eq!(requests(&server).await, 2);

    tokens.invalidate();
    tokens.token().await.unwrap();
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn tokens_without_expires_in_are_not_cached() {
    let server = MockServer::start().await;
    token_endpoint(
        &server,
        json!({"access_token": "tok", "token_type": "Bearer"}),
    )
    .await;
    let tokens = cache(&server, &clock());
    let token = tokens.token().await.unwrap();
    assert_eq!(token.expires_at, None);
    tokens.token().await.unwrap();
    assert_eq!(requests(&server).await, 2);
}
