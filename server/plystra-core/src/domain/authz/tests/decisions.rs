//! The decision order: which rule wins when several apply, every cross-space condition, union
//! semantics, which candidate names the deny, and what the decision echoes.

use std::collections::HashSet;

use super::*;

fn inactive_everything() -> Context {
    let mut ctx = demo();
    ctx.actor.user.status = "disabled".into();
    ctx.actor.member.status = "disabled".into();
    ctx.actor.space.status = "disabled".into();
    ctx.actor.user_member.status = "revoked".into();
    ctx.actor.user_member.expires_at = Some(at(2020, 1, 1));
    ctx
}

#[test]
fn actor_state_rules_apply_in_contract_order() {
    let mut ctx = inactive_everything();
    assert_denied(&ctx, DenyCode::ActorUserInactive);
    ctx.actor.user.status = ACTIVE.into();
    assert_denied(&ctx, DenyCode::ActorMemberInactive);
    ctx.actor.member.status = ACTIVE.into();
    assert_denied(&ctx, DenyCode::SpaceInactive);
    ctx.actor.space.status = ACTIVE.into();
    assert_denied(&ctx, DenyCode::UserMemberRevoked);
    ctx.actor.user_member.status = ACTIVE.into();
    assert_denied(&ctx, DenyCode::UserMemberExpired);
    ctx.actor.user_member.expires_at = None;
    assert_allowed(&ctx);
}

#[test]
fn statuses_must_be_exactly_active() {
    for status in ["Active", "ACTIVE", " active", ""] {
        let mut ctx = demo();
        ctx.actor.user.status = status.into();
        assert_denied(&ctx, DenyCode::ActorUserInactive);
    }
}

#[test]
fn actor_state_wins_over_the_registry() {
    let mut ctx = inactive_everything();
    ctx.registry = Registry::default();
    assert_denied(&ctx, DenyCode::ActorUserInactive);

    let mut ctx = demo();
    ctx.registry.action = None;
    ctx.actor.user_member.expires_at = Some(at(2020, 1, 1));
    let decision = assert_denied(&ctx, DenyCode::UserMemberExpired);
    assert!(!decision.is_evaluated());

    let mut ctx = demo();
    ctx.registry.resource_type = None;
    ctx.actor.member.status = "disabled".into();
    assert_denied(&ctx, DenyCode::ActorMemberInactive);
}

#[test]
fn an_unknown_type_is_reported_before_an_unknown_action() {
    let mut ctx = demo();
    ctx.registry = Registry {
        resource_type: None,
        action: registry().action,
        mapping: None,
    };
    assert_denied(&ctx, DenyCode::InvalidResourceType);
}

#[test]
fn a_missing_mapping_does_not_change_the_decision() {
    let mut ctx = demo();
    ctx.registry.mapping = None;
    assert_allowed(&ctx);
}

#[test]
fn every_cross_space_condition_denies() {
    let other = "space_globex";
    let cases: Vec<(&str, Edit<Context>)> = vec![
        (
            "requested user",
            Box::new(|c| c.request.user_id = "user_bob".into()),
        ),
        (
            "requested member",
            Box::new(|c| c.request.member_id = "member_x".into()),
        ),
        (
            "requested binding",
            Box::new(|c| c.request.user_member_id = "um_x".into()),
        ),
        (
            "requested space",
            Box::new(move |c| c.request.space_id = other.into()),
        ),
        (
            "loaded space",
            Box::new(move |c| c.actor.space.id = other.into()),
        ),
        (
            "binding user",
            Box::new(|c| c.actor.user_member.user_id = "user_bob".into()),
        ),
        (
            "binding member",
            Box::new(|c| c.actor.user_member.member_id = "m".into()),
        ),
        (
            "binding space",
            Box::new(move |c| c.actor.user_member.space_id = other.into()),
        ),
        (
            "member space",
            Box::new(move |c| c.actor.member.space_id = other.into()),
        ),
        (
            "resource space",
            Box::new(move |c| c.target.resource.space_id = other.into()),
        ),
        (
            "target group space",
            Box::new(move |c| {
                if let Some(g) = c.target.group.as_mut() {
                    g.space_id = other.into();
                }
            }),
        ),
        (
            "role space",
            Box::new(move |c| c.candidates[0].role.space_id = other.into()),
        ),
        (
            "member-role space",
            Box::new(move |c| c.candidates[0].member_role_space_id = other.into()),
        ),
        (
            "anchor space",
            Box::new(move |c| {
                if let Some(g) = c.candidates[0].scope_anchor.as_mut() {
                    g.space_id = other.into();
                }
            }),
        ),
    ];
    for (what, spoil) in cases {
        let mut ctx = demo();
        spoil(&mut ctx);
        let decision = decide(&ctx, now());
        assert_eq!(
            decision.deny_code(),
            Some(DenyCode::CrossSpaceViolation),
            "{what}"
        );
    }
}

#[test]
fn cross_space_comes_after_actor_state_and_before_missing_grants() {
    let mut ctx = demo();
    ctx.target.resource.space_id = "space_globex".into();
    ctx.actor.space.status = "disabled".into();
    assert_denied(&ctx, DenyCode::SpaceInactive);

    let mut ctx = demo();
    ctx.target.resource.space_id = "space_globex".into();
    ctx.candidates.clear();
    assert_denied(&ctx, DenyCode::CrossSpaceViolation);
}

#[test]
fn a_grant_in_another_space_spoils_a_covering_one() {
    let mut ctx = demo();
    let mut foreign = candidate("auditor", "space", None);
    foreign.member_role_space_id = "space_globex".into();
    ctx.candidates.push(foreign);
    assert_denied(&ctx, DenyCode::CrossSpaceViolation);
}

#[test]
fn no_matching_grant_is_reported() {
    let mut ctx = demo();
    ctx.candidates.clear();
    let decision = assert_denied(&ctx, DenyCode::NoMatchingPermission);
    assert_eq!(
        decision.reason(),
        "no permission grant matched the requested resource and action"
    );
    assert!(decision.is_evaluated());
    assert!(decision.matched().is_empty());
}

#[test]
fn grants_for_another_action_or_type_never_match() {
    let mut ctx = demo();
    ctx.candidates[0].permission.action = "reject".into();
    let mut other_type = approver();
    other_type.permission.resource = "contract".into();
    // Even from another space: a permission for something else is not looked at.
    other_type.role.space_id = "space_globex".into();
    ctx.candidates.push(other_type);
    let decision = assert_denied(&ctx, DenyCode::NoMatchingPermission);
    assert!(decision.matched().is_empty());
}

#[test]
fn group_scopes_without_anchor_or_target_group() {
    let mut ctx = demo();
    ctx.candidates = vec![candidate("finance_approver", "group_tree", None)];
    let decision = assert_denied(&ctx, DenyCode::ScopeAnchorMissing);
    assert_eq!(
        decision.matched()[0].scope_check.rule,
        "scope_anchor_group_id is required"
    );

    let mut ctx = demo();
    ctx.target = invoice("invoice_001", None);
    let decision = assert_denied(&ctx, DenyCode::TargetGroupMissing);
    assert_eq!(
        decision.matched()[0].scope_check.reason,
        "target resource is missing a group."
    );
}

#[test]
fn an_unknown_scope_never_covers() {
    let mut ctx = demo();
    ctx.candidates = vec![candidate("finance_approver", "galaxy", Some(finance()))];
    let decision = assert_denied(&ctx, DenyCode::ScopeOutOfBounds);
    let check = &decision.matched()[0].scope_check;
    assert_eq!(check.rule, "known permission scope");
    assert_eq!(check.reason, "unsupported scope \"galaxy\".");
}

#[test]
fn any_covering_grant_allows() {
    let mut ctx = demo();
    ctx.candidates = vec![
        candidate("auditor", "global", None),
        candidate("clerk", "self", None),
        approver(),
        candidate("viewer", "space", None),
    ];
    let decision = assert_allowed(&ctx);
    assert_eq!(
        decision.allowed_by().unwrap().candidate.role.key,
        "finance_approver"
    );
    assert_eq!(decision.matched().len(), 4);
    let covered: Vec<bool> = decision
        .matched()
        .iter()
        .map(|m| m.scope_check.covered)
        .collect();
    assert_eq!(covered, [false, false, true, true]);
}

#[test]
fn the_first_candidate_names_the_scope_deny() {
    let global = || candidate("auditor", "global", None);
    let not_owner = || candidate("clerk", "self", None);
    let unanchored = || candidate("approver", "group", None);
    let orders: [(Vec<Candidate>, DenyCode); 3] = [
        (vec![global(), not_owner()], DenyCode::GlobalScopeDisabled),
        (vec![not_owner(), global()], DenyCode::ScopeOutOfBounds),
        (vec![unanchored(), global()], DenyCode::ScopeAnchorMissing),
    ];
    for (candidates, code) in orders {
        let ctx = Context {
            candidates,
            ..demo()
        };
        assert_denied(&ctx, code);
    }
}

#[test]
fn sorting_orders_by_role_key_resource_action_scope_and_keeps_ties() {
    let mut candidates = vec![
        candidate("clerk", "self", None),
        candidate("auditor", "space", None),
        candidate("auditor", "global", None),
        candidate("Zeta", "self", None),
    ];
    let mut tie = candidate("auditor", "global", Some(finance()));
    tie.role.id = "role_auditor_second".into();
    candidates.push(tie);
    sort_candidates(&mut candidates);
    let order: Vec<(&str, &str, &str)> = candidates
        .iter()
        .map(|c| {
            (
                c.role.key.as_str(),
                c.permission.scope.as_str(),
                c.role.id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("Zeta", "self", "role_Zeta"),
            ("auditor", "global", "role_auditor"),
            ("auditor", "global", "role_auditor_second"),
            ("auditor", "space", "role_auditor"),
            ("clerk", "self", "role_clerk"),
        ]
    );
    // Sorted, the global grant comes first and names the deny.
    let ctx = Context {
        candidates: vec![
            candidate("clerk", "self", None),
            candidate("auditor", "global", None),
        ],
        ..demo()
    };
    assert_denied(&ctx, DenyCode::ScopeOutOfBounds);
    let mut sorted = ctx.clone();
    sort_candidates(&mut sorted.candidates);
    assert_denied(&sorted, DenyCode::GlobalScopeDisabled);
}

#[test]
fn target_status_and_group_status_are_not_checked() {
    let mut ctx = demo();
    ctx.target.resource.status = "archived".into();
    if let Some(g) = ctx.target.group.as_mut() {
        g.status = "disabled".into();
    }
    if let Some(g) = ctx.candidates[0].scope_anchor.as_mut() {
        g.status = "disabled".into();
    }
    ctx.registry.resource_type.as_mut().unwrap().status = "disabled".into();
    assert_allowed(&ctx);
}

#[test]
fn an_unloaded_target_fails_closed() {
    let mut ctx = demo();
    ctx.target = Target::default();
    assert_denied(&ctx, DenyCode::CrossSpaceViolation);
}

#[test]
fn the_decision_echoes_its_context_and_audit_fields() {
    let ctx = demo();
    let decision = decide(&ctx, now());
    assert!(std::ptr::eq(decision.context(), &ctx));
    assert_eq!(decision.actor(), &ctx.actor);
    assert_eq!(decision.space().name, "Acme");
    assert_eq!(decision.registry(), &ctx.registry);
    assert_eq!(TRACE_VERSION, "1.0");
    let audit = decision.audit();
    assert_eq!(audit.action(), "invoice.approve");
    assert_eq!(
        (
            audit.actor_user_id,
            audit.actor_member_id,
            audit.actor_user_member_id,
            audit.space_id,
            audit.resource_type,
            audit.resource_id,
        ),
        (
            "user_alice",
            "member_finance_reviewer",
            "um_alice_finance_reviewer",
            "space_acme",
            "invoice",
            "invoice_001",
        )
    );
    assert_eq!((audit.outcome, audit.deny_code), (Outcome::Allow, None));

    let mut denied = demo();
    denied.candidates.clear();
    let decision = decide(&denied, now());
    let audit = decision.audit();
    assert_eq!(
        (audit.outcome, audit.deny_code),
        (Outcome::Deny, Some(DenyCode::NoMatchingPermission))
    );
}

#[test]
fn deciding_twice_gives_the_same_decision() {
    let ctx = demo_in("group_legal", "legal");
    assert_eq!(decide(&ctx, now()), decide(&ctx, now()));
}

#[test]
fn every_deny_code_is_reachable() {
    let mut seen = HashSet::new();
    let mut record = |ctx: Context| {
        if let Some(code) = decide(&ctx, now()).deny_code() {
            seen.insert(code);
        }
    };
    // Each round repairs one more actor-state failure, in the contract's order.
    for round in 0..5 {
        let mut ctx = inactive_everything();
        let repairs: [&mut String; 4] = [
            &mut ctx.actor.user.status,
            &mut ctx.actor.member.status,
            &mut ctx.actor.space.status,
            &mut ctx.actor.user_member.status,
        ];
        for status in repairs.into_iter().take(round) {
            *status = ACTIVE.into();
        }
        record(ctx);
    }
    let mut ctx = demo();
    ctx.registry = Registry::default();
    record(ctx);
    let mut ctx = demo();
    ctx.registry.action = None;
    record(ctx);
    let mut ctx = demo();
    ctx.target.resource.space_id = "space_globex".into();
    record(ctx);
    record(Context {
        candidates: Vec::new(),
        ..demo()
    });
    record(demo_in("group_legal", "legal"));
    record(Context {
        candidates: vec![candidate("a", "group", None)],
        ..demo()
    });
    let mut ctx = demo();
    ctx.target.group = None;
    record(ctx);
    record(Context {
        candidates: vec![candidate("a", "global", None)],
        ..demo()
    });
    assert_eq!(seen, DenyCode::ALL.into_iter().collect());
}
