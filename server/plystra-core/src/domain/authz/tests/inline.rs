//! Context Mode construction: defaults, synthetic ids, candidates, and decisions on the result.

use super::*;

// SHA-1 of "space_acme\0finance", "space_acme\0finance.apac" and "space_globex\0finance",
// computed outside Rust (`printf 'space_acme\0finance' | sha1sum`).
const FINANCE_ID: &str = "group_inline_cf8eaf09a28d99e8";
const FINANCE_APAC_ID: &str = "group_inline_993c71aff5714e5f";

/// The demo question asked inline: alice's reviewer identity, invoice INV-001 in
/// `finance.apac`, one `group_tree` grant anchored at the `finance` path.
pub(super) fn request() -> InlineRequest {
    InlineRequest {
        action: "approve".into(),
        actor: InlineActor {
            user_id: "user_alice".into(),
            member_id: "member_finance_reviewer".into(),
            binding_id: "um_alice_finance_reviewer".into(),
            space_id: "space_acme".into(),
            ..InlineActor::default()
        },
        resource: InlineResource {
            resource_type: "invoice".into(),
            external_id: "INV-001".into(),
            space_id: "space_acme".into(),
            group_path: "finance.apac".into(),
            ..InlineResource::default()
        },
        grants: vec![grant("group_tree")],
        ..InlineRequest::default()
    }
}

pub(super) fn grant(scope: &str) -> InlineGrant {
    InlineGrant {
        role_key: "finance_approver".into(),
        scope: scope.into(),
        scope_anchor_group_path: "finance".into(),
        ..InlineGrant::default()
    }
}

fn build(request: &InlineRequest) -> InlineContext {
    request.build().unwrap()
}

fn context(request: &InlineRequest) -> Context {
    build(request).into_context(registry())
}

#[test]
fn synthetic_group_ids_are_the_sha1_prefix_of_space_and_path() {
    assert_eq!(synthetic_group_id("space_acme", "finance"), FINANCE_ID);
    assert_eq!(
        synthetic_group_id("space_acme", "finance.apac"),
        FINANCE_APAC_ID
    );
    assert_eq!(
        synthetic_group_id("space_globex", "finance"),
        "group_inline_b30bf05645edde8b"
    );
    assert_eq!(
        synthetic_group_id("space_acme", "finance"),
        synthetic_group_id("space_acme", "finance")
    );
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    assert_ne!(synthetic_group_id("ab", "c"), synthetic_group_id("a", "bc"));
}

#[test]
fn tokens_are_lowercase_ascii_with_underscores() {
    assert_eq!(token("finance_approver"), "finance_approver");
    assert_eq!(token("  Finance Approver! "), "finance_approver");
    assert_eq!(
        token("invoice_approve_group_tree"),
        "invoice_approve_group_tree"
    );
    assert_eq!(token("Café-2"), "caf__2");
    assert_eq!(token("__x__"), "x");
    assert_eq!(token("!!!"), "value");
    assert_eq!(token(""), "value");
}

#[test]
fn actor_defaults() {
    let inline = build(&request());
    assert_eq!(
        inline.actor,
        Actor {
            user: User {
                id: "user_alice".into(),
                email: String::new(),
                status: ACTIVE.into(),
            },
            member: Member {
                id: "member_finance_reviewer".into(),
                space_id: "space_acme".into(),
                display_name: "member_finance_reviewer".into(),
                status: ACTIVE.into(),
            },
            user_member: UserMember {
                id: "um_alice_finance_reviewer".into(),
                user_id: "user_alice".into(),
                member_id: "member_finance_reviewer".into(),
                space_id: "space_acme".into(),
                relation_type: "external".into(),
                status: ACTIVE.into(),
                is_primary: true,
                expires_at: None,
            },
            space: Space {
                id: "space_acme".into(),
                name: "space_acme".into(),
                status: ACTIVE.into(),
            },
        }
    );
}

#[test]
fn given_actor_fields_are_kept_and_statuses_trimmed() {
    let mut req = request();
    req.actor.user_member_id = "um_primary".into();
    req.actor.user_email = "alice@example.com".into();
    req.actor.member_display_name = "Finance Reviewer".into();
    req.actor.relation_type = "delegate".into();
    req.actor.space_name = "Acme".into();
    req.actor.member_status = " disabled ".into();
    let inline = build(&req);
    assert_eq!(inline.actor.user_member.id, "um_primary");
    assert_eq!(inline.request.user_member_id, "um_primary");
    assert_eq!(inline.actor.user.email, "alice@example.com");
    assert_eq!(inline.actor.member.display_name, "Finance Reviewer");
    assert_eq!(inline.actor.user_member.relation_type, "delegate");
    assert_eq!(inline.actor.space.name, "Acme");
    assert_eq!(inline.actor.member.status, "disabled");
    let ctx = inline.into_context(registry());
    assert_eq!(
        decide(&ctx, now()).deny_code(),
        Some(DenyCode::ActorMemberInactive)
    );
}

#[test]
fn target_defaults_and_group_from_path() {
    let inline = build(&request());
    assert_eq!(inline.request.resource_type, "invoice");
    assert_eq!(inline.request.resource_id, "INV-001");
    let resource = &inline.target.resource;
    assert_eq!(resource.id, "INV-001");
    assert_eq!(resource.external_id, "INV-001");
    assert_eq!(resource.status, ACTIVE);
    assert_eq!(resource.group_id, FINANCE_APAC_ID);
    assert_eq!(resource.group_path, "finance.apac");
    assert_eq!(
        inline.target.group,
        Some(Group {
            id: FINANCE_APAC_ID.into(),
            space_id: "space_acme".into(),
            path: "finance.apac".into(),
            status: ACTIVE.into(),
        })
    );
}

#[test]
fn target_group_from_id_uses_the_id_as_path() {
    let mut req = request();
    req.resource.group_path.clear();
    req.resource.group_id = "group_finance_apac".into();
    req.resource.id = "invoice_001".into();
    req.resource.status = "archived".into();
    let inline = build(&req);
    let group = inline.target.group.as_ref().unwrap();
    assert_eq!(
        (group.id.as_str(), group.path.as_str()),
        ("group_finance_apac", "group_finance_apac")
    );
    assert_eq!(inline.target.resource.group_path, "group_finance_apac");
    assert_eq!(inline.target.resource.id, "invoice_001");
    assert_eq!(inline.target.resource.external_id, "INV-001");
    assert_eq!(inline.target.resource.status, "archived");
    assert_eq!(inline.request.resource_id, "invoice_001");
}

#[test]
fn a_target_without_group_fields_has_no_group() {
    let mut req = request();
    req.resource.group_path.clear();
    let inline = build(&req);
    assert_eq!(inline.target.group, None);
    assert_eq!(inline.target.resource.group_id, "");
    let ctx = inline.into_context(registry());
    assert_eq!(
        decide(&ctx, now()).deny_code(),
        Some(DenyCode::TargetGroupMissing)
    );
}

#[test]
fn grant_defaults() {
    let inline = build(&request());
    assert_eq!(
        inline.candidates,
        [Candidate {
            role: Role {
                id: "role_inline_finance_approver".into(),
                key: "finance_approver".into(),
                space_id: "space_acme".into(),
            },
            permission: Permission {
                id: "perm_inline_invoice_approve_group_tree".into(),
                resource: "invoice".into(),
                action: "approve".into(),
                scope: "group_tree".into(),
            },
            member_role_space_id: "space_acme".into(),
            scope_anchor: Some(Group {
                id: FINANCE_ID.into(),
                space_id: "space_acme".into(),
                path: "finance".into(),
                status: ACTIVE.into(),
            }),
        }]
    );

    let mut req = request();
    req.grants = vec![InlineGrant {
        scope: "space".into(),
        ..InlineGrant::default()
    }];
    let candidate = &build(&req).candidates[0];
    assert_eq!(candidate.role.key, "inline");
    assert_eq!(candidate.role.id, "role_inline_inline");
    assert_eq!(candidate.permission.id, "perm_inline_invoice_approve_space");
    assert_eq!(candidate.scope_anchor, None);
}

#[test]
fn given_grant_ids_are_kept() {
    let mut req = request();
    req.grants[0].role_id = "role_finance_approver".into();
    req.grants[0].permission_id = "perm_invoice_approve_group_tree".into();
    req.grants[0].scope_anchor_group_id = "group_finance".into();
    let candidate = &build(&req).candidates[0];
    assert_eq!(candidate.role.id, "role_finance_approver");
    assert_eq!(candidate.permission.id, "perm_invoice_approve_group_tree");
    let anchor = candidate.scope_anchor.as_ref().unwrap();
    assert_eq!(
        (anchor.id.as_str(), anchor.path.as_str()),
        ("group_finance", "finance")
    );

    req.grants[0].scope_anchor_group_path.clear();
    let anchor = build(&req).candidates[0].scope_anchor.clone().unwrap();
    assert_eq!(
        (anchor.id.as_str(), anchor.path.as_str()),
        ("group_finance", "group_finance")
    );
}

#[test]
fn grant_space_defaults_to_the_actor_and_may_differ() {
    let mut req = request();
    req.grants[0].space_id = "space_globex".into();
    let inline = build(&req);
    let candidate = &inline.candidates[0];
    assert_eq!(candidate.role.space_id, "space_globex");
    assert_eq!(candidate.member_role_space_id, "space_globex");
    let anchor = candidate.scope_anchor.as_ref().unwrap();
    assert_eq!(anchor.space_id, "space_globex");
    assert_eq!(anchor.id, "group_inline_b30bf05645edde8b");
    let ctx = inline.into_context(registry());
    assert_eq!(
        decide(&ctx, now()).deny_code(),
        Some(DenyCode::CrossSpaceViolation)
    );
}

#[test]
fn only_grants_for_the_requested_action_become_candidates() {
    let mut req = request();
    req.grants.insert(
        0,
        InlineGrant {
            action: "reject".into(),
            ..grant("group")
        },
    );
    req.grants.push(InlineGrant {
        resource: " invoice ".into(),
        action: "approve ".into(),
        ..grant("space")
    });
    let inline = build(&req);
    let scopes: Vec<&str> = inline
        .candidates
        .iter()
        .map(|c| c.permission.scope.as_str())
        .collect();
    assert_eq!(scopes, ["group_tree", "space"]);
}

#[test]
fn inline_finance_reviewer_decisions() {
    let ctx = context(&request());
    let decision = decide(&ctx, now());
    assert!(decision.is_allowed());
    assert_eq!(
        decision.allowed_by().unwrap().scope_check.reason,
        "target group finance.apac is inside anchor group finance."
    );

    let mut req = request();
    req.resource.group_path = "financeops".into();
    let ctx = context(&req);
    assert_eq!(
        decide(&ctx, now()).deny_code(),
        Some(DenyCode::ScopeOutOfBounds)
    );

    // Only grants for other actions: nothing matches, and nothing is looked up elsewhere.
    let mut req = request();
    req.grants[0].action = "reject".into();
    let ctx = context(&req);
    assert!(ctx.candidates.is_empty());
    assert_eq!(
        decide(&ctx, now()).deny_code(),
        Some(DenyCode::NoMatchingPermission)
    );

    // The registry still decides first.
    let ctx = build(&request()).into_context(Registry::default());
    assert_eq!(
        decide(&ctx, now()).deny_code(),
        Some(DenyCode::InvalidResourceType)
    );
}
