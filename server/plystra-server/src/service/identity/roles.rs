//! `/spaces/{space_id}/roles`, `/roles/{id}` and the roles members hold
//! (`/spaces/{space_id}/member-roles`): member, role and anchor group share one space.

use plystra_server_api::operations::Roles;
use plystra_server_api::responses::{
    CreateMemberRoleResponse, CreateRoleResponse, DisableRoleResponse, GetMemberRoleResponse,
    GetRoleByIdResponse, GetRoleResponse, ListMemberRolesResponse, ListRolesResponse,
    RevokeMemberRoleResponse, UpdateRoleResponse,
};
use plystra_server_api::types::{self, ActiveDisabledStatus, BindingStatus, ErrorCode};

use crate::ApiError;
use crate::service::Server;
use crate::service::entity::{
    Entity, active_disabled, binding, given_filters, invalid, metadata_json, reply, reply_list,
    required, title_case,
};
use crate::service::principal::{Call, id_or_new, metadata, optional_time};
use crate::service::session::timestamp;
use crate::store::identity_records::{GroupRow, MemberRoleRow, MemberRow, RoleRow};
use crate::store::{Statement, Value};

impl Entity for RoleRow {
    type Wire = types::Role;
    const KIND: &'static str = "role";
    const NOT_FOUND: (ErrorCode, &'static str) = (ErrorCode::RoleNotFound, "Role was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::RoleCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::RoleUpdateFailed;

    fn wire(self) -> types::Role {
        types::Role {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            description: self.description,
            id: self.id,
            key: self.key,
            metadata: metadata(&self.metadata),
            name: self.name,
            space_id: self.space_id,
            status: active_disabled(&self.status),
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

impl Entity for MemberRoleRow {
    type Wire = types::MemberRole;
    const KIND: &'static str = "member_role";
    const NOT_FOUND: (ErrorCode, &'static str) =
        (ErrorCode::MemberRoleNotFound, "MemberRole was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::MemberRoleCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::MemberRoleRevokeFailed;

    fn wire(self) -> types::MemberRole {
        types::MemberRole {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            id: self.id,
            member_display_name: self.member_display_name,
            member_id: self.member_id,
            metadata: metadata(&self.metadata),
            role_id: self.role_id,
            role_key: self.role_key,
            role_name: self.role_name,
            scope_anchor_group_id: self.scope_anchor_group_id,
            scope_anchor_path: self.scope_anchor_path,
            space_id: self.space_id,
            status: binding(&self.status),
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

/// A role key: trimmed, non-blank.
fn role_key(key: &str) -> Result<String, ApiError> {
    required(key, "key")
}

impl Server {
    /// 400 unless `id` names a live `E` of `space_id` (`what` names the field).
    pub(super) async fn same_space<E: Entity>(
        &self,
        id: &str,
        space_id: &str,
        what: &str,
    ) -> Result<E, ApiError> {
        self.exists_in::<E>(id.trim(), space_id)
            .await?
            .ok_or_else(|| invalid(format!("{what} must reference a {} of this Space", E::KIND)))
    }
}

impl Roles for Server {
    async fn get_role_by_id(
        &self,
        ctx: Call,
        role_id: String,
    ) -> poem::Result<GetRoleByIdResponse> {
        let role = self.found::<RoleRow>(&role_id, None).await?;
        reply!(GetRoleByIdResponse::Ok, RoleEnvelope, &ctx, role.wire())
    }

    async fn list_member_roles(
        &self,
        ctx: Call,
        space_id: String,
        limit: Option<i32>,
        member_id: Option<String>,
        role_id: Option<String>,
        status: Option<BindingStatus>,
        cursor: Option<String>,
    ) -> poem::Result<ListMemberRolesResponse> {
        let filters = given_filters([
            ("t.space_id", Some(space_id)),
            ("t.member_id", member_id),
            ("t.role_id", role_id),
            ("t.status", status.map(|s| s.as_str().to_string())),
        ]);
        let page = self
            .list_page::<MemberRoleRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(
            ListMemberRolesResponse::Ok,
            MemberRoleListEnvelope,
            &ctx,
            page
        )
    }

    async fn create_member_role(
        &self,
        ctx: Call,
        space_id: String,
        body: types::MemberRoleMutationRequest,
    ) -> poem::Result<CreateMemberRoleResponse> {
        let id = id_or_new(body.id.as_deref(), "mr_")?;
        self.space_must_exist(&space_id).await?;
        let member = self
            .same_space::<MemberRow>(
                &required(&body.member_id, "member_id")?,
                &space_id,
                "member_id",
            )
            .await?;
        let role = self
            .same_space::<RoleRow>(&required(&body.role_id, "role_id")?, &space_id, "role_id")
            .await?;
        let anchor = match body.scope_anchor_group_id.as_deref().map(str::trim) {
            Some(group) if !group.is_empty() => {
                self.same_space::<GroupRow>(group, &space_id, "scope_anchor_group_id")
                    .await?
                    .id
            }
            _ => String::new(),
        };
        let now = self.now_text();
        let insert = Statement::insert(
            "member_roles",
            vec![
                ("id", id.as_str().into()),
                ("space_id", space_id.as_str().into()),
                ("member_id", member.id.into()),
                ("role_id", role.id.into()),
                ("scope_anchor_group_id", anchor.into()),
                (
                    "status",
                    (body.status.unwrap_or(BindingStatus::Active))
                        .as_str()
                        .into(),
                ),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        let member_role = self
            .change::<MemberRoleRow>(
                &ctx,
                "created",
                &id,
                &space_id,
                &[insert],
                MemberRoleRow::CREATE_FAILED,
            )
            .await?;
        reply!(
            CreateMemberRoleResponse::Created,
            MemberRoleEnvelope,
            &ctx,
            member_role
        )
    }

    async fn get_member_role(
        &self,
        ctx: Call,
        space_id: String,
        member_role_id: String,
    ) -> poem::Result<GetMemberRoleResponse> {
        let member_role = self
            .found::<MemberRoleRow>(&member_role_id, Some(&space_id))
            .await?;
        reply!(
            GetMemberRoleResponse::Ok,
            MemberRoleEnvelope,
            &ctx,
            member_role.wire()
        )
    }

    async fn revoke_member_role(
        &self,
        ctx: Call,
        space_id: String,
        member_role_id: String,
        _body: Option<types::MemberRoleUpdateRequest>,
    ) -> poem::Result<RevokeMemberRoleResponse> {
        let set = vec![("status", "revoked".into())];
        let member_role = self
            .update_in_space::<MemberRoleRow>(
                &ctx,
                "member_roles",
                &space_id,
                &member_role_id,
                "revoked",
                set,
            )
            .await?;
        reply!(
            RevokeMemberRoleResponse::Ok,
            MemberRoleEnvelope,
            &ctx,
            member_role
        )
    }

    async fn list_roles(
        &self,
        ctx: Call,
        space_id: String,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListRolesResponse> {
        let filters = [("t.space_id", Value::from(space_id))];
        let page = self
            .list_page::<RoleRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(ListRolesResponse::Ok, RoleListEnvelope, &ctx, page)
    }

    async fn create_role(
        &self,
        ctx: Call,
        space_id: String,
        body: types::RoleMutationRequest,
    ) -> poem::Result<CreateRoleResponse> {
        let key = role_key(&body.key)?;
        let id = id_or_new(body.id.as_deref(), "role_")?;
        self.space_must_exist(&space_id).await?;
        let name = body
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| title_case(&key));
        let now = self.now_text();
        let insert = Statement::insert(
            "roles",
            vec![
                ("id", id.as_str().into()),
                ("space_id", space_id.as_str().into()),
                ("key", key.into()),
                ("name", name.into()),
                (
                    "description",
                    body.description.unwrap_or_default().trim().into(),
                ),
                (
                    "status",
                    (body.status.unwrap_or(ActiveDisabledStatus::Active))
                        .as_str()
                        .into(),
                ),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        let role = self
            .change::<RoleRow>(
                &ctx,
                "created",
                &id,
                &space_id,
                &[insert],
                RoleRow::CREATE_FAILED,
            )
            .await?;
        reply!(CreateRoleResponse::Created, RoleEnvelope, &ctx, role)
    }

    async fn get_role(
        &self,
        ctx: Call,
        space_id: String,
        role_id: String,
    ) -> poem::Result<GetRoleResponse> {
        let role = self.found::<RoleRow>(&role_id, Some(&space_id)).await?;
        reply!(GetRoleResponse::Ok, RoleEnvelope, &ctx, role.wire())
    }

    async fn update_role(
        &self,
        ctx: Call,
        space_id: String,
        role_id: String,
        body: types::RoleUpdateRequest,
    ) -> poem::Result<UpdateRoleResponse> {
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        if let Some(key) = body.key {
            set.push(("key", role_key(&key)?.into()));
        }
        if let Some(name) = body.name {
            set.push(("name", required(&name, "name")?.into()));
        }
        if let Some(description) = body.description {
            set.push(("description", description.trim().into()));
        }
        if let Some(status) = body.status {
            set.push(("status", status.as_str().into()));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        let role = self
            .update_in_space::<RoleRow>(&ctx, "roles", &space_id, &role_id, "updated", set)
            .await?;
        reply!(UpdateRoleResponse::Ok, RoleEnvelope, &ctx, role)
    }

    async fn disable_role(
        &self,
        ctx: Call,
        space_id: String,
        role_id: String,
        _body: Option<types::RoleUpdateRequest>,
    ) -> poem::Result<DisableRoleResponse> {
        let set = vec![("status", "disabled".into())];
        let role = self
            .update_in_space::<RoleRow>(&ctx, "roles", &space_id, &role_id, "disabled", set)
            .await?;
        reply!(DisableRoleResponse::Ok, RoleEnvelope, &ctx, role)
    }
}
