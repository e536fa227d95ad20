//! Resources (docs/behaviour.md §9): global routes (`/resources`, by type and id) and the space
//! routes. A resource's group and owner must belong to its space; its type must be registered.
//! Changes are audited in the resource's space.

use plystra_server_api::operations::Resources;
use plystra_server_api::responses::{
    ArchiveSpaceResourceResponse, CreateResourceResponse, CreateSpaceResourceResponse,
    GetResourceByTypeAndIdResponse, GetSpaceResourceResponse, ListResourcesResponse,
    ListSpaceResourcesResponse, UpdateSpaceResourceResponse,
};
use plystra_server_api::types::{self, ErrorCode, ResourceStatus};

use super::Server;
use super::entity::{Entity, given_filters, invalid, metadata_json, reply, reply_list, required};
use super::principal::{Call, id_or_new, metadata, optional_time};
use super::session::{store_error, timestamp};
use crate::ApiError;
use crate::domain::principal::Principal;
use crate::store::identity_records::{GroupRow, MemberRow};
use crate::store::registry_records::{ResourceRow, ResourceTypeRow};
use crate::store::{Statement, Value};

impl Entity for ResourceRow {
    type Wire = types::Resource;
    const KIND: &'static str = "resource";
    const NOT_FOUND: (ErrorCode, &'static str) =
        (ErrorCode::ResourceNotFound, "Resource was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::ResourceCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::ResourceUpdateFailed;

    fn wire(self) -> types::Resource {
        types::Resource {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            display_name: self.display_name,
            external_id: self.external_id,
            group_id: self.group_id,
            group_path: self.group_path,
            id: self.id,
            metadata: metadata(&self.metadata),
            owner_member_display_name: self.owner_member_display_name,
            owner_member_id: self.owner_member_id,
            resource_type: self.resource_type,
            space_id: self.space_id,
            space_name: self.space_name,
            status: match self.status.as_str() {
                "active" => ResourceStatus::Active,
                "archived" => ResourceStatus::Archived,
                _ => ResourceStatus::Deleted,
            },
            updated_at: timestamp(&self.updated_at),
            visibility: self.visibility,
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

/// What a new resource is made of, whichever route created it.
struct NewResource {
    resource_type: String,
    space_id: String,
    id: Option<String>,
    external_id: Option<String>,
    display_name: Option<String>,
    group_id: Option<String>,
    owner_member_id: Option<String>,
    visibility: Option<String>,
    status: Option<ResourceStatus>,
    metadata: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

fn references_invalid(details: &str) -> ApiError {
    ApiError::validation("Resource references are invalid.").with_details(details.into())
}

impl Server {
    /// `group_id` and `owner_member_id` (each optional, `""` for none) must name rows of
    /// `space_id`; the checked values.
    async fn resource_references(
        &self,
        space_id: &str,
        group_id: &str,
        owner_member_id: &str,
    ) -> Result<(), ApiError> {
        if !group_id.is_empty()
            && self
                .exists_in::<GroupRow>(group_id, space_id)
                .await?
                .is_none()
        {
            return Err(references_invalid(
                "group_id must reference a group of the resource's Space",
            ));
        }
        if !owner_member_id.is_empty()
            && self
                .exists_in::<MemberRow>(owner_member_id, space_id)
                .await?
                .is_none()
        {
            return Err(references_invalid(
                "owner_member_id must reference a member of the resource's Space",
            ));
        }
        Ok(())
    }

    async fn create_resource_in(
        &self,
        ctx: &Call,
        new: NewResource,
    ) -> Result<types::Resource, ApiError> {
        let resource_type = required(&new.resource_type, "resource_type")?;
        let space_id = required(&new.space_id, "space_id")?;
        let id = id_or_new(new.id.as_deref(), &format!("{resource_type}_"))?;
        let group_id = new.group_id.unwrap_or_default().trim().to_string();
        let owner = new.owner_member_id.unwrap_or_default().trim().to_string();
        // The route's permission was checked against the query's space; the body decides
        // where the resource lands, so check it there too.
        let principal: &Principal = &ctx.principal;
        self.require(principal, "resources:manage", &space_id, &group_id)
            .await?;
        self.space_must_exist(&space_id).await?;
        if self
            .store()
            .find::<ResourceTypeRow>(&[("t.key", Value::from(resource_type.as_str()))])
            .await
            .map_err(store_error)?
            .is_none()
        {
            return Err(invalid("resource_type is not a registered resource type"));
        }
        self.resource_references(&space_id, &group_id, &owner)
            .await?;
        let now = self.now_text();
        let insert = Statement::insert(
            "resources",
            vec![
                ("id", id.as_str().into()),
                ("resource_type", resource_type.into()),
                (
                    "external_id",
                    new.external_id.unwrap_or_default().trim().into(),
                ),
                (
                    "display_name",
                    new.display_name.unwrap_or_default().trim().into(),
                ),
                ("space_id", space_id.as_str().into()),
                ("group_id", group_id.into()),
                ("owner_member_id", owner.into()),
                (
                    "visibility",
                    new.visibility
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| "private".into())
                        .into(),
                ),
                (
                    "status",
                    new.status.unwrap_or(ResourceStatus::Active).as_str().into(),
                ),
                ("metadata", metadata_json(new.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        self.change::<ResourceRow>(
            ctx,
            "created",
            &id,
            &space_id,
            &[insert],
            ResourceRow::CREATE_FAILED,
        )
        .await
    }
}

impl Resources for Server {
    async fn list_resources(
        &self,
        ctx: Call,
        space_id: Option<String>,
        resource_type: Option<String>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListResourcesResponse> {
        let filters = given_filters([("t.space_id", space_id), ("t.resource_type", resource_type)]);
        let page = self
            .list_page::<ResourceRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(ListResourcesResponse::Ok, ResourceListEnvelope, &ctx, page)
    }

    async fn create_resource(
        &self,
        ctx: Call,
        // Admission already checked the permission in this space; the body's space decides.
        _space_id: Option<String>,
        body: types::ResourceCreateRequest,
    ) -> poem::Result<CreateResourceResponse> {
        let new = NewResource {
            resource_type: body.resource_type,
            space_id: body.space_id,
            id: body.id,
            external_id: body.external_id,
            display_name: body.display_name,
            group_id: body.group_id,
            owner_member_id: body.owner_member_id,
            visibility: body.visibility,
            status: body.status,
            metadata: body.metadata,
        };
        let created = self.create_resource_in(&ctx, new).await?;
        reply!(
            CreateResourceResponse::Created,
            ResourceEnvelope,
            &ctx,
            created
        )
    }

    async fn get_resource_by_type_and_id(
        &self,
        ctx: Call,
        resource_type: String,
        resource_id: String,
    ) -> poem::Result<GetResourceByTypeAndIdResponse> {
        let found = self
            .store()
            .find::<ResourceRow>(&[
                ("t.resource_type", Value::from(resource_type)),
                ("t.id", Value::from(resource_id)),
            ])
            .await
            .map_err(store_error)?
            .ok_or_else(|| {
                ApiError::new(
                    poem::http::StatusCode::NOT_FOUND,
                    ResourceRow::NOT_FOUND.0,
                    ResourceRow::NOT_FOUND.1,
                )
            })?;
        reply!(
            GetResourceByTypeAndIdResponse::Ok,
            ResourceEnvelope,
            &ctx,
            found.wire()
        )
    }

    async fn list_space_resources(
        &self,
        ctx: Call,
        space_id: String,
        resource_type: Option<String>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListSpaceResourcesResponse> {
        let filters = given_filters([
            ("t.space_id", Some(space_id)),
            ("t.resource_type", resource_type),
        ]);
        let page = self
            .list_page::<ResourceRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(
            ListSpaceResourcesResponse::Ok,
            ResourceListEnvelope,
            &ctx,
            page
        )
    }

    async fn create_space_resource(
        &self,
        ctx: Call,
        space_id: String,
        body: types::ResourceMutationRequest,
    ) -> poem::Result<CreateSpaceResourceResponse> {
        if let Some(other) = body.space_id.as_deref().map(str::trim)
            && !other.is_empty()
            && other != space_id
        {
            return Err(invalid("space_id must be the Space of the path").into());
        }
        let new = NewResource {
            resource_type: body.resource_type,
            space_id,
            id: body.id,
            external_id: body.external_id,
            display_name: body.display_name,
            group_id: body.group_id,
            owner_member_id: body.owner_member_id,
            visibility: body.visibility,
            status: body.status,
            metadata: body.metadata,
        };
        let created = self.create_resource_in(&ctx, new).await?;
        reply!(
            CreateSpaceResourceResponse::Created,
            ResourceEnvelope,
            &ctx,
            created
        )
    }

    async fn get_space_resource(
        &self,
        ctx: Call,
        space_id: String,
        resource_id: String,
    ) -> poem::Result<GetSpaceResourceResponse> {
        let found = self
            .found::<ResourceRow>(&resource_id, Some(&space_id))
            .await?;
        reply!(
            GetSpaceResourceResponse::Ok,
            ResourceEnvelope,
            &ctx,
            found.wire()
        )
    }

    async fn update_space_resource(
        &self,
        ctx: Call,
        space_id: String,
        resource_id: String,
        body: types::ResourceUpdateRequest,
    ) -> poem::Result<UpdateSpaceResourceResponse> {
        let current = self
            .found::<ResourceRow>(&resource_id, Some(&space_id))
            .await?;
        if body
            .space_id
            .as_deref()
            .is_some_and(|s| s.trim() != space_id)
            || body
                .resource_type
                .as_deref()
                .is_some_and(|t| t.trim() != current.resource_type)
        {
            return Err(invalid("a resource's space_id and resource_type cannot change").into());
        }
        let group_id = body.group_id.as_deref().map(str::trim);
        let owner = body.owner_member_id.as_deref().map(str::trim);
        self.resource_references(
            &space_id,
            group_id.unwrap_or_default(),
            owner.unwrap_or_default(),
        )
        .await?;
        if let Some(group_id) = group_id.filter(|g| *g != current.group_id) {
            // Moving a resource into a group is managing it there.
            let principal: &Principal = &ctx.principal;
            self.require(principal, "resources:manage", &space_id, group_id)
                .await?;
        }
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        if let Some(group_id) = group_id {
            set.push(("group_id", group_id.into()));
        }
        if let Some(owner) = owner {
            set.push(("owner_member_id", owner.into()));
        }
        if let Some(external_id) = body.external_id {
            set.push(("external_id", external_id.trim().into()));
        }
        if let Some(display_name) = body.display_name {
            set.push(("display_name", display_name.trim().into()));
        }
        if let Some(visibility) = body.visibility {
            set.push(("visibility", required(&visibility, "visibility")?.into()));
        }
        if let Some(status) = body.status {
            set.push(("status", status.as_str().into()));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        let updated = self
            .update_in_space::<ResourceRow>(
                &ctx,
                "resources",
                &space_id,
                &resource_id,
                "updated",
                set,
            )
            .await?;
        reply!(
            UpdateSpaceResourceResponse::Ok,
            ResourceEnvelope,
            &ctx,
            updated
        )
    }

    async fn archive_space_resource(
        &self,
        ctx: Call,
        space_id: String,
        resource_id: String,
        _body: Option<types::ResourceUpdateRequest>,
    ) -> poem::Result<ArchiveSpaceResourceResponse> {
        let set = vec![("status", "archived".into())];
        let archived = self
            .update_in_space::<ResourceRow>(
                &ctx,
                "resources",
                &space_id,
                &resource_id,
                "archived",
                set,
            )
            .await?;
        reply!(
            ArchiveSpaceResourceResponse::Ok,
            ResourceEnvelope,
            &ctx,
            archived
        )
    }
}
