//! The resource registry, resources, the audit log API and `/metrics` through the SDK (and the
//! raw endpoint for the metrics text) against the server started in-process. Every case runs on
//! SQLite and on PostgreSQL (`<case>::sqlite`, `<case>::postgres`).

use std::sync::Arc;

use plystra::Plystra;
use plystra::prelude::*;
use plystra::types::{self, DecisionOutcome, ResourceStatus};
use plystra_server::{Config, Server, Store};
use poem::http::StatusCode;
use serde_json::json;

use crate::common::{client, login, on_both_backends, seed_demo_with_super_admin, serve_server};

on_both_backends!(
    registry_upserts_by_key,
    resources_in_their_space,
    audit_log_lists_and_details,
    metrics_need_a_token_or_metrics_read,
);

/// Status and code of a failed call.
fn failure<T: std::fmt::Debug>(result: Result<T, plystra::Error>) -> (u16, String) {
    let err = result.expect_err("the call fails");
    let api = err.api().unwrap_or_else(|| panic!("an API error: {err:?}"));
    (api.status, api.code.as_str())
}

/// A JSON value as the SDK's request type `$ty`.
macro_rules! request {
    ($ty:ident, $json:expr) => {
        serde_json::from_value::<types::$ty>($json)
            .unwrap_or_else(|e| panic!("not a {}: {e}", stringify!($ty)))
    };
}

/// The demo served in-process with alice (super admin) logged in.
async fn alice(store: &Store) -> Plystra {
    seed_demo_with_super_admin(store).await;
    let server = Arc::new(Server::new(store.clone(), Arc::new(Config::for_tests())));
    let base = serve_server(server).await;
    let alice = Plystra::new(&base).unwrap();
    let session = alice
        .auth()
        .login("alice@example.com", "plystra-demo")
        .await
        .unwrap();
    alice.set_access_token(&session.access_token);
    alice
}

async fn registry_upserts_by_key(store: Store) {
    let alice = alice(&store).await;
    let api = alice.api();
    let first = api
        .upsert_resource_type()
        .body(request!(
            ResourceTypeMutationRequest,
            json!({"key": "contract", "display_name": "Contract"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(first.status, "active");
    assert_eq!(first.source, "core");
    assert!(first.id.starts_with("rt_"));
    // The same key again: 201, the same row, new values.
    let again = api
        .upsert_resource_type()
        .body(request!(
            ResourceTypeMutationRequest,
            json!({"key": "contract", "display_name": "Contracts", "source": "plugin"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(
        (again.id.as_str(), again.display_name.as_str()),
        (first.id.as_str(), "Contracts")
    );
    assert_eq!(again.source, "plugin");
    assert_eq!(
        alice
            .resource_types()
            .get("contract")
            .await
            .unwrap()
            .display_name,
        "Contracts"
    );
    assert_eq!(
        failure(alice.resource_types().get("nothing").await),
        (404, "RESOURCE_TYPE_NOT_FOUND".into())
    );
    assert_eq!(
        failure(
            api.upsert_resource_type()
                .body(request!(
                    ResourceTypeMutationRequest,
                    json!({"key": "x", "display_name": " "})
                ))
                .call()
                .await
        ),
        (400, "VALIDATION_FAILED".into())
    );
    let keys: Vec<String> = alice
        .resource_types()
        .list()
        .await
        .unwrap()
        .data
        .into_iter()
        .map(|t| t.key)
        .collect();
    assert_eq!(keys, ["contract", "invoice"], "ordered by key");

    // Actions: upsert by (type, key), defaults, listed by key.
    let sign = api
        .upsert_resource_action()
        .resource_type("contract")
        .body(request!(
            ResourceActionMutationRequest,
            json!({"key": "sign", "display_name": "Sign"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(
        (sign.risk_level.as_str(), sign.audit_default),
        ("normal", true)
    );
    let resigned = api
        .upsert_resource_action()
        .resource_type("contract")
        .body(request!(ResourceActionMutationRequest, json!({"key": "sign", "display_name": "Sign it", "risk_level": "high", "audit_default": false})))
        .call()
        .await
        .unwrap();
    assert_eq!(resigned.id, sign.id);
    assert_eq!(
        (resigned.risk_level.as_str(), resigned.audit_default),
        ("high", false)
    );
    api.upsert_resource_action()
        .resource_type("contract")
        .body(request!(
            ResourceActionMutationRequest,
            json!({"key": "read", "display_name": "Read"})
        ))
        .call()
        .await
        .unwrap();
    let actions: Vec<String> = api
        .list_resource_actions()
        .resource_type("contract")
        .call()
        .await
        .unwrap()
        .data
        .into_iter()
        .map(|a| a.key)
        .collect();
    assert_eq!(actions, ["read", "sign"]);
    assert_eq!(
        failure(
            api.list_resource_actions()
                .resource_type("nothing")
                .call()
                .await
        ),
        (404, "RESOURCE_TYPE_NOT_FOUND".into())
    );

    // The mapping: none yet, then one per type with defaults.
    assert_eq!(
        failure(
            api.get_resource_mapping()
                .resource_type("contract")
                .call()
                .await
        ),
        (404, "RESOURCE_MAPPING_NOT_FOUND".into())
    );
    assert_eq!(
        failure(
            api.get_resource_mapping()
                .resource_type("nothing")
                .call()
                .await
        ),
        (404, "RESOURCE_TYPE_NOT_FOUND".into())
    );
    let mapping = api
        .upsert_resource_mapping()
        .resource_type("contract")
        .body(request!(
            ResourceMappingMutationRequest,
            json!({"group_field": "group_id"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(
        (
            mapping.storage_kind.as_str(),
            mapping.id_field.as_str(),
            mapping.space_field.as_str(),
            mapping.group_field.as_str(),
            mapping.resource_type.as_str(),
        ),
        ("internal_table", "id", "space_id", "group_id", "contract")
    );
    let remapped = api
        .upsert_resource_mapping()
        .resource_type("contract")
        .body(request!(
            ResourceMappingMutationRequest,
            json!({"table_name": "contracts"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(remapped.id, mapping.id, "one mapping per type");
    assert_eq!(
        api.get_resource_mapping()
            .resource_type("contract")
            .call()
            .await
            .unwrap()
            .table_name,
        "contracts"
    );
}

async fn resources_in_their_space(store: Store) {
    let alice = alice(&store).await;
    let api = alice.api();
    let create = |body: serde_json::Value| {
        api.create_space_resource()
            .space_id("space_acme")
            .body(request!(ResourceMutationRequest, body))
    };
    let created = create(json!({"resource_type": "invoice", "group_id": "group_finance_emea", "display_name": "EMEA 3", "owner_member_id": "member_invoice_creator"}))
        .call()
        .await
        .unwrap();
    assert!(created.id.starts_with("invoice_"), "{}", created.id);
    assert_eq!(created.visibility, "private");
    assert_eq!(created.status, ResourceStatus::Active);
    assert_eq!(created.group_path, "finance.emea");
    assert_eq!(created.space_name, "Acme");
    assert!(!created.owner_member_display_name.is_empty());
    // References must be in the space; the type must be registered.
    for body in [
        json!({"resource_type": "invoice", "group_id": "group_nowhere"}),
        json!({"resource_type": "invoice", "owner_member_id": "member_nobody"}),
        json!({"resource_type": "unregistered"}),
        json!({"resource_type": "invoice", "space_id": "space_other"}),
    ] {
        assert_eq!(
            failure(create(body).call().await),
            (400, "VALIDATION_FAILED".into())
        );
    }
    let dup = create(json!({"resource_type": "invoice", "id": "invoice_001"}))
        .call()
        .await;
    assert_eq!(failure(dup), (409, "RESOURCE_CREATE_FAILED".into()));

    // Global routes: create by body space, read by type and id.
    let global = api
        .create_resource()
        .body(request!(
            ResourceCreateRequest,
            json!({"resource_type": "invoice", "space_id": "space_acme", "id": "inv_global"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(global.space_id, "space_acme");
    let read = api
        .get_resource_by_type_and_id()
        .resource_type("invoice")
        .resource_id("inv_global")
        .call()
        .await
        .unwrap();
    assert_eq!(read.id, "inv_global");
    assert_eq!(
        failure(
            api.get_resource_by_type_and_id()
                .resource_type("contract")
                .resource_id("inv_global")
                .call()
                .await
        ),
        (404, "RESOURCE_NOT_FOUND".into())
    );

    // Lists page by (type, id).
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut page = api
            .list_space_resources()
            .space_id("space_acme")
            .resource_type("invoice")
            .limit(2u32);
        if let Some(c) = cursor.take() {
            page = page.cursor(c);
        }
        let out = page.call().await.unwrap();
        seen.extend(out.data.iter().map(|r| r.id.clone()));
        let pagination = out.pagination.clone().unwrap();
        if !pagination.has_more {
            break;
        }
        cursor = pagination.cursor;
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert!(seen.contains(&created.id) && seen.contains(&"invoice_001".to_string()));
    let all = api
        .list_resources()
        .space_id("space_acme")
        .call()
        .await
        .unwrap();
    assert_eq!(all.data.len(), seen.len());

    // Updates stay in the space; archive is a status.
    let moved = api
        .update_space_resource()
        .space_id("space_acme")
        .resource_id(&created.id)
        .body(request!(
            ResourceUpdateRequest,
            json!({"group_id": "group_legal_emea", "display_name": "Moved"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(
        (moved.group_path.as_str(), moved.display_name.as_str()),
        ("legal.emea", "Moved")
    );
    let bad = api
        .update_space_resource()
        .space_id("space_acme")
        .resource_id(&created.id)
        .body(request!(
            ResourceUpdateRequest,
            json!({"group_id": "group_nowhere"})
        ))
        .call()
        .await;
    assert_eq!(failure(bad), (400, "VALIDATION_FAILED".into()));
    let archived = api
        .archive_space_resource()
        .space_id("space_acme")
        .resource_id(&created.id)
        .call()
        .await
        .unwrap();
    assert_eq!(archived.status, ResourceStatus::Archived);

    // Another space's path does not reach it.
    let other = api
        .create_space()
        .body(request!(
            SpaceMutationRequest,
            json!({"name": "other", "id": "space_other"})
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(
        failure(
            api.get_space_resource()
                .space_id(&other.id)
                .resource_id(&created.id)
                .call()
                .await
        ),
        (404, "RESOURCE_NOT_FOUND".into())
    );

    // One audit row per change, in the resource's space.
    let actions: Vec<String> = alice
        .audit()
        .list()
        .resource_id(&created.id)
        .call()
        .await
        .unwrap()
        .data
        .into_iter()
        .map(|row| row.action)
        .collect();
    assert_eq!(
        actions,
        ["resource.archived", "resource.updated", "resource.created"]
    );
}

async fn audit_log_lists_and_details(store: Store) {
    let alice = alice(&store).await;
    let api = alice.api();
    for name in ["a1", "a2", "a3", "a4", "a5"] {
        api.create_space()
            .body(request!(
                SpaceMutationRequest,
                json!({"name": name, "id": format!("space_{name}")})
            ))
            .call()
            .await
            .unwrap();
    }
    // Newest first, every row once across pages.
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut page = alice.audit().list().resource_type("space").limit(2u32);
        if let Some(c) = cursor.take() {
            page = page.cursor(c);
        }
        let out = page.call().await.unwrap();
        ids.extend(
            out.data
                .iter()
                .map(|r| (r.created_at, r.id.clone(), r.resource_id.clone())),
        );
        let pagination = out.pagination.clone().unwrap();
        if !pagination.has_more {
            break;
        }
        cursor = pagination.cursor;
    }
    assert_eq!(ids.len(), 5);
    for pair in ids.windows(2) {
        assert!(
            (pair[0].0, &pair[0].1) > (pair[1].0, &pair[1].1),
            "newest first: {pair:?}"
        );
    }
    let mut spaces: Vec<&str> = ids.iter().map(|r| r.2.as_str()).collect();
    spaces.sort();
    assert_eq!(
        spaces,
        ["space_a1", "space_a2", "space_a3", "space_a4", "space_a5"]
    );

    // Filters.
    let allowed = alice
        .audit()
        .list()
        .space_id("space_a3")
        .decision(DecisionOutcome::Allow)
        .call()
        .await
        .unwrap();
    assert_eq!(allowed.data.len(), 1);
    let row = &allowed.data[0];
    assert_eq!(
        (row.action.as_str(), row.actor_user_id.as_str()),
        ("space.created", "user_alice")
    );
    assert!(row.trace.is_empty(), "lists leave the trace out");
    let denied = alice
        .audit()
        .list()
        .decision(DecisionOutcome::Deny)
        .call()
        .await
        .unwrap();
    assert!(denied.data.is_empty());
    #[allow(clippy::disallowed_methods)] // the server under test reads the system clock
    let future = chrono::Utc::now() + chrono::Duration::days(1);
    let none = alice
        .audit()
        .list()
        .created_at_from(future)
        .call()
        .await
        .unwrap();
    assert!(none.data.is_empty());
    #[allow(clippy::disallowed_methods)] // the server under test reads the system clock
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    let inverted = alice
        .audit()
        .list()
        .created_at_from(future)
        .created_at_to(past)
        .call()
        .await;
    assert_eq!(failure(inverted), (400, "VALIDATION_FAILED".into()));
    let ranged = alice
        .audit()
        .list()
        .resource_type("space")
        .created_at_from(past)
        .created_at_to(future)
        .call()
        .await
        .unwrap();
    assert_eq!(ranged.data.len(), 5);

    // Details carry the trace; the space routes stay in their space.
    let detail = alice.audit().get(&row.id).await.unwrap();
    assert_eq!(
        detail.trace["fields"],
        json!(["name", "slug", "type", "status", "metadata"])
    );
    let in_space = api
        .get_space_audit_log()
        .space_id("space_a3")
        .audit_log_id(&row.id)
        .call()
        .await
        .unwrap();
    assert_eq!(in_space.id, row.id);
    assert_eq!(
        failure(
            api.get_space_audit_log()
                .space_id("space_a1")
                .audit_log_id(&row.id)
                .call()
                .await
        ),
        (404, "AUDIT_LOG_NOT_FOUND".into())
    );
    assert_eq!(
        failure(alice.audit().get("audit_nothing").await),
        (404, "AUDIT_LOG_NOT_FOUND".into())
    );
    let listed = api
        .list_space_audit_logs()
        .space_id("space_a3")
        .call()
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);
}

async fn metrics_need_a_token_or_metrics_read(store: Store) {
    seed_demo_with_super_admin(&store).await;
    let mut config = Config::for_tests();
    config.metrics.enabled = true;
    config.metrics.token = Some("metrics-token-0123456789abcdef".into());
    let server = Arc::new(Server::new(store.clone(), Arc::new(config)));
    let cli = client(server.clone());
    let token = login(&cli, "alice@example.com").await;
    cli.get("/api/v1/users")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .assert_status_is_ok();

    let resp = cli.get("/metrics").send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    resp.assert_header("x-plystra-error-code", "METRICS_TOKEN_REQUIRED");
    let resp = cli
        .get("/metrics")
        .header("X-Metrics-Token", "wrong")
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    for (name, value) in [
        (
            "X-Plystra-Metrics-Token",
            "metrics-token-0123456789abcdef".to_string(),
        ),
        (
            "X-Metrics-Token",
            "metrics-token-0123456789abcdef".to_string(),
        ),
        (
            "Authorization",
            "Bearer metrics-token-0123456789abcdef".to_string(),
        ),
        ("Authorization", format!("Bearer {token}")),
    ] {
        let resp = cli.get("/metrics").header(name, value).send().await;
        resp.assert_status_is_ok();
        let text = resp.0.into_body().into_string().await.unwrap();
        assert!(
            text.contains(r#"plystra_http_requests_total{operation="listUsers",status="200"} 1"#),
            "{text}"
        );
        assert!(text.contains("audit_logs_written_total"), "{text}");
    }
    // A credential without metrics:read is not enough.
    let bob = login(&cli, "bob@example.com").await;
    let resp = cli
        .get("/metrics")
        .header("Authorization", format!("Bearer {bob}"))
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);

    // Disabled metrics are not there at all.
    let mut config = Config::for_tests();
    config.metrics.enabled = false;
    let server = Arc::new(Server::new(store, Arc::new(config)));
    let resp = client(server)
        .get("/metrics")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    resp.assert_status(StatusCode::NOT_FOUND);
    resp.assert_header("x-plystra-error-code", "FEATURE_DISABLED");
}
