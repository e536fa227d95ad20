//! Registration in one transaction, serialised by the `registration_lock` row.

use super::{Store, StoreError, on_pool};
use crate::domain::registration::{Mode, Policy, decide};

/// Everything a registration may write; which parts are written depends on the mode.
#[derive(Debug, Clone)]
pub struct Registration {
    /// New user id.
    pub user_id: String,
    /// Normalised email.
    pub email: String,
    /// Optional username (`""` when none).
    pub username: String,
    /// Optional phone (`""` when none).
    pub phone: String,
    /// argon2id hash of the password.
    pub password_hash: String,
    /// JSON object text.
    pub metadata: String,
    /// The registration token presented, if any.
    pub token: Option<String>,
    /// Name of the default space if it has to be created.
    pub space_name: String,
    /// Slug of the default space if it has to be created.
    pub space_slug: String,
    /// New member id.
    pub member_id: String,
    /// The member's display name.
    pub member_display_name: String,
    /// New binding id.
    pub user_member_id: String,
    /// New space-admin grant id.
    pub space_admin_grant_id: String,
    /// New super-admin grant id (bootstrap mode).
    pub super_admin_grant_id: String,
    /// New session id.
    pub session_id: String,
    /// Keyed hash of the access token.
    pub access_hash: String,
    /// Keyed hash of the refresh token.
    pub refresh_hash: String,
    /// Client address.
    pub ip_address: String,
    /// Client user agent.
    pub user_agent: String,
    /// Access expiry.
    pub expires_at: String,
    /// Refresh expiry.
    pub refresh_expires_at: String,
}

/// Why a registration wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The settings refuse it (403 `REGISTRATION_DISABLED` with this message).
    #[error("{0}")]
    Refused(&'static str),
    /// A user with this email exists.
    #[error("email already registered")]
    EmailTaken,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RegisterError {
    fn from(e: sqlx::Error) -> Self {
        RegisterError::Store(e.into())
    }
}

/// The id of the space every ordinary registration joins.
pub const DEFAULT_SPACE_ID: &str = "space_default";

pub(super) const ACTIVE_SUPER_ADMINS: &str = "SELECT COUNT(*) FROM admin_grants \
     WHERE level = 'instance_super_admin' AND status = 'active' AND deleted_at IS NULL \
       AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)";

impl Store {
    /// Registers under the lock: decides the mode with `policy`, then writes the user (and,
    /// unless public-user-only, the default space, member, binding, admin grants and session)
    /// in one transaction.
    pub async fn register(
        &self,
        r: &Registration,
        policy: &Policy,
        now: &str,
    ) -> Result<Mode, RegisterError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE registration_lock SET counter = counter + 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            let supers: i64 = sqlx::query_scalar(ACTIVE_SUPER_ADMINS).bind(now).fetch_one(&mut *tx).await?;
            let mode = decide(policy, supers == 0, r.token.as_deref()).map_err(RegisterError::Refused)?;
            let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&r.email)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(RegisterError::EmailTaken);
            }
            sqlx::query(
                "INSERT INTO users (id, email, username, phone, password_hash, metadata, \
                 password_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)",
            )
            .bind(&r.user_id)
            .bind(&r.email)
            .bind(&r.username)
            .bind(&r.phone)
            .bind(&r.password_hash)
            .bind(&r.metadata)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if mode != Mode::PublicUserOnly {
                sqlx::query(
                    "INSERT INTO spaces (id, name, slug, type, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'default', $4, $4) \
                     ON CONFLICT (id) DO UPDATE SET status = 'active', deleted_at = NULL, updated_at = $4",
                )
                .bind(DEFAULT_SPACE_ID)
                .bind(&r.space_name)
                .bind(&r.space_slug)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO members (id, space_id, display_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(&r.member_id)
                .bind(DEFAULT_SPACE_ID)
                .bind(&r.member_display_name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, is_primary, \
                     linked_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'self', TRUE, $5, $5, $5)",
                )
                .bind(&r.user_member_id)
                .bind(&r.user_id)
                .bind(&r.member_id)
                .bind(DEFAULT_SPACE_ID)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let mut grants = vec![(&r.space_admin_grant_id, "space_admin", DEFAULT_SPACE_ID)];
                if mode == Mode::Bootstrap {
                    grants.push((&r.super_admin_grant_id, "instance_super_admin", ""));
                }
                for (id, level, space) in grants {
                    sqlx::query(
                        "INSERT INTO admin_grants (id, user_id, member_id, space_id, level, permission_key, \
                         metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '*', $6, $7, $7)",
                    )
                    .bind(id)
                    .bind(&r.user_id)
                    .bind(&r.member_id)
                    .bind(space)
                    .bind(level)
                    .bind(format!(r#"{{"source":"registration","registration_mode":"{}"}}"#, mode.as_str()))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(super::sessions::INSERT_SESSION)
                .bind(&r.session_id)
                .bind(&r.user_id)
                .bind(&r.access_hash)
                .bind(&r.refresh_hash)
                .bind(DEFAULT_SPACE_ID)
                .bind(&r.member_id)
                .bind(&r.user_member_id)
                .bind(&r.ip_address)
                .bind(&r.user_agent)
                .bind(&r.expires_at)
                .bind(&r.refresh_expires_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(mode)
        })
    }

    /// How many usable instance super admin grants exist at `now`.
    pub async fn active_super_admins(&self, now: &str) -> Result<i64, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_scalar(ACTIVE_SUPER_ADMINS).bind(now).fetch_one(pool).await)?,
        )
    }
}
