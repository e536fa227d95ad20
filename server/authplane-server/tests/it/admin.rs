//! The admin key check: missing, wrong and right key, no key configured, `/metrics` outside.

use poem::http::StatusCode;
use serde_json::json;

use crate::common::{self, ADMIN_KEY, json};

const CHALLENGE: &str = "Bearer realm=\"admin\"";

#[tokio::test]
async fn a_missing_or_wrong_key_is_401_with_the_bearer_challenge() {
    let cli = common::admin(Some(ADMIN_KEY)).await;
    let cases = [
        (None, "missing API key"),
        (Some("Basic dXNlcjpwdw==".to_string()), "missing API key"),
        (Some("Bearer wrong".to_string()), "invalid API key"),
        (Some(format!("Bearer {ADMIN_KEY}x")), "invalid API key"),
    ];
    for (authorization, description) in cases {
        let mut req = cli.get("/admin/clients");
        if let Some(value) = &authorization {
            req = req.header("authorization", value);
        }
        let resp = req.send().await;
        resp.assert_status(StatusCode::UNAUTHORIZED);
        resp.assert_header("www-authenticate", CHALLENGE);
        assert!(resp.0.headers().contains_key("x-request-id"));
        resp.assert_json(json!({"error": "unauthorized", "error_description": description}))
            .await;
    }
}

#[tokio::test]
async fn the_right_key_reaches_the_operation_which_is_501_for_now() {
    let cli = common::admin(Some(ADMIN_KEY)).await;
    let resp = cli
        .get("/admin/clients")
        .header("authorization", format!("Bearer {ADMIN_KEY}"))
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_IMPLEMENTED);
    resp.assert_json(json!({
        "type": "about:blank",
        "title": "Not Implemented",
        "status": 501,
        "detail": "http-admin-clients-list is not implemented by this server yet",
    }))
    .await;
}

#[tokio::test]
async fn without_a_configured_key_every_admin_call_is_refused() {
    let cli = common::admin(None).await;
    for authorization in [None, Some("Bearer "), Some("Bearer anything")] {
        let mut req = cli.post("/admin/keys/rotate");
        if let Some(value) = authorization {
            req = req.header("authorization", value);
        }
        let resp = req.send().await;
        resp.assert_status(StatusCode::UNAUTHORIZED);
        resp.assert_header("www-authenticate", CHALLENGE);
        let body = json(resp).await;
        assert_eq!(body["error"], "unauthorized");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("no admin API key is configured"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn metrics_sit_outside_the_key_check() {
    let cli = common::admin(None).await;
    let resp = cli.get("/metrics").send().await;
    resp.assert_status(StatusCode::NOT_IMPLEMENTED);
    assert_eq!(
        json(resp).await["detail"],
        "http-admin-metrics-list is not implemented by this server yet"
    );
}

#[tokio::test]
async fn unknown_admin_routes_hide_behind_the_key() {
    let cli = common::admin(Some(ADMIN_KEY)).await;
    let resp = cli.get("/admin/nothing-here").send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let resp = cli
        .get("/admin/nothing-here")
        .header("authorization", format!("Bearer {ADMIN_KEY}"))
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_FOUND);
    resp.assert_json(json!({
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no such route on the admin API",
    }))
    .await;
    let resp = cli
        .delete("/admin/stats")
        .header("authorization", format!("Bearer {ADMIN_KEY}"))
        .send()
        .await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(json(resp).await["status"], 405);
}

#[tokio::test]
async fn a_bad_admin_body_is_a_400_problem() {
    let cli = common::admin(Some(ADMIN_KEY)).await;
    let resp = cli
        .post("/admin/clients")
        .header("authorization", format!("Bearer {ADMIN_KEY}"))
        .content_type("application/json")
        .body("{not json")
        .send()
        .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = json(resp).await;
    assert_eq!(body["type"], "about:blank");
    assert_eq!(body["status"], 400);
}
