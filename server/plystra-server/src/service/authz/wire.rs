//! The engine's decision in the contract's types: the compact verdict of the check route and the
//! full Decision of the explain route (docs/behaviour.md §10.5).

use plystra_server_api::types;

use crate::domain::authz::{
    Decision, DenyCode, Group, Metadata, Outcome, Resource, Scope, ScopeCheck,
};

use super::Refs;

/// The contract's spelling of a deny code.
pub fn deny_code(code: DenyCode) -> types::DenyCode {
    use types::DenyCode as W;
    match code {
        DenyCode::ActorUserInactive => W::ActorUserInactive,
        DenyCode::ActorMemberInactive => W::ActorMemberInactive,
        DenyCode::SpaceInactive => W::SpaceInactive,
        DenyCode::UserMemberRevoked => W::UserMemberRevoked,
        DenyCode::UserMemberExpired => W::UserMemberExpired,
        DenyCode::CrossSpaceViolation => W::CrossSpaceViolation,
        DenyCode::NoMatchingPermission => W::NoMatchingPermission,
        DenyCode::ScopeOutOfBounds => W::ScopeOutOfBounds,
        DenyCode::ScopeAnchorMissing => W::ScopeAnchorMissing,
        DenyCode::TargetGroupMissing => W::TargetGroupMissing,
        DenyCode::GlobalScopeDisabled => W::GlobalScopeDisabled,
        DenyCode::InvalidResourceType => W::InvalidResourceType,
        DenyCode::InvalidResourceAction => W::InvalidResourceAction,
    }
}

/// A permission's scope. Stored scopes are written from the contract's enum and inline ones are
/// validated, so only a row edited by hand can hold another value; it is shown as `global`, the
/// scope that never covers, as the permissions API shows it.
pub fn scope(text: &str) -> types::PermissionScope {
    use types::PermissionScope as W;
    match Scope::parse(text) {
        Some(Scope::Owner) => W::Self_,
        Some(Scope::Group) => W::Group,
        Some(Scope::GroupTree) => W::GroupTree,
        Some(Scope::Space) => W::Space,
        Some(Scope::Global) | None => W::Global,
    }
}

fn outcome(outcome: Outcome) -> types::DecisionOutcome {
    match outcome {
        Outcome::Allow => types::DecisionOutcome::Allow,
        Outcome::Deny => types::DecisionOutcome::Deny,
    }
}

/// `Some` of a copy of `text`, `None` when it is empty (fields the contract omits when empty).
fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn metadata(map: &Metadata) -> Option<std::collections::BTreeMap<String, serde_json::Value>> {
    (!map.is_empty()).then(|| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// The `audit` block.
pub fn audit_context(decision: &Decision<'_>, refs: &Refs<'_>) -> types::AuditContext {
    let audit = decision.audit();
    types::AuditContext {
        audit_log_id: refs.audit_log_id.to_owned(),
        actor_user_id: audit.actor_user_id.to_owned(),
        actor_member_id: audit.actor_member_id.to_owned(),
        actor_user_member_id: audit.actor_user_member_id.to_owned(),
        space_id: audit.space_id.to_owned(),
        action: audit.action(),
        resource_type: audit.resource_type.to_owned(),
        resource_id: audit.resource_id.to_owned(),
        decision: outcome(audit.outcome),
        deny_code: audit
            .deny_code
            .map_or_else(String::new, |c| c.as_str().to_owned()),
        request_id: refs.request_id.to_owned(),
    }
}

/// The check route's verdict.
pub fn compact(decision: &Decision<'_>, refs: &Refs<'_>) -> types::AuthzCheckResult {
    types::AuthzCheckResult {
        allow: decision.is_allowed(),
        decision: outcome(decision.outcome()),
        deny_code: decision.deny_code().map(deny_code),
        reason: decision.reason().to_owned(),
        trace_id: refs.trace_id.to_owned(),
        audit_log_id: refs.audit_log_id.to_owned(),
        audit: audit_context(decision, refs),
    }
}

/// The explain route's Decision (the same document the audit row stores as its trace).
pub fn explained(decision: &Decision<'_>, refs: &Refs<'_>) -> types::Decision {
    let actor = decision.actor();
    let space = types::SpaceSnapshot {
        id: decision.space().id.clone(),
        name: decision.space().name.clone(),
        status: decision.space().status.clone(),
    };
    let um = &actor.user_member;
    let registry = decision.registry();
    let (no_type, no_action, no_mapping) = Default::default();
    let rt = registry.resource_type.as_ref().unwrap_or(&no_type);
    let ra = registry.action.as_ref().unwrap_or(&no_action);
    let rm = registry.mapping.as_ref().unwrap_or(&no_mapping);
    let empty = Resource::default();
    let target = decision.target();
    types::Decision {
        trace_version: crate::domain::authz::TRACE_VERSION.to_owned(),
        trace_id: refs.trace_id.to_owned(),
        decision: outcome(decision.outcome()),
        deny_code: decision.deny_code().map(deny_code),
        actor: types::DecisionActor {
            user: types::ActorUser {
                id: actor.user.id.clone(),
                email: actor.user.email.clone(),
                status: actor.user.status.clone(),
            },
            member: types::ActorMember {
                id: actor.member.id.clone(),
                space_id: actor.member.space_id.clone(),
                display_name: actor.member.display_name.clone(),
                status: actor.member.status.clone(),
            },
            user_member: types::ActorUserMember {
                id: um.id.clone(),
                user_id: um.user_id.clone(),
                member_id: um.member_id.clone(),
                space_id: um.space_id.clone(),
                relation_type: um.relation_type.clone(),
                status: um.status.clone(),
                is_primary: um.is_primary,
                expires_at: um.expires_at,
            },
            space: space.clone(),
        },
        space,
        target: types::DecisionTarget {
            resource: target_resource(target.map_or(&empty, |t| &t.resource)),
            group: target
                .and_then(|t| t.group.as_ref())
                .map(|g| types::TargetGroup {
                    id: g.id.clone(),
                    space_id: g.space_id.clone(),
                    path: g.path.clone(),
                    status: g.status.clone(),
                }),
        },
        resource_registry: types::ResourceRegistrySnapshot {
            resource_type: types::RegistryResourceType {
                id: rt.id.clone(),
                key: rt.key.clone(),
                display_name: rt.display_name.clone(),
                description: non_empty(&rt.description),
                status: rt.status.clone(),
                source: rt.source.clone(),
                metadata: metadata(&rt.metadata),
            },
            action: types::RegistryAction {
                id: ra.id.clone(),
                resource_type_id: ra.resource_type_id.clone(),
                key: ra.key.clone(),
                display_name: ra.display_name.clone(),
                description: non_empty(&ra.description),
                risk_level: ra.risk_level.clone(),
                audit_default: ra.audit_default,
                metadata: metadata(&ra.metadata),
            },
            mapping: types::RegistryMapping {
                id: rm.id.clone(),
                resource_type_id: rm.resource_type_id.clone(),
                storage_kind: rm.storage_kind.clone(),
                table_name: non_empty(&rm.table_name),
                id_field: rm.id_field.clone(),
                space_field: rm.space_field.clone(),
                group_field: non_empty(&rm.group_field),
                owner_member_field: non_empty(&rm.owner_member_field),
                visibility_field: non_empty(&rm.visibility_field),
                metadata_field: non_empty(&rm.metadata_field),
                status: rm.status.clone(),
                metadata: metadata(&rm.metadata),
            },
        },
        matched_candidates: refs.lists_candidates(decision).then(|| {
            decision
                .matched()
                .iter()
                .map(|m| {
                    let c = m.candidate;
                    types::MatchedCandidate {
                        role: types::CandidateRole {
                            id: c.role.id.clone(),
                            key: c.role.key.clone(),
                            space_id: c.role.space_id.clone(),
                        },
                        permission: types::CandidatePermission {
                            id: c.permission.id.clone(),
                            resource: c.permission.resource.clone(),
                            action: c.permission.action.clone(),
                            scope: scope(&c.permission.scope),
                        },
                        scope_anchor: c.scope_anchor.as_ref().map(anchor),
                        scope_check: scope_check(&m.scope_check),
                        member_role_space_id: c.member_role_space_id.clone(),
                    }
                })
                .collect()
        }),
        request: types::DecisionRequestInfo {
            request_id: refs.request_id.to_owned(),
            ip: refs.ip.to_owned(),
            user_agent: refs.user_agent.to_owned(),
        },
        reason: decision.reason().to_owned(),
        audit: audit_context(decision, refs),
    }
}

fn target_resource(r: &Resource) -> types::TargetResource {
    types::TargetResource {
        id: r.id.clone(),
        external_id: non_empty(&r.external_id),
        type_: r.resource_type.clone(),
        space_id: r.space_id.clone(),
        group_id: r.group_id.clone(),
        group_path: non_empty(&r.group_path),
        owner_member_id: r.owner_member_id.clone(),
        display_name: non_empty(&r.display_name),
        visibility: non_empty(&r.visibility),
        status: non_empty(&r.status),
        metadata: metadata(&r.metadata),
    }
}

fn anchor(g: &Group) -> types::ScopeAnchor {
    types::ScopeAnchor {
        id: g.id.clone(),
        path: g.path.clone(),
        space_id: non_empty(&g.space_id),
        status: non_empty(&g.status),
    }
}

fn scope_check(check: &ScopeCheck<'_>) -> types::ScopeCheck {
    types::ScopeCheck {
        covered: check.covered,
        rule: check.rule.to_owned(),
        reason: check.reason.clone().into_owned(),
        deny_code: check.deny_code.map(deny_code),
    }
}
