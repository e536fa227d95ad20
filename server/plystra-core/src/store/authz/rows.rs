//! The rows the authz queries read, and how they become the engine's snapshots. Column names
//! are the field names (`read_row!`); optional text is `''` in the database, and columns of an
//! outer join are `None` when nothing joined.

use chrono::{DateTime, Utc};

use crate::domain::authz::{
    Actor, Candidate, Group, Member, Metadata, Permission, Registry, Resource, ResourceAction,
    ResourceMapping, ResourceType, Role, Space, Target, User, UserMember,
};
use crate::domain::time;

/// A row of the actor query: the binding with its user, member and space.
pub(super) struct ActorRow {
    pub(super) user_id: String,
    pub(super) user_email: String,
    pub(super) user_status: String,
    pub(super) um_id: String,
    pub(super) um_user_id: String,
    pub(super) um_member_id: String,
    pub(super) um_space_id: String,
    pub(super) um_relation_type: String,
    pub(super) um_status: String,
    pub(super) um_is_primary: bool,
    pub(super) um_expires_at: Option<String>,
    pub(super) member_id: String,
    pub(super) member_space_id: String,
    pub(super) member_display_name: String,
    pub(super) member_status: String,
    pub(super) space_id: String,
    pub(super) space_name: String,
    pub(super) space_status: String,
}

impl ActorRow {
    pub(super) fn into_actor(self) -> Actor {
        Actor {
            user: User {
                id: self.user_id,
                email: self.user_email,
                status: self.user_status,
            },
            member: Member {
                id: self.member_id,
                space_id: self.member_space_id,
                display_name: self.member_display_name,
                status: self.member_status,
            },
            user_member: UserMember {
                id: self.um_id,
                user_id: self.um_user_id,
                member_id: self.um_member_id,
                space_id: self.um_space_id,
                relation_type: self.um_relation_type,
                status: self.um_status,
                is_primary: self.um_is_primary,
                expires_at: self.um_expires_at.as_deref().map(expiry),
            },
            space: Space {
                id: self.space_id,
                name: self.space_name,
                status: self.space_status,
            },
        }
    }
}

/// A row of the registry query: the type, with its action and mapping when they exist.
pub(super) struct RegistryRow {
    pub(super) type_id: String,
    pub(super) type_key: String,
    pub(super) type_display_name: String,
    pub(super) type_description: String,
    pub(super) type_status: String,
    pub(super) type_source: String,
    pub(super) type_metadata: String,
    pub(super) action_id: Option<String>,
    pub(super) action_key: Option<String>,
    pub(super) action_display_name: Option<String>,
    pub(super) action_description: Option<String>,
    pub(super) action_risk_level: Option<String>,
    pub(super) action_audit_default: Option<bool>,
    pub(super) action_metadata: Option<String>,
    pub(super) mapping_id: Option<String>,
    pub(super) mapping_storage_kind: Option<String>,
    pub(super) mapping_table_name: Option<String>,
    pub(super) mapping_id_field: Option<String>,
    pub(super) mapping_space_field: Option<String>,
    pub(super) mapping_group_field: Option<String>,
    pub(super) mapping_owner_member_field: Option<String>,
    pub(super) mapping_visibility_field: Option<String>,
    pub(super) mapping_metadata_field: Option<String>,
    pub(super) mapping_status: Option<String>,
    pub(super) mapping_metadata: Option<String>,
}

impl RegistryRow {
    pub(super) fn into_registry(self) -> Registry {
        let action = self.action_id.map(|id| ResourceAction {
            id,
            resource_type_id: self.type_id.clone(),
            key: self.action_key.unwrap_or_default(),
            display_name: self.action_display_name.unwrap_or_default(),
            description: self.action_description.unwrap_or_default(),
            risk_level: self.action_risk_level.unwrap_or_default(),
            audit_default: self.action_audit_default.unwrap_or(true),
            metadata: metadata(self.action_metadata.as_deref()),
        });
        let mapping = self.mapping_id.map(|id| ResourceMapping {
            id,
            resource_type_id: self.type_id.clone(),
            storage_kind: self.mapping_storage_kind.unwrap_or_default(),
            table_name: self.mapping_table_name.unwrap_or_default(),
            id_field: self.mapping_id_field.unwrap_or_default(),
            space_field: self.mapping_space_field.unwrap_or_default(),
            group_field: self.mapping_group_field.unwrap_or_default(),
            owner_member_field: self.mapping_owner_member_field.unwrap_or_default(),
            visibility_field: self.mapping_visibility_field.unwrap_or_default(),
            metadata_field: self.mapping_metadata_field.unwrap_or_default(),
            status: self.mapping_status.unwrap_or_default(),
            metadata: metadata(self.mapping_metadata.as_deref()),
        });
        Registry {
            resource_type: Some(ResourceType {
                id: self.type_id,
                key: self.type_key,
                display_name: self.type_display_name,
                description: self.type_description,
                status: self.type_status,
                source: self.type_source,
                metadata: metadata(Some(&self.type_metadata)),
            }),
            action,
            mapping,
        }
    }
}

/// A row of the target query: the resource, with its group when that is live.
pub(super) struct TargetRow {
    pub(super) id: String,
    pub(super) external_id: String,
    pub(super) resource_type: String,
    pub(super) space_id: String,
    pub(super) group_id: String,
    pub(super) owner_member_id: String,
    pub(super) display_name: String,
    pub(super) visibility: String,
    pub(super) status: String,
    pub(super) metadata: String,
    pub(super) group_row_id: Option<String>,
    pub(super) group_space_id: Option<String>,
    pub(super) group_path: Option<String>,
    pub(super) group_status: Option<String>,
}

impl TargetRow {
    pub(super) fn into_target(self) -> Target {
        let group = self.group_row_id.map(|id| Group {
            id,
            space_id: self.group_space_id.unwrap_or_default(),
            path: self.group_path.clone().unwrap_or_default(),
            status: self.group_status.unwrap_or_default(),
        });
        Target {
            resource: Resource {
                id: self.id,
                external_id: self.external_id,
                resource_type: self.resource_type,
                space_id: self.space_id,
                group_id: self.group_id,
                group_path: self.group_path.unwrap_or_default(),
                owner_member_id: self.owner_member_id,
                display_name: self.display_name,
                visibility: self.visibility,
                status: self.status,
                metadata: metadata(Some(&self.metadata)),
            },
            group,
        }
    }
}

/// A row of the candidates query: one role permission reached through one member role.
pub(super) struct CandidateRow {
    pub(super) role_id: String,
    pub(super) role_key: String,
    pub(super) role_space_id: String,
    pub(super) permission_id: String,
    pub(super) permission_resource: String,
    pub(super) permission_action: String,
    pub(super) permission_scope: String,
    pub(super) member_role_space_id: String,
    pub(super) anchor_id: Option<String>,
    pub(super) anchor_space_id: Option<String>,
    pub(super) anchor_path: Option<String>,
    pub(super) anchor_status: Option<String>,
}

impl CandidateRow {
    pub(super) fn into_candidate(self) -> Candidate {
        Candidate {
            role: Role {
                id: self.role_id,
                key: self.role_key,
                space_id: self.role_space_id,
            },
            permission: Permission {
                id: self.permission_id,
                resource: self.permission_resource,
                action: self.permission_action,
                scope: self.permission_scope,
            },
            member_role_space_id: self.member_role_space_id,
            scope_anchor: self.anchor_id.map(|id| Group {
                id,
                space_id: self.anchor_space_id.unwrap_or_default(),
                path: self.anchor_path.unwrap_or_default(),
                status: self.anchor_status.unwrap_or_default(),
            }),
        }
    }
}

/// A stored metadata column as a JSON object (empty when absent or not an object).
fn metadata(text: Option<&str>) -> Metadata {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// A stored expiry. An unreadable one counts as already passed: a binding whose end cannot be
/// read must not act as if it never ends.
fn expiry(text: &str) -> DateTime<Utc> {
    time::parse(text).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}
