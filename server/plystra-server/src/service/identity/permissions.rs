//! `/permissions` (global definitions) and the role bindings of `/role-permissions` and
//! `/spaces/{space_id}/role-permissions`. A `global` permission is always stored disabled;
//! binding a (role, permission) pair again revives the existing row.

use plystra_server_api::operations::Permissions;
use plystra_server_api::responses::{
    CreatePermissionResponse, CreateRolePermissionResponse, CreateSpaceRolePermissionResponse,
    DeleteRolePermissionResponse, DeleteSpaceRolePermissionResponse, DisablePermissionResponse,
    GetPermissionResponse, GetRolePermissionResponse, GetSpaceRolePermissionResponse,
    ListPermissionsResponse, ListRolePermissionsResponse, ListSpaceRolePermissionsResponse,
    UpdatePermissionResponse,
};
use plystra_server_api::types::{self, ActiveDisabledStatus, ErrorCode, PermissionScope};

use crate::ApiError;
use crate::service::Server;
use crate::service::entity::{
    Entity, active_disabled, invalid, metadata_json, reply, reply_list, required,
};
use crate::service::principal::{Call, id_or_new, metadata, optional_time};
use crate::service::session::{store_error, timestamp};
use crate::store::identity_records::{PermissionRow, RolePermissionRow, RoleRow};
use crate::store::{Statement, Value};

impl Entity for PermissionRow {
    type Wire = types::Permission;
    const KIND: &'static str = "permission";
    const NOT_FOUND: (ErrorCode, &'static str) =
        (ErrorCode::PermissionNotFound, "Permission was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::PermissionCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::PermissionUpdateFailed;

    fn wire(self) -> types::Permission {
        types::Permission {
            action: self.action,
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            description: self.description,
            id: self.id,
            metadata: metadata(&self.metadata),
            resource: self.resource,
            scope: parse_scope(&self.scope),
            status: active_disabled(&self.status),
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        ""
    }
}

impl Entity for RolePermissionRow {
    type Wire = types::RolePermission;
    const KIND: &'static str = "role_permission";
    const NOT_FOUND: (ErrorCode, &'static str) = (
        ErrorCode::RolePermissionNotFound,
        "RolePermission was not found.",
    );
    const CREATE_FAILED: ErrorCode = ErrorCode::RolePermissionCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::RolePermissionCreateFailed;
    const SPACE: &'static str = "r.space_id";

    fn wire(self) -> types::RolePermission {
        types::RolePermission {
            action: self.action,
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            id: self.id,
            metadata: metadata(&self.metadata),
            permission_id: self.permission_id,
            resource: self.resource,
            role_id: self.role_id,
            role_key: self.role_key,
            scope: parse_scope(&self.scope),
            space_id: self.space_id,
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

fn parse_scope(text: &str) -> PermissionScope {
    match text {
        "self" => PermissionScope::Self_,
        "group" => PermissionScope::Group,
        "group_tree" => PermissionScope::GroupTree,
        "space" => PermissionScope::Space,
        _ => PermissionScope::Global,
    }
}

/// A `global` permission is never active.
fn stored_status(scope: PermissionScope, status: ActiveDisabledStatus) -> &'static str {
    if scope == PermissionScope::Global {
        "disabled"
    } else {
        status.as_str()
    }
}

impl Server {
    /// Binds `body`'s permission to its role (reviving a deleted binding of the same pair),
    /// audited in the role's space. With `space_id`, the role must be of that space.
    async fn bind_role_permission(
        &self,
        ctx: &Call,
        space_id: Option<&str>,
        body: types::RolePermissionMutationRequest,
    ) -> Result<types::RolePermission, ApiError> {
        let role_id = required(&body.role_id, "role_id")?;
        let permission_id = required(&body.permission_id, "permission_id")?;
        let id = id_or_new(body.id.as_deref(), "rp_")?;
        let role = match space_id {
            Some(space_id) => {
                self.same_space::<RoleRow>(&role_id, space_id, "role_id")
                    .await?
            }
            None => self
                .store()
                .find::<RoleRow>(&[("t.id", Value::from(role_id.as_str()))])
                .await
                .map_err(store_error)?
                .ok_or_else(|| invalid("role_id does not reference an existing Role"))?,
        };
        let permission = self
            .store()
            .find::<PermissionRow>(&[("t.id", Value::from(permission_id.as_str()))])
            .await
            .map_err(store_error)?
            .ok_or_else(|| invalid("permission_id does not reference an existing Permission"))?;
        let now = self.now_text();
        let metadata = metadata_json(body.metadata);
        // The pair's row, deleted or not, keeps its id.
        let existing: Option<String> = self
            .store()
            .role_permission_id(&role.id, &permission.id)
            .await
            .map_err(store_error)?;
        let (id, statement) = match existing {
            Some(existing) => {
                let statement = Statement::raw(
                    "UPDATE role_permissions SET deleted_at = NULL, metadata = $1, updated_at = $2 \
                     WHERE id = $3",
                    vec![metadata, now.as_str().into(), existing.as_str().into()],
                );
                (existing, statement)
            }
            None => {
                let statement = Statement::insert(
                    "role_permissions",
                    vec![
                        ("id", id.as_str().into()),
                        ("role_id", role.id.as_str().into()),
                        ("permission_id", permission.id.as_str().into()),
                        ("metadata", metadata),
                        ("created_at", now.as_str().into()),
                        ("updated_at", now.into()),
                    ],
                );
                (id, statement)
            }
        };
        self.change::<RolePermissionRow>(
            ctx,
            "created",
            &id,
            &role.space_id,
            &[statement],
            RolePermissionRow::CREATE_FAILED,
        )
        .await
    }

    /// Soft-deletes a binding (of `space_id`'s roles, when given), audited in the role's space.
    async fn unbind_role_permission(
        &self,
        ctx: &Call,
        space_id: Option<&str>,
        id: &str,
    ) -> Result<types::RolePermission, ApiError> {
        let current = self.found::<RolePermissionRow>(id, space_id).await?;
        let now = self.now_text();
        let statement = Statement::update(
            "role_permissions",
            id,
            vec![
                ("deleted_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        self.change::<RolePermissionRow>(
            ctx,
            "deleted",
            id,
            &current.space_id,
            &[statement],
            RolePermissionRow::UPDATE_FAILED,
        )
        .await
    }

    /// A page of bindings (of `space_id`'s roles, when given).
    async fn role_permission_page(
        &self,
        space_id: Option<String>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> Result<(Vec<types::RolePermission>, types::Pagination), ApiError> {
        let filters: Vec<(&str, Value)> = space_id
            .map(|s| vec![("r.space_id", Value::from(s))])
            .unwrap_or_default();
        self.list_page::<RolePermissionRow>(&filters, limit, 50, cursor)
            .await
    }
}

impl Permissions for Server {
    async fn list_permissions(
        &self,
        ctx: Call,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListPermissionsResponse> {
        let page = self
            .list_page::<PermissionRow>(&[], limit, 50, cursor)
            .await?;
        reply_list!(
            ListPermissionsResponse::Ok,
            PermissionListEnvelope,
            &ctx,
            page
        )
    }

    async fn create_permission(
        &self,
        ctx: Call,
        body: types::PermissionMutationRequest,
    ) -> poem::Result<CreatePermissionResponse> {
        let resource = required(&body.resource, "resource")?;
        let action = required(&body.action, "action")?;
        let id = id_or_new(body.id.as_deref(), "perm_")?;
        let space = self.audit_space(body.audit_space_id).await?;
        let status = stored_status(
            body.scope,
            body.status.unwrap_or(ActiveDisabledStatus::Active),
        );
        let now = self.now_text();
        let insert = Statement::insert(
            "permissions",
            vec![
                ("id", id.as_str().into()),
                ("resource", resource.into()),
                ("action", action.into()),
                ("scope", body.scope.as_str().into()),
                (
                    "description",
                    body.description.unwrap_or_default().trim().into(),
                ),
                ("status", status.into()),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        let permission = self
            .change::<PermissionRow>(
                &ctx,
                "created",
                &id,
                &space,
                &[insert],
                PermissionRow::CREATE_FAILED,
            )
            .await?;
        reply!(
            CreatePermissionResponse::Created,
            PermissionEnvelope,
            &ctx,
            permission
        )
    }

    async fn get_permission(
        &self,
        ctx: Call,
        permission_id: String,
    ) -> poem::Result<GetPermissionResponse> {
        let permission = self.found::<PermissionRow>(&permission_id, None).await?;
        reply!(
            GetPermissionResponse::Ok,
            PermissionEnvelope,
            &ctx,
            permission.wire()
        )
    }

    async fn update_permission(
        &self,
        ctx: Call,
        permission_id: String,
        body: types::PermissionUpdateRequest,
    ) -> poem::Result<UpdatePermissionResponse> {
        let current = self.found::<PermissionRow>(&permission_id, None).await?;
        let space = self.audit_space(body.audit_space_id).await?;
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        if let Some(resource) = body.resource {
            set.push(("resource", required(&resource, "resource")?.into()));
        }
        if let Some(action) = body.action {
            set.push(("action", required(&action, "action")?.into()));
        }
        if let Some(scope) = body.scope {
            set.push(("scope", scope.as_str().into()));
        }
        if let Some(description) = body.description {
            set.push(("description", description.trim().into()));
        }
        let scope = body.scope.unwrap_or_else(|| parse_scope(&current.scope));
        if body.status.is_some() || scope == PermissionScope::Global {
            let status = body
                .status
                .unwrap_or_else(|| active_disabled(&current.status));
            set.push(("status", stored_status(scope, status).into()));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        set.push(("updated_at", self.now_text().into()));
        let permission = self
            .change::<PermissionRow>(
                &ctx,
                "updated",
                &permission_id,
                &space,
                &[Statement::update("permissions", &permission_id, set)],
                PermissionRow::UPDATE_FAILED,
            )
            .await?;
        reply!(
            UpdatePermissionResponse::Ok,
            PermissionEnvelope,
            &ctx,
            permission
        )
    }

    async fn disable_permission(
        &self,
        ctx: Call,
        permission_id: String,
        body: Option<types::PermissionUpdateRequest>,
    ) -> poem::Result<DisablePermissionResponse> {
        let space = self
            .audit_space(body.and_then(|b| b.audit_space_id))
            .await?;
        let set = vec![
            ("status", "disabled".into()),
            ("updated_at", self.now_text().into()),
        ];
        let permission = self
            .change::<PermissionRow>(
                &ctx,
                "disabled",
                &permission_id,
                &space,
                &[Statement::update("permissions", &permission_id, set)],
                PermissionRow::UPDATE_FAILED,
            )
            .await?;
        reply!(
            DisablePermissionResponse::Ok,
            PermissionEnvelope,
            &ctx,
            permission
        )
    }

    async fn list_role_permissions(
        &self,
        ctx: Call,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListRolePermissionsResponse> {
        let page = self.role_permission_page(None, limit, cursor).await?;
        reply_list!(
            ListRolePermissionsResponse::Ok,
            RolePermissionListEnvelope,
            &ctx,
            page
        )
    }

    async fn create_role_permission(
        &self,
        ctx: Call,
        body: types::RolePermissionMutationRequest,
    ) -> poem::Result<CreateRolePermissionResponse> {
        let bound = self.bind_role_permission(&ctx, None, body).await?;
        reply!(
            CreateRolePermissionResponse::Created,
            RolePermissionEnvelope,
            &ctx,
            bound
        )
    }

    async fn get_role_permission(
        &self,
        ctx: Call,
        role_permission_id: String,
    ) -> poem::Result<GetRolePermissionResponse> {
        let bound = self
            .found::<RolePermissionRow>(&role_permission_id, None)
            .await?;
        reply!(
            GetRolePermissionResponse::Ok,
            RolePermissionEnvelope,
            &ctx,
            bound.wire()
        )
    }

    async fn delete_role_permission(
        &self,
        ctx: Call,
        role_permission_id: String,
    ) -> poem::Result<DeleteRolePermissionResponse> {
        let deleted = self
            .unbind_role_permission(&ctx, None, &role_permission_id)
            .await?;
        reply!(
            DeleteRolePermissionResponse::Ok,
            RolePermissionEnvelope,
            &ctx,
            deleted
        )
    }

    async fn list_space_role_permissions(
        &self,
        ctx: Call,
        space_id: String,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListSpaceRolePermissionsResponse> {
        let page = self
            .role_permission_page(Some(space_id), limit, cursor)
            .await?;
        reply_list!(
            ListSpaceRolePermissionsResponse::Ok,
            RolePermissionListEnvelope,
            &ctx,
            page
        )
    }

    async fn create_space_role_permission(
        &self,
        ctx: Call,
        space_id: String,
        body: types::RolePermissionMutationRequest,
    ) -> poem::Result<CreateSpaceRolePermissionResponse> {
        self.space_must_exist(&space_id).await?;
        let bound = self
            .bind_role_permission(&ctx, Some(&space_id), body)
            .await?;
        reply!(
            CreateSpaceRolePermissionResponse::Created,
            RolePermissionEnvelope,
            &ctx,
            bound
        )
    }

    async fn get_space_role_permission(
        &self,
        ctx: Call,
        space_id: String,
        role_permission_id: String,
    ) -> poem::Result<GetSpaceRolePermissionResponse> {
        let bound = self
            .found::<RolePermissionRow>(&role_permission_id, Some(&space_id))
            .await?;
        reply!(
            GetSpaceRolePermissionResponse::Ok,
            RolePermissionEnvelope,
            &ctx,
            bound.wire()
        )
    }

    async fn delete_space_role_permission(
        &self,
        ctx: Call,
        space_id: String,
        role_permission_id: String,
    ) -> poem::Result<DeleteSpaceRolePermissionResponse> {
        let deleted = self
            .unbind_role_permission(&ctx, Some(&space_id), &role_permission_id)
            .await?;
        reply!(
            DeleteSpaceRolePermissionResponse::Ok,
            RolePermissionEnvelope,
            &ctx,
            deleted
        )
    }
}
