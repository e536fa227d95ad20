//! Deny codes and the decision-level reason strings. Both are part of the wire contract (clients
//! match on the codes, tests and dashboards on the reasons), so they are spelled exactly as
//! docs/behaviour.md §10.3 gives them and live in one place.

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The action is permitted.
    Allow,
    /// The action is refused; a [`DenyCode`] says why.
    Deny,
}

impl Outcome {
    /// `allow` or `deny`, as the contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Deny => "deny",
        }
    }
}

/// The decision-level reason of every allow.
pub const ALLOW_REASON: &str = "at least one matching permission grant covers the target resource";

/// Why a check was denied. Decision-level codes come from the actor, the registry and the space
/// check; scope codes come from the first candidate's scope check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DenyCode {
    /// The actor's user is not active.
    ActorUserInactive,
    /// The actor's member is not active.
    ActorMemberInactive,
    /// The actor's space is not active.
    SpaceInactive,
    /// The user-member binding is not active.
    UserMemberRevoked,
    /// The user-member binding expired.
    UserMemberExpired,
    /// Actor, target and grants do not all live in the requested space.
    CrossSpaceViolation,
    /// No grant names the requested resource type and action.
    NoMatchingPermission,
    /// The target lies outside every grant's scope.
    ScopeOutOfBounds,
    /// A `group`/`group_tree` grant has no anchor group.
    ScopeAnchorMissing,
    /// A `group`/`group_tree` grant meets a target without a group.
    TargetGroupMissing,
    /// The grant has `global` scope, which ordinary members never get.
    GlobalScopeDisabled,
    /// The resource type is not registered.
    InvalidResourceType,
    /// The action is not registered for the resource type.
    InvalidResourceAction,
}

impl DenyCode {
    /// Every code, in the order docs/behaviour.md lists the checks.
    pub const ALL: [DenyCode; 13] = [
        DenyCode::InvalidResourceType,
        DenyCode::InvalidResourceAction,
        DenyCode::ActorUserInactive,
        DenyCode::ActorMemberInactive,
        DenyCode::SpaceInactive,
        DenyCode::UserMemberRevoked,
        DenyCode::UserMemberExpired,
        DenyCode::CrossSpaceViolation,
        DenyCode::NoMatchingPermission,
        DenyCode::ScopeOutOfBounds,
        DenyCode::ScopeAnchorMissing,
        DenyCode::TargetGroupMissing,
        DenyCode::GlobalScopeDisabled,
    ];

    /// The contract's code, e.g. `SCOPE_OUT_OF_BOUNDS`.
    pub fn as_str(self) -> &'static str {
        match self {
            DenyCode::ActorUserInactive => "ACTOR_USER_INACTIVE",
            DenyCode::ActorMemberInactive => "ACTOR_MEMBER_INACTIVE",
            DenyCode::SpaceInactive => "SPACE_INACTIVE",
            DenyCode::UserMemberRevoked => "USER_MEMBER_REVOKED",
            DenyCode::UserMemberExpired => "USER_MEMBER_EXPIRED",
            DenyCode::CrossSpaceViolation => "CROSS_SPACE_VIOLATION",
            DenyCode::NoMatchingPermission => "NO_MATCHING_PERMISSION",
            DenyCode::ScopeOutOfBounds => "SCOPE_OUT_OF_BOUNDS",
            DenyCode::ScopeAnchorMissing => "SCOPE_ANCHOR_MISSING",
            DenyCode::TargetGroupMissing => "TARGET_GROUP_MISSING",
            DenyCode::GlobalScopeDisabled => "GLOBAL_SCOPE_DISABLED",
            DenyCode::InvalidResourceType => "INVALID_RESOURCE_TYPE",
            DenyCode::InvalidResourceAction => "INVALID_RESOURCE_ACTION",
        }
    }

    /// The code with this contract spelling (the tests' inverse of [`DenyCode::as_str`]).
    #[cfg(test)]
    pub fn parse(code: &str) -> Option<DenyCode> {
        DenyCode::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The decision's `reason` when this code decides. Every scope code shares one reason: the
    /// per-candidate detail is in each candidate's scope check.
    pub fn reason(self) -> &'static str {
        match self {
            DenyCode::ActorUserInactive => "actor User is not active",
            DenyCode::ActorMemberInactive => "actor Member is not active",
            DenyCode::SpaceInactive => "active Space is not active",
            DenyCode::UserMemberRevoked => "UserMember binding is not active",
            DenyCode::UserMemberExpired => "UserMember binding has expired",
            DenyCode::CrossSpaceViolation => {
                "actor context, grants, and target resource must belong to the same Space"
            }
            DenyCode::NoMatchingPermission => {
                "no permission grant matched the requested resource and action"
            }
            DenyCode::ScopeOutOfBounds
            | DenyCode::ScopeAnchorMissing
            | DenyCode::TargetGroupMissing
            | DenyCode::GlobalScopeDisabled => {
                "matching permission grants do not cover the target resource scope"
            }
            DenyCode::InvalidResourceType => "resource type is not registered",
            DenyCode::InvalidResourceAction => {
                "resource action is not registered for the resource type"
            }
        }
    }

    /// Whether a candidate's scope check produces this code (rather than a decision-level rule).
    /// Only the tests ask: the engine knows which step it is in.
    #[cfg(test)]
    pub fn is_scope_code(self) -> bool {
        matches!(
            self,
            DenyCode::ScopeOutOfBounds
                | DenyCode::ScopeAnchorMissing
                | DenyCode::TargetGroupMissing
                | DenyCode::GlobalScopeDisabled
        )
    }
}

#[cfg(test)]
impl std::fmt::Display for DenyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_distinct_screaming_snake_and_parse_back() {
        let spelled: HashSet<&str> = DenyCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(spelled.len(), DenyCode::ALL.len());
        for code in DenyCode::ALL {
            let text = code.as_str();
            assert!(
                text.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{text}"
            );
            assert_eq!(DenyCode::parse(text), Some(code));
            assert_eq!(code.to_string(), text);
        }
        assert_eq!(DenyCode::parse("RESOURCE_NOT_FOUND"), None);
    }

    #[test]
    fn every_reason_is_the_contract_string() {
        let expected = [
            (
                DenyCode::InvalidResourceType,
                "resource type is not registered",
            ),
            (
                DenyCode::InvalidResourceAction,
                "resource action is not registered for the resource type",
            ),
            (DenyCode::ActorUserInactive, "actor User is not active"),
            (DenyCode::ActorMemberInactive, "actor Member is not active"),
            (DenyCode::SpaceInactive, "active Space is not active"),
            (
                DenyCode::UserMemberRevoked,
                "UserMember binding is not active",
            ),
            (
                DenyCode::UserMemberExpired,
                "UserMember binding has expired",
            ),
            (
                DenyCode::CrossSpaceViolation,
                "actor context, grants, and target resource must belong to the same Space",
            ),
            (
                DenyCode::NoMatchingPermission,
                "no permission grant matched the requested resource and action",
            ),
        ];
        for (code, reason) in expected {
            assert_eq!(code.reason(), reason, "{code}");
            assert!(!code.is_scope_code());
        }
        for code in DenyCode::ALL.into_iter().filter(|c| c.is_scope_code()) {
            assert_eq!(
                code.reason(),
                "matching permission grants do not cover the target resource scope"
            );
        }
        assert_eq!(
            DenyCode::ALL.iter().filter(|c| c.is_scope_code()).count(),
            4
        );
        assert_eq!(Outcome::Allow.as_str(), "allow");
        assert_eq!(Outcome::Deny.as_str(), "deny");
    }
}
