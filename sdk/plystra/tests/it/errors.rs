//! Every error class decodes into `plystra::Error` with what the failure told us.

use std::time::Duration;

use plystra::prelude::*;
use plystra::types::ErrorCode as Code;
use plystra::{Error, ErrorCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::wire::{self, REQUEST_ID};

async fn answer(status: u16, body: serde_json::Value) -> Error {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_ak_demo.s3cret")
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/users/user_x"))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("x-request-id", REQUEST_ID)
                .insert_header(
                    "x-plystra-error-code",
                    body["error"]["code"].as_str().unwrap_or(""),
                )
                .set_body_json(body),
        )
        .mount(&server)
        .await;
    plystra
        .api()
        .get_user()
        .user_id("user_x")
        .call()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn each_documented_status_keeps_code_message_details_and_request_id() {
    let cases = [
        (400, "VALIDATION_FAILED", Code::ValidationFailed),
        (401, "AUTHENTICATION_REQUIRED", Code::AuthenticationRequired),
        (
            403,
            "ADMIN_PERMISSION_REQUIRED",
            Code::AdminPermissionRequired,
        ),
        (404, "USER_NOT_FOUND", Code::UserNotFound),
        (500, "INTERNAL_ERROR", Code::InternalError),
    ];
    for (status, code, typed) in cases {
        let err = answer(
            status,
            wire::error(code, "msg", json!({"permission": "users:read"})),
        )
        .await;
        let api = err.api().unwrap_or_else(|| panic!("{status}: {err:?}"));
        assert_eq!(api.status, status);
        assert_eq!(api.code, typed, "{status}");
        assert_eq!(api.message, "msg");
        assert_eq!(api.details, json!({"permission": "users:read"}));
        assert_eq!(err.request_id(), Some(REQUEST_ID));
    }
    assert!(
        answer(404, wire::error("USER_NOT_FOUND", "m", json!(null)))
            .await
            .is_not_found()
    );
    assert!(
        answer(401, wire::error("SESSION_EXPIRED", "m", json!(null)))
            .await
            .is_unauthorized()
    );
}

#[tokio::test]
async fn an_undocumented_status_with_the_envelope_is_still_an_api_error() {
    let err = answer(
        429,
        wire::error(
            "AUTH_RATE_LIMITED",
            "slow down",
            json!({"retry_after_seconds": 3}),
        ),
    )
    .await;
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    let err = answer(
        409,
        wire::error("USER_UPDATE_FAILED", "conflict", json!(null)),
    )
    .await;
    assert_eq!(err.status(), Some(409));
}

#[tokio::test]
async fn a_code_this_sdk_does_not_know_is_kept_as_other() {
    let err = answer(
        403,
        wire::error("QUOTA_EXCEEDED_V2", "new in a later server", json!(null)),
    )
    .await;
    let api = err.api().unwrap();
    assert_eq!(api.code, ErrorCode::Other("QUOTA_EXCEEDED_V2".into()));
    assert_eq!(api.status, 403);
}

#[tokio::test]
async fn authorization_denied_carries_the_decision_references() {
    let mut body = wire::error("AUTHORIZATION_DENIED", "denied", json!(null));
    body["error"]["deny_code"] = json!("SCOPE_OUT_OF_BOUNDS");
    body["error"]["trace_id"] = json!("trc_1");
    body["error"]["audit_log_id"] = json!("audit_1");
    let err = answer(403, body).await;
    let api = err.api().unwrap();
    assert_eq!(
        api.deny_code.as_ref().unwrap().as_str(),
        "SCOPE_OUT_OF_BOUNDS"
    );
    assert_eq!(
        (api.trace_id.as_deref(), api.audit_log_id.as_deref()),
        (Some("trc_1"), Some("audit_1"))
    );
}

#[tokio::test]
async fn a_body_that_breaks_the_contract_is_a_decode_error_with_the_raw_body() {
    let (server, plystra) = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/health"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"state": "ok"}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/version"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    match plystra.system().health().await.unwrap_err() {
        Error::Decode {
            status,
            body,
            source,
            ..
        } => {
            assert_eq!(status, 200);
            assert!(body.contains("\"state\""), "{body}");
            assert!(source.is_some());
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    match plystra.system().version().await.unwrap_err() {
        Error::Decode { status, body, .. } => {
            assert_eq!(status, 502);
            assert_eq!(body, "<html>bad gateway</html>");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn timeouts_and_refused_connections_are_told_apart() {
    let (server, _) = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/health"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let slow = Plystra::builder(server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    assert!(matches!(
        slow.system().health().await.unwrap_err(),
        Error::Timeout(_)
    ));

    // Nothing listens on port 9 of loopback (discard service is not running here).
    let refused = Plystra::new("http://127.0.0.1:9").unwrap();
    assert!(matches!(
        refused.system().health().await.unwrap_err(),
        Error::Transport(_)
    ));
}

#[test]
fn a_bad_base_url_fails_at_construction() {
    for bad in ["not a url", "ftp://example.com", "mailto:a@b.c"] {
        let err = Plystra::new(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad}: {err:?}");
    }
    let ok = Plystra::new("http://localhost:8080/").unwrap();
    assert!(
        Plystra::new("https://plystra.internal").is_ok(),
        "TLS settings build"
    );
    assert_eq!(ok.base_url(), "http://localhost:8080");
}

#[test]
fn debug_output_never_shows_secrets() {
    let plystra = Plystra::builder("http://localhost:8080")
        .api_key("ply_ak_1.topsecretkey")
        .access_token("ply_at_topsecrettoken")
        .build()
        .unwrap();
    plystra.set_access_token("ply_at_othersecret");
    let printed = format!("{plystra:?}");
    assert!(!printed.contains("secret"), "{printed}");
}
