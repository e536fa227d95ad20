//! Wire shapes as the upstream server sends them (docs/behaviour.md §1, §6, §7, §10, §11).

use plystra::Plystra;
use serde_json::{Value, json};
use wiremock::MockServer;

pub const REQUEST_ID: &str = "req_0123456789abcdef";

pub async fn server() -> (MockServer, Plystra) {
    let server = MockServer::start().await;
    let client = Plystra::builder(server.uri()).build().unwrap();
    (server, client)
}

pub fn envelope(data: Value) -> Value {
    json!({"data": data, "request_id": REQUEST_ID})
}

pub fn list(items: Value, cursor: Option<&str>, has_more: bool) -> Value {
    json!({"data": items, "pagination": {"limit": 50, "cursor": cursor, "has_more": has_more}, "request_id": REQUEST_ID})
}

pub fn error(code: &str, message: &str, details: Value) -> Value {
    json!({"error": {"code": code, "message": message, "details": details, "request_id": REQUEST_ID}, "request_id": REQUEST_ID})
}

pub fn user(id: &str, email: &str) -> Value {
    json!({"id": id, "email": email, "username": "", "phone": "", "status": "active", "metadata": {},
        "password_changed_at": null, "last_login_at": null, "created_at": "2026-05-12T01:00:00Z",
        "updated_at": "2026-05-12T01:00:00Z", "deleted_at": null})
}

pub fn login() -> Value {
    json!({"access_token": "ply_at_aaaa", "refresh_token": "ply_rt_bbbb", "token_type": "Bearer",
        "expires_at": "2026-05-12T01:15:00Z", "refresh_expires_at": "2026-06-11T01:00:00Z",
        "user": {"id": "user_alice", "email": "alice@example.com", "status": "active"},
        "actor": {"user_id": "user_alice", "member_id": "member_finance_reviewer",
                  "user_member_id": "um_alice_finance_reviewer", "space_id": "space_acme"},
        "available_members": [{"user_member_id": "um_alice_finance_reviewer", "user_id": "user_alice",
            "user_email": "alice@example.com", "member_id": "member_finance_reviewer",
            "member_display_name": "Finance Reviewer", "space_id": "space_acme", "space_name": "Acme",
            "relation_type": "delegate", "is_primary": true}]})
}

pub fn actor_context() -> Value {
    let login = login();
    json!({"session_id": "sess_1", "actor": login["actor"], "available_members": login["available_members"],
        "expires_at": "2026-05-12T01:15:00Z"})
}

fn audit_context(decision: &str, deny_code: &str) -> Value {
    json!({"audit_log_id": "audit_0a1b2c3d4e5f6071", "actor_user_id": "user_external_alice",
        "actor_member_id": "member_finance_reviewer", "actor_user_member_id": "binding_external_alice_finance",
        "space_id": "space_acme", "action": "invoice.approve", "resource_type": "invoice",
        "resource_id": "invoice_001", "decision": decision, "deny_code": deny_code, "request_id": REQUEST_ID})
}

pub fn check_result_deny() -> Value {
    json!({"allow": false, "decision": "deny", "deny_code": "SCOPE_OUT_OF_BOUNDS",
        "reason": "matching permission grants do not cover the target resource scope",
        "trace_id": "trc_0a1b2c3d4e5f6071", "audit_log_id": "audit_0a1b2c3d4e5f6071",
        "audit": audit_context("deny", "SCOPE_OUT_OF_BOUNDS")})
}

pub fn decision_allow() -> Value {
    json!({
        "trace_version": "1.0", "trace_id": "trc_0a1b2c3d4e5f6071", "decision": "allow",
        "actor": {
            "user": {"id": "user_external_alice", "email": "", "status": "active"},
            "member": {"id": "member_finance_reviewer", "space_id": "space_acme", "display_name": "member_finance_reviewer", "status": "active"},
            "user_member": {"id": "binding_external_alice_finance", "user_id": "user_external_alice",
                "member_id": "member_finance_reviewer", "space_id": "space_acme", "relation_type": "external",
                "status": "active", "is_primary": true, "expires_at": null},
            "space": {"id": "space_acme", "name": "space_acme", "status": "active"}},
        "space": {"id": "space_acme", "name": "space_acme", "status": "active"},
        "target": {
            "resource": {"id": "invoice_001", "external_id": "invoice_001", "type": "invoice", "space_id": "space_acme",
                "group_id": "group_inline_5b0c1f3e2d4a6978", "group_path": "finance.apac", "owner_member_id": "member_invoice_creator"},
            "group": {"id": "group_inline_5b0c1f3e2d4a6978", "space_id": "space_acme", "path": "finance.apac", "status": "active"}},
        "resource_registry": {
            "resource_type": {"id": "rt_invoice", "key": "invoice", "display_name": "Invoice", "status": "active", "source": "core"},
            "action": {"id": "ra_invoice_approve", "resource_type_id": "rt_invoice", "key": "approve", "display_name": "Approve",
                "risk_level": "high", "audit_default": true},
            "mapping": {"id": "rm_invoice_resources", "resource_type_id": "rt_invoice", "storage_kind": "internal_table",
                "table_name": "resources", "id_field": "id", "space_field": "space_id", "status": "active"}},
        "matched_candidates": [{
            "role": {"id": "role_inline_finance_approver", "key": "finance_approver", "space_id": "space_acme"},
            "permission": {"id": "perm_inline_invoice_approve_group_tree", "resource": "invoice", "action": "approve", "scope": "group_tree"},
            "scope_anchor": {"id": "group_inline_9f8e7d6c5b4a3921", "space_id": "space_acme", "path": "finance", "status": "active"},
            "scope_check": {"covered": true, "rule": "target_path = anchor_path OR target_path LIKE anchor_path || '.%'",
                "reason": "target group finance.apac is inside anchor group finance."},
            "member_role_space_id": "space_acme"}],
        "request": {"request_id": REQUEST_ID, "ip": "127.0.0.1", "user_agent": "plystra-rust"},
        "reason": "at least one matching permission grant covers the target resource",
        "audit": audit_context("allow", "")
    })
}
