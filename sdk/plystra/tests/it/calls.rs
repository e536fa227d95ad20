//! What each call sends (method, path, query, credential, request id, body) and what it returns.

use futures_util::StreamExt;
use plystra::authz::{Actor, AuthzCheck, Grant, Resource};
use plystra::prelude::*;
use plystra::types::{DecisionOutcome, DenyCode, PermissionScope};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, Request, ResponseTemplate};

use crate::wire::{self, REQUEST_ID};

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("x-request-id", REQUEST_ID)
        .set_body_json(body)
}

fn seed_context_request() -> AuthzCheck {
    AuthzCheck::new("approve")
        .actor(
            Actor::new(
                "user_external_alice",
                "member_finance_reviewer",
                "space_acme",
            )
            .binding_id("binding_external_alice_finance"),
        )
        .resource(
            Resource::new("invoice")
                .external_id("invoice_001")
                .space_id("space_acme")
                .group_path("finance.apac")
                .owner_member_id("member_invoice_creator"),
        )
        .grant(
            Grant::new("invoice", "approve", PermissionScope::GroupTree)
                .role_key("finance_approver")
                .space_id("space_acme")
                .scope_anchor_group_path("finance"),
        )
}

fn only_request(requests: &[Request]) -> &Request {
    assert_eq!(requests.len(), 1, "exactly one request");
    &requests[0]
}

#[tokio::test]
async fn login_sends_no_credential_and_unwraps_the_session() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_ak_demo.s3cret")
        .access_token("ply_at_old")
        .build()
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/auth/login"))
        .and(body_json(
            json!({"email": "alice@example.com", "password": "plystra-demo"}),
        ))
        .respond_with(ok(wire::envelope(wire::login())))
        .expect(1)
        .mount(&server)
        .await;
    let session = plystra
        .auth()
        .login("alice@example.com", "plystra-demo")
        .await
        .unwrap();
    assert_eq!(session.access_token, "ply_at_aaaa");
    assert_eq!(session.request_id(), REQUEST_ID);
    let members = session.available_members.as_ref().unwrap();
    assert_eq!(members[0].member_display_name, "Finance Reviewer");
    let requests = server.received_requests().await.unwrap();
    let sent = only_request(&requests);
    assert!(sent.headers.get("x-plystra-api-key").is_none());
    assert!(sent.headers.get("authorization").is_none());
    assert!(sent.headers.get("api-version").is_none());
}

#[tokio::test]
async fn the_access_token_reaches_every_clone_and_can_be_cleared() {
    let (server, plystra) = wire::server().await;
    let clone = plystra.clone();
    Mock::given(method("GET"))
        .and(path("/api/v1/actor/context"))
        .and(header("authorization", "Bearer ply_at_aaaa"))
        .respond_with(ok(wire::envelope(wire::actor_context())))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/actor/context"))
        .respond_with(ResponseTemplate::new(401).set_body_json(wire::error(
            "AUTHENTICATION_REQUIRED",
            "A valid access token or API key is required.",
            json!(null),
        )))
        .expect(1)
        .mount(&server)
        .await;
    plystra.set_access_token("ply_at_aaaa");
    let actor = clone.actor().context().await.unwrap();
    assert_eq!(
        actor.actor.as_ref().unwrap().member_id,
        "member_finance_reviewer"
    );
    plystra.clear_access_token();
    let err = clone.actor().context().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
}

#[tokio::test]
async fn server_routes_prefer_the_api_key_and_actor_routes_the_token() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_ak_demo.s3cret")
        .access_token("ply_at_aaaa")
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/resource-types"))
        .respond_with(ok(wire::list(json!([]), None, false)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/actor/context"))
        .respond_with(ok(wire::envelope(wire::actor_context())))
        .mount(&server)
        .await;
    plystra.resource_types().list().await.unwrap();
    plystra.actor().context().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].headers["x-plystra-api-key"],
        "ply_ak_demo.s3cret"
    );
    assert!(requests[0].headers.get("authorization").is_none());
    assert_eq!(requests[1].headers["authorization"], "Bearer ply_at_aaaa");
    assert!(requests[1].headers.get("x-plystra-api-key").is_none());
}

#[tokio::test]
async fn with_request_id_stamps_every_call_through_that_client_only() {
    let (server, plystra) = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/health"))
        .respond_with(ok(wire::envelope(json!({"status": "ok"}))))
        .mount(&server)
        .await;
    let scoped = plystra.with_request_id("req_01HYAPP");
    scoped.system().health().await.unwrap();
    scoped.system().health().await.unwrap();
    plystra.system().health().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers["x-request-id"], "req_01HYAPP");
    assert_eq!(requests[1].headers["x-request-id"], "req_01HYAPP");
    assert!(requests[2].headers.get("x-request-id").is_none());
}

#[tokio::test]
async fn metrics_come_back_as_text_and_fail_with_the_error_envelope() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .access_token("ply_at_aaaa")
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/metrics"))
        .and(header("authorization", "Bearer ply_at_aaaa"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", REQUEST_ID)
                .set_body_raw("authz_denies_total 2\n", "text/plain; version=0.0.4"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let metrics = plystra.system().metrics().await.unwrap();
    assert_eq!(metrics.data, "authz_denies_total 2\n");
    assert_eq!(metrics.request_id(), REQUEST_ID);

    Mock::given(method("GET"))
        .and(path("/metrics"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("x-request-id", REQUEST_ID)
                .set_body_json(wire::error("METRICS_TOKEN_REQUIRED", "no token", json!({}))),
        )
        .mount(&server)
        .await;
    let error = plystra::call_text(plystra.api().get_metrics().send())
        .await
        .unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(api.status, 401);
    assert_eq!(api.code.as_str(), "METRICS_TOKEN_REQUIRED");
    assert_eq!(api.request_id.as_deref(), Some(REQUEST_ID));
}

#[tokio::test]
async fn context_mode_explain_sends_the_seed_shape_and_decodes_the_decision() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_kernel_secret")
        .build()
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/authz/explain"))
        .and(header("x-plystra-api-key", "ply_kernel_secret"))
        .respond_with(ok(wire::envelope(wire::decision_allow())))
        .expect(1)
        .mount(&server)
        .await;
    let decision = plystra
        .authz()
        .explain(seed_context_request())
        .await
        .unwrap();
    assert_eq!(decision.decision, DecisionOutcome::Allow);
    let candidate = &decision.matched_candidates.as_ref().unwrap()[0];
    assert!(candidate.scope_check.covered);
    assert_eq!(candidate.permission.scope, PermissionScope::GroupTree);
    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&only_request(&requests).body).unwrap();
    insta::assert_json_snapshot!("context_mode_request", body);
}

#[tokio::test]
async fn check_returns_the_verdict_and_never_asks_for_explain() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_kernel_secret")
        .build()
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/authz/check"))
        .respond_with(ok(wire::envelope(wire::check_result_deny())))
        .mount(&server)
        .await;
    let mut request = seed_context_request().into_request();
    request.explain = Some(true);
    let verdict = plystra.authz().check(request).await.unwrap();
    assert!(!verdict.allow);
    assert_eq!(verdict.deny_code, Some(DenyCode::ScopeOutOfBounds));
    assert_eq!(verdict.audit_log_id, "audit_0a1b2c3d4e5f6071");
    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&only_request(&requests).body).unwrap();
    assert!(body.get("explain").is_none(), "{body}");
}

#[tokio::test]
async fn generated_operations_send_their_query_and_unwrap_lists() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .access_token("ply_at_aaaa")
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("limit", "2"))
        .respond_with(ok(wire::list(
            json!([
                wire::user("user_alice", "alice@example.com"),
                wire::user("user_bob", "bob@example.com")
            ]),
            None,
            false,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let users = plystra.api().list_users().limit(2).call().await.unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[1].email, "bob@example.com");
    let page = users.pagination.as_ref().unwrap();
    assert_eq!(
        (page.limit, page.has_more, page.cursor.as_deref()),
        (50, false, None)
    );
    assert_eq!(users.next_cursor(), None);
}

#[tokio::test]
async fn audit_reads_pass_filters_and_ids() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_ak_demo.s3cret")
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/audit/logs"))
        .and(query_param("space_id", "space_acme"))
        .and(query_param("decision", "deny"))
        .respond_with(ok(wire::list(json!([]), None, false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/audit/logs/audit_404"))
        .respond_with(ResponseTemplate::new(404).set_body_json(wire::error(
            "AUDIT_LOG_NOT_FOUND",
            "Resource was not found.",
            json!(null),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let rows = plystra
        .audit()
        .list()
        .space_id("space_acme")
        .decision(DecisionOutcome::Deny)
        .call()
        .await
        .unwrap();
    assert!(rows.is_empty());
    let err = plystra.audit().get("audit_404").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.api().unwrap().code.as_str(), "AUDIT_LOG_NOT_FOUND");
}

#[tokio::test]
async fn paginate_walks_cursor_pages_lazily() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .access_token("ply_at_aaaa")
        .build()
        .unwrap();
    let record = |id: &str| {
        json!({"id": id, "space_id": "space_acme", "model_id": "m1", "model_key": "notes", "group_id": "",
            "owner_member_id": "", "visibility": "private", "status": "active", "display_name": id,
            "data": {}, "metadata": {}, "created_at": "2026-05-12T01:00:00Z",
            "updated_at": "2026-05-12T01:00:00Z", "deleted_at": null})
    };
    let records_path = "/api/v1/spaces/space_acme/data/models/notes/records";
    Mock::given(method("GET"))
        .and(path(records_path))
        .and(query_param("cursor", "c2"))
        .respond_with(ok(wire::list(json!([record("r3")]), None, false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(records_path))
        .respond_with(ok(wire::list(
            json!([record("r1"), record("r2")]),
            Some("c2"),
            true,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let ids: Vec<String> = plystra::paginate(|cursor| {
        let page = plystra
            .api()
            .list_app_data_records()
            .space_id("space_acme")
            .model_key("notes");
        match cursor {
            Some(cursor) => page.cursor(cursor),
            None => page,
        }
    })
    .map(|record| record.unwrap().id)
    .collect()
    .await;
    assert_eq!(ids, ["r1", "r2", "r3"]);
}

/// The remaining convenience methods: route, method, credential (or its absence) and body.
#[tokio::test]
async fn every_other_convenience_method_hits_its_route() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_ak_demo.s3cret")
        .access_token("ply_at_aaaa")
        .build()
        .unwrap();
    let register = json!({"access_token": "ply_at_n", "refresh_token": "ply_rt_n", "token_type": "Bearer",
        "expires_at": "2026-05-12T01:15:00Z", "refresh_expires_at": "2026-06-11T01:00:00Z",
        "user": {"id": "user_n", "email": "new@example.com", "status": "active"}, "actor": null,
        "available_members": [], "bootstrap_super_admin": false, "bootstrap_admin_grant_id": "",
        "space_admin_grant_id": "ag_1", "registration_mode": "ordinary", "user_only": false,
        "registration_requires_approval": false});
    let refresh = json!({"access_token": "ply_at_2", "refresh_token": "ply_rt_2", "token_type": "Bearer",
        "expires_at": "2026-05-12T01:30:00Z", "refresh_expires_at": "2026-06-11T01:00:00Z"});
    let me = json!({"session_id": "sess_1", "user": {"id": "user_alice", "email": "alice@example.com", "status": "active"},
        "session": {"active_space_id": "space_acme", "active_member_id": "member_finance_reviewer",
            "active_user_member_id": "um_alice_finance_reviewer", "expires_at": "2026-05-12T01:15:00Z",
            "refresh_expires_at": "2026-06-11T01:00:00Z"},
        "actor": wire::login()["actor"], "available_members": wire::login()["available_members"]});
    let capabilities = json!({"states": {"audit.explainable": "ready"}, "services": []});
    let resource_type = json!({"id": "rt_invoice", "key": "invoice", "display_name": "Invoice", "description": "",
        "status": "active", "source": "core", "metadata": {}, "created_at": "2026-05-12T01:00:00Z",
        "updated_at": "2026-05-12T01:00:00Z"});
    let routes = [
        (
            "POST",
            "/api/v1/auth/register",
            wire::envelope(register),
            201,
        ),
        ("POST", "/api/v1/auth/refresh", wire::envelope(refresh), 200),
        (
            "POST",
            "/api/v1/auth/logout",
            wire::envelope(json!({"logged_out": true})),
            200,
        ),
        ("GET", "/api/v1/auth/me", wire::envelope(me), 200),
        (
            "POST",
            "/api/v1/actor/switch-member",
            wire::envelope(wire::actor_context()),
            200,
        ),
        (
            "GET",
            "/api/v1/capabilities",
            wire::envelope(capabilities),
            200,
        ),
        (
            "GET",
            "/api/v1/resource-types/invoice",
            wire::envelope(resource_type),
            200,
        ),
    ];
    for (verb, route, body, status) in routes {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let registered = plystra
        .auth()
        .register(
            serde_json::from_value(
                json!({"email": "new@example.com", "password": "correct horse battery"}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        registered.registration_mode,
        plystra::types::RegistrationMode::Ordinary
    );
    assert_eq!(
        plystra
            .auth()
            .refresh("ply_rt_1")
            .await
            .unwrap()
            .access_token,
        "ply_at_2"
    );
    assert!(plystra.auth().logout("ply_rt_2").await.unwrap().logged_out);
    assert_eq!(plystra.auth().me().await.unwrap().session_id, "sess_1");
    plystra
        .actor()
        .switch_member("member_finance_reviewer")
        .await
        .unwrap();
    assert_eq!(
        plystra.capabilities().list().await.unwrap().states["audit.explainable"],
        "ready"
    );
    assert_eq!(
        plystra.resource_types().get("invoice").await.unwrap().key,
        "invoice"
    );

    let requests = server.received_requests().await.unwrap();
    let body = |i: usize| serde_json::from_slice::<serde_json::Value>(&requests[i].body).unwrap();
    let credential = |i: usize| {
        let h = &requests[i].headers;
        (
            h.get("x-plystra-api-key").is_some(),
            h.get("authorization")
                .map(|v| v.to_str().unwrap().to_string()),
        )
    };
    assert_eq!(body(0)["email"], "new@example.com");
    assert_eq!(body(1), json!({"refresh_token": "ply_rt_1"}));
    assert_eq!(body(2), json!({"refresh_token": "ply_rt_2"}));
    for public in 0..3 {
        assert_eq!(
            credential(public),
            (false, None),
            "auth routes send no credential"
        );
    }
    assert_eq!(
        credential(3),
        (false, Some("Bearer ply_at_aaaa".into())),
        "me is a session route"
    );
    assert_eq!(body(4), json!({"member_id": "member_finance_reviewer"}));
    assert_eq!(credential(4), (false, Some("Bearer ply_at_aaaa".into())));
    assert_eq!(
        credential(5),
        (true, None),
        "server routes prefer the API key"
    );
    assert_eq!(credential(6), (true, None));
}

#[tokio::test]
async fn generated_writes_send_their_body_and_decode_201() {
    let (server, _) = wire::server().await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_ak_demo.s3cret")
        .build()
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .and(body_json(
            json!({"email": "carol@example.com", "username": "carol"}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(wire::envelope(wire::user(
                "user_carol",
                "carol@example.com",
            ))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let created = plystra
        .api()
        .create_user()
        .body_map(|b| {
            b.email("carol@example.com")
                .username(Some("carol".to_string()))
        })
        .call()
        .await
        .unwrap();
    assert_eq!(created.id, "user_carol");
    // A missing required field is reported before anything is sent.
    let err = plystra.api().create_user().call().await.unwrap_err();
    assert!(matches!(err, plystra::Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
