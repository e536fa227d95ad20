//! `/spaces/{space_id}/members` and `/members/{id}`: the identities that act in a space.

use plystra_server_api::operations::Members;
use plystra_server_api::responses::{
    CreateMemberResponse, DisableMemberResponse, GetMemberByIdResponse, GetMemberResponse,
    ListMembersResponse, UpdateMemberResponse,
};
use plystra_server_api::types::{self, ActiveDisabledStatus, ErrorCode};

use crate::service::Server;
use crate::service::entity::{Entity, active_disabled, metadata_json, reply, reply_list, required};
use crate::service::principal::{Call, id_or_new, metadata, optional_time};
use crate::service::session::timestamp;
use crate::store::identity_records::MemberRow;
use crate::store::{Statement, Value};

impl Entity for MemberRow {
    type Wire = types::Member;
    const KIND: &'static str = "member";
    const NOT_FOUND: (ErrorCode, &'static str) =
        (ErrorCode::MemberNotFound, "Member was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::MemberCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::MemberUpdateFailed;

    fn wire(self) -> types::Member {
        types::Member {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            display_name: self.display_name,
            id: self.id,
            member_type: self.member_type,
            metadata: metadata(&self.metadata),
            space_id: self.space_id,
            status: active_disabled(&self.status),
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

impl Members for Server {
    async fn get_member_by_id(
        &self,
        ctx: Call,
        member_id: String,
    ) -> poem::Result<GetMemberByIdResponse> {
        let member = self.found::<MemberRow>(&member_id, None).await?;
        reply!(
            GetMemberByIdResponse::Ok,
            MemberEnvelope,
            &ctx,
            member.wire()
        )
    }

    async fn list_members(
        &self,
        ctx: Call,
        space_id: String,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListMembersResponse> {
        let filters = [("t.space_id", Value::from(space_id))];
        let page = self
            .list_page::<MemberRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(ListMembersResponse::Ok, MemberListEnvelope, &ctx, page)
    }

    async fn create_member(
        &self,
        ctx: Call,
        space_id: String,
        body: types::MemberMutationRequest,
    ) -> poem::Result<CreateMemberResponse> {
        let display_name = required(&body.display_name, "display_name")?;
        let id = id_or_new(body.id.as_deref(), "member_")?;
        self.space_must_exist(&space_id).await?;
        let member_type = body
            .member_type
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "human".into());
        let now = self.now_text();
        let insert = Statement::insert(
            "members",
            vec![
                ("id", id.as_str().into()),
                ("space_id", space_id.as_str().into()),
                ("display_name", display_name.into()),
                ("member_type", member_type.into()),
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
        let member = self
            .change::<MemberRow>(
                &ctx,
                "created",
                &id,
                &space_id,
                &[insert],
                MemberRow::CREATE_FAILED,
            )
            .await?;
        reply!(CreateMemberResponse::Created, MemberEnvelope, &ctx, member)
    }

    async fn get_member(
        &self,
        ctx: Call,
        space_id: String,
        member_id: String,
    ) -> poem::Result<GetMemberResponse> {
        let member = self.found::<MemberRow>(&member_id, Some(&space_id)).await?;
        reply!(GetMemberResponse::Ok, MemberEnvelope, &ctx, member.wire())
    }

    async fn update_member(
        &self,
        ctx: Call,
        space_id: String,
        member_id: String,
        body: types::MemberUpdateRequest,
    ) -> poem::Result<UpdateMemberResponse> {
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        if let Some(name) = body.display_name {
            set.push(("display_name", required(&name, "display_name")?.into()));
        }
        if let Some(kind) = body.member_type {
            set.push(("member_type", required(&kind, "member_type")?.into()));
        }
        if let Some(status) = body.status {
            set.push(("status", status.as_str().into()));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        let member = self
            .update_in_space::<MemberRow>(&ctx, "members", &space_id, &member_id, "updated", set)
            .await?;
        reply!(UpdateMemberResponse::Ok, MemberEnvelope, &ctx, member)
    }

    async fn disable_member(
        &self,
        ctx: Call,
        space_id: String,
        member_id: String,
        _body: Option<types::MemberUpdateRequest>,
    ) -> poem::Result<DisableMemberResponse> {
        let set = vec![("status", "disabled".into())];
        let member = self
            .update_in_space::<MemberRow>(&ctx, "members", &space_id, &member_id, "disabled", set)
            .await?;
        reply!(DisableMemberResponse::Ok, MemberEnvelope, &ctx, member)
    }
}
