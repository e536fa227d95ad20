//! Unknown routes, wrong methods, bad requests, and the 501 of every operation not built yet, in
//! the public contract's error body.

use authplane_server::Config;
use authplane_server::http::{admin_app, public_app};
use authplane_server_api::runtime::Operation;
use authplane_server_api::{admin, public};
use poem::Endpoint;
use poem::http::{Method, StatusCode};
use poem::test::TestClient;
use serde_json::json;

use crate::common::{self, ADMIN_KEY, json};

/// Query parameters that some operations require; the others ignore them.
const REQUIRED_QUERY: &str = "return_url=x&session_id=x&response_type=code&client_id=x&url=x";

#[tokio::test]
async fn unknown_public_routes_are_json_404s() {
    let cli = common::public().await;
    let resp = cli
        .get("/no/such/route")
        .header("x-request-id", "req_404")
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_FOUND);
    resp.assert_content_type("application/json; charset=utf-8");
    resp.assert_header("x-request-id", "req_404");
    resp.assert_json(json!({
        "error": "not_found",
        "error_description": "no such route on the public API",
        "type": "https://docs.authplane.ai/errors/not_found",
        "title": "Not Found",
        "detail": "no such route on the public API",
        "status": 404,
    }))
    .await;
}

#[tokio::test]
async fn wrong_methods_are_json_405s() {
    let cli = common::public().await;
    let resp = cli.delete("/health").send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    let body = json(resp).await;
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["status"], 405);
}

#[tokio::test]
async fn a_bad_form_body_is_invalid_request() {
    let cli = common::public().await;
    let resp = cli
        .post("/oauth/token")
        .content_type("application/x-www-form-urlencoded")
        .body("grant_type=password")
        .send()
        .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(json(resp).await["error"], "invalid_request");
}

#[tokio::test]
async fn a_session_route_without_a_session_is_unauthorized() {
    let cli = common::public().await;
    let resp = cli.get("/connections").send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(json(resp).await["error"], "unauthorized");
}

/// `/connect/{provider}` with every parameter filled in.
fn concrete(op: &Operation) -> String {
    let mut path = String::new();
    let mut in_param = false;
    for c in op.path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                path.push('x');
            }
            _ if in_param => {}
            _ => path.push(c),
        }
    }
    format!("{path}?{REQUIRED_QUERY}")
}

/// Calls every bodiless operation in `ops` over HTTP with what its security asks for, and
/// checks it answers 501 naming itself in `detail`.
async fn each_answers_501<E: Endpoint>(cli: &TestClient<E>, ops: &[&'static Operation]) -> usize {
    let mut called = 0;
    for op in ops.iter().filter(|op| op.request_body.is_none()) {
        let method = Method::from_bytes(op.method.as_bytes()).unwrap();
        let resp = cli
            .request(method, concrete(op))
            .header("authorization", format!("Bearer {ADMIN_KEY}"))
            .header("cookie", "authserver_session=s")
            .send()
            .await;
        let status = resp.0.status();
        let body = json(resp).await;
        assert_eq!(
            status,
            StatusCode::NOT_IMPLEMENTED,
            "{} {}: {body}",
            op.method,
            op.path
        );
        assert_eq!(body["status"], 501);
        assert_eq!(
            body["detail"],
            format!("{} is not implemented by this server yet", op.id)
        );
        called += 1;
    }
    called
}

#[tokio::test]
async fn every_unimplemented_operation_answers_501_over_http() {
    let config = Config::for_tests(Some(ADMIN_KEY));
    let server = common::server(&config).await;
    let missing_public = public::probe::unimplemented_operations(&*server).await;
    let missing_admin = admin::probe::unimplemented_operations(&*server).await;
    let public_cli = TestClient::new(public_app(server.clone()));
    let admin_cli = TestClient::new(admin_app(server, Some(ADMIN_KEY)));
    let called = each_answers_501(&public_cli, &missing_public).await
        + each_answers_501(&admin_cli, &missing_admin).await;
    // The operations with a request body are covered by the probe (their trait default is the
    // same code); one of each kind over HTTP:
    let resp = public_cli
        .post("/oauth/token")
        .content_type("application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_IMPLEMENTED);
    assert_eq!(json(resp).await["error"], "service_unavailable");
    let resp = admin_cli
        .patch("/admin/settings/dcr")
        .header("authorization", format!("Bearer {ADMIN_KEY}"))
        .body_json(&json!({"mode": "open"}))
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_IMPLEMENTED);
    assert!(called > 50, "only {called} operations called");
}

#[tokio::test]
async fn the_listing_is_everything_but_discovery_keys_and_probes() {
    let server = common::server(&Config::for_tests(None)).await;
    let missing_public = public::probe::unimplemented_operations(&*server).await;
    let missing_admin = admin::probe::unimplemented_operations(&*server).await;
    let implemented: Vec<&str> = public::OPERATIONS
        .iter()
        .filter(|op| !missing_public.iter().any(|m| m.id == op.id))
        .map(|op| op.id)
        .collect();
    assert_eq!(
        implemented,
        [
            "http-public-well-known-jwks-json",
            "http-public-well-known-oauth-authorization-server",
            "http-public-well-known-openid-configuration",
            "http-public-health",
            "http-public-livez",
            "http-public-ready",
        ]
    );
    assert_eq!(missing_public.len(), 16);
    assert_eq!(missing_admin.len(), admin::OPERATIONS.len());
    assert_eq!(admin::OPERATIONS.len(), 76);
}
