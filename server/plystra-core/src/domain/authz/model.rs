//! The snapshots a decision is made from. They are plain owned rows, filled by the store in
//! registry mode and by [`super::InlineRequest::build`] in Context Mode.
//!
//! Optional text is an empty string, as in the database (`''` for "none"), so a snapshot reads the
//! same whichever way it was filled and the explain trace can omit empty fields.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The only status that lets a user, member, space or binding through.
pub const ACTIVE: &str = "active";

/// Free-form metadata of a resource or registry entry (a JSON object).
pub type Metadata = Map<String, Value>;

/// What the caller asked: who acts, on which resource, with which action. These are the ids
/// as requested, before any row was loaded; the engine compares the loaded rows against them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckRequest {
    /// `actor.user_id`
    pub user_id: String,
    /// `actor.member_id`
    pub member_id: String,
    /// `actor.user_member_id` (or its alias `binding_id`)
    pub user_member_id: String,
    /// `actor.space_id`
    pub space_id: String,
    /// The resource type's key, e.g. `invoice`.
    pub resource_type: String,
    /// The target resource's id.
    pub resource_id: String,
    /// The action's key, e.g. `approve`.
    pub action: String,
}

impl CheckRequest {
    /// The first required field that is empty (§10.3 step 0). The caller answers such a request
    /// with a 400 instead of calling [`super::decide`] (upstream's engine fails: 500).
    pub fn missing_field(&self) -> Option<&'static str> {
        [
            ("user_id", &self.user_id),
            ("member_id", &self.member_id),
            ("user_member_id", &self.user_member_id),
            ("space_id", &self.space_id),
            ("resource_type", &self.resource_type),
            ("resource_id", &self.resource_id),
            ("action", &self.action),
        ]
        .into_iter()
        .find_map(|(name, value)| value.is_empty().then_some(name))
    }
}

/// The acting identity: a user speaking as a member of a space through a binding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The user row.
    pub user: User,
    /// The member row.
    pub member: Member,
    /// The user-member binding row.
    pub user_member: UserMember,
    /// The space row.
    pub space: Space,
}

/// A user, as far as a decision needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// User id.
    pub id: String,
    /// Email address (`""` when unknown, e.g. inline).
    pub email: String,
    /// `active` or something else.
    pub status: String,
}

/// A member of a space.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    /// Member id.
    pub id: String,
    /// The space the member belongs to.
    pub space_id: String,
    /// Display name.
    pub display_name: String,
    /// `active` or something else.
    pub status: String,
}

/// The binding that lets a user act as a member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserMember {
    /// Binding id.
    pub id: String,
    /// The bound user.
    pub user_id: String,
    /// The bound member.
    pub member_id: String,
    /// The binding's space.
    pub space_id: String,
    /// `login`, `delegate`, `temporary`, `external`, …
    pub relation_type: String,
    /// `active`, `revoked`, …
    pub status: String,
    /// Whether this is the user's primary binding.
    pub is_primary: bool,
    /// The binding stops working after this instant.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A space.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Space {
    /// Space id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `active` or something else.
    pub status: String,
}

/// What the resource registry knows about the requested type and action. A type or action that is
/// not registered is `None`; the engine then denies before looking at the target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    /// The resource type with the requested key.
    pub resource_type: Option<ResourceType>,
    /// The action with the requested key on that type.
    pub action: Option<ResourceAction>,
    /// The type's storage mapping. Its absence is not a deny: a registered type and action
    /// without a mapping is an engine error, which the loader reports instead of deciding.
    pub mapping: Option<ResourceMapping>,
}

/// A registered resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceType {
    /// `rt_…`
    pub id: String,
    /// The key requests use, e.g. `invoice`.
    pub key: String,
    /// Display name.
    pub display_name: String,
    /// Description (`""` when none).
    pub description: String,
    /// Status (not checked by the engine).
    pub status: String,
    /// Where the type comes from, e.g. `core`.
    pub source: String,
    /// Metadata.
    pub metadata: Metadata,
}

/// A registered action of a resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceAction {
    /// `ra_…`
    pub id: String,
    /// The type it belongs to.
    pub resource_type_id: String,
    /// The key requests use, e.g. `approve`.
    pub key: String,
    /// Display name.
    pub display_name: String,
    /// Description (`""` when none).
    pub description: String,
    /// `normal`, `high`, `critical`, …
    pub risk_level: String,
    /// Whether decisions on this action are audited by default.
    pub audit_default: bool,
    /// Metadata.
    pub metadata: Metadata,
}

/// Where the resources of a type are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceMapping {
    /// `rm_…`
    pub id: String,
    /// The type it maps.
    pub resource_type_id: String,
    /// `internal_table`, …
    pub storage_kind: String,
    /// Table name (`""` when none).
    pub table_name: String,
    /// Column holding the id.
    pub id_field: String,
    /// Column holding the space.
    pub space_field: String,
    /// Column holding the group (`""` when none).
    pub group_field: String,
    /// Column holding the owner member (`""` when none).
    pub owner_member_field: String,
    /// Column holding the visibility (`""` when none).
    pub visibility_field: String,
    /// Column holding the metadata (`""` when none).
    pub metadata_field: String,
    /// Status (not checked by the engine).
    pub status: String,
    /// Metadata.
    pub metadata: Metadata,
}

/// The resource the action is aimed at, with its group when it has one.
///
/// A loader that stopped at an unregistered type or action leaves this `Target::default()`; the
/// engine does not look at it then. Should a loader pass an empty target for a registered type
/// anyway, its empty space fails the same-space check, so the mistake denies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The resource row.
    pub resource: Resource,
    /// The resource's group, if it has one.
    pub group: Option<Group>,
}

/// A resource. The engine reads `space_id` and `owner_member_id`; the other fields are echoed
/// in the explain trace (status is deliberately not checked, as upstream).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    /// Resource id.
    pub id: String,
    /// The caller's id for it (`""` when none).
    pub external_id: String,
    /// The resource type's key (`type` in the trace).
    pub resource_type: String,
    /// The resource's space.
    pub space_id: String,
    /// The resource's group (`""` when none).
    pub group_id: String,
    /// That group's path (`""` when none).
    pub group_path: String,
    /// The owning member (`""` when none).
    pub owner_member_id: String,
    /// Display name (`""` when none).
    pub display_name: String,
    /// Visibility (`""` when none).
    pub visibility: String,
    /// Status (`""` when unknown).
    pub status: String,
    /// Metadata.
    pub metadata: Metadata,
}

/// A group: the target's group or a role's scope anchor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// Group id.
    pub id: String,
    /// The group's space.
    pub space_id: String,
    /// Dot-separated materialised path, e.g. `finance.apac`.
    pub path: String,
    /// Status (not checked by the engine).
    pub status: String,
}

/// One way the actor might hold the permission: a role permission reached through one of the
/// member's role assignments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidate {
    /// The role.
    pub role: Role,
    /// The permission the role grants.
    pub permission: Permission,
    /// The space of the member-role assignment.
    pub member_role_space_id: String,
    /// The group the assignment is anchored at, if any.
    pub scope_anchor: Option<Group>,
}

/// A role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Role {
    /// Role id.
    pub id: String,
    /// Role key, the first sort key of candidates.
    pub key: String,
    /// The role's space.
    pub space_id: String,
}

/// A permission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permission {
    /// Permission id.
    pub id: String,
    /// Resource type key.
    pub resource: String,
    /// Action key.
    pub action: String,
    /// `self`, `group`, `group_tree`, `space` or `global`; anything else never covers.
    pub scope: String,
}

/// Everything one decision looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The ids as requested.
    pub request: CheckRequest,
    /// The loaded (or inline) actor.
    pub actor: Actor,
    /// The registry lookup for the requested type and action.
    pub registry: Registry,
    /// The target resource.
    pub target: Target,
    /// Candidate grants, in the order whose first deny is reported: registry loaders sort them
    /// with [`super::sort_candidates`], Context Mode keeps the order of the request's grants.
    pub candidates: Vec<Candidate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_field_names_the_first_empty_requirement() {
        let mut request = CheckRequest {
            user_id: "u".into(),
            member_id: "m".into(),
            user_member_id: "um".into(),
            space_id: "s".into(),
            resource_type: "invoice".into(),
            resource_id: "invoice_001".into(),
            action: "approve".into(),
        };
        assert_eq!(request.missing_field(), None);
        request.action.clear();
        assert_eq!(request.missing_field(), Some("action"));
        request.member_id.clear();
        assert_eq!(request.missing_field(), Some("member_id"));
    }
}
