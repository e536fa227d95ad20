//! The resource registry (docs/behaviour.md §9): resource types upserted by key, their actions by
//! (type, key), one storage mapping per type. Every upsert answers 201. Registry changes have no
//! space, so they write no audit row.

use plystra_server_api::operations::ResourceTypes;
use plystra_server_api::responses::{
    GetResourceMappingResponse, GetResourceTypeResponse, ListResourceActionsResponse,
    ListResourceTypesResponse, UpsertResourceActionResponse, UpsertResourceMappingResponse,
    UpsertResourceTypeResponse,
};
use plystra_server_api::types::{self, ErrorCode, Pagination};
use poem::http::StatusCode;

use super::Server;
use super::entity::{Entity, metadata_json, reply, reply_list, required};
use super::principal::{Call, id_or_new, metadata};
use super::session::{store_error, timestamp};
use crate::ApiError;
use crate::store::registry_records::{ResourceActionRow, ResourceMappingRow, ResourceTypeRow};
use crate::store::{Statement, StoreError, Value};

impl Entity for ResourceTypeRow {
    type Wire = types::ResourceType;
    const KIND: &'static str = "resource_type";
    const NOT_FOUND: (ErrorCode, &'static str) = (
        ErrorCode::ResourceTypeNotFound,
        "ResourceType was not found.",
    );
    const CREATE_FAILED: ErrorCode = ErrorCode::ResourceTypeUpsertFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::ResourceTypeUpsertFailed;
    const ID: &'static str = "t.key";

    fn wire(self) -> types::ResourceType {
        types::ResourceType {
            created_at: timestamp(&self.created_at),
            description: self.description,
            display_name: self.display_name,
            id: self.id,
            key: self.key,
            metadata: metadata(&self.metadata),
            source: self.source,
            status: self.status,
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        ""
    }
}

impl Entity for ResourceActionRow {
    type Wire = types::ResourceAction;
    const KIND: &'static str = "resource_action";
    const NOT_FOUND: (ErrorCode, &'static str) = (
        ErrorCode::ResourceTypeNotFound,
        "ResourceAction was not found.",
    );
    const CREATE_FAILED: ErrorCode = ErrorCode::ResourceActionUpsertFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::ResourceActionUpsertFailed;

    fn wire(self) -> types::ResourceAction {
        types::ResourceAction {
            audit_default: self.audit_default,
            description: self.description,
            display_name: self.display_name,
            id: self.id,
            key: self.key,
            metadata: metadata(&self.metadata),
            risk_level: self.risk_level,
        }
    }

    fn space_id(&self) -> &str {
        ""
    }
}

impl Entity for ResourceMappingRow {
    type Wire = types::ResourceMapping;
    const KIND: &'static str = "resource_mapping";
    const NOT_FOUND: (ErrorCode, &'static str) = (
        ErrorCode::ResourceMappingNotFound,
        "ResourceMapping was not found.",
    );
    const CREATE_FAILED: ErrorCode = ErrorCode::ResourceMappingUpsertFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::ResourceMappingUpsertFailed;
    const ID: &'static str = "rt.key";

    fn wire(self) -> types::ResourceMapping {
        types::ResourceMapping {
            created_at: timestamp(&self.created_at),
            display_name: self.display_name,
            group_field: self.group_field,
            id: self.id,
            id_field: self.id_field,
            metadata: metadata(&self.metadata),
            metadata_field: self.metadata_field,
            owner_member_field: self.owner_member_field,
            resource_type: self.resource_type,
            resource_type_id: self.resource_type_id,
            source: self.source,
            space_field: self.space_field,
            status: self.status,
            storage_kind: self.storage_kind,
            table_name: self.table_name,
            updated_at: timestamp(&self.updated_at),
            visibility_field: self.visibility_field,
        }
    }

    fn space_id(&self) -> &str {
        ""
    }
}

/// Trimmed text, or `default` when absent or blank.
fn or_default(value: Option<String>, default: &str) -> String {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// `INSERT … ON CONFLICT (<key>) DO UPDATE` of every non-key column but `id` and `created_at`.
fn upsert(table: &str, conflict: &str, columns: Vec<(&'static str, Value)>) -> Statement {
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let keys: Vec<&str> = conflict.split(", ").collect();
    let updates: Vec<String> = names
        .iter()
        .filter(|c| !matches!(**c, "id" | "created_at") && !keys.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    Statement::raw(
        format!(
            "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({conflict}) DO UPDATE SET {}",
            names.join(", "),
            marks.join(", "),
            updates.join(", ")
        ),
        columns.into_iter().map(|(_, v)| v).collect(),
    )
}

impl Server {
    /// Runs an upsert and reads the row back by `key`; a clash on another unique key (a
    /// client id that another row holds) answers `E`'s 409.
    async fn upsert_row<E: Entity>(
        &self,
        statement: Statement,
        key: &[(&str, &str)],
    ) -> Result<E::Wire, ApiError> {
        match self
            .store()
            .commit_where::<E>(&[statement], None, key)
            .await
        {
            Ok(Some(row)) => Ok(row.wire()),
            Ok(None) => Err(ApiError::internal("an upserted row was not found")),
            Err(StoreError::Conflict { .. }) => Err(ApiError::new(
                StatusCode::CONFLICT,
                E::CREATE_FAILED,
                "The record could not be saved.",
            )
            .with_details("another row holds this id".into())),
            Err(e) => Err(store_error(e)),
        }
    }
}

impl ResourceTypes for Server {
    async fn list_resource_types(
        &self,
        ctx: Call,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListResourceTypesResponse> {
        let page = self
            .list_page::<ResourceTypeRow>(&[], limit, 50, cursor)
            .await?;
        reply_list!(
            ListResourceTypesResponse::Ok,
            ResourceTypeListEnvelope,
            &ctx,
            page
        )
    }

    async fn upsert_resource_type(
        &self,
        ctx: Call,
        body: types::ResourceTypeMutationRequest,
    ) -> poem::Result<UpsertResourceTypeResponse> {
        let key = required(&body.key, "key")?;
        let display_name = required(&body.display_name, "display_name")?;
        let id = id_or_new(body.id.as_deref(), "rt_")?;
        let now = self.now_text();
        let statement = upsert(
            "resource_types",
            "key",
            vec![
                ("id", id.into()),
                ("key", key.as_str().into()),
                ("display_name", display_name.into()),
                (
                    "description",
                    body.description.unwrap_or_default().trim().into(),
                ),
                ("status", or_default(body.status, "active").into()),
                ("source", or_default(body.source, "core").into()),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        let saved = self
            .upsert_row::<ResourceTypeRow>(statement, &[("t.key", &key)])
            .await?;
        reply!(
            UpsertResourceTypeResponse::Created,
            ResourceTypeEnvelope,
            &ctx,
            saved
        )
    }

    async fn get_resource_type(
        &self,
        ctx: Call,
        resource_type: String,
    ) -> poem::Result<GetResourceTypeResponse> {
        let found = self.found::<ResourceTypeRow>(&resource_type, None).await?;
        reply!(
            GetResourceTypeResponse::Ok,
            ResourceTypeEnvelope,
            &ctx,
            found.wire()
        )
    }

    async fn list_resource_actions(
        &self,
        ctx: Call,
        resource_type: String,
    ) -> poem::Result<ListResourceActionsResponse> {
        let kind = self.found::<ResourceTypeRow>(&resource_type, None).await?;
        let rows = self
            .store()
            .all::<ResourceActionRow>(&[("t.resource_type_id", Value::from(kind.id))])
            .await
            .map_err(store_error)?;
        let pagination = Pagination {
            limit: i32::try_from(rows.len()).unwrap_or(i32::MAX),
            cursor: None,
            has_more: false,
        };
        let data: Vec<types::ResourceAction> = rows.into_iter().map(Entity::wire).collect();
        reply_list!(
            ListResourceActionsResponse::Ok,
            ResourceActionListEnvelope,
            &ctx,
            (data, pagination)
        )
    }

    async fn upsert_resource_action(
        &self,
        ctx: Call,
        resource_type: String,
        body: types::ResourceActionMutationRequest,
    ) -> poem::Result<UpsertResourceActionResponse> {
        let kind = self.found::<ResourceTypeRow>(&resource_type, None).await?;
        let key = required(&body.key, "key")?;
        let display_name = required(&body.display_name, "display_name")?;
        let id = id_or_new(body.id.as_deref(), "ra_")?;
        let now = self.now_text();
        let statement = upsert(
            "resource_actions",
            "resource_type_id, key",
            vec![
                ("id", id.into()),
                ("resource_type_id", kind.id.as_str().into()),
                ("key", key.as_str().into()),
                ("display_name", display_name.into()),
                (
                    "description",
                    body.description.unwrap_or_default().trim().into(),
                ),
                ("risk_level", or_default(body.risk_level, "normal").into()),
                ("audit_default", body.audit_default.unwrap_or(true).into()),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        let saved = self
            .upsert_row::<ResourceActionRow>(
                statement,
                &[("t.resource_type_id", &kind.id), ("t.key", &key)],
            )
            .await?;
        reply!(
            UpsertResourceActionResponse::Created,
            ResourceActionEnvelope,
            &ctx,
            saved
        )
    }

    async fn get_resource_mapping(
        &self,
        ctx: Call,
        resource_type: String,
    ) -> poem::Result<GetResourceMappingResponse> {
        self.found::<ResourceTypeRow>(&resource_type, None).await?;
        let mapping = self
            .found::<ResourceMappingRow>(&resource_type, None)
            .await?;
        reply!(
            GetResourceMappingResponse::Ok,
            ResourceMappingEnvelope,
            &ctx,
            mapping.wire()
        )
    }

    async fn upsert_resource_mapping(
        &self,
        ctx: Call,
        resource_type: String,
        body: types::ResourceMappingMutationRequest,
    ) -> poem::Result<UpsertResourceMappingResponse> {
        let kind = self.found::<ResourceTypeRow>(&resource_type, None).await?;
        let id = id_or_new(body.id.as_deref(), "rm_")?;
        let now = self.now_text();
        let optional = |v: Option<String>| Value::from(v.unwrap_or_default().trim());
        let statement = upsert(
            "resource_mappings",
            "resource_type_id",
            vec![
                ("id", id.into()),
                ("resource_type_id", kind.id.as_str().into()),
                (
                    "storage_kind",
                    or_default(body.storage_kind, "internal_table").into(),
                ),
                ("table_name", optional(body.table_name)),
                ("id_field", or_default(body.id_field, "id").into()),
                (
                    "space_field",
                    or_default(body.space_field, "space_id").into(),
                ),
                ("group_field", optional(body.group_field)),
                ("owner_member_field", optional(body.owner_member_field)),
                ("visibility_field", optional(body.visibility_field)),
                ("metadata_field", optional(body.metadata_field)),
                ("status", or_default(body.status, "active").into()),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        let saved = self
            .upsert_row::<ResourceMappingRow>(statement, &[("t.resource_type_id", &kind.id)])
            .await?;
        reply!(
            UpsertResourceMappingResponse::Created,
            ResourceMappingEnvelope,
            &ctx,
            saved
        )
    }
}
