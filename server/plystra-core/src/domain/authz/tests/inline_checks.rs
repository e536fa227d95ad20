//! Context Mode checks before construction: validation failures and their order, the scopes
//! the API key must reach, mode detection, and proposed targets.

use super::inline::{grant, request};
use super::*;

#[test]
fn validation_failures() {
    let cases: Vec<(InlineError, Edit<InlineRequest>)> = vec![
        (
            InlineError::ActorIncomplete,
            Box::new(|r| r.actor.space_id.clear()),
        ),
        (
            InlineError::ActorIncomplete,
            Box::new(|r| r.actor.binding_id.clear()),
        ),
        (
            InlineError::ResourceMissing,
            Box::new(|r| {
                r.resource = InlineResource {
                    resource_type: "invoice".into(),
                    id: "invoice_001".into(),
                    ..InlineResource::default()
                }
            }),
        ),
        (
            InlineError::ResourceTypeMismatch {
                inline: "contract".into(),
                requested: "invoice".into(),
            },
            Box::new(|r| {
                r.resource_type = "invoice".into();
                r.resource.resource_type = "contract".into();
            }),
        ),
        (
            InlineError::ResourceIncomplete,
            Box::new(|r| r.resource.space_id.clear()),
        ),
        (
            InlineError::ResourceIncomplete,
            Box::new(|r| r.resource.resource_type.clear()),
        ),
        (
            InlineError::ResourceIncomplete,
            Box::new(|r| r.resource.external_id = "   ".into()),
        ),
        (
            InlineError::GrantIncomplete { index: 0 },
            Box::new(|r| r.grants[0].scope.clear()),
        ),
        (
            InlineError::GrantIncomplete { index: 0 },
            Box::new(|r| r.action.clear()),
        ),
        (
            InlineError::GrantScopeUnknown {
                index: 1,
                scope: "Group".into(),
            },
            // Unrelated grants are validated too.
            Box::new(|r| {
                r.grants.push(InlineGrant {
                    action: "reject".into(),
                    ..grant("Group")
                })
            }),
        ),
        (
            InlineError::RequestIncomplete { field: "action" },
            Box::new(|r| {
                r.action.clear();
                r.grants.clear();
                r.actor.relation_type = "delegate".into();
            }),
        ),
    ];
    for (expected, spoil) in cases {
        let mut req = request();
        spoil(&mut req);
        assert_eq!(req.build(), Err(expected));
    }
}

#[test]
fn validation_reports_the_actor_before_the_resource_and_grants() {
    let mut req = request();
    req.actor.user_id.clear();
    req.resource.space_id.clear();
    req.grants[0].scope = "planet".into();
    assert_eq!(req.build(), Err(InlineError::ActorIncomplete));
    req.actor.user_id = "user_alice".into();
    assert_eq!(req.build(), Err(InlineError::ResourceIncomplete));
}

#[test]
fn validation_messages_are_readable() {
    assert_eq!(
        InlineError::GrantScopeUnknown {
            index: 2,
            scope: "planet".into()
        }
        .to_string(),
        "inline grant 2 has unknown scope \"planet\""
    );
    assert_eq!(
        InlineError::ActorIncomplete.to_string(),
        "inline actor needs user_id, member_id, user_member_id (or binding_id) and space_id"
    );
}

#[test]
fn required_scopes_cover_actor_resource_and_grants() {
    let mut req = request();
    req.resource.group_id = " group_finance_apac ".into();
    req.grants = vec![
        InlineGrant {
            scope_anchor_group_id: "group_finance".into(),
            ..grant("group_tree")
        },
        // Same space as the actor and only a path: the actor's requirement already covers it.
        grant("group_tree"),
        InlineGrant {
            space_id: "space_globex".into(),
            scope_anchor_group_id: "group_legal".into(),
            ..grant("group")
        },
        InlineGrant {
            scope_anchor_group_id: "group_finance".into(),
            ..grant("group")
        },
    ];
    let scope = |space_id, group_id| RequiredScope { space_id, group_id };
    assert_eq!(
        req.required_scopes(),
        [
            scope("space_acme", None),
            scope("space_acme", Some("group_finance_apac")),
            scope("space_acme", Some("group_finance")),
            scope("space_globex", Some("group_legal")),
        ]
    );
}

#[test]
fn required_scopes_skip_a_resource_that_is_only_named() {
    let req = InlineRequest {
        resource: InlineResource {
            id: "invoice_001".into(),
            group_id: String::new(),
            ..InlineResource::default()
        },
        grants: Vec::new(),
        ..request()
    };
    assert_eq!(
        req.required_scopes(),
        [RequiredScope {
            space_id: "space_acme",
            group_id: None
        }]
    );
}

#[test]
fn modes() {
    let named = InlineRequest {
        resource_type: "invoice".into(),
        resource_id: "invoice_001".into(),
        action: "approve".into(),
        actor: InlineActor {
            user_id: "user_alice".into(),
            ..InlineActor::default()
        },
        resource: InlineResource {
            resource_type: "invoice".into(),
            id: "invoice_001".into(),
            ..InlineResource::default()
        },
        grants: Vec::new(),
    };
    assert_eq!(named.mode(), ContextMode::Managed);
    assert!(!named.mode().requires_api_key());

    let mut proposed = named.clone();
    proposed
        .resource
        .metadata
        .insert("region".into(), "APAC".into());
    assert_eq!(proposed.mode(), ContextMode::ProposedTarget);
    assert!(proposed.mode().requires_api_key());

    let mut described = named.clone();
    described.actor.space_status = ACTIVE.into();
    assert_eq!(described.mode(), ContextMode::Inline);
    assert_eq!(request().mode(), ContextMode::Inline);
}

#[test]
fn actor_presence_and_binding_alias() {
    assert!(InlineActor::default().is_empty());
    let alias_only = InlineActor {
        binding_id: "um_x".into(),
        ..InlineActor::default()
    };
    assert!(!alias_only.is_empty());
    assert_eq!(alias_only.effective_user_member_id(), "um_x");
    let both = InlineActor {
        user_member_id: "um_a".into(),
        ..alias_only
    };
    assert_eq!(both.effective_user_member_id(), "um_a");
}

#[test]
fn proposed_targets_take_the_body_as_given() {
    let req = InlineRequest {
        resource_id: "invoice_001".into(),
        action: "approve".into(),
        resource: InlineResource {
            resource_type: "invoice".into(),
            space_id: "space_acme".into(),
            group_id: "group_finance_apac".into(),
            owner_member_id: "member_invoice_creator".into(),
            ..InlineResource::default()
        },
        ..InlineRequest::default()
    };
    assert_eq!(req.effective_resource_type(), "invoice");
    let target = req.proposed_target();
    assert_eq!(target.resource.id, "invoice_001");
    assert_eq!(target.resource.resource_type, "invoice");
    assert_eq!(target.resource.group_id, "group_finance_apac");
    assert_eq!(target.resource.status, "");
    assert_eq!(target.group, None);
}
