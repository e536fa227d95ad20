//! Decision tests over the Finance Reviewer demo of docs/behaviour.md §5, Context Mode construction,
//! and property tests. The fixture is the demo space as the store would load it for
//! "may alice, acting as the Finance Reviewer, approve invoice_001?".

mod decisions;
mod inline;
mod inline_checks;
mod properties;
mod scenarios;

use chrono::{DateTime, TimeZone, Utc};

use super::*;

/// A change applied to a fixture, for table-driven tests.
pub(super) type Edit<T> = Box<dyn Fn(&mut T)>;

/// A fixed "now", before the expiring binding's 2026-05-05 end.
pub(super) fn now() -> DateTime<Utc> {
    at(2026, 5, 1)
}

pub(super) fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0).unwrap()
}

pub(super) fn group(id: &str, path: &str) -> Group {
    Group {
        id: id.into(),
        space_id: "space_acme".into(),
        path: path.into(),
        status: ACTIVE.into(),
    }
}

pub(super) fn finance() -> Group {
    group("group_finance", "finance")
}

/// The demo's one grant: `finance_approver` may approve invoices in the `finance` tree.
pub(super) fn approver() -> Candidate {
    candidate("finance_approver", "group_tree", Some(finance()))
}

pub(super) fn candidate(role_key: &str, scope: &str, anchor: Option<Group>) -> Candidate {
    Candidate {
        role: Role {
            id: format!("role_{role_key}"),
            key: role_key.into(),
            space_id: "space_acme".into(),
        },
        permission: Permission {
            id: format!("perm_invoice_approve_{scope}"),
            resource: "invoice".into(),
            action: "approve".into(),
            scope: scope.into(),
        },
        member_role_space_id: "space_acme".into(),
        scope_anchor: anchor,
    }
}

pub(super) fn registry() -> Registry {
    Registry {
        resource_type: Some(ResourceType {
            id: "rt_invoice".into(),
            key: "invoice".into(),
            display_name: "Invoice".into(),
            description: "Financial invoice requiring approval or rejection.".into(),
            status: ACTIVE.into(),
            source: "core".into(),
            metadata: Metadata::new(),
        }),
        action: Some(ResourceAction {
            id: "ra_invoice_approve".into(),
            resource_type_id: "rt_invoice".into(),
            key: "approve".into(),
            display_name: "Approve".into(),
            description: "Approve an invoice.".into(),
            risk_level: "high".into(),
            audit_default: true,
            metadata: Metadata::new(),
        }),
        mapping: Some(ResourceMapping {
            id: "rm_invoice_resources".into(),
            resource_type_id: "rt_invoice".into(),
            storage_kind: "internal_table".into(),
            table_name: "resources".into(),
            id_field: "id".into(),
            space_field: "space_id".into(),
            group_field: "group_id".into(),
            owner_member_field: "owner_member_id".into(),
            visibility_field: "visibility".into(),
            metadata_field: "metadata".into(),
            status: ACTIVE.into(),
            metadata: Metadata::new(),
        }),
    }
}

/// An invoice of the demo space in `group`, owned by the invoice creator.
pub(super) fn invoice(id: &str, group: Option<Group>) -> Target {
    Target {
        resource: Resource {
            id: id.into(),
            external_id: String::new(),
            resource_type: "invoice".into(),
            space_id: "space_acme".into(),
            group_id: group.as_ref().map(|g| g.id.clone()).unwrap_or_default(),
            group_path: group.as_ref().map(|g| g.path.clone()).unwrap_or_default(),
            owner_member_id: "member_invoice_creator".into(),
            display_name: format!("Invoice {id}"),
            visibility: "private".into(),
            status: ACTIVE.into(),
            metadata: Metadata::new(),
        },
        group,
    }
}

/// alice, as the Finance Reviewer, approving `invoice_001` (in `finance.apac`).
pub(super) fn demo() -> Context {
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
                expires_at: None,
            },
            space: Space {
                id: "space_acme".into(),
                name: "Acme".into(),
                status: ACTIVE.into(),
            },
        },
        registry: registry(),
        target: invoice(
            "invoice_001",
            Some(group("group_finance_apac", "finance.apac")),
        ),
        candidates: vec![approver()],
    }
}

/// The demo with the target moved into the group `id` at `path`.
pub(super) fn demo_in(id: &str, path: &str) -> Context {
    let mut ctx = demo();
    ctx.request.resource_id = "invoice_x".into();
    ctx.target = invoice("invoice_x", Some(group(id, path)));
    ctx
}

/// Asserts a deny with `code` and its contract reason; returns the decision for more checks.
#[track_caller]
pub(super) fn assert_denied(ctx: &Context, code: DenyCode) -> Decision<'_> {
    let decision = decide(ctx, now());
    assert_eq!(decision.deny_code(), Some(code), "{decision:#?}");
    assert_eq!(decision.outcome(), Outcome::Deny);
    assert!(!decision.is_allowed());
    assert_eq!(decision.reason(), code.reason());
    assert!(decision.allowed_by().is_none());
    decision
}

#[track_caller]
pub(super) fn assert_allowed(ctx: &Context) -> Decision<'_> {
    let decision = decide(ctx, now());
    assert_eq!(decision.deny_code(), None, "{decision:#?}");
    assert_eq!(decision.outcome(), Outcome::Allow);
    assert!(decision.is_allowed());
    assert_eq!(
        decision.reason(),
        "at least one matching permission grant covers the target resource"
    );
    assert!(decision.allowed_by().is_some_and(|m| m.scope_check.covered));
    decision
}
