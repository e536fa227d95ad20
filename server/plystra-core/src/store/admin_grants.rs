//! Admin grants: list, read, create and revoke, each change with its audit row in one
//! transaction. Creating and revoking take the `registration_lock` row first, so the count of
//! super admins that `LAST_SUPER_ADMIN` and bootstrap rely on cannot change underneath them.

use super::audit::{AuditEntry, insert_audit};
use super::{Store, StoreError, on_pool, read_row};

/// A stored grant.
#[derive(Debug, Clone)]
pub struct AdminGrantRecord {
    /// `ag_…`
    pub id: String,
    /// The user holding it.
    pub user_id: String,
    /// The member it was granted through (`""` when none).
    pub member_id: String,
    /// Space scope (`""` for instance levels).
    pub space_id: String,
    /// Group scope (`""` unless `group_admin`).
    pub group_id: String,
    /// `instance_super_admin`, `instance_admin`, `space_admin`, `group_admin`.
    pub level: String,
    /// The permission key.
    pub permission_key: String,
    /// `active` or `revoked`.
    pub status: String,
    /// Who granted it.
    pub granted_by_user_id: String,
    /// As which member.
    pub granted_by_member_id: String,
    /// When it stops counting.
    pub expires_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// Why.
    pub revoked_reason: String,
    /// JSON object.
    pub metadata: String,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// A grant to insert.
#[derive(Debug, Clone)]
pub struct NewAdminGrant {
    /// The stored row (status, timestamps included).
    pub record: AdminGrantRecord,
    /// The audit row written with it.
    pub audit: AuditEntry,
}

/// Filters of `GET /admin/grants` (exact matches).
#[derive(Debug, Clone, Default)]
pub struct AdminGrantFilter {
    /// By user.
    pub user_id: Option<String>,
    /// By level.
    pub level: Option<String>,
    /// By space.
    pub space_id: Option<String>,
    /// By group.
    pub group_id: Option<String>,
    /// By status.
    pub status: Option<String>,
}

/// Why a revoke did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RevokeGrantError {
    /// No such grant.
    #[error("admin grant not found")]
    NotFound,
    /// It is the last usable super admin grant.
    #[error("last super admin")]
    LastSuperAdmin,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RevokeGrantError {
    fn from(e: sqlx::Error) -> Self {
        RevokeGrantError::Store(e.into())
    }
}

const COLUMNS: &str = "id, user_id, member_id, space_id, group_id, level, permission_key, status, \
     granted_by_user_id, granted_by_member_id, expires_at, revoked_at, revoked_reason, metadata, \
     created_at, updated_at";

/// Active super admin grants (status active, not deleted, not revoked; expiry ignored), as the
/// last-super-admin rule counts them.
const SUPER_GRANTS: &str = "SELECT COUNT(*) FROM admin_grants WHERE level = 'instance_super_admin' \
     AND status = 'active' AND deleted_at IS NULL AND revoked_at IS NULL";

const LOCK: &str = "UPDATE registration_lock SET counter = counter + 1 WHERE id = 1";

macro_rules! grant_from_row {
    ($row:expr) => {
        read_row!(
            $row,
            AdminGrantRecord {
                id,
                user_id,
                member_id,
                space_id,
                group_id,
                level,
                permission_key,
                status,
                granted_by_user_id,
                granted_by_member_id,
                expires_at,
                revoked_at,
                revoked_reason,
                metadata,
                created_at,
                updated_at,
            }
        )
    };
}

/// Inserts the grant `$r` on the transaction `$tx` (either backend).
macro_rules! insert_grant {
    ($tx:expr, $r:expr) => {
        sqlx::query(&format!("INSERT INTO admin_grants ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"))
            .bind(&$r.id).bind(&$r.user_id).bind(&$r.member_id).bind(&$r.space_id).bind(&$r.group_id)
            .bind(&$r.level).bind(&$r.permission_key).bind(&$r.status).bind(&$r.granted_by_user_id)
            .bind(&$r.granted_by_member_id).bind(&$r.expires_at).bind(&$r.revoked_at)
            .bind(&$r.revoked_reason).bind(&$r.metadata).bind(&$r.created_at).bind(&$r.updated_at)
            .execute(&mut *$tx).await
    };
}

impl Store {
    /// Grants matching `filter`, newest first (at most `limit`).
    pub async fn list_admin_grants(
        &self,
        filter: &AdminGrantFilter,
        limit: i64,
    ) -> Result<Vec<AdminGrantRecord>, StoreError> {
        let (sql, values) = super::newest_first(
            COLUMNS,
            "admin_grants",
            &[
                ("user_id", &filter.user_id),
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
            rows.iter().map(|row| Ok(grant_from_row!(row))).collect::<Result<Vec<_>, sqlx::Error>>()
        })
        .map_err(StoreError::from)
    }

    /// One grant.
    pub async fn admin_grant(&self, id: &str) -> Result<Option<AdminGrantRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM admin_grants WHERE id = $1 AND deleted_at IS NULL");
        on_pool!(self, pool => {
            match sqlx::query(&sql).bind(id).fetch_optional(pool).await? {
                Some(row) => Ok(Some(grant_from_row!(&row))),
                None => Ok(None),
            }
        })
        .map_err(|e: sqlx::Error| e.into())
    }

    /// Stores a grant with its audit row. An id that exists already is a `Conflict`.
    pub async fn create_admin_grant(&self, new: &NewAdminGrant) -> Result<(), StoreError> {
        let r = &new.record;
        let result: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(LOCK).execute(&mut *tx).await?;
            insert_grant!(tx, r)?;
            insert_audit!(tx, new.audit)?;
            tx.commit().await
        }.await);
        Ok(result?)
    }

    /// Revokes a grant with its audit row, unless it is the last active super admin grant.
    /// Returns the revoked grant.
    pub async fn revoke_admin_grant(
        &self,
        id: &str,
        reason: &str,
        audit: &AuditEntry,
    ) -> Result<AdminGrantRecord, RevokeGrantError> {
        let now = &audit.created_at;
        let select =
            format!("SELECT {COLUMNS} FROM admin_grants WHERE id = $1 AND deleted_at IS NULL");
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(LOCK).execute(&mut *tx).await?;
            let row = sqlx::query(&select).bind(id).fetch_optional(&mut *tx).await?;
            let Some(row) = row else { return Err(RevokeGrantError::NotFound) };
            let grant = grant_from_row!(&row);
            let live = grant.status == "active" && grant.revoked_at.is_none();
            if live && grant.level == "instance_super_admin" {
                let supers: i64 = sqlx::query_scalar(SUPER_GRANTS).fetch_one(&mut *tx).await?;
                if supers <= 1 {
                    return Err(RevokeGrantError::LastSuperAdmin);
                }
            }
            sqlx::query("UPDATE admin_grants SET status = 'revoked', revoked_at = COALESCE(revoked_at, $1), revoked_reason = $2, updated_at = $1 WHERE id = $3")
                .bind(now).bind(reason).bind(id).execute(&mut *tx).await?;
            insert_audit!(tx, audit)?;
            let row = sqlx::query(&select).bind(id).fetch_one(&mut *tx).await?;
            let revoked = grant_from_row!(&row);
            tx.commit().await?;
            Ok(revoked)
        })
    }

    /// Active super admin grants, as `LAST_SUPER_ADMIN` counts them (expiry ignored).
    pub async fn super_admin_grants(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(SUPER_GRANTS).fetch_one(pool).await)?)
    }

    /// Creates an instance super admin grant for `record.user_id` unless a usable one exists
    /// (`if_exists_ok` then answers `Ok(false)`, otherwise `Conflict`). Serialised with
    /// registrations and other grant changes.
    pub async fn bootstrap_super_admin(
        &self,
        new: &NewAdminGrant,
        if_exists_ok: bool,
    ) -> Result<bool, StoreError> {
        let r = &new.record;
        let outcome: Result<Option<bool>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(LOCK).execute(&mut *tx).await?;
            let existing: i64 = sqlx::query_scalar(super::registration::ACTIVE_SUPER_ADMINS).bind(&r.created_at).fetch_one(&mut *tx).await?;
            if existing > 0 {
                return Ok(if_exists_ok.then_some(false));
            }
            insert_grant!(tx, r)?;
            insert_audit!(tx, new.audit)?;
            tx.commit().await?;
            Ok(Some(true))
        }.await);
        match outcome {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(StoreError::SuperAdminExists),
            Err(e) => Err(e.into()),
        }
    }
}
