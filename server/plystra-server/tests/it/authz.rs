//! `POST /authz/check` and `/authz/explain` through the SDK against the server started
//! in-process, on the Finance Reviewer demo: registry-mode decisions and every actor-state deny
//! (after real admin changes), Context Mode, who may ask, the headers, and the audit row of each
//! decision (or none, when the audit write mode skips it or the trace would hold a secret).
//! Every case runs on SQLite and on PostgreSQL.

use std::sync::Arc;

use plystra::Plystra;
use plystra::authz::{Actor, AuthzCheck, Grant, Resource};
use plystra::prelude::*;
use plystra::types::{self, PermissionScope};
use plystra_server::config::{Audit, AuditWriteMode};
use plystra_server::{Config, Server, Store};
use serde_json::{Value, json};

use crate::common::{ManualClock, on_both_backends, seed_demo_with_super_admin, serve_server};

const ALLOW_REASON: &str = "at least one matching permission grant covers the target resource";
const SCOPE_REASON: &str = "matching permission grants do not cover the target resource scope";

/// Status, code, message and details of a failed call.
fn failure<T: std::fmt::Debug>(result: Result<T, plystra::Error>) -> (u16, String, String, Value) {
    let err = result.expect_err("the call fails");
    let api = err.api().unwrap_or_else(|| panic!("an API error: {err:?}"));
    (
        api.status,
        api.code.as_str(),
        api.message.clone(),
        api.details.clone(),
    )
}

fn deny_code(code: &Option<types::DenyCode>) -> Option<String> {
    code.as_ref().map(ToString::to_string)
}

/// The Finance Reviewer as alice acts through it.
fn reviewer() -> Actor {
    Actor::new("user_alice", "member_finance_reviewer", "space_acme")
        .user_member_id("um_alice_finance_reviewer")
}

/// `actor` approving the registered invoice `id`.
fn approve(actor: Actor, id: &str) -> AuthzCheck {
    AuthzCheck::new("approve")
        .actor(actor)
        .registered("invoice", id)
}

/// A Context Mode check: an external reviewer approving the invoice `id` in `group_path`, with
/// a `group_tree` grant anchored at `finance`.
fn inline(id: &str, group_path: &str) -> AuthzCheck {
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
                .external_id(id)
                .space_id("space_acme")
                .group_path(group_path)
                .owner_member_id("member_invoice_creator"),
        )
        .grant(
            Grant::new("invoice", "approve", PermissionScope::GroupTree)
                .role_key("finance_approver")
                .space_id("space_acme")
                .scope_anchor_group_path("finance"),
        )
}

/// A request body of the SDK's type `$ty` from JSON.
macro_rules! body {
    ($ty:ty, $json:expr $(,)?) => {
        serde_json::from_value::<$ty>($json).unwrap()
    };
}

struct World {
    server: Arc<Server>,
    store: Store,
    alice: Plystra,
    bob: Plystra,
    /// Space key of `space_acme` (`authz:check`, `audit:read`).
    acme_key: Plystra,
    /// Instance key (`authz:check`).
    instance_key: Plystra,
    /// Space key of `space_other` (`authz:check`).
    other_key: Plystra,
}

impl World {
    async fn new(store: Store) -> World {
        seed_demo_with_super_admin(&store).await;
        // 2026-05-12: after the demo's temporary binding expired (2026-05-05).
        let clock = ManualClock::new();
        let server = Arc::new(
            Server::new(store.clone(), Arc::new(Config::for_tests())).with_clock(clock.clock()),
        );
        let base = serve_server(server.clone()).await;
        let login = |email: &'static str| {
            let base = base.clone();
            async move {
                let client = Plystra::new(&base).unwrap();
                let session = client.auth().login(email, "plystra-demo").await.unwrap();
                client.set_access_token(&session.access_token);
                client
            }
        };
        let alice = login("alice@example.com").await;
        let bob = login("bob@example.com").await;
        alice
            .api()
            .create_space()
            .body(body!(
                types::SpaceMutationRequest,
                json!({"id": "space_other", "name": "Other"}),
            ))
            .call()
            .await
            .unwrap();
        let key = |level: &'static str, keys: &'static [&'static str], space: &'static str| {
            let alice = &alice;
            let base = &base;
            async move {
                let mut request =
                    json!({"name": "authz test", "level": level, "permission_keys": keys});
                if !space.is_empty() {
                    request["space_id"] = space.into();
                }
                let created = alice
                    .api()
                    .create_api_key()
                    .body(body!(types::ApiKeyMutationRequest, request))
                    .call()
                    .await
                    .unwrap();
                Plystra::builder(base)
                    .api_key(&created.data.api_key)
                    .build()
                    .unwrap()
            }
        };
        let acme_key = key("space", &["authz:check", "audit:read"], "space_acme").await;
        let instance_key = key("instance", &["authz:check"], "").await;
        let other_key = key("space", &["authz:check"], "space_other").await;
        World {
            server,
            store,
            alice,
            bob,
            acme_key,
            instance_key,
            other_key,
        }
    }

    /// The audit row of `verdict`, checked against it.
    async fn audited(
        &self,
        verdict: &types::AuthzCheckResult,
        resource_id: &str,
    ) -> types::AuditLog {
        assert!(verdict.audit_log_id.starts_with("audit_"), "{verdict:?}");
        assert_eq!(verdict.audit_log_id[6..], verdict.trace_id[4..], "one hex");
        let row = self
            .alice
            .audit()
            .get(&verdict.audit_log_id)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(row.decision.to_string(), verdict.decision.to_string());
        assert_eq!(
            row.deny_code,
            deny_code(&verdict.deny_code).unwrap_or_default()
        );
        assert_eq!(row.action, "invoice.approve");
        assert_eq!(row.resource_type, "invoice");
        assert_eq!(row.resource_id, resource_id);
        assert_eq!(row.space_id, verdict.audit.space_id);
        assert_eq!(row.actor_user_id, verdict.audit.actor_user_id);
        assert_eq!(row.request_id, verdict.audit.request_id);
        assert_eq!(row.trace["trace_id"], verdict.trace_id.as_str());
        assert_eq!(row.trace["decision"], verdict.decision.to_string().as_str());
        assert_eq!(
            row.trace["audit"]["audit_log_id"],
            verdict.audit_log_id.as_str()
        );
        assert_eq!(row.trace["reason"], verdict.reason.as_str());
        row
    }

    /// Rows of the audit log with this request id.
    async fn rows_of_request(&self, request_id: &str) -> usize {
        let sql = "SELECT COUNT(*) FROM audit_logs WHERE request_id = $1";
        self.store.count_where(sql, request_id).await.unwrap() as usize
    }
}

async fn finance_reviewer_in_registry_mode(w: &World) {
    // Alice's session acting through her own binding, then an API key naming the same actor.
    for client in [&w.alice, &w.acme_key, &w.instance_key] {
        let allowed = client
            .authz()
            .check(approve(reviewer(), "invoice_001"))
            .await
            .unwrap();
        assert!(allowed.allow, "{allowed:?}");
        assert_eq!(allowed.decision.to_string(), "allow");
        assert!(allowed.deny_code.is_none());
        assert_eq!(allowed.reason, ALLOW_REASON);
        assert!(allowed.trace_id.starts_with("trc_") && allowed.trace_id.len() == 20);
        assert_eq!(allowed.audit.action, "invoice.approve");
        assert_eq!(allowed.audit.request_id, allowed.request_id());
        let row = w.audited(&allowed, "invoice_001").await;
        assert_eq!(row.trace["actor"]["user"]["email"], "alice@example.com");

        let denied = client
            .authz()
            .check(approve(reviewer(), "invoice_002"))
            .await
            .unwrap();
        assert!(!denied.allow);
        assert_eq!(
            deny_code(&denied.deny_code).as_deref(),
            Some("SCOPE_OUT_OF_BOUNDS")
        );
        assert_eq!(denied.reason, SCOPE_REASON);
        assert_eq!(denied.audit.deny_code, "SCOPE_OUT_OF_BOUNDS");
        w.audited(&denied, "invoice_002").await;
    }

    // A session without an actor acts as its active member.
    let own = w
        .alice
        .authz()
        .check(AuthzCheck::new("approve").registered("invoice", "invoice_001"))
        .await
        .unwrap();
    assert!(own.allow);
    assert_eq!(own.audit.actor_user_member_id, "um_alice_finance_reviewer");

    // The explanation names every step.
    let explained = w
        .acme_key
        .authz()
        .explain(approve(reviewer(), "invoice_002"))
        .await
        .unwrap();
    assert_eq!(explained.trace_version, "1.0");
    assert_eq!(explained.target.resource.group_id, "group_legal_emea");
    assert_eq!(
        explained.target.group.as_ref().map(|g| g.path.as_str()),
        Some("legal.emea")
    );
    assert_eq!(explained.resource_registry.action.risk_level, "high");
    assert_eq!(
        explained.resource_registry.mapping.id,
        "rm_invoice_resources"
    );
    let candidates = explained.matched_candidates.clone().unwrap();
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].role.key, "finance_approver");
    assert!(!candidates[0].scope_check.covered);
    assert_eq!(
        candidates[0].scope_check.reason,
        "target group legal.emea is outside anchor group finance."
    );
    // The stored trace is the explanation.
    let row = w
        .alice
        .audit()
        .get(&explained.audit.audit_log_id)
        .await
        .unwrap();
    assert_eq!(row.trace["trace_id"], explained.trace_id.as_str());
    assert_eq!(row.trace["target"]["group"]["path"], "legal.emea");
    assert_eq!(
        row.trace["matched_candidates"][0]["scope_check"]["reason"],
        candidates[0].scope_check.reason.as_str()
    );
    assert_eq!(
        row.trace["resource_registry"]["action"]["risk_level"],
        "high"
    );
}

async fn registry_denies(w: &World) {
    let check =
        |request: AuthzCheck| async move { w.instance_key.authz().check(request).await.unwrap() };
    let cases = [
        (
            approve(
                reviewer().user_member_id("um_alice_finance_reviewer_revoked"),
                "invoice_001",
            ),
            "USER_MEMBER_REVOKED",
            "UserMember binding is not active",
        ),
        (
            approve(
                reviewer().user_member_id("um_alice_finance_reviewer_expired"),
                "invoice_001",
            ),
            "USER_MEMBER_EXPIRED",
            "UserMember binding has expired",
        ),
        (
            AuthzCheck::new("approve")
                .actor(reviewer())
                .registered("purchase_order", "invoice_001"),
            "INVALID_RESOURCE_TYPE",
            "resource type is not registered",
        ),
        (
            AuthzCheck::new("archive")
                .actor(reviewer())
                .registered("invoice", "invoice_001"),
            "INVALID_RESOURCE_ACTION",
            "resource action is not registered for the resource type",
        ),
        (
            AuthzCheck::new("read")
                .actor(reviewer())
                .registered("invoice", "invoice_001"),
            "NO_MATCHING_PERMISSION",
            "no permission grant matched the requested resource and action",
        ),
    ];
    for (request, code, reason) in cases {
        let verdict = check(request).await;
        assert_eq!(deny_code(&verdict.deny_code).as_deref(), Some(code));
        assert_eq!(verdict.reason, reason, "{code}");
        let row = w.alice.audit().get(&verdict.audit_log_id).await.unwrap();
        assert_eq!(row.deny_code, code);
    }

    // An unregistered type is denied before the target is looked at: no target, no candidates.
    let explained = w
        .instance_key
        .authz()
        .explain(
            AuthzCheck::new("approve")
                .actor(reviewer())
                .registered("purchase_order", "po_1"),
        )
        .await
        .unwrap();
    assert!(explained.matched_candidates.is_none());
    assert_eq!(explained.target.resource.id, "");

    // Rows that do not exist are the caller's mistake (upstream: 500), not denies.
    for request in [
        approve(reviewer(), "invoice_999"),
        approve(
            Actor::new("user_nobody", "member_finance_reviewer", "space_acme")
                .user_member_id("um_alice_finance_reviewer"),
            "invoice_001",
        ),
    ] {
        let (status, code, message, _) = failure(w.instance_key.authz().check(request).await);
        assert_eq!(
            (status, code.as_str(), message.as_str()),
            (
                400,
                "VALIDATION_FAILED",
                "Authorization request names no live actor or resource."
            )
        );
    }
}

/// Actor states after real admin changes, in the engine's order (user, member, space, binding),
/// and a target in another space.
async fn actor_state_follows_admin_changes(w: &World) {
    let admin = w.alice.api();
    admin
        .create_space()
        .body(body!(
            types::SpaceMutationRequest,
            json!({"id": "space_beta", "name": "Beta"}),
        ))
        .call()
        .await
        .unwrap();
    admin
        .create_member()
        .space_id("space_beta")
        .body(body!(
            types::MemberMutationRequest,
            json!({"id": "member_beta", "display_name": "Beta Reviewer"}),
        ))
        .call()
        .await
        .unwrap();
    admin
        .create_user_member()
        .space_id("space_beta")
        .body(body!(
            types::UserMemberMutationRequest,
            json!({
                "id": "um_alice_beta", "user_id": "user_alice", "member_id": "member_beta",
                "relation_type": "delegate"
            })
        ))
        .call()
        .await
        .unwrap();
    admin
        .create_space_resource()
        .space_id("space_beta")
        .body(body!(
            types::ResourceMutationRequest,
            json!({"id": "invoice_beta", "resource_type": "invoice"}),
        ))
        .call()
        .await
        .unwrap();
    let beta = || {
        approve(
            Actor::new("user_alice", "member_beta", "space_beta").user_member_id("um_alice_beta"),
            "invoice_beta",
        )
    };
    let code = |request: AuthzCheck| async move {
        let verdict = w.instance_key.authz().check(request).await.unwrap();
        w.audited(&verdict, verdict.audit.resource_id.clone().as_str())
            .await;
        deny_code(&verdict.deny_code).unwrap_or_default()
    };

    assert_eq!(code(beta()).await, "NO_MATCHING_PERMISSION");
    assert_eq!(
        code(approve(reviewer(), "invoice_beta")).await,
        "CROSS_SPACE_VIOLATION"
    );
    admin
        .disable_space()
        .space_id("space_beta")
        .call()
        .await
        .unwrap();
    assert_eq!(code(beta()).await, "SPACE_INACTIVE");
    admin
        .disable_member()
        .space_id("space_beta")
        .member_id("member_beta")
        .call()
        .await
        .unwrap();
    assert_eq!(code(beta()).await, "ACTOR_MEMBER_INACTIVE");

    // Bob may check (an instance admin grant for authz:check) and acts as his own binding...
    w.alice
        .api()
        .create_admin_grant()
        .body(body!(
            types::AdminGrantMutationRequest,
            json!({
                "user_id": "user_bob", "level": "instance_admin", "permission_key": "authz:check"
            })
        ))
        .call()
        .await
        .unwrap();
    let bob_check = || AuthzCheck::new("approve").registered("invoice", "invoice_001");
    let own = w.bob.authz().check(bob_check()).await.unwrap();
    assert!(own.allow);
    assert_eq!(own.audit.actor_user_member_id, "um_bob_finance_reviewer");
    // ...until that binding is revoked: his session then has no actor.
    admin
        .revoke_user_member()
        .space_id("space_acme")
        .user_member_id("um_bob_finance_reviewer")
        .call()
        .await
        .unwrap();
    let (status, code_, message, _) = failure(w.bob.authz().check(bob_check()).await);
    assert_eq!(
        (status, code_.as_str(), message.as_str()),
        (
            403,
            "ACTIVE_MEMBER_REQUIRED",
            "Session has no active Member binding."
        )
    );
    let bob = || {
        approve(
            Actor::new("user_bob", "member_finance_reviewer", "space_acme")
                .user_member_id("um_bob_finance_reviewer"),
            "invoice_001",
        )
    };
    assert_eq!(code(bob()).await, "USER_MEMBER_REVOKED");
    admin
        .disable_user()
        .user_id("user_bob")
        .call()
        .await
        .unwrap();
    assert_eq!(code(bob()).await, "ACTOR_USER_INACTIVE");
}

async fn sessions_act_only_as_themselves(w: &World) {
    let refused = [
        // Bob's binding, the revoked and the expired one, a member alice has no binding to.
        reviewer().user_member_id("um_bob_finance_reviewer"),
        reviewer().user_member_id("um_alice_finance_reviewer_revoked"),
        reviewer().user_member_id("um_alice_finance_reviewer_expired"),
        Actor::new("user_alice", "member_invoice_creator", "space_acme"),
    ];
    for actor in refused {
        let (status, code, message, _) =
            failure(w.alice.authz().check(approve(actor, "invoice_001")).await);
        assert_eq!(
            (status, code.as_str(), message.as_str()),
            (
                403,
                "ACTIVE_MEMBER_REQUIRED",
                "Requested actor is not active for this User."
            )
        );
    }
    let (status, code, message, _) = failure(
        w.alice
            .authz()
            .check(approve(
                Actor::new("user_alice", "member_finance_reviewer", "space_other"),
                "invoice_001",
            ))
            .await,
    );
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (
            403,
            "ACTIVE_MEMBER_REQUIRED",
            "Requested actor does not belong to that Space."
        )
    );
    // Naming another user changes nothing: a session always acts as its own user.
    let verdict = w
        .alice
        .authz()
        .check(approve(
            Actor::new("user_bob", "member_finance_reviewer", "space_acme")
                .user_member_id("um_alice_finance_reviewer"),
            "invoice_001",
        ))
        .await
        .unwrap();
    assert_eq!(verdict.audit.actor_user_id, "user_alice");
}

async fn context_mode(w: &World) {
    let allowed = w
        .acme_key
        .authz()
        .explain(inline("invoice_001", "finance.apac"))
        .await
        .unwrap();
    assert_eq!(allowed.decision.to_string(), "allow");
    assert_eq!(allowed.reason, ALLOW_REASON);
    assert_eq!(allowed.actor.user.id, "user_external_alice");
    assert_eq!(
        allowed.actor.user_member.id,
        "binding_external_alice_finance"
    );
    assert_eq!(allowed.actor.user_member.relation_type, "external");
    assert_eq!(
        allowed.target.resource.external_id.as_deref(),
        Some("invoice_001")
    );
    let group = allowed.target.group.clone().unwrap();
    assert!(group.id.starts_with("group_inline_"), "{group:?}");
    let candidates = allowed.matched_candidates.clone().unwrap();
    assert_eq!(candidates[0].role.id, "role_inline_finance_approver");
    assert!(candidates[0].scope_check.covered);
    let row = w
        .alice
        .audit()
        .get(&allowed.audit.audit_log_id)
        .await
        .unwrap();
    assert_eq!(row.resource_id, "invoice_001");
    assert_eq!(row.actor_user_id, "user_external_alice");
    assert_eq!(row.decision.to_string(), "allow");

    let denied = w
        .acme_key
        .authz()
        .explain(inline("invoice_002", "legal.emea"))
        .await
        .unwrap();
    assert_eq!(
        deny_code(&denied.deny_code).as_deref(),
        Some("SCOPE_OUT_OF_BOUNDS")
    );
    let row = w
        .alice
        .audit()
        .get(&denied.audit.audit_log_id)
        .await
        .unwrap();
    assert_eq!(row.deny_code, "SCOPE_OUT_OF_BOUNDS");

    // Without explain: the compact verdict.
    for (id, path, allow) in [
        ("invoice_001", "finance.apac", true),
        ("invoice_002", "legal.emea", false),
    ] {
        let verdict = w.acme_key.authz().check(inline(id, path)).await.unwrap();
        assert_eq!(verdict.allow, allow, "{id}");
        w.audited(&verdict, id).await;
    }

    // Grants for other actions are validated but do not count: an empty list, not null.
    let unrelated = AuthzCheck::new("reject")
        .actor(Actor::new("user_x", "member_x", "space_acme").binding_id("b_x"))
        .resource(Resource::new("invoice").id("inv_x").space_id("space_acme"))
        .grant(Grant::new("invoice", "approve", PermissionScope::Space));
    let explained = w.acme_key.authz().explain(unrelated).await.unwrap();
    assert_eq!(
        deny_code(&explained.deny_code).as_deref(),
        Some("NO_MATCHING_PERMISSION")
    );
    assert_eq!(explained.matched_candidates.as_ref().map(Vec::len), Some(0));

    // Only resource fields: the stored actor and grants meet the described target, whose group
    // is the stored one it names (as upstream), so the group_tree grant at finance covers it.
    let proposed = |group: Resource| AuthzCheck::new("approve").actor(reviewer()).resource(group);
    let in_apac = Resource::new("invoice")
        .id("invoice_new")
        .space_id("space_acme")
        .group_id("group_finance_apac");
    let explained = w.acme_key.authz().explain(proposed(in_apac)).await.unwrap();
    assert_eq!(deny_code(&explained.deny_code).as_deref(), None);
    assert_eq!(explained.actor.user.email, "alice@example.com");
    // A group that is not stored leaves the target without one.
    let nowhere = Resource::new("invoice")
        .id("invoice_new")
        .space_id("space_acme")
        .group_id("group_nowhere");
    let explained = w.acme_key.authz().explain(proposed(nowhere)).await.unwrap();
    assert_eq!(
        deny_code(&explained.deny_code).as_deref(),
        Some("TARGET_GROUP_MISSING")
    );
}

async fn who_may_ask(w: &World) {
    // Inline context from a session.
    let (status, code, _, _) = failure(
        w.alice
            .authz()
            .check(inline("invoice_001", "finance.apac"))
            .await,
    );
    assert_eq!(
        (status, code.as_str()),
        (403, "INLINE_CONTEXT_REQUIRES_API_KEY")
    );

    // A key of another space: neither the stored invoice nor an inline context in space_acme.
    let (status, code, message, details) = failure(
        w.other_key
            .authz()
            .check(approve(reviewer(), "invoice_001"))
            .await,
    );
    assert_eq!((status, code.as_str()), (403, "ADMIN_PERMISSION_REQUIRED"));
    assert_eq!(
        message,
        "The current credential cannot run authz checks for this scope."
    );
    assert_eq!(details, json!({"permission": "authz:check"}));
    let (status, code, message, _) = failure(
        w.other_key
            .authz()
            .check(inline("invoice_001", "finance.apac"))
            .await,
    );
    assert_eq!((status, code.as_str()), (403, "ADMIN_PERMISSION_REQUIRED"));
    assert_eq!(
        message,
        "The current credential cannot run authz checks for this inline context scope."
    );
    // Mixed spaces: a space_acme key borrowing a grant of space_other.
    let mixed = inline("invoice_001", "finance.apac")
        .grant(Grant::new("invoice", "approve", PermissionScope::Space).space_id("space_other"));
    let (status, code, _, _) = failure(w.acme_key.authz().check(mixed).await);
    assert_eq!((status, code.as_str()), (403, "ADMIN_PERMISSION_REQUIRED"));

    // Bob holds no authz:check: the middleware stops him.
    let (status, code, _, _) = failure(
        w.bob
            .authz()
            .check(approve(reviewer(), "invoice_001"))
            .await,
    );
    assert_eq!((status, code.as_str()), (403, "ADMIN_PERMISSION_REQUIRED"));
}

async fn bad_requests(w: &World) {
    let (status, code, message, _) = failure(
        w.acme_key
            .authz()
            .check(AuthzCheck::new("approve").registered("invoice", "invoice_001"))
            .await,
    );
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (
            400,
            "VALIDATION_FAILED",
            "actor is required when using an API key."
        )
    );
    // A grant without a scope (every grant is validated, also one for another action).
    let mut invalid = inline("invoice_001", "finance.apac").into_request();
    invalid.grants.get_or_insert_with(Vec::new).push(body!(
        types::AuthzGrantContext,
        json!({"resource": "invoice", "action": "reject"})
    ));
    let (status, code, message, details) = failure(w.acme_key.authz().check(invalid).await);
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (
            400,
            "VALIDATION_FAILED",
            "Inline authorization context is invalid."
        )
    );
    assert!(details.as_str().unwrap().contains("grant 1"), "{details}");
    let no_space = AuthzCheck::new("approve")
        .actor(Actor::new("u", "m", "space_acme").binding_id("b"))
        .resource(Resource::new("invoice").id("x").group_path("finance"))
        .grant(Grant::new("invoice", "approve", PermissionScope::Space));
    let (status, _, message, _) = failure(w.acme_key.authz().check(no_space).await);
    assert_eq!(
        (status, message.as_str()),
        (400, "Inline authorization context is invalid.")
    );
}

/// The headers, the raw shapes, and what the SDK cannot send: unknown fields, `explain: true` on
/// the check route.
async fn on_the_wire(w: &World) {
    let cli = crate::common::client(w.server.clone());
    let api_key = w.raw_key().await;
    let send = |path: &'static str, body: Value| {
        cli.post(path)
            .header("x-plystra-api-key", api_key.as_str())
            .body_json(&body)
            .send()
    };
    let check = json!({
        "action": "approve", "resource_type": "invoice", "resource_id": "invoice_002",
        "actor": {"user_id": "user_alice", "member_id": "member_finance_reviewer",
                  "binding_id": "um_alice_finance_reviewer", "space_id": "space_acme"}
    });
    for path in ["/api/v1/authz/check", "/api/v1/authz/explain"] {
        let resp = send(path, check.clone()).await;
        resp.assert_status_is_ok();
        let trace = resp.0.headers()["x-plystra-trace-id"]
            .to_str()
            .unwrap()
            .to_string();
        let audit = resp.0.headers()["x-plystra-audit-log-id"]
            .to_str()
            .unwrap()
            .to_string();
        let answer: Value = resp.json().await.value().deserialize();
        let data = &answer["data"];
        assert_eq!(data["trace_id"], trace.as_str(), "{path}");
        assert_eq!(data["audit"]["audit_log_id"], audit.as_str(), "{path}");
        assert_eq!(data["deny_code"], "SCOPE_OUT_OF_BOUNDS", "{path}");
        assert_eq!(
            data.get("allow").is_some(),
            path.ends_with("check"),
            "{path}"
        );
    }
    let mut explain = check.clone();
    explain["explain"] = true.into();
    let resp = send("/api/v1/authz/check", explain).await;
    resp.assert_status_is_ok();
    assert!(resp.0.headers().contains_key("x-plystra-trace-id"));
    let answer: Value = resp.json().await.value().deserialize();
    assert_eq!(answer["data"]["trace_version"], "1.0");
    assert!(answer["data"].get("allow").is_none());
    assert!(answer["data"]["matched_candidates"].is_array());
    assert!(answer["request_id"].as_str().unwrap().starts_with("req_"));

    // Every answered decision is counted, and every audit row written.
    let metrics = w.server.metrics().render();
    assert!(
        metrics.contains(
            r#"plystra_authz_decisions_total{decision="deny",deny_code="SCOPE_OUT_OF_BOUNDS"}"#
        ),
        "{metrics}"
    );
    assert!(!metrics.contains("audit_logs_written_total 0"), "{metrics}");
    assert!(!metrics.contains("authz_denies_total 0"), "{metrics}");

    for field in ["request_id", "ip", "user_agent"] {
        let mut smuggled = check.clone();
        smuggled[field] = "forged".into();
        let resp = send("/api/v1/authz/check", smuggled).await;
        resp.assert_status(poem::http::StatusCode::BAD_REQUEST);
        assert!(!resp.0.headers().contains_key("x-plystra-trace-id"));
    }
}

impl World {
    /// A fresh `space_acme` key's plaintext, for raw requests.
    async fn raw_key(&self) -> String {
        self.alice
            .api()
            .create_api_key()
            .body(body!(
                types::ApiKeyMutationRequest,
                json!({
                    "name": "raw", "level": "space", "space_id": "space_acme",
                    "permission_keys": ["authz:check"]
                })
            ))
            .call()
            .await
            .unwrap()
            .data
            .api_key
    }
}

/// A trace that would store a secret-looking key from the body is refused (400), and nothing
/// is written.
async fn secrets_never_reach_the_audit_log(w: &World) {
    let leaky = AuthzCheck::new("approve")
        .actor(Actor::new("user_x", "member_x", "space_acme").binding_id("b_x"))
        .resource(
            Resource::new("invoice")
                .id("inv_secret")
                .space_id("space_acme")
                .metadata(
                    json!({"vendor": {"API_Key": "sk-live"}})
                        .as_object()
                        .cloned()
                        .unwrap(),
                ),
        )
        .grant(Grant::new("invoice", "approve", PermissionScope::Space));
    let probe = w.acme_key.with_request_id("req_secret_probe");
    let (status, code, message, details) = failure(probe.authz().check(leaky).await);
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (
            400,
            "VALIDATION_FAILED",
            "Inline authorization context carries a secret-looking key."
        )
    );
    assert!(details.as_str().unwrap().contains("API_Key"), "{details}");
    assert_eq!(w.rows_of_request("req_secret_probe").await, 0);
}

/// `AUDIT_WRITE_MODE`: `deny_only` writes denies only, `manual` nothing (and no audit id).
async fn audit_write_modes(w: &World) {
    for (mode, allow_rows, deny_rows) in [
        (AuditWriteMode::DenyOnly, 0, 1),
        (AuditWriteMode::Skip, 0, 0),
    ] {
        let config = Config {
            audit: Audit { write_mode: mode },
            ..Config::for_tests()
        };
        let server = Arc::new(Server::new(w.store.clone(), Arc::new(config)));
        let base = serve_server(server.clone()).await;
        let key = w.raw_key().await;
        let client = Plystra::builder(&base).api_key(&key).build().unwrap();
        for (invoice, rows) in [("invoice_001", allow_rows), ("invoice_002", deny_rows)] {
            let request_id = format!("req_mode_{mode:?}_{invoice}");
            let verdict = client
                .with_request_id(&request_id)
                .authz()
                .check(approve(reviewer(), invoice))
                .await
                .unwrap();
            assert_eq!(
                verdict.audit_log_id.is_empty(),
                rows == 0,
                "{mode:?} {invoice}"
            );
            assert_eq!(
                w.rows_of_request(&request_id).await,
                rows,
                "{mode:?} {invoice}"
            );
        }
        // No row, no audit header; the trace id is still sent.
        let cli = crate::common::client(server);
        let resp = cli
            .post("/api/v1/authz/check")
            .header("x-plystra-api-key", key.as_str())
            .body_json(&json!({
                "action": "approve", "resource_type": "invoice", "resource_id": "invoice_001",
                "actor": {"user_id": "user_alice", "member_id": "member_finance_reviewer",
                          "user_member_id": "um_alice_finance_reviewer", "space_id": "space_acme"}
            }))
            .send()
            .await;
        resp.assert_status_is_ok();
        assert!(resp.0.headers().contains_key("x-plystra-trace-id"));
        assert!(
            !resp.0.headers().contains_key("x-plystra-audit-log-id"),
            "{mode:?}"
        );
    }
}

on_both_backends!(cases_in_order);

/// The cases on one world, in order (`cases_in_order::sqlite`, `cases_in_order::postgres`).
async fn cases_in_order(store: Store) {
    let w = World::new(store).await;
    // Boxed one by one: their futures together are too large for a test thread's stack in
    // debug builds.
    Box::pin(finance_reviewer_in_registry_mode(&w)).await;
    Box::pin(registry_denies(&w)).await;
    Box::pin(sessions_act_only_as_themselves(&w)).await;
    Box::pin(context_mode(&w)).await;
    Box::pin(who_may_ask(&w)).await;
    Box::pin(bad_requests(&w)).await;
    Box::pin(on_the_wire(&w)).await;
    Box::pin(secrets_never_reach_the_audit_log(&w)).await;
    Box::pin(audit_write_modes(&w)).await;
    // Last: it disables and revokes demo rows the other cases use.
    Box::pin(actor_state_follows_admin_changes(&w)).await;
}
