//! The stored trace and the explain response are one document written twice; these tests keep
//! the two writers in step and check the sensitive-key rule.

use poem_openapi::types::ToJSON;
use serde_json::{Value, json};

use super::{Refs, trace, wire};
use crate::domain::authz::{
    ACTIVE, Actor, Candidate, CheckRequest, Context, Group, Member, Permission, Registry, Resource,
    ResourceAction, ResourceMapping, ResourceType, Role, Space, Target, User, UserMember, decide,
};

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_778_547_600, 0).unwrap()
}

fn group(id: &str, path: &str) -> Group {
    Group {
        id: id.into(),
        space_id: "space_acme".into(),
        path: path.into(),
        status: ACTIVE.into(),
    }
}

/// The Finance Reviewer on `invoice_001` (finance.apac), with a grant anchored at `anchor`.
fn context(anchor: Option<Group>) -> Context {
    let metadata =
        json!({"number": "INV-001", "note": "quote \" and \\ and \n", "n": [1, 2.5, null, true]});
    Context {
        request: CheckRequest {
            user_id: "user_alice".into(),
            member_id: "member_finance_reviewer".into(),
            user_member_id: "um_alice_finance_reviewer".into(),
            space_id: "space_acme".into(),
            resource_type: "invoice".into(),
            resource_id: "invoice_001".into(),
            action: "approve".into(),
        },
        actor: Actor {
            user: User {
                id: "user_alice".into(),
                email: "alice@example.com".into(),
                status: ACTIVE.into(),
            },
            member: Member {
                id: "member_finance_reviewer".into(),
                space_id: "space_acme".into(),
                display_name: "Finance Reviewer".into(),
                status: ACTIVE.into(),
            },
            user_member: UserMember {
                id: "um_alice_finance_reviewer".into(),
                user_id: "user_alice".into(),
                member_id: "member_finance_reviewer".into(),
                space_id: "space_acme".into(),
                relation_type: "delegate".into(),
                status: ACTIVE.into(),
                is_primary: true,
                expires_at: Some(now() + chrono::Duration::days(1)),
            },
            space: Space {
                id: "space_acme".into(),
                name: "Acme".into(),
                status: ACTIVE.into(),
            },
        },
        registry: Registry {
            resource_type: Some(ResourceType {
                id: "rt_invoice".into(),
                key: "invoice".into(),
                display_name: "Invoice".into(),
                description: String::new(),
                status: ACTIVE.into(),
                source: "core".into(),
                metadata: json!({"owner": "finance"}).as_object().cloned().unwrap(),
            }),
            action: Some(ResourceAction {
                id: "ra_invoice_approve".into(),
                resource_type_id: "rt_invoice".into(),
                key: "approve".into(),
                display_name: "Approve".into(),
                description: "Approve an invoice.".into(),
                risk_level: "high".into(),
                audit_default: true,
                metadata: Default::default(),
            }),
            mapping: Some(ResourceMapping {
                id: "rm_invoice_resources".into(),
                resource_type_id: "rt_invoice".into(),
                storage_kind: "internal_table".into(),
                table_name: "resources".into(),
                id_field: "id".into(),
                space_field: "space_id".into(),
                group_field: "group_id".into(),
                status: ACTIVE.into(),
                ..Default::default()
            }),
        },
        target: Target {
            resource: Resource {
                id: "invoice_001".into(),
                resource_type: "invoice".into(),
                space_id: "space_acme".into(),
                group_id: "group_finance_apac".into(),
                group_path: "finance.apac".into(),
                owner_member_id: "member_invoice_creator".into(),
                display_name: "APAC Invoice INV-001".into(),
                visibility: "private".into(),
                status: ACTIVE.into(),
                metadata: metadata.as_object().cloned().unwrap(),
                ..Default::default()
            },
            group: Some(group("group_finance_apac", "finance.apac")),
        },
        candidates: vec![Candidate {
            role: Role {
                id: "role_finance_approver".into(),
                key: "finance_approver".into(),
                space_id: "space_acme".into(),
            },
            permission: Permission {
                id: "perm_invoice_approve_group_tree".into(),
                resource: "invoice".into(),
                action: "approve".into(),
                scope: "group_tree".into(),
            },
            member_role_space_id: "space_acme".into(),
            scope_anchor: anchor,
        }],
    }
}

fn refs(grants_inline: bool) -> Refs<'static> {
    Refs {
        trace_id: "trc_0011223344556677",
        audit_log_id: "audit_0011223344556677",
        request_id: "req_test",
        ip: "203.0.113.7",
        user_agent: "probe/1 \u{1}",
        grants_inline,
    }
}

/// Both writers of `ctx`: the stored trace and the explain response, as JSON values.
fn both(ctx: &Context, grants_inline: bool) -> (Value, Value) {
    let decision = decide(ctx, now());
    let refs = refs(grants_inline);
    let stored = trace::render(&decision, &refs).expect("no sensitive keys");
    let stored: Value = serde_json::from_str(&stored).expect("the trace is JSON");
    (stored, wire::explained(&decision, &refs).to_json().unwrap())
}

#[test]
fn the_stored_trace_is_the_explain_document() {
    let mut unregistered = context(None);
    unregistered.registry = Registry::default();
    let mut no_candidates = context(None);
    no_candidates.candidates.clear();
    let mut no_expiry = context(Some(group("group_legal", "legal")));
    no_expiry.actor.user_member.expires_at = None;
    no_expiry.target.group = None;
    let cases = [
        (
            "allow",
            context(Some(group("group_finance", "finance"))),
            false,
        ),
        ("scope deny", no_expiry, false),
        ("anchor missing", context(None), false),
        ("unregistered type", unregistered, false),
        ("registry mode, no candidates", no_candidates.clone(), false),
        ("context mode, no candidates", no_candidates, true),
    ];
    for (name, ctx, grants_inline) in cases {
        let (stored, explained) = both(&ctx, grants_inline);
        assert_eq!(stored, explained, "{name}");
    }
}

#[test]
fn candidates_are_null_unless_looked_at_or_given_inline() {
    let mut ctx = context(None);
    ctx.candidates.clear();
    assert_eq!(both(&ctx, false).0["matched_candidates"], Value::Null);
    assert_eq!(both(&ctx, true).0["matched_candidates"], json!([]));
    ctx.registry.action = None;
    assert_eq!(both(&ctx, true).0["matched_candidates"], Value::Null);
    let (allowed, _) = both(&context(Some(group("group_finance", "finance"))), false);
    assert_eq!(allowed["decision"], "allow");
    assert!(allowed.get("deny_code").is_none(), "omitted on allow");
    assert_eq!(allowed["audit"]["deny_code"], "");
    assert_eq!(allowed["audit"]["action"], "invoice.approve");
    assert_eq!(
        allowed["matched_candidates"][0]["scope_check"]["covered"],
        true
    );
}

#[test]
fn a_sensitive_metadata_key_anywhere_refuses_the_trace() {
    for key in [
        "password",
        "Client_Secret",
        "refreshToken",
        "API_KEY",
        "authorization",
    ] {
        let mut ctx = context(None);
        ctx.target.resource.metadata.insert(
            "nested".into(),
            json!([{ "ok": 1 }, { "deeper": { key: "x" } }]),
        );
        let decision = decide(&ctx, now());
        let refused = trace::render(&decision, &refs(false)).unwrap_err();
        assert_eq!(refused.0, key);
    }
    // The words are matched as written: `apikey` is not `api_key`, but `tokenizer` holds `token`.
    assert!(!trace::is_sensitive("apikey_hint"));
    assert!(trace::is_sensitive(" Tokenizer "));
}

#[test]
fn the_traces_own_keys_are_not_sensitive() {
    fn keys(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let (stored, _) = both(&context(Some(group("group_finance", "finance"))), true);
    let mut all = Vec::new();
    keys(&stored, &mut all);
    assert!(all.len() > 80, "{}", all.len());
    assert!(all.iter().all(|k| !trace::is_sensitive(k)), "{all:?}");
}
