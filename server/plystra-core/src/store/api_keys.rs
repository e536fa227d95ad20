//! API keys: list, read, create and revoke, each change with its audit row in one transaction.
//! Only the keyed hash of a key is stored; nothing here ever reads it back out.

use super::audit::{AuditEntry, insert_audit};
use super::{Store, StoreError, on_pool, read_row};

/// A stored key, without its hash.
#[derive(Debug, Clone)]
pub struct ApiKeyRecord {
    /// `ak_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// `ply_ak_<id>`: what lists show of the secret.
    pub key_prefix: String,
    /// `instance`, `space` or `group`.
    pub level: String,
    /// Space scope (`""` for instance keys).
    pub space_id: String,
    /// Group scope (`""` unless a group key).
    pub group_id: String,
    /// JSON array of permission keys.
    pub permission_keys: String,
    /// `active`, `disabled` or `revoked`.
    pub status: String,
    /// When it stops authenticating.
    pub expires_at: Option<String>,
    /// Last successful use.
    pub last_used_at: Option<String>,
    /// Creator.
    pub created_by_user_id: String,
    /// Creator's member.
    pub created_by_member_id: String,
    /// When revoked.
    pub revoked_at: Option<String>,
    /// Who revoked it.
    pub revoked_by_user_id: String,
    /// Why.
    pub revoked_reason: String,
    /// JSON object.
    pub metadata: String,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// A key to insert.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// The row.
    pub record: ApiKeyRecord,
    /// Keyed hash of the whole plaintext.
    pub key_hash: String,
    /// The audit row written with it.
    pub audit: AuditEntry,
}

/// Filters of `GET /api-keys`.
#[derive(Debug, Clone, Default)]
pub struct ApiKeyFilter {
    /// By level.
    pub level: Option<String>,
    /// By space.
    pub space_id: Option<String>,
    /// By group.
    pub group_id: Option<String>,
    /// By status.
    pub status: Option<String>,
}

const COLUMNS: &str = "id, name, key_prefix, level, space_id, group_id, permission_keys, status, \
     expires_at, last_used_at, created_by_user_id, created_by_member_id, revoked_at, \
     revoked_by_user_id, revoked_reason, metadata, created_at, updated_at";

macro_rules! key_from_row {
    ($row:expr) => {
        read_row!(
            $row,
            ApiKeyRecord {
                id,
                name,
                key_prefix,
                level,
                space_id,
                group_id,
                permission_keys,
                status,
                expires_at,
                last_used_at,
                created_by_user_id,
                created_by_member_id,
                revoked_at,
                revoked_by_user_id,
                revoked_reason,
                metadata,
                created_at,
                updated_at,
            }
        )
    };
}

impl Store {
    /// Keys matching `filter`, newest first (at most `limit`).
    pub async fn list_api_keys(
        &self,
        filter: &ApiKeyFilter,
        limit: i64,
    ) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let (sql, values) = super::newest_first(
            COLUMNS,
            "api_keys",
            &[
                ("level", &filter.level),
                ("space_id", &filter.space_id),
                ("group_id", &filter.group_id),
                ("status", &filter.status),
            ],
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(&sql);
            for value in &values {
                query = query.bind(*value);
            }
            let rows = query.bind(limit).fetch_all(pool).await?;
            rows.iter().map(|row| Ok(key_from_row!(row))).collect::<Result<Vec<_>, sqlx::Error>>()
        })
        .map_err(StoreError::from)
    }

    /// One key.
    pub async fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1 AND deleted_at IS NULL");
        on_pool!(self, pool => {
            match sqlx::query(&sql).bind(id).fetch_optional(pool).await? {
                Some(row) => Ok(Some(key_from_row!(&row))),
                None => Ok(None),
            }
        })
        .map_err(|e: sqlx::Error| e.into())
    }

    /// Stores a key with its audit row. An id that exists already is a `Conflict`.
    pub async fn create_api_key(&self, new: &NewApiKey) -> Result<(), StoreError> {
        let r = &new.record;
        let result: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(&format!("INSERT INTO api_keys ({COLUMNS}, key_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"))
                .bind(&r.id).bind(&r.name).bind(&r.key_prefix).bind(&r.level).bind(&r.space_id)
                .bind(&r.group_id).bind(&r.permission_keys).bind(&r.status).bind(&r.expires_at)
                .bind(&r.last_used_at).bind(&r.created_by_user_id).bind(&r.created_by_member_id)
                .bind(&r.revoked_at).bind(&r.revoked_by_user_id).bind(&r.revoked_reason)
                .bind(&r.metadata).bind(&r.created_at).bind(&r.updated_at).bind(&new.key_hash)
                .execute(&mut *tx).await?;
            insert_audit!(tx, new.audit)?;
            tx.commit().await
        }.await);
        Ok(result?)
    }

    /// Revokes a key with its audit row; `None` if there is no such key.
    pub async fn revoke_api_key(
        &self,
        id: &str,
        by_user_id: &str,
        reason: &str,
        audit: &AuditEntry,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let now = &audit.created_at;
        let select = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1 AND deleted_at IS NULL");
        let result: Result<Option<ApiKeyRecord>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query("UPDATE api_keys SET status = 'revoked', revoked_at = COALESCE(revoked_at, $1), revoked_by_user_id = $2, revoked_reason = $3, updated_at = $1 WHERE id = $4 AND deleted_at IS NULL")
                .bind(now).bind(by_user_id).bind(reason).bind(id).execute(&mut *tx).await?;
            if changed.rows_affected() == 0 {
                return Ok(None);
            }
            insert_audit!(tx, audit)?;
            let row = sqlx::query(&select).bind(id).fetch_one(&mut *tx).await?;
            let revoked = key_from_row!(&row);
            tx.commit().await?;
            Ok(Some(revoked))
        }.await);
        Ok(result?)
    }
}
