//! The identity and scope entities of docs/behaviour.md §8 as [`record!`]s: what each list and lookup
//! selects (display fields joined from the rows they name) and how lists are ordered.

use super::entity::record;

record! {
    /// A user (never its password hash).
    pub struct UserRow {
        select: "SELECT t.id, t.email, t.username, t.phone, t.status, t.metadata, \
                 t.password_changed_at, t.last_login_at, t.created_at, t.updated_at, t.deleted_at \
                 FROM users t",
        order: [email => "t.email"],
        fields: {
            id: String, email: String, username: String, phone: String, status: String,
            metadata: String, password_changed_at: Option<String>, last_login_at: Option<String>,
            created_at: String, updated_at: String, deleted_at: Option<String>,
        }
    }
}

record! {
    /// A space.
    pub struct SpaceRow {
        select: "SELECT t.id, t.name, t.slug, t.type AS kind, t.status, t.metadata, t.created_at, \
                 t.updated_at, t.deleted_at FROM spaces t",
        order: [name => "t.name"],
        fields: {
            id: String, name: String, slug: String, kind: String, status: String,
            metadata: String, created_at: String, updated_at: String, deleted_at: Option<String>,
        }
    }
}

record! {
    /// A group of a space's tree.
    pub struct GroupRow {
        select: "SELECT t.id, t.space_id, t.parent_group_id, t.name, t.display_name, t.path, \
                 t.depth, t.sort_order, t.status, t.metadata, t.created_at, t.updated_at, \
                 t.deleted_at FROM groups t",
        order: [path => "t.path"],
        fields: {
            id: String, space_id: String, parent_group_id: String, name: String,
            display_name: String, path: String, depth: i64, sort_order: i64, status: String,
            metadata: String, created_at: String, updated_at: String, deleted_at: Option<String>,
        }
    }
}

record! {
    /// A member of a space.
    pub struct MemberRow {
        select: "SELECT t.id, t.space_id, t.display_name, t.member_type, t.status, t.metadata, \
                 t.created_at, t.updated_at, t.deleted_at FROM members t",
        order: [display_name => "t.display_name"],
        fields: {
            id: String, space_id: String, display_name: String, member_type: String,
            status: String, metadata: String, created_at: String, updated_at: String,
            deleted_at: Option<String>,
        }
    }
}

record! {
    /// A user bound to a member.
    pub struct UserMemberRow {
        select: "SELECT t.id, t.user_id, u.email, t.member_id, \
                 m.display_name AS member_display_name, t.space_id, t.relation_type, t.status, \
                 t.is_primary, t.expires_at, t.linked_by_member_id, t.linked_at, t.revoked_at, \
                 t.revoked_reason, t.metadata, t.created_at, t.updated_at, t.deleted_at \
                 FROM user_members t JOIN users u ON u.id = t.user_id \
                 JOIN members m ON m.id = t.member_id",
        order: [email => "u.email", member_display_name => "m.display_name"],
        fields: {
            id: String, user_id: String, email: String, member_id: String,
            member_display_name: String, space_id: String, relation_type: String,
            status: String, is_primary: bool, expires_at: Option<String>,
            linked_by_member_id: String, linked_at: Option<String>, revoked_at: Option<String>,
            revoked_reason: String, metadata: String, created_at: String, updated_at: String,
            deleted_at: Option<String>,
        }
    }
}

record! {
    /// A role of a space.
    pub struct RoleRow {
        select: "SELECT t.id, t.space_id, t.key, t.name, t.description, t.status, t.metadata, \
                 t.created_at, t.updated_at, t.deleted_at FROM roles t",
        order: [key => "t.key"],
        fields: {
            id: String, space_id: String, key: String, name: String, description: String,
            status: String, metadata: String, created_at: String, updated_at: String,
            deleted_at: Option<String>,
        }
    }
}

record! {
    /// A role held by a member, optionally anchored at a group.
    pub struct MemberRoleRow {
        select: "SELECT t.id, t.space_id, t.member_id, m.display_name AS member_display_name, \
                 t.role_id, r.key AS role_key, r.name AS role_name, t.scope_anchor_group_id, \
                 COALESCE(g.path, '') AS scope_anchor_path, t.status, t.metadata, t.created_at, \
                 t.updated_at, t.deleted_at FROM member_roles t \
                 JOIN members m ON m.id = t.member_id JOIN roles r ON r.id = t.role_id \
                 LEFT JOIN groups g ON g.id = t.scope_anchor_group_id",
        order: [member_display_name => "m.display_name", role_key => "r.key"],
        fields: {
            id: String, space_id: String, member_id: String, member_display_name: String,
            role_id: String, role_key: String, role_name: String, scope_anchor_group_id: String,
            scope_anchor_path: String, status: String, metadata: String, created_at: String,
            updated_at: String, deleted_at: Option<String>,
        }
    }
}

record! {
    /// A global permission.
    pub struct PermissionRow {
        select: "SELECT t.id, t.resource, t.action, t.scope, t.description, t.status, \
                 t.metadata, t.created_at, t.updated_at, t.deleted_at FROM permissions t",
        order: [resource => "t.resource", action => "t.action", scope => "t.scope"],
        fields: {
            id: String, resource: String, action: String, scope: String, description: String,
            status: String, metadata: String, created_at: String, updated_at: String,
            deleted_at: Option<String>,
        }
    }
}

record! {
    /// A permission bound to a role.
    pub struct RolePermissionRow {
        select: "SELECT t.id, t.role_id, r.key AS role_key, r.space_id, t.permission_id, \
                 p.resource, p.action, p.scope, t.metadata, t.created_at, t.updated_at, \
                 t.deleted_at FROM role_permissions t JOIN roles r ON r.id = t.role_id \
                 JOIN permissions p ON p.id = t.permission_id",
        order: [
            role_key => "r.key", resource => "p.resource", action => "p.action",
            scope => "p.scope",
        ],
        fields: {
            id: String, role_id: String, role_key: String, space_id: String,
            permission_id: String, resource: String, action: String, scope: String,
            metadata: String, created_at: String, updated_at: String, deleted_at: Option<String>,
        }
    }
}

impl super::Store {
    /// The id of the binding of `permission_id` to `role_id`, deleted or not.
    pub async fn role_permission_id(
        &self,
        role_id: &str,
        permission_id: &str,
    ) -> Result<Option<String>, super::StoreError> {
        let sql = "SELECT id FROM role_permissions WHERE role_id = $1 AND permission_id = $2";
        Ok(super::on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(role_id)
            .bind(permission_id)
            .fetch_optional(pool)
            .await)?)
    }
}
