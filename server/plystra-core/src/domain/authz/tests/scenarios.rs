//! The Finance Reviewer walkthrough of docs/behaviour.md §5: one `group_tree` grant anchored at
//! `finance`, checked against the demo invoices and bindings.

use super::*;

#[test]
fn approves_the_apac_invoice_inside_the_finance_tree() {
    let ctx = demo();
    let decision = assert_allowed(&ctx);
    assert!(decision.is_evaluated());
    assert_eq!(decision.target(), Some(&ctx.target));
    assert_eq!(decision.matched().len(), 1);
    let granted = decision.allowed_by().unwrap();
    assert_eq!(granted.candidate.role.key, "finance_approver");
    assert_eq!(
        granted.scope_check,
        ScopeCheck {
            covered: true,
            rule: "target_path = anchor_path OR target_path LIKE anchor_path || '.%'",
            reason: "target group finance.apac is inside anchor group finance.".into(),
            deny_code: None,
        }
    );
}

#[test]
fn legal_emea_invoice_is_out_of_bounds() {
    let mut ctx = demo();
    ctx.request.resource_id = "invoice_002".into();
    ctx.target = invoice("invoice_002", Some(group("group_legal_emea", "legal.emea")));
    let decision = assert_denied(&ctx, DenyCode::ScopeOutOfBounds);
    assert_eq!(
        decision.reason(),
        "matching permission grants do not cover the target resource scope"
    );
    let check = &decision.matched()[0].scope_check;
    assert!(!check.covered);
    assert_eq!(
        check.reason,
        "target group legal.emea is outside anchor group finance."
    );
    assert_eq!(check.deny_code, Some(DenyCode::ScopeOutOfBounds));
}

#[test]
fn the_anchor_covers_itself_and_its_subtree_only() {
    assert_allowed(&demo_in("group_finance", "finance"));
    assert_allowed(&demo_in("group_finance_emea", "finance.emea"));
    assert_allowed(&demo_in("group_finance_apac_sg", "finance.apac.sg"));
    for (id, path) in [
        ("group_financeops", "financeops"),
        ("group_finance_old", "finance-old"),
        ("group_legal", "legal"),
        ("group_fin", "fin"),
    ] {
        let ctx = demo_in(id, path);
        let decision = assert_denied(&ctx, DenyCode::ScopeOutOfBounds);
        assert_eq!(
            decision.matched()[0].scope_check.reason,
            format!("target group {path} is outside anchor group finance.")
        );
    }
}

#[test]
fn bob_binding_approves_too() {
    let mut ctx = demo();
    ctx.request.user_id = "user_bob".into();
    ctx.request.user_member_id = "um_bob_finance_reviewer".into();
    ctx.actor.user.id = "user_bob".into();
    ctx.actor.user.email = "bob@example.com".into();
    ctx.actor.user_member.id = "um_bob_finance_reviewer".into();
    ctx.actor.user_member.user_id = "user_bob".into();
    ctx.actor.user_member.relation_type = "login".into();
    assert_allowed(&ctx);
}

#[test]
fn a_revoked_binding_is_refused_even_though_the_grant_covers() {
    let mut ctx = demo();
    ctx.request.user_member_id = "um_alice_finance_reviewer_revoked".into();
    ctx.actor.user_member.id = "um_alice_finance_reviewer_revoked".into();
    ctx.actor.user_member.status = "revoked".into();
    ctx.actor.user_member.is_primary = false;
    let decision = assert_denied(&ctx, DenyCode::UserMemberRevoked);
    assert_eq!(decision.reason(), "UserMember binding is not active");
    // The trace still explains what the grant would have done.
    assert!(decision.is_evaluated());
    assert!(decision.matched()[0].scope_check.covered);
}

#[test]
fn a_temporary_binding_works_until_it_expires() {
    let mut ctx = demo();
    ctx.request.user_member_id = "um_alice_finance_reviewer_expired".into();
    ctx.actor.user_member.id = "um_alice_finance_reviewer_expired".into();
    ctx.actor.user_member.relation_type = "temporary".into();
    ctx.actor.user_member.expires_at = Some(at(2026, 5, 5));

    assert!(decide(&ctx, at(2026, 5, 4)).is_allowed());
    // Expiry is strict: the binding still works at the instant it names.
    assert!(decide(&ctx, at(2026, 5, 5)).is_allowed());
    let later = at(2026, 5, 5) + chrono::Duration::seconds(1);
    let decision = decide(&ctx, later);
    assert_eq!(decision.deny_code(), Some(DenyCode::UserMemberExpired));
    assert_eq!(decision.reason(), "UserMember binding has expired");
}

#[test]
fn inactive_user_member_and_space_are_refused() {
    let cases: [(Edit<Context>, DenyCode, &str); 3] = [
        (
            Box::new(|c| c.actor.user.status = "disabled".into()),
            DenyCode::ActorUserInactive,
            "actor User is not active",
        ),
        (
            Box::new(|c| c.actor.member.status = "disabled".into()),
            DenyCode::ActorMemberInactive,
            "actor Member is not active",
        ),
        (
            Box::new(|c| c.actor.space.status = "disabled".into()),
            DenyCode::SpaceInactive,
            "active Space is not active",
        ),
    ];
    for (spoil, code, reason) in cases {
        let mut ctx = demo();
        spoil(&mut ctx);
        assert_eq!(assert_denied(&ctx, code).reason(), reason);
    }
}

#[test]
fn an_invoice_in_another_space_is_a_cross_space_violation() {
    let mut ctx = demo();
    ctx.target.resource.space_id = "space_globex".into();
    let decision = assert_denied(&ctx, DenyCode::CrossSpaceViolation);
    assert_eq!(
        decision.reason(),
        "actor context, grants, and target resource must belong to the same Space"
    );
}

#[test]
fn self_group_space_and_global_grants_on_the_demo_invoice() {
    let apac = group("group_finance_apac", "finance.apac");
    let with = |c: Candidate| Context {
        candidates: vec![c],
        ..demo()
    };

    // self: invoice_001 belongs to the invoice creator, not to the reviewer.
    assert_denied(
        &with(candidate("finance_approver", "self", None)),
        DenyCode::ScopeOutOfBounds,
    );
    let mut own = with(candidate("finance_approver", "self", None));
    own.target.resource.owner_member_id = "member_finance_reviewer".into();
    assert_allowed(&own);

    // group: only the anchor group itself.
    assert_denied(
        &with(candidate("finance_approver", "group", Some(finance()))),
        DenyCode::ScopeOutOfBounds,
    );
    assert_allowed(&with(candidate("finance_approver", "group", Some(apac))));

    // space: anything in the actor's space.
    let space = with(candidate("finance_approver", "space", None));
    let decision = assert_allowed(&space);
    assert_eq!(
        decision.allowed_by().unwrap().scope_check.reason,
        "target resource belongs to the active Space."
    );

    // global: never, even for an anchored grant.
    assert_denied(
        &with(candidate("finance_approver", "global", Some(finance()))),
        DenyCode::GlobalScopeDisabled,
    );
}

#[test]
fn unregistered_types_and_actions_are_refused_before_the_grants() {
    let mut ctx = demo();
    ctx.request.action = "archive".into();
    ctx.registry.action = None;
    ctx.registry.mapping = None;
    let decision = assert_denied(&ctx, DenyCode::InvalidResourceAction);
    assert_eq!(
        decision.reason(),
        "resource action is not registered for the resource type"
    );
    assert!(!decision.is_evaluated());
    assert_eq!(decision.target(), None);
    assert!(decision.matched().is_empty());

    ctx.request.resource_type = "purchase_order".into();
    ctx.registry = Registry::default();
    let decision = assert_denied(&ctx, DenyCode::InvalidResourceType);
    assert_eq!(decision.reason(), "resource type is not registered");
    assert!(decision.matched().is_empty());
}
