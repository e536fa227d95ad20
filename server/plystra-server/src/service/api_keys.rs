//! API keys (docs/behaviour.md §13): `ply_ak_<id>.<secret>`, stored only as a keyed hash, the
//! plaintext answered once, by the create call.

use plystra_server_api::operations::ApiKeys;
use plystra_server_api::responses::{
    CreateApiKeyResponse, GetApiKeyResponse, ListApiKeysResponse, RevokeApiKeyResponse,
};
use plystra_server_api::types::{self, ApiKeyLevel, ApiKeyStatus, ErrorCode};
use poem::http::StatusCode;
use poem_openapi::payload::Json;

use super::Server;
use super::principal::{
    API_KEY_PREFIX, Call, id_or_new, metadata, optional_time, page_limit, pagination,
};
use super::session::{store_error, timestamp};
use crate::ApiError;
use crate::domain::principal::{Principal, Reach, valid_permission_key};
use crate::domain::time;
use crate::store::{ApiKeyFilter, ApiKeyRecord, NewApiKey, StoreError};

fn invalid(details: &str) -> ApiError {
    ApiError::validation("Request body is invalid.").with_details(details.into())
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::ApiKeyNotFound,
        "ApiKey was not found.",
    )
}

fn level(level: ApiKeyLevel) -> Reach {
    match level {
        ApiKeyLevel::Instance => Reach::Instance,
        ApiKeyLevel::Space => Reach::Space,
        ApiKeyLevel::Group => Reach::Group,
    }
}

fn status_name(status: ApiKeyStatus) -> &'static str {
    match status {
        ApiKeyStatus::Active => "active",
        ApiKeyStatus::Disabled => "disabled",
        ApiKeyStatus::Revoked => "revoked",
    }
}

/// Lower-cases, trims and de-duplicates permission keys (keeping their order), then checks them.
pub(crate) fn normalise_keys(keys: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::with_capacity(keys.len());
    for key in keys {
        let key = key.trim().to_ascii_lowercase();
        if !valid_permission_key(&key) {
            return Err(format!("{key:?} is not a valid permission key"));
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    if out.is_empty() {
        return Err("permission_keys must name at least one permission".into());
    }
    Ok(out)
}

/// A stored key on the wire (never its hash; the plaintext is not stored at all).
pub(super) fn api_key(r: ApiKeyRecord) -> types::ApiKey {
    let keys: Vec<String> = serde_json::from_str(&r.permission_keys).unwrap_or_default();
    types::ApiKey {
        created_at: timestamp(&r.created_at),
        created_by_member_id: r.created_by_member_id,
        created_by_user_id: r.created_by_user_id,
        deleted_at: None,
        expires_at: optional_time(&r.expires_at),
        group_id: r.group_id,
        id: r.id,
        key: None,
        key_prefix: r.key_prefix,
        last_used_at: optional_time(&r.last_used_at),
        level: match Reach::parse_key_level(&r.level) {
            Some(Reach::Instance) => ApiKeyLevel::Instance,
            Some(Reach::Space) => ApiKeyLevel::Space,
            _ => ApiKeyLevel::Group,
        },
        metadata: metadata(&r.metadata),
        name: r.name,
        permission_keys: Some(keys),
        provider_runtime_plugin_id: String::new(),
        revoked_at: optional_time(&r.revoked_at),
        revoked_by_user_id: r.revoked_by_user_id,
        revoked_reason: r.revoked_reason,
        space_id: r.space_id,
        status: match r.status.as_str() {
            "active" => ApiKeyStatus::Active,
            "disabled" => ApiKeyStatus::Disabled,
            _ => ApiKeyStatus::Revoked,
        },
        updated_at: timestamp(&r.updated_at),
    }
}

/// What a new key is: its row, hash and plaintext.
pub struct MintedKey {
    /// The stored row and its audit entry.
    pub new: NewApiKey,
    /// `ply_ak_<id>.<64 hex>`: answered once, never stored.
    pub plaintext: String,
}

impl Server {
    /// Builds a key (row, keyed hash, plaintext) for `principal`; nothing is stored yet.
    pub(crate) async fn mint_api_key(
        &self,
        ctx: Option<&Call>,
        principal: &Principal,
        mut record: ApiKeyRecord,
    ) -> Result<MintedKey, ApiError> {
        let plaintext = format!(
            "{API_KEY_PREFIX}{}.{}",
            record.id,
            hex::encode(rand::random::<[u8; 32]>())
        );
        record.key_prefix = format!("{API_KEY_PREFIX}{}", record.id);
        let key_hash = self.api_key_hasher().await?.hash(&plaintext);
        let trace = serde_json::json!({
            "name": record.name,
            "level": record.level,
            "group_id": record.group_id,
            "permission_keys": serde_json::from_str::<serde_json::Value>(&record.permission_keys).unwrap_or_default(),
        });
        let audit = match ctx {
            Some(ctx) => self.audit_entry(
                ctx,
                principal,
                "api_key.created",
                ("api_key", &record.id),
                &record.space_id,
                trace,
            ),
            None => crate::store::AuditEntry {
                id: crate::domain::tokens::new_id("audit_"),
                space_id: record.space_id.clone(),
                actor_user_id: principal.user_id().to_string(),
                action: "api_key.created".into(),
                resource_type: "api_key".into(),
                resource_id: record.id.clone(),
                decision: "allow".into(),
                trace: trace.to_string(),
                created_at: time::format_micros(self.now()),
                ..crate::store::AuditEntry::default()
            },
        };
        Ok(MintedKey {
            new: NewApiKey {
                record,
                key_hash,
                audit,
            },
            plaintext,
        })
    }
}

impl ApiKeys for Server {
    async fn list_api_keys(
        &self,
        ctx: Call,
        limit: Option<i32>,
        level: Option<ApiKeyLevel>,
        space_id: Option<String>,
        group_id: Option<String>,
        status: Option<ApiKeyStatus>,
        _cursor: Option<String>,
    ) -> poem::Result<ListApiKeysResponse> {
        let principal: &Principal = &ctx.principal;
        let limit = page_limit(limit, 100);
        let filter = ApiKeyFilter {
            level: level.map(|l| self::level(l).key_level().to_string()),
            space_id,
            group_id,
            status: status.map(|s| status_name(s).to_string()),
        };
        let rows = self
            .store()
            .list_api_keys(&filter, i64::from(limit))
            .await
            .map_err(store_error)?;
        let mut visible = Vec::with_capacity(rows.len());
        for row in rows {
            if self
                .may(principal, "api_keys:read", &row.space_id, &row.group_id)
                .await?
            {
                visible.push(api_key(row));
            }
        }
        Ok(ListApiKeysResponse::Ok(Json(types::ApiKeyListEnvelope {
            data: visible,
            pagination: pagination(limit),
            request_id: ctx.request_id.clone(),
        })))
    }

    async fn create_api_key(
        &self,
        ctx: Call,
        body: types::ApiKeyMutationRequest,
    ) -> poem::Result<CreateApiKeyResponse> {
        let principal: &Principal = &ctx.principal;
        let now = self.now();
        let name = body.name.trim();
        if name.is_empty() {
            return Err(invalid("name is required").into());
        }
        let keys = normalise_keys(body.permission_keys.as_deref().unwrap_or_default())
            .map_err(|e| invalid(&e))?;
        if let Some(expires_at) = body.expires_at
            && expires_at <= now
        {
            return Err(invalid("expires_at must be in the future").into());
        }
        let status = match body.status {
            None | Some(ApiKeyStatus::Active) => "active",
            Some(ApiKeyStatus::Disabled) => "disabled",
            Some(ApiKeyStatus::Revoked) => {
                return Err(invalid("status must be active or disabled").into());
            }
        };
        let id = id_or_new(body.id.as_deref(), "ak_")?;
        let reach = level(body.level);
        let what = format!("{} API keys", reach.key_level());
        let (space_id, group_id) = self
            .new_scope(
                reach,
                &what,
                body.space_id.as_deref(),
                body.group_id.as_deref(),
            )
            .await?;
        self.require(principal, "api_keys:create", &space_id, &group_id)
            .await?;
        if !principal.is_super_admin() {
            for key in &keys {
                self.require(principal, key, &space_id, &group_id).await?;
            }
        }
        let created_by_member_id = match principal {
            Principal::Session {
                active_member_id, ..
            } => active_member_id.clone(),
            Principal::ApiKey(_) => String::new(),
        };
        let now_text = time::format(now);
        let record = ApiKeyRecord {
            id,
            name: name.to_string(),
            key_prefix: String::new(),
            level: reach.key_level().to_string(),
            space_id,
            group_id,
            permission_keys: serde_json::to_string(&keys).map_err(ApiError::internal)?,
            status: status.into(),
            expires_at: body.expires_at.map(time::format),
            last_used_at: None,
            created_by_user_id: principal.user_id().to_string(),
            created_by_member_id,
            revoked_at: None,
            revoked_by_user_id: String::new(),
            revoked_reason: String::new(),
            metadata: serde_json::to_string(&body.metadata.unwrap_or_default())
                .map_err(ApiError::internal)?,
            created_at: now_text.clone(),
            updated_at: now_text,
        };
        let minted = self.mint_api_key(Some(&ctx), principal, record).await?;
        match self.store().create_api_key(&minted.new).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::ApiKeyCreateFailed,
                    "ApiKey could not be created.",
                )
                .with_details("an API key with this id already exists".into())
                .into());
            }
            Err(e) => return Err(store_error(e).into()),
        }
        let k = api_key(minted.new.record);
        Ok(CreateApiKeyResponse::Created(Json(
            types::CreatedApiKeyEnvelope {
                data: types::CreatedApiKey {
                    created_at: k.created_at,
                    created_by_member_id: k.created_by_member_id,
                    created_by_user_id: k.created_by_user_id,
                    deleted_at: k.deleted_at,
                    expires_at: k.expires_at,
                    group_id: k.group_id,
                    id: k.id,
                    key: None,
                    key_prefix: k.key_prefix,
                    last_used_at: k.last_used_at,
                    level: k.level,
                    metadata: k.metadata,
                    name: k.name,
                    permission_keys: k.permission_keys,
                    provider_runtime_plugin_id: k.provider_runtime_plugin_id,
                    revoked_at: k.revoked_at,
                    revoked_by_user_id: k.revoked_by_user_id,
                    revoked_reason: k.revoked_reason,
                    space_id: k.space_id,
                    status: k.status,
                    updated_at: k.updated_at,
                    api_key: minted.plaintext,
                },
                request_id: ctx.request_id.clone(),
            },
        )))
    }

    async fn get_api_key(&self, ctx: Call, api_key_id: String) -> poem::Result<GetApiKeyResponse> {
        let principal: &Principal = &ctx.principal;
        let row = self
            .store()
            .api_key(&api_key_id)
            .await
            .map_err(store_error)?
            .ok_or_else(not_found)?;
        self.require(principal, "api_keys:read", &row.space_id, &row.group_id)
            .await?;
        Ok(GetApiKeyResponse::Ok(Json(types::ApiKeyEnvelope {
            data: api_key(row),
            request_id: ctx.request_id.clone(),
        })))
    }

    async fn revoke_api_key(
        &self,
        ctx: Call,
        api_key_id: String,
        body: Option<types::ApiKeyUpdateRequest>,
    ) -> poem::Result<RevokeApiKeyResponse> {
        let principal: &Principal = &ctx.principal;
        let row = self
            .store()
            .api_key(&api_key_id)
            .await
            .map_err(store_error)?
            .ok_or_else(not_found)?;
        self.require(principal, "api_keys:revoke", &row.space_id, &row.group_id)
            .await?;
        let reason = body.and_then(|b| b.revoked_reason).unwrap_or_default();
        let by_user = match principal {
            Principal::Session { user_id, .. } => user_id.as_str(),
            Principal::ApiKey(_) => "",
        };
        let audit = self.audit_entry(
            &ctx,
            principal,
            "api_key.revoked",
            ("api_key", &row.id),
            &row.space_id,
            serde_json::json!({ "name": row.name, "revoked_reason": reason }),
        );
        let revoked = self
            .store()
            .revoke_api_key(&row.id, by_user, &reason, &audit)
            .await
            .map_err(store_error)?
            .ok_or_else(not_found)?;
        Ok(RevokeApiKeyResponse::Ok(Json(types::ApiKeyEnvelope {
            data: api_key(revoked),
            request_id: ctx.request_id.clone(),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_keys_are_normalised_before_they_are_checked() {
        let keys = normalise_keys(&[
            " Authz:Check".into(),
            "authz:check".into(),
            "audit:read".into(),
        ])
        .unwrap();
        assert_eq!(keys, ["authz:check", "audit:read"]);
        assert!(normalise_keys(&[]).is_err());
        assert!(normalise_keys(&["users".into()]).is_err());
    }
}
