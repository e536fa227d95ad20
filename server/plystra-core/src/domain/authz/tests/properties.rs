//! Property tests over generated contexts. Ids, spaces and paths come from small pools so that
//! matches, near misses (`a` against `ab`, `a.b`, `a-b`) and cross-space rows all occur often.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::*;

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    select(options).prop_map(String::from)
}

fn status() -> impl Strategy<Value = String> + Clone {
    prop_oneof![6 => Just(ACTIVE), 1 => Just("disabled"), 1 => Just("revoked")]
        .prop_map(String::from)
}

/// Mostly the requested space `s1`.
fn space() -> impl Strategy<Value = String> + Clone {
    prop_oneof![12 => Just("s1"), 1 => Just("s2")].prop_map(String::from)
}

fn path() -> impl Strategy<Value = String> + Clone {
    "[ab]{0,2}([.-][ab]{0,2}){0,2}"
}

fn group() -> impl Strategy<Value = Group> + Clone {
    (pick(&["g1", "g2", "g3"]), space(), path(), status()).prop_map(
        |(id, space_id, path, status)| Group {
            id,
            space_id,
            path,
            status,
        },
    )
}

fn candidate() -> impl Strategy<Value = Candidate> {
    let permission = (
        pick(&["invoice", "invoice", "invoice", "order"]),
        pick(&["approve", "approve", "approve", "read"]),
        pick(&[
            "self",
            "group",
            "group_tree",
            "group_tree",
            "space",
            "global",
            "planet",
        ]),
    );
    (
        pick(&["r1", "r2", "r3"]),
        permission,
        space(),
        space(),
        option::weighted(0.8, group()),
    )
        .prop_map(
            |(key, (resource, action, scope), role_space, mr_space, anchor)| Candidate {
                role: Role {
                    id: format!("role_{key}"),
                    key,
                    space_id: role_space,
                },
                permission: Permission {
                    id: format!("perm_{resource}_{action}_{scope}"),
                    resource,
                    action,
                    scope,
                },
                member_role_space_id: mr_space,
                scope_anchor: anchor,
            },
        )
}

fn actor() -> impl Strategy<Value = Actor> {
    let ids = (
        pick(&["u1", "u1", "u1", "u1", "u2"]),
        pick(&["m1", "m1", "m1", "m1", "m2"]),
        pick(&["um1", "um1", "um1", "um1", "um2"]),
        space(),
        space(),
        space(),
    );
    let binding = (
        pick(&["u1", "u1", "u1", "u1", "u2"]),
        pick(&["m1", "m1", "m1", "m1", "m2"]),
        option::weighted(0.3, -48i64..48),
    );
    (ids, binding, (status(), status(), status(), status())).prop_map(
        |(
            (user_id, member_id, um_id, member_space, um_space, space_id),
            (um_user, um_member, expiry_hours),
            (user_status, member_status, space_status, um_status),
        )| Actor {
            user: User {
                id: user_id,
                email: String::new(),
                status: user_status,
            },
            member: Member {
                id: member_id,
                space_id: member_space,
                display_name: String::new(),
                status: member_status,
            },
            user_member: UserMember {
                id: um_id,
                user_id: um_user,
                member_id: um_member,
                space_id: um_space,
                relation_type: "delegate".into(),
                status: um_status,
                is_primary: true,
                expires_at: expiry_hours.map(|h| now() + chrono::Duration::hours(h)),
            },
            space: Space {
                id: space_id,
                name: String::new(),
                status: space_status,
            },
        },
    )
}

fn target() -> impl Strategy<Value = Target> {
    (space(), pick(&["m1", "m2"]), option::weighted(0.8, group())).prop_map(
        |(space_id, owner, group)| Target {
            resource: Resource {
                id: "res1".into(),
                resource_type: "invoice".into(),
                space_id,
                owner_member_id: owner,
                ..Resource::default()
            },
            group,
        },
    )
}

fn context() -> impl Strategy<Value = Context> {
    let registry = (proptest::bool::weighted(0.9), proptest::bool::weighted(0.9)).prop_map(
        |(has_type, has_action)| {
            let full = super::registry();
            Registry {
                resource_type: full.resource_type.filter(|_| has_type),
                action: full.action.filter(|_| has_action),
                mapping: full.mapping,
            }
        },
    );
    (actor(), registry, target(), vec(candidate(), 0..5)).prop_map(
        |(actor, registry, target, candidates)| Context {
            request: CheckRequest {
                user_id: "u1".into(),
                member_id: "m1".into(),
                user_member_id: "um1".into(),
                space_id: "s1".into(),
                resource_type: "invoice".into(),
                resource_id: "res1".into(),
                action: "approve".into(),
            },
            actor,
            registry,
            target,
            candidates,
        },
    )
}

fn names_request(ctx: &Context, c: &Candidate) -> bool {
    c.permission.resource == ctx.request.resource_type && c.permission.action == ctx.request.action
}

fn scope_of<'a>(ctx: &'a Context, c: &'a Candidate) -> ScopeCheck<'a> {
    check_scope(
        &c.permission.scope,
        &ctx.actor.member,
        &ctx.target,
        c.scope_anchor.as_ref(),
    )
}

/// The contract's decision written out rule by rule, as a second opinion.
fn expected(ctx: &Context) -> Option<DenyCode> {
    let (request, actor, target) = (&ctx.request, &ctx.actor, &ctx.target);
    let actor_rules = [
        (actor.user.status != ACTIVE, DenyCode::ActorUserInactive),
        (actor.member.status != ACTIVE, DenyCode::ActorMemberInactive),
        (actor.space.status != ACTIVE, DenyCode::SpaceInactive),
        (
            actor.user_member.status != ACTIVE,
            DenyCode::UserMemberRevoked,
        ),
        (
            actor.user_member.expires_at.is_some_and(|at| at < now()),
            DenyCode::UserMemberExpired,
        ),
    ];
    let actor_deny = actor_rules
        .iter()
        .find(|(fails, _)| *fails)
        .map(|(_, c)| *c);
    if ctx.registry.resource_type.is_none() {
        return Some(actor_deny.unwrap_or(DenyCode::InvalidResourceType));
    }
    if ctx.registry.action.is_none() {
        return Some(actor_deny.unwrap_or(DenyCode::InvalidResourceAction));
    }
    if actor_deny.is_some() {
        return actor_deny;
    }
    let matching: Vec<&Candidate> = ctx
        .candidates
        .iter()
        .filter(|c| names_request(ctx, c))
        .collect();
    let same_ids = [
        (&actor.user.id, &request.user_id),
        (&actor.member.id, &request.member_id),
        (&actor.user_member.id, &request.user_member_id),
        (&actor.user_member.user_id, &actor.user.id),
        (&actor.user_member.member_id, &actor.member.id),
    ]
    .iter()
    .all(|(a, b)| a == b);
    let mut spaces = vec![
        &actor.space.id,
        &actor.member.space_id,
        &actor.user_member.space_id,
        &target.resource.space_id,
    ];
    spaces.extend(target.group.iter().map(|g| &g.space_id));
    for c in &matching {
        spaces.push(&c.role.space_id);
        spaces.push(&c.member_role_space_id);
        spaces.extend(c.scope_anchor.iter().map(|g| &g.space_id));
    }
    if !same_ids || spaces.iter().any(|s| **s != request.space_id) {
        return Some(DenyCode::CrossSpaceViolation);
    }
    let checks: Vec<ScopeCheck<'_>> = matching.iter().map(|c| scope_of(ctx, c)).collect();
    match checks.first() {
        None => Some(DenyCode::NoMatchingPermission),
        Some(_) if checks.iter().any(|c| c.covered) => None,
        Some(first) => first.deny_code,
    }
}

/// `group_tree` by whole segments: the anchor's segments start the target's.
fn segment_prefix(anchor: &str, target: &str) -> bool {
    let anchor: Vec<&str> = anchor.split('.').collect();
    let target: Vec<&str> = target.split('.').collect();
    target.len() >= anchor.len() && target[..anchor.len()] == anchor[..]
}

proptest! {
    #[test]
    fn never_allows_without_a_covering_grant_for_the_request(ctx in context()) {
        let decision = decide(&ctx, now());
        if decision.is_allowed() {
            prop_assert!(ctx
                .candidates
                .iter()
                .any(|c| names_request(&ctx, c) && scope_of(&ctx, c).covered));
            let granted = decision.allowed_by().unwrap();
            prop_assert!(names_request(&ctx, granted.candidate));
            prop_assert!(granted.scope_check.covered);
        }
    }

    #[test]
    fn the_deciding_rule_explains_the_decision(ctx in context()) {
        let decision = decide(&ctx, now());
        prop_assert_eq!(decision.deny_code(), expected(&ctx));
        let matched = decision.matched();
        match decision.deny_code() {
            None => {
                prop_assert_eq!(decision.reason(), ALLOW_REASON);
                let first_covered = matched.iter().position(|m| m.scope_check.covered);
                prop_assert!(first_covered.is_some());
                prop_assert!(std::ptr::eq(
                    decision.allowed_by().unwrap(),
                    &matched[first_covered.unwrap()]
                ));
            }
            Some(code) => {
                prop_assert_eq!(decision.reason(), code.reason());
                prop_assert!(decision.allowed_by().is_none());
                if code.is_scope_code() {
                    prop_assert!(!matched.is_empty());
                    prop_assert!(matched.iter().all(|m| !m.scope_check.covered));
                    prop_assert_eq!(matched[0].scope_check.deny_code, Some(code));
                }
                let registry_code = matches!(
                    code,
                    DenyCode::InvalidResourceType | DenyCode::InvalidResourceAction
                );
                if registry_code {
                    prop_assert!(ctx.registry.resource_type.is_none() || ctx.registry.action.is_none());
                }
            }
        }
        let registry_known = ctx.registry.resource_type.is_some() && ctx.registry.action.is_some();
        prop_assert_eq!(decision.is_evaluated(), registry_known);
        if registry_known {
            // Every candidate for the request is explained, in order, and nothing else.
            let expected: Vec<&Candidate> =
                ctx.candidates.iter().filter(|c| names_request(&ctx, c)).collect();
            prop_assert_eq!(matched.len(), expected.len());
            for (m, c) in matched.iter().zip(expected) {
                prop_assert!(std::ptr::eq(m.candidate, c));
                prop_assert_eq!(&m.scope_check, &scope_of(&ctx, c));
                prop_assert_eq!(m.scope_check.covered, m.scope_check.deny_code.is_none());
                prop_assert!(m.scope_check.deny_code.is_none_or(DenyCode::is_scope_code));
            }
        } else {
            prop_assert!(matched.is_empty());
            prop_assert!(decision.target().is_none());
        }
    }

    #[test]
    fn candidate_order_changes_at_most_the_deny_code(ctx in context()) {
        let mut reversed = ctx.clone();
        reversed.candidates.reverse();
        let mut sorted = ctx.clone();
        sort_candidates(&mut sorted.candidates);
        let outcome = decide(&ctx, now()).outcome();
        prop_assert_eq!(decide(&reversed, now()).outcome(), outcome);
        prop_assert_eq!(decide(&sorted, now()).outcome(), outcome);
        let keys: Vec<_> = sorted
            .candidates
            .iter()
            .map(|c| (&c.role.key, &c.permission.resource, &c.permission.action, &c.permission.scope))
            .collect();
        prop_assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn group_tree_agrees_with_segment_prefixes(
        anchor in "[ab.-]{0,6}",
        target in "[ab.-]{0,8}",
    ) {
        prop_assert_eq!(group_tree_covers(&anchor, &target), segment_prefix(&anchor, &target));
    }

    #[test]
    fn group_tree_on_arbitrary_text(anchor in any::<String>(), target in any::<String>()) {
        prop_assert_eq!(group_tree_covers(&anchor, &target), segment_prefix(&anchor, &target));
        prop_assert!(group_tree_covers(&anchor, &anchor));
        let below = format!("{anchor}.{target}");
        prop_assert!(group_tree_covers(&anchor, &below));
        let glued = format!("{anchor}{target}");
        prop_assert_eq!(
            group_tree_covers(&anchor, &glued),
            target.is_empty() || target.starts_with('.')
        );
    }

    #[test]
    fn group_tree_scope_checks_follow_the_paths(ctx in context(), anchor in group()) {
        let decision_target = &ctx.target;
        let check = check_scope("group_tree", &ctx.actor.member, decision_target, Some(&anchor));
        match &decision_target.group {
            None => prop_assert_eq!(check.deny_code, Some(DenyCode::TargetGroupMissing)),
            Some(group) => {
                let inside = segment_prefix(&anchor.path, &group.path);
                prop_assert_eq!(check.covered, inside);
                let word = if inside { "inside" } else { "outside" };
                let reason = format!("target group {} is {word} anchor group {}.", group.path, anchor.path);
                prop_assert_eq!(check.reason.as_ref(), reason.as_str());
            }
        }
    }

    #[test]
    fn synthetic_ids_are_stable_and_well_formed(space in "\\PC{0,12}", path in "\\PC{0,12}") {
        let id = synthetic_group_id(&space, &path);
        prop_assert_eq!(&id, &synthetic_group_id(&space, &path));
        prop_assert_eq!(id.len(), "group_inline_".len() + 16);
        let digits = id.strip_prefix("group_inline_").unwrap();
        prop_assert!(digits.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn built_inline_contexts_only_hold_candidates_for_the_request(
        grants in vec(
            (
                pick(&["", "invoice", " invoice", "order"]),
                pick(&["", "approve", "read"]),
                pick(&["", "self", "group", "group_tree", "space", "global", "planet"]),
                pick(&["", "space_acme", "space_globex"]),
                pick(&["", "finance", "finance.apac"]),
            ),
            0..4,
        ),
        action in pick(&["", "approve"]),
        group_path in pick(&["", "finance.apac", "financeops"]),
    ) {
        let request = InlineRequest {
            action,
            actor: InlineActor {
                user_id: "user_alice".into(),
                member_id: "member_finance_reviewer".into(),
                user_member_id: "um_alice_finance_reviewer".into(),
                space_id: "space_acme".into(),
                ..InlineActor::default()
            },
            resource: InlineResource {
                resource_type: "invoice".into(),
                id: "invoice_001".into(),
                space_id: "space_acme".into(),
                group_path,
                ..InlineResource::default()
            },
            grants: grants
                .into_iter()
                .map(|(resource, action, scope, space_id, path)| InlineGrant {
                    resource,
                    action,
                    scope,
                    space_id,
                    scope_anchor_group_path: path,
                    ..InlineGrant::default()
                })
                .collect(),
            ..InlineRequest::default()
        };
        let scopes = request.required_scopes();
        prop_assert_eq!(scopes[0], RequiredScope { space_id: "space_acme", group_id: None });
        if let Ok(inline) = request.build() {
            let ctx = inline.into_context(super::registry());
            prop_assert!(ctx.candidates.iter().all(|c| names_request(&ctx, c)));
            prop_assert!(ctx
                .candidates
                .iter()
                .all(|c| Scope::parse(&c.permission.scope).is_some()));
            prop_assert_eq!(decide(&ctx, now()).deny_code(), expected(&ctx));
        }
    }
}
