//! `/spaces`: tenant boundaries. Every change is audited in the space itself.

use plystra_server_api::operations::Spaces;
use plystra_server_api::responses::{
    CreateSpaceResponse, DisableSpaceResponse, GetSpaceResponse, ListSpacesResponse,
    RestoreSpaceResponse, UpdateSpaceResponse,
};
use plystra_server_api::types::{self, ActiveDisabledStatus, ErrorCode};

use crate::ApiError;
use crate::service::Server;
use crate::service::entity::{Entity, active_disabled, metadata_json, reply, reply_list, required};
use crate::service::principal::{Call, id_or_new, metadata, optional_time};
use crate::service::register::slug;
use crate::service::session::timestamp;
use crate::store::identity_records::SpaceRow;
use crate::store::{Statement, Value};

impl Entity for SpaceRow {
    type Wire = types::Space;
    const KIND: &'static str = "space";
    const NOT_FOUND: (ErrorCode, &'static str) = (ErrorCode::SpaceNotFound, "Space was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::SpaceCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::SpaceUpdateFailed;
    const SPACE: &'static str = "t.id";

    fn wire(self) -> types::Space {
        types::Space {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            id: self.id,
            metadata: metadata(&self.metadata),
            name: self.name,
            slug: self.slug,
            status: active_disabled(&self.status),
            type_: self.kind,
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        &self.id
    }
}

impl Server {
    /// Sets a space's status (`disable`, `restore`).
    async fn set_space_status(
        &self,
        ctx: &Call,
        space_id: &str,
        status: ActiveDisabledStatus,
        verb: &str,
    ) -> Result<types::Space, ApiError> {
        let set = vec![
            ("status", status.as_str().into()),
            ("updated_at", self.now_text().into()),
        ];
        self.change::<SpaceRow>(
            ctx,
            verb,
            space_id,
            space_id,
            &[Statement::update("spaces", space_id, set)],
            SpaceRow::UPDATE_FAILED,
        )
        .await
    }
}

impl Spaces for Server {
    async fn list_spaces(
        &self,
        ctx: Call,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListSpacesResponse> {
        let page = self.list_page::<SpaceRow>(&[], limit, 50, cursor).await?;
        reply_list!(ListSpacesResponse::Ok, SpaceListEnvelope, &ctx, page)
    }

    async fn create_space(
        &self,
        ctx: Call,
        body: types::SpaceMutationRequest,
    ) -> poem::Result<CreateSpaceResponse> {
        let name = required(body.name.as_deref().unwrap_or_default(), "name")?;
        let id = id_or_new(body.id.as_deref(), "space_")?;
        let slug = body
            .slug
            .map(|s| slug(&s))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| slug(&name));
        let kind = body
            .type_
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "custom".into());
        let now = self.now_text();
        let insert = Statement::insert(
            "spaces",
            vec![
                ("id", id.as_str().into()),
                ("name", name.into()),
                ("slug", slug.into()),
                ("type", kind.into()),
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
        let space = self
            .change::<SpaceRow>(
                &ctx,
                "created",
                &id,
                &id,
                &[insert],
                SpaceRow::CREATE_FAILED,
            )
            .await?;
        reply!(CreateSpaceResponse::Created, SpaceEnvelope, &ctx, space)
    }

    async fn get_space(&self, ctx: Call, space_id: String) -> poem::Result<GetSpaceResponse> {
        let space = self.found::<SpaceRow>(&space_id, None).await?;
        reply!(GetSpaceResponse::Ok, SpaceEnvelope, &ctx, space.wire())
    }

    async fn update_space(
        &self,
        ctx: Call,
        space_id: String,
        body: types::SpaceMutationRequest,
    ) -> poem::Result<UpdateSpaceResponse> {
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        if let Some(name) = body.name {
            set.push(("name", required(&name, "name")?.into()));
        }
        if let Some(s) = body.slug {
            set.push(("slug", slug(&s).into()));
        }
        if let Some(kind) = body.type_ {
            set.push(("type", required(&kind, "type")?.into()));
        }
        if let Some(status) = body.status {
            set.push(("status", status.as_str().into()));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        set.push(("updated_at", self.now_text().into()));
        let space = self
            .change::<SpaceRow>(
                &ctx,
                "updated",
                &space_id,
                &space_id,
                &[Statement::update("spaces", &space_id, set)],
                SpaceRow::UPDATE_FAILED,
            )
            .await?;
        reply!(UpdateSpaceResponse::Ok, SpaceEnvelope, &ctx, space)
    }

    async fn disable_space(
        &self,
        ctx: Call,
        space_id: String,
        _body: Option<types::SpaceMutationRequest>,
    ) -> poem::Result<DisableSpaceResponse> {
        let space = self
            .set_space_status(&ctx, &space_id, ActiveDisabledStatus::Disabled, "disabled")
            .await?;
        reply!(DisableSpaceResponse::Ok, SpaceEnvelope, &ctx, space)
    }

    async fn restore_space(
        &self,
        ctx: Call,
        space_id: String,
        _body: Option<types::SpaceMutationRequest>,
    ) -> poem::Result<RestoreSpaceResponse> {
        let space = self
            .set_space_status(&ctx, &space_id, ActiveDisabledStatus::Active, "restored")
            .await?;
        reply!(RestoreSpaceResponse::Ok, SpaceEnvelope, &ctx, space)
    }
}
