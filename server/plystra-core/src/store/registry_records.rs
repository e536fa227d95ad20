//! The resource registry, resources and the audit log (docs/behaviour.md §9, §11) as [`record!`]s.

use super::entity::record;

record! {
    /// A registered resource type.
    pub struct ResourceTypeRow {
        select: "SELECT t.id, t.key, t.display_name, t.description, t.status, t.source, \
                 t.metadata, t.created_at, t.updated_at FROM resource_types t",
        order: [key => "t.key"],
        fields: {
            id: String, key: String, display_name: String, description: String, status: String,
            source: String, metadata: String, created_at: String, updated_at: String,
        }
    }
}

record! {
    /// An action of a resource type.
    pub struct ResourceActionRow {
        select: "SELECT t.id, t.resource_type_id, rt.key AS resource_type, t.key, t.display_name, \
                 t.description, t.risk_level, t.audit_default, t.metadata, t.created_at, \
                 t.updated_at FROM resource_actions t \
                 JOIN resource_types rt ON rt.id = t.resource_type_id",
        order: [key => "t.key"],
        fields: {
            id: String, resource_type_id: String, resource_type: String, key: String,
            display_name: String, description: String, risk_level: String, audit_default: bool,
            metadata: String, created_at: String, updated_at: String,
        }
    }
}

record! {
    /// Where a resource type's rows live (one per type).
    pub struct ResourceMappingRow {
        select: "SELECT t.id, t.resource_type_id, rt.key AS resource_type, \
                 rt.display_name, rt.source, t.storage_kind, t.table_name, t.id_field, \
                 t.space_field, t.group_field, t.owner_member_field, t.visibility_field, \
                 t.metadata_field, t.status, t.metadata, t.created_at, t.updated_at \
                 FROM resource_mappings t JOIN resource_types rt ON rt.id = t.resource_type_id",
        order: [resource_type => "rt.key"],
        fields: {
            id: String, resource_type_id: String, resource_type: String, display_name: String,
            source: String, storage_kind: String, table_name: String, id_field: String,
            space_field: String, group_field: String, owner_member_field: String,
            visibility_field: String, metadata_field: String, status: String, metadata: String,
            created_at: String, updated_at: String,
        }
    }
}

record! {
    /// A resource, with the names of its space, group and owner.
    pub struct ResourceRow {
        select: "SELECT t.id, t.resource_type, t.external_id, t.display_name, t.space_id, \
                 s.name AS space_name, t.group_id, COALESCE(g.path, '') AS group_path, \
                 t.owner_member_id, COALESCE(m.display_name, '') AS owner_member_display_name, \
                 t.visibility, t.status, t.metadata, t.created_at, t.updated_at, t.deleted_at \
                 FROM resources t JOIN spaces s ON s.id = t.space_id \
                 LEFT JOIN groups g ON g.id = t.group_id \
                 LEFT JOIN members m ON m.id = t.owner_member_id",
        order: [resource_type => "t.resource_type"],
        fields: {
            id: String, resource_type: String, external_id: String, display_name: String,
            space_id: String, space_name: String, group_id: String, group_path: String,
            owner_member_id: String, owner_member_display_name: String, visibility: String,
            status: String, metadata: String, created_at: String, updated_at: String,
            deleted_at: Option<String>,
        }
    }
}

record! {
    /// An audit row as lists show it (no trace), newest first.
    pub struct AuditLogRow {
        select: "SELECT t.id, t.space_id, t.actor_user_id, t.actor_member_id, \
                 t.actor_user_member_id, t.action, t.resource_type, t.resource_id, t.decision, \
                 t.deny_code, t.request_id, t.ip_address, t.user_agent, t.created_at \
                 FROM audit_logs t",
        order: [created_at => "t.created_at"],
        descending: true,
        live: "1 = 1",
        fields: {
            id: String, space_id: String, actor_user_id: String, actor_member_id: String,
            actor_user_member_id: String, action: String, resource_type: String,
            resource_id: String, decision: String, deny_code: String, request_id: String,
            ip_address: String, user_agent: String, created_at: String,
        }
    }
}

record! {
    /// One audit row with its trace.
    pub struct AuditLogDetailRow {
        select: "SELECT t.id, t.space_id, t.actor_user_id, t.actor_member_id, \
                 t.actor_user_member_id, t.action, t.resource_type, t.resource_id, t.decision, \
                 t.deny_code, t.request_id, t.ip_address, t.user_agent, t.trace, t.created_at \
                 FROM audit_logs t",
        order: [created_at => "t.created_at"],
        descending: true,
        live: "1 = 1",
        fields: {
            id: String, space_id: String, actor_user_id: String, actor_member_id: String,
            actor_user_member_id: String, action: String, resource_type: String,
            resource_id: String, decision: String, deny_code: String, request_id: String,
            ip_address: String, user_agent: String, trace: String, created_at: String,
        }
    }
}
