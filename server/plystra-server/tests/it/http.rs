//! Wire behaviour of the skeleton: envelopes, request ids, rejections, 501s, spec and docs.

use plystra_server_api::OPERATIONS;
use poem::http::StatusCode;
use serde_json::Value;

use crate::common::{client, login, seed_demo_with_super_admin, server};

async fn json(resp: poem::test::TestResponse) -> (StatusCode, poem::http::HeaderMap, Value) {
    let status = resp.0.status();
    let headers = resp.0.headers().clone();
    let body = resp.0.into_body().into_string().await.expect("body");
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (status, headers, value)
}

/// Asserts the contract's error envelope and returns its code.
fn error_code(status: StatusCode, headers: &poem::http::HeaderMap, body: &Value) -> String {
    let request_id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(body["request_id"], request_id, "{body}");
    assert_eq!(body["error"]["request_id"], request_id, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(
        body["error"].get("details").is_some(),
        "details always present: {body}"
    );
    let code = body["error"]["code"].as_str().expect("code").to_string();
    assert_eq!(headers["x-plystra-error-code"], code.as_str(), "{status}");
    code
}

#[tokio::test]
async fn health_answers_the_envelope_with_a_request_id() {
    let cli = client(server().await);
    let (status, headers, body) = json(cli.get("/api/v1/health").send().await).await;
    assert_eq!(status, StatusCode::OK);
    let id = headers["x-request-id"].to_str().unwrap();
    assert!(id.starts_with("req_") && id.len() == 20, "{id}");
    assert_eq!(
        body,
        serde_json::json!({"data": {"status": "ok"}, "request_id": id})
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn a_valid_client_request_id_is_echoed_and_an_invalid_one_replaced() {
    let cli = client(server().await);
    let resp = cli
        .get("/api/v1/version")
        .header("X-Request-ID", "trace-42")
        .send()
        .await;
    let (_, headers, body) = json(resp).await;
    assert_eq!(headers["x-request-id"], "trace-42");
    assert_eq!(body["request_id"], "trace-42");
    assert_eq!(body["data"]["api_version"], "v1");
    let resp = cli
        .get("/api/v1/health")
        .header("X-Request-ID", "a".repeat(129))
        .send()
        .await;
    let (_, headers, _) = json(resp).await;
    assert!(
        headers["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
}

#[tokio::test]
async fn ready_checks_the_database() {
    let server = server().await;
    let cli = client(server.clone());
    let (status, _, body) = json(cli.get("/api/v1/ready").send().await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["status"], "ready");
    assert_eq!(body["data"]["trace_version"], "1.0");
    server.store().close().await;
    let (status, headers, body) = json(cli.get("/api/v1/ready").send().await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(status, &headers, &body), "NOT_READY");
}

/// Every POST route that takes a body rejects malformed JSON with the envelope (a super admin's
/// session is sent so that the body is what fails).
#[tokio::test]
async fn bad_json_on_every_post_route_is_validation_failed() {
    let server = server().await;
    seed_demo_with_super_admin(server.store()).await;
    let cli = client(server);
    let token = login(&cli, "alice@example.com").await;
    let mut checked = 0;
    for op in OPERATIONS
        .iter()
        .filter(|op| op.method == "POST" && op.request_body.is_some())
    {
        let path = concrete(op.path);
        let resp = cli
            .post(&path)
            .header("Authorization", format!("Bearer {token}"))
            .content_type("application/json")
            .body("{not json")
            .send()
            .await;
        let (status, headers, body) = json(resp).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{} {path}: {body}", op.id);
        assert_eq!(
            error_code(status, &headers, &body),
            "VALIDATION_FAILED",
            "{}",
            op.id
        );
        assert_eq!(body["error"]["message"], "Request body is invalid JSON.");
        checked += 1;
    }
    assert_eq!(checked, 56, "POST operations with a JSON body in the spec");
}

#[tokio::test]
async fn unknown_fields_wrong_content_type_and_bad_parameters_are_validation_failed() {
    let server = server().await;
    seed_demo_with_super_admin(server.store()).await;
    let cli = client(server);
    let token = login(&cli, "alice@example.com").await;
    let cases = [
        cli.post("/api/v1/auth/login").body_json(
            &serde_json::json!({"email": "a@b.c", "password": "x", "password_hash": "y"}),
        ),
        cli.post("/api/v1/auth/login")
            .content_type("text/plain")
            .body(r#"{"email":"a@b.c","password":"x"}"#),
        cli.post("/api/v1/auth/login")
            .content_type("application/json")
            .body(""),
        cli.get("/api/v1/users")
            .header("Authorization", format!("Bearer {token}"))
            .query("limit", &"many"),
    ];
    for case in cases {
        let (status, headers, body) = json(case.send().await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(status, &headers, &body), "VALIDATION_FAILED");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let server = server().await;
    seed_demo_with_super_admin(server.store()).await;
    let cli = client(server);
    // Unknown API paths are protected like any other (as upstream): 401 without a credential.
    let (status, headers, body) = json(cli.get("/api/v1/nope").send().await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_code(status, &headers, &body),
        "AUTHENTICATION_REQUIRED"
    );
    let token = login(&cli, "alice@example.com").await;
    let resp = cli
        .get("/api/v1/nope")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    let (status, headers, body) = json(resp).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(status, &headers, &body), "NOT_FOUND");
    let resp = cli
        .delete("/api/v1/health")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    let (status, headers, body) = json(resp).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(status, &headers, &body), "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn protected_routes_need_a_credential_and_unbuilt_ones_answer_501() {
    let server = server().await;
    seed_demo_with_super_admin(server.store()).await;
    let cli = client(server);
    let token = login(&cli, "alice@example.com").await;
    let (status, headers, body) = json(cli.get("/api/v1/users").send().await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_code(status, &headers, &body),
        "AUTHENTICATION_REQUIRED"
    );
    let resp = cli
        .get("/api/v1/plugins")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    let (status, headers, body) = json(resp).await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(error_code(status, &headers, &body), "NOT_IMPLEMENTED");
    assert_eq!(body["error"]["details"]["operation_id"], "listPlugins");
    // An optional body may be left out entirely.
    let (status, _, body) = json(cli.post("/api/v1/auth/logout").send().await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["logged_out"], true);
}

#[tokio::test]
async fn the_spec_and_the_docs_are_served() {
    let cli = client(server().await);
    let spec: Value = serde_yaml::from_str(include_str!("../../../../spec/plystra.yaml")).unwrap();
    let (status, _, served) = json(cli.get("/openapi.json").send().await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served, spec);
    let resp = cli.get("/openapi.yaml").send().await;
    resp.assert_status_is_ok();
    let yaml = resp.0.into_body().into_string().await.unwrap();
    assert_eq!(yaml, include_str!("../../../../spec/plystra.yaml"));
    let resp = cli.get("/docs").send().await;
    resp.assert_status_is_ok();
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(html.contains("swagger"), "swagger UI page");
}

#[tokio::test]
async fn implemented_operations_leave_the_unimplemented_list() {
    let server = server().await;
    let missing = plystra_server_api::probe::unimplemented_operations(&*server).await;
    let ids: Vec<_> = missing.iter().map(|op| op.id).collect();
    let done = [
        "getHealth",
        "getReadiness",
        "getVersion",
        "register",
        "login",
        "refreshSession",
        "logout",
        "getCurrentSession",
        "getActorContext",
        "switchMember",
        "listAdminGrants",
        "createAdminGrant",
        "getAdminGrant",
        "revokeAdminGrant",
        "getAdminMe",
        "listAPIKeys",
        "createAPIKey",
        "getAPIKey",
        "revokeAPIKey",
        "getConsoleOverview",
        "listCapabilities",
        "getMetrics",
    ];
    // Whole tags that are done.
    let done_tags = [
        "Users",
        "Spaces",
        "Groups",
        "Members",
        "User Members",
        "Roles",
        "Permissions",
        "Resource Types",
        "Resources",
        "Audit",
        "Authorization",
    ];
    for id in done {
        assert!(!ids.contains(&id), "{id} is implemented");
    }
    for op in &missing {
        assert!(
            !done_tags.contains(&op.tag),
            "{} ({}) is implemented",
            op.id,
            op.tag
        );
    }
    let whole_tags = OPERATIONS
        .iter()
        .filter(|op| done_tags.contains(&op.tag))
        .count();
    assert_eq!(whole_tags, 54 + 19 + 2);
    assert_eq!(ids.len(), OPERATIONS.len() - done.len() - whole_tags);
    assert!(ids.contains(&"listPlugins"));
}

/// A path template with every parameter filled in.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| if seg.starts_with('{') { "x" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_operation_has_a_rule_and_protected_ones_admit_before_parsing() {
    use plystra_server_api::runtime::Access;
    // Metrics on, so `/metrics` is admitted by its rule rather than switched off.
    let mut config = plystra_server::Config::for_tests();
    config.metrics.enabled = true;
    let store = server().await.store().clone();
    let cli = client(std::sync::Arc::new(plystra_server::Server::new(
        store,
        std::sync::Arc::new(config),
    )));
    for op in OPERATIONS {
        let access = op
            .access
            .unwrap_or_else(|| panic!("{} has no x-plystra-access rule", op.id));
        if let Access::Permission(rule) = access
            && let Some(entity) = rule.entity
        {
            assert!(
                plystra_server::service::principal::entity_kind(entity.kind).is_some(),
                "{}: unknown entity kind {}",
                op.id,
                entity.kind
            );
        }
        if access == Access::Public {
            continue;
        }
        // No credential and a body that is not JSON: admission answers first.
        let path: String = op
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let method: poem::http::Method = op.method.parse().unwrap();
        let resp = cli
            .request(method, path)
            .content_type("application/json")
            .body("{not json")
            .send()
            .await;
        let (status, headers, body) = json(resp).await;
        let code = error_code(status, &headers, &body);
        match access {
            // `/metrics`: neither the metrics token nor a credential.
            Access::Permission(rule) if rule.or_scheme.is_some() => {
                assert_eq!(
                    (status, code.as_str()),
                    (StatusCode::UNAUTHORIZED, "METRICS_TOKEN_REQUIRED"),
                    "{}",
                    op.id
                )
            }
            _ => assert_eq!(
                (status, code.as_str()),
                (StatusCode::UNAUTHORIZED, "AUTHENTICATION_REQUIRED"),
                "{}",
                op.id
            ),
        }
    }
}
