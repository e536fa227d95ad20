//! `/spaces/{space_id}/user-members` and `/user-members/{id}`: which users act as which members.
//! The user must exist; the member must belong to the path's space.

use plystra_server_api::operations::UserMembers;
use plystra_server_api::responses::{
    CreateUserMemberResponse, GetUserMemberByIdResponse, GetUserMemberResponse,
    ListUserMembersResponse, RevokeUserMemberResponse, UpdateUserMemberResponse,
};
use plystra_server_api::types::{self, BindingStatus, ErrorCode};

use crate::ApiError;
use crate::domain::time;
use crate::service::Server;
use crate::service::entity::{
    Entity, binding, given_filters, invalid, metadata_json, reply, reply_list, required,
};
use crate::service::principal::{Call, id_or_new, metadata, optional_time};
use crate::service::session::{store_error, timestamp};
use crate::store::identity_records::{MemberRow, UserMemberRow};
use crate::store::{Statement, Value};

impl Entity for UserMemberRow {
    type Wire = types::UserMember;
    const KIND: &'static str = "user_member";
    const NOT_FOUND: (ErrorCode, &'static str) =
        (ErrorCode::UserMemberNotFound, "UserMember was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::UserMemberCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::UserMemberUpdateFailed;

    fn wire(self) -> types::UserMember {
        types::UserMember {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            email: self.email,
            expires_at: optional_time(&self.expires_at),
            id: self.id,
            is_primary: self.is_primary,
            linked_at: optional_time(&self.linked_at),
            linked_by_member_id: self.linked_by_member_id,
            member_display_name: self.member_display_name,
            member_id: self.member_id,
            metadata: metadata(&self.metadata),
            relation_type: self.relation_type,
            revoked_at: optional_time(&self.revoked_at),
            revoked_reason: self.revoked_reason,
            space_id: self.space_id,
            status: binding(&self.status),
            updated_at: timestamp(&self.updated_at),
            user_id: self.user_id,
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

impl Server {
    /// 400 unless `user_id` names an existing user; the trimmed id.
    async fn existing_user(&self, user_id: &str) -> Result<String, ApiError> {
        let user_id = required(user_id, "user_id")?;
        match self
            .store()
            .user_by_id(&user_id)
            .await
            .map_err(store_error)?
        {
            Some(_) => Ok(user_id),
            None => Err(invalid("user_id does not reference an existing User")),
        }
    }

    /// The columns a status change sets: revoking stamps `revoked_at`, activating clears it.
    fn binding_status(&self, status: BindingStatus) -> [(&'static str, Value); 2] {
        match status {
            BindingStatus::Active => [("status", "active".into()), ("revoked_at", Value::Null)],
            BindingStatus::Revoked => [
                ("status", "revoked".into()),
                ("revoked_at", self.now_text().into()),
            ],
        }
    }
}

impl UserMembers for Server {
    async fn list_user_members(
        &self,
        ctx: Call,
        space_id: String,
        limit: Option<i32>,
        user_id: Option<String>,
        member_id: Option<String>,
        status: Option<BindingStatus>,
        relation_type: Option<String>,
        cursor: Option<String>,
    ) -> poem::Result<ListUserMembersResponse> {
        let filters = given_filters([
            ("t.space_id", Some(space_id)),
            ("t.user_id", user_id),
            ("t.member_id", member_id),
            ("t.status", status.map(|s| s.as_str().to_string())),
            ("t.relation_type", relation_type),
        ]);
        let page = self
            .list_page::<UserMemberRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(
            ListUserMembersResponse::Ok,
            UserMemberListEnvelope,
            &ctx,
            page
        )
    }

    async fn create_user_member(
        &self,
        ctx: Call,
        space_id: String,
        body: types::UserMemberMutationRequest,
    ) -> poem::Result<CreateUserMemberResponse> {
        let relation_type = required(&body.relation_type, "relation_type")?;
        let id = id_or_new(body.id.as_deref(), "um_")?;
        self.space_must_exist(&space_id).await?;
        let user_id = self.existing_user(&body.user_id).await?;
        let member = self
            .same_space::<MemberRow>(
                &required(&body.member_id, "member_id")?,
                &space_id,
                "member_id",
            )
            .await?;
        let now = self.now();
        let now_text = time::format(now);
        let status = body.status.unwrap_or(BindingStatus::Active);
        let revoked_at = (status == BindingStatus::Revoked).then(|| now_text.clone());
        let insert = Statement::insert(
            "user_members",
            vec![
                ("id", id.as_str().into()),
                ("user_id", user_id.into()),
                ("member_id", member.id.into()),
                ("space_id", space_id.as_str().into()),
                ("relation_type", relation_type.into()),
                ("status", status.as_str().into()),
                ("is_primary", body.is_primary.unwrap_or(false).into()),
                ("expires_at", body.expires_at.map(time::format).into()),
                (
                    "linked_by_member_id",
                    body.linked_by_member_id.unwrap_or_default().trim().into(),
                ),
                (
                    "linked_at",
                    time::format(body.linked_at.unwrap_or(now)).into(),
                ),
                ("revoked_at", revoked_at.into()),
                (
                    "revoked_reason",
                    body.revoked_reason.unwrap_or_default().into(),
                ),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now_text.as_str().into()),
                ("updated_at", now_text.into()),
            ],
        );
        let user_member = self
            .change::<UserMemberRow>(
                &ctx,
                "created",
                &id,
                &space_id,
                &[insert],
                UserMemberRow::CREATE_FAILED,
            )
            .await?;
        reply!(
            CreateUserMemberResponse::Created,
            UserMemberEnvelope,
            &ctx,
            user_member
        )
    }

    async fn get_user_member(
        &self,
        ctx: Call,
        space_id: String,
        user_member_id: String,
    ) -> poem::Result<GetUserMemberResponse> {
        let user_member = self
            .found::<UserMemberRow>(&user_member_id, Some(&space_id))
            .await?;
        reply!(
            GetUserMemberResponse::Ok,
            UserMemberEnvelope,
            &ctx,
            user_member.wire()
        )
    }

    async fn update_user_member(
        &self,
        ctx: Call,
        space_id: String,
        user_member_id: String,
        body: types::UserMemberUpdateRequest,
    ) -> poem::Result<UpdateUserMemberResponse> {
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        if let Some(user_id) = body.user_id {
            set.push(("user_id", self.existing_user(&user_id).await?.into()));
        }
        if let Some(member_id) = body.member_id {
            let member = self
                .same_space::<MemberRow>(&member_id, &space_id, "member_id")
                .await?;
            set.push(("member_id", member.id.into()));
        }
        if let Some(relation_type) = body.relation_type {
            set.push((
                "relation_type",
                required(&relation_type, "relation_type")?.into(),
            ));
        }
        if let Some(is_primary) = body.is_primary {
            set.push(("is_primary", is_primary.into()));
        }
        if let Some(expires_at) = body.expires_at {
            set.push(("expires_at", time::format(expires_at).into()));
        }
        if let Some(linked_by) = body.linked_by_member_id {
            set.push(("linked_by_member_id", linked_by.trim().into()));
        }
        if let Some(linked_at) = body.linked_at {
            set.push(("linked_at", time::format(linked_at).into()));
        }
        if let Some(reason) = body.revoked_reason {
            set.push(("revoked_reason", reason.into()));
        }
        if let Some(status) = body.status {
            set.extend(self.binding_status(status));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        let user_member = self
            .update_in_space::<UserMemberRow>(
                &ctx,
                "user_members",
                &space_id,
                &user_member_id,
                "updated",
                set,
            )
            .await?;
        reply!(
            UpdateUserMemberResponse::Ok,
            UserMemberEnvelope,
            &ctx,
            user_member
        )
    }

    async fn revoke_user_member(
        &self,
        ctx: Call,
        space_id: String,
        user_member_id: String,
        body: Option<types::UserMemberUpdateRequest>,
    ) -> poem::Result<RevokeUserMemberResponse> {
        let mut set = Vec::from(self.binding_status(BindingStatus::Revoked));
        if let Some(reason) = body.and_then(|b| b.revoked_reason) {
            set.push(("revoked_reason", reason.into()));
        }
        let user_member = self
            .update_in_space::<UserMemberRow>(
                &ctx,
                "user_members",
                &space_id,
                &user_member_id,
                "revoked",
                set,
            )
            .await?;
        reply!(
            RevokeUserMemberResponse::Ok,
            UserMemberEnvelope,
            &ctx,
            user_member
        )
    }

    async fn get_user_member_by_id(
        &self,
        ctx: Call,
        user_member_id: String,
    ) -> poem::Result<GetUserMemberByIdResponse> {
        let user_member = self.found::<UserMemberRow>(&user_member_id, None).await?;
        reply!(
            GetUserMemberByIdResponse::Ok,
            UserMemberEnvelope,
            &ctx,
            user_member.wire()
        )
    }
}
