//! Admin grants and `/admin/me` (docs/behaviour.md §12): who may grant what, in which scope, and the
//! last super admin that cannot be revoked.

use plystra_server_api::operations::Admin;
use plystra_server_api::responses::{
    CreateAdminGrantResponse, GetAdminGrantResponse, GetAdminMeResponse, ListAdminGrantsResponse,
    RevokeAdminGrantResponse,
};
use plystra_server_api::types::{self, AdminGrantLevel, BindingStatus, ErrorCode};
use poem::http::StatusCode;
use poem_openapi::payload::Json;

use super::Server;
use super::principal::{
    Call, id_or_new, metadata, optional_time, page_limit, pagination, permission_required,
};
use super::session::{store_error, timestamp};
use crate::ApiError;
use crate::domain::principal::{Principal, Reach, valid_permission_key};
use crate::domain::time;
use crate::store::{
    AdminGrantFilter, AdminGrantRecord, NewAdminGrant, RevokeGrantError, StoreError,
};

fn invalid(details: &str) -> ApiError {
    ApiError::validation("Request body is invalid.").with_details(details.into())
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::AdminGrantNotFound,
        "AdminGrant was not found.",
    )
}

fn level_name(level: AdminGrantLevel) -> &'static str {
    match level {
        AdminGrantLevel::InstanceSuperAdmin => "instance_super_admin",
        AdminGrantLevel::InstanceAdmin => "instance_admin",
        AdminGrantLevel::SpaceAdmin => "space_admin",
        AdminGrantLevel::GroupAdmin => "group_admin",
    }
}

fn parse_level(text: &str) -> AdminGrantLevel {
    match text {
        "instance_super_admin" => AdminGrantLevel::InstanceSuperAdmin,
        "instance_admin" => AdminGrantLevel::InstanceAdmin,
        "space_admin" => AdminGrantLevel::SpaceAdmin,
        _ => AdminGrantLevel::GroupAdmin,
    }
}

fn reach(level: AdminGrantLevel) -> Reach {
    match level {
        AdminGrantLevel::InstanceSuperAdmin | AdminGrantLevel::InstanceAdmin => Reach::Instance,
        AdminGrantLevel::SpaceAdmin => Reach::Space,
        AdminGrantLevel::GroupAdmin => Reach::Group,
    }
}

/// A stored grant on the wire.
pub(super) fn grant(r: AdminGrantRecord) -> types::AdminGrant {
    types::AdminGrant {
        created_at: timestamp(&r.created_at),
        deleted_at: None,
        expires_at: optional_time(&r.expires_at),
        granted_by_member_id: r.granted_by_member_id,
        granted_by_user_id: r.granted_by_user_id,
        group_id: r.group_id,
        id: r.id,
        level: parse_level(&r.level),
        member_id: r.member_id,
        metadata: metadata(&r.metadata),
        permission_key: r.permission_key,
        revoked_at: optional_time(&r.revoked_at),
        revoked_reason: r.revoked_reason,
        space_id: r.space_id,
        status: if r.status == "active" {
            BindingStatus::Active
        } else {
            BindingStatus::Revoked
        },
        updated_at: timestamp(&r.updated_at),
        user_id: r.user_id,
    }
}

impl Server {
    /// Checks and completes the scope of a new grant or key at `reach`: `(space_id, group_id)`.
    /// `what` names the level in messages (`space_admin grants`, `group API keys`).
    pub(super) async fn new_scope(
        &self,
        reach: Reach,
        what: &str,
        space_id: Option<&str>,
        group_id: Option<&str>,
    ) -> Result<(String, String), ApiError> {
        let space = space_id.map(str::trim).unwrap_or_default();
        let group = group_id.map(str::trim).unwrap_or_default();
        match reach {
            Reach::Instance if space.is_empty() && group.is_empty() => {
                Ok((String::new(), String::new()))
            }
            Reach::Instance => Err(invalid(&format!(
                "{what} must not set space_id or group_id"
            ))),
            Reach::Space if space.is_empty() => Err(invalid(&format!("{what} require space_id"))),
            Reach::Space if !group.is_empty() => {
                Err(invalid(&format!("{what} must not set group_id")))
            }
            Reach::Space => {
                if !self
                    .store()
                    .space_exists(space)
                    .await
                    .map_err(store_error)?
                {
                    return Err(invalid("space_id does not reference an existing Space"));
                }
                Ok((space.to_string(), String::new()))
            }
            Reach::Group if group.is_empty() => Err(invalid(&format!("{what} require group_id"))),
            Reach::Group => {
                let found = self
                    .store()
                    .group_ref(group)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| invalid("group_id does not reference an existing Group"))?;
                if !space.is_empty() && space != found.space_id {
                    return Err(invalid("space_id must be the space of group_id"));
                }
                Ok((found.space_id, found.id))
            }
        }
    }

    /// Instance-level grants need a super admin; every grant change needs
    /// `admin_grants:manage` in the grant's scope and the grant's own permission key there.
    async fn may_change_grant(
        &self,
        principal: &Principal,
        level: AdminGrantLevel,
        permission_key: &str,
        space_id: &str,
        group_id: &str,
    ) -> Result<(), ApiError> {
        if !matches!(principal, Principal::Session { .. }) {
            return Err(permission_required("admin_grants:manage"));
        }
        if reach(level) == Reach::Instance && !principal.is_super_admin() {
            return Err(permission_required("admin_grants:manage"));
        }
        self.require(principal, "admin_grants:manage", space_id, group_id)
            .await?;
        if principal.is_super_admin() {
            return Ok(());
        }
        // Delegation: the caller must hold the key itself, in that scope.
        self.require(principal, permission_key, space_id, group_id)
            .await
    }
}

impl Admin for Server {
    async fn list_admin_grants(
        &self,
        ctx: Call,
        limit: Option<i32>,
        user_id: Option<String>,
        level: Option<AdminGrantLevel>,
        space_id: Option<String>,
        group_id: Option<String>,
        status: Option<BindingStatus>,
        _cursor: Option<String>,
    ) -> poem::Result<ListAdminGrantsResponse> {
        let principal: &Principal = &ctx.principal;
        let limit = page_limit(limit, 100);
        let filter = AdminGrantFilter {
            user_id,
            level: level.map(|l| level_name(l).to_string()),
            space_id,
            group_id,
            status: status.map(|s| {
                match s {
                    BindingStatus::Active => "active",
                    BindingStatus::Revoked => "revoked",
                }
                .to_string()
            }),
        };
        let rows = self
            .store()
            .list_admin_grants(&filter, i64::from(limit))
            .await
            .map_err(store_error)?;
        let mut visible = Vec::with_capacity(rows.len());
        for row in rows {
            if self
                .may(principal, "admin_grants:read", &row.space_id, &row.group_id)
                .await?
            {
                visible.push(grant(row));
            }
        }
        Ok(ListAdminGrantsResponse::Ok(Json(
            types::AdminGrantListEnvelope {
                data: visible,
                pagination: pagination(limit),
                request_id: ctx.request_id.clone(),
            },
        )))
    }

    async fn create_admin_grant(
        &self,
        ctx: Call,
        body: types::AdminGrantMutationRequest,
    ) -> poem::Result<CreateAdminGrantResponse> {
        let principal: &Principal = &ctx.principal;
        let now = self.now();
        let permission_key = body.permission_key.trim().to_ascii_lowercase();
        if !valid_permission_key(&permission_key) {
            return Err(invalid("permission_key is not a valid permission key").into());
        }
        let user_id = body.user_id.trim();
        if user_id.is_empty() {
            return Err(invalid("user_id is required").into());
        }
        if let Some(expires_at) = body.expires_at
            && expires_at <= now
        {
            return Err(invalid("expires_at must be in the future").into());
        }
        if body.status == Some(BindingStatus::Revoked) {
            return Err(invalid("a new grant must be active").into());
        }
        let id = id_or_new(body.id.as_deref(), "ag_")?;
        let what = format!("{} grants", level_name(body.level));
        let (space_id, group_id) = self
            .new_scope(
                reach(body.level),
                &what,
                body.space_id.as_deref(),
                body.group_id.as_deref(),
            )
            .await?;
        if self
            .store()
            .user_by_id(user_id)
            .await
            .map_err(store_error)?
            .is_none()
        {
            return Err(invalid("user_id does not reference an existing User").into());
        }
        self.may_change_grant(principal, body.level, &permission_key, &space_id, &group_id)
            .await?;
        let (by_user, by_member) = match principal {
            Principal::Session {
                user_id,
                active_member_id,
                ..
            } => (user_id.clone(), active_member_id.clone()),
            Principal::ApiKey(_) => (String::new(), String::new()),
        };
        let now_text = time::format(now);
        let record = AdminGrantRecord {
            id: id.clone(),
            user_id: user_id.to_string(),
            member_id: body.member_id.unwrap_or_default(),
            space_id: space_id.clone(),
            group_id: group_id.clone(),
            level: level_name(body.level).to_string(),
            permission_key: permission_key.clone(),
            status: "active".into(),
            granted_by_user_id: by_user,
            granted_by_member_id: by_member,
            expires_at: body.expires_at.map(time::format),
            revoked_at: None,
            revoked_reason: String::new(),
            metadata: serde_json::to_string(&body.metadata.unwrap_or_default())
                .map_err(ApiError::internal)?,
            created_at: now_text.clone(),
            updated_at: now_text,
        };
        let audit = self.audit_entry(
            &ctx,
            principal,
            "admin_grant.created",
            ("admin_grant", &id),
            &space_id,
            serde_json::json!({
                "user_id": record.user_id,
                "level": record.level,
                "permission_key": record.permission_key,
                "group_id": group_id,
            }),
        );
        let new = NewAdminGrant { record, audit };
        match self.store().create_admin_grant(&new).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::AdminGrantCreateFailed,
                    "AdminGrant could not be created.",
                )
                .with_details("an admin grant with this id already exists".into())
                .into());
            }
            Err(e) => return Err(store_error(e).into()),
        }
        Ok(CreateAdminGrantResponse::Created(Json(
            types::AdminGrantEnvelope {
                data: grant(new.record),
                request_id: ctx.request_id.clone(),
            },
        )))
    }

    async fn get_admin_grant(
        &self,
        ctx: Call,
        admin_grant_id: String,
    ) -> poem::Result<GetAdminGrantResponse> {
        let principal: &Principal = &ctx.principal;
        let row = self
            .store()
            .admin_grant(&admin_grant_id)
            .await
            .map_err(store_error)?
            .ok_or_else(not_found)?;
        self.require(principal, "admin_grants:read", &row.space_id, &row.group_id)
            .await?;
        Ok(GetAdminGrantResponse::Ok(Json(types::AdminGrantEnvelope {
            data: grant(row),
            request_id: ctx.request_id.clone(),
        })))
    }

    async fn revoke_admin_grant(
        &self,
        ctx: Call,
        admin_grant_id: String,
        body: Option<types::AdminGrantUpdateRequest>,
    ) -> poem::Result<RevokeAdminGrantResponse> {
        let principal: &Principal = &ctx.principal;
        let row = self
            .store()
            .admin_grant(&admin_grant_id)
            .await
            .map_err(store_error)?
            .ok_or_else(not_found)?;
        self.may_change_grant(
            principal,
            parse_level(&row.level),
            &row.permission_key,
            &row.space_id,
            &row.group_id,
        )
        .await?;
        let reason = body.and_then(|b| b.revoked_reason).unwrap_or_default();
        let audit = self.audit_entry(
            &ctx,
            principal,
            "admin_grant.revoked",
            ("admin_grant", &row.id),
            &row.space_id,
            serde_json::json!({
                "user_id": row.user_id,
                "level": row.level,
                "permission_key": row.permission_key,
                "group_id": row.group_id,
            }),
        );
        let revoked = match self
            .store()
            .revoke_admin_grant(&row.id, &reason, &audit)
            .await
        {
            Ok(revoked) => revoked,
            Err(RevokeGrantError::NotFound) => return Err(not_found().into()),
            Err(RevokeGrantError::LastSuperAdmin) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::LastSuperAdmin,
                    "The last active instance super admin grant cannot be revoked.",
                )
                .into());
            }
            Err(RevokeGrantError::Store(e)) => return Err(store_error(e).into()),
        };
        Ok(RevokeAdminGrantResponse::Ok(Json(
            types::AdminGrantEnvelope {
                data: grant(revoked),
                request_id: ctx.request_id.clone(),
            },
        )))
    }

    async fn get_admin_me(&self, ctx: Call) -> poem::Result<GetAdminMeResponse> {
        let principal: &Principal = &ctx.principal;
        let mut capabilities = std::collections::BTreeMap::new();
        let data = match principal {
            Principal::Session {
                session_id,
                user_id,
                active_space_id,
                active_member_id,
                grants,
                ..
            } => {
                let filter = AdminGrantFilter {
                    user_id: Some(user_id.clone()),
                    ..AdminGrantFilter::default()
                };
                let rows = self
                    .store()
                    .list_admin_grants(&filter, 1000)
                    .await
                    .map_err(store_error)?;
                let in_force: Vec<_> = rows
                    .into_iter()
                    .filter(|r| grants.iter().any(|g| g.id == r.id))
                    .map(grant)
                    .collect();
                for g in grants {
                    capabilities.insert(g.permission_key.clone(), true);
                }
                if principal.is_super_admin() {
                    capabilities.insert("*".to_string(), true);
                }
                types::AdminMeResponse {
                    active_member: active_member_id.clone(),
                    active_space: active_space_id.clone(),
                    api_key: None,
                    capabilities: Some(capabilities),
                    credential_type: types::CredentialType::Session,
                    grants: Some(in_force),
                    session_id: session_id.clone(),
                    user_id: user_id.clone(),
                }
            }
            Principal::ApiKey(key) => {
                for k in &key.permission_keys {
                    capabilities.insert(k.clone(), true);
                }
                let record = self.store().api_key(&key.id).await.map_err(store_error)?;
                types::AdminMeResponse {
                    active_member: String::new(),
                    active_space: key.holding.space_id.clone(),
                    api_key: record.map(super::api_keys::api_key),
                    capabilities: Some(capabilities),
                    credential_type: types::CredentialType::ApiKey,
                    grants: Some(Vec::new()),
                    session_id: String::new(),
                    user_id: key.created_by_user_id.clone(),
                }
            }
        };
        Ok(GetAdminMeResponse::Ok(Json(
            types::AdminMeResponseEnvelope {
                data,
                request_id: ctx.request_id.clone(),
            },
        )))
    }
}
