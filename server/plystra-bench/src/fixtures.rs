//! The decisions the engine bench times, as data: the Finance Reviewer demo (docs/behaviour.md §5)
//! with the target moved between groups and the member's status changed. Each [`Case`] renders
//! as a registry-mode [`Context`], as a Context Mode [`InlineRequest`] and, with the `cedar`
//! feature, as a Cedar request, so all three answer the same question.

use plystra_core::domain::authz::{
    ACTIVE, Actor, Candidate, CheckRequest, Context, Group, InlineActor, InlineGrant,
    InlineRequest, InlineResource, Member, Metadata, Permission, Registry, Resource,
    ResourceAction, ResourceMapping, ResourceType, Role, Space, Target, User, UserMember,
};

/// The demo space.
pub const SPACE: &str = "space_acme";
/// The acting member.
pub const MEMBER: &str = "member_finance_reviewer";
/// The acting user.
pub const USER: &str = "user_alice";
/// The binding between them.
pub const BINDING: &str = "um_alice_finance_reviewer";
/// The member's role.
pub const ROLE: &str = "finance_approver";
/// The path of the group the role is anchored at.
pub const ANCHOR_PATH: &str = "finance";
/// The owner of every invoice.
pub const INVOICE_OWNER: &str = "member_invoice_creator";

/// One question: may the Finance Reviewer approve `resource_id`, which lies in `group_path`?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    /// A short label for tables.
    pub name: &'static str,
    /// The invoice's id.
    pub resource_id: &'static str,
    /// The dotted path of the invoice's group; every prefix is a group above it.
    pub group_path: &'static str,
    /// The acting member's status.
    pub member_status: &'static str,
    /// The answer both engines must give.
    pub allow: bool,
}

/// The cases both engines must agree on. The first is the timed allow, the second the timed deny.
pub const CASES: [Case; 5] = [
    Case {
        name: "allow: invoice in finance.apac",
        resource_id: "invoice_001",
        group_path: "finance.apac",
        member_status: ACTIVE,
        allow: true,
    },
    Case {
        name: "deny: invoice in legal.emea",
        resource_id: "invoice_002",
        group_path: "legal.emea",
        member_status: ACTIVE,
        allow: false,
    },
    Case {
        name: "allow: invoice in the anchor itself",
        resource_id: "invoice_003",
        group_path: "finance",
        member_status: ACTIVE,
        allow: true,
    },
    Case {
        name: "deny: sibling path financeops",
        resource_id: "invoice_004",
        group_path: "financeops.apac",
        member_status: ACTIVE,
        allow: false,
    },
    Case {
        name: "deny: member suspended",
        resource_id: "invoice_001",
        group_path: "finance.apac",
        member_status: "suspended",
        allow: false,
    },
];

/// The timed allow: the demo's `invoice_001` in `finance.apac`.
pub const ALLOW: Case = CASES[0];
/// The timed deny: the demo's `invoice_002` in `legal.emea`, outside the anchor's tree.
pub const DENY: Case = CASES[1];

/// The stored id of the group at `path`, as the demo names them (`group_finance_apac`).
pub fn group_id(path: &str) -> String {
    format!("group_{}", path.replace('.', "_"))
}

/// `path` and every group above it, top first: `finance.apac` gives `finance`, `finance.apac`.
pub fn group_chain(path: &str) -> Vec<&str> {
    path.match_indices('.')
        .map(|(at, _)| &path[..at])
        .chain(std::iter::once(path))
        .collect()
}

fn group(path: &str) -> Group {
    Group {
        id: group_id(path),
        space_id: SPACE.into(),
        path: path.into(),
        status: ACTIVE.into(),
    }
}

/// The registry entry for `invoice` / `approve`, as the store loads it for the demo.
pub fn registry() -> Registry {
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

/// The case as the store would load it in registry mode: the demo actor, the invoice in its
/// group, and the one candidate (`finance_approver`, `invoice`/`approve`/`group_tree`, anchored
/// at `finance`).
pub fn registry_context(case: &Case) -> Context {
    let target_group = group(case.group_path);
    Context {
        request: CheckRequest {
            user_id: USER.into(),
            member_id: MEMBER.into(),
            user_member_id: BINDING.into(),
            space_id: SPACE.into(),
            resource_type: "invoice".into(),
            resource_id: case.resource_id.into(),
            action: "approve".into(),
        },
        actor: Actor {
            user: User {
                id: USER.into(),
                email: "alice@example.com".into(),
                status: ACTIVE.into(),
            },
            member: Member {
                id: MEMBER.into(),
                space_id: SPACE.into(),
                display_name: "Finance Reviewer".into(),
                status: case.member_status.into(),
            },
            user_member: UserMember {
                id: BINDING.into(),
                user_id: USER.into(),
                member_id: MEMBER.into(),
                space_id: SPACE.into(),
                relation_type: "delegate".into(),
                status: ACTIVE.into(),
                is_primary: true,
                expires_at: None,
            },
            space: Space {
                id: SPACE.into(),
                name: "Acme".into(),
                status: ACTIVE.into(),
            },
        },
        registry: registry(),
        target: Target {
            resource: Resource {
                id: case.resource_id.into(),
                external_id: String::new(),
                resource_type: "invoice".into(),
                space_id: SPACE.into(),
                group_id: target_group.id.clone(),
                group_path: target_group.path.clone(),
                owner_member_id: INVOICE_OWNER.into(),
                display_name: format!("Invoice {}", case.resource_id),
                visibility: "private".into(),
                status: ACTIVE.into(),
                metadata: Metadata::new(),
            },
            group: Some(target_group),
        },
        candidates: vec![Candidate {
            role: Role {
                id: format!("role_{ROLE}"),
                key: ROLE.into(),
                space_id: SPACE.into(),
            },
            permission: Permission {
                id: "perm_invoice_approve_group_tree".into(),
                resource: "invoice".into(),
                action: "approve".into(),
                scope: "group_tree".into(),
            },
            member_role_space_id: SPACE.into(),
            scope_anchor: Some(group(ANCHOR_PATH)),
        }],
    }
}

/// The case as a Context Mode body: the actor, the invoice and the grant all described inline,
/// groups by path only (so the engine synthesises their ids).
pub fn inline_request(case: &Case) -> InlineRequest {
    InlineRequest {
        resource_type: "invoice".into(),
        action: "approve".into(),
        actor: InlineActor {
            user_id: USER.into(),
            member_id: MEMBER.into(),
            binding_id: BINDING.into(),
            space_id: SPACE.into(),
            member_status: case.member_status.into(),
            ..InlineActor::default()
        },
        resource: InlineResource {
            resource_type: "invoice".into(),
            external_id: case.resource_id.into(),
            space_id: SPACE.into(),
            group_path: case.group_path.into(),
            owner_member_id: INVOICE_OWNER.into(),
            ..InlineResource::default()
        },
        grants: vec![InlineGrant {
            role_key: ROLE.into(),
            resource: "invoice".into(),
            action: "approve".into(),
            scope: "group_tree".into(),
            scope_anchor_group_path: ANCHOR_PATH.into(),
            ..InlineGrant::default()
        }],
        ..InlineRequest::default()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use plystra_core::domain::authz::{ContextMode, decide};

    use super::*;

    #[test]
    fn group_chains_list_every_ancestor_top_first() {
        assert_eq!(group_chain("finance"), ["finance"]);
        assert_eq!(group_chain("finance.apac"), ["finance", "finance.apac"]);
        assert_eq!(group_chain("a.b.c"), ["a", "a.b", "a.b.c"]);
        assert_eq!(group_id("finance.apac"), "group_finance_apac");
    }

    #[test]
    fn both_modes_give_each_case_its_expected_answer() {
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        for case in &CASES {
            let ctx = registry_context(case);
            assert_eq!(decide(&ctx, now).is_allowed(), case.allow, "{}", case.name);
            let request = inline_request(case);
            assert_eq!(request.mode(), ContextMode::Inline);
            let ctx = request.build().unwrap().into_context(registry());
            assert_eq!(decide(&ctx, now).is_allowed(), case.allow, "{}", case.name);
        }
    }
}
