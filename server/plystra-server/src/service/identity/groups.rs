//! `/spaces/{space_id}/groups`, the tree and `/groups/{id}`. Paths are dot-separated
//! (`finance.apac`); a group's parent is the group at its path's prefix in the same space, so
//! `path`, `depth` and `parent_group_id` always agree. Moving a group moves its subtree.

use plystra_server_api::operations::Groups;
use plystra_server_api::responses::{
    CreateGroupResponse, DisableGroupResponse, GetGroupByIdResponse, GetGroupResponse,
    GetGroupTreeResponse, ListGroupsResponse, UpdateGroupResponse,
};
use plystra_server_api::types::{self, ActiveDisabledStatus, ErrorCode, Pagination};

use crate::ApiError;
use crate::domain::principal::Principal;
use crate::service::Server;
use crate::service::entity::{
    Entity, active_disabled, invalid, metadata_json, reply, reply_list, required, title_case,
};
use crate::service::principal::{Call, id_or_new, metadata, optional_time};
use crate::service::session::{store_error, timestamp};
use crate::store::identity_records::GroupRow;
use crate::store::{Statement, Value};

/// Longest accepted path, in bytes.
const MAX_PATH: usize = 512;

impl Entity for GroupRow {
    type Wire = types::Group;
    const KIND: &'static str = "group";
    const NOT_FOUND: (ErrorCode, &'static str) = (ErrorCode::GroupNotFound, "Group was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::GroupCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::GroupUpdateFailed;

    fn wire(self) -> types::Group {
        types::Group {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            depth: self.depth,
            display_name: self.display_name,
            id: self.id,
            metadata: metadata(&self.metadata),
            name: self.name,
            parent_id: self.parent_group_id.clone(),
            parent_group_id: self.parent_group_id,
            path: self.path,
            sort_order: self.sort_order,
            space_id: self.space_id,
            status: active_disabled(&self.status),
            updated_at: timestamp(&self.updated_at),
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

/// A checked path: non-empty segments of `A-Z a-z 0-9 _ -` joined by dots.
fn group_path(path: &str) -> Result<String, ApiError> {
    let path = required(path, "path")?;
    let valid_segment = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if path.len() > MAX_PATH || !path.split('.').all(valid_segment) {
        return Err(invalid(
            "path must be dot-separated segments of A-Z, a-z, 0-9, _ and - (e.g. finance.apac)",
        ));
    }
    Ok(path)
}

/// The last segment of a path.
fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Number of dots.
fn depth(path: &str) -> i64 {
    path.bytes().filter(|b| *b == b'.').count() as i64
}

/// The parent given as `parent_group_id` and/or `parent_id`: `None` when neither is set,
/// `Some("")` for an explicit root.
fn given_parent(
    parent_group_id: Option<String>,
    parent_id: Option<String>,
) -> Result<Option<String>, ApiError> {
    match (parent_group_id, parent_id) {
        (Some(a), Some(b)) if a.trim() != b.trim() => Err(invalid(
            "parent_group_id and parent_id name the same field and must agree",
        )),
        (a, b) => Ok(a.or(b).map(|p| p.trim().to_string())),
    }
}

impl Server {
    /// The parent of a group at `path` in `space_id`: the given parent (which must be the group
    /// at the path's prefix) or, when none is given, the group at the prefix. `""` for a root.
    async fn parent_of(
        &self,
        space_id: &str,
        path: &str,
        given: Option<&str>,
    ) -> Result<Option<GroupRow>, ApiError> {
        let prefix = path.rsplit_once('.').map(|(prefix, _)| prefix);
        match (given.filter(|p| !p.is_empty()), prefix) {
            (Some(parent), Some(prefix)) => {
                let parent = self
                    .same_space::<GroupRow>(parent, space_id, "parent_group_id")
                    .await?;
                if parent.path != prefix {
                    return Err(invalid(format!(
                        "path must be {}.<segment> under parent group {}",
                        parent.path, parent.id
                    )));
                }
                Ok(Some(parent))
            }
            (Some(_), None) => Err(invalid(
                "a group with a parent needs a path below its parent's path",
            )),
            (None, Some(prefix)) => {
                let filters = [
                    ("t.space_id", Value::from(space_id)),
                    ("t.path", Value::from(prefix)),
                ];
                let parent = self
                    .store()
                    .find::<GroupRow>(&filters)
                    .await
                    .map_err(store_error)?;
                match parent {
                    Some(parent) => Ok(Some(parent)),
                    None => Err(invalid(format!(
                        "the parent group {prefix} does not exist in this Space"
                    ))),
                }
            }
            (None, None) => Ok(None),
        }
    }
}

impl Groups for Server {
    async fn get_group_by_id(
        &self,
        ctx: Call,
        group_id: String,
    ) -> poem::Result<GetGroupByIdResponse> {
        let group = self.found::<GroupRow>(&group_id, None).await?;
        reply!(GetGroupByIdResponse::Ok, GroupEnvelope, &ctx, group.wire())
    }

    async fn list_groups(
        &self,
        ctx: Call,
        space_id: String,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListGroupsResponse> {
        let filters = [("t.space_id", Value::from(space_id))];
        let page = self
            .list_page::<GroupRow>(&filters, limit, 200, cursor)
            .await?;
        reply_list!(ListGroupsResponse::Ok, GroupListEnvelope, &ctx, page)
    }

    async fn create_group(
        &self,
        ctx: Call,
        space_id: String,
        body: types::GroupMutationRequest,
    ) -> poem::Result<CreateGroupResponse> {
        let path = group_path(&body.path)?;
        let id = id_or_new(body.id.as_deref(), "group_")?;
        self.space_must_exist(&space_id).await?;
        let given = given_parent(body.parent_group_id, body.parent_id)?;
        let parent = self.parent_of(&space_id, &path, given.as_deref()).await?;
        let display_name = body.display_name.unwrap_or_default().trim().to_string();
        let name = [body.name.unwrap_or_default(), display_name.clone()]
            .into_iter()
            .map(|n| n.trim().to_string())
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| title_case(leaf(&path)));
        let now = self.now_text();
        let insert = Statement::insert(
            "groups",
            vec![
                ("id", id.as_str().into()),
                ("space_id", space_id.as_str().into()),
                (
                    "parent_group_id",
                    parent.map(|p| p.id).unwrap_or_default().into(),
                ),
                ("name", name.into()),
                ("display_name", display_name.into()),
                ("depth", depth(&path).into()),
                ("path", path.into()),
                ("sort_order", body.sort_order.unwrap_or(1000).into()),
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
        let group = self
            .change::<GroupRow>(
                &ctx,
                "created",
                &id,
                &space_id,
                &[insert],
                GroupRow::CREATE_FAILED,
            )
            .await?;
        reply!(CreateGroupResponse::Created, GroupEnvelope, &ctx, group)
    }

    async fn get_group_tree(
        &self,
        ctx: Call,
        space_id: String,
    ) -> poem::Result<GetGroupTreeResponse> {
        let rows = self
            .store()
            .all::<GroupRow>(&[("t.space_id", Value::from(space_id))])
            .await
            .map_err(store_error)?;
        let pagination = Pagination {
            limit: i32::try_from(rows.len()).unwrap_or(i32::MAX),
            cursor: None,
            has_more: false,
        };
        let data: Vec<types::Group> = rows.into_iter().map(GroupRow::wire).collect();
        reply_list!(
            GetGroupTreeResponse::Ok,
            GroupListEnvelope,
            &ctx,
            (data, pagination)
        )
    }

    async fn get_group(
        &self,
        ctx: Call,
        space_id: String,
        group_id: String,
    ) -> poem::Result<GetGroupResponse> {
        let group = self.found::<GroupRow>(&group_id, Some(&space_id)).await?;
        reply!(GetGroupResponse::Ok, GroupEnvelope, &ctx, group.wire())
    }

    async fn update_group(
        &self,
        ctx: Call,
        space_id: String,
        group_id: String,
        body: types::GroupUpdateRequest,
    ) -> poem::Result<UpdateGroupResponse> {
        let current = self.found::<GroupRow>(&group_id, Some(&space_id)).await?;
        let now = self.now_text();
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        let mut statements = Vec::new();
        let given = given_parent(body.parent_group_id, body.parent_id)?;
        if body.path.is_some() || given.is_some() {
            let path = match (body.path, given.as_deref()) {
                (Some(path), _) => group_path(&path)?,
                (None, Some("")) => leaf(&current.path).to_string(),
                (None, Some(parent)) => {
                    let parent = self
                        .same_space::<GroupRow>(parent, &space_id, "parent_group_id")
                        .await?;
                    format!("{}.{}", parent.path, leaf(&current.path))
                }
                (None, None) => current.path.clone(),
            };
            let subtree = format!("{}.", current.path);
            if path.starts_with(&subtree) {
                return Err(invalid("a group cannot move below itself").into());
            }
            let parent = self.parent_of(&space_id, &path, given.as_deref()).await?;
            let parent_id = parent.map(|p| p.id).unwrap_or_default();
            if parent_id != current.parent_group_id {
                // Moving into another parent is creating below it.
                let principal: &Principal = &ctx.principal;
                self.require(principal, "groups:manage", &space_id, &parent_id)
                    .await?;
            }
            if path != current.path {
                // `finance.apac` under `finance` → `<new path>` + `.apac`.
                let tail_from = i64::try_from(current.path.len() + 1).unwrap_or(i64::MAX);
                let prefix_len = i64::try_from(subtree.len()).unwrap_or(i64::MAX);
                statements.push(Statement::raw(
                    "UPDATE groups SET path = $1 || substr(path, CAST($2 AS INTEGER)), \
                     depth = depth + $3, updated_at = $4 WHERE space_id = $5 \
                     AND deleted_at IS NULL AND substr(path, 1, CAST($6 AS INTEGER)) = $7",
                    vec![
                        path.as_str().into(),
                        tail_from.into(),
                        (depth(&path) - current.depth).into(),
                        now.as_str().into(),
                        space_id.as_str().into(),
                        prefix_len.into(),
                        subtree.into(),
                    ],
                ));
            }
            set.push(("parent_group_id", parent_id.into()));
            set.push(("depth", depth(&path).into()));
            set.push(("path", path.into()));
        }
        if let Some(name) = body.name {
            set.push(("name", required(&name, "name")?.into()));
        }
        if let Some(display_name) = body.display_name {
            set.push(("display_name", display_name.trim().into()));
        }
        if let Some(sort_order) = body.sort_order {
            set.push(("sort_order", sort_order.into()));
        }
        if let Some(status) = body.status {
            set.push(("status", status.as_str().into()));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        set.push(("updated_at", now.into()));
        // The group itself first: a clash on its new path fails before the subtree moves.
        statements.insert(0, Statement::update("groups", &group_id, set));
        let group = self
            .change::<GroupRow>(
                &ctx,
                "updated",
                &group_id,
                &space_id,
                &statements,
                GroupRow::UPDATE_FAILED,
            )
            .await?;
        reply!(UpdateGroupResponse::Ok, GroupEnvelope, &ctx, group)
    }

    async fn disable_group(
        &self,
        ctx: Call,
        space_id: String,
        group_id: String,
        _body: Option<types::GroupUpdateRequest>,
    ) -> poem::Result<DisableGroupResponse> {
        let set = vec![("status", "disabled".into())];
        let group = self
            .update_in_space::<GroupRow>(&ctx, "groups", &space_id, &group_id, "disabled", set)
            .await?;
        reply!(DisableGroupResponse::Ok, GroupEnvelope, &ctx, group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_dotted_segments() {
        assert_eq!(group_path(" finance.apac ").unwrap(), "finance.apac");
        assert!(group_path("finance..apac").is_err());
        assert!(group_path(".finance").is_err());
        assert!(group_path("finance.").is_err());
        assert!(group_path("fin ance").is_err());
        assert!(group_path("").is_err());
        assert_eq!(depth("a.b.c"), 2);
        assert_eq!(leaf("a.b.c"), "c");
        assert_eq!(leaf("a"), "a");
    }
}
